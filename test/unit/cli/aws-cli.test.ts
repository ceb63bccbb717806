// `idgov --aws …` in-process (runCli), with the AWS clients mocked: what an operator sees (stdout,
// stderr, exit code) and exactly what is sent to CloudFormation, Lambda and DynamoDB.
import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient, TooManyRequestsException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ControllerReport } from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { runCli } from '../../../src/cli/main.js';
import { cdkOutputs, describedStack, REGION, statefulOutputs, statelessOutputs, writeOutputsFile } from '../../support/cdk-outputs.js';

const cloudFormation = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const ddb = mockClient(DynamoDBDocumentClient);

const CONTROLLER = statelessOutputs().CampaignControllerFunctionName;
const NOW = '2026-07-01T09:30:00Z';
const REPORT: ControllerReport = {
  status: 'COMPLETED',
  now: '2026-07-01T09:30:00.000Z',
  transitions: [{ campaignId: 'c-fin', from: 'PREPARING', to: 'RUNNING' }],
  errors: [{ campaignId: 'c-hr', message: 'findApprovers hook failed' }],
  dispatch: { sent: 12, failed: 0, retrying: 1, skipped: 0 },
};
const REPORT_TEXT = [
  'controller run at 2026-07-01T09:30:00Z: COMPLETED',
  '  c-fin: PREPARING -> RUNNING',
  '  error in c-hr: findApprovers hook failed',
  '  notifications: 12 sent, 1 to retry, 0 failed',
  '',
].join('\n');

const payload = (text: string) => new TextEncoder().encode(text) as unknown as InvokeCommandOutput['Payload'];
const sentEvent = () => JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array));

/** Runs `idgov ARGS` in this process; returns the exit code and what it wrote. */
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
  cloudFormation.reset();
  lambda.reset();
  ddb.reset();
  vi.stubEnv('AWS_REGION', REGION);
  // As bin/idgov.mjs sets it: the SDK's notice about Node versions is not the CLI's output.
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  vi.stubEnv('IDGOV_DEBUG', '');
  vi.stubEnv('DIRECTORY_TABLE_NAME', undefined);
  vi.stubEnv('CAMPAIGN_TABLE_NAME', undefined);
});
afterEach(() => vi.unstubAllEnvs());

describe('idgov --aws --outputs FILE controller run', () => {
  it('invokes the deployed controller with the manual event and prints its report as a local run does', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });

    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'controller', 'run', '--now', NOW);

    expect(result).toEqual({ code: 0, stdout: REPORT_TEXT, stderr: 'mail was sent through Amazon SES\n' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: CONTROLLER, InvocationType: 'RequestResponse' });
    expect(sentEvent()).toEqual({ now: '2026-07-01T09:30:00.000Z' });
    // Nothing ran here: the job's reads and writes are the function's, with its role.
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
  });

  it('prints the report as JSON with --json', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'controller', 'run', '--now', NOW, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(REPORT);
  });

  it('exits 1 with the function error when the controller function fails', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorType":"ConflictError","errorMessage":"campaign c-fin changed while it was being prepared","trace":[]}'),
    });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'controller', 'run', '--now', NOW);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `idgov: the controller function ${CONTROLLER} failed: ConflictError: campaign c-fin changed while it was being prepared\n`,
    });
  });

  it('exits 1 saying the invoke was throttled and what to do', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: { httpStatusCode: 429 } }));
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'controller', 'run', '--now', NOW);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `idgov: the controller function ${CONTROLLER} was throttled (Rate Exceeded.), also after the SDK's retries: another run probably ` +
        'holds its concurrency (the hourly schedule, or another operator). Wait a few minutes and run it again; the next scheduled run does the same work.\n',
    );
  });

  it('exits 1 when the answer is not a report', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"statusCode":200}') });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'controller', 'run', '--now', NOW);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^idgov: the controller function ${CONTROLLER} answered with something that is not a controller report \\(now: .*\\): \\{"statusCode":200\\}\\n$`));
  });

  it('exits 2 naming the output the file lacks, and invokes nothing', async () => {
    const outputs = cdkOutputs();
    delete (outputs.IdGovStateless as Record<string, string>).CampaignControllerFunctionName;
    const file = writeOutputsFile(outputs);
    const result = await idgov('--aws', '--outputs', file, 'controller', 'run', '--now', NOW);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `idgov: outputs: ${file}: stack IdGovStateless has no output CampaignControllerFunctionName (deploy the current version: npx cdk deploy --all)\n`,
    });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it('exits 2 naming a file that is not JSON', async () => {
    const file = writeOutputsFile('IdGovStateful.DirectoryTableName = x');
    const result = await idgov('--aws', '--outputs', file, 'controller', 'run', '--now', NOW);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^idgov: outputs: .*cdk-outputs\.json is not JSON \(/);
  });
});

