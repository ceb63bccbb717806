// The Systems Manager Automation runbooks (lib/constructs/operations-automation.ts): their documents,
// parameters and steps, their roles' exact grants, cdk-nag, and the behaviour of their Python steps
// (run with fake AWS clients: re-drive order, deletion only after a successful run, both kinds of
// dead-letter message, refusals that name the parameter). Without python3 ≥ 3.11 those are skipped,
// except in CI (CI set), where that fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATIONS_CONFIG, JOB_NAMES, type JobName } from '../../lambdas/shared/domain/operations.js';
import {
  AUTOMATION_DOCUMENTS,
  INCIDENT_ACTIONS,
  NOW_PATTERN,
  OperationsAutomation,
  scheduledTimesOfDay,
  TEXT_PATTERN,
  USER_ID_PATTERN,
} from '../../lib/constructs/operations-automation.js';
import { logicalIdOf, nagViolations, rawNagFindings } from './idgov-app.js';

const asList = <T,>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface Step {
  name: string;
  action: string;
  timeoutSeconds?: number;
  isEnd?: boolean;
  inputs: Record<string, unknown>;
  outputs?: { Name: string; Selector: string; Type: string }[];
}
interface Content {
  schemaVersion: string;
  assumeRole: unknown;
  parameters: Record<string, { type: string; default?: string; allowedValues?: string[]; allowedPattern?: string }>;
  mainSteps: Step[];
  outputs?: string[];
}

function buildAutomation(app = new App()) {
  const stack = new Stack(app, 'Ops');
  const fn = (id: string) =>
    new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({});') });
  const jobs = Object.fromEntries(
    JOB_NAMES.map((job) => [
      job,
      {
        function: fn(`Job-${job}`),
        deadLetterQueue: new Queue(stack, `Dlq-${job}`, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true }),
      },
    ]),
  ) as Record<JobName, { function: LambdaFunction; deadLetterQueue: Queue }>;
  const emergencyAccess = fn('EmergencyAccess');
  const automation = new OperationsAutomation(stack, 'Automation', { dailyOperations: jobs['daily-operations'].function, emergencyAccess, jobs });
  return { app, stack, jobs, emergencyAccess, automation };
}

/** The deployed schedules' times of day (lambdas/shared/domain/operations.ts): the controller runs hourly. */
const SCHEDULED_AT = {
  'campaign-controller': '',
  'risk-assessment': '07:30',
  'daily-operations': '08:00',
  'weekly-summary': '09:00',
  'initialize-reapproval': '05:00',
  'start-reapproval': '06:00',
};

const built = buildAutomation();
const template = Template.fromStack(built.stack);
const ref = (construct: Parameters<typeof logicalIdOf>[0]) => ({ Ref: logicalIdOf(construct) });
const arnOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });

const documents = template.findResources('AWS::SSM::Document') as Record<string, { Properties: Record<string, unknown> }>;
const documentOf = (id: (typeof AUTOMATION_DOCUMENTS)[number]) =>
  documents[built.stack.getLogicalId(built.automation.documents[id])]!.Properties;
const contentOf = (id: (typeof AUTOMATION_DOCUMENTS)[number]) => documentOf(id).Content as Content;
const stepsOf = (id: (typeof AUTOMATION_DOCUMENTS)[number]) => contentOf(id).mainSteps;
const step = (id: (typeof AUTOMATION_DOCUMENTS)[number], name: string) => stepsOf(id).find((s) => s.name === name)!;

