// Alarms that reach someone: CloudWatch may publish to the (encrypted) alarms topic, but only for
// alarms of this account; the controller alarms when it errs, when it is no longer invoked, and when
// a notification is marked FAILED (a metric filter on what the dispatcher logs).
import { Logger } from '@aws-lambda-powertools/logger';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/config/tables.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import type { Notification } from '../../lambdas/shared/domain/model.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { MAX_SEND_ATTEMPTS, dispatchNotifications } from '../../lambdas/shared/use-cases/dispatch-notifications.js';
import {
  CONTROLLER_INTERVAL,
  FAILED_NOTIFICATION_LOG_LINES,
  FAILED_NOTIFICATIONS_METRIC,
} from '../../lib/constructs/campaign-controller.js';
import { CLOUDWATCH_SERVICE } from '../../lib/constructs/notification-topics.js';
import {
  MAX_NOT_RUNNING_ALARM_INTERVAL,
  QUIET_INTERVALS_BEFORE_ALARM,
  ScheduledJob,
  type ScheduledJobProps,
  maxAlarmEvaluationRange,
} from '../../lib/constructs/scheduled-job.js';
import { CAMPAIGN_ID, aCampaign, at } from '../support/fixtures.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { CONTROLLER_ACTOR } from '../../lambdas/shared/domain/audit/events.js';

const { stateful, stateless } = buildStacks();
const statefulTemplate = Template.fromStack(stateful);
const statelessTemplate = Template.fromStack(stateless);
const alarmsTopicId = logicalIdOf(stateful.topics.alarmsTopic);
const controller = stateless.controller;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** What CloudWatch must present: a request from this account, for an alarm of this account and region. */
const FROM_OUR_ALARMS = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*'],
      ],
    },
  },
};

const isCloudWatch = (statement: Statement) =>
  JSON.stringify(statement.Principal) === JSON.stringify({ Service: CLOUDWATCH_SERVICE });

function topicPolicyStatements(topicId: string): Statement[] {
  const policies = Object.values(statefulTemplate.findResources('AWS::SNS::TopicPolicy')).filter((policy) =>
    (policy.Properties.Topics as unknown[]).some((topic) => JSON.stringify(topic) === JSON.stringify({ Ref: topicId })),
  );
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement as Statement[];
}

describe('alarm delivery', () => {
  it('lets CloudWatch publish to the alarms topic, for alarms of this account only', () => {
    const allows = topicPolicyStatements(alarmsTopicId).filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: CLOUDWATCH_SERVICE },
        Action: 'sns:Publish',
        Resource: { Ref: alarmsTopicId },
        Condition: FROM_OUR_ALARMS,
      }),
    ]);
  });

  it('still refuses every publication over plain HTTP', () => {
    expect(topicPolicyStatements(alarmsTopicId)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('opens the operations topic to no service (its publisher gets an IAM grant)', () => {
    const operations = topicPolicyStatements(logicalIdOf(stateful.topics.operationsTopic));
    expect(operations.filter((statement) => statement.Effect === 'Allow')).toEqual([]);
  });

  it('lets CloudWatch use the topic key to encrypt for the topic, under the same conditions, and nothing else', () => {
    const key = statefulTemplate.findResources('AWS::KMS::Key')[logicalIdOf(stateful.topics.key)];
    const statements = key.Properties.KeyPolicy.Statement as Statement[];
    expect(statements.filter(isCloudWatch)).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: FROM_OUR_ALARMS,
      }),
    ]);
    // The table key is not CloudWatch's business.
    const tableKey = statefulTemplate.findResources('AWS::KMS::Key')[logicalIdOf(stateful.tables.key)];
    expect((tableKey.Properties.KeyPolicy.Statement as Statement[]).filter(isCloudWatch)).toEqual([]);
  });

  it('sends every alarm of the stateless stack to the alarms topic', () => {
    const alarms = Object.entries(statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const [id, alarm] of alarms) {
      expect(resolveImports(alarm.Properties.AlarmActions, statefulTemplate), id).toEqual([{ Ref: alarmsTopicId }]);
    }
  });
});

