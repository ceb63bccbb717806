import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { readDeployment } from '../../../src/aws/deployment.js';
import { RemoteCallError } from '../../../src/aws/remote-call-error.js';
import { cdkOutputs, describedStack, REGION, statefulOutputs, statelessOutputs, writeOutputsFile } from '../../support/cdk-outputs.js';

const cloudFormation = mockClient(CloudFormationClient);
const client = () => new CloudFormationClient({ region: REGION });
const noEnv = {};

beforeEach(() => cloudFormation.reset());

/** The error `promise` rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: Error) => error,
  );
}

const cfnError = (name: string, message: string) =>
  new CloudFormationServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });

describe('readDeployment from a `cdk deploy --outputs-file` JSON', () => {
  it('reads the tables, function names and topic ARNs of the IdGov stacks', async () => {
    const deployment = await readDeployment({ outputsFile: writeOutputsFile(cdkOutputs()), env: noEnv });
    expect(deployment.names).toEqual({ stateful: 'IdGovStateful', stateless: 'IdGovStateless', administratorsPolicy: 'IdGovAdministrators' });
    expect(deployment.tables).toEqual({
      directory: statefulOutputs().DirectoryTableName,
      campaign: statefulOutputs().CampaignTableName,
      operations: statefulOutputs().OperationsTableName,
      audit: statefulOutputs().AuditTableName,
    });
    expect(deployment.controllerFunctionName).toBe(statelessOutputs().CampaignControllerFunctionName);
    expect(deployment.jobFunctionName('campaign-controller')).toBe(statelessOutputs().CampaignControllerFunctionName);
    expect(deployment.jobFunctionName('risk-assessment')).toBe(statelessOutputs().RiskAssessmentFunctionName);
    expect(deployment.jobFunctionName('daily-operations')).toBe(statelessOutputs().DailyOperationsFunctionName);
    expect(deployment.jobFunctionName('weekly-summary')).toBe(statelessOutputs().WeeklySummaryFunctionName);
    expect(deployment.jobFunctionName('initialize-reapproval')).toBe(statelessOutputs().InitializeReapprovalFunctionName);
    expect(deployment.jobFunctionName('start-reapproval')).toBe(statelessOutputs().StartReapprovalFunctionName);
    expect(deployment.emergencyAccessFunctionName).toBe(statelessOutputs().EmergencyAccessFunctionName);
    expect(deployment.runbooksBucketName).toBe(statefulOutputs().RunbooksBucketName);
    expect(deployment.approverApiFunctionName).toBe(statelessOutputs().ApproverApiFunctionName);
    expect(deployment.approverApiUrl).toBe(statelessOutputs().ApproverApiUrl);
    expect(deployment.approverPortalUrl).toBe(statelessOutputs().ApproverPortalBaseUrl);
    expect(deployment.alarmsTopicArn).toBe(statefulOutputs().AlarmsTopicArn);
    expect(deployment.operationsTopicArn).toBe(statefulOutputs().OperationsTopicArn);
    expect(deployment.administratorsPolicyArn).toBe(statefulOutputs().AdministratorsPolicyArn);
    expect(deployment.reportsBucketName).toBe(statefulOutputs().ReportsBucketName);
    expect(deployment.evidenceKeyArn).toBe(statefulOutputs().EvidenceSigningKeyArn);
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
  });

  it('reads the stacks named by --stack-prefix, not others in the same file', async () => {
    const file = writeOutputsFile({ ...cdkOutputs(), ...cdkOutputs('Acme') });
    const deployment = await readDeployment({ outputsFile: file, stackPrefix: 'Acme', env: noEnv });
    expect(deployment.tables.directory).toBe(statefulOutputs('AcmeStateful').DirectoryTableName);
    expect(deployment.controllerFunctionName).toBe(statelessOutputs('AcmeStateless').CampaignControllerFunctionName);
  });

  it('lets DIRECTORY_TABLE_NAME, CAMPAIGN_TABLE_NAME, OPERATIONS_TABLE_NAME and AUDIT_TABLE_NAME override the table outputs, each on its own', async () => {
    const file = writeOutputsFile(cdkOutputs());
    const deployment = await readDeployment({ outputsFile: file, env: { DIRECTORY_TABLE_NAME: 'my-directory' } });
    expect(deployment.tables).toEqual({
      directory: 'my-directory',
      campaign: statefulOutputs().CampaignTableName,
      operations: statefulOutputs().OperationsTableName,
      audit: statefulOutputs().AuditTableName,
    });
    const operations = await readDeployment({ outputsFile: file, env: { OPERATIONS_TABLE_NAME: 'my-operations' } });
    expect(operations.tables).toEqual({
      directory: statefulOutputs().DirectoryTableName,
      campaign: statefulOutputs().CampaignTableName,
      operations: 'my-operations',
      audit: statefulOutputs().AuditTableName,
    });
    const audit = await readDeployment({ outputsFile: file, env: { AUDIT_TABLE_NAME: 'my-audit' } });
    expect(audit.tables.audit).toBe('my-audit');
  });

  it('names the missing audit table output of a deployment older than the audit log', async () => {
    const outputs = cdkOutputs();
    delete (outputs.IdGovStateful as Record<string, string>).AuditTableName;
    const file = writeOutputsFile(outputs);
    const deployment = await readDeployment({ outputsFile: file, env: noEnv });
    expect(() => deployment.tables).toThrow(`outputs: ${file}: stack IdGovStateful has no output AuditTableName`);
  });

  it('names the missing output of a job function, emergency access and the runbooks bucket (a deployment older than them)', async () => {
    const outputs = cdkOutputs();
    delete (outputs.IdGovStateless as Record<string, string>).WeeklySummaryFunctionName;
    delete (outputs.IdGovStateless as Record<string, string>).EmergencyAccessFunctionName;
    delete (outputs.IdGovStateful as Record<string, string>).RunbooksBucketName;
    const file = writeOutputsFile(outputs);
    const deployment = await readDeployment({ outputsFile: file, env: noEnv });
    expect(deployment.jobFunctionName('daily-operations')).toBe(statelessOutputs().DailyOperationsFunctionName);
    expect(() => deployment.jobFunctionName('weekly-summary')).toThrow(
      `outputs: ${file}: stack IdGovStateless has no output WeeklySummaryFunctionName (deploy the current version: npx cdk deploy --all)`,
    );
    expect(() => deployment.emergencyAccessFunctionName).toThrow(`stack IdGovStateless has no output EmergencyAccessFunctionName`);
    expect(() => deployment.runbooksBucketName).toThrow(`stack IdGovStateful has no output RunbooksBucketName`);
  });

  it('names the missing output, its stack and the file', async () => {
    const outputs = cdkOutputs();
    delete (outputs.IdGovStateless as Record<string, string>).CampaignControllerFunctionName;
    const file = writeOutputsFile(outputs);
    const deployment = await readDeployment({ outputsFile: file, env: noEnv });
    expect(deployment.tables.campaign).toBe(statefulOutputs().CampaignTableName);
    const error = await failure(Promise.resolve().then(() => deployment.controllerFunctionName));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      `outputs: ${file}: stack IdGovStateless has no output CampaignControllerFunctionName (deploy the current version: npx cdk deploy --all)`,
    );
  });

  it('names a missing table output', async () => {
    const outputs = cdkOutputs();
    delete (outputs.IdGovStateful as Record<string, string>).DirectoryTableName;
    const file = writeOutputsFile(outputs);
    const deployment = await readDeployment({ outputsFile: file, env: noEnv });
    expect(() => deployment.tables).toThrow(`outputs: ${file}: stack IdGovStateful has no output DirectoryTableName`);
  });

  it('names a missing stack, the stacks the file holds and the prefix that would read them', async () => {
    const file = writeOutputsFile(cdkOutputs('Acme'));
    const deployment = await readDeployment({ outputsFile: file, env: noEnv });
    expect(() => deployment.tables).toThrow(
      `outputs: stack IdGovStateful is not in ${file} (it holds AcmeStateful, AcmeStateless; for those give --stack-prefix Acme)`,
    );
  });

  it('refuses a file that is not JSON, naming the file and the option', async () => {
    const file = writeOutputsFile('{ "IdGovStateful": { "DirectoryTableName": "t", }');
    const error = await failure(readDeployment({ outputsFile: file, env: noEnv }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(new RegExp(`^outputs: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON \\(`));
  });

  it('refuses JSON of another shape, and a file it cannot read', async () => {
    const list = writeOutputsFile([{ OutputKey: 'DirectoryTableName' }]);
    await expect(readDeployment({ outputsFile: list, env: noEnv })).rejects.toThrow(
      `outputs: ${list} is not a \`cdk deploy --outputs-file\` JSON (an object with one object of outputs per stack)`,
    );
    const stackNotObject = writeOutputsFile({ IdGovStateful: 'DirectoryTableName' });
    await expect(readDeployment({ outputsFile: stackNotObject, env: noEnv }).then((d) => d.tables)).rejects.toThrow(
      `outputs: ${stackNotObject}: IdGovStateful must be an object of outputs`,
    );
    await expect(readDeployment({ outputsFile: '/nonexistent/cdk-outputs.json', env: noEnv })).rejects.toThrow(
      /^outputs: cannot read \/nonexistent\/cdk-outputs\.json \(ENOENT/,
    );
  });

  it('refuses a stack prefix CloudFormation would refuse, before reading anything', async () => {
    const error = await failure(readDeployment({ stackPrefix: 'my_stacks', cloudFormation: client(), env: noEnv }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('stack-prefix: must start with a letter and hold only letters, digits and hyphens (at most 64), got "my_stacks"');
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
  });
});

describe('readDeployment with CloudFormation DescribeStacks', () => {
  it('describes the two stacks by name and reads their outputs', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'IdGovStateful' })
      .resolves(describedStack('IdGovStateful', statefulOutputs()))
      .on(DescribeStacksCommand, { StackName: 'IdGovStateless' })
      .resolves(describedStack('IdGovStateless', statelessOutputs()));

    const deployment = await readDeployment({ cloudFormation: client(), env: noEnv });

    expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 2);
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input).sort((a, b) => a.StackName!.localeCompare(b.StackName!))).toEqual([
      { StackName: 'IdGovStateful' },
      { StackName: 'IdGovStateless' },
    ]);
    expect(deployment.tables).toEqual({
      directory: statefulOutputs().DirectoryTableName,
      campaign: statefulOutputs().CampaignTableName,
      operations: statefulOutputs().OperationsTableName,
      audit: statefulOutputs().AuditTableName,
    });
    expect(deployment.controllerFunctionName).toBe(statelessOutputs().CampaignControllerFunctionName);
    expect(deployment.jobFunctionName('daily-operations')).toBe(statelessOutputs().DailyOperationsFunctionName);
    expect(deployment.source).toBe(`the stacks in ${REGION}`);
  });

  it('describes <prefix>Stateful and <prefix>Stateless with --stack-prefix', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'AcmeStateful' })
      .resolves(describedStack('AcmeStateful', statefulOutputs('AcmeStateful')))
      .on(DescribeStacksCommand, { StackName: 'AcmeStateless' })
      .resolves(describedStack('AcmeStateless', statelessOutputs('AcmeStateless')));

    const deployment = await readDeployment({ stackPrefix: 'Acme', cloudFormation: client(), env: noEnv });

    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'AcmeStateful' });
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'AcmeStateless' });
    expect(cloudFormation).not.toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'IdGovStateful' });
    expect(deployment.controllerFunctionName).toBe(statelessOutputs('AcmeStateless').CampaignControllerFunctionName);
  });

  it('says which stack does not exist, where, and what to try', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'IdGovStateful' })
      .rejects(cfnError('ValidationError', 'Stack with id IdGovStateful does not exist'))
      .on(DescribeStacksCommand, { StackName: 'IdGovStateless' })
      .rejects(cfnError('ValidationError', 'Stack with id IdGovStateless does not exist'));

    const deployment = await readDeployment({ cloudFormation: client(), env: noEnv });
    const error = await failure(Promise.resolve().then(() => deployment.tables));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      `stack IdGovStateful does not exist in ${REGION} (deployed in another region? set AWS_REGION; renamed? give --stack-prefix; ` +
        'or give --outputs FILE from `cdk deploy --outputs-file FILE`)',
    );
  });

  it('needs only the stack whose output a command uses', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'IdGovStateful' })
      .resolves(describedStack('IdGovStateful', statefulOutputs()))
      .on(DescribeStacksCommand, { StackName: 'IdGovStateless' })
      .rejects(cfnError('ValidationError', 'Stack with id IdGovStateless does not exist'));

    const deployment = await readDeployment({ cloudFormation: client(), env: noEnv });
    expect(deployment.tables.directory).toBe(statefulOutputs().DirectoryTableName);
    expect(() => deployment.controllerFunctionName).toThrow(/^stack IdGovStateless does not exist in eu-west-1 /);
  });

  it('names an output a stack lacks, with the stack status', async () => {
    const { CampaignControllerFunctionName: _, ...older } = statelessOutputs();
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'IdGovStateful' })
      .resolves(describedStack('IdGovStateful', statefulOutputs()))
      .on(DescribeStacksCommand, { StackName: 'IdGovStateless' })
      .resolves(describedStack('IdGovStateless', older, 'UPDATE_ROLLBACK_COMPLETE'));

    const deployment = await readDeployment({ cloudFormation: client(), env: noEnv });
    expect(() => deployment.controllerFunctionName).toThrow(
      'stack IdGovStateless (status UPDATE_ROLLBACK_COMPLETE) has no output CampaignControllerFunctionName (deploy the current version: npx cdk deploy --all)',
    );
  });

  it('turns a refusal to read the stacks into a message naming the policy to attach', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(cfnError('AccessDenied', 'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:DescribeStacks'));

    const error = await failure(readDeployment({ cloudFormation: client(), env: noEnv }));
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error.message).toMatch(
      /^cannot read the outputs of stack IdGov(Stateful|Stateless): AccessDenied: User: .* is not authorized to perform: cloudformation:DescribeStacks \(attach the deployment's administrators policy, output AdministratorsPolicyArn of the stateful stack, to your user or role\)$/,
    );
  });
});
