import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIT_TABLE, TABLES } from '../../lambdas/shared/config/tables.js';
import { ADMIN_INVOCABLE_TAG } from '../../lib/constructs/administrators-policy.js';
import { KMS_READ_ACTIONS, KMS_WRITE_ACTIONS } from '../../lib/constructs/app-function.js';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, stackNames, stackNamesFromContext } from '../../lib/stack-outputs.js';
import { buildStacks, logicalIdOf, nagViolations, PROJECT_ROOT, resolveImports, synthesizeBinApp } from './idgov-app.js';

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

/** The IAM action of each DynamoDB command (document client or low-level) the CLI's code could send. */
const DYNAMODB_ACTION_OF: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchGet: 'dynamodb:BatchGetItem',
  BatchWrite: 'dynamodb:BatchWriteItem',
  TransactGet: 'dynamodb:GetItem',
  TransactWrite: 'dynamodb:ConditionCheckItem',
  DescribeTable: 'dynamodb:DescribeTable',
  CreateTable: 'dynamodb:CreateTable',
  ListTables: 'dynamodb:ListTables',
};

/**
 * The DynamoDB actions `idgov --aws` sends: the commands constructed by the stores it uses
 * (lambdas/shared/adapters/dynamo) and by the CLI's own code (src/cli, src/aws). The local engine
 * set-up (src/local/engine.ts) never runs with --aws.
 */
