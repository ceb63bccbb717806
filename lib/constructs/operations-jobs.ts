import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { CronOptions } from 'aws-cdk-lib/aws-events';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CAMPAIGN_TABLE,
  DIRECTORY_TABLE,
  ENV,
  OPERATIONS_TABLE,
} from '../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { JobName, JobSchedule } from '../../lambdas/shared/domain/operations.js';
import { type DeployedSchedules, parseDeployedSchedules } from '../../lambdas/shared/domain/operations-config.js';
import { AppFunction, grantAuditAppend, type EmailSender } from './app-function.js';
import { ScheduledJob } from './scheduled-job.js';

/**
 * The scheduled jobs of daily operations (the campaign controller and the re-approval jobs of
 * reapproval-jobs.ts are the other scheduled jobs).
 */
export type OperationsJobName = Exclude<JobName, 'campaign-controller' | 'initialize-reapproval' | 'start-reapproval'>;

/** Reads CloudWatch metrics (GetMetricData), which supports no resource-level permission. */
export const GET_METRIC_DATA_ACTION = 'cloudwatch:GetMetricData';

/**
 * CDK context setting the schedules of the operations and re-approval jobs (partial JSON; a job left out
 * keeps its default): `npx cdk deploy --all -c idgov:schedules='{"risk-assessment":{"kind":"daily","hour":6,"minute":0}}'`.
 */
export const SCHEDULES_CONTEXT = 'idgov:schedules';

/**
 * The deployed schedules for the value of the `idgov:schedules` context (a JSON string from `-c`, or
 * an object from cdk.json; absent: the defaults). Throws, naming the context and each bad field.
 */
export function schedulesFromContext(value: unknown): DeployedSchedules {
  let input = value;
  if (typeof value === 'string') {
    try {
      input = JSON.parse(value);
    } catch {
      throw new Error(`context ${SCHEDULES_CONTEXT}: must be a JSON object of job names to schedules`);
    }
  }
  try {
    return parseDeployedSchedules(input);
  } catch (error) {
    if (error instanceof ValidationError) throw new Error(`context ${SCHEDULES_CONTEXT}: ${error.message}`);
    throw error;
  }
}

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/**
 * The EventBridge cron schedule (UTC) of a job schedule, and the longest time between two runs.
 * The rules are built from the deployed schedules (SCHEDULES_CONTEXT), which the daily-operations
 * function also gets (JOB_SCHEDULES) for its heartbeat check, so a deployed schedule and its
 * heartbeat agree.
 */
export function cronOf(schedule: JobSchedule): { cron: CronOptions; interval: Duration } {
  switch (schedule.kind) {
    case 'hourly':
      return { cron: { minute: '0' }, interval: Duration.hours(1) };
    case 'daily':
      return { cron: { minute: String(schedule.minute), hour: String(schedule.hour) }, interval: Duration.days(1) };
    case 'weekly': {
      const weekDay = WEEKDAYS[schedule.weekday];
      if (!weekDay) throw new Error(`weekly schedule: weekday must be 0 (Sunday) to 6 (Saturday), got ${schedule.weekday}`);
      return {
        cron: { minute: String(schedule.minute), hour: String(schedule.hour), weekDay },
        interval: Duration.days(7),
      };
    }
  }
}

export interface OperationsJobProps {
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly schedule: JobSchedule;
  readonly alarmTopic: ITopic;
  readonly timeout: Duration;
  /** @default 512 MB */
  readonly memorySize?: number;
}

/** One scheduled job of daily operations: its function, and the cron rule with its dead-letter queue and alarms. */
export class OperationsJob extends Construct {
  readonly function: AppFunction;
  readonly job: ScheduledJob;

  constructor(scope: Construct, id: string, props: OperationsJobProps) {
    super(scope, id);
    this.function = new AppFunction(this, 'Function', {
      entry: props.entry,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
    });
    const { cron, interval } = cronOf(props.schedule);
    this.job = new ScheduledJob(this, 'Schedule', {
      target: this.function,
      cron,
      interval,
      description: props.description,
      alarmTopic: props.alarmTopic,
    });
  }
}

