// The operations dashboard (lib/constructs/operations-dashboard.ts): its name, its sections, and the
// metrics each widget draws, read from the DashboardBody CloudFormation deploys.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JOB_DIMENSION, OPERATIONS_METRICS, RISK_LEVEL_DIMENSION } from '../../lambdas/shared/config/metrics.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/config/tables.js';
import { RISK_LEVELS } from '../../lambdas/shared/domain/model.js';
import { JOB_NAMES } from '../../lambdas/shared/domain/operations.js';
import { OPERATIONS_DASHBOARD_NAME } from '../../lib/constructs/operations-dashboard.js';
import { stackNames } from '../../lib/stack-outputs.js';
import { buildStacks, logicalIdOf } from './idgov-app.js';

const { stateless } = buildStacks();
const template = Template.fromStack(stateless);

/** A widget of the body: `metrics` rows are [namespace, name, dimension, value, ..., { options }]. */
interface Widget {
  type: 'metric' | 'text';
  properties: { title?: string; markdown?: string; view?: string; metrics?: unknown[][] };
}

/** The dashboard body, each reference replaced by the logical id it names (`Ref`, `Fn::GetAtt` → `id.attribute`). */
function bodyOf(dashboard: { Properties: { DashboardBody: unknown } }): { widgets: Widget[] } {
  const body = dashboard.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof body === 'string') return JSON.parse(body);
  const [separator, parts] = body['Fn::Join'];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref: ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return ref ?? `${getAtt![0]}.${getAtt![1]}`;
    })
    .join(separator);
  return JSON.parse(text);
}

