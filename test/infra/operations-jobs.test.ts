// The daily-operations functions (lib/constructs/operations-jobs.ts): their cron schedules, their
// environment, and each one's grants, which must be exactly what its job needs.
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV, OPERATIONS_TABLE } from '../../lambdas/shared/config/tables.js';
import { DEFAULT_OPERATIONS_CONFIG } from '../../lambdas/shared/domain/operations.js';
import { AUDIT_APPEND_ACCESS, type AppFunction, dynamoDbActionsOf } from '../../lib/constructs/app-function.js';
import { cronOf, GET_METRIC_DATA_ACTION, SCHEDULES_CONTEXT } from '../../lib/constructs/operations-jobs.js';
import type { ScheduledJob } from '../../lib/constructs/scheduled-job.js';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS } from '../../lib/stack-outputs.js';
import { STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { statefulOutputs, statelessOutputs } from '../support/cdk-outputs.js';
import { asList, functionGrants, tables } from './function-grants.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

const { stateful, stateless } = buildStacks();
const { statefulTemplate, template, statementsOf, tableAccessOf, otherGrantsOf, sendsToItsDeadLetterQueue } = functionGrants(stateful, stateless);
const jobs = stateless.operationsJobs;
const json = (value: unknown) => JSON.stringify(value);

describe('cron schedules, from the default operations configuration', () => {
  it.each([
    ['risk-assessment', jobs.riskAssessment, 'cron(30 7 * * ? *)'],
    ['daily-operations', jobs.dailyOperations, 'cron(0 8 * * ? *)'],
    ['weekly-summary', jobs.weeklySummary, 'cron(0 9 ? * MON *)'],
  ] as const)('run %s at %s (UTC), with retries and its dead-letter queue', (_name, job, expression) => {
    const rule = template.findResources('AWS::Events::Rule')[logicalIdOf(job.job.rule)];
    const functionId = logicalIdOf(job.function);
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(job.job.deadLetterQueue), 'Arn'] };
    expect(rule.Properties).toMatchObject({ ScheduleExpression: expression, State: 'ENABLED' });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: queueArn },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  it('give the daily jobs a not-running alarm (two quiet days), the weekly job none (its heartbeat covers it), each error and dead-letter alarms', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    for (const job of [jobs.riskAssessment, jobs.dailyOperations]) {
      expect(alarms[logicalIdOf(job.job.notRunningAlarm!)].Properties).toMatchObject({
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(job.function) } }],
        Period: 86_400,
        EvaluationPeriods: 2,
        TreatMissingData: 'breaching',
      });
    }
    expect(jobs.weeklySummary.job.notRunningAlarm).toBeUndefined();
    for (const job of Object.values(jobs.byName)) {
      expect(job.job.errorsAlarm).toBeDefined();
      expect(job.job.deadLetterAlarm).toBeDefined();
    }
    expect(stateless.controller.job.notRunningAlarm).toBeDefined();
  });

  it('schedules nothing for emergency access', () => {
    const functionArn = json({ 'Fn::GetAtt': [logicalIdOf(jobs.emergencyAccess.function), 'Arn'] });
    const targets = Object.values(template.findResources('AWS::Events::Rule')).flatMap((rule) => rule.Properties.Targets);
    expect(targets.filter((target) => json(target.Arn) === functionArn)).toEqual([]);
    // The controller, the three operations jobs and the two re-approval jobs.
    expect(targets).toHaveLength(6);
  });

  it('translate each kind of job schedule', () => {
    expect(cronOf({ kind: 'hourly' })).toEqual({ cron: { minute: '0' }, interval: Duration.hours(1) });
    expect(cronOf(DEFAULT_OPERATIONS_CONFIG.schedules['risk-assessment'])).toEqual({
      cron: { minute: '30', hour: '7' },
      interval: Duration.days(1),
    });
    expect(cronOf({ kind: 'weekly', weekday: 0, hour: 23, minute: 5 })).toEqual({
      cron: { minute: '5', hour: '23', weekDay: 'SUN' },
      interval: Duration.days(7),
    });
    expect(() => cronOf({ kind: 'weekly', weekday: 7, hour: 9, minute: 0 })).toThrow(/weekday must be 0 \(Sunday\) to 6 \(Saturday\), got 7/);
  });
});

