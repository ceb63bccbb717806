import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV, METRICS_NAMESPACE, OPERATIONS_TABLE } from '../../lambdas/shared/config/tables.js';
import { AUDIT_APPEND_ACCESS, DYNAMODB_READ_ACTIONS, grantAuditAppend, type EmailSender, type TableAccess } from './app-function.js';
import { FAILED_NOTIFICATION_LOG_LINES, FAILED_NOTIFICATIONS_METRIC, logLinePattern } from './campaign-controller.js';
import { OperationsJob, SCHEDULES_CONTEXT, schedulesFromContext } from './operations-jobs.js';

/** The re-approval jobs (docs/reference/reapproval.md), each its own function and daily schedule. */
export const REAPPROVAL_JOB_NAMES = ['initialize-reapproval', 'start-reapproval'] as const;
export type ReapprovalJobName = (typeof REAPPROVAL_JOB_NAMES)[number];

/**
 * A job's own runs and heartbeat on the operations table (recordJobRun), and nothing else there:
 * the installation time (GetItem, PutItem), each run (PutItem), the heartbeat pointing at it (UpdateItem).
 */
export const JOB_RUN_ACCESS: TableAccess = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] };

/**
 * initialize-reapproval on the directory: reads the flagged privileges and the assignments awaiting
 * initialization (index queries), and sets their re-approval state (UpdateItem). It never puts or
 * deletes an item.
 */
export const INITIALIZE_DIRECTORY_ACCESS: TableAccess = 'READ_UPDATE';

/**
 * What moving approval runs needs on the directory (start-reapproval, the one function that applies
 * their outcomes): reads (users, privileges, workflows, the configuration, due assignments), updates (an assignment's re-approval state and approval, a
 * scheduled round's record) and deletes (an assignment whose re-approval was rejected). No PutItem:
 * a round is written with UpdateItem, so that it cannot replace a user, a privilege or an
 * assignment wholesale.
 */
export const APPROVAL_DIRECTORY_ACCESS: TableAccess = {
  actions: [...DYNAMODB_READ_ACTIONS, 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};

/**
 * The tables each re-approval job's function is bound to and what it may do on each: the grants
 * `addReapprovalJobs` makes (a test runs both jobs on a local engine and checks every DynamoDB
 * command they send against this).
 */
export const REAPPROVAL_JOB_TABLE_ACCESS = {
  'initialize-reapproval': { directory: INITIALIZE_DIRECTORY_ACCESS, operations: JOB_RUN_ACCESS, audit: AUDIT_APPEND_ACCESS },
  'start-reapproval': { directory: APPROVAL_DIRECTORY_ACCESS, campaign: 'RW', operations: JOB_RUN_ACCESS, audit: AUDIT_APPEND_ACCESS },
} as const satisfies Record<ReapprovalJobName, Partial<Record<'directory' | 'campaign' | 'operations' | 'audit', TableAccess>>>;

export interface ReapprovalJobsProps {
  readonly directoryTable: ITable;
  /** Approval runs, their outbox, and the campaign items a hand-over reports its outcome to. */
  readonly campaignTable: ITable;
  /** Each run's record and heartbeat. */
  readonly operationsTable: ITable;
  /** The audit log, appended to by both jobs (grantAuditAppend). */
  readonly auditTable: ITable;
  readonly alarmTopic: ITopic;
  readonly sender: EmailSender;
  /** Base URL of the approver portal, for the links in Approval Start and Remind. */
  readonly approverPortalUrl: string;
}

/**
 * Lets a chunked job's function send its continuation to itself (lambda-continuation.ts):
 * lambda:InvokeFunction on its own unqualified ARN, nothing else. In a policy of its own attached to
 * the role: the function waits for its role's default policy, so naming the function's ARN there
 * would make a dependency cycle; this policy waits for the function instead.
 */
export function grantSelfInvoke(job: OperationsJob): Policy {
  return new Policy(job, 'SelfInvokePolicy', {
    roles: [job.function.serviceRole],
    statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [job.function.functionArn] })],
  });
}

