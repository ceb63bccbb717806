// Wires the daily report's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally):
// the stores, health from CloudWatch and the tables, the operations topic, SES and EMF metrics.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { createSesMailer, REQUEST_HANDLER } from '../shared/adapters/aws-clients.js';
import { CloudWatchHealthProbe } from '../shared/adapters/cloudwatch-health-probe.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoTableProbe } from '../shared/adapters/dynamo/dynamo-table-probe.js';
import type { JobDependencies } from '../shared/adapters/job-handler.js';
import { PowertoolsMetricsSink } from '../shared/adapters/powertools-metrics-sink.js';
import { SnsReportPublisher } from '../shared/adapters/sns-report-publisher.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../shared/config/tables.js';
import type { DailyOperationsDeps } from '../shared/use-cases/daily-operations.js';
import type { Log } from '../shared/use-cases/ports.js';
import type { DailyOperationsEnvironment } from './environment.js';

/** Everything a run needs but its business clock, which each event sets. */
export type DailyOperationsDependencies = Omit<DailyOperationsDeps, 'clock'> & JobDependencies;

/**
 * The deployed wiring. `overrides` replace dependencies: the local runtime passes its health probe
 * (heartbeats and tables, no CloudWatch) and publisher; tests their ports.
 */
export function buildDailyOperationsDependencies(
  env: DailyOperationsEnvironment,
  log: Log,
  overrides: Partial<DailyOperationsDependencies> = {},
): DailyOperationsDependencies {
  const doc = createDocumentClient({});
  const tables = { directory: env.directoryTable, campaigns: env.campaignTable, operations: env.operationsTable };
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    operations: new DynamoOperationsStore({ doc, tableName: env.operationsTable }),
    health: new CloudWatchHealthProbe({
      cloudwatch: new CloudWatchClient({ requestHandler: REQUEST_HANDLER }),
      functions: { ...(env.ownFunctionName ? { 'daily-operations': env.ownFunctionName } : {}), ...env.monitoredFunctions },
      queues: env.monitoredQueues,
      tables: new DynamoTableProbe({ doc, tables }),
    }),
    publisher: new SnsReportPublisher({ client: new SNSClient({ requestHandler: REQUEST_HANDLER }), topicArn: env.operationsTopicArn }),
    mailer: createSesMailer(env),
    metrics: new PowertoolsMetricsSink(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME })),
    recipients: env.operationsRecipients,
    ...(env.jobSchedules ? { schedules: env.jobSchedules } : {}),
    wallClock: systemClock,
    log,
    ...overrides,
  };
}