describe('schedules from the idgov:schedules context', () => {
  const scheduleOf = (t: Template, job: { job: ScheduledJob }) =>
    t.findResources('AWS::Events::Rule')[logicalIdOf(job.job.rule)].Properties.ScheduleExpression;
  const jobSchedulesOf = (t: Template, fn: AppFunction) =>
    JSON.parse(t.findResources('AWS::Lambda::Function')[logicalIdOf(fn)].Properties.Environment.Variables[ENV.jobSchedules] as string);

  it('by default, give the daily-operations function the default schedules of the deployed jobs (JOB_SCHEDULES)', () => {
    const { 'campaign-controller': _controller, ...deployed } = DEFAULT_OPERATIONS_CONFIG.schedules;
    expect(Object.keys(deployed).sort()).toEqual(['daily-operations', 'initialize-reapproval', 'risk-assessment', 'start-reapproval', 'weekly-summary']);
    expect(jobSchedulesOf(template, jobs.dailyOperations.function)).toEqual(deployed);
    // The weekly summary's week follows the deployed weekly schedule too.
    expect(jobSchedulesOf(template, jobs.weeklySummary.function)).toEqual(deployed);
  });

  it('build the cron rules and JOB_SCHEDULES from a partial JSON context, the controller keeping its hourly rate', () => {
    const context = {
      [SCHEDULES_CONTEXT]: JSON.stringify({
        'risk-assessment': { kind: 'daily', hour: 5, minute: 15 },
        'weekly-summary': { kind: 'weekly', weekday: 5, hour: 16, minute: 0 },
      }),
    };
    const built = buildStacks(undefined, context).stateless;
    const t = Template.fromStack(built);
    expect(scheduleOf(t, built.operationsJobs.riskAssessment)).toBe('cron(15 5 * * ? *)');
    expect(scheduleOf(t, built.operationsJobs.dailyOperations)).toBe('cron(0 8 * * ? *)');
    expect(scheduleOf(t, built.operationsJobs.weeklySummary)).toBe('cron(0 16 ? * FRI *)');
    expect(scheduleOf(t, built.controller)).toBe(scheduleOf(template, stateless.controller));
    expect(jobSchedulesOf(t, built.operationsJobs.dailyOperations.function)).toEqual({
      'risk-assessment': { kind: 'daily', hour: 5, minute: 15 },
      'daily-operations': { kind: 'daily', hour: 8, minute: 0 },
      'weekly-summary': { kind: 'weekly', weekday: 5, hour: 16, minute: 0 },
      'initialize-reapproval': { kind: 'daily', hour: 5, minute: 0 },
      'start-reapproval': { kind: 'daily', hour: 6, minute: 0 },
    });
  });

  it.each([
    ['{"risk-assessment":{"kind":"daily","hour":25,"minute":0}}', /context idgov:schedules: risk-assessment\.hour: must be at most 23/],
    ['{"weekly-summary":{"kind":"monthly"}}', /context idgov:schedules: weekly-summary\.kind: must have kind hourly, daily or weekly/],
    ['{"campaign-controller":{"kind":"daily","hour":1,"minute":0}}', /context idgov:schedules: campaign-controller: unknown field/],
    ['risk-assessment=06:00', /context idgov:schedules: must be a JSON object of job names to schedules/],
  ])('refuse %s, naming the field', (value, message) => {
    expect(() => buildStacks(undefined, { [SCHEDULES_CONTEXT]: value })).toThrow(message);
  });
});

