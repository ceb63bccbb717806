// `idgov --aws …` in-process (runCli), with the AWS clients mocked: what an operator sees (stdout,
// stderr, exit code) and exactly what is sent to CloudFormation, Lambda and DynamoDB.
import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient, LambdaServiceException, TooManyRequestsException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assignmentRecord, campaignRecord, entryRecord, itemRecord, privilegeRecord, userRecord } from '../../../lambdas/shared/adapters/dynamo/records.js';
import type { Notification } from '../../../lambdas/shared/domain/model.js';
import type { ControllerReport } from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { runCli } from '../../../src/cli/main.js';
import { cdkOutputs, describedStack, REGION, statefulOutputs, statelessOutputs, writeOutputsFile } from '../../support/cdk-outputs.js';
import { aCampaign, aCampaignFile, anAssignment, anEntry, anItem, aPrivilege, aUser, DUE, OWNER_ID } from '../../support/fixtures.js';

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

  it("sends {} without --now: the function runs at its own clock, not this machine's", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    try {
      const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'controller', 'run');
      expect(result.code).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(sentEvent()).toEqual({});
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

  it.each([
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /sign in: aws sso login/],
    ['a refusal', Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), { name: 'AccessDeniedException' }), /attach the deployment's administrators policy/],
  ])('exit 1 with what to do, not as an unexpected error, on %s', async (_case, error, hint) => {
    ddb.on(GetCommand).rejects(error);
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'directory', 'show-user', 'u-0001');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(hint);
    expect(result.stderr).toContain(error.message);
    expect(result.stderr).not.toMatch(/unexpected error|IDGOV_DEBUG/);
  });
});

/**
 * A table behind the mocked document client, enough for the entry and campaign commands: items by
 * key, queries on a partition of the table or an index (with a sort key prefix), puts, batch reads
 * and writes. Conditions are not checked; both tables' records may share it (their keys differ).
 */
function fakeCampaignTable(records: Record<string, unknown>[]) {
  const items = new Map<string, Record<string, unknown>>();
  const id = (key: Record<string, unknown>) => `${String(key.PK)}\u0000${String(key.SK)}`;
  const put = (item: Record<string, unknown>) => items.set(id(item), structuredClone(item));
  records.forEach(put);
  ddb.on(GetCommand).callsFake((input: { Key: Record<string, unknown> }) => ({ Item: items.get(id(input.Key)) }));
  ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    put(input.Item);
    return {};
  });
  ddb.on(DeleteCommand).callsFake((input: { Key: Record<string, unknown> }) => {
    items.delete(id(input.Key));
    return {};
  });
  ddb.on(UpdateCommand).rejects(new Error('UpdateCommand is not part of this fake table'));
  ddb.on(QueryCommand).callsFake((input: { IndexName?: string; KeyConditionExpression: string; ExpressionAttributeValues: Record<string, string> }) => {
    // `PK = :pk` or `<index>PK = :pk`, optionally `AND begins_with(<sort key>, :value)`.
    const [pkName, skName] = input.IndexName ? [`${input.IndexName}PK`, `${input.IndexName}SK`] : ['PK', 'SK'];
    const prefixName = /begins_with\(\w+, (:\w+)\)/.exec(input.KeyConditionExpression)?.[1];
    const prefix = prefixName ? input.ExpressionAttributeValues[prefixName]! : '';
    const found = [...items.values()].filter((item) => item[pkName] === input.ExpressionAttributeValues[':pk'] && String(item[skName]).startsWith(prefix));
    return { Items: found.sort((a, b) => String(a[skName]).localeCompare(String(b[skName]))) };
  });
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => ({
    Responses: Object.fromEntries(
      Object.entries(input.RequestItems).map(([table, { Keys }]) => [table, Keys.flatMap((key) => items.get(id(key)) ?? [])]),
    ),
  }));
  ddb.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]> }) => {
    for (const requests of Object.values(input.RequestItems)) for (const r of requests) if (r.PutRequest) put(r.PutRequest.Item);
    return { UnprocessedItems: {} };
  });
}

