// Wires the approver API's ports to DynamoDB.
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../shared/adapters/dynamo/dynamo-outbox.js';
import type { Log } from '../shared/use-cases/ports.js';
import type { ApproverApiEnvironment } from './environment.js';
import type { ApproverApiDeps } from './routes.js';

export function buildApproverApiDependencies(env: ApproverApiEnvironment, log: Log): ApproverApiDeps {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    approvals: new DynamoApprovalStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    audit: new DynamoAuditLog(doc, env.auditTable),
    portalUrl: env.approverPortalUrl,
    log,
  };
}