export interface OperationsJobsProps {
  readonly directoryTable: ITable;
  readonly campaignTable: ITable;
  readonly operationsTable: ITable;
  /** The audit log, appended to by emergency access (grantAuditAppend). */
  readonly auditTable: ITable;
  /** Where the daily report and the weekly summary are published. */
  readonly operationsTopic: ITopic;
  readonly alarmTopic: ITopic;
  readonly sender: EmailSender;
  /** Comma-separated email addresses (may be empty): OPERATIONS_RECIPIENTS. */
  readonly operationsRecipients: string;
  /** Functions built elsewhere whose errors and throttles the daily report measures, by job name (controller, approver API, re-approval jobs). */
  readonly otherFunctions: Readonly<Record<string, IFunction>>;
  /** Dead-letter queues built elsewhere whose depth the daily report measures, by job name (the controller's, the re-approval jobs'). */
  readonly otherQueues: Readonly<Record<string, IQueue>>;
}

/** The functions `addOperationsJobs` builds. */
export interface OperationsJobs {
  readonly riskAssessment: OperationsJob;
  readonly dailyOperations: OperationsJob;
  readonly weeklySummary: OperationsJob;
  /** Not scheduled: the SSM emergency-access document and administrators invoke it. */
  readonly emergencyAccess: EmergencyAccess;
  /** The three scheduled jobs by job name. */
  readonly byName: Readonly<Record<OperationsJobName, OperationsJob>>;
}

/** The emergency access removal function (`idgov emergency revoke` on AWS; the SSM runbook). */
export class EmergencyAccess extends Construct {
  readonly function: AppFunction;

  constructor(scope: Construct, id: string, props: { directoryTable: ITable; operationsTable: ITable; auditTable: ITable }) {
    super(scope, id);
    this.function = new AppFunction(this, 'Function', {
      entry: 'lambdas/emergency-access/handler.ts',
      description: "Emergency access removal: removes every manual assignment of a user, recording who and why",
      timeout: Duration.minutes(2),
    });
    // Removes assignments (directory) and records each removal (operations).
    this.function.bindTable(props.directoryTable, DIRECTORY_TABLE, 'RW');
    this.function.bindTable(props.operationsTable, OPERATIONS_TABLE, 'RW');
    // Each revocation is an event of the admin chain.
    grantAuditAppend(this.function, props.auditTable);
  }
}

/**
 * The daily-operations functions, each a construct of `scope` named after its job (so that its
 * bundle is named like its folder of lambdas/: `risk-assessment`, `daily-operations`,
 * `weekly-summary`, `emergency-access`), each with its own grants:
 * The schedules are the `idgov:schedules` context's (SCHEDULES_CONTEXT), by default:
 * - risk-assessment (07:30 UTC): reads the directory and updates users' risk levels (UpdateItem
 *   only); writes assessments.
 * - daily-operations (08:00 UTC): reads the directory and the campaigns; writes the report, day
 *   counts and deliveries; reads CloudWatch metrics; publishes to the operations topic; sends mail
 *   as the sender.
 * - weekly-summary (Monday 09:00 UTC): reads the daily reports and writes the summary; publishes; sends mail.
 * - emergency-access: removes assignments, records the removals and appends them to the audit log.
 */