describe('function construct paths (bundle names: scripts/bundled-functions.ts)', () => {
  it('are the folder names of lambdas/', () => {
    expect(jobs.riskAssessment.function.node.path).toBe('IdGovStateless/RiskAssessment/Function');
    expect(jobs.dailyOperations.function.node.path).toBe('IdGovStateless/DailyOperations/Function');
    expect(jobs.weeklySummary.function.node.path).toBe('IdGovStateless/WeeklySummary/Function');
    expect(jobs.emergencyAccess.function.node.path).toBe('IdGovStateless/EmergencyAccess/Function');
  });
});

describe('least privilege', () => {
  it('risk assessment: reads the directory and updates its items only (risk levels), reads and writes the operations table, nothing else', () => {
    const fn = jobs.riskAssessment.function;
    expect(tableAccessOf(fn)).toEqual(tables([DIRECTORY_TABLE, 'READ_UPDATE'], [OPERATIONS_TABLE, 'RW']));
    expect(dynamoDbActionsOf('READ_UPDATE')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(otherGrantsOf(fn)).toEqual(sendsToItsDeadLetterQueue(fn));
  });

  it('daily operations: reads the directory and campaigns, writes operations, reads metrics, publishes to one topic, mails as the sender', () => {
    const fn = jobs.dailyOperations.function;
    expect(tableAccessOf(fn)).toEqual(tables([DIRECTORY_TABLE, 'RO'], [CAMPAIGN_TABLE, 'RO'], [OPERATIONS_TABLE, 'RW']));
    const { 'ses:SendEmail': send, 'ses:SendRawEmail': sendRaw, ...others } = otherGrantsOf(fn);
    expect(send).toHaveLength(3);
    expect(sendRaw).toEqual(send);
    expect(others).toEqual({
      ...sendsToItsDeadLetterQueue(fn),
      'sns:Publish': [{ Ref: logicalIdOf(stateful.topics.operationsTopic) }],
      [GET_METRIC_DATA_ACTION]: ['*'],
    });
  });

  it('weekly summary: reads and writes the operations table, publishes to one topic, mails as the sender', () => {
    const fn = jobs.weeklySummary.function;
    expect(tableAccessOf(fn)).toEqual(tables([OPERATIONS_TABLE, 'RW']));
    const { 'ses:SendEmail': send, 'ses:SendRawEmail': sendRaw, ...others } = otherGrantsOf(fn);
    expect(send).toHaveLength(3);
    expect(sendRaw).toEqual(send);
    expect(others).toEqual({ ...sendsToItsDeadLetterQueue(fn), 'sns:Publish': [{ Ref: logicalIdOf(stateful.topics.operationsTopic) }] });
  });

  it('emergency access: reads and writes the directory (removals) and the operations table (their records), appends to the audit log, nothing else', () => {
    const fn = jobs.emergencyAccess.function;
    expect(tableAccessOf(fn)).toEqual(tables([DIRECTORY_TABLE, 'RW'], [OPERATIONS_TABLE, 'RW'], [AUDIT_TABLE, AUDIT_APPEND_ACCESS]));
    expect(otherGrantsOf(fn)).toEqual({});
  });

  it('the controller records its runs and heartbeats in the operations table (GetItem, PutItem, UpdateItem), nothing more there', () => {
    const fn = stateless.controller.function;
    expect(tableAccessOf(fn)).toEqual(
      tables(
        [DIRECTORY_TABLE, 'RW'],
        [CAMPAIGN_TABLE, 'RW'],
        [OPERATIONS_TABLE, { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] }],
        [AUDIT_TABLE, AUDIT_APPEND_ACCESS],
      ),
    );
    const env = template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)].Properties.Environment.Variables;
    expect(resolveImports(env[ENV.operationsTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.operationsTable) });
  });

  it('no function may Scan or use a wildcard action', () => {
    for (const fn of [...Object.values(stateless.jobs).map((job) => job.function), jobs.emergencyAccess.function]) {
      const actions = statementsOf(fn).flatMap((statement) => asList(statement.Action));
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });
});