/** Every statement of the inline policies attached to a role. */
function statementsOfRole(role: Role): Statement[] {
  const roleId = logicalIdOf(role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('the automation documents', () => {
  it('are three Automation documents (schema 0.3, JSON), named after the stack, updated as new versions', () => {
    expect(Object.keys(documents)).toHaveLength(3);
    for (const id of AUTOMATION_DOCUMENTS) {
      const document = documentOf(id);
      expect(document).toMatchObject({ DocumentType: 'Automation', DocumentFormat: 'JSON', Name: `Ops-${id}`, UpdateMethod: 'NewVersion' });
      expect(contentOf(id).schemaVersion).toBe('0.3');
      // Each assumes its own role.
      expect(contentOf(id).assumeRole).toEqual(arnOf(built.automation.roles[id]));
    }
    expect(new Set(AUTOMATION_DOCUMENTS.map((id) => JSON.stringify(contentOf(id).assumeRole))).size).toBe(3);
  });

  it('fit within Systems Manager\'s 64 KB document size', () => {
    for (const id of AUTOMATION_DOCUMENTS) expect(JSON.stringify(contentOf(id)).length).toBeLessThan(64_000);
  });

  it('DailyHealthCheck builds the event from Now, invokes the daily-operations function and reads the health', () => {
    expect(stepsOf('DailyHealthCheck').map((s) => [s.name, s.action])).toEqual([
      ['BuildEvent', 'aws:executeScript'],
      ['RunDailyOperations', 'aws:invokeLambdaFunction'],
      ['ReadHealth', 'aws:executeScript'],
    ]);
    expect(contentOf('DailyHealthCheck').parameters).toEqual({
      Now: expect.objectContaining({ type: 'String', default: '', allowedPattern: NOW_PATTERN }),
    });
    // A date alone means the deployed schedule's run that day (08:00 UTC), not midnight.
    expect(step('DailyHealthCheck', 'BuildEvent').inputs).toMatchObject({
      Runtime: 'python3.11',
      Handler: 'build_event',
      InputPayload: { Now: '{{ Now }}', ScheduledAt: '08:00' },
    });
    expect(step('DailyHealthCheck', 'RunDailyOperations').inputs).toEqual({
      FunctionName: ref(built.jobs['daily-operations'].function),
      InvocationType: 'RequestResponse',
      Payload: '{{ BuildEvent.Event }}',
    });
    expect(step('DailyHealthCheck', 'RunDailyOperations').timeoutSeconds).toBe(300);
    const read = step('DailyHealthCheck', 'ReadHealth');
    expect(read.inputs).toMatchObject({ Handler: 'read_health', InputPayload: { Payload: '{{ RunDailyOperations.Payload }}' } });
    expect(read.outputs).toContainEqual({ Name: 'HealthStatus', Selector: '$.Payload.status', Type: 'String' });
    expect(read.outputs).toContainEqual({ Name: 'DegradedComponents', Selector: '$.Payload.degraded', Type: 'StringList' });
    expect(contentOf('DailyHealthCheck').outputs).toContain('ReadHealth.HealthStatus');
    // Every document output is a declared output of its step.
    for (const name of contentOf('DailyHealthCheck').outputs!) {
      expect(read.outputs!.map((o) => `ReadHealth.${o.Name}`)).toContain(name);
    }
  });

  it('IncidentResponse branches on Action to a re-drive or a re-run, for any job, with the job functions and queues', () => {
    const content = contentOf('IncidentResponse');
    expect(content.parameters.Action).toMatchObject({ allowedValues: [...INCIDENT_ACTIONS] });
    expect(content.parameters.Job).toMatchObject({ allowedValues: [...JOB_NAMES] });
    expect(content.parameters.Now).toMatchObject({ default: '', allowedPattern: NOW_PATTERN });
    expect(stepsOf('IncidentResponse').map((s) => [s.name, s.action])).toEqual([
      ['ChooseAction', 'aws:branch'],
      ['RedriveDeadLetterQueue', 'aws:executeScript'],
      ['RerunJob', 'aws:executeScript'],
    ]);
    expect(step('IncidentResponse', 'ChooseAction').inputs.Choices).toEqual([
      { NextStep: 'RedriveDeadLetterQueue', Variable: '{{ Action }}', StringEquals: 'RedriveDeadLetterQueue' },
      { NextStep: 'RerunJob', Variable: '{{ Action }}', StringEquals: 'RerunJob' },
    ]);
    const functions = Object.fromEntries(JOB_NAMES.map((job) => [job, ref(built.jobs[job].function)]));
    const queues = Object.fromEntries(JOB_NAMES.map((job) => [job, ref(built.jobs[job].deadLetterQueue)]));
    expect(step('IncidentResponse', 'RedriveDeadLetterQueue')).toMatchObject({
      isEnd: true,
      timeoutSeconds: 600,
      inputs: { Handler: 'redrive', InputPayload: { Job: '{{ Job }}', Functions: functions, Queues: queues } },
    });
    expect(step('IncidentResponse', 'RerunJob')).toMatchObject({
      isEnd: true,
      inputs: { Handler: 'rerun_job', InputPayload: { Job: '{{ Job }}', Now: '{{ Now }}', Functions: functions, ScheduledAt: SCHEDULED_AT } },
    });
  });

  it("passes each job's scheduled time of day from the schedules it is given (default: the deployed ones)", () => {
    expect(scheduledTimesOfDay(DEFAULT_OPERATIONS_CONFIG.schedules)).toEqual(SCHEDULED_AT);
    const app = new App();
    const stack = new Stack(app, 'Custom');
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({});') });
    const queue = new Queue(stack, 'Queue', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    const jobs = Object.fromEntries(JOB_NAMES.map((job) => [job, { function: fn, deadLetterQueue: queue }])) as Record<JobName, { function: LambdaFunction; deadLetterQueue: Queue }>;
    const schedules = { ...DEFAULT_OPERATIONS_CONFIG.schedules, 'daily-operations': { kind: 'daily', hour: 6, minute: 5 } } as const;
    const automation = new OperationsAutomation(stack, 'Automation', { dailyOperations: fn, emergencyAccess: fn, jobs, schedules });
    const content = Template.fromStack(stack).findResources('AWS::SSM::Document')[stack.getLogicalId(automation.documents.DailyHealthCheck)]!.Properties.Content as Content;
    expect(content.mainSteps[0]!.inputs).toMatchObject({ InputPayload: { ScheduledAt: '06:05' } });
  });

  it('EmergencyAccessRemoval invokes the emergency-access function with userId, reason and requestedBy', () => {
    const content = contentOf('EmergencyAccessRemoval');
    expect(Object.keys(content.parameters).sort()).toEqual(['Reason', 'RequestedBy', 'UserId']);
    for (const parameter of Object.values(content.parameters)) expect(parameter.default).toBeUndefined();
    expect(stepsOf('EmergencyAccessRemoval').map((s) => [s.name, s.action])).toEqual([
      ['RemoveAccess', 'aws:invokeLambdaFunction'],
      ['ReadRemoval', 'aws:executeScript'],
    ]);
    expect(step('EmergencyAccessRemoval', 'RemoveAccess').inputs).toEqual({
      FunctionName: ref(built.emergencyAccess),
      InvocationType: 'RequestResponse',
      // The execution id: Systems Manager authenticates who started it, where RequestedBy is only declared.
      InputPayload: { userId: '{{ UserId }}', reason: '{{ Reason }}', requestedBy: '{{ RequestedBy }}', requestRef: '{{ automation:EXECUTION_ID }}' },
    });
    expect(content.outputs).toEqual(['ReadRemoval.RemovedCount', 'ReadRemoval.RemovedPrivileges', 'ReadRemoval.AlreadyRecorded']);
  });

  const INVOKE_OUTPUTS = ['StatusCode', 'FunctionError', 'LogResult', 'Payload'];

  it('refers in every step to earlier steps and declared parameters only', () => {
    for (const id of AUTOMATION_DOCUMENTS) {
      const content = contentOf(id);
      // Automation's own variables, and the declared parameters.
      const known = new Set(['automation:EXECUTION_ID', ...Object.keys(content.parameters)]);
      for (const s of content.mainSteps) {
        for (const [, reference] of JSON.stringify(s.inputs).matchAll(/\{\{ ([^}]+) \}\}/g)) {
          expect(known, `${id}.${s.name} refers to ${reference}`).toContain(reference);
        }
        for (const o of s.outputs ?? []) known.add(`${s.name}.${o.Name}`);
        // aws:invokeLambdaFunction's outputs are the action's own.
        if (s.action === 'aws:invokeLambdaFunction') for (const o of INVOKE_OUTPUTS) known.add(`${s.name}.${o}`);
      }
    }
  });

  it.each([
    ['', true],
    ['2026-07-01', true],
    ['2026-07-01T08:00:00Z', true],
    ['2026-07-01T08:00:00.123+02:00', true],
    ['2026-07-01T08:00Z', false],
    ['2026-07-01 08:00:00Z', false],
    ['2026-07-01T08:00:00', false],
    ['yesterday', false],
  ])('Now accepts %j: %s', (value, accepted) => {
    expect(new RegExp(NOW_PATTERN).test(value)).toBe(accepted);
  });

  it.each([
    [USER_ID_PATTERN, 'u-0001', true],
    [USER_ID_PATTERN, 'Jane Doe (INC-42)', true],
    [USER_ID_PATTERN, '', false],
    [USER_ID_PATTERN, ' u-0001', false],
    [USER_ID_PATTERN, 'x'.repeat(257), false],
    [TEXT_PATTERN, 'Laptop stolen, INC-42 "urgent"', true],
    [TEXT_PATTERN, '   ', false],
    [TEXT_PATTERN, '', false],
    [TEXT_PATTERN, 'x'.repeat(1000), true],
    [TEXT_PATTERN, 'x'.repeat(1001), false],
  ])('%s on %j: %s', (pattern, value, accepted) => {
    expect(new RegExp(pattern).test(value)).toBe(accepted);
  });
});

describe('the automation roles', () => {
  const roles = built.automation.roles;

  it('may be assumed by Systems Manager only, for automations of this account', () => {
    for (const id of AUTOMATION_DOCUMENTS) {
      const role = template.findResources('AWS::IAM::Role')[logicalIdOf(roles[id])]!;
      const statements = role.Properties.AssumeRolePolicyDocument.Statement as Record<string, unknown>[];
      expect(statements).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'ssm.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
          },
        },
      ]);
      expect(JSON.stringify(statements[0]!.Condition)).toContain(':automation-execution/*');
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('DailyHealthCheck may invoke the daily-operations function and nothing else', () => {
    expect(statementsOfRole(roles.DailyHealthCheck)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(built.jobs['daily-operations'].function) },
    ]);
  });

  it('EmergencyAccessRemoval may invoke the emergency-access function and nothing else', () => {
    expect(statementsOfRole(roles.EmergencyAccessRemoval)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(built.emergencyAccess) },
    ]);
  });

  it('IncidentResponse may invoke the four job functions and consume their four dead-letter queues, nothing else', () => {
    const statements = statementsOfRole(roles.IncidentResponse);
    const invoke = statements.filter((s) => asList(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: JOB_NAMES.map((job) => arnOf(built.jobs[job].function)) },
    ]);
    const consume = statements.filter((s) => s !== invoke[0]);
    expect(new Set(consume.flatMap((s) => asList(s.Action)))).toEqual(
      new Set(['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']),
    );
    expect(consume.flatMap((s) => asList(s.Resource)).map((r) => JSON.stringify(r)).sort()).toEqual(
      JOB_NAMES.map((job) => JSON.stringify(arnOf(built.jobs[job].deadLetterQueue))).sort(),
    );
  });

  it('name no wildcard resource and no wildcard action', () => {
    const statements = AUTOMATION_DOCUMENTS.flatMap((id) => statementsOfRole(roles[id]));
    expect(statements.length).toBeGreaterThan(2);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
      for (const action of asList(statement.Action)) expect(action).not.toContain('*');
    }
  });
});