/** The notifications the command put in the outbox. */
const queuedNotifications = () =>
  ddb
    .commandCalls(PutCommand)
    .map((call) => call.args[0].input.Item as Record<string, unknown>)
    .filter((item) => String(item.PK).startsWith('OUTBOX#')) as unknown as Notification[];

describe('idgov --aws entry commands that queue an Approval Start', () => {
  const PORTAL = statelessOutputs().ApproverPortalBaseUrl;
  const NOW_ENTRY = '2026-07-05T00:00:00Z';
  const users = [aUser({ id: 'u-manager' }), aUser({ id: 'u-deputy' }), aUser({ id: OWNER_ID }), aUser({ id: 'u-alice' })].map(userRecord);
  const running = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, statusExpirationDate: '2026-09-01T00:00:00.000Z' });

  beforeEach(() => {
    // Set for local use: it must not leak into the mails of a deployed stack.
    vi.stubEnv('APPROVER_PORTAL_URL', 'http://127.0.0.1:9999/local-portal');
  });

  it('entry set --approver links the mail to the deployed approver portal', async () => {
    fakeCampaignTable([
      ...users,
      campaignRecord(running),
      entryRecord(anEntry({ state: 'FAILED.PREPARE', approverIds: [], error: 'no approver found' })),
      itemRecord(anItem()),
    ]);

    const result = await idgov(
      '--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'entry', 'set', 'e-1', '--approver', 'u-deputy', '--now', NOW_ENTRY,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [notification, ...others] = queuedNotifications();
    expect(others).toEqual([]);
    expect(notification).toMatchObject({ kind: 'APPROVAL_START', recipientId: 'u-deputy', status: 'PENDING' });
    expect(notification!.body).toContain(`${PORTAL}/tasks?approver=u-deputy`);
    expect(notification!.body).not.toMatch(/127\.0\.0\.1/);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { TableName: statefulOutputs().CampaignTableName });
  });

  it('entry reassign links the mail to the deployed approver portal', async () => {
    fakeCampaignTable([...users, campaignRecord(running), entryRecord(anEntry()), itemRecord(anItem())]);

    const result = await idgov(
      '--aws', '--outputs', writeOutputsFile(cdkOutputs()),
      'entry', 'reassign', 'e-1', '--to', 'u-deputy', '--justification', 'covering while u-manager is away', '--now', NOW_ENTRY,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [notification, ...others] = queuedNotifications();
    expect(others).toEqual([]);
    expect(notification).toMatchObject({ kind: 'APPROVAL_START', recipientId: 'u-deputy' });
    expect(notification!.body).toContain(`${PORTAL}/tasks?approver=u-deputy`);
    expect(notification!.body).not.toMatch(/127\.0\.0\.1/);
  });

  it('exits 2 naming the output a deployment without the portal URL lacks, and writes nothing', async () => {
    fakeCampaignTable([...users, campaignRecord(running), entryRecord(anEntry()), itemRecord(anItem())]);
    const outputs = cdkOutputs();
    delete (outputs.IdGovStateless as Record<string, string>).ApproverPortalBaseUrl;
    const file = writeOutputsFile(outputs);

    const result = await idgov(
      '--aws', '--outputs', file, 'entry', 'reassign', 'e-1', '--to', 'u-deputy', '--justification', 'covering while u-manager is away', '--now', NOW_ENTRY,
    );

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `idgov: outputs: ${file}: stack IdGovStateless has no output ApproverPortalBaseUrl (deploy the current version: npx cdk deploy --all)\n`,
    });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
  });
});

