// The daily operations commands on a deployed stack (`idgov --aws …`), in-process with the AWS clients
// mocked: the jobs and the emergency removal run in their deployed functions (Lambda Invoke, nothing
// read or written here), the reports are read from the deployment's operations table, and a
// deployment without these outputs (deployed before them) is refused naming the missing output.
import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { REGION, statefulOutputs, statelessOutputs, writeOutputsFile } from '../../support/cdk-outputs.js';

const lambda = mockClient(LambdaClient);
const ddb = mockClient(DynamoDBDocumentClient);

/** A deployment with the daily operations functions' outputs. */
const FUNCTIONS = {
  RiskAssessmentFunctionName: 'IdGovStateless-RiskAssessmentFunction1A2B-AbC123',
  DailyOperationsFunctionName: 'IdGovStateless-DailyOperationsFunction3C4D-DeF456',
  WeeklySummaryFunctionName: 'IdGovStateless-WeeklySummaryFunction5E6F-GhI789',
  EmergencyAccessFunctionName: 'IdGovStateless-EmergencyAccessFunction7A8B-JkL012',
};
const OPERATIONS_TABLE = statefulOutputs().OperationsTableName;
const currentOutputs = () => ({
  IdGovStateful: statefulOutputs(),
  IdGovStateless: { ...statelessOutputs(), ...FUNCTIONS },
});
/** A deployment made before the daily operations: no operations table, no job functions. */
const olderOutputs = () => {
  const { OperationsTableName: _table, ...stateful } = statefulOutputs();
  return { IdGovStateful: stateful, IdGovStateless: withoutFunctions() };
};
/** A deployment with the operations table, made before the job functions. */
const withoutFunctions = () =>
  Object.fromEntries(Object.entries(statelessOutputs()).filter(([key]) => !Object.keys(FUNCTIONS).includes(key)));

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
const sentEvent = () => JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array));

async function idgov(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(['node', 'idgov', ...args]);
    return { code, stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

beforeEach(() => {
  lambda.reset();
  ddb.reset();
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  vi.stubEnv('IDGOV_DEBUG', '');
});
afterEach(() => vi.unstubAllEnvs());

const ASSESSMENT = { date: '2026-07-03', users: 5, usersByLevel: { LOW: 2, MEDIUM: 0, HIGH: 1, CRITICAL: 2 }, sodConflicts: 1, orphanedAccess: 1, resumed: false };

describe('idgov --aws job run', () => {
  it("invokes the job's deployed function with the manual event and prints its result", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(ASSESSMENT) });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(currentOutputs()), 'job', 'run', 'risk-assessment', '--now', '2026-07-03T07:30:00Z');
    expect(result).toEqual({
      code: 0,
      stdout: 'risk-assessment of 2026-07-03: 5 users (LOW 2, MEDIUM 0, HIGH 1, CRITICAL 2); 1 SoD conflict, 1 user with orphaned access\n',
      stderr: 'the job ran in the deployed function: SNS and SES delivered what it sent\n',
    });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FUNCTIONS.RiskAssessmentFunctionName, InvocationType: 'RequestResponse' });
    expect(sentEvent()).toEqual({ now: '2026-07-03T07:30:00.000Z' });
    // The job read and wrote with the function's role, not with the operator's credentials.
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('sends {} without --now, and prints the result as JSON with --json', async () => {
    const answer = { summary: { date: '2026-07-06', dates: [], missingDates: [] }, delivered: ['topic', 'mail'] };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(answer) });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(currentOutputs()), 'job', 'run', 'weekly-summary', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ job: 'weekly-summary', result: answer });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FUNCTIONS.WeeklySummaryFunctionName });
    expect(sentEvent()).toEqual({});
  });

  it('exits 1 when the function fails or answers something else than its result', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'Error', errorMessage: 'SES refused the sender' }) })
      .resolvesOnce({ StatusCode: 200, Payload: payload({ date: '2026-07-03' }) });
    const outputs = writeOutputsFile(currentOutputs());
    const failed = await idgov('--aws', '--outputs', outputs, 'job', 'run', 'daily-operations', '--now', '2026-07-03T08:00:00Z');
    expect(failed).toEqual({ code: 1, stdout: '', stderr: `idgov: the daily-operations function ${FUNCTIONS.DailyOperationsFunctionName} failed: Error: SES refused the sender\n` });
    const odd = await idgov('--aws', '--outputs', outputs, 'job', 'run', 'daily-operations', '--now', '2026-07-03T08:00:00Z');
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/^idgov: the daily-operations function \S+ answered with something that is not a daily operations result \(report: /);
  });

  it('refuses a deployment without the function, naming the output, and invokes nothing', async () => {
    const outputs = writeOutputsFile({ IdGovStateful: statefulOutputs(), IdGovStateless: withoutFunctions() });
    const result = await idgov('--aws', '--outputs', outputs, 'job', 'run', 'daily-operations', '--now', '2026-07-03T08:00:00Z');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `idgov: outputs: ${outputs}: stack IdGovStateless has no output DailyOperationsFunctionName (deploy the current version: npx cdk deploy --all)\n`,
    );
    expect(lambda).not.toHaveReceivedAnyCommand();
  });
});

