import { readFileSync } from 'node:fs';
import { Aws, Stack } from 'aws-cdk-lib';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DEFAULT_OPERATIONS_CONFIG, JOB_NAMES, type JobName, type JobSchedule } from '../../lambdas/shared/domain/operations.js';

export interface OperationsAutomationProps {
  /** The daily report job: the daily health check runs it and reads the report's health. */
  readonly dailyOperations: IFunction;
  /** Removes every manual assignment of a user at once (event `{ userId, reason, requestedBy, requestRef }`). */
  readonly emergencyAccess: IFunction;
  /** Every scheduled job with its dead-letter queue: incident response re-runs and re-drives them. */
  readonly jobs: Record<JobName, { readonly function: IFunction; readonly deadLetterQueue: IQueue }>;
  /**
   * The jobs' deployed schedules: a `Now` that is a date alone means the job's scheduled time that day.
   * @default DEFAULT_OPERATIONS_CONFIG.schedules (what lib/constructs/operations-jobs.ts deploys)
   */
  readonly schedules?: Record<JobName, JobSchedule>;
}

/**
 * Each job's scheduled time of day, `HH:MM` UTC, for the steps that turn a date-only `Now` into an
 * instant; '' for a job without one (the hourly controller: a date alone is refused for it).
 */
export function scheduledTimesOfDay(schedules: Record<JobName, JobSchedule>): Record<JobName, string> {
  const at = (schedule: JobSchedule) =>
    schedule.kind === 'hourly' ? '' : `${String(schedule.hour).padStart(2, '0')}:${String(schedule.minute).padStart(2, '0')}`;
  return Object.fromEntries(JOB_NAMES.map((job) => [job, at(schedules[job])])) as Record<JobName, string>;
}

/** The automation documents, by their construct id; their deployed names are `<stack name>-<id>`. */
export const AUTOMATION_DOCUMENTS = ['DailyHealthCheck', 'IncidentResponse', 'EmergencyAccessRemoval'] as const;
export type AutomationDocumentId = (typeof AUTOMATION_DOCUMENTS)[number];

/**
 * Stack output keys under which the stateless stack should publish the deployed document names
 * (docs/runbooks/README.md reads them from `cdk-outputs.json`).
 */
export const AUTOMATION_OUTPUTS: Record<AutomationDocumentId, string> = {
  DailyHealthCheck: 'DailyHealthCheckDocumentName',
  IncidentResponse: 'IncidentResponseDocumentName',
  EmergencyAccessRemoval: 'EmergencyAccessRemovalDocumentName',
};

export const INCIDENT_ACTIONS = ['RedriveDeadLetterQueue', 'RerunJob'] as const;

/**
 * What the `Now` parameters accept: empty (the function's clock), a date (the job's scheduled time
 * that day; refused for the hourly controller), or a date-time with seconds and an offset, as the
 * jobs' manual event does (lambdas/shared/domain/schemas.ts, isoInstant). Systems Manager refuses
 * any other value before the automation starts.
 */
export const NOW_PATTERN = '^$|^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2}))?$';
/** A directory id as the directory accepts it: 1–256 characters, no surrounding blanks. */
export const USER_ID_PATTERN = '^\\S(.{0,254}\\S)?$';
/** Something to read: a character that is not a blank, then at most 999 more (the function takes 1,000). */
export const TEXT_PATTERN = '^\\s*\\S[\\s\\S]{0,999}$';

/** The Python steps; each aws:executeScript step runs the whole file and calls one handler. */
export const AUTOMATION_SCRIPT = readFileSync(new URL('./operations-automation.py', import.meta.url), 'utf8');
const PYTHON_RUNTIME = 'python3.11';

/** aws:invokeLambdaFunction waits at most 300 s; aws:executeScript at most 600 s. */
const INVOKE_STEP_SECONDS = 300;
const SCRIPT_STEP_SECONDS = 600;