describe('idgov --aws campaign files and their hooks', () => {
  const HOOK = 'arn:aws:lambda:eu-west-1:123456789012:function:find-subjects';
  const campaignFile = (hooks: Record<string, string>) => writeOutputsFile(aCampaignFile({ hooks }), 'campaign.json');
  const denied = () =>
    new LambdaServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::123456789012:assumed-role/Operator/alice is not authorized to perform: lambda:InvokeFunction on resource: ${HOOK}`,
    });

  it.each([['create'], ['validate'], ['update', 'c-test'], ['preview']])(
    'campaign %s refuses a file: hook, naming its field, before reading or writing anything',
    async (command, ...ids) => {
      const file = campaignFile({ findSubjects: HOOK, findApprovers: 'file:./hooks/find-approvers.mjs' });
      const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'campaign', command, ...ids, file, '--now', '2026-06-20');
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'idgov: hooks.findApprovers: file:./hooks/find-approvers.mjs runs only on this machine: the deployed controller invokes ' +
          'Lambda functions only. Name the hook by its function ARN (and add that ARN to the stack parameter HookFunctionArns)\n',
      });
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(lambda).not.toHaveReceivedAnyCommand();
    },
  );

  it('campaign create accepts Lambda hooks', async () => {
    fakeCampaignTable([userRecord(aUser({ id: OWNER_ID }))]);
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'campaign', 'create', campaignFile({ findSubjects: HOOK }), '--now', '2026-06-20');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^c-[0-9a-f]+\n$/);
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it('campaign preview invokes a Lambda hook with your credentials and shows what it selects', async () => {
    fakeCampaignTable([
      ...[aUser({ id: OWNER_ID }), aUser({ id: 'u-alice', managerId: 'u-manager' }), aUser({ id: 'u-manager' })].map(userRecord),
      privilegeRecord(aPrivilege()),
      assignmentRecord(anAssignment()),
    ]);
    lambda.on(InvokeCommand, { FunctionName: HOOK }).resolves({ StatusCode: 200, Payload: payload('{"version":1,"subjectIds":["u-alice"]}') });

    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'campaign', 'preview', campaignFile({ findSubjects: HOOK }), '--now', '2026-06-20', '--json');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: true,
      totals: { subjects: 1, entries: 1, items: 1 },
      workload: [{ approverId: 'u-manager', entries: 1, items: 1 }],
    });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: HOOK, InvocationType: 'RequestResponse' });
  });

  it('campaign preview says that your credentials may not invoke a hook, rather than calling the campaign invalid (exit 1)', async () => {
    fakeCampaignTable([userRecord(aUser({ id: OWNER_ID }))]);
    lambda.on(InvokeCommand).rejects(denied());

    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'campaign', 'preview', campaignFile({ findSubjects: HOOK }), '--now', '2026-06-20');

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `idgov: campaign preview calls the campaign's hooks with your credentials, and they may not invoke hooks.findSubjects ${HOOK} ` +
        `(AccessDeniedException: ${denied().message}). The IdGovAdministrators policy lets you invoke the controller, not hook functions ` +
        '(the deployed controller invokes those with its own role). Preview with credentials allowed lambda:InvokeFunction on that ' +
        'function, or check the file without calling hooks: idgov --aws campaign validate FILE\n',
    });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: HOOK });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('campaign preview still reports a hook that fails as the start would (valid: false)', async () => {
    fakeCampaignTable([userRecord(aUser({ id: OWNER_ID }))]);
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorType":"Error","errorMessage":"HR directory unavailable (503)"}'),
    });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'campaign', 'preview', campaignFile({ findSubjects: HOOK }), '--now', '2026-06-20', '--json');
    expect(result.code).toBe(0);
    const preview = JSON.parse(result.stdout) as { valid: boolean; logs: { level: string }[] };
    expect(preview.valid).toBe(false);
    expect(preview.logs.filter((log) => log.level === 'ERROR')).toEqual([
      { at: '2026-06-20T00:00:00.000Z', level: 'ERROR', field: 'hooks.findSubjects', message: `findSubjects hook ${HOOK} failed: HR directory unavailable (503)` },
    ]);
  });
});