export function addOperationsJobs(scope: Construct, props: OperationsJobsProps): OperationsJobs {
  const schedules = schedulesFromContext(scope.node.tryGetContext(SCHEDULES_CONTEXT));

  const riskAssessment = new OperationsJob(scope, 'RiskAssessment', {
    entry: 'lambdas/risk-assessment/handler.ts',
    description: "Daily risk assessment: each user's computed risk, segregation-of-duties conflicts, orphaned access",
    schedule: schedules['risk-assessment'],
    alarmTopic: props.alarmTopic,
    // Resumable from its checkpoint: a run cut at the timeout is finished by the retry.
    timeout: Duration.minutes(15),
    memorySize: 1024,
  });
  // Reads users, assignments and privileges; writes only users' risk levels (UpdateItem).
  riskAssessment.function.bindTable(props.directoryTable, DIRECTORY_TABLE, 'READ_UPDATE');
  riskAssessment.function.bindTable(props.operationsTable, OPERATIONS_TABLE, 'RW');

  const dailyOperations = new OperationsJob(scope, 'DailyOperations', {
    entry: 'lambdas/daily-operations/handler.ts',
    description: 'Daily operations report: certification status, risk, measured health, compliance, recommendations',
    schedule: schedules['daily-operations'],
    alarmTopic: props.alarmTopic,
    timeout: Duration.minutes(5),
    memorySize: 1024,
  });
  const weeklySummary = new OperationsJob(scope, 'WeeklySummary', {
    entry: 'lambdas/weekly-summary/handler.ts',
    description: "Weekly operations summary: the week's daily reports with their trends and notable events",
    schedule: schedules['weekly-summary'],
    alarmTopic: props.alarmTopic,
    timeout: Duration.minutes(2),
  });
  const emergencyAccess = new EmergencyAccess(scope, 'EmergencyAccess', {
    directoryTable: props.directoryTable,
    operationsTable: props.operationsTable,
    auditTable: props.auditTable,
  });

  const daily = dailyOperations.function;
  daily.bindTable(props.directoryTable, DIRECTORY_TABLE, 'RO');
  daily.bindTable(props.campaignTable, CAMPAIGN_TABLE, 'RO');
  daily.bindTable(props.operationsTable, OPERATIONS_TABLE, 'RW');
  allowGetMetricData(daily);
  // A function cannot name itself in its own environment (a circular reference in the template):
  // the handler adds its own name from AWS_LAMBDA_FUNCTION_NAME under 'daily-operations'.
  const monitoredFunctions: Record<string, IFunction> = {
    ...props.otherFunctions,
    'risk-assessment': riskAssessment.function,
    'weekly-summary': weeklySummary.function,
    'emergency-access': emergencyAccess.function,
  };
  const monitoredQueues: Record<string, IQueue> = {
    ...props.otherQueues,
    'risk-assessment': riskAssessment.job.deadLetterQueue,
    'daily-operations': dailyOperations.job.deadLetterQueue,
    'weekly-summary': weeklySummary.job.deadLetterQueue,
  };
  const stack = Stack.of(scope);
  daily.addEnvironment(
    ENV.monitoredFunctions,
    stack.toJsonString(Object.fromEntries(Object.entries(monitoredFunctions).map(([job, fn]) => [job, fn.functionName]))),
  );
  // The heartbeat check and the weekly summary's week follow what is deployed, not a copy.
  daily.addEnvironment(ENV.jobSchedules, JSON.stringify(schedules));
  weeklySummary.function.addEnvironment(ENV.jobSchedules, JSON.stringify(schedules));
  daily.addEnvironment(
    ENV.monitoredQueues,
    stack.toJsonString(Object.fromEntries(Object.entries(monitoredQueues).map(([job, queue]) => [job, queue.queueName]))),
  );

  weeklySummary.function.bindTable(props.operationsTable, OPERATIONS_TABLE, 'RW');

  for (const reporter of [daily, weeklySummary.function]) {
    reporter.bindTopic(props.operationsTopic, ENV.operationsTopicArn);
    reporter.addEnvironment(ENV.operationsRecipients, props.operationsRecipients);
    reporter.bindEmailSender(props.sender);
  }

  return {
    riskAssessment,
    dailyOperations,
    weeklySummary,
    emergencyAccess,
    byName: { 'risk-assessment': riskAssessment, 'daily-operations': dailyOperations, 'weekly-summary': weeklySummary },
  };
}

/**
 * cloudwatch:GetMetricData for the health check (AWS/Lambda Errors and Throttles, AWS/SQS queue
 * depth). The action has no resource type and no condition key that narrows what it reads (Service
 * Authorization Reference, Amazon CloudWatch), so IAM only accepts Resource "*", as in CDK's own
 * Metric.grantPutMetricData. Read-only, and the only statement on "*" besides X-Ray's.
 */
function allowGetMetricData(fn: AppFunction): void {
  Grant.addToPrincipal({ grantee: fn, actions: [GET_METRIC_DATA_ACTION], resourceArns: ['*'] });
  const policy = fn.serviceRole.node.findChild('DefaultPolicy');
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Resource "*" for cloudwatch:GetMetricData (the health check reads Lambda errors and throttles and ' +
      'dead-letter queue depth), which supports no resource-level permission, and for the X-Ray trace writes ' +
      'of active tracing, which support none either. Infra tests assert that no other action is granted on "*".',
  });
}