/**
 * Systems Manager Automation runbooks for the operators (docs/runbooks/README.md):
 *
 * - **DailyHealthCheck** runs the daily report job (optionally as of `Now`) and returns the
 *   report's health: status, source, degraded components, compliance and recommendations.
 * - **IncidentResponse** re-runs a job for an instant (`RerunJob`), or re-drives a job's
 *   dead-letter queue (`RedriveDeadLetterQueue`): each dead-lettered event is run again, oldest
 *   first, and its message deleted only once that run succeeded.
 * - **EmergencyAccessRemoval** removes every manual assignment of a user at once, recording who
 *   asked and why (`idgov emergency revoke` does the same locally).
 *
 * Each document assumes a role of its own that Systems Manager alone may assume, for automations
 * of this account only, and that may invoke exactly the functions the document calls (their
 * unqualified ARNs: no `:*`) and consume exactly the queues it re-drives.
 */
export class OperationsAutomation extends Construct {
  readonly documents: Record<AutomationDocumentId, CfnDocument>;
  readonly roles: Record<AutomationDocumentId, Role>;

  constructor(scope: Construct, id: string, props: OperationsAutomationProps) {
    super(scope, id);
    const missing = JOB_NAMES.filter((job) => !props.jobs[job]);
    if (missing.length > 0) throw new Error(`OperationsAutomation ${id}: jobs.${missing[0]} is missing`);

    this.roles = {
      DailyHealthCheck: this.automationRole('DailyHealthCheckRole', 'runs the daily report job and reads its health'),
      IncidentResponse: this.automationRole('IncidentResponseRole', "re-runs a scheduled job, or re-drives a job's dead-letter queue"),
      EmergencyAccessRemoval: this.automationRole('EmergencyAccessRemovalRole', "removes every manual assignment of one user"),
    };
    allowInvoke(this.roles.DailyHealthCheck, [props.dailyOperations]);
    allowInvoke(this.roles.EmergencyAccessRemoval, [props.emergencyAccess]);
    allowInvoke(this.roles.IncidentResponse, JOB_NAMES.map((job) => props.jobs[job].function));
    for (const job of JOB_NAMES) props.jobs[job].deadLetterQueue.grantConsumeMessages(this.roles.IncidentResponse);

    const scheduledAt = scheduledTimesOfDay(props.schedules ?? DEFAULT_OPERATIONS_CONFIG.schedules);
    this.documents = {
      DailyHealthCheck: this.document('DailyHealthCheck', this.dailyHealthCheck(props.dailyOperations, scheduledAt['daily-operations'])),
      IncidentResponse: this.document('IncidentResponse', this.incidentResponse(props.jobs, scheduledAt)),
      EmergencyAccessRemoval: this.document('EmergencyAccessRemoval', this.emergencyAccessRemoval(props.emergencyAccess)),
    };
  }

  /** The deployed name of a document (a CloudFormation reference). */
  documentName(document: AutomationDocumentId): string {
    return this.documents[document].ref;
  }

