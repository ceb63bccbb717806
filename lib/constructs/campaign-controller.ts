import { CfnCondition, Duration, Fn, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnPolicy, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, type JsonPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV, METRICS_NAMESPACE, OPERATIONS_TABLE } from '../../lambdas/shared/config/tables.js';
import { AppFunction, grantAuditAppend, type EmailSender } from './app-function.js';
import type { EvidenceArchiver } from './evidence-archiver.js';
import { ScheduledJob } from './scheduled-job.js';

export interface CampaignControllerProps {
  readonly directoryTable: ITable;
  readonly campaignTable: ITable;
  /** Where the controller records its runs (the heartbeat the daily report checks). */
  readonly operationsTable: ITable;
  /** The audit log, appended to (grantAuditAppend). */
  readonly auditTable: ITable;
  readonly alarmTopic: ITopic;
  readonly sender: EmailSender;
  /** Base URL of the approver portal, used for links in notifications. */
  readonly approverPortalUrl: string;
  /**
   * The function that archives a run's evidence pack before its cleanup: the controller may invoke
   * it (and not write packs or sign itself).
   */
  readonly evidenceArchiver: EvidenceArchiver;
  /**
   * The hook functions (docs/hooks) campaigns may name, as full ARNs (qualified for an alias or a
   * version): the controller may invoke these and nothing else. Usually the value of a
   * CommaDelimitedList parameter, which may be empty.
   * @default - no hook may be invoked
   */
  readonly hookFunctionArns?: string[];
  /**
   * Reserved concurrency of the function; may be a token that resolves to AWS::NoValue. The lease
   * keeps runs single without it, so it is opt-in: reserving any takes it from the account's
   * unreserved pool, which must keep 100, and fails the deployment on an account whose quota is lower.
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
}

/** How long one controller run may take. */
export const CONTROLLER_TIMEOUT = Duration.minutes(10);
/**
 * The controller's lease outlives its longest possible run by this margin, so that a run killed
 * at its timeout never overlaps the next holder of the lease.
 */
export const CONTROLLER_LEASE_MARGIN = Duration.minutes(1);

/**
 * The log lines (top-level fields of the JSON the controller's logger writes) by which the
 * dispatcher (lambdas/shared/use-cases/dispatch-notifications.ts) reports a notification it marks
 * FAILED: the last of its send attempts failed, or it gave up on one whose attempts all died with
 * their runs. An infrastructure test runs the dispatcher with the real logger to keep them in step.
 */
export const FAILED_NOTIFICATION_LOG_LINES: readonly Readonly<Record<string, string | boolean>>[] = [
  { message: 'sending a notification failed', final: true },
  { message: 'giving up on a notification' },
];

/** Metric (namespace METRICS_NAMESPACE) counting notifications marked FAILED. */
export const FAILED_NOTIFICATIONS_METRIC = 'NotificationsFailed';

/** How often the schedule runs the controller. */
export const CONTROLLER_INTERVAL = Duration.hours(1);

/**
 * The campaign controller: an hourly, single-instance job that drives every campaign through its
 * lifecycle. The lease in the campaign table keeps it single, against overlapping scheduled runs
 * and manual runs alike; reserved concurrency can be added (`reservedConcurrentExecutions`).
 */
export class CampaignController extends Construct {
  readonly function: AppFunction;
  readonly job: ScheduledJob;
  /** Counts the notifications the dispatcher marks FAILED (FAILED_NOTIFICATIONS_METRIC). */
  readonly failedNotificationsFilter: MetricFilter;
  /** Any notification marked FAILED: it will not be retried, and its recipient was never told. */
  readonly failedNotificationsAlarm: Alarm;
  /** The grant on the hook functions; absent when there are none (an empty parameter deploys it conditionally). */
  readonly hookInvokePolicy?: Policy;
  /** Lets the function invoke itself: a run whose time budget ran out continues asynchronously (docs/reference/scale.md). */
  readonly selfInvokePolicy: Policy;

