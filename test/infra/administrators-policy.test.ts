import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/shared/config/tables.js';
import {
  DYNAMODB_READ_ACTIONS,
  DYNAMODB_WRITE_ACTIONS,
  KMS_READ_ACTIONS,
  KMS_WRITE_ACTIONS,
} from '../../lib/constructs/app-function.js';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, stackNames, stackNamesFromContext } from '../../lib/stack-outputs.js';
import { buildStacks, logicalIdOf, nagViolations, synthesizeBinApp } from './idgov-app.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const arnOf = (service: string, resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, resource]],
});

function administrators(names = stackNames()) {
  const { stateful, stateless } = buildStacks(names);
  const template = Template.fromStack(stateful);
  const id = logicalIdOf(stateful.administrators.policy);
  const resource = template.toJSON().Resources[id];
  return { stateful, stateless, template, resource, statements: resource.Properties.PolicyDocument.Statement as Statement[] };
}

describe('the IdGovAdministrators managed policy', () => {
  const { stateful, stateless, template, resource, statements } = administrators();
  const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid)!;

  it('is a customer managed policy named IdGovAdministrators, attached to no one by the stack', () => {
    expect(resource.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(resource.Properties.ManagedPolicyName).toBe('IdGovAdministrators');
    expect(resource.Properties.Roles ?? resource.Properties.Users ?? resource.Properties.Groups).toBeUndefined();
    expect(statements.map((statement) => statement.Sid)).toEqual([
      'ReadWriteTables',
      'UseTableKeyThroughDynamoDB',
      'ReadStackOutputs',
      'InvokeProductFunctions',
    ]);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  it('reads and writes the two tables and their indexes with the functions\' action list: no Scan', () => {
    const statement = bySid('ReadWriteTables');
    expect(asList(statement.Action).sort()).toEqual([...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS].sort());
    expect(asList(statement.Action)).not.toContain('dynamodb:Scan');
    const expected = TABLES.flatMap((definition) => {
      const tableArn = { 'Fn::GetAtt': [logicalIdOf(stateful.tables.tableFor(definition)), 'Arn'] };
      return [tableArn, ...definition.indexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] }))];
    });
    expect(new Set(asList(statement.Resource).map((r) => JSON.stringify(r)))).toEqual(new Set(expected.map((r) => JSON.stringify(r))));
    expect(statement.Condition).toBeUndefined();
  });

  it('uses the table key only through DynamoDB', () => {
    const statement = bySid('UseTableKeyThroughDynamoDB');
    expect(asList(statement.Action).sort()).toEqual([...KMS_READ_ACTIONS, ...KMS_WRITE_ACTIONS].sort());
    expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stateful.tables.key), 'Arn'] });
    expect(statement.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
  });

  it('reads the outputs of exactly the two stacks', () => {
    const statement = bySid('ReadStackOutputs');
    expect(statement.Action).toBe('cloudformation:DescribeStacks');
    expect(asList(statement.Resource)).toHaveLength(2);
    expect(asList(statement.Resource)).toContainEqual({ Ref: 'AWS::StackId' });
    expect(asList(statement.Resource)).toContainEqual(arnOf('cloudformation', `:stack/${stateless.stackName}/*`));
  });

  it("invokes only functions CloudFormation created in the stateless stack", () => {
    const statement = bySid('InvokeProductFunctions');
    expect(statement.Action).toBe('lambda:InvokeFunction');
    expect(statement.Resource).toEqual(arnOf('lambda', ':function:*'));
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/aws:cloudformation:stack-name': 'IdGovStateless' } });
    expect(stateless.stackName).toBe('IdGovStateless');
  });

  it('names no account, region or partition literally', () => {
    const document = JSON.stringify(resource.Properties.PolicyDocument);
    expect(document).not.toMatch(/\d{12}/);
    expect(document).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d\b/);
    expect(document).not.toMatch(/arn:aws[a-z-]*:/);
  });

  it('is an output of the stateful stack, next to the outputs the CLI reads', () => {
    template.hasOutput(STATEFUL_OUTPUTS.administratorsPolicyArn, { Value: { Ref: logicalIdOf(stateful.administrators.policy) } });
    const statelessTemplate = Template.fromStack(stateless);
    statelessTemplate.hasOutput(STATELESS_OUTPUTS.approverApiFunctionName, { Value: { Ref: logicalIdOf(stateless.approverApi.function) } });
    statelessTemplate.hasOutput(STATELESS_OUTPUTS.controllerFunctionName, { Value: { Ref: logicalIdOf(stateless.controller.function) } });
  });
});

describe('a deployment under another stack prefix', () => {
  it('gets its own policy name, and grants on its own stateless stack', () => {
    const { stateless, resource, statements } = administrators(stackNames('Acme'));
    expect(stateless.stackName).toBe('AcmeStateless');
    expect(resource.Properties.ManagedPolicyName).toBe('AcmeAdministrators');
    const json = JSON.stringify(statements);
    expect(json).toContain('"aws:ResourceTag/aws:cloudformation:stack-name":"AcmeStateless"');
    expect(json).toContain(':stack/AcmeStateless/*');
    expect(json).not.toContain('IdGov');
  });

  // A real `bin/app.ts` synth with cdk-nag (also proves the acknowledgements follow the renamed stack): slow on a busy machine.
  it('is what bin/app.ts deploys with -c idgov:stackPrefix=Acme, cdk-nag clean', { timeout: 180_000 }, async () => {
    const renamed = await synthesizeBinApp({ 'idgov:skipBundling': true, 'idgov:stackPrefix': 'Acme' });
    expect(renamed.stderr).not.toMatch(/AwsSolutions-/);
    expect(renamed.exitCode).toBe(0);
    expect(nagViolations(renamed.assemblyDir)).toEqual([]);
    const policies = Object.values(renamed.template('AcmeStateful').findResources('AWS::IAM::ManagedPolicy'));
    expect(policies.map((policy) => policy.Properties.ManagedPolicyName)).toEqual(['AcmeAdministrators']);
    expect(Object.keys(renamed.template('AcmeStateless').toJSON().Outputs)).toContain(STATELESS_OUTPUTS.controllerFunctionName);
  });

  it('the context value names the stacks; absent means IdGov, a bad one is refused naming the context key', () => {
    expect(stackNamesFromContext(undefined)).toEqual(stackNames('IdGov'));
    expect(stackNamesFromContext('Acme-Prod')).toEqual({ stateful: 'Acme-ProdStateful', stateless: 'Acme-ProdStateless', administratorsPolicy: 'Acme-ProdAdministrators' });
    expect(() => stackNamesFromContext('Acme_Prod')).toThrow(
      'context idgov:stackPrefix: must start with a letter and hold only letters, digits and hyphens (at most 64), got "Acme_Prod"',
    );
    expect(() => stackNamesFromContext('')).toThrow(/^context idgov:stackPrefix: /);
  });
});
