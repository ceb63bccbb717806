import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type CronOptions, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ScheduledJobProps {
  /** The function the schedule invokes. Its asynchronous-invocation settings belong to this job. */
  readonly target: IFunction;
  /**
   * How often the job runs, as a rate schedule; the not-running alarm is derived from it. Give
   * either `every` or `cron`.
   */
  readonly every?: Duration;
  /**
   * When the job runs, as an EventBridge cron schedule (UTC), e.g. `{ minute: '30', hour: '7' }`
   * for 07:30 every day. `interval` must then say how far apart the runs are.
   */
  readonly cron?: CronOptions;
  /** With `cron`: the longest time between two scheduled runs (one day for a daily job). */
  readonly interval?: Duration;
  readonly description: string;
  /** Where the dead-letter and error alarms go. */
  readonly alarmTopic: ITopic;
  /** Retries after a failed delivery (EventBridge) or a failed run (Lambda). @default 2 */
  readonly retryAttempts?: number;
  /** How long an undelivered or unfinished event stays worth running. @default 1 hour */
  readonly maxEventAge?: Duration;
}

/** Consecutive schedule intervals without an invocation before the not-running alarm fires. */
export const QUIET_INTERVALS_BEFORE_ALARM = 2;

/**
 * The longest evaluation range (period × evaluation periods) CloudWatch accepts for an alarm with
 * this period (PutMetricAlarm, Period): seven days, and one day for a period under one hour.
 */
export function maxAlarmEvaluationRange(period: Duration): Duration {
  return period.toSeconds() >= 3_600 ? Duration.days(7) : Duration.days(1);
}

/**
 * The longest schedule interval that still gets a not-running alarm (3.5 days): its
 * QUIET_INTERVALS_BEFORE_ALARM periods must fit in the evaluation range. A daily job gets one (two
 * days), a weekly job does not (two weeks).
 */
export const MAX_NOT_RUNNING_ALARM_INTERVAL = Duration.seconds(Duration.days(7).toSeconds() / QUIET_INTERVALS_BEFORE_ALARM);

/**
 * EventsToLambda: a schedule rule invoking a function, with retries, a bounded event age, one
 * encrypted dead-letter queue for both failed deliveries (EventBridge) and runs that failed after
 * their retries (Lambda asynchronous invocation), and alarms on that queue, on the function's
 * errors, and (for jobs that run at least every 3.5 days: hourly and daily ones) on the function not being invoked at
 * all. Jobs log and rethrow, so a failure always surfaces here.
 */
export class ScheduledJob extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly errorsAlarm: Alarm;
  /**
   * Absent for a job scheduled less often than every 3.5 days (MAX_NOT_RUNNING_ALARM_INTERVAL), a
   * weekly one: the alarm needs QUIET_INTERVALS_BEFORE_ALARM whole intervals in its evaluation range,
   * and CloudWatch evaluates at most seven days (maxAlarmEvaluationRange). Such a job records a heartbeat per run instead, which the
   * daily operations report checks against the schedule (a missed run makes its health DEGRADED and
   * raises the MissedHeartbeats metric and alarm).
   */
  readonly notRunningAlarm?: Alarm;
  /** The schedule interval (`every`, or `interval` with `cron`). */
  readonly interval: Duration;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 2;
    const maxEventAge = props.maxEventAge ?? Duration.hours(1);
    const { schedule, interval } = scheduleOf(id, props);
    this.interval = interval;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      // SQS-managed keys: EventBridge can write to them without a key policy of ours.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the schedule target and of the function\'s ' +
        'asynchronous invocations; a dead-letter queue of a dead-letter queue would only move the alarm.',
    });

    this.rule = new Rule(this, 'Rule', {
      description: props.description,
      schedule,
      targets: [
        new LambdaFunction(props.target, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts,
          maxEventAge,
        }),
      ],
    });
    props.target.configureAsyncInvoke({
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts,
      maxEventAge,
    });

    const alarmAction = new SnsAction(props.alarmTopic);
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `${props.description}: a scheduled run was not delivered or failed after its retries`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.description}: the function reported errors`,
      metric: props.target.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Errors has data points only for invocations: a job that is no longer invoked (rule disabled
    // or deleted, function throttled to zero, account quota exhausted) raises no error. Invocations
    // has no data point either then, so missing data is the signal: no invocation during
    // QUIET_INTERVALS_BEFORE_ALARM whole intervals in a row. One late run cannot leave two empty.
    // A weekly job cannot have it (see notRunningAlarm): its heartbeat covers it.
    if (interval.toSeconds() * QUIET_INTERVALS_BEFORE_ALARM <= maxAlarmEvaluationRange(interval).toSeconds()) {
      this.notRunningAlarm = new Alarm(this, 'NotRunningAlarm', {
        alarmDescription:
          `${props.description}: the function was not invoked for ${QUIET_INTERVALS_BEFORE_ALARM} schedule ` +
          `intervals in a row (rule disabled, function throttled, or deleted)`,
        metric: props.target.metricInvocations({ period: interval, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: QUIET_INTERVALS_BEFORE_ALARM,
        datapointsToAlarm: QUIET_INTERVALS_BEFORE_ALARM,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      });
    }
    for (const alarm of [this.deadLetterAlarm, this.errorsAlarm, this.notRunningAlarm]) alarm?.addAlarmAction(alarmAction);
  }
}

/** The rule's schedule and the interval between runs; throws, naming the job, for a schedule it cannot take. */
function scheduleOf(id: string, props: ScheduledJobProps): { schedule: Schedule; interval: Duration } {
  const { every, cron, interval } = props;
  if (every && !cron && !interval) return { schedule: Schedule.rate(wholeMinutes(id, 'every', every)), interval: every };
  if (cron && interval && !every) return { schedule: Schedule.cron(cron), interval: wholeMinutes(id, 'interval', interval) };
  throw new Error(`ScheduledJob ${id}: give either every (a rate) or cron with interval (the longest time between two runs)`);
}

// A rate and a CloudWatch period are whole minutes.
function wholeMinutes(id: string, name: string, duration: Duration): Duration {
  const seconds = duration.toSeconds();
  if (seconds <= 0 || seconds % 60 !== 0) throw new Error(`ScheduledJob ${id}: ${name} must be a positive number of whole minutes`);
  return duration;
}
