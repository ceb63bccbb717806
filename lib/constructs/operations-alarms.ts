import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { OPERATIONS_METRICS } from '../../lambdas/shared/config/metrics.js';
import { operationsMetric } from './operations-metrics.js';
import type { ScheduledJob } from './scheduled-job.js';

export interface OperationsAlarmsProps {
  /** Where every alarm goes. */
  readonly alarmTopic: ITopic;
  /** Every function of the product, by the name the daily report uses for it. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * The scheduled jobs, by the same names: their dead-letter and errors alarms exist already
   * (ScheduledJob), so a function named here gets no second errors alarm.
   */
  readonly scheduledJobs: Readonly<Record<string, ScheduledJob>>;
  /** The approver HTTP API: any 5xx answer alarms. */
  readonly httpApi: IHttpApi;
}

/**
 * The operations alarms, all to the alarms topic: every function's errors and throttles, the
 * approver API's 5xx answers, and the daily report's missed heartbeats, degraded health, high-risk
 * users and compliance. The last two alarm on 0/1 metrics the report computes with the operations
 * configuration's thresholds (compliance.compliantAt, recommendations.highRiskUsersAbove), so that
 * the alarm follows a threshold changed with `idgov config load` without a deployment. With ScheduledJob's dead-letter alarms (any message in any job's
 * dead-letter queue) and the controller's failed-notifications alarm, that is every alarm of issue 7.
 *
 * Missing data, deliberately:
 * - Errors, throttles and 5xx are counted per invocation or request: no data point means nothing
 *   ran, hence nothing failed (NOT_BREACHING). A job that stops running is the not-running alarm's
 *   (hourly controller) or the heartbeat's (daily and weekly jobs) business.
 * - The daily report's figures have one data point a day. Between two reports there is none, and
 *   that says nothing new: IGNORE keeps the state the latest report set, so an alarm stays in ALARM
 *   until a report shows the problem gone, instead of turning OK an hour later with nothing fixed.
 *   A report that is not produced at all raises the daily job's errors or dead-letter alarm, and its
 *   missed heartbeat the next day.
 */
export class OperationsAlarms extends Construct {
  /** Errors per function: the ones built here and those of the scheduled jobs. */
  readonly errorsAlarms: Readonly<Record<string, Alarm>>;
  readonly throttlesAlarms: Readonly<Record<string, Alarm>>;
  readonly deadLetterAlarms: Readonly<Record<string, Alarm>>;
  readonly apiServerErrorsAlarm: Alarm;
  readonly missedHeartbeatsAlarm: Alarm;
  readonly healthDegradedAlarm: Alarm;
  readonly highRiskUsersAlarm: Alarm;
  readonly complianceScoreAlarm: Alarm;

  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.alarmTopic);
    const perRun = { period: Duration.minutes(5), statistic: 'Sum' };

    const errors: Record<string, Alarm> = {};
    const throttles: Record<string, Alarm> = {};
    for (const [name, fn] of Object.entries(props.functions)) {
      const job = props.scheduledJobs[name];
      errors[name] =
        job?.errorsAlarm ??
        this.alarm(`${pascal(name)}ErrorsAlarm`, {
          description: `${name}: the function reported errors`,
          metric: fn.metricErrors(perRun),
          threshold: 1,
          comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          missing: TreatMissingData.NOT_BREACHING,
        });
      throttles[name] = this.alarm(`${pascal(name)}ThrottlesAlarm`, {
        description: `${name}: invocations were throttled (concurrency limit reached)`,
        metric: fn.metricThrottles(perRun),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: TreatMissingData.NOT_BREACHING,
      });
    }
    const unknownJobs = Object.keys(props.scheduledJobs).filter((name) => !(name in props.functions));
    if (unknownJobs.length) throw new Error(`OperationsAlarms: scheduled jobs without a function: ${unknownJobs.join(', ')}`);
    this.errorsAlarms = errors;
    this.throttlesAlarms = throttles;
    this.deadLetterAlarms = Object.fromEntries(Object.entries(props.scheduledJobs).map(([name, job]) => [name, job.deadLetterAlarm]));

    this.apiServerErrorsAlarm = this.alarm('ApproverApiServerErrorsAlarm', {
      description: 'Approver API: answered with a 5xx status (function error, timeout or integration failure)',
      metric: props.httpApi.metricServerError(perRun),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: TreatMissingData.NOT_BREACHING,
    });

    const m = OPERATIONS_METRICS;
    const daily = { period: Duration.hours(1) };
    this.missedHeartbeatsAlarm = this.alarm('MissedHeartbeatsAlarm', {
      description:
        'Daily operations report: a scheduled job has not completed a run its schedule expected ' +
        '(see the report health, `idgov report daily`)',
      metric: operationsMetric(m.missedHeartbeats, daily),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: TreatMissingData.IGNORE,
    });
    this.healthDegradedAlarm = this.alarm('HealthDegradedAlarm', {
      description: 'Daily operations report: health is DEGRADED (its components name the reason)',
      metric: operationsMetric(m.healthDegraded, daily),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: TreatMissingData.IGNORE,
    });
    this.highRiskUsersAlarm = this.alarm('HighRiskUsersAlarm', {
      description:
        'Daily operations report: more users at HIGH or CRITICAL risk than the configured ' +
        'recommendations.highRiskUsersAbove (metric HighRiskUsersAboveThreshold)',
      metric: operationsMetric(m.highRiskUsersAboveThreshold, daily),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: TreatMissingData.IGNORE,
    });
    this.complianceScoreAlarm = this.alarm('ComplianceScoreAlarm', {
      description:
        'Daily operations report: NON_COMPLIANT, the compliance score is below the configured ' +
        'compliance.compliantAt (metric NonCompliant)',
      metric: operationsMetric(m.nonCompliant, daily),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: TreatMissingData.IGNORE,
    });
  }

  private alarm(
    id: string,
    options: { description: string; metric: IMetric; threshold: number; comparison: ComparisonOperator; missing: TreatMissingData },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.comparison,
      treatMissingData: options.missing,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}

/** `daily-operations` → `DailyOperations`. */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}
