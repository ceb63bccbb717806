// The controller may invoke the hook functions named by the HookFunctionArns parameter and nothing
// else; with the parameter empty (its default) it may invoke no function at all.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTION_ARN } from '../../lambdas/shared/domain/hook-contracts.js';
import { SKIP_BUNDLING_CONTEXT } from '../../lib/constructs/app-function.js';
import { CampaignController } from '../../lib/constructs/campaign-controller.js';
import { EvidenceArchiver, ReportChartsFunction } from '../../lib/constructs/evidence-archiver.js';
import { STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { buildStacks, logicalIdOf } from './idgov-app.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
type Resource = { Type: string; Properties: Record<string, unknown>; Condition?: string };

const asList = <T,>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const lambdaStatements = (template: Template) =>
  Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).flatMap(([id, policy]) =>
    (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((statement) =>
      asList(statement.Action).some((action) => action.startsWith('lambda:')),
    ).map((statement) => ({ id, policy, statement })),
  );

/** Evaluates the condition functions the policy's condition uses, for given parameter values. */
function evaluate(node: unknown, parameters: Record<string, string[]>): unknown {
  if (typeof node === 'string' || typeof node === 'boolean') return node;
  if (Array.isArray(node)) return node.map((child) => evaluate(child, parameters));
  const [[fn, args]] = Object.entries(node as Record<string, unknown>);
  const values = () => (args as unknown[]).map((arg) => evaluate(arg, parameters));
  switch (fn) {
    case 'Ref':
      return parameters[args as string];
    case 'Fn::Join': {
      const [delimiter, list] = values() as [string, string[]];
      return list.join(delimiter);
    }
    case 'Fn::Equals': {
      const [left, right] = values();
      return left === right;
    }
    case 'Fn::Not':
      return !(values()[0] as boolean);
    default:
      throw new Error(`cannot evaluate ${fn}`);
  }
}

describe('hook function grant of the stateless stack', () => {
  const { stateless } = buildStacks();
  const template = Template.fromStack(stateless);
  const json = template.toJSON() as { Parameters: Record<string, Record<string, unknown>>; Conditions: Record<string, unknown> };
  const parameter = json.Parameters[STATELESS_PARAMETERS.hookFunctionArns];

  it('takes the hook ARNs from an optional comma-delimited parameter', () => {
    expect(parameter).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
  });

  const controllerRole = { Ref: logicalIdOf(stateless.controller.function.serviceRole) };
  const archiverArn = { 'Fn::GetAtt': [logicalIdOf(stateless.evidenceArchiver.function), 'Arn'] };
  const controllerArn = { 'Fn::GetAtt': [logicalIdOf(stateless.controller.function), 'Arn'] };
  // The Systems Manager automation roles invoke the product's own functions (operations-automation.test.ts);
  // the controller invokes the evidence archiver too (evidence-archiver.test.ts), and itself (campaign-controller.test.ts).
  const controllerGrants = () =>
    lambdaStatements(template).filter(
      ({ policy, statement }) =>
        JSON.stringify(policy.Properties.Roles).includes(JSON.stringify(controllerRole)) &&
        ![archiverArn, controllerArn].some((own) => JSON.stringify(statement.Resource) === JSON.stringify(own)),
    );

  it('lets the controller invoke the evidence archiver besides the hooks, in its own policy', () => {
    const controllerStatements = lambdaStatements(template).filter(({ policy }) => JSON.stringify(policy.Properties.Roles).includes(JSON.stringify(controllerRole)));
    expect(controllerStatements.map(({ statement }) => statement).filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(archiverArn))).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: archiverArn },
    ]);
  });

  it('lets the controller invoke exactly the listed functions, in one conditional policy', () => {
    const grants = controllerGrants();
    expect(grants).toHaveLength(1);
    const [{ policy, statement }] = grants;
    expect(statement).toEqual({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: { Ref: STATELESS_PARAMETERS.hookFunctionArns },
    });
    expect(policy.Properties.Roles).toEqual([controllerRole]);
    expect(policy.Condition).toBeDefined();
    expect(json.Conditions[policy.Condition!]).toBeDefined();
    // No other role may invoke the hook functions.
    const others = lambdaStatements(template).filter((grant) => grant.policy !== policy);
    expect(JSON.stringify(others.map((grant) => grant.statement))).not.toContain(STATELESS_PARAMETERS.hookFunctionArns);
  });

  it('leaves the policy out while the list is empty, and deploys it when it names a function', () => {
    const [{ policy }] = controllerGrants();
    const condition = json.Conditions[policy.Condition!];
    const withArns = (arns: string[]) => evaluate(condition, { [STATELESS_PARAMETERS.hookFunctionArns]: arns });
    // CloudFormation reads the empty default of a CommaDelimitedList as one empty element.
    expect(withArns([''])).toBe(false);
    expect(withArns(['arn:aws:lambda:eu-west-1:123456789012:function:find-approvers'])).toBe(true);
  });

  it('accepts function ARNs (with a version or alias) and the empty default, and refuses wildcards and names', () => {
    const pattern = new RegExp(parameter.AllowedPattern as string);
    for (const accepted of [
      '',
      'arn:aws:lambda:eu-west-1:123456789012:function:find-approvers',
      'arn:aws:lambda:eu-west-1:123456789012:function:find-approvers:prod',
      'arn:aws:lambda:eu-west-1:123456789012:function:find-approvers:12',
      'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f',
    ]) {
      expect(pattern.test(accepted), accepted).toBe(true);
      // What the parameter accepts, the hook invoker accepts too.
      if (accepted) expect(LAMBDA_FUNCTION_ARN.test(accepted), accepted).toBe(true);
    }
    for (const refused of [
      '*',
      'arn:aws:lambda:eu-west-1:123456789012:function:*',
      'arn:aws:lambda:*:123456789012:function:f',
      'arn:aws:lambda:eu-west-1:123456789012:function:f:*',
      'find-approvers',
      ' arn:aws:lambda:eu-west-1:123456789012:function:f',
    ]) {
      expect(pattern.test(refused), refused).toBe(false);
    }
  });
});