/** A JSON object built with Fn::Join from references, read with each reference as the logical id it names. */
function joinedJson(value: unknown): Record<string, string> {
  const { 'Fn::Join': [separator, parts] } = value as { 'Fn::Join': [string, unknown[]] };
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref: ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return ref ?? getAtt![0];
    })
    .join(separator);
  return JSON.parse(text) as Record<string, string>;
}

describe('environment', () => {
  const envOf = (fn: AppFunction) =>
    template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)].Properties.Environment.Variables as Record<string, unknown>;
  const daily = envOf(jobs.dailyOperations.function);

  it('names every other function the daily report measures, by the name the report gives it (not itself: the handler adds its own)', () => {
    expect(joinedJson(daily[ENV.monitoredFunctions])).toEqual({
      'campaign-controller': logicalIdOf(stateless.controller.function),
      'approver-api': logicalIdOf(stateless.approverApi.function),
      'risk-assessment': logicalIdOf(jobs.riskAssessment.function),
      'weekly-summary': logicalIdOf(jobs.weeklySummary.function),
      'emergency-access': logicalIdOf(jobs.emergencyAccess.function),
      'initialize-reapproval': logicalIdOf(stateless.reapprovalJobs.initializeReapproval.function),
      'start-reapproval': logicalIdOf(stateless.reapprovalJobs.startReapproval.function),
    });
  });

  it("names every job's dead-letter queue", () => {
    expect(joinedJson(daily[ENV.monitoredQueues])).toEqual(
      Object.fromEntries(Object.entries(stateless.jobs).map(([name, job]) => [name, logicalIdOf(job.deadLetterQueue)])),
    );
  });

  it('gives the two report jobs the operations topic, the recipients parameter and the sender', () => {
    for (const fn of [jobs.dailyOperations.function, jobs.weeklySummary.function]) {
      const env = envOf(fn);
      expect(resolveImports(env[ENV.operationsTopicArn], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.topics.operationsTopic) });
      expect(env[ENV.operationsRecipients]).toEqual({ Ref: STATELESS_PARAMETERS.operationsRecipients });
      expect(env[ENV.senderAddress]).toEqual({ Ref: STATELESS_PARAMETERS.senderAddress });
      expect(resolveImports(env[ENV.operationsTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.operationsTable) });
    }
    for (const fn of [jobs.riskAssessment.function, jobs.emergencyAccess.function]) {
      expect(Object.keys(envOf(fn))).not.toContain(ENV.operationsTopicArn);
      expect(Object.keys(envOf(fn))).not.toContain(ENV.senderAddress);
    }
  });
});

describe('outputs', () => {
  it('publish the function names the CLI invokes, and the runbooks bucket', () => {
    template.hasOutput(STATELESS_OUTPUTS.riskAssessmentFunctionName, { Value: { Ref: logicalIdOf(jobs.riskAssessment.function) } });
    template.hasOutput(STATELESS_OUTPUTS.dailyOperationsFunctionName, { Value: { Ref: logicalIdOf(jobs.dailyOperations.function) } });
    template.hasOutput(STATELESS_OUTPUTS.weeklySummaryFunctionName, { Value: { Ref: logicalIdOf(jobs.weeklySummary.function) } });
    template.hasOutput(STATELESS_OUTPUTS.emergencyAccessFunctionName, { Value: { Ref: logicalIdOf(jobs.emergencyAccess.function) } });
    statefulTemplate.hasOutput(STATEFUL_OUTPUTS.runbooksBucketName, { Value: { Ref: logicalIdOf(stateful.runbooks.bucket) } });
  });

  it('are the ones the CLI tests read from a `cdk deploy --outputs-file` JSON (test/support/cdk-outputs.ts)', () => {
    expect(Object.keys(statefulTemplate.toJSON().Outputs).filter((key) => !key.startsWith('ExportsOutput')).sort()).toEqual(
      Object.keys(statefulOutputs()).sort(),
    );
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(Object.keys(statelessOutputs()).sort());
  });
});
