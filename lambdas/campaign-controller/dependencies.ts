// Wires the controller's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { createSesMailer, REQUEST_HANDLER } from '../shared/adapters/aws-clients.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../shared/adapters/dynamo/dynamo-outbox.js';
import { KmsEvidenceSigner } from '../shared/adapters/kms-evidence-signer.js';
import { LambdaHookInvoker } from '../shared/adapters/lambda-hook-invoker.js';
import { S3EvidenceArchive } from '../shared/adapters/s3-evidence-archive.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import { ENV } from '../shared/config/tables.js';
import { ValidationError } from '../shared/domain/errors.js';
import type { ControllerDeps } from '../shared/use-cases/campaign-controller.js';
import type { EvidenceDeps } from '../shared/use-cases/evidence/archive-evidence.js';
import type { Log, OperationsStore } from '../shared/use-cases/ports.js';
import type { ControllerEnvironment } from './environment.js';

/** Everything a run needs but its business clock, which each event sets; and where runs are recorded. */
export type ControllerDependencies = Omit<ControllerDeps, 'clock'> & { operations: OperationsStore };

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
    wallClock: systemClock,
    log,
    settings: { portalUrl: env.approverPortalUrl, leaseSeconds: env.leaseSeconds },
    // Evidence packs go to the reports bucket, signed by the KMS key (the local runtime passes its own).
    evidence: overrides.evidence ?? deployedEvidence(env),
    ...overrides,
  };
}

function deployedEvidence(env: ControllerEnvironment): EvidenceDeps {
  const missing = [
    ...(env.reportsBucket ? [] : [ENV.reportsBucket]),
    ...(env.evidenceKeyId ? [] : [ENV.evidenceKeyId]),
  ];
  if (missing.length > 0) throw new ValidationError(`environment: ${missing.map((name) => `${name}: must be set`).join('; ')}`);
  return {
    archive: new S3EvidenceArchive({ client: new S3Client({ requestHandler: REQUEST_HANDLER }), bucket: env.reportsBucket! }),
    signer: new KmsEvidenceSigner({ client: new KMSClient({ requestHandler: REQUEST_HANDLER }), keyId: env.evidenceKeyId! }),
  };
}