  constructor(scope: Construct, id: string, props: CampaignControllerProps) {
    super(scope, id);

    this.function = new AppFunction(this, 'Function', {
      entry: 'lambdas/campaign-controller/handler.ts',
      description: 'Starts, prepares, reminds, expires, finishes and recurs certification campaigns',
      timeout: CONTROLLER_TIMEOUT,
      memorySize: 1024,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        [ENV.approverPortalUrl]: props.approverPortalUrl,
        [ENV.leaseSeconds]: String(CONTROLLER_TIMEOUT.toSeconds() + CONTROLLER_LEASE_MARGIN.toSeconds()),
        // The campaign table expires records by its TTL attribute: a deleted run's records are stamped, DynamoDB removes them.
        ...(CAMPAIGN_TABLE.ttlAttribute ? { [ENV.campaignCleanup]: 'TTL' } : {}),
      },
    });
    this.function.bindTable(props.directoryTable, DIRECTORY_TABLE, 'RW');
    this.function.bindTable(props.campaignTable, CAMPAIGN_TABLE, 'RW');
    // Its runs and heartbeats only (recordJobRun): the installation time (GetItem, PutItem), each
    // run (PutItem) and the heartbeat pointing at it (UpdateItem).
    this.function.bindTable(props.operationsTable, OPERATIONS_TABLE, {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    });
    grantAuditAppend(this.function, props.auditTable);
    this.function.bindEmailSender(props.sender);
    props.evidenceArchiver.allowInvocationBy(this.function);

    this.hookInvokePolicy = this.allowHookInvocations(props.hookFunctionArns ?? []);
    // Its own ARN, in a policy of its own: the role's default policy would make the function depend
    // on a statement that names the function (a circular dependency). Unqualified: the schedule and
    // the continuations invoke the function as such, never an alias or a version.
    this.selfInvokePolicy = new Policy(this, 'SelfInvokePolicy', {
      roles: [this.function.serviceRole],
      statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] })],
    });

    this.job = new ScheduledJob(this, 'Schedule', {
      target: this.function,
      every: CONTROLLER_INTERVAL,
      description: 'Hourly campaign controller run',
      alarmTopic: props.alarmTopic,
    });

    // A metric filter rather than a metrics client: what the dispatcher already logs is the signal,
    // so the use case stays free of metrics code and the local runtime counts nothing.
    this.failedNotificationsFilter = new MetricFilter(this, 'FailedNotificationsFilter', {
      logGroup: this.function.logGroup,
      filterPattern: FilterPattern.any(...FAILED_NOTIFICATION_LOG_LINES.map(logLinePattern)),
      metricNamespace: METRICS_NAMESPACE,
      metricName: FAILED_NOTIFICATIONS_METRIC,
      metricValue: '1',
    });
    this.failedNotificationsAlarm = new Alarm(this, 'FailedNotificationsAlarm', {
      alarmDescription:
        'A notification was marked FAILED after its last attempt and will not be sent (SES sandbox or ' +
        'unverified sender, a recipient without an email address, throttling): see the controller log ' +
        `lines "${FAILED_NOTIFICATION_LOG_LINES.map((line) => line.message).join('" and "')}", and \`idgov outbox\``,
      metric: this.failedNotificationsFilter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failedNotificationsAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }

  /**
   * `lambda:InvokeFunction` on exactly the listed hook functions (never `*`, not even `<arn>:*`), in
   * a policy of its own: when the list is a parameter, a condition leaves the whole policy out while
   * the list is empty. A campaign that invokes an alias or version names that qualified ARN, and the
   * operator lists it as such; an unqualified ARN allows unqualified invocations only.
   */
  private allowHookInvocations(arns: string[]): Policy | undefined {
    const isParameter = Token.isUnresolved(arns);
    if (!isParameter && arns.length === 0) return undefined;
    const policy = new Policy(this, 'HookInvokePolicy', {
      roles: [this.function.serviceRole],
      statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: arns })],
    });
    if (isParameter) {
      const hasHooks = new CfnCondition(this, 'HasHookFunctions', {
        expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', arns), '')),
      });
      (policy.node.defaultChild as CfnPolicy).cfnOptions.condition = hasHooks;
    }
    return policy;
  }
}

/** A JSON filter pattern matching a log line whose top-level fields have these values. */
export function logLinePattern(fields: Readonly<Record<string, string | boolean>>): JsonPattern {
  return FilterPattern.all(
    ...Object.entries(fields).map(([name, value]) =>
      typeof value === 'boolean'
        ? FilterPattern.booleanValue(`$.${name}`, value)
        : FilterPattern.stringValue(`$.${name}`, '=', value),
    ),
  );
}