describe('idgov --aws without --outputs: the stacks read with DescribeStacks', () => {
  it('invokes the function named by the stateless stack', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'IdGovStateful' })
      .resolves(describedStack('IdGovStateful', statefulOutputs()))
      .on(DescribeStacksCommand, { StackName: 'IdGovStateless' })
      .resolves(describedStack('IdGovStateless', statelessOutputs()));
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });

    const result = await idgov('--aws', 'controller', 'run', '--now', NOW);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(REPORT_TEXT);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'IdGovStateful' });
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'IdGovStateless' });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: CONTROLLER, InvocationType: 'RequestResponse' });
  });

  it('reads the renamed stacks with --stack-prefix', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'AcmeStateful' })
      .resolves(describedStack('AcmeStateful', statefulOutputs('AcmeStateful')))
      .on(DescribeStacksCommand, { StackName: 'AcmeStateless' })
      .resolves(describedStack('AcmeStateless', statelessOutputs('AcmeStateless')));
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });

    const result = await idgov('--aws', '--stack-prefix', 'Acme', 'controller', 'run', '--now', NOW);

    expect(result.code).toBe(0);
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName).sort()).toEqual(['AcmeStateful', 'AcmeStateless']);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: statelessOutputs('AcmeStateless').CampaignControllerFunctionName });
  });

  it('exits 2 saying which stack does not exist and what to try', async () => {
    cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
      throw new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        message: `Stack with id ${input.StackName} does not exist`,
        $metadata: { httpStatusCode: 400 },
      });
    });
    const result = await idgov('--aws', 'controller', 'run', '--now', NOW);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `idgov: stack IdGovStateful does not exist in ${REGION} (deployed in another region? set AWS_REGION; renamed? give --stack-prefix; ` +
        'or give --outputs FILE from `cdk deploy --outputs-file FILE`)\n',
    });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it('refuses --stack-prefix without --aws, and a prefix that cannot name a stack', async () => {
    await expect(idgov('--stack-prefix', 'Acme', 'controller', 'run', '--now', NOW)).resolves.toEqual({
      code: 2,
      stdout: '',
      stderr: 'idgov: stack-prefix: only applies with --aws\n',
    });
    const bad = await idgov('--aws', '--stack-prefix', '1dgov', 'controller', 'run', '--now', NOW);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('idgov: stack-prefix: must start with a letter and hold only letters, digits and hyphens (at most 64), got "1dgov"\n');
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
  });
});

describe('idgov --aws table commands', () => {
  it('read the tables the outputs name', async () => {
    ddb.on(GetCommand).resolves({});
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'directory', 'show-user', 'u-0001');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'idgov: user u-0001 not found\n' });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: statefulOutputs().DirectoryTableName });
  });

  it('use DIRECTORY_TABLE_NAME over the output', async () => {
    vi.stubEnv('DIRECTORY_TABLE_NAME', 'directory-from-env');
    ddb.on(GetCommand).resolves({});
    await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'directory', 'show-user', 'u-0001');
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'directory-from-env' });
  });
});