describe('cdk-nag AwsSolutions on the automation', () => {
  it('raises no finding on the construct, without any acknowledgement', () => {
    const { automation } = buildAutomation();
    expect(rawNagFindings(automation)).toEqual([]);
  });

  it('synthesizes with the checks and no violation under the construct', () => {
    const app = new App();
    const { automation } = buildAutomation(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let directory: string;
    try {
      directory = app.synth().directory;
    } catch {
      directory = app.outdir; // the test functions and queues may raise findings of their own
    }
    const path = `${automation.node.path}/`;
    const under = nagViolations(directory).filter((v) => v.violatingConstructs.some((c) => c.constructPath.startsWith(path)));
    expect(under).toEqual([]);
  });

  it('would report a wildcard grant added to one of its roles (control)', () => {
    const { automation } = buildAutomation();
    automation.roles.DailyHealthCheck.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: ['*'] }));
    expect(rawNagFindings(automation).map((f) => f.ruleName)).toContain('AwsSolutions-IAM5[Resource::*]');
  });
});

describe('construction', () => {
  it('refuses a missing job, naming it', () => {
    const stack = new Stack(new App(), 'Broken');
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({});') });
    const queue = new Queue(stack, 'Queue');
    const jobs = { 'campaign-controller': { function: fn, deadLetterQueue: queue } } as unknown as Record<JobName, { function: LambdaFunction; deadLetterQueue: Queue }>;
    expect(() => new OperationsAutomation(stack, 'Automation', { dailyOperations: fn, emergencyAccess: fn, jobs })).toThrow(
      'OperationsAutomation Automation: jobs.risk-assessment is missing',
    );
  });

  it('refuses a stack name that would give the documents a prefix Systems Manager reserves', () => {
    const stack = new Stack(new App(), 'AwsGovStateless');
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({});') });
    const queue = new Queue(stack, 'Queue');
    const jobs = Object.fromEntries(JOB_NAMES.map((job) => [job, { function: fn, deadLetterQueue: queue }])) as Record<JobName, { function: LambdaFunction; deadLetterQueue: Queue }>;
    expect(() => new OperationsAutomation(stack, 'Automation', { dailyOperations: fn, emergencyAccess: fn, jobs })).toThrow(
      /document name AwsGovStateless-DailyHealthCheck starts with a prefix Systems Manager reserves/,
    );
  });

  it('a role nobody but Systems Manager may assume (control for the trust test)', () => {
    const stack = new Stack(new App(), 'Control');
    new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toBeUndefined();
  });
});

