// Wires the controller's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createSesMailer } from '../shared/adapters/aws-clients.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../shared/adapters/dynamo/dynamo-outbox.js';
import { ARCHIVE_EVIDENCE_WAIT_MS, LambdaEvidenceArchiver } from '../shared/adapters/lambda-evidence-archiver.js';
import { LambdaHookInvoker } from '../shared/adapters/lambda-hook-invoker.js';
import { LambdaSelfInvocation } from '../shared/adapters/lambda-continuation.js';
import type { JobDependencies } from '../shared/adapters/job-handler.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import { ENV } from '../shared/config/tables.js';
import { ValidationError } from '../shared/domain/errors.js';
import type { ControllerDeps } from '../shared/use-cases/campaign-controller.js';
import type { EvidenceArchiver, Log } from '../shared/use-cases/ports.js';
import type { ControllerEnvironment } from './environment.js';

/**
 * Everything a run needs but its business clock and time budget, which each invocation sets; where
 * runs are recorded; and how a run that ran out of budget continues (job-handler.ts).
 */
export type ControllerDependencies = Omit<ControllerDeps, 'clock' | 'budget'> & JobDependencies;

/**
 * The deployed wiring. `overrides` replace dependencies: the local runtime passes its own hook
 * invoker (which also runs `file:` modules), so that no local code is bundled into the function.
 */
export function buildControllerDependencies(
  env: ControllerEnvironment,
  log: Log,
  overrides: Partial<ControllerDependencies> = {},
): ControllerDependencies {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    // Approval runs live in the campaign table: the finish starts `WORKFLOW` hand-overs, the dispatch checks run notices.
    approvals: new DynamoApprovalStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    audit: new DynamoAuditLog(doc, env.auditTable),
    operations: new DynamoOperationsStore({ doc, tableName: env.operationsTable }),
    mailer: createSesMailer(env),
    // On AWS hooks are Lambda functions (the client connects only when a campaign names one).
    hooks: new LambdaHookInvoker(new LambdaClient({})),
    // A run whose budget ran out invokes the function itself, asynchronously (the local runtime overrides it with undefined: it loops).
    continuation: new LambdaSelfInvocation(new LambdaClient({})),
    wallClock: systemClock,
    log,
    settings: { portalUrl: env.approverPortalUrl, leaseSeconds: env.leaseSeconds, cleanup: env.cleanup },
    // The archive-evidence function writes a run's pack to the reports bucket (the local runtime archives in process).
    evidence: overrides.evidence ?? deployedEvidenceArchiver(env),
    ...overrides,
  };
}

function deployedEvidenceArchiver(env: ControllerEnvironment): EvidenceArchiver {
  if (!env.archiveEvidenceFunction) throw new ValidationError(`environment: ${ENV.archiveEvidenceFunction}: must be set`);
  // A synchronous invocation, waited for as long as the function may run; tried twice at most (a
  // throttled call), so that a run stays within its timeout: a later run archives what this one could not.
  const client = new LambdaClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: ARCHIVE_EVIDENCE_WAIT_MS, throwOnRequestTimeout: true },
  });
  return new LambdaEvidenceArchiver(client, env.archiveEvidenceFunction);
}
