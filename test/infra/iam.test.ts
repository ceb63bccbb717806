import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
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

/** Every IAM statement of a template, with the logical id of its policy, managed policy or role (inline policies). */
function ownedStatementsOf(template: Template): (Statement & { owner: string })[] {
  const documents = [
    ...Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, r]) => [id, r.Properties.PolicyDocument]),
    ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).map(([id, r]) => [id, r.Properties.PolicyDocument]),
    ...Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, r]) =>
      (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => [id, p.PolicyDocument]),
    ),
  ] as [string, { Statement: Statement[] }][];
  return documents.flatMap(([owner, document]) => document.Statement.map((statement) => ({ ...statement, owner })));
}

function statementsOf(template: Template): Statement[] {
  return ownedStatementsOf(template).map(({ owner: _owner, ...statement }) => statement);
}

const XRAY_WRITES = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const GET_METRIC_DATA = 'cloudwatch:GetMetricData';

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
const defaultPolicyOf = (role: IConstruct) => logicalIdOf(role.node.findChild('DefaultPolicy'));
const dailyOperationsPolicy = defaultPolicyOf(stateless.dailyOperationsFunction.serviceRole);
const runbooksDeploymentPolicy = defaultPolicyOf(stateful.runbooks.deploymentRole);
const portalDeploymentPolicy = defaultPolicyOf(stateless.approverPortalContent.deploymentRole);
const INVALIDATION = ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'];

describe('IAM', () => {
  it('grants on Resource "*" only X-Ray trace writes, GetMetricData to the daily-operations job alone, and invalidations to the portal deployment', () => {
    const onEverything = [...ownedStatementsOf(statefulTemplate), ...ownedStatementsOf(statelessTemplate)].filter((statement) =>
      asList(statement.Resource).includes('*'),
    );
    expect([...new Set(onEverything.flatMap((statement) => asList(statement.Action)))].sort()).toEqual([...INVALIDATION, GET_METRIC_DATA, ...XRAY_WRITES]);
    // CDK's BucketDeployment grants CloudFront invalidation on every distribution (not narrowable): the portal's deployment alone.
    const invalidating = onEverything.filter((statement) => asList(statement.Action).some((action) => action.startsWith('cloudfront:')));
    expect(invalidating.map((statement) => [statement.owner, asList(statement.Action).sort()])).toEqual([[portalDeploymentPolicy, INVALIDATION]]);
    const readingMetrics = onEverything.filter((statement) => asList(statement.Action).includes(GET_METRIC_DATA));
    expect(readingMetrics.map((statement) => statement.owner)).toEqual([dailyOperationsPolicy]);
    // No other action of its policy is on "*" but the X-Ray writes (merged into the same statement).
    expect(asList(readingMetrics[0]!.Action).sort()).toEqual([GET_METRIC_DATA, ...XRAY_WRITES]);
  });

  it("uses wildcard actions only in the runbooks' and the portal's deployment roles (CDK's BucketDeployment grants), on their buckets", () => {
    const withWildcardAction = (template: Template) =>
      ownedStatementsOf(template).filter((statement) => asList(statement.Action).some((action) => action.includes('*')));
    for (const [template, policy, bucket] of [
      [statefulTemplate, runbooksDeploymentPolicy, stateful.runbooks.bucket],
      [statelessTemplate, portalDeploymentPolicy, stateful.approverPortal.bucket],
    ] as const) {
      const wildcards = withWildcardAction(template);
      expect(new Set(wildcards.map((statement) => statement.owner))).toEqual(new Set([policy]));
      for (const statement of wildcards) {
        for (const action of asList(statement.Action)) expect(action).toMatch(/^s3:/);
        const resources = JSON.stringify(statement.Resource);
        expect(resources).not.toContain('"*"');
        for (const resource of asList(resolveImports(statement.Resource, statefulTemplate))) {
          expect(JSON.stringify(resource)).toMatch(new RegExp(`cdk-hnb659fds-assets-|${logicalIdOf(bucket)}`));
        }
      }
    }
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
      const indexes = [...definition.indexes, ...(definition.localIndexes ?? [])];
      return [tableArn, ...indexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] }))].map((r) => JSON.stringify(r));
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

  it('lets functions use the table key only through DynamoDB, the topic key only through SNS, and the evidence key to sign (the archive-evidence function alone) and verify', () => {
    const kmsGrants = grantsOn('kms');
    const viaService = (service: string) => ({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
    const keyOf = (statement: Statement) => resolveImports(statement.Resource, statefulTemplate);
    const tableKey = { 'Fn::GetAtt': [logicalIdOf(stateful.tables.key), 'Arn'] };
    const topicKey = { 'Fn::GetAtt': [logicalIdOf(stateful.topics.key), 'Arn'] };
    const onTableKey = kmsGrants.filter((statement) => JSON.stringify(keyOf(statement)) === JSON.stringify(tableKey));
    const onTopicKey = kmsGrants.filter((statement) => JSON.stringify(keyOf(statement)) === JSON.stringify(topicKey));
    const signingKey = { 'Fn::GetAtt': [logicalIdOf(stateful.evidence.signingKey), 'Arn'] };
    const onSigningKey = kmsGrants.filter((statement) => JSON.stringify(keyOf(statement)) === JSON.stringify(signingKey));
    expect(onTableKey.length).toBeGreaterThan(0);
    expect(onTableKey.length + onTopicKey.length + onSigningKey.length).toBe(kmsGrants.length);
    // The archiver signs; the administrators read the public key and verify; nobody else uses it.
    expect(onSigningKey.map((statement) => asList(statement.Action).sort())).toEqual(
      expect.arrayContaining([
        ['kms:GetPublicKey', 'kms:Sign'],
        ['kms:GetPublicKey', 'kms:Verify'],
      ]),
    );
    expect(onSigningKey).toHaveLength(2);
    for (const statement of onTableKey) expect(statement.Condition).toEqual(viaService('dynamodb'));
    // The publishers of the operations topic: what SNS asks KMS on their behalf, nothing more.
    expect(onTopicKey).toHaveLength(2);
    for (const statement of onTopicKey) {
      expect(asList(statement.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(statement.Condition).toEqual(viaService('sns'));
    }
  });

  it('lets the controller, the two report jobs and start-reapproval send email only from the sender identity, as the sender address', () => {
    const sesGrants = grantsOn('ses');
    expect(sesGrants).toHaveLength(4);
    for (const grant of sesGrants) expectSenderOnly(grant);
  });
});

function expectSenderOnly(grant: Statement): void {
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
}
