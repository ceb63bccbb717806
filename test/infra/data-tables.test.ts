import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIT_TABLE, TABLES } from '../../lambdas/shared/config/tables.js';
import { STATEFUL_OUTPUTS, tableNameOutputKey } from '../../lib/stacks/stateful-stack.js';
import { buildStacks, logicalIdOf } from './idgov-app.js';

const { stateful } = buildStacks();
const template = Template.fromStack(stateful);
const keyLogicalId = logicalIdOf(stateful.tables.key);

describe.each(TABLES)('table $id', (definition) => {
  const logicalId = logicalIdOf(stateful.tables.tableFor(definition));
  const resource = template.findResources('AWS::DynamoDB::Table')[logicalId];
  const properties = resource.Properties;

  it('has the partition and sort key of tables.ts', () => {
    expect(properties.KeySchema).toEqual([
      { AttributeName: definition.partitionKey, KeyType: 'HASH' },
      { AttributeName: definition.sortKey, KeyType: 'RANGE' },
    ]);
  });

  it('has exactly the indexes of tables.ts: global ones projecting all attributes, local ones the keys only', () => {
    expect(properties.GlobalSecondaryIndexes ?? []).toEqual(
      definition.indexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(properties.LocalSecondaryIndexes ?? []).toEqual(
      (definition.localIndexes ?? []).map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    );
    const keyAttributes = new Set([
      definition.partitionKey,
      definition.sortKey,
      ...definition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
      ...(definition.localIndexes ?? []).map((index) => index.sortKey),
    ]);
    expect(properties.AttributeDefinitions).toHaveLength(keyAttributes.size);
    expect(properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
  });

  it('expires records by the TTL attribute of tables.ts, or never when it names none', () => {
    if (definition.ttlAttribute) expect(properties.TimeToLiveSpecification).toEqual({ AttributeName: definition.ttlAttribute, Enabled: true });
    else expect(properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('is on-demand, point-in-time recoverable, deletion-protected and retained', () => {
    expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(properties.DeletionProtectionEnabled).toBe(true);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  it('is encrypted with the customer-managed table key', () => {
    expect(properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] },
    });
  });

  it('publishes its deployed name as a stack output', () => {
    template.hasOutput(tableNameOutputKey(definition), { Value: { Ref: logicalId } });
  });
});

describe('the audit log table', () => {
  const resource = template.findResources('AWS::DynamoDB::Table')[logicalIdOf(stateful.tables.auditTable)];

  it('is the table of AUDIT_TABLE: no TTL, no global index, ByEventKey on eventKey (keys only), retained and recoverable', () => {
    expect(stateful.tables.auditTable).toBe(stateful.tables.tableFor(AUDIT_TABLE));
    expect(AUDIT_TABLE.ttlAttribute).toBeUndefined();
    expect(resource.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(resource.Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(resource.Properties.LocalSecondaryIndexes).toEqual([
      {
        IndexName: 'ByEventKey',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'eventKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    expect(resource.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
    expect(resource.DeletionPolicy).toBe('Retain');
  });
});

describe('stateful stack', () => {
  it('builds one table per definition in tables.ts and no other', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
  });

  it('rotates and retains every key', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
  });

  it('encrypts both topics with a key CloudWatch alarms may use, and refuses plain HTTP', () => {
    const topicKeyId = logicalIdOf(stateful.topics.key);
    template.resourcePropertiesCountIs(
      'AWS::SNS::Topic',
      { KmsMasterKeyId: { 'Fn::GetAtt': [topicKeyId, 'Arn'] } },
      2,
    );
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.resourcePropertiesCountIs(
      'AWS::SNS::TopicPolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    );
  });

  it('publishes the topic ARNs as stack outputs', () => {
    const alarmsTopicId = logicalIdOf(stateful.topics.alarmsTopic);
    template.hasOutput(STATEFUL_OUTPUTS.alarmsTopicArn, { Value: { Ref: alarmsTopicId } });
    template.hasOutput(STATEFUL_OUTPUTS.operationsTopicArn, { Value: { Ref: logicalIdOf(stateful.topics.operationsTopic) } });
  });
});
