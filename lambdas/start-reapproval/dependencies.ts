// Wires the start-reapproval job's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name
// locally): the directory, the approval runs, campaign items and outbox on the campaign table, SES.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createSesMailer, REQUEST_HANDLER } from '../shared/adapters/aws-clients.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../shared/adapters/dynamo/dynamo-outbox.js';
import type { JobDependencies } from '../shared/adapters/job-handler.js';
import { LambdaSelfInvocation } from '../shared/adapters/lambda-continuation.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { StartReapprovalDeps } from '../shared/use-cases/approvals/start-reapproval.js';
import type { CampaignStore, Log } from '../shared/use-cases/ports.js';
import type { StartReapprovalEnvironment } from './environment.js';

/**
 * Everything a run needs but its business time, which each event sets; and where runs are recorded.
 * The whole campaign store: hand-overs record their outcome on campaign items, and the dispatcher
 * reads campaigns and entries before it sends their notices.
 */
export type StartReapprovalDependencies = StartReapprovalDeps & JobDependencies & { campaigns: CampaignStore };

/** The deployed wiring; `overrides` replace dependencies (tests pass their ports). */
export function buildStartReapprovalDependencies(
  env: StartReapprovalEnvironment,
  log: Log,
  overrides: Partial<StartReapprovalDependencies> = {},
): StartReapprovalDependencies {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    approvals: new DynamoApprovalStore({ doc, tableName: env.campaignTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    audit: new DynamoAuditLog(doc, env.auditTable),
    operations: new DynamoOperationsStore({ doc, tableName: env.operationsTable }),
    mailer: createSesMailer(env),
    portalUrl: env.approverPortalUrl,
    wallClock: systemClock,
    // Out of time, the run continues in an asynchronous invocation of this function (the local runtime overrides it with undefined: it loops).
    continuation: new LambdaSelfInvocation(new LambdaClient({ requestHandler: REQUEST_HANDLER })),
    log,
    ...overrides,
  };
}
