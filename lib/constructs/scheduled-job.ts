import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, type Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ScheduledJobProps {
  /** The function the schedule invokes. Its asynchronous-invocation settings belong to this job. */
  readonly target: IFunction;
  readonly schedule: Schedule;
  readonly description: string;
  /** Where the dead-letter and error alarms go. */
  readonly alarmTopic: ITopic;
  /** Retries after a failed delivery (EventBridge) or a failed run (Lambda). @default 2 */
  readonly retryAttempts?: number;
  /** How long an undelivered or unfinished event stays worth running. @default 1 hour */
  readonly maxEventAge?: Duration;
}

/**
 * EventsToLambda: a schedule rule invoking a function, with retries, a bounded event age, one
 * encrypted dead-letter queue for both failed deliveries (EventBridge) and runs that failed after
 * their retries (Lambda asynchronous invocation), and alarms on that queue and on the function's
 * errors. Jobs log and rethrow, so a failure always surfaces here.
 */
export class ScheduledJob extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly errorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 2;
    const maxEventAge = props.maxEventAge ?? Duration.hours(1);

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
      schedule: props.schedule,
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
    this.deadLetterAlarm.addAlarmAction(alarmAction);
    this.errorsAlarm.addAlarmAction(alarmAction);
  }
}