const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown; DashboardName: string } }[];
const { widgets } = bodyOf(dashboard!);
const widget = (title: string) => {
  const found = widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget titled ${title}: ${widgets.map((w) => w.properties.title).join(', ')}`);
  return found;
};
/** [namespace, name, ...dimension name and value pairs, by dimension name]: CloudWatch ignores their order. */
function metricId(cells: string[]): string[] {
  const [namespace, name, ...dimensions] = cells;
  const pairs: [string, string][] = [];
  for (let i = 0; i < dimensions.length; i += 2) pairs.push([dimensions[i]!, dimensions[i + 1]!]);
  return [namespace!, name!, ...pairs.sort(([a], [b]) => a.localeCompare(b)).flat()];
}
/** The id of each metric of a widget, and its options. */
const metricsOf = (title: string) =>
  (widget(title).properties.metrics ?? []).map((row) => {
    const options = row.at(-1) !== null && typeof row.at(-1) === 'object' ? (row.at(-1) as Record<string, unknown>) : {};
    return { id: metricId(row.filter((cell) => typeof cell === 'string') as string[]), options };
  });
const custom = (name: string, ...dimensions: string[]) => metricId([METRICS_NAMESPACE, name, 'service', SERVICE_NAME, ...dimensions]);

const functions: Record<string, string> = {
  'campaign-controller': logicalIdOf(stateless.controller.function),
  'risk-assessment': logicalIdOf(stateless.operationsJobs.riskAssessment.function),
  'daily-operations': logicalIdOf(stateless.dailyOperationsFunction),
  'weekly-summary': logicalIdOf(stateless.operationsJobs.weeklySummary.function),
  'initialize-reapproval': logicalIdOf(stateless.reapprovalJobs.initializeReapproval.function),
  'start-reapproval': logicalIdOf(stateless.reapprovalJobs.startReapproval.function),
  'approver-api': logicalIdOf(stateless.approverApi.function),
  'emergency-access': logicalIdOf(stateless.emergencyAccessFunction),
  'archive-evidence': logicalIdOf(stateless.evidenceArchiver.function),
  'render-report-charts': logicalIdOf(stateless.reportCharts.function),
};

describe('the operations dashboard', () => {
  it(`is named ${OPERATIONS_DASHBOARD_NAME}; a renamed deployment gets a name of its own`, () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))).toHaveLength(1);
    expect(dashboard!.Properties.DashboardName).toBe('IdentityGovernanceOperations');
    const renamed = Template.fromStack(buildStacks(stackNames('Acme')).stateless);
    const [other] = Object.values(renamed.findResources('AWS::CloudWatch::Dashboard'));
    expect(other!.Properties.DashboardName).toBe('IdentityGovernanceOperations-AcmeStateless');
  });

  it('has the four sections in order', () => {
    const headings = widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown?.split('\n')[0]);
    expect(headings).toEqual(['## Certification status', '## Risk distribution', '## System health', '## KPIs']);
  });

  it('shows the certification status: completion rate, open and overdue entries, entries decided and active campaigns', () => {
    expect(metricsOf('Completion rate (%)').map((m) => m.id)).toEqual([custom(OPERATIONS_METRICS.completionRate)]);
    expect(metricsOf('Open and overdue entries').map((m) => m.id)).toEqual([
      custom(OPERATIONS_METRICS.openEntries),
      custom(OPERATIONS_METRICS.overdueEntries),
    ]);
    expect(metricsOf('Entries decided (24 h) and active campaigns').map((m) => m.id)).toEqual([
      custom(OPERATIONS_METRICS.entriesDecided),
      custom(OPERATIONS_METRICS.activeCampaigns),
    ]);
  });

  it("shows each job's heartbeat age, one line per job", () => {
    const ages = metricsOf("Hours since each job's last completed run");
    expect(ages.map((m) => m.id)).toEqual(JOB_NAMES.map((job) => custom(OPERATIONS_METRICS.heartbeatAgeHours, JOB_DIMENSION, job)));
    expect(ages.map((m) => m.options.label)).toEqual([...JOB_NAMES]);
  });

  it('shows the compliance score over time as well as its latest value', () => {
    const graph = widget('Compliance score over time');
    expect(graph.properties.view).toBe('timeSeries');
    expect(metricsOf('Compliance score over time').map((m) => m.id)).toEqual([custom(OPERATIONS_METRICS.complianceScore)]);
  });

  it('shows the risk distribution over time: users per risk level, high-risk users, SoD conflicts, orphaned access', () => {
    expect(widget('Users by risk level').properties.view).toBe('timeSeries');
    expect(metricsOf('Users by risk level').map((m) => m.id)).toEqual(
      RISK_LEVELS.map((level) => custom(OPERATIONS_METRICS.usersAtRisk, RISK_LEVEL_DIMENSION, level)),
    );
    expect(metricsOf('High-risk users, SoD conflicts, orphaned access').map((m) => m.id)).toEqual([
      custom(OPERATIONS_METRICS.highRiskUsers),
      custom(OPERATIONS_METRICS.sodConflicts),
      custom(OPERATIONS_METRICS.orphanedAccess),
    ]);
  });

  it.each([
    ['Errors per function', 'Errors', 'Sum'],
    ['Throttles per function', 'Throttles', 'Sum'],
    ['Duration per function (p95, ms)', 'Duration', 'p95'],
  ])('shows %s, for every function', (title, metric, stat) => {
    const metrics = metricsOf(title);
    expect(metrics.map((m) => m.id)).toEqual(Object.values(functions).map((id) => ['AWS/Lambda', metric, 'FunctionName', id]));
    expect(metrics.map((m) => m.options.label)).toEqual(Object.keys(functions));
    expect(metrics.every((m) => m.options.stat === stat)).toBe(true);
  });

  it("shows the depth of every job's dead-letter queue", () => {
    expect(metricsOf('Dead-letter queue depth').map((m) => m.id)).toEqual(
      Object.values(stateless.jobs).map((job) => [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        `${logicalIdOf(job.deadLetterQueue)}.QueueName`,
      ]),
    );
  });

  it('shows what the report alarms on (missed heartbeats, degraded health, non-compliant, high risk above threshold), the API 5xx and failed notifications', () => {
    expect(metricsOf('Missed heartbeats, degraded health, non-compliant, high risk above threshold').map((m) => m.id)).toEqual([
      custom(OPERATIONS_METRICS.missedHeartbeats),
      custom(OPERATIONS_METRICS.healthDegraded),
      custom(OPERATIONS_METRICS.nonCompliant),
      custom(OPERATIONS_METRICS.highRiskUsersAboveThreshold),
    ]);
    expect(metricsOf('Approver API 5xx and failed notifications').map((m) => m.id)).toEqual([
      ['AWS/ApiGateway', '5xx', 'ApiId', logicalIdOf(stateless.approverApi.httpApi)],
      [METRICS_NAMESPACE, 'NotificationsFailed'],
    ]);
  });

  it('shows the KPIs as single values, the compliance score first', () => {
    const kpis = widgets.filter((w) => w.properties.view === 'singleValue');
    expect(kpis).toHaveLength(1);
    expect(metricsOf(kpis[0]!.properties.title!).map((m) => m.id)).toEqual([
      custom(OPERATIONS_METRICS.complianceScore),
      custom(OPERATIONS_METRICS.completionRate),
      custom(OPERATIONS_METRICS.highRiskUsers),
      custom(OPERATIONS_METRICS.overdueEntries),
    ]);
  });

  it('draws every metric the daily job emits, and no custom metric it does not', () => {
    const drawn = new Set(
      widgets.flatMap((w) => (w.properties.metrics ?? []).filter((row) => row[0] === METRICS_NAMESPACE).map((row) => row[1] as string)),
    );
    expect(drawn).toEqual(new Set([...Object.values(OPERATIONS_METRICS), 'NotificationsFailed']));
  });
});