describe('the controller stops running', () => {
  const functionId = logicalIdOf(controller.function);
  const alarm = statelessTemplate.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(controller.job.notRunningAlarm!)];

  it(`alarms after ${QUIET_INTERVALS_BEFORE_ALARM} schedule intervals in a row without an invocation`, () => {
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Sum',
      Period: CONTROLLER_INTERVAL.toSeconds(),
      EvaluationPeriods: QUIET_INTERVALS_BEFORE_ALARM,
      DatapointsToAlarm: QUIET_INTERVALS_BEFORE_ALARM,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
  });

  it('counts missing data as breaching: a function that is not invoked publishes no data point at all', () => {
    // Errors has no data point without an invocation, so an Errors alarm would stay quiet (or, with
    // missing data breaching, fire on every quiet hour of a healthy job with nothing to do but run).
    expect(alarm.Properties.TreatMissingData).toBe('breaching');
    const errors = statelessTemplate.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(controller.job.errorsAlarm)];
    expect(errors.Properties).toMatchObject({ MetricName: 'Errors', TreatMissingData: 'notBreaching' });
  });

  /** A stack with an alarms topic, and a fresh function per job (a function takes one asynchronous-invocation configuration). */
  function controlStack() {
    const stack = new Stack(new App(), 'Control');
    const alarmTopic = new Topic(stack, 'Topic');
    let functions = 0;
    const target = () =>
      new LambdaFunction(stack, `Fn${++functions}`, {
        runtime: Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => undefined;'),
      });
    return { stack, alarmTopic, target };
  }

  it('derives the period from the schedule, and refuses a schedule it cannot take', () => {
    const { stack, alarmTopic, target } = controlStack();
    const job = new ScheduledJob(stack, 'Every15', { target: target(), every: Duration.minutes(15), description: 'x', alarmTopic });
    const longest = new ScheduledJob(stack, 'Every84h', { target: target(), every: MAX_NOT_RUNNING_ALARM_INTERVAL, description: 'x', alarmTopic });
    const template = Template.fromStack(stack);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(alarms[logicalIdOf(job.notRunningAlarm!)].Properties.Period).toBe(900);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    // 3.5 days is the longest interval whose two quiet periods fit in CloudWatch's seven-day evaluation range.
    expect(alarms[logicalIdOf(longest.notRunningAlarm!)].Properties).toMatchObject({ Period: 302_400, EvaluationPeriods: 2 });
    const refused = (id: string, props: Omit<ScheduledJobProps, 'target' | 'description' | 'alarmTopic'>) => () =>
      new ScheduledJob(stack, id, { target: target(), description: 'x', alarmTopic, ...props });
    expect(refused('Odd', { every: Duration.seconds(90) })).toThrow(/every must be a positive number of whole minutes/);
    expect(refused('OddInterval', { cron: { minute: '0' }, interval: Duration.seconds(90) })).toThrow(/interval must be/);
    expect(refused('Both', { every: Duration.hours(1), cron: { minute: '0' } })).toThrow(/either every \(a rate\) or cron with interval/);
    expect(refused('NoInterval', { cron: { minute: '0' } })).toThrow(/cron with interval/);
    expect(refused('Neither', {})).toThrow(/cron with interval/);
  });

  it("evaluates at most seven days, and one day for a period under an hour (PutMetricAlarm's limits)", () => {
    expect(maxAlarmEvaluationRange(Duration.minutes(59)).toSeconds()).toBe(86_400);
    expect(maxAlarmEvaluationRange(Duration.hours(1)).toSeconds()).toBe(604_800);
    expect(maxAlarmEvaluationRange(Duration.days(1)).toSeconds()).toBe(604_800);
  });

  it('gives a daily job a not-running alarm over two one-day periods', () => {
    const { stack, alarmTopic, target } = controlStack();
    const daily = new ScheduledJob(stack, 'Daily', {
      target: target(),
      cron: { minute: '30', hour: '7' },
      interval: Duration.days(1),
      description: 'x',
      alarmTopic,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 7 * * ? *)' });
    expect(template.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(daily.notRunningAlarm!)].Properties).toMatchObject({
      MetricName: 'Invocations',
      Period: 86_400,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('leaves the not-running alarm out for a job that runs less often than every 3.5 days (weekly): its heartbeat covers it', () => {
    const { stack, alarmTopic, target } = controlStack();
    const weekly = new ScheduledJob(stack, 'Weekly', {
      target: target(),
      cron: { minute: '0', hour: '9', weekDay: 'MON' },
      interval: Duration.days(7),
      description: 'x',
      alarmTopic,
    });
    const longer = new ScheduledJob(stack, 'Every85h', { target: target(), every: Duration.hours(85), description: 'x', alarmTopic });
    const template = Template.fromStack(stack);
    expect(weekly.notRunningAlarm).toBeUndefined();
    expect(longer.notRunningAlarm).toBeUndefined();
    expect(weekly.interval.toSeconds()).toBe(604_800);
    // Dead letters and errors still alarm; no alarm counts invocations.
    const metrics = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.MetricName);
    expect(metrics.sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible', 'Errors', 'Errors']);
  });
});

describe('failed notifications', () => {
  const filter = statelessTemplate.findResources('AWS::Logs::MetricFilter')[logicalIdOf(controller.failedNotificationsFilter)];
  const alarm = statelessTemplate.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(controller.failedNotificationsAlarm)];

  it("count one per FAILED log line of the controller's log group, in the product's namespace", () => {
    const functionResource = statelessTemplate.findResources('AWS::Lambda::Function')[logicalIdOf(controller.function)];
    expect(filter.Properties.LogGroupName).toEqual(functionResource.Properties.LoggingConfig.LogGroup);
    expect(filter.Properties.FilterPattern).toBe(
      '{ (($.message = "sending a notification failed") && ($.final IS TRUE)) || ($.message = "giving up on a notification") }',
    );
    expect(filter.Properties.MetricTransformations).toEqual([
      { MetricNamespace: METRICS_NAMESPACE, MetricName: FAILED_NOTIFICATIONS_METRIC, MetricValue: '1' },
    ]);
  });

  it('alarm on the first one', () => {
    expect(alarm.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: FAILED_NOTIFICATIONS_METRIC,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties.Dimensions).toBeUndefined();
  });
});

describe('the log lines the metric filter counts', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Every JSON line the Powertools logger writes (it writes to stdout and stderr itself). */
  function captureLogLines(): Record<string, unknown>[] {
    const lines: Record<string, unknown>[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        for (const line of String(chunk).split('\n').filter((l) => l.startsWith('{'))) lines.push(JSON.parse(line));
        return true;
      });
    }
    return lines;
  }

  const matchesFilter = (line: Record<string, unknown>) =>
    FAILED_NOTIFICATION_LOG_LINES.some((fields) => Object.entries(fields).every(([name, value]) => line[name] === value));

  const notification = (key: string, overrides: Partial<Notification> = {}): Notification => ({
    key,
    kind: 'CAMPAIGN_END',
    campaignId: CAMPAIGN_ID,
    runId: `${CAMPAIGN_ID}#1`,
    recipientId: 'u-owner',
    to: 'owner@example.com',
    subject: 'Campaign ended',
    body: 'body',
    status: 'PENDING',
    createdAt: '2026-07-01T00:00:00.000Z',
    attempts: 0,
    ...overrides,
  });

  it('are exactly one per notification the dispatcher marks FAILED, with the real logger', async () => {
    const now = at('2026-07-02T00:00:00.000Z');
    const outbox = new InMemoryOutbox();
    const campaigns = new InMemoryCampaignStore({ outbox });
    await campaigns.createCampaign(aCampaign({ state: 'SUCCEEDED' }));
    await outbox.enqueue([
      notification(`${CAMPAIGN_ID}#1|refused`),
      notification(`${CAMPAIGN_ID}#1|died`, {
        status: 'SENDING',
        claimedBy: 'dead-run',
        claimExpiresAt: '2026-07-01T12:00:00.000Z',
        attempts: MAX_SEND_ATTEMPTS,
      }),
    ]);
    const log = new Logger({ serviceName: SERVICE_NAME, logLevel: 'INFO' });
    const lines = captureLogLines();
    const deps = {
      outbox,
      campaigns,
      audit: new InMemoryAuditLog(),
      actor: CONTROLLER_ACTOR,
      log,
      wallClock: { now: () => now },
      mailer: {
        send: async () => {
          throw new Error('Email address is not verified. The following identities failed the check: owner@example.com');
        },
      },
    };
    for (let run = 0; run < MAX_SEND_ATTEMPTS; run++) await dispatchNotifications(deps, `run-${run}`, now);
    vi.restoreAllMocks();

    const failed = (await collect(outbox.listByCampaign(CAMPAIGN_ID))).filter((n) => n.status === 'FAILED');
    expect(failed.map((n) => n.key).sort()).toEqual([`${CAMPAIGN_ID}#1|died`, `${CAMPAIGN_ID}#1|refused`]);
    const counted = lines.filter(matchesFilter);
    expect(counted.map((line) => line.key).sort()).toEqual(failed.map((n) => n.key).sort());
    // The attempts before the last one are logged too, and are not counted.
    const retried = lines.filter((line) => line.message === 'sending a notification failed' && !matchesFilter(line));
    expect(retried).toHaveLength(MAX_SEND_ATTEMPTS - 1);
    expect(counted.every((line) => line.service === SERVICE_NAME)).toBe(true);
  });
});