  private automationRole(id: string, purpose: string): Role {
    const account = Stack.of(this).account;
    return new Role(this, id, {
      description: `Systems Manager Automation: ${purpose}`,
      // Confused-deputy guard: only automations running in this account may assume it.
      assumedBy: new ServicePrincipal('ssm.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${account}:automation-execution/*` },
      }),
    });
  }

  private document(id: AutomationDocumentId, content: Record<string, unknown>): CfnDocument {
    const name = `${Stack.of(this).stackName}-${id}`;
    // Systems Manager reserves these prefixes for its own documents and refuses them at deploy time.
    if (/^(aws|amazon|amzn)/i.test(name)) {
      throw new Error(`OperationsAutomation: document name ${name} starts with a prefix Systems Manager reserves (aws, amazon, amzn): deploy with another stack prefix`);
    }
    return new CfnDocument(this, id, {
      documentType: 'Automation',
      documentFormat: 'JSON',
      // A fixed name keeps the runbooks' commands readable; a changed document becomes a new
      // version of the same name (the default, Replace, cannot replace a document under its own name).
      name,
      updateMethod: 'NewVersion',
      content: { schemaVersion: '0.3', assumeRole: this.roles[id].roleArn, ...content },
    });
  }

  private dailyHealthCheck(fn: IFunction, scheduledAt: string): Record<string, unknown> {
    return {
      description: [
        '# idgov daily health check',
        'Runs the daily operations job (the daily report: stored, published and mailed as at 08:00 UTC) and returns its health.',
        'Outputs: `ReadHealth.HealthStatus` (HEALTHY or DEGRADED), `ReadHealth.DegradedComponents` (each with its reason),',
        '`ReadHealth.Recommendations`, `ReadHealth.Compliance`, `ReadHealth.ReportDate`, `ReadHealth.HealthSource`.',
        'Each list holds at most 10 entries of at most 500 characters (the stored report holds everything).',
        'A DEGRADED report is a successful check; the automation fails only when the job itself failed, or did not answer',
        'within 5 minutes (it may still finish: read the stored report with `idgov --aws report daily --date D`).',
        'Runbook: docs/runbooks/sop/daily-checks.md in the idgov repository.',
      ].join('\n'),
      parameters: {
        Now: nowParameter(`The instant the report is built as of; empty (default) for the current time; a date alone: that day at ${scheduledAt} UTC, the scheduled run. A report is stored per date: a re-run replaces that date's report.`),
      },
      mainSteps: [
        scriptStep('BuildEvent', 'build_event', { Now: '{{ Now }}', ScheduledAt: scheduledAt }, [output('Event', 'event', 'String')], 60),
        {
          name: 'RunDailyOperations',
          action: 'aws:invokeLambdaFunction',
          timeoutSeconds: INVOKE_STEP_SECONDS,
          onFailure: 'Abort',
          inputs: { FunctionName: fn.functionName, InvocationType: 'RequestResponse', Payload: '{{ BuildEvent.Event }}' },
        },
        {
          ...scriptStep('ReadHealth', 'read_health', { Payload: '{{ RunDailyOperations.Payload }}', FunctionName: fn.functionName }, [
            output('HealthStatus', 'status', 'String'),
            output('HealthSource', 'source', 'String'),
            output('ReportDate', 'date', 'String'),
            output('DegradedComponents', 'degraded', 'StringList'),
            output('Recommendations', 'recommendations', 'StringList'),
            output('Compliance', 'compliance', 'String'),
          ], 60),
          isEnd: true,
        },
      ],
      outputs: ['HealthStatus', 'DegradedComponents', 'Recommendations', 'Compliance', 'ReportDate', 'HealthSource'].map(
        (name) => `ReadHealth.${name}`,
      ),
    };
  }

  private incidentResponse(jobs: OperationsAutomationProps['jobs'], scheduledAt: Record<JobName, string>): Record<string, unknown> {
    const functions = Object.fromEntries(JOB_NAMES.map((job) => [job, jobs[job].function.functionName]));
    const queues = Object.fromEntries(JOB_NAMES.map((job) => [job, jobs[job].deadLetterQueue.queueUrl]));
    return {
      description: [
        '# idgov incident response',
        '`RerunJob`: one run of `Job` as of `Now` (empty: the function\'s clock), waiting for its answer.',
        '`RedriveDeadLetterQueue`: receives `Job`\'s whole dead-letter queue, then runs `Job` again with each event, oldest first; a message is',
        'deleted only once its run succeeded; the first failure stops the re-drive and puts the rest back.',
        'Runbooks: docs/runbooks/runbooks/redrive-dead-letter-queue.md and missed-heartbeat.md in the idgov repository.',
      ].join('\n'),
      parameters: {
        Action: { type: 'String', description: 'RerunJob or RedriveDeadLetterQueue.', allowedValues: [...INCIDENT_ACTIONS] },
        Job: { type: 'String', description: 'The scheduled job to act on.', allowedValues: [...JOB_NAMES] },
        Now: nowParameter('RerunJob only: the instant the run happens at; empty (default) for the current time; a date alone: that day at the job\'s scheduled time (refused for campaign-controller, which runs hourly). Never a later instant than now.'),
      },
      mainSteps: [
        {
          name: 'ChooseAction',
          action: 'aws:branch',
          inputs: {
            Choices: INCIDENT_ACTIONS.map((action) => ({ NextStep: action, Variable: '{{ Action }}', StringEquals: action })),
          },
        },
        {
          ...scriptStep('RedriveDeadLetterQueue', 'redrive', { Job: '{{ Job }}', Functions: functions, Queues: queues }, [
            output('Redriven', 'redriven', 'Integer'),
            output('Left', 'left', 'Integer'),
            output('Runs', 'runs', 'StringList'),
            output('StoppedForTime', 'stoppedForTime', 'Boolean'),
          ], SCRIPT_STEP_SECONDS),
          isEnd: true,
        },
        {
          ...scriptStep('RerunJob', 'rerun_job', { Job: '{{ Job }}', Now: '{{ Now }}', Functions: functions, ScheduledAt: scheduledAt }, [
            output('Event', 'event', 'String'),
            output('Result', 'result', 'String'),
          ], SCRIPT_STEP_SECONDS),
          isEnd: true,
        },
      ],
    };
  }

  private emergencyAccessRemoval(fn: IFunction): Record<string, unknown> {
    return {
      description: [
        '# idgov emergency access removal',
        'Removes every manual assignment of `UserId` at once; each removal is recorded with `RequestedBy`, `Reason` and this',
        "execution's id (Systems Manager records who started the execution: `RequestedBy` is only declared).",
        'Running it again finishes an interrupted removal without recording anything twice.',
        'Runbook: docs/runbooks/runbooks/emergency-access-removal.md in the idgov repository.',
      ].join('\n'),
      parameters: {
        UserId: { type: 'String', description: 'The directory id of the user whose manual access is removed.', allowedPattern: USER_ID_PATTERN },
        Reason: { type: 'String', description: 'Why (kept with each removal): the incident or ticket, in plain words.', allowedPattern: TEXT_PATTERN },
        RequestedBy: { type: 'String', description: 'Who asked for the removal (kept with each removal).', allowedPattern: USER_ID_PATTERN },
      },
      mainSteps: [
        {
          name: 'RemoveAccess',
          action: 'aws:invokeLambdaFunction',
          timeoutSeconds: INVOKE_STEP_SECONDS,
          onFailure: 'Abort',
          inputs: {
            FunctionName: fn.functionName,
            InvocationType: 'RequestResponse',
            // InputPayload, not a Payload string: Systems Manager writes the JSON, so quotes in a reason stay text.
            // requestRef: RequestedBy is typed by the caller; the execution id points at Systems Manager's record
            // of who started this automation (its IAM identity), kept with each removal.
            InputPayload: { userId: '{{ UserId }}', reason: '{{ Reason }}', requestedBy: '{{ RequestedBy }}', requestRef: '{{ automation:EXECUTION_ID }}' },
          },
        },
        {
          ...scriptStep('ReadRemoval', 'read_removal', { Payload: '{{ RemoveAccess.Payload }}', FunctionName: fn.functionName }, [
            output('RemovedCount', 'removedCount', 'Integer'),
            output('RemovedPrivileges', 'removedPrivileges', 'StringList'),
            output('AlreadyRecorded', 'alreadyRecorded', 'Integer'),
          ], 60),
          isEnd: true,
        },
      ],
      outputs: ['ReadRemoval.RemovedCount', 'ReadRemoval.RemovedPrivileges', 'ReadRemoval.AlreadyRecorded'],
    };
  }
}

/**
 * `lambda:InvokeFunction` on exactly these functions' ARNs. Not `fn.grantInvoke`: for a Function it
 * also grants `<arn>:*` (every version and alias), and the documents invoke the unqualified function.
 */
function allowInvoke(role: Role, functions: IFunction[]): void {
  Grant.addToPrincipal({ grantee: role, actions: ['lambda:InvokeFunction'], resourceArns: functions.map((fn) => fn.functionArn) });
}

function nowParameter(description: string) {
  return { type: 'String', default: '', description, allowedPattern: NOW_PATTERN };
}

function output(name: string, field: string, type: 'String' | 'StringList' | 'Integer' | 'Boolean') {
  return { Name: name, Selector: `$.Payload.${field}`, Type: type };
}

function scriptStep(name: string, handler: string, inputPayload: Record<string, unknown>, outputs: unknown[], timeoutSeconds: number) {
  return {
    name,
    action: 'aws:executeScript',
    timeoutSeconds,
    onFailure: 'Abort',
    inputs: { Runtime: PYTHON_RUNTIME, Handler: handler, Script: AUTOMATION_SCRIPT, InputPayload: inputPayload },
    outputs,
  };
}