/** The functions `addReapprovalJobs` builds. */
export interface ReapprovalJobs {
  readonly initializeReapproval: OperationsJob;
  readonly startReapproval: OperationsJob;
  /** Counts the notifications start-reapproval's dispatcher marks FAILED, into the controller's metric. */
  readonly failedNotificationsFilter: MetricFilter;
  readonly byName: Readonly<Record<ReapprovalJobName, OperationsJob>>;
}

/**
 * The re-approval jobs, each a construct of `scope` named after its job (its bundle is named like
 * its folder of lambdas/), on the daily schedules of the `idgov:schedules` context (defaults:
 * initialize-reapproval 05:00 UTC, start-reapproval 06:00 UTC), each with its own grants:
 * - initialize-reapproval: reads the directory and updates assignments' re-approval state; records its
 *   runs; appends to the audit log; invokes itself (its continuation).
 * - start-reapproval: reads, updates and deletes in the directory (never puts); reads and writes the
 *   campaign table (approval runs, outbox, hand-over items); records its runs; appends to the audit
 *   log; sends mail as the sender; invokes itself (its continuation).
 */
export function addReapprovalJobs(scope: Construct, props: ReapprovalJobsProps): ReapprovalJobs {
  const schedules = schedulesFromContext(scope.node.tryGetContext(SCHEDULES_CONTEXT));

  const initializeReapproval = new OperationsJob(scope, 'InitializeReapproval', {
    entry: 'lambdas/initialize-reapproval/handler.ts',
    description: 'Re-approval initialization: the next re-approval date of every flagged manual assignment that has none',
    schedule: schedules['initialize-reapproval'],
    alarmTopic: props.alarmTopic,
    // Idempotent: a run cut at the timeout is finished by the retry (what it initialized is out of the index).
    timeout: Duration.minutes(15),
  });
  const initializeAccess = REAPPROVAL_JOB_TABLE_ACCESS['initialize-reapproval'];
  initializeReapproval.function.bindTable(props.directoryTable, DIRECTORY_TABLE, initializeAccess.directory);
  initializeReapproval.function.bindTable(props.operationsTable, OPERATIONS_TABLE, initializeAccess.operations);
  grantAuditAppend(initializeReapproval.function, props.auditTable);
  grantSelfInvoke(initializeReapproval);

  const startReapproval = new OperationsJob(scope, 'StartReapproval', {
    entry: 'lambdas/start-reapproval/handler.ts',
    description: 'Re-approval: starts the approval workflow of every assignment due, moves running ones on, sends their mail',
    schedule: schedules['start-reapproval'],
    alarmTopic: props.alarmTopic,
    // Idempotent and resumable: deterministic run ids, conditional writes, keyed notices.
    timeout: Duration.minutes(15),
    memorySize: 1024,
  });
  const start = startReapproval.function;
  const startAccess = REAPPROVAL_JOB_TABLE_ACCESS['start-reapproval'];
  start.bindTable(props.directoryTable, DIRECTORY_TABLE, startAccess.directory);
  start.bindTable(props.campaignTable, CAMPAIGN_TABLE, startAccess.campaign);
  start.bindTable(props.operationsTable, OPERATIONS_TABLE, startAccess.operations);
  grantAuditAppend(start, props.auditTable);
  start.bindEmailSender(props.sender);
  start.addEnvironment(ENV.approverPortalUrl, props.approverPortalUrl);
  grantSelfInvoke(startReapproval);

  // The dispatcher logs a notification it gives up on as the controller's does: the same metric,
  // so that the controller's failed-notifications alarm covers the mail of re-approvals too.
  const failedNotificationsFilter = new MetricFilter(startReapproval, 'FailedNotificationsFilter', {
    logGroup: start.logGroup,
    filterPattern: FilterPattern.any(...FAILED_NOTIFICATION_LOG_LINES.map(logLinePattern)),
    metricNamespace: METRICS_NAMESPACE,
    metricName: FAILED_NOTIFICATIONS_METRIC,
    metricValue: '1',
  });

  return {
    initializeReapproval,
    startReapproval,
    failedNotificationsFilter,
    byName: { 'initialize-reapproval': initializeReapproval, 'start-reapproval': startReapproval },
  };
}
