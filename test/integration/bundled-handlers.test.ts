// The bundles `cdk synth` writes (index.mjs, not the TypeScript source) answer the documented test
// events of events/: each runs in a Node process of its own, as Lambda runs it (import the module,
// call `handler(event)`), with the environment its template gives it, pointed at the local engine,
// an SES emulator, a fake of SNS and CloudWatch, and a fake of S3, KMS and Lambda whose Invoke runs
// the named function's bundle (controller -> archive-evidence -> render-report-charts). One synth
// for the file: it is the slow part.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ASSET_RESOURCE_METADATA_ENABLED_CONTEXT, PATH_METADATA_ENABLE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { runChain } from '../../lambdas/shared/domain/audit/model.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { utcDate } from '../../lambdas/shared/domain/dates.js';
import { evidencePrefix, PACK_FILES, type ArchivedEvidence } from '../../lambdas/shared/domain/evidence/manifest.js';
import type { Campaign } from '../../lambdas/shared/domain/model.js';
import { lastExpectedRun } from '../../lambdas/shared/domain/job-schedule.js';
import { DEFAULT_OPERATIONS_CONFIG, type DailyReport, type WeeklySummary } from '../../lambdas/shared/domain/operations.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { drawReportCharts } from '../../lambdas/shared/presenters/campaign-report-charts.js';
import type { ReportChartData } from '../../lambdas/shared/presenters/report-chart-data.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { verifyEvidencePack } from '../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { readBundledFunctions, type BundledFunction } from '../../scripts/bundled-functions.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/engine.js';
import { startSesEmulator, type SesEmulator } from '../../src/local/ses-emulator.js';
import { synthesizeBinApp } from '../infra/idgov-app.js';
import { PROJECT_ROOT } from '../support/cli.js';
import { useEngine } from '../support/engine.js';
import { sendAll, settledRun } from '../support/evidence.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { startFakeEvidenceAws, type FakeEvidenceAws, type FakeInvocation } from '../support/fake-evidence-aws.js';
import { entryOf, highRiskUserCampaign, smallOrg } from '../support/small-org.js';

const engine = useEngine();
const runNode = promisify(execFile);
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** The campaign the approver API events name: its entry for u1 is events/approver-api/decide.json's. */
const CAMPAIGN_ID = 'c-finance';
const SENDER = 'governance@example.com';
const OPERATIONS_TOPIC = 'arn:aws:sns:us-east-1:000000000000:idgov-operations';
const OPERATIONS_RECIPIENT = 'ops@example.com';
/** The function whose errors the fake CloudWatch reports (2 in the window), and a queue it reports empty. */
const FAILING_FUNCTION = 'IdGovStateless-CampaignControllerFunction-Fake';
const DEAD_LETTER_QUEUE = 'IdGovStateless-CampaignControllerScheduleDeadLetterQueue-Fake';
/** The reports bucket and the functions the fake Lambda knows (ARCHIVE_EVIDENCE_FUNCTION_NAME, REPORT_CHARTS_FUNCTION_NAME). */
const REPORTS_BUCKET = 'idgov-reports-test';
const ARCHIVER_NAME = 'IdGovStateless-ArchiveEvidenceFunction-Fake';
const CHARTS_NAME = 'IdGovStateless-RenderReportChartsFunction-Fake';
/** The DELETED run events/archive-evidence/archive.json names. */
const ARCHIVED_CAMPAIGN = 'c-payments';

let controller: BundledFunction;
let approverApi: BundledFunction;
let riskAssessment: BundledFunction;
let dailyOperations: BundledFunction;
let weeklySummary: BundledFunction;
let emergencyAccess: BundledFunction;
let initializeReapproval: BundledFunction;
let startReapproval: BundledFunction;
let archiveEvidence: BundledFunction;
let reportCharts: BundledFunction;
let ses: SesEmulator;
let aws: FakeAws;
let evidenceAws: FakeEvidenceAws;
/** What the fake Lambda runs for each function name: its bundle and environment (set by the tests). */
const lambdaFunctions = new Map<string, { fn: BundledFunction; environment: () => Record<string, string> }>();
let tables: { directory: string; campaign: string; operations: string; audit: string };
let operations: DynamoOperationsStore;
let directory: DynamoDirectoryStore;
let work: string;

