// The campaign store's revocation verification on DynamoDB, command by command: the read-backs are
// written in batches with the sparse unverified index only on those still present, and the index
// is read by its partition, bounded by the next check.
import 'aws-sdk-client-mock-vitest/extend';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoCampaignStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import type { Revocation } from '../../../lambdas/shared/domain/model.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const TABLE = 'campaigns';
const store = new DynamoCampaignStore({ doc, tableName: TABLE, batch: { sleep: async () => {} } });

const revocation = (userId: string, verification?: Revocation['verification']): Revocation => ({
  runId: 'c-1#2',
  campaignId: 'c-1',
  userId,
  privilegeId: 'p-git',
  entryId: 'e-1',
  itemId: 'p-git',
  reason: 'REJECTED',
  at: '2026-07-15T01:00:00.000Z',
  ...(verification ? { verification } : {}),
});

beforeEach(() => ddb.reset());

describe('DynamoCampaignStore: revocation verification', () => {
  it('saveRevocationVerifications puts whole records in one batch, in the unverified index only while still present', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const still = revocation('u-a', { status: 'STILL_PRESENT', at: '2026-07-15T01:00:00.000Z', since: '2026-07-15T01:00:00.000Z', nextCheckAt: '2026-07-16T01:00:00.000Z' });
    const gone = revocation('u-b', { status: 'ABSENT', at: '2026-07-15T01:00:00.000Z', origin: 'RULE' });
    await store.saveRevocationVerifications([still, gone]);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(BatchWriteCommand, {
      RequestItems: {
        [TABLE]: [
          {
            PutRequest: {
              Item: {
                ...still,
                PK: 'RUN#c-1#2',
                SK: 'REVOKED#u-a#p-git',
                entity: 'revocation',
                GSI2PK: 'UNVERIFIED',
                GSI2SK: '2026-07-16T01:00:00.000Z#c-1#2#u-a#p-git',
              },
            },
          },
          { PutRequest: { Item: { ...gone, PK: 'RUN#c-1#2', SK: 'REVOKED#u-b#p-git', entity: 'revocation' } } },
        ],
      },
    });
  });

  it('listUnverifiedRevocations queries the UNVERIFIED partition of GSI2, up to just past every key of the instant given', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...revocation('u-a'), PK: 'RUN#c-1#2', SK: 'REVOKED#u-a#p-git', entity: 'revocation', GSI2PK: 'UNVERIFIED', GSI2SK: 'x' }] });
    expect(await collect(store.listUnverifiedRevocations('2026-07-16T01:00:00.000Z'))).toEqual([revocation('u-a')]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :due',
      ExpressionAttributeValues: { ':pk': 'UNVERIFIED', ':due': '2026-07-16T01:00:00.000Z#\uffff' },
    });
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    await collect(store.listUnverifiedRevocations());
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': 'UNVERIFIED' } });
  });
});
