// The operations alarms (lib/constructs/operations-alarms.ts) and the stack parameters that tune
// them: every function's errors and throttles, the approver API's 5xx, every dead-letter queue, and
// the daily report's missed heartbeats, degraded health, high-risk users and compliance score.
import { Template } from 'aws-cdk-lib/assertions';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { OPERATIONS_METRICS } from '../../lambdas/shared/config/metrics.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/config/tables.js';
import { STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

const { stateful, stateless } = buildStacks();
const statefulTemplate = Template.fromStack(stateful);
const template = Template.fromStack(stateless);
const templateJson = template.toJSON() as {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedPattern?: string; MinValue?: number }>;
  Conditions: Record<string, unknown>;
};
const alarms = stateless.operationsAlarms;
const propertiesOf = (alarm: Alarm) => template.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(alarm)]!.Properties;

const JOBS = ['campaign-controller', 'risk-assessment', 'daily-operations', 'weekly-summary', 'initialize-reapproval', 'start-reapproval'];
const FUNCTION_IDS: Record<string, string> = {
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
const functionId = (name: string) => FUNCTION_IDS[name];
const FUNCTIONS = Object.keys(FUNCTION_IDS);

describe('function alarms', () => {
  it('alarm on the first error of every function; a scheduled job keeps the one of its schedule', () => {
    expect(Object.keys(alarms.errorsAlarms).sort()).toEqual([...FUNCTIONS].sort());
    for (const name of FUNCTIONS) {
      expect(propertiesOf(alarms.errorsAlarms[name]!), name).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    expect(alarms.errorsAlarms['campaign-controller']).toBe(stateless.controller.job.errorsAlarm);
    for (const [name, job] of Object.entries({ ...stateless.operationsJobs.byName, ...stateless.reapprovalJobs.byName })) {
      expect(alarms.errorsAlarms[name]).toBe(job.job.errorsAlarm);
    }
    // One errors alarm per function: no second one for a scheduled job.
    const errorAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'Errors');
    expect(errorAlarms).toHaveLength(FUNCTIONS.length);
  });

  it('alarm on the first throttled invocation of every function', () => {
    expect(Object.keys(alarms.throttlesAlarms).sort()).toEqual([...FUNCTIONS].sort());
    for (const name of FUNCTIONS) {
      expect(propertiesOf(alarms.throttlesAlarms[name]!), name).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarm on any message in any dead-letter queue', () => {
    expect(Object.keys(alarms.deadLetterAlarms).sort()).toEqual([...JOBS].sort());
    for (const name of JOBS) {
      const queue = Object.entries(stateless.jobs).find(([job]) => job === name)![1].deadLetterQueue;
      expect(propertiesOf(alarms.deadLetterAlarms[name]!), name).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it("alarm on the approver API's first 5xx answer", () => {
    expect(propertiesOf(alarms.apiServerErrorsAlarm)).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalIdOf(stateless.approverApi.httpApi) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('daily report alarms', () => {
  const reportMetric = (name: string) => ({
    Namespace: METRICS_NAMESPACE,
    MetricName: name,
    Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
    // Between two reports there is no data point: the state the last report set holds.
    TreatMissingData: 'ignore',
    EvaluationPeriods: 1,
  });

  it('alarm on a missed heartbeat', () => {
    expect(propertiesOf(alarms.missedHeartbeatsAlarm)).toMatchObject({
      ...reportMetric(OPERATIONS_METRICS.missedHeartbeats),
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarm on degraded health', () => {
    expect(propertiesOf(alarms.healthDegradedAlarm)).toMatchObject({
      ...reportMetric(OPERATIONS_METRICS.healthDegraded),
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it("alarm when the report counts more high-risk users than the configuration's threshold (its 0/1 metric), with no parameter", () => {
    expect(propertiesOf(alarms.highRiskUsersAlarm)).toMatchObject({
      ...reportMetric(OPERATIONS_METRICS.highRiskUsersAboveThreshold),
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(Object.keys(templateJson.Parameters)).not.toContain('HighRiskUsersAlarmThreshold');
  });

  it("alarm when the report is NON_COMPLIANT by the configuration's compliantAt (its 0/1 metric), not on a fixed score", () => {
    expect(propertiesOf(alarms.complianceScoreAlarm)).toMatchObject({
      ...reportMetric(OPERATIONS_METRICS.nonCompliant),
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarm on notifications that failed (the controller)', () => {
    expect(propertiesOf(stateless.controller.failedNotificationsAlarm)).toMatchObject({ MetricName: 'NotificationsFailed', Threshold: 1 });
  });
});

describe('operators subscribe by a parameter', () => {
  const subscriptionId = logicalIdOf(stateless.alarmEmailSubscription);
  const subscription = template.toJSON().Resources[subscriptionId];
  const pattern = new RegExp(templateJson.Parameters[STATELESS_PARAMETERS.alarmEmail]!.AllowedPattern!);

  it('AlarmEmail subscribes an email address to the alarms topic, only when it is not empty', () => {
    expect(templateJson.Parameters[STATELESS_PARAMETERS.alarmEmail]).toMatchObject({ Type: 'String', Default: '' });
    expect(subscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: { Ref: STATELESS_PARAMETERS.alarmEmail } });
    expect(resolveImports(subscription.Properties.TopicArn, statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.topics.alarmsTopic) });
    expect(subscription.Condition).toBe('HasAlarmEmail');
    expect(templateJson.Conditions.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: STATELESS_PARAMETERS.alarmEmail }, ''] }] });
  });

  it('AlarmEmail takes one address or nothing', () => {
    for (const ok of ['', 'ops@example.com', 'first.last+alarms@sub.example.org']) expect(ok, ok).toMatch(pattern);
    for (const bad of ['ops', 'ops@example', 'ops@example.com,oncall@example.com', ' ops@example.com', 'a b@example.com']) {
      expect(bad, bad).not.toMatch(pattern);
    }
  });

  it('OperationsRecipients takes a comma-separated list of addresses, or nothing', () => {
    const parameter = templateJson.Parameters[STATELESS_PARAMETERS.operationsRecipients]!;
    expect(parameter).toMatchObject({ Type: 'String', Default: '' });
    const recipients = new RegExp(parameter.AllowedPattern!);
    for (const ok of ['', 'ops@example.com', 'ops@example.com,ciso@example.com', 'ops@example.com, ciso@example.com']) {
      expect(ok, ok).toMatch(recipients);
    }
    for (const bad of ['ops', 'ops@example.com,', ',ops@example.com', 'ops@example.com;ciso@example.com', 'ops@example.com,,ciso@example.com']) {
      expect(bad, bad).not.toMatch(recipients);
    }
  });
});