beforeAll(async () => {
  // bin/app.ts as `cdk synth` runs it, with cdk.json's context and the metadata the CLI asks for.
  const synth = await synthesizeBinApp({ ...CDK_JSON_CONTEXT, [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true, [PATH_METADATA_ENABLE_CONTEXT]: true });
  expect(synth.exitCode, synth.stderr).toBe(0);
  const functions = readBundledFunctions(synth.assemblyDir);
  expect(functions.map((fn) => fn.name).sort()).toEqual([
    'approver-api',
    'archive-evidence',
    'campaign-controller',
    'daily-operations',
    'emergency-access',
    'initialize-reapproval',
    'render-report-charts',
    'risk-assessment',
    'start-reapproval',
    'weekly-summary',
  ]);
  const named = (name: string) => functions.find((fn) => fn.name === name)!;
  controller = named('campaign-controller');
  approverApi = named('approver-api');
  riskAssessment = named('risk-assessment');
  dailyOperations = named('daily-operations');
  weeklySummary = named('weekly-summary');
  emergencyAccess = named('emergency-access');
  initializeReapproval = named('initialize-reapproval');
  startReapproval = named('start-reapproval');
  archiveEvidence = named('archive-evidence');
  reportCharts = named('render-report-charts');

  ses = await startSesEmulator();
  aws = await startFakeAws((query) =>
    query.MetricStat.Metric.MetricName === 'Errors' && query.MetricStat.Metric.Dimensions[0]?.Value === FAILING_FUNCTION ? 2 : 0,
  );
  // Lambda's Invoke runs the named function's bundle, in a process of its own, as any other here.
  evidenceAws = await startFakeEvidenceAws(async (functionName, event) => {
    const target = lambdaFunctions.get(functionName);
    if (!target) return { error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionName}` } };
    return runBundle(target.fn, target.environment(), eventFileOf(event));
  });
  work = mkdtempSync(join(tmpdir(), 'idgov-bundled-'));
  const fresh = await engine.freshTables();
  tables = fresh.names;
  operations = new DynamoOperationsStore({ doc: fresh.doc, tableName: tables.operations });
  // A small directory, and a campaign that starts today: the approver API decides at the wall clock.
  directory = new DynamoDirectoryStore({ doc: fresh.doc, tableName: tables.directory });
  const org = smallOrg();
  await directory.putUsers(org.users);
  await directory.putPrivileges(org.privileges);
  await directory.putAssignments(org.assignments);
  const today = new Date().toISOString().slice(0, 10);
  const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await createCampaign(
    { campaigns: new DynamoCampaignStore({ doc: fresh.doc, tableName: tables.campaign }), audit: new InMemoryAuditLog() },
    highRiskUserCampaign({ startDate: today, statusExpirationDate: later }),
    new Date(),
    CAMPAIGN_ID,
  );
}, 300_000);

afterAll(async () => {
  await ses?.stop();
  await aws?.stop();
  await evidenceAws?.stop();
});

/**
 * The function's environment from its template: literal values as they are, and for each value
 * CloudFormation resolves at deploy time (a table name, a parameter) the local value the test gives,
 * which must name exactly those variables. Plus what Lambda itself provides.
 */
function lambdaEnvironment(fn: BundledFunction, local: Record<string, string>): Record<string, string> {
  const deployTime = Object.keys(fn.environment).filter((name) => typeof fn.environment[name] !== 'string');
  expect(Object.keys(local).sort(), `${fn.name}: the variables CloudFormation resolves`).toEqual(deployTime.sort());
  return {
    ...(fn.environment as Record<string, string>),
    ...local,
    PATH: process.env.PATH ?? '',
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_ENDPOINT_URL_SNS: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    AWS_ENDPOINT_URL_S3: evidenceAws.endpoint,
    AWS_ENDPOINT_URL_KMS: evidenceAws.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: evidenceAws.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

const controllerEnvironment = (on = tables) =>
  lambdaEnvironment(controller, {
    DIRECTORY_TABLE_NAME: on.directory,
    CAMPAIGN_TABLE_NAME: on.campaign,
    OPERATIONS_TABLE_NAME: on.operations,
    AUDIT_TABLE_NAME: on.audit,
    SENDER_ADDRESS: SENDER,
    SES_CONFIGURATION_SET: '',
    APPROVER_PORTAL_URL: 'https://governance.example.com',
    ARCHIVE_EVIDENCE_FUNCTION_NAME: ARCHIVER_NAME,
  });

const archiveEvidenceEnvironment = (on: typeof tables) =>
  lambdaEnvironment(archiveEvidence, {
    DIRECTORY_TABLE_NAME: on.directory,
    CAMPAIGN_TABLE_NAME: on.campaign,
    AUDIT_TABLE_NAME: on.audit,
    REPORTS_BUCKET_NAME: REPORTS_BUCKET,
    EVIDENCE_KEY_ID: evidenceAws.keyArn,
    REPORT_CHARTS_FUNCTION_NAME: CHARTS_NAME,
  });

const reportChartsEnvironment = () => lambdaEnvironment(reportCharts, {});

const approverApiEnvironment = () =>
  lambdaEnvironment(approverApi, {
    DIRECTORY_TABLE_NAME: tables.directory,
    CAMPAIGN_TABLE_NAME: tables.campaign,
    AUDIT_TABLE_NAME: tables.audit,
    APPROVER_PORTAL_URL: 'https://governance.example.com',
  });

const riskAssessmentEnvironment = () =>
  lambdaEnvironment(riskAssessment, { DIRECTORY_TABLE_NAME: tables.directory, OPERATIONS_TABLE_NAME: tables.operations });

const reportDelivery = () => ({
  OPERATIONS_TABLE_NAME: tables.operations,
  OPERATIONS_TOPIC_ARN: OPERATIONS_TOPIC,
  OPERATIONS_RECIPIENTS: OPERATIONS_RECIPIENT,
  SENDER_ADDRESS: SENDER,
  SES_CONFIGURATION_SET: '',
});

const dailyOperationsEnvironment = () =>
  lambdaEnvironment(dailyOperations, {
    DIRECTORY_TABLE_NAME: tables.directory,
    CAMPAIGN_TABLE_NAME: tables.campaign,
    ...reportDelivery(),
    MONITORED_FUNCTIONS: JSON.stringify({ 'campaign-controller': FAILING_FUNCTION }),
    MONITORED_QUEUES: JSON.stringify({ 'campaign-controller': DEAD_LETTER_QUEUE }),
  });

const weeklySummaryEnvironment = () => lambdaEnvironment(weeklySummary, reportDelivery());

const initializeReapprovalEnvironment = () =>
  lambdaEnvironment(initializeReapproval, { DIRECTORY_TABLE_NAME: tables.directory, OPERATIONS_TABLE_NAME: tables.operations, AUDIT_TABLE_NAME: tables.audit });

const startReapprovalEnvironment = () =>
  lambdaEnvironment(startReapproval, {
    DIRECTORY_TABLE_NAME: tables.directory,
    CAMPAIGN_TABLE_NAME: tables.campaign,
    OPERATIONS_TABLE_NAME: tables.operations,
    AUDIT_TABLE_NAME: tables.audit,
    SENDER_ADDRESS: SENDER,
    SES_CONFIGURATION_SET: '',
    APPROVER_PORTAL_URL: 'https://governance.example.com',
  });

const emergencyAccessEnvironment = () =>
  lambdaEnvironment(emergencyAccess, { DIRECTORY_TABLE_NAME: tables.directory, OPERATIONS_TABLE_NAME: tables.operations, AUDIT_TABLE_NAME: tables.audit });

// As Lambda's Node.js runtime does: import the module, call the handler, answer its result, or
// { errorType, errorMessage } for an error it throws (what `aws lambda invoke` writes to its outfile).
const RUNTIME = `
import { readFile, writeFile } from 'node:fs/promises';
const [bundle, eventFile, outFile] = process.argv.slice(1);
const { handler } = await import(bundle);
const event = JSON.parse(await readFile(eventFile, 'utf8'));
let answer;
try {
  answer = await handler(event);
} catch (error) {
  answer = { errorType: error.name, errorMessage: error.message };
}
await writeFile(outFile, JSON.stringify(answer ?? null));
`;

// The same, for the fake Lambda: what the function returned, or the error it threw.
const LAMBDA_RUNTIME = `
import { readFile, writeFile } from 'node:fs/promises';
const [bundle, eventFile, outFile] = process.argv.slice(1);
const { handler } = await import(bundle);
const event = JSON.parse(await readFile(eventFile, 'utf8'));
let answer;
try {
  answer = { result: (await handler(event)) ?? null };
} catch (error) {
  answer = { error: { errorType: error.name, errorMessage: error.message } };
}
await writeFile(outFile, JSON.stringify(answer));
`;

let invocations = 0;
/** The files of events/ some test invoked a bundle with (the last test checks that none was left out). */
const documentedEventsInvoked = new Set<string>();

/** Invokes the bundle with the event in `eventFile` (relative to the repository, or absolute) and returns its answer. */
async function invoke<T>(fn: BundledFunction, environment: Record<string, string>, eventFile: string): Promise<T> {
  const outFile = join(work, `out-${++invocations}.json`);
  const fromRoot = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, eventFile));
  if (fromRoot.startsWith('events/')) documentedEventsInvoked.add(fromRoot);
  await runNode(process.execPath, ['--input-type=module', '-e', RUNTIME, fn.bundlePath, resolve(PROJECT_ROOT, eventFile), outFile], {
    cwd: work,
    env: environment,
    timeout: 60_000,
  });
  return JSON.parse(readFileSync(outFile, 'utf8')) as T;
}

/** Runs the bundle with the event in `eventFile` as Lambda's Invoke would: its result, or the error it threw. */
async function runBundle(fn: BundledFunction, environment: Record<string, string>, eventFile: string): Promise<FakeInvocation> {
  const outFile = join(work, `out-${++invocations}.json`);
  await runNode(process.execPath, ['--input-type=module', '-e', LAMBDA_RUNTIME, fn.bundlePath, eventFile, outFile], { cwd: work, env: environment, timeout: 120_000 });
  return JSON.parse(readFileSync(outFile, 'utf8')) as FakeInvocation;
}

/** An event that is not in events/, written to a file of its own. */
function eventFileOf(event: unknown): string {
  const file = join(work, `event-${++invocations}.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

interface ApiAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

describe('the bundled campaign controller', () => {
  it('answers {} with a run at the current time that prepares the due campaign and sends its mail', async () => {
    const before = Date.now();
    const report = await invoke<ControllerReport>(controller, controllerEnvironment(), 'events/campaign-controller/manual-empty.json');
    const after = Date.now();
    expect(report).toMatchObject({ status: 'COMPLETED', errors: [] });
    expect(Date.parse(report.now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(report.now)).toBeLessThanOrEqual(after);
    expect(report.transitions.filter((t) => t.campaignId === CAMPAIGN_ID).at(-1)).toMatchObject({ to: 'RUNNING' });
    // Through SES (the emulator): Approval Start to m1 and m2, Campaign Start and No Approver to the owner.
    expect(report.dispatch?.sent).toBeGreaterThanOrEqual(4);
    const mail = await ses.mailbox();
    expect(mail.map((m) => m.to[0])).toEqual(expect.arrayContaining(['m1@example.com', 'm2@example.com', 'admin@example.com']));
    expect(new Set(mail.map((m) => m.from))).toEqual(new Set([SENDER]));
    // The run is recorded: the heartbeat the daily report checks.
    const heartbeat = (await operations.getHeartbeats(['campaign-controller'])).get('campaign-controller');
    expect(heartbeat?.lastCompleted).toMatchObject({ outcome: 'SUCCEEDED', scheduledFor: report.now });
  });

  it.each([
    ['events/campaign-controller/scheduled.json', '2026-07-01T06:00:00.000Z'],
    ['events/campaign-controller/manual-now.json', '2026-07-01T06:00:00.000Z'],
    // What a run out of time budget sends itself: the same instant (nothing left here, so no further continuation).
    ['events/campaign-controller/continuation.json', '2026-07-01T06:00:00.000Z'],
  ])('answers %s with a report of a run at its instant', async (eventFile, now) => {
    const report = await invoke<ControllerReport>(controller, controllerEnvironment(), eventFile);
    expect(report).toMatchObject({ status: 'COMPLETED', now, errors: [] });
  });

  it('refuses any other event with a ValidationError naming the field', async () => {
    const env = controllerEnvironment();
    expect(await invoke(controller, env, eventFileOf({ now: 'yesterday' }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: expect.stringMatching(/^event\.now: must be an ISO 8601 date/),
    });
    expect(await invoke(controller, env, eventFileOf({ foo: 1 }))).toEqual({ errorType: 'ValidationError', errorMessage: 'event.foo: unknown field' });
    const { time: _time, ...untimed } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events/campaign-controller/scheduled.json'), 'utf8'));
    expect(await invoke(controller, env, eventFileOf(untimed))).toEqual({
      errorType: 'ValidationError',
      errorMessage: expect.stringMatching(/^event\.time: /),
    });
  });
});

describe('the bundled approver API', () => {
  it("answers list-tasks.json with the approver's open tasks", async () => {
    const answer = await invoke<ApiAnswer>(approverApi, approverApiEnvironment(), 'events/approver-api/list-tasks.json');
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body);
    expect(body.caller).toEqual({ id: 'm1', displayName: 'Name m1' });
    expect(body.tasks).toHaveLength(1);
    expect(body.tasks[0]).toMatchObject({ entryId: entryOf(CAMPAIGN_ID, 'u1'), subjectId: 'u1', openItemCount: 3 });
    expect(body.tasks[0].openItems.map((i: { id: string }) => i.id).sort()).toEqual(['p-fin', 'p-git', 'p-prod']);
  });

  it('answers decide.json by recording the decision, and a bad body with 400 naming the field', async () => {
    const event = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events/approver-api/decide.json'), 'utf8'));
    expect(event.rawPath).toBe(`/entries/${entryOf(CAMPAIGN_ID, 'u1')}/decisions`);
    const env = approverApiEnvironment();

    const refused = await invoke<ApiAnswer>(approverApi, env, eventFileOf({ ...event, body: JSON.stringify({ decisions: [{ itemId: 'p-fin', outcome: 'MAYBE' }] }) }));
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({
      error: { code: 'VALIDATION', field: 'decisions.0.outcome', message: 'decisions.0.outcome: Invalid option: expected one of "APPROVE"|"REJECT"|"MODIFY"' },
    });

    const answer = await invoke<ApiAnswer>(approverApi, env, 'events/approver-api/decide.json');
    expect(answer.statusCode).toBe(200);
    const tasks = JSON.parse((await invoke<ApiAnswer>(approverApi, env, 'events/approver-api/list-tasks.json')).body).tasks;
    expect(tasks[0].openItems.map((i: { id: string }) => i.id).sort()).toEqual(['p-git', 'p-prod']);
  });
});

const today = () => new Date().toISOString().slice(0, 10);

interface RiskAnswer {
  date: string;
  users: number;
}
interface DailyAnswer {
  report: DailyReport;
  delivered: string[];
}
interface WeeklyAnswer {
  summary: WeeklySummary;
  delivered: string[];
}

describe('the bundled daily operations jobs', () => {
  // In order: the assessment the report reads, the report, then the summary of its week.
  it.each([
    ['events/risk-assessment/scheduled.json', '2026-07-02'],
    ['events/risk-assessment/manual-now.json', '2026-07-02'],
    ['events/risk-assessment/manual-empty.json', 'today'],
  ])('risk-assessment answers %s with the assessment of every user as of %s', async (eventFile, date) => {
    const answer = await invoke<RiskAnswer>(riskAssessment, riskAssessmentEnvironment(), eventFile);
    expect(answer).toMatchObject({ date: date === 'today' ? today() : date, users: smallOrg().users.length });
    const heartbeat = (await operations.getHeartbeats(['risk-assessment'])).get('risk-assessment');
    expect(heartbeat?.lastCompleted?.outcome).toBe('SUCCEEDED');
  });

  it('daily-operations answers scheduled.json with the report: measured on CloudWatch, published, mailed, stored', async () => {
    await ses.clear();
    const answer = await invoke<DailyAnswer>(dailyOperations, dailyOperationsEnvironment(), 'events/daily-operations/scheduled.json');
    expect(answer.report.date).toBe('2026-07-02');
    expect([...answer.delivered].sort()).toEqual(['mail', 'topic']);
    // Health from the (fake) CloudWatch: the monitored function's errors, its dead-letter queue, the tables.
    expect(answer.report.health).toMatchObject({ status: 'DEGRADED', source: 'cloudwatch' });
    const components = new Map(answer.report.health.components.map((c) => [c.name, c]));
    expect(components.get('function:campaign-controller')).toMatchObject({ status: 'DEGRADED', reason: expect.stringContaining('2 errors') });
    expect(components.get('queue:campaign-controller')).toMatchObject({ status: 'HEALTHY' });
    expect(components.get('table:operations')).toMatchObject({ status: 'HEALTHY' });
    const asked = aws.metricQueries.flat().map((q) => `${q.MetricStat.Metric.MetricName}:${q.MetricStat.Metric.Dimensions[0]?.Value}`);
    expect(asked.sort()).toEqual([`ApproximateNumberOfMessagesVisible:${DEAD_LETTER_QUEUE}`, `Errors:${FAILING_FUNCTION}`, `Throttles:${FAILING_FUNCTION}`]);
    // Published to the topic the environment names, mailed (text and HTML) to the recipients.
    expect(aws.published).toHaveLength(1);
    expect(aws.published[0]).toMatchObject({ TopicArn: OPERATIONS_TOPIC, Subject: expect.stringContaining('2026-07-02') });
    const mail = await ses.mailbox();
    expect(mail.map((m) => [m.from, m.to])).toEqual([[SENDER, [OPERATIONS_RECIPIENT]]]);
    expect(mail[0]!.html).toContain('<html');
    expect((await operations.getReport('daily', '2026-07-02'))?.report.date).toBe('2026-07-02');
  });

  it('daily-operations answers manual-now.json (the same date) by replacing the report and delivering nothing twice', async () => {
    const answer = await invoke<DailyAnswer>(dailyOperations, dailyOperationsEnvironment(), 'events/daily-operations/manual-now.json');
    expect(answer.report.date).toBe('2026-07-02');
    expect(answer.delivered).toEqual([]);
    expect(aws.published).toHaveLength(1);
    expect((await operations.getReport('daily', '2026-07-02'))?.report.generatedAt).toBe(answer.report.generatedAt);
  });

  it('daily-operations answers manual-empty.json with the report of today', async () => {
    const answer = await invoke<DailyAnswer>(dailyOperations, dailyOperationsEnvironment(), 'events/daily-operations/manual-empty.json');
    expect(answer.report.date).toBe(today());
    expect([...answer.delivered].sort()).toEqual(['mail', 'topic']);
  });

  it('weekly-summary answers scheduled.json with the week to Monday 2026-07-06, its daily report of 2026-07-02 included', async () => {
    const answer = await invoke<WeeklyAnswer>(weeklySummary, weeklySummaryEnvironment(), 'events/weekly-summary/scheduled.json');
    expect(answer.summary.date).toBe('2026-07-06');
    expect(answer.summary.dates).toContain('2026-07-02');
    expect(answer.summary.missingDates).not.toContain('2026-07-02');
    expect([...answer.delivered].sort()).toEqual(['mail', 'topic']);
    expect(aws.published.at(-1)).toMatchObject({ TopicArn: OPERATIONS_TOPIC });
  });

  it.each([
    ['events/weekly-summary/manual-now.json', '2026-07-06', []],
    ['events/weekly-summary/manual-empty.json', 'the latest Monday', ['mail', 'topic']],
  ])('weekly-summary answers %s with the summary of %s, delivered %j', async (eventFile, date, delivered) => {
    const answer = await invoke<WeeklyAnswer>(weeklySummary, weeklySummaryEnvironment(), eventFile);
    // A summary belongs to its week: the date of the weekly schedule's latest time (Monday 09:00).
    const latestMonday = () => utcDate(lastExpectedRun(DEFAULT_OPERATIONS_CONFIG.schedules['weekly-summary'], new Date()));
    expect(answer.summary.date).toBe(date === 'the latest Monday' ? latestMonday() : date);
    expect([...answer.delivered].sort()).toEqual(delivered);
  });

  it('each job refuses any other event with a ValidationError naming the field, and records no run', async () => {
    const runs = async () => (await Promise.all((['risk-assessment', 'daily-operations', 'weekly-summary'] as const).map((job) => operations.listRuns(job, 100)))).flat().length;
    const before = await runs();
    expect(await invoke(riskAssessment, riskAssessmentEnvironment(), eventFileOf({ now: 'yesterday' }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: expect.stringMatching(/^event\.now: must be an ISO 8601 date/),
    });
    expect(await invoke(dailyOperations, dailyOperationsEnvironment(), eventFileOf({ date: '2026-07-02' }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: 'event.date: unknown field',
    });
    expect(await invoke(weeklySummary, weeklySummaryEnvironment(), eventFileOf({ source: 'aws.events', 'detail-type': 'Scheduled Event' }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: expect.stringMatching(/^event\.time: /),
    });
    expect(await runs()).toBe(before);
  });

  it('a job without its environment fails naming the missing variables', async () => {
    const { OPERATIONS_TOPIC_ARN: _topic, MONITORED_QUEUES: _queues, ...partial } = dailyOperationsEnvironment();
    expect(await invoke(dailyOperations, partial, 'events/daily-operations/manual-empty.json')).toEqual({
      errorType: 'ValidationError',
      errorMessage: 'environment: OPERATIONS_TOPIC_ARN: must be set; MONITORED_QUEUES: must be set',
    });
  });
});

interface InitializeAnswer {
  privileges: number;
  initialized: number;
  continuous: number;
  scheduled: number;
}
interface StartAnswer {
  started: { continuous: number; scheduled: number };
  failed: number;
  dispatch: { sent: number; failed: number };
}

describe('the bundled re-approval jobs', () => {
  // p-git is re-approved every 30 days: u4's, approved on 2026-05-01, is due on 2026-05-31; u1's has
  // no date of its own, so it is due 30 days after its initialization.
  beforeAll(async () => {
    const org = smallOrg();
    await directory.putPrivileges(org.privileges.filter((p) => p.id === 'p-git').map((p) => ({ ...p, reapproval: { mode: 'CONTINUOUS' as const, intervalDays: 30 } })));
    await directory.putAssignments([{ userId: 'u4', privilegeId: 'p-git', origin: 'MANUAL', approvedAt: '2026-05-01T00:00:00.000Z', approvedBy: 'm2' }]);
  });

  it('initialize-reapproval answers scheduled.json by giving both flagged manual assignments their date, and the same instant again with nothing', async () => {
    const first = await invoke<InitializeAnswer>(initializeReapproval, initializeReapprovalEnvironment(), 'events/initialize-reapproval/scheduled.json');
    expect(first).toEqual({ privileges: 1, initialized: 2, continuous: 2, scheduled: 0, reset: 0 });
    expect((await directory.getAssignment('u1', 'p-git'))?.nextReapprovalAt).toBe('2026-08-01T00:00:00.000Z');
    expect((await directory.getAssignment('u4', 'p-git'))?.nextReapprovalAt).toBe('2026-05-31T00:00:00.000Z');
    const again = await invoke<InitializeAnswer>(initializeReapproval, initializeReapprovalEnvironment(), 'events/initialize-reapproval/manual-now.json');
    expect(again).toEqual({ privileges: 1, initialized: 0, continuous: 0, scheduled: 0, reset: 0 });
    const heartbeat = (await operations.getHeartbeats(['initialize-reapproval'])).get('initialize-reapproval');
    expect(heartbeat?.lastCompleted).toMatchObject({ outcome: 'SUCCEEDED', scheduledFor: '2026-07-02T05:00:00.000Z' });
  });

  it("start-reapproval answers scheduled.json by starting u4's re-approval and mailing its approver, and manual-now.json (the same instant) with nothing new", async () => {
    await ses.clear();
    const first = await invoke<StartAnswer>(startReapproval, startReapprovalEnvironment(), 'events/start-reapproval/scheduled.json');
    expect(first).toMatchObject({ started: { continuous: 1, scheduled: 0 }, failed: 0 });
    expect(first.dispatch.sent).toBeGreaterThanOrEqual(1);
    expect((await directory.getAssignment('u4', 'p-git'))?.reapproval).toMatchObject({ startedAt: '2026-07-02T06:00:00.000Z' });
    // The default workflow: p-git's owner m2 (u4 never approves their own access).
    const mail = await ses.mailbox();
    expect(mail.map((m) => [m.from, m.to[0]])).toContainEqual([SENDER, 'm2@example.com']);
    const again = await invoke<StartAnswer>(startReapproval, startReapprovalEnvironment(), 'events/start-reapproval/manual-now.json');
    expect(again).toMatchObject({ started: { continuous: 0, scheduled: 0 }, dispatch: { sent: 0 } });
    expect(await ses.mailbox()).toHaveLength(mail.length);
  });

  it('both answer manual-empty.json with a run at the current time, recorded as their heartbeat', async () => {
    for (const [fn, environment, job] of [
      [initializeReapproval, initializeReapprovalEnvironment(), 'initialize-reapproval'],
      [startReapproval, startReapprovalEnvironment(), 'start-reapproval'],
    ] as const) {
      const before = Date.now();
      await invoke(fn, environment, `events/${job}/manual-empty.json`);
      const completed = (await operations.getHeartbeats([job])).get(job)?.lastCompleted;
      expect(completed?.outcome).toBe('SUCCEEDED');
      expect(Date.parse(completed!.scheduledFor)).toBeGreaterThanOrEqual(before - 1_000);
    }
  });

  it('each refuses any other event naming the field, and fails naming a missing variable', async () => {
    expect(await invoke(startReapproval, startReapprovalEnvironment(), eventFileOf({ now: '2026-07-02', dryRun: true }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: 'event.dryRun: unknown field',
    });
    const { SENDER_ADDRESS: _sender, ...partial } = startReapprovalEnvironment();
    expect(await invoke(startReapproval, partial, 'events/start-reapproval/manual-empty.json')).toEqual({
      errorType: 'ValidationError',
      errorMessage: 'environment: SENDER_ADDRESS: must be set',
    });
  });
});

describe('the bundled emergency access removal', () => {
  it('refuses an event without a reason, naming it, and removes nothing', async () => {
    expect(await invoke(emergencyAccess, emergencyAccessEnvironment(), eventFileOf({ userId: 'u1', requestedBy: 'secops@example.com' }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: 'event.reason: is required',
    });
    expect(await operations.listRemovals('u1')).toEqual([]);
  });

  it("answers revoke.json by removing every manual assignment of u1, each recorded with who and why", async () => {
    const event = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events/emergency-access/revoke.json'), 'utf8'));
    const answer = await invoke<{ userId: string; removed: { privilegeId: string }[] }>(emergencyAccess, emergencyAccessEnvironment(), 'events/emergency-access/revoke.json');
    expect(answer.userId).toBe('u1');
    expect(answer.removed.map((r) => r.privilegeId).sort()).toEqual(['p-fin', 'p-git', 'p-prod']);
    expect((await directory.listAssignmentsOfUser('u1')).map((a) => [a.privilegeId, a.origin])).toEqual([['p-mail', 'RULE']]);
    const removals = await operations.listRemovals('u1');
    expect(removals).toHaveLength(3);
    for (const removal of removals) expect(removal).toMatchObject({ removedBy: event.requestedBy, reason: event.reason });
  });
});

/** Stores on fresh tables of the local engine, for a run of the evidence functions. */
async function evidenceStores() {
  const fresh = await engine.freshTables();
  const { doc, names } = fresh;
  return {
    names,
    campaigns: new DynamoCampaignStore({ doc, tableName: names.campaign }),
    outbox: new DynamoOutbox({ doc, tableName: names.campaign }),
    approvals: new DynamoApprovalStore({ doc, tableName: names.campaign }),
    audit: new DynamoAuditLog(doc, names.audit),
  };
}

/** The pack the fake S3 holds under `prefix`, by file name. */
const storedPack = (prefix: string) => new Map(PACK_FILES.map((name) => [name, evidenceAws.objects.get(`${REPORTS_BUCKET}/${prefix}/${name}`)!]));

describe('the bundled evidence archiver and chart renderer', () => {
  let stores: Awaited<ReturnType<typeof evidenceStores>>;
  let run: { campaign: Campaign };
  const prefix = evidencePrefix(ARCHIVED_CAMPAIGN, `${ARCHIVED_CAMPAIGN}#1`);

  beforeAll(async () => {
    stores = await evidenceStores();
    // A DELETED run whose Approval Start is not sent yet.
    run = await settledRun({ campaignId: ARCHIVED_CAMPAIGN, unsent: true, stores });
    lambdaFunctions.set(CHARTS_NAME, { fn: reportCharts, environment: reportChartsEnvironment });
  });

  it('answers archive.json with WAITING while a notification of the run is unsent, and writes nothing', async () => {
    expect(await invoke(archiveEvidence, archiveEvidenceEnvironment(stores.names), 'events/archive-evidence/archive.json')).toEqual({ status: 'WAITING' });
    expect(evidenceAws.puts).toEqual([]);
  });

  it('answers archive.json, once the run is settled, with where its pack is: signed by KMS, verifiable, its charts drawn by render-report-charts, recorded once', async () => {
    await sendAll(stores.outbox, run.campaign);
    const env = archiveEvidenceEnvironment(stores.names);
    const evidence = await invoke<ArchivedEvidence>(archiveEvidence, env, 'events/archive-evidence/archive.json');
    expect(evidence).toMatchObject({ prefix, location: `s3://${REPORTS_BUCKET}/${prefix}/`, headSeq: 3 });
    expect(evidenceAws.puts).toEqual(PACK_FILES.map((name) => `${REPORTS_BUCKET}/${prefix}/${name}`));
    expect(await verifyEvidencePack(storedPack(prefix), evidenceAws.publicKeyPem)).toMatchObject({ ok: true, manifest: { signature: { keyId: evidenceAws.keyArn } } });
    // The page's two charts, drawn by the chart function from the rows the archiver sent it.
    const html = new TextDecoder().decode(storedPack(prefix).get('report.html'));
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(evidenceAws.invocations.map((i) => i.functionName)).toEqual([CHARTS_NAME]);
    expect((evidenceAws.invocations[0]!.event as ReportChartData).perApprover.map((row) => row.approver)).toContain('u-manager');
    const events = (await collect(stores.audit.listRecords(runChain(`${ARCHIVED_CAMPAIGN}#1`)))).flatMap((record) => record.events.map((e) => e.type));
    expect(events.at(-1)).toBe('EVIDENCE_ARCHIVED');

    // Again (a controller run killed before it recorded the answer): the same answer, nothing written or recorded twice.
    expect(await invoke(archiveEvidence, env, eventFileOf({ campaignId: ARCHIVED_CAMPAIGN, runId: `${ARCHIVED_CAMPAIGN}#1`, now: '2026-09-01T00:00:00Z' }))).toEqual(evidence);
    expect(evidenceAws.puts).toHaveLength(PACK_FILES.length);
    expect((await collect(stores.audit.listRecords(runChain(`${ARCHIVED_CAMPAIGN}#1`)))).flatMap((r) => r.events).filter((e) => e.type === 'EVIDENCE_ARCHIVED')).toHaveLength(1);
  });

  it('refuses a bad event naming the field, and an unknown campaign, writing nothing', async () => {
    const env = archiveEvidenceEnvironment(stores.names);
    expect(await invoke(archiveEvidence, env, eventFileOf({}))).toEqual({ errorType: 'ValidationError', errorMessage: 'event.campaignId: is required' });
    expect(await invoke(archiveEvidence, env, eventFileOf({ campaignId: ARCHIVED_CAMPAIGN, force: true }))).toEqual({ errorType: 'ValidationError', errorMessage: 'event.force: unknown field' });
    expect(await invoke(archiveEvidence, env, eventFileOf({ campaignId: 'c-nope' }))).toEqual({ errorType: 'NotFoundError', errorMessage: 'campaign c-nope not found' });
    expect(evidenceAws.puts).toHaveLength(PACK_FILES.length);
  });

  it('render-report-charts answers charts.json with both charts, the same SVG as drawn in process, and refuses bad rows naming the field', async () => {
    const event = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events/render-report-charts/charts.json'), 'utf8')) as ReportChartData;
    const charts = await invoke<Record<string, unknown>>(reportCharts, reportChartsEnvironment(), 'events/render-report-charts/charts.json');
    expect(charts).toEqual(await drawReportCharts(event));
    expect(charts.decisionsOverTime).toMatch(/^<svg /);
    expect(charts.decisionsPerApprover).toMatch(/^<svg /);
    expect(await invoke(reportCharts, reportChartsEnvironment(), eventFileOf({ ...event, overTimeWidth: 'wide' }))).toEqual({
      errorType: 'ValidationError',
      errorMessage: expect.stringMatching(/^event\.overTimeWidth: /),
    });
  });

  it("the controller archives an expired run through the archive-evidence function and records where on the campaign", async () => {
    const other = await evidenceStores();
    const expired = await settledRun({ campaignId: 'c-expired', stores: other });
    lambdaFunctions.set(ARCHIVER_NAME, { fn: archiveEvidence, environment: () => archiveEvidenceEnvironment(other.names) });
    const before = evidenceAws.invocations.length;
    const answer = await invoke<unknown>(controller, controllerEnvironment(other.names), eventFileOf({ now: '2026-09-01T00:00:00Z' }));
    // The archive step went through. (What follows it, the cleanup, appends CAMPAIGN_CLEANED_UP to the
    // controller's audit log: not what this test is about.)
    expect(JSON.stringify(answer)).not.toMatch(/archive|evidence/i);
    // The controller invoked the archiver with the run and its business time; the archiver the chart renderer.
    expect(evidenceAws.invocations.slice(before)).toEqual([
      { functionName: ARCHIVER_NAME, event: { campaignId: 'c-expired', runId: 'c-expired#1', now: '2026-09-01T00:00:00.000Z' } },
      { functionName: CHARTS_NAME, event: expect.objectContaining({ approversLeftOut: 0 }) },
    ]);
    const expiredPrefix = evidencePrefix('c-expired', 'c-expired#1');
    const campaign = await other.campaigns.getCampaign(expired.campaign.id);
    expect(campaign?.evidence).toMatchObject({ prefix: expiredPrefix, location: `s3://${REPORTS_BUCKET}/${expiredPrefix}/`, archivedAt: '2026-09-01T00:00:00.000Z' });
    expect(await verifyEvidencePack(storedPack(expiredPrefix), evidenceAws.publicKeyPem)).toMatchObject({ ok: true });
  });

  it('the controller fails naming the archiver, and deletes nothing of the run, when the function cannot be invoked', async () => {
    const other = await evidenceStores();
    await settledRun({ campaignId: 'c-unarchived', stores: other });
    lambdaFunctions.delete(ARCHIVER_NAME);
    // The run fails (the schedule's retry and dead-letter queue see it), naming the function, the run and why.
    expect(await invoke(controller, controllerEnvironment(other.names), eventFileOf({ now: '2026-09-01T00:00:00Z' }))).toEqual({
      errorType: 'Error',
      errorMessage: `the archive-evidence function ${ARCHIVER_NAME} (campaign c-unarchived, run c-unarchived#1) failed: ResourceNotFoundException: Function not found: ${ARCHIVER_NAME}`,
    });
    const campaign = await other.campaigns.getCampaign('c-unarchived');
    expect(campaign?.evidence).toBeUndefined();
    expect(await collect(other.campaigns.listEntries('c-unarchived#1'))).toHaveLength(1);
  });
});

describe('events/', () => {
  // Runs last (vitest runs a file's tests in order): a new documented event gets a test or fails here.
  it('holds no event that no test above invoked its bundle with', () => {
    const documented = readdirSync(join(PROJECT_ROOT, 'events'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => relative(PROJECT_ROOT, join(entry.parentPath, entry.name)))
      .sort();
    expect(documented.length).toBeGreaterThanOrEqual(15);
    expect([...documentedEventsInvoked].sort()).toEqual(documented);
  });
});