describe('idgov --aws emergency revoke', () => {
  const removal = {
    userId: 'dave',
    privilegeId: 'p-ledger',
    origin: 'MANUAL',
    approvedAt: '2025-01-10T00:00:00.000Z',
    removedAt: '2026-07-03T12:00:00.000Z',
    removedBy: 'ops-lead',
    reason: 'left the company',
    requestId: '5f0e1a2b-0000-4000-8000-000000000000',
    status: 'REMOVED',
    completedAt: '2026-07-03T12:00:01.000Z',
  };

  it('invokes the emergency-access function with its event and prints each removal', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ userId: 'dave', removed: [removal], alreadyRecorded: 0, notRemoved: [] }) });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(currentOutputs()), 'emergency', 'revoke', '--user', 'dave', '--reason', 'left the company', '--by', 'ops-lead');
    expect(result).toEqual({
      code: 0,
      stdout:
        'removed p-ledger of dave (MANUAL, granted 2025-01-10T00:00:00Z), asked at 2026-07-03T12:00:00Z by ops-lead: left the company\n' +
        '1 manual assignment of dave removed\n',
      stderr: '',
    });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FUNCTIONS.EmergencyAccessFunctionName, InvocationType: 'RequestResponse' });
    expect(sentEvent()).toEqual({ userId: 'dave', reason: 'left the company', requestedBy: 'ops-lead' });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('requires --by with --aws (a production removal names a person, not idgov-cli), invoking nothing without it', async () => {
    const result = await idgov('--aws', '--outputs', writeOutputsFile(currentOutputs()), 'emergency', 'revoke', '--user', 'dave', '--reason', 'left');
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^idgov: by: is required with --aws/) });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it("refuses --now (the function's clock says when) and passes on the function's refusal", async () => {
    const outputs = writeOutputsFile(currentOutputs());
    const withNow = await idgov('--aws', '--outputs', outputs, 'emergency', 'revoke', '--user', 'dave', '--reason', 'left', '--now', '2026-07-03T12:00:00Z');
    expect(withNow).toMatchObject({ code: 2, stderr: expect.stringMatching(/^idgov: now: only for local runs/) });
    expect(lambda).not.toHaveReceivedAnyCommand();

    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'NotFoundError', errorMessage: 'user dave not found' }) });
    const unknown = await idgov('--aws', '--outputs', outputs, 'emergency', 'revoke', '--user', 'dave', '--reason', 'left', '--by', 'ops-lead');
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: `idgov: the emergency-access function ${FUNCTIONS.EmergencyAccessFunctionName} failed: NotFoundError: user dave not found\n` });
  });
});

describe('idgov --aws report and config', () => {
  it("read the deployment's operations table", async () => {
    const report = { date: '2026-07-03', compliance: { score: 75 } };
    ddb.on(GetCommand).resolves({ Item: { PK: 'REPORT#DAILY', SK: '2026-07-03', report, deliveries: {} } });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(currentOutputs()), 'report', 'daily', '--date', '2026-07-03', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(report);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: OPERATIONS_TABLE, Key: { PK: 'REPORT#DAILY', SK: '2026-07-03' } });
  });

  it('refuse a deployment without the operations table, naming the output', async () => {
    const outputs = writeOutputsFile(olderOutputs());
    const result = await idgov('--aws', '--outputs', outputs, 'config', 'show');
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `idgov: outputs: ${outputs}: stack IdGovStateful has no output OperationsTableName (deploy the current version: npx cdk deploy --all)\n`,
    });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