// --- the Python steps, with fake AWS clients ---------------------------------------------------

const SCRIPT = fileURLToPath(new URL('../../lib/constructs/operations-automation.py', import.meta.url));
const HARNESS = fileURLToPath(new URL('./fixtures/automation_harness.py', import.meta.url));
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0 && /Python 3\.(1[1-9]|[2-9]\d)/.test(`${python.stdout ?? ''}${python.stderr ?? ''}`);
/** In CI (.ci/run sets CI=true) the Python steps must run: a missing python3 ≥ 3.11 fails instead of skipping. */
const requirePython = Boolean(process.env.CI);

describe.runIf(requirePython && !hasPython)('python3 for the Python steps', () => {
  it('is python3 ≥ 3.11, as in the aws:executeScript runtime (required when CI is set)', () => {
    expect.fail(`CI is set but python3 ≥ 3.11 is missing (python3 --version: ${`${python.stdout ?? ''}${python.stderr ?? ''}`.trim() || python.error?.message || 'no answer'})`);
  });
});

interface StepRun {
  result?: Record<string, unknown>;
  error?: string;
  calls: { service: string; op: string; [key: string]: unknown }[];
  queueLeft: string[];
  visible: string[];
}

function runStep(handler: string, events: Record<string, unknown>, extra: Record<string, unknown> = {}): StepRun {
  const run = spawnSync('python3', [HARNESS], { input: JSON.stringify({ script: SCRIPT, handler, events, ...extra }), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`harness failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as StepRun;
}

const FUNCTIONS = Object.fromEntries(JOB_NAMES.map((job) => [job, `fn-${job}`]));
const QUEUES = Object.fromEntries(JOB_NAMES.map((job) => [job, `https://sqs.example/dlq-${job}`]));
const scheduled = (time: string) => ({ version: '0', id: `id-${time}`, 'detail-type': 'Scheduled Event', source: 'aws.events', time, detail: {} });
/** A Lambda on-failure destination record, as the job's asynchronous invocation config sends it. */
const destinationRecord = (event: unknown) => ({
  version: '1.0',
  timestamp: '2026-07-02T08:03:00.000Z',
  requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fn', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
  requestPayload: event,
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorType: 'Error', errorMessage: 'SES refused the mail' },
});

describe.skipIf(!hasPython)('the Python steps (python3 ≥ 3.11 with fake AWS clients)', () => {
  it('BuildEvent: {} for an empty Now, {"now"} for a date, a refusal naming Now for garbage or the future', () => {
    expect(runStep('build_event', { Now: '', ScheduledAt: '08:00' }).result).toEqual({ event: '{}' });
    // A date alone is the scheduled run that day: the report stored for it covers the same 24 hours as the 08:00 one.
    expect(JSON.parse(runStep('build_event', { Now: '2026-07-01', ScheduledAt: '08:00' }).result!.event as string)).toEqual({ now: '2026-07-01T08:00:00.000Z' });
    expect(JSON.parse(runStep('build_event', { Now: '2026-07-01', ScheduledAt: '06:05' }).result!.event as string)).toEqual({ now: '2026-07-01T06:05:00.000Z' });
    expect(JSON.parse(runStep('build_event', { Now: '2026-07-01T10:00:00+02:00', ScheduledAt: '08:00' }).result!.event as string)).toEqual({ now: '2026-07-01T08:00:00.000Z' });
    // Without a scheduled time a date alone is refused rather than taken as midnight.
    expect(runStep('build_event', { Now: '2026-07-01' }).error).toMatch(/^ValueError: Now: daily-operations has no scheduled time of day/);
    expect(runStep('build_event', { Now: 'yesterday' }).error).toMatch(/^ValueError: Now: must be an ISO 8601 date/);
    expect(runStep('build_event', { Now: '2026-07-01T08:00:00' }).error).toMatch(/^ValueError: Now: must carry an offset/);
    expect(runStep('build_event', { Now: '2999-01-01', ScheduledAt: '08:00' }).error).toMatch(/^ValueError: Now: 2999-01-01 is in the future/);
  });

  it('ReadHealth: the status, degraded components and recommendations of the report; a failed job fails the step', () => {
    const report = {
      date: '2026-07-01',
      health: {
        status: 'DEGRADED',
        source: 'cloudwatch',
        components: [
          { name: 'function:daily-operations', status: 'HEALTHY' },
          { name: 'heartbeat:risk-assessment', status: 'DEGRADED', reason: 'risk-assessment has not completed a run since 2026-06-29T07:30:00.000Z' },
        ],
      },
      compliance: { score: 85, status: 'COMPLIANT' },
      recommendations: [{ severity: 'CRITICAL', text: 'Check heartbeat:risk-assessment' }],
    };
    const read = runStep('read_health', { Payload: JSON.stringify({ report, delivered: ['topic'] }), FunctionName: 'fn-daily' });
    expect(read.result).toEqual({
      status: 'DEGRADED',
      source: 'cloudwatch',
      date: '2026-07-01',
      degraded: ['heartbeat:risk-assessment: risk-assessment has not completed a run since 2026-06-29T07:30:00.000Z'],
      recommendations: ['CRITICAL: Check heartbeat:risk-assessment'],
      compliance: '85 COMPLIANT',
    });
    const failed = runStep('read_health', { Payload: JSON.stringify({ errorType: 'ValidationError', errorMessage: 'event.now: bad', trace: [] }), FunctionName: 'fn-daily' });
    expect(failed.error).toBe('RuntimeError: fn-daily failed: ValidationError: event.now: bad');
    expect(runStep('read_health', { Payload: '{"something":"else"}', FunctionName: 'fn-daily' }).error).toMatch(/answered without report\.health/);
  });

  it('ReadHealth: a compact summary whatever the report holds: at most 10 entries per list, each at most 500 characters', () => {
    const components = Array.from({ length: 40 }, (_, i) => ({ name: `function:job-${i}`, status: 'DEGRADED', reason: `Errors ${i}: ${'x'.repeat(2000)}` }));
    const report = {
      date: '2026-07-01',
      health: { status: 'DEGRADED', source: 'cloudwatch', components },
      compliance: { score: 40, status: 'NON_COMPLIANT', formula: 'f'.repeat(5000) },
      recommendations: Array.from({ length: 30 }, (_, i) => ({ severity: 'CRITICAL', text: `Check ${i} ${'y'.repeat(3000)}` })),
      certification: { entriesByState: { RUNNING: 1 } },
    };
    const result = runStep('read_health', { Payload: JSON.stringify({ report }), FunctionName: 'fn-daily' }).result!;
    const degraded = result.degraded as string[];
    const recommendations = result.recommendations as string[];
    expect(degraded).toHaveLength(10);
    expect(recommendations).toHaveLength(10);
    for (const item of [...degraded, ...recommendations]) expect(item.length).toBeLessThanOrEqual(500);
    expect(degraded[0]).toMatch(/^function:job-0: Errors 0: x+…$/);
    expect(degraded[9]).toBe('… and 31 more (idgov --aws report daily --date D)');
    expect(recommendations[0]!.length).toBeLessThanOrEqual(300);
    expect(result.compliance).toBe('40 NON_COMPLIANT');
    expect(JSON.stringify(result).length).toBeLessThan(10_000);
  });

  it('ReadRemoval: counts and names what was removed', () => {
    const answer = { userId: 'u-1', removed: [{ privilegeId: 'finadmin' }, { privilegeId: 'payroll' }], alreadyRecorded: 1 };
    expect(runStep('read_removal', { Payload: JSON.stringify(answer), FunctionName: 'fn-ea' }).result).toEqual({
      userId: 'u-1',
      removedCount: 2,
      removedPrivileges: ['finadmin', 'payroll'],
      alreadyRecorded: 1,
    });
    expect(runStep('read_removal', { Payload: JSON.stringify({ errorType: 'NotFoundError', errorMessage: 'userId: no user u-9' }), FunctionName: 'fn-ea' }).error).toBe(
      'RuntimeError: fn-ea failed: NotFoundError: userId: no user u-9',
    );
  });

  it('RerunJob: one synchronous invocation of the chosen job with {"now"}, a refusal for an unknown job', () => {
    const run = runStep('rerun_job', { Job: 'risk-assessment', Now: '2026-07-01T07:30:00Z', Functions: FUNCTIONS });
    expect(run.calls).toEqual([
      { service: 'lambda', op: 'Invoke', FunctionName: 'fn-risk-assessment', InvocationType: 'RequestResponse', event: { now: '2026-07-01T07:30:00.000Z' } },
    ]);
    expect(run.result).toMatchObject({ job: 'risk-assessment', event: '{"now": "2026-07-01T07:30:00.000Z"}' });
    expect(runStep('rerun_job', { Job: 'daily-operations', Now: '', Functions: FUNCTIONS }).calls[0]!.event).toEqual({});
    // A date alone: the job's scheduled time that day. The weekly summary of Monday 2026-06-29 runs at 09:00, not at
    // 00:00 (which would rebuild the week before).
    expect(runStep('rerun_job', { Job: 'weekly-summary', Now: '2026-06-29', Functions: FUNCTIONS, ScheduledAt: SCHEDULED_AT }).calls[0]!.event).toEqual({
      now: '2026-06-29T09:00:00.000Z',
    });
    expect(runStep('rerun_job', { Job: 'risk-assessment', Now: '2026-06-29', Functions: FUNCTIONS, ScheduledAt: SCHEDULED_AT }).calls[0]!.event).toEqual({
      now: '2026-06-29T07:30:00.000Z',
    });
    // The hourly controller has no time of day: a date alone is refused, nothing invoked.
    const controller = runStep('rerun_job', { Job: 'campaign-controller', Now: '2026-06-29', Functions: FUNCTIONS, ScheduledAt: SCHEDULED_AT });
    expect(controller.error).toMatch(/^ValueError: Now: campaign-controller has no scheduled time of day/);
    expect(controller.calls).toEqual([]);
    const unknown = runStep('rerun_job', { Job: 'nightly', Now: '', Functions: FUNCTIONS });
    expect(unknown.error).toMatch(
      /^ValueError: Job: must be one of campaign-controller, daily-operations, initialize-reapproval, risk-assessment, start-reapproval, weekly-summary, got 'nightly'/,
    );
    expect(unknown.calls).toEqual([]);
    expect(runStep('rerun_job', { Job: 'daily-operations', Now: '', Functions: FUNCTIONS }, { lambda: { failWhen: '{}' } }).error).toMatch(
      /fn-daily-operations failed: ValidationError: event\.now: broken/,
    );
  });

  it('RedriveDeadLetterQueue: runs each original event oldest first (both message kinds) and deletes each after its run', () => {
    const queue = [
      { MessageId: 'm-destination', Body: JSON.stringify(destinationRecord(scheduled('2026-07-02T08:00:00Z'))) },
      {
        MessageId: 'm-eventbridge',
        Body: JSON.stringify(scheduled('2026-07-01T08:00:00Z')),
        MessageAttributes: { ERROR_MESSAGE: { StringValue: 'Lambda throttled the invocation', DataType: 'String' } },
      },
    ];
    const run = runStep('redrive', { Job: 'daily-operations', Functions: FUNCTIONS, Queues: QUEUES }, { queue });
    expect(run.error).toBeUndefined();
    expect(run.calls.filter((c) => c.op !== 'ReceiveMessage')).toEqual([
      { service: 'lambda', op: 'Invoke', FunctionName: 'fn-daily-operations', InvocationType: 'RequestResponse', event: scheduled('2026-07-01T08:00:00Z') },
      { service: 'sqs', op: 'DeleteMessage', QueueUrl: QUEUES['daily-operations'], MessageId: 'm-eventbridge' },
      { service: 'lambda', op: 'Invoke', FunctionName: 'fn-daily-operations', InvocationType: 'RequestResponse', event: scheduled('2026-07-02T08:00:00Z') },
      { service: 'sqs', op: 'DeleteMessage', QueueUrl: QUEUES['daily-operations'], MessageId: 'm-destination' },
    ]);
    // Received messages are hidden longer than the step may last, so nobody runs them twice meanwhile.
    expect(run.calls.filter((c) => c.op === 'ReceiveMessage').every((c) => c.VisibilityTimeout === 900)).toBe(true);
    expect(run.queueLeft).toEqual([]);
    expect(run.result).toMatchObject({ job: 'daily-operations', redriven: 2, left: 0, stoppedForTime: false });
    const runs = (run.result!.runs as string[]).map((r) => JSON.parse(r) as Record<string, string>);
    expect(runs.map((r) => [r.messageId, r.origin, r.previousError])).toEqual([
      ['m-eventbridge', 'eventbridge', 'Lambda throttled the invocation'],
      ['m-destination', 'lambda-on-failure', 'Error: SES refused the mail'],
    ]);
  });

  it('RedriveDeadLetterQueue: oldest first overall, not within each batch of 10: receives everything before running anything', () => {
    // 12 messages, newest first in the queue: the two oldest come only in the second batch of 10.
    const days = Array.from({ length: 12 }, (_, i) => `2026-07-${String(20 - i).padStart(2, '0')}T08:00:00Z`);
    const queue = days.map((time, i) => ({ MessageId: `m-${i}`, Body: JSON.stringify(scheduled(time)) }));
    const run = runStep('redrive', { Job: 'daily-operations', Functions: FUNCTIONS, Queues: QUEUES }, { queue });
    expect(run.error).toBeUndefined();
    const invoked = run.calls.filter((c) => c.op === 'Invoke').map((c) => (c.event as { time: string }).time);
    expect(invoked).toEqual([...days].sort());
    const ops = run.calls.map((c) => c.op);
    expect(ops.lastIndexOf('ReceiveMessage')).toBeLessThan(ops.indexOf('Invoke'));
    expect(run.queueLeft).toEqual([]);
    expect(run.result).toMatchObject({ redriven: 12, left: 0, stoppedForTime: false });
  });

  it('RedriveDeadLetterQueue: the first failed run stops it, deletes nothing more and puts every other message back at once', () => {
    const queue = [
      { MessageId: 'm-1', Body: JSON.stringify(scheduled('2026-07-01T08:00:00Z')) },
      { MessageId: 'm-2', Body: JSON.stringify(destinationRecord(scheduled('2026-07-02T08:00:00Z'))) },
      { MessageId: 'm-3', Body: JSON.stringify(scheduled('2026-07-03T08:00:00Z')) },
    ];
    const run = runStep('redrive', { Job: 'weekly-summary', Functions: FUNCTIONS, Queues: QUEUES }, { queue, lambda: { failWhen: '2026-07-02' } });
    expect(run.error).toMatch(/^RuntimeError: Re-drive stopped: a run failed/);
    expect(run.error).toContain('fn-weekly-summary failed: ValidationError: event.now: broken');
    expect(run.calls.filter((c) => c.op === 'Invoke').map((c) => (c.event as { time: string }).time)).toEqual(['2026-07-01T08:00:00Z', '2026-07-02T08:00:00Z']);
    expect(run.calls.filter((c) => c.op === 'DeleteMessage').map((c) => c.MessageId)).toEqual(['m-1']);
    expect(run.queueLeft).toEqual(['m-2', 'm-3']);
    expect(run.visible).toEqual(['m-2', 'm-3']);
  });

  it('RedriveDeadLetterQueue: a message that is not an event is left in the queue, named, and fails the step', () => {
    const queue = [
      { MessageId: 'm-garbage', Body: 'not json' },
      { MessageId: 'm-ok', Body: JSON.stringify({ now: '2026-07-01T09:00:00Z' }) },
    ];
    const run = runStep('redrive', { Job: 'campaign-controller', Functions: FUNCTIONS, Queues: QUEUES }, { queue });
    expect(run.calls.filter((c) => c.op === 'Invoke').map((c) => c.event)).toEqual([{ now: '2026-07-01T09:00:00Z' }]);
    expect(run.queueLeft).toEqual(['m-garbage']);
    expect(run.visible).toEqual(['m-garbage']);
    expect(run.error).toMatch(/some messages are not events of this job/);
    expect(run.error).toContain('"messageId": "m-garbage", "problem": "the body is not JSON"');
  });

  it('RedriveDeadLetterQueue on an empty queue does nothing and says so', () => {
    const run = runStep('redrive', { Job: 'risk-assessment', Functions: FUNCTIONS, Queues: QUEUES }, { queue: [] });
    expect(run.result).toMatchObject({ redriven: 0, left: 0, runs: [] });
    expect(run.calls.map((c) => c.op)).toEqual(['ReceiveMessage']);
  });
});
