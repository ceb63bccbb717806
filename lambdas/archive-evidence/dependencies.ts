// Wires the archive-evidence function's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_*
// name locally): the campaign table (campaign, entries, items, hand-over runs, notifications), the
// directory (names), the audit log, the reports bucket, the KMS signing key, and the
// render-report-charts function, which draws the report page's charts (vega is not in this bundle).
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { REQUEST_HANDLER } from '../shared/adapters/aws-clients.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../shared/adapters/dynamo/dynamo-outbox.js';
import { KmsEvidenceSigner } from '../shared/adapters/kms-evidence-signer.js';
import { LambdaChartDrawer, REPORT_CHARTS_WAIT_MS } from '../shared/adapters/lambda-chart-drawer.js';
import { S3EvidenceArchive } from '../shared/adapters/s3-evidence-archive.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { ArchiveEvidenceDeps } from '../shared/use-cases/evidence/archive-evidence.js';
import { evidenceReports } from '../shared/use-cases/evidence/evidence-pack.js';
import type { Clock, Log } from '../shared/use-cases/ports.js';
import type { ArchiveEvidenceEnvironment } from './environment.js';

export type ArchiveEvidenceDependencies = ArchiveEvidenceDeps & {
  /** The instant recorded when the event gives none. */
  clock: Clock;
  log: Log;
};

/** The deployed wiring; `overrides` replace dependencies (tests pass their ports). */
export function buildArchiveEvidenceDependencies(
  env: ArchiveEvidenceEnvironment,
  log: Log,
  overrides: Partial<ArchiveEvidenceDependencies> = {},
): ArchiveEvidenceDependencies {
  const doc = createDocumentClient({});
  const charts = new LambdaChartDrawer(
    new LambdaClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: REPORT_CHARTS_WAIT_MS, throwOnRequestTimeout: true } }),
    env.reportChartsFunction,
  );
  return {
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    // Hand-over approval runs and the run's notifications live in the campaign table too.
    approvals: new DynamoApprovalStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    audit: new DynamoAuditLog(doc, env.auditTable),
    evidence: {
      archive: new S3EvidenceArchive({ client: new S3Client({ requestHandler: REQUEST_HANDLER }), bucket: env.reportsBucket }),
      signer: new KmsEvidenceSigner({ client: new KMSClient({ requestHandler: REQUEST_HANDLER }), keyId: env.evidenceKeyId }),
      reports: evidenceReports((data) => charts.draw(data)),
    },
    clock: systemClock,
    log,
    ...overrides,
  };
}
