// The re-approval jobs (lib/constructs/reapproval-jobs.ts): their daily schedules from the
// `idgov:schedules` context, their environment, each one's grants (exactly what its job needs, no
// `*`), their monitoring, and the approver API's directory grant: read only, since only
// start-reapproval applies the outcomes of approval runs.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV, OPERATIONS_TABLE, SERVICE_NAME, METRICS_NAMESPACE } from '../../lambdas/shared/config/tables.js';
import { AUDIT_APPEND_ACCESS, type AppFunction, type DynamoDbAction, type TableAccess } from '../../lib/constructs/app-function.js';
import { FAILED_NOTIFICATIONS_METRIC } from '../../lib/constructs/campaign-controller.js';
import { SCHEDULES_CONTEXT } from '../../lib/constructs/operations-jobs.js';
import type { OperationsJob } from '../../lib/constructs/operations-jobs.js';
import { STATELESS_OUTPUTS } from '../../lib/stack-outputs.js';
import { STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { asList, functionGrants, tables } from './function-grants.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

const { stateful, stateless } = buildStacks();
const { statefulTemplate, template, statementsOf, tableAccessOf, otherGrantsOf, sendsToItsDeadLetterQueue } = functionGrants(stateful, stateless);
const { initializeReapproval: initialize, startReapproval: start } = stateless.reapprovalJobs;

const ruleOf = (t: Template, job: OperationsJob) => t.findResources('AWS::Events::Rule')[logicalIdOf(job.job.rule)]!;
const envOf = (fn: AppFunction) =>
  template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]!.Properties.Environment.Variables as Record<string, unknown>;
const READS: DynamoDbAction[] = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'];
const RUN_RECORDS: TableAccess = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] };
/** Reads, UpdateItem and DeleteItem: what applying an approval run's outcome needs in the directory (never PutItem). */
const READ_UPDATE_DELETE: TableAccess = { actions: [...READS, 'dynamodb:DeleteItem' as const, 'dynamodb:UpdateItem' as const].sort() };

describe('schedules', () => {
  it.each([
    ['initialize-reapproval', initialize, 'cron(0 5 * * ? *)'],
    ['start-reapproval', start, 'cron(0 6 * * ? *)'],
  ] as const)('run %s daily at %s (UTC) by default, with retries and its dead-letter queue', (_name, job, expression) => {
    const rule = ruleOf(template, job);
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(job.job.deadLetterQueue), 'Arn'] };
    expect(rule.Properties).toMatchObject({ ScheduleExpression: expression, State: 'ENABLED' });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalIdOf(job.function), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: queueArn },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(job.function) },
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  it('follow the idgov:schedules context, which the daily report\'s heartbeat check is given too', () => {
    const context = { [SCHEDULES_CONTEXT]: JSON.stringify({ 'initialize-reapproval': { kind: 'daily', hour: 3, minute: 45 } }) };
    const built = buildStacks(undefined, context).stateless;
    const t = Template.fromStack(built);
    expect(ruleOf(t, built.reapprovalJobs.initializeReapproval).Properties.ScheduleExpression).toBe('cron(45 3 * * ? *)');
    expect(ruleOf(t, built.reapprovalJobs.startReapproval).Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    const daily = t.findResources('AWS::Lambda::Function')[logicalIdOf(built.dailyOperationsFunction)]!.Properties.Environment.Variables;
    expect(JSON.parse(daily[ENV.jobSchedules] as string)).toMatchObject({
      'initialize-reapproval': { kind: 'daily', hour: 3, minute: 45 },
      'start-reapproval': { kind: 'daily', hour: 6, minute: 0 },
    });
    expect(() => buildStacks(undefined, { [SCHEDULES_CONTEXT]: '{"start-reapproval":{"kind":"daily","hour":6,"minute":60}}' })).toThrow(
      /context idgov:schedules: start-reapproval\.minute: must be at most 59/,
    );
  });

  it('each have a not-running alarm (two quiet days), an errors alarm and a dead-letter alarm', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    for (const job of [initialize, start]) {
      expect(alarms[logicalIdOf(job.job.notRunningAlarm!)]!.Properties).toMatchObject({
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(job.function) } }],
        Period: 86_400,
        EvaluationPeriods: 2,
      });
      expect(stateless.operationsAlarms.errorsAlarms[job === initialize ? 'initialize-reapproval' : 'start-reapproval']).toBe(job.job.errorsAlarm);
      expect(job.job.deadLetterAlarm).toBeDefined();
    }
  });
});

