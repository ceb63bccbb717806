import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_TABLE,
  DIRECTORY_TABLE,
  ENV,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from '../../lambdas/shared/config/tables.js';
import { APP_RUNTIME } from '../../lib/constructs/app-function.js';
import { CONTROLLER_LEASE_MARGIN } from '../../lib/constructs/campaign-controller.js';
import { STATELESS_OUTPUTS, STATELESS_PARAMETERS } from '../../lib/stacks/stateless-stack.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

const { stateful, stateless } = buildStacks();
const statefulTemplate = Template.fromStack(stateful);
const template = Template.fromStack(stateless);
const controller = stateless.controller;
const functionId = logicalIdOf(controller.function);
const queueId = logicalIdOf(controller.job.deadLetterQueue);
const fn = template.findResources('AWS::Lambda::Function')[functionId];
const env = fn.Properties.Environment.Variables as Record<string, unknown>;

const exportedValue = (imported: unknown) => resolveImports(imported, statefulTemplate);

describe('campaign controller function', () => {
  it('runs on the newest Node runtime, on arm64, traced, with JSON logs in its own log group', () => {
    expect(fn.Properties.Runtime).toBe(APP_RUNTIME.name);
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.RetentionInDays).toBe(365);
  });

  it('reserves concurrency only when the deployment parameter asks for it (the lease keeps runs single)', () => {
    expect(fn.Properties.ReservedConcurrentExecutions).toEqual({
      'Fn::If': [
        'HasControllerReservedConcurrency',
        { Ref: STATELESS_PARAMETERS.controllerReservedConcurrency },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });

  it('names both tables through the environment variables of tables.ts', () => {
    expect(exportedValue(env[DIRECTORY_TABLE.envVar])).toEqual({ Ref: logicalIdOf(stateful.tables.directoryTable) });
    expect(exportedValue(env[CAMPAIGN_TABLE.envVar])).toEqual({ Ref: logicalIdOf(stateful.tables.campaignTable) });
  });

  it('takes the sender and configuration set from stack parameters, the portal URL from the stateful stack', () => {
    expect(env[ENV.senderAddress]).toEqual({ Ref: STATELESS_PARAMETERS.senderAddress });
    expect(env[ENV.sesConfigurationSet]).toEqual({ Ref: STATELESS_PARAMETERS.sesConfigurationSet });
    expect(exportedValue(env[ENV.approverPortalUrl])).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stateful.approverPortal.distribution), 'DomainName'] }]],
    });
  });

  it('holds its lease longer than its longest run', () => {
    expect(Number(env[ENV.leaseSeconds])).toBe(fn.Properties.Timeout + CONTROLLER_LEASE_MARGIN.toSeconds());
  });

  it('configures Powertools', () => {
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
  });

  it('sends runs that failed after their retries to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });
});

describe('controller continuation and cleanup', () => {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Record<string, unknown>[] } } }>;
  const ownArn = { 'Fn::GetAtt': [functionId, 'Arn'] };
  const selfInvokeId = logicalIdOf(controller.selfInvokePolicy);

  it('may invoke itself (a run out of time budget continues asynchronously), by its own ARN only, in a policy the function does not wait for', () => {
    const grants = Object.entries(policies).flatMap(([id, policy]) =>
      policy.Properties.PolicyDocument.Statement.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(ownArn)).map((statement) => ({ id, policy, statement })),
    );
    expect(grants.map(({ id, statement }) => [id, statement])).toEqual([[selfInvokeId, { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: ownArn }]]);
    expect(grants[0]!.policy.Properties.Roles).toEqual([{ Ref: logicalIdOf(controller.function.serviceRole) }]);
    // No wildcard, not even a qualified `<arn>:*`.
    expect(JSON.stringify(grants[0]!.policy.Properties.PolicyDocument)).not.toContain('*');
    // The function does not depend on the policy that names it: no circular dependency.
    expect(JSON.stringify(fn.DependsOn ?? [])).not.toContain(selfInvokeId);
  });

  it("stamps a deleted run's records with the campaign table's TTL attribute, which the table expires by", () => {
    expect(env[ENV.campaignCleanup]).toBe('TTL');
    const table = statefulTemplate.findResources('AWS::DynamoDB::Table')[logicalIdOf(stateful.tables.campaignTable)]!;
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: CAMPAIGN_TABLE.ttlAttribute, Enabled: true });
  });
});

describe('controller schedule', () => {
  it('invokes the function hourly with a retry policy and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ],
    });
  });

  it('keeps the dead-letter queue encrypted and TLS-only, writable by this rule only', () => {
    const queue = template.findResources('AWS::SQS::Queue')[queueId];
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('alarms the alarms topic on dead letters and on function errors', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const alarmsTopicArn = { Ref: logicalIdOf(stateful.topics.alarmsTopic) };
    const deadLetter = alarms.find((alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    const errors = alarms.find((alarm) => alarm.Properties.MetricName === 'Errors');
    expect(deadLetter?.Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
    expect(errors?.Properties.Namespace).toBe('AWS/Lambda');
    expect(errors?.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: functionId } }]);
    for (const alarm of [deadLetter, errors]) {
      expect(alarm?.Properties.Threshold).toBe(1);
      expect(alarm?.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm?.Properties.AlarmActions).toHaveLength(1);
      expect(exportedValue(alarm?.Properties.AlarmActions[0])).toEqual(alarmsTopicArn);
    }
  });
});

describe('stateless stack interface', () => {
  it('asks for the SES settings as parameters, the configuration set being optional', () => {
    template.hasParameter(STATELESS_PARAMETERS.senderAddress, { Type: 'String', AllowedPattern: Match.anyValue() });
    expect(template.toJSON().Parameters[STATELESS_PARAMETERS.senderAddress].Default).toBeUndefined();
    template.hasParameter(STATELESS_PARAMETERS.sesConfigurationSet, { Type: 'String', Default: '' });
  });

  it('publishes the controller function name', () => {
    template.hasOutput(STATELESS_OUTPUTS.controllerFunctionName, { Value: { Ref: functionId } });
  });
});