describe('CampaignController with a fixed list of hook functions', () => {
  const build = (hookFunctionArns?: string[]) => {
    const stack = new Stack(new App({ context: { [SKIP_BUNDLING_CONTEXT]: true } }), 'Controller');
    const tables = {
      directoryTable: Table.fromTableName(stack, 'Directory', 'directory'),
      campaignTable: Table.fromTableName(stack, 'Campaigns', 'campaigns'),
      auditTable: Table.fromTableName(stack, 'Audit', 'audit'),
    };
    const evidenceArchiver = new EvidenceArchiver(stack, 'ArchiveEvidence', {
      ...tables,
      evidence: { bucket: new Bucket(stack, 'Reports'), signingKey: new Key(stack, 'EvidenceSigning') },
      charts: new ReportChartsFunction(stack, 'RenderReportCharts'),
    });
    const controller = new CampaignController(stack, 'CampaignController', {
      ...tables,
      operationsTable: Table.fromTableName(stack, 'Operations', 'operations'),
      alarmTopic: Topic.fromTopicArn(stack, 'Alarms', 'arn:aws:sns:eu-west-1:123456789012:alarms'),
      sender: { address: 'idgov@example.com', configurationSetName: '' },
      approverPortalUrl: 'https://idgov.example.com',
      hookFunctionArns,
      evidenceArchiver,
    });
    const template = Template.fromStack(stack);
    // Besides the hooks' grant: the controller's on the archiver and on itself, and the archiver's on the chart renderer, each one function of the stack.
    const ownFunction = (resource: unknown) => Object.keys(template.findResources('AWS::Lambda::Function')).some((id) => JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
    const hookStatements = () => lambdaStatements(template).filter(({ statement }) => !ownFunction(statement.Resource));
    expect(lambdaStatements(template).filter(({ statement }) => ownFunction(statement.Resource))).toHaveLength(3);
    return { controller, hookStatements };
  };

  it('grants nothing, and adds no policy, when there is no hook function', () => {
    for (const arns of [undefined, []]) {
      const { controller, hookStatements } = build(arns);
      expect(controller.hookInvokePolicy).toBeUndefined();
      expect(hookStatements()).toEqual([]);
    }
  });

  it('grants exactly the given functions, unconditionally', () => {
    const arns = [
      'arn:aws:lambda:eu-west-1:123456789012:function:find-subjects',
      'arn:aws:lambda:eu-west-1:123456789012:function:find-approvers:prod',
    ];
    const { hookStatements } = build(arns);
    const grants = hookStatements();
    expect(grants.map(({ statement }) => statement)).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arns }]);
    expect(grants[0]!.policy.Condition).toBeUndefined();
  });
});
