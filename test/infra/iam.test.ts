import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/shared/config/tables.js';
import { STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every IAM statement of a template: policies, managed policies and inline role policies. */
function statementsOf(template: Template): Statement[] {
  const documents = [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((r) => r.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((r) => r.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
      (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument),
    ),
  ] as { Statement: Statement[] }[];
  return documents.flatMap((document) => document.Statement);
}

const XRAY_WRITES = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

/** Statements that grant anything but X-Ray writes on every resource, or use a wildcard action. */
function wildcardGrants(template: Template): Statement[] {
  return statementsOf(template).filter((statement) => {
    const actions = asList(statement.Action);
    const onEverything = asList(statement.Resource).includes('*');
    const wildcardAction = actions.some((action) => action.endsWith('*'));
    return wildcardAction || (onEverything && !actions.every((action) => XRAY_WRITES.includes(action)));
  });
}

const { stateful, stateless } = buildStacks();
const statefulTemplate = Template.fromStack(stateful);
const statelessTemplate = Template.fromStack(stateless);
const statements = [...statementsOf(statefulTemplate), ...statementsOf(statelessTemplate)];
const grantsOn = (service: string) =>
  statements.filter((statement) => asList(statement.Action).some((action) => action.startsWith(`${service}:`)));

describe('IAM', () => {
  it('grants nothing on Resource "*" but X-Ray trace writes, and no wildcard action', () => {
    expect(wildcardGrants(statefulTemplate)).toEqual([]);
    expect(wildcardGrants(statelessTemplate)).toEqual([]);
    const onEverything = statements.filter((statement) => asList(statement.Resource).includes('*'));
    expect([...new Set(onEverything.flatMap((statement) => asList(statement.Action)))].sort()).toEqual(XRAY_WRITES);
  });

  it('flags a wildcard grant (control for the check above)', () => {
    const stack = new Stack(new App(), 'Control');
    new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }),
    );
    expect(wildcardGrants(Template.fromStack(stack))).toHaveLength(1);
  });

  it('attaches no managed policy to any role', () => {
    for (const template of [statefulTemplate, statelessTemplate]) {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });

  it('names each table and its indexes from tables.ts, and never allows Scan', () => {
    const dynamoGrants = grantsOn('dynamodb');
    expect(dynamoGrants.flatMap((statement) => asList(statement.Action))).not.toContain('dynamodb:Scan');
    const tableResources = TABLES.map((definition) => {
      const tableArn = { 'Fn::GetAtt': [logicalIdOf(stateful.tables.tableFor(definition)), 'Arn'] };
      return [tableArn, ...definition.indexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] }))].map((r) => JSON.stringify(r));
    });
    // Statements are merged (@aws-cdk/aws-iam:minimizePolicies), so each function's policy is read as
    // one set: whole tables (the table and every index, by name) and nothing else.
    const granted = new Set<string>();
    for (const policy of Object.values(statelessTemplate.findResources('AWS::IAM::Policy'))) {
      const dynamo = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((st) => asList(st.Action).some((a) => a.startsWith('dynamodb:')));
      const resources = new Set(dynamo.flatMap((st) => asList(resolveImports(st.Resource, statefulTemplate)).map((r) => JSON.stringify(r))));
      const whole = tableResources.filter((table) => table.some((r) => resources.has(r)));
      expect(new Set(whole.flat())).toEqual(resources);
      resources.forEach((r) => granted.add(r));
    }
    expect(granted).toEqual(new Set(tableResources.flat()));
  });

  it('lets functions use the table key only through DynamoDB', () => {
    const kmsGrants = grantsOn('kms');
    expect(kmsGrants.length).toBeGreaterThan(0);
    for (const statement of kmsGrants) {
      expect(resolveImports(statement.Resource, statefulTemplate)).toEqual({
        'Fn::GetAtt': [logicalIdOf(stateful.tables.key), 'Arn'],
      });
      expect(statement.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      });
    }
  });

  it('lets the controller send email only from the sender identity, as the sender address', () => {
    const sesGrants = grantsOn('ses');
    expect(sesGrants).toHaveLength(1);
    const [grant] = sesGrants;
    expect(asList(grant.Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(grant.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': { Ref: STATELESS_PARAMETERS.senderAddress } },
    });
    const resources = asList(grant.Resource).map((resource) => JSON.stringify(resource));
    expect(resources).toHaveLength(3);
    expect(resources).not.toContain('"*"');
    const sender = JSON.stringify({ Ref: STATELESS_PARAMETERS.senderAddress });
    // The address identity, and the domain identity for senders verified through their domain.
    expect(resources.filter((r) => r.endsWith(`":identity/",${sender}]]}`))).toHaveLength(1);
    expect(resources.filter((r) => r.endsWith(`":identity/",{"Fn::Select":[1,{"Fn::Split":["@",${sender}]}]}]]}`))).toHaveLength(1);
    // The configuration set, only when one is configured.
    expect(resources.filter((r) => /^\{"Fn::If":\["HasSesConfigurationSet",.*":configuration-set\/",\{"Ref":"SesConfigurationSet"\}\]\]\},\{"Ref":"AWS::NoValue"\}\]\}$/.test(r))).toHaveLength(1);
  });
});