function actionsTheCliSends(): string[] {
  const folders = ['lambdas/shared/adapters/dynamo', 'src/cli', 'src/aws'];
  const commands = new Set<string>();
  for (const folder of folders) {
    for (const file of readdirSync(join(PROJECT_ROOT, folder)).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(PROJECT_ROOT, folder, file), 'utf8');
      const imported = /from '@aws-sdk\/(lib-dynamodb|client-dynamodb)'/.test(source);
      for (const [, name] of source.matchAll(/new (\w+)Command\(/g)) if (imported && name !== 'Invoke' && name !== 'DescribeStacks') commands.add(name!);
    }
  }
  return [...commands].map((name) => {
    const action = DYNAMODB_ACTION_OF[name];
    if (!action) throw new Error(`${name}Command: add its IAM action to DYNAMODB_ACTION_OF`);
    return action;
  });
}

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
      'AppendToAuditLog',
      'UseTableKeyThroughDynamoDB',
      'ReadStackOutputs',
      'InvokeAdminInvocableFunctions',
      // lib/constructs/evidence-store.ts, grantAdministrators (test/infra/evidence-store.test.ts).
      'ReadEvidencePacks',
      'VerifyEvidenceSignatures',
    ]);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  it('reads and writes every table but the audit log, and their indexes, with exactly the actions the CLI sends: no Scan, DescribeTable or transactions', () => {
    const statement = bySid('ReadWriteTables');
    expect(asList(statement.Action).sort()).toEqual([...new Set(actionsTheCliSends())].sort());
    expect(asList(statement.Action).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const expected = TABLES.filter((definition) => definition !== AUDIT_TABLE).flatMap((definition) => {
      const tableArn = { 'Fn::GetAtt': [logicalIdOf(stateful.tables.tableFor(definition)), 'Arn'] };
      return [tableArn, ...definition.indexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] }))];
    });
    expect(new Set(asList(statement.Resource).map((r) => JSON.stringify(r)))).toEqual(new Set(expected.map((r) => JSON.stringify(r))));
    expect(statement.Condition).toBeUndefined();
  });

  it('appends to and reads the audit log and its ByEventKey index only: PutItem, GetItem, Query; never updates, deletes or batch-writes there', () => {
    const statement = bySid('AppendToAuditLog');
    expect(asList(statement.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    const auditArn = { 'Fn::GetAtt': [logicalIdOf(stateful.tables.auditTable), 'Arn'] };
    expect(asList(statement.Resource)).toEqual([auditArn, { 'Fn::Join': ['', [auditArn, '/index/ByEventKey']] }]);
    // No other statement of the policy names the audit table.
    const others = statements.filter((s) => s !== statement && JSON.stringify(s.Resource).includes(logicalIdOf(stateful.tables.auditTable)));
    expect(others).toEqual([]);
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

  it('invokes only the functions of the stateless stack tagged admin-invocable', () => {
    const statement = bySid('InvokeAdminInvocableFunctions');
    expect(statement.Action).toBe('lambda:InvokeFunction');
    expect(statement.Resource).toEqual(arnOf('lambda', ':function:*'));
    expect(statement.Condition).toEqual({
      StringEquals: {
        'aws:ResourceTag/aws:cloudformation:stack-name': 'IdGovStateless',
        'aws:ResourceTag/idgov:admin-invocable': 'true',
      },
    });
    expect(stateless.stackName).toBe('IdGovStateless');
  });

  it('lets no one tag a function, so the grant cannot be extended', () => {
    const actions = statements.flatMap((statement) => asList(statement.Action));
    expect(actions.filter((action) => /^lambda:/.test(action))).toEqual(['lambda:InvokeFunction']);
    expect(actions.filter((action) => /Tag/i.test(action))).toEqual([]);
  });

  it('the admin-invocable tag is on the scheduled jobs, emergency access and the evidence archiver: never on the approver API function, which trusts its event', () => {
    const resources = Template.fromStack(stateless).toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>;
    // Tags are a list of { Key, Value } or, for some types, a map.
    const tagsOf = (id: string): Record<string, unknown> => {
      const tags = resources[id]!.Properties?.Tags ?? {};
      return Array.isArray(tags) ? Object.fromEntries(tags.map((tag: { Key: string; Value: unknown }) => [tag.Key, tag.Value])) : (tags as Record<string, unknown>);
    };
    const tagged = Object.keys(resources)
      .filter((id) => ADMIN_INVOCABLE_TAG.key in tagsOf(id))
      .map((id) => [id, resources[id]!.Type, tagsOf(id)[ADMIN_INVOCABLE_TAG.key]]);
    const invocable = [...Object.values(stateless.jobs).map((job) => job.function), stateless.emergencyAccessFunction, stateless.evidenceArchiver.function];
    // The controller, the three operations jobs, the two re-approval jobs, emergency access, the evidence archiver (not the chart renderer).
    expect(invocable).toHaveLength(8);
    expect(new Set(tagged.map(([id]) => id))).toEqual(new Set(invocable.map((fn) => logicalIdOf(fn))));
    expect(tagged.every(([, type, value]) => type === 'AWS::Lambda::Function' && value === 'true')).toBe(true);
    const approverApi = logicalIdOf(stateless.approverApi.function);
    expect(resources[approverApi]!.Type).toBe('AWS::Lambda::Function');
    expect(tagsOf(approverApi)).toMatchObject({ application: 'idgov' });
    expect(tagsOf(approverApi)).not.toHaveProperty([ADMIN_INVOCABLE_TAG.key]);
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
    // The link base of the mails `entry set --approver` and `entry reassign` queue: the one the deployed functions use.
    expect(resolveImports(statelessTemplate.toJSON().Outputs[STATELESS_OUTPUTS.approverPortalUrl].Value, template)).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stateful.approverPortal.distribution), 'DomainName'] }]],
    });
  });
});

describe('a deployment under another stack prefix', () => {
  it('gets its own policy name, and grants on its own stateless stack', () => {
    const { stateless, resource, statements } = administrators(stackNames('Acme'));
    expect(stateless.stackName).toBe('AcmeStateless');
    expect(resource.Properties.ManagedPolicyName).toBe('AcmeAdministrators');
    const json = JSON.stringify(statements);
    expect(json).toContain('"aws:ResourceTag/aws:cloudformation:stack-name":"AcmeStateless","aws:ResourceTag/idgov:admin-invocable":"true"');
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
