// Wires the weekly summary's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally):
// the operations table, the operations topic, SES and EMF metrics.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { createSesMailer, REQUEST_HANDLER } from '../shared/adapters/aws-clients.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import type { JobDependencies } from '../shared/adapters/job-handler.js';
import { PowertoolsMetricsSink } from '../shared/adapters/powertools-metrics-sink.js';
import { SnsReportPublisher } from '../shared/adapters/sns-report-publisher.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../shared/config/tables.js';
import type { Log } from '../shared/use-cases/ports.js';
import type { WeeklySummaryDeps } from '../shared/use-cases/weekly-summary.js';
import type { WeeklySummaryEnvironment } from './environment.js';

/** Everything a run needs but its business clock, which each event sets. */
export type WeeklySummaryDependencies = Omit<WeeklySummaryDeps, 'clock'> & JobDependencies;

/** The deployed wiring; `overrides` replace dependencies (the local runtime its publisher; tests their ports). */
export function buildWeeklySummaryDependencies(
  env: WeeklySummaryEnvironment,
  log: Log,
  overrides: Partial<WeeklySummaryDependencies> = {},
): WeeklySummaryDependencies {
  return {
    operations: new DynamoOperationsStore({ doc: createDocumentClient({}), tableName: env.operationsTable }),
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