describe('least privilege', () => {
  /** What a chunked job needs to continue: to invoke its own function (unqualified ARN), and no other. */
  const invokesItself = (fn: AppFunction) => ({ 'lambda:InvokeFunction': [{ 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] }] });

  it('initialize-reapproval: reads the directory and updates its items (never puts or deletes one), records its runs, invokes itself, nothing else', () => {
    const fn = initialize.function;
    expect(tableAccessOf(fn)).toEqual(tables([DIRECTORY_TABLE, 'READ_UPDATE'], [OPERATIONS_TABLE, RUN_RECORDS], [AUDIT_TABLE, AUDIT_APPEND_ACCESS]));
    const actions = statementsOf(fn).flatMap((s) => asList(s.Action));
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('dynamodb:BatchWriteItem');
    expect(otherGrantsOf(fn)).toEqual({ ...sendsToItsDeadLetterQueue(fn), ...invokesItself(fn) });
  });

  it('each job may invoke its own function (its continuation) through a policy the function does not wait for: no dependency cycle', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[]; Properties: { PolicyDocument?: { Statement: unknown[] } } }>;
    for (const job of [initialize, start]) {
      const fnId = logicalIdOf(job.function);
      const [policyId] = Object.entries(resources).find(
        ([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.PolicyDocument?.Statement).includes('lambda:InvokeFunction') && JSON.stringify(r.Properties).includes(`"${fnId}"`),
      )!;
      expect(resources[policyId]!.Properties.PolicyDocument!.Statement).toEqual([
        { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } },
      ]);
      expect(resources[fnId]!.DependsOn ?? []).not.toContain(policyId);
    }
  });

  it('start-reapproval: reads, updates and deletes in the directory (never puts), reads and writes the campaign table, records its runs, mails as the sender, invokes itself', () => {
    const fn = start.function;
    expect(tableAccessOf(fn)).toEqual(
      tables(
        [DIRECTORY_TABLE, READ_UPDATE_DELETE],
        [CAMPAIGN_TABLE, 'RW'],
        [OPERATIONS_TABLE, RUN_RECORDS],
        [AUDIT_TABLE, AUDIT_APPEND_ACCESS],
      ),
    );
    const { 'ses:SendEmail': send, 'ses:SendRawEmail': sendRaw, ...others } = otherGrantsOf(fn);
    // The sender's address identity, its domain identity, and the configuration set when there is one.
    expect(send).toHaveLength(3);
    expect(sendRaw).toEqual(send);
    expect(others).toEqual({ ...sendsToItsDeadLetterQueue(fn), ...invokesItself(fn) });
    const sesStatement = statementsOf(fn).find((s) => asList(s.Action).includes('ses:SendEmail'))!;
    expect(sesStatement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': { Ref: STATELESS_PARAMETERS.senderAddress } } });
  });

  it('the approver API only reads the directory: the outcome a decision reaches is applied by start-reapproval', () => {
    expect(tableAccessOf(stateless.approverApi.function)).toEqual(tables([DIRECTORY_TABLE, 'RO'], [CAMPAIGN_TABLE, 'RW'], [AUDIT_TABLE, AUDIT_APPEND_ACCESS]));
  });

  it('no statement of either job is on "*" but X-Ray\'s, none names a wildcard action, none may Scan', () => {
    for (const fn of [initialize.function, start.function]) {
      for (const statement of statementsOf(fn)) {
        const actions = asList(statement.Action);
        if (asList(statement.Resource).includes('*')) expect(actions.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        expect(actions.filter((action) => action.includes('*'))).toEqual([]);
        expect(actions).not.toContain('dynamodb:Scan');
      }
    }
  });
});

describe('environment', () => {
  it('initialize-reapproval: the directory, operations and audit tables, nothing else', () => {
    const env = envOf(initialize.function);
    expect(Object.keys(env).sort()).toEqual(
      [ENV.directoryTable, ENV.operationsTable, ENV.auditTable, 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME'].sort(),
    );
    expect(resolveImports(env[ENV.auditTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.auditTable) });
    expect(resolveImports(env[ENV.directoryTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.directoryTable) });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
  });

  it('start-reapproval: the three tables, the portal its mails link to, the sender and the configuration set', () => {
    const env = envOf(start.function);
    expect(resolveImports(env[ENV.directoryTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.directoryTable) });
    expect(resolveImports(env[ENV.campaignTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.campaignTable) });
    expect(resolveImports(env[ENV.operationsTable], statefulTemplate)).toEqual({ Ref: logicalIdOf(stateful.tables.operationsTable) });
    expect(resolveImports(env[ENV.approverPortalUrl], statefulTemplate)).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stateful.approverPortal.distribution), 'DomainName'] }]],
    });
    expect(env[ENV.senderAddress]).toEqual({ Ref: STATELESS_PARAMETERS.senderAddress });
    expect(env[ENV.sesConfigurationSet]).toEqual({ Ref: STATELESS_PARAMETERS.sesConfigurationSet });
    expect(Object.keys(env)).not.toContain(ENV.operationsTopicArn);
  });
});

describe('monitoring and outputs', () => {
  it("count start-reapproval's failed notifications into the controller's metric, which its alarm watches", () => {
    const filters = template.findResources('AWS::Logs::MetricFilter');
    const filter = filters[logicalIdOf(stateless.reapprovalJobs.failedNotificationsFilter)]!;
    const controllerFilter = filters[logicalIdOf(stateless.controller.failedNotificationsFilter)]!;
    expect(filter.Properties.LogGroupName).toEqual({ Ref: logicalIdOf(start.function.logGroup) });
    expect(filter.Properties.FilterPattern).toBe(controllerFilter.Properties.FilterPattern);
    expect(filter.Properties.MetricTransformations).toEqual([
      { MetricNamespace: METRICS_NAMESPACE, MetricName: FAILED_NOTIFICATIONS_METRIC, MetricValue: '1' },
    ]);
    expect(template.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(stateless.controller.failedNotificationsAlarm)]!.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: FAILED_NOTIFICATIONS_METRIC,
    });
  });

  it('build functions whose bundles are named like their folders of lambdas/', () => {
    expect(initialize.function.node.path).toBe('IdGovStateless/InitializeReapproval/Function');
    expect(start.function.node.path).toBe('IdGovStateless/StartReapproval/Function');
  });

  it('publish the function names `idgov --aws job run` invokes', () => {
    template.hasOutput(STATELESS_OUTPUTS.initializeReapprovalFunctionName, { Value: { Ref: logicalIdOf(initialize.function) } });
    template.hasOutput(STATELESS_OUTPUTS.startReapprovalFunctionName, { Value: { Ref: logicalIdOf(start.function) } });
  });
});
