// Safe to deploy: the first deployment works on an account with a small Lambda concurrency quota,
// every resource says what it belongs to, and the stack that holds the data cannot be deleted by
// accident.
import { CfnResource, type Stack, TagManager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { APPLICATION_TAG, TAG_KEYS } from '../../lib/stacks/tags.js';
import { buildStacks, logicalIdOf } from './idgov-app.js';

const { app, stateful, stateless } = buildStacks();
const statelessTemplate = Template.fromStack(stateless);
const templateJson = statelessTemplate.toJSON() as {
  Parameters: Record<string, { Type: string; Default?: string; AllowedPattern?: string }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

const NO_VALUE = Symbol('AWS::NoValue');

/** Evaluates the intrinsic functions CloudFormation resolves from parameters (Ref, conditions, Fn::If). */
function evaluate(node: unknown, parameters: Record<string, string>): unknown {
  if (Array.isArray(node)) return node.map((child) => evaluate(child, parameters));
  if (node === null || typeof node !== 'object') return node;
  const [[fn, args]] = Object.entries(node as Record<string, unknown>);
  const list = args as unknown[];
  switch (fn) {
    case 'Ref':
      if (args === 'AWS::NoValue') return NO_VALUE;
      if (!(String(args) in parameters)) throw new Error(`no value for parameter ${String(args)}`);
      return parameters[String(args)];
    case 'Condition':
      return evaluate(templateJson.Conditions[String(args)], parameters);
    case 'Fn::Equals':
      return String(evaluate(list[0], parameters)) === String(evaluate(list[1], parameters));
    case 'Fn::Not':
      return !evaluate(list[0], parameters);
    case 'Fn::If':
      return evaluate(evaluate({ Condition: list[0] }, parameters) ? list[1] : list[2], parameters);
    default:
      throw new Error(`cannot evaluate ${fn}`);
  }
}

describe('controller reserved concurrency', () => {
  const parameterName = STATELESS_PARAMETERS.controllerReservedConcurrency;
  const parameter = templateJson.Parameters[parameterName];
  const controller = templateJson.Resources[logicalIdOf(stateless.controller.function)];
  const reservedWith = (value: string) =>
    evaluate(controller.Properties?.ReservedConcurrentExecutions, { [parameterName]: value });

  it('is a parameter whose default reserves nothing', () => {
    expect(parameter).toMatchObject({ Type: 'String', Default: '0' });
    expect(reservedWith(parameter.Default ?? '')).toBe(NO_VALUE);
  });

  it('reserves what the operator asks for', () => {
    expect(reservedWith('1')).toBe('1');
    expect(reservedWith('25')).toBe('25');
  });

  it('accepts whole numbers only, with a single way to write zero', () => {
    const pattern = new RegExp(parameter.AllowedPattern ?? '');
    for (const ok of ['0', '1', '10', '9999']) expect(ok, ok).toMatch(pattern);
    // "00" would reserve 0, which is not "unreserved" but "never runs".
    for (const bad of ['', '00', '01', '-1', '1.5', ' 1', '10000', 'one']) expect(bad, bad).not.toMatch(pattern);
  });

  it('reserves nothing on any other function', () => {
    const others = Object.entries(templateJson.Resources).filter(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id !== logicalIdOf(stateless.controller.function),
    );
    expect(others.length).toBeGreaterThan(0);
    for (const [, resource] of others) expect(resource.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });
});

/**
 * Types that CloudFormation defines without a tags property: policies, permissions and the parts of
 * an API, a user pool or a function that are configuration of their parent, which carries the tags.
 */
const UNTAGGABLE_TYPES = new Set([
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::CDK::Metadata',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolDomain',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Alias',
  'AWS::IAM::Policy',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::LayerVersion',
  'AWS::Lambda::Permission',
  'AWS::Logs::MetricFilter',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  // CDK's BucketDeployment (the runbooks, the approver portal): a custom resource, configuration of its function.
  'Custom::CDKBucketDeployment',
]);

/** A resource's tags as a map, whichever of CloudFormation's two shapes its type uses. */
function tagMap(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((tag: { Key: string; Value: unknown }) => [tag.Key, tag.Value]));
  return (value ?? {}) as Record<string, unknown>;
}

function taggedResources(stack: Stack) {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  return stack.node
    .findAll()
    .filter(CfnResource.isCfnResource)
    .map((resource) => {
      const logicalId = stack.getLogicalId(resource);
      const manager = TagManager.isTaggable(resource)
        ? resource.tags
        : TagManager.isTaggableV2(resource)
          ? resource.cdkTagManager
          : undefined;
      // The manager names the L1 property (`tags`, `userPoolTags`); the template capitalises it.
      const tagProperty = manager && manager.tagPropertyName[0].toUpperCase() + manager.tagPropertyName.slice(1);
      return {
        logicalId,
        type: resource.cfnResourceType,
        tagProperty,
        tags: tagProperty ? tagMap(resources[logicalId]?.Properties?.[tagProperty]) : undefined,
      };
    });
}

describe.each([
  [
    'stateful',
    stateful,
    [
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::Function',
      'AWS::Cognito::UserPool',
      'AWS::DynamoDB::Table',
      'AWS::IAM::Role',
      'AWS::KMS::Key',
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      'AWS::S3::Bucket',
      'AWS::SNS::Topic',
    ],
  ],
  [
    'stateless',
    stateless,
    [
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Stage',
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
      'AWS::Events::Rule',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue',
      'AWS::SSM::Document',
    ],
  ],
] as const)('tags of the %s stack', (component, stack, expectedTaggableTypes) => {
  const resources = taggedResources(stack);
  const taggable = resources.filter((resource) => resource.tagProperty);

  it('are on every resource whose type takes tags', () => {
    expect(new Set(taggable.map((resource) => resource.type))).toEqual(new Set(expectedTaggableTypes));
    for (const resource of taggable) {
      expect(resource.tags, `${resource.logicalId} (${resource.type}).${resource.tagProperty}`).toMatchObject({
        [TAG_KEYS.application]: APPLICATION_TAG,
        [TAG_KEYS.component]: component,
      });
    }
  });

  it('leave out only types CloudFormation gives no tags', () => {
    const untagged = resources.filter((resource) => !resource.tagProperty).map((resource) => resource.type);
    expect(untagged.length).toBeGreaterThan(0);
    expect(untagged.filter((type) => !UNTAGGABLE_TYPES.has(type))).toEqual([]);
  });

  it('are on the stack too, which `cdk deploy` gives CloudFormation to propagate', () => {
    expect(app.synth().getStackByName(stack.stackName).tags).toEqual({
      [TAG_KEYS.application]: 'idgov',
      [TAG_KEYS.component]: component,
    });
  });
});

describe('termination protection', () => {
  const assembly = app.synth();

  it('is on for the stateful stack, so `cdk destroy` cannot delete it by accident', () => {
    expect(assembly.getStackByName(stateful.stackName).terminationProtection).toBe(true);
  });

  it('is off for the stateless stack, which can be destroyed and redeployed without losing data', () => {
    expect(assembly.getStackByName(stateless.stackName).terminationProtection).toBeFalsy();
  });
});
