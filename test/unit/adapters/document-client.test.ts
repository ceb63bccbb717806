import 'aws-sdk-client-mock-vitest/extend';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  UnprocessedBatchError,
  batchGet,
  batchWrite,
  createDocumentClient,
  queryPages,
  type WriteRequest,
} from '../../../lambdas/shared/adapters/dynamo/document-client.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const TABLE = 'table';

const putOf = (i: number): WriteRequest => ({ PutRequest: { Item: { PK: `P#${i}`, SK: 'S', n: i } } });
const keyOf = (i: number) => ({ PK: `P#${i}`, SK: 'S' });
const sentWrites = (call: number) => ddb.commandCalls(BatchWriteCommand)[call]!.args[0].input.RequestItems![TABLE]!;

describe('batchWrite', () => {
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
  };
  beforeEach(() => {
    ddb.reset();
    delays.length = 0;
  });

  it('sends full chunks of 25 and skips an empty list', async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    await batchWrite(doc, TABLE, Array.from({ length: 60 }, (_, i) => putOf(i)), { sleep, concurrency: 1 });
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    expect([0, 1, 2].map((c) => sentWrites(c).length)).toEqual([25, 25, 10]);

    ddb.resetHistory();
    await batchWrite(doc, TABLE, [], { sleep });
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
  });

  it('keeps only the last request for a key, which DynamoDB would reject as a duplicate', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    await batchWrite(doc, TABLE, [putOf(1), putOf(2), { PutRequest: { Item: { ...keyOf(1), n: 'last' } } }], { sleep });
    expect(sentWrites(0)).toEqual([putOf(2), { PutRequest: { Item: { ...keyOf(1), n: 'last' } } }]);
  });

  it('resends the unprocessed items with growing, jittered delays until they are written', async () => {
    const requests = Array.from({ length: 5 }, (_, i) => putOf(i));
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: requests.slice(2) } })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: requests.slice(4) } })
      .resolves({ UnprocessedItems: {} });
    await batchWrite(doc, TABLE, requests, { sleep, baseDelayMs: 100 });

    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    expect(sentWrites(1)).toEqual(requests.slice(2));
    expect(sentWrites(2)).toEqual(requests.slice(4));
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it('gives up with UnprocessedBatchError after the last attempt', async () => {
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE].slice(1) } }));
    const failure = batchWrite(doc, TABLE, [putOf(1), putOf(2), putOf(3), putOf(4)], { sleep, maxAttempts: 3 });
    await expect(failure).rejects.toBeInstanceOf(UnprocessedBatchError);
    await expect(failure).rejects.toThrow(`BatchWriteItem on ${TABLE}: 1 request(s) still unprocessed after 3 attempts`);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
  });

  it('starts no further chunk once one has failed', async () => {
    ddb.on(BatchWriteCommand).rejects(new Error('access denied'));
    await expect(batchWrite(doc, TABLE, Array.from({ length: 100 }, (_, i) => putOf(i)), { sleep, concurrency: 1 })).rejects.toThrow(
      'access denied',
    );
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
  });
});

describe('batchGet', () => {
  beforeEach(() => ddb.reset());
  const sentKeys = (call: number) => ddb.commandCalls(BatchGetCommand)[call]!.args[0].input.RequestItems![TABLE]!.Keys!;

  it('reads 100 keys a request, once each, and retries the unprocessed keys', async () => {
    ddb.on(BatchGetCommand).callsFake((input) => {
      const keys = input.RequestItems[TABLE].Keys as { PK: string }[];
      // The first answer of each chunk leaves its last key unprocessed.
      const leave = keys.length > 1 ? keys.slice(-1) : [];
      const found = keys.filter((k) => !leave.includes(k) && k.PK !== 'P#missing').map((k) => ({ ...k, found: true }));
      return { Responses: { [TABLE]: found }, UnprocessedKeys: leave.length ? { [TABLE]: { Keys: leave } } : {} };
    });
    const keys = [...Array.from({ length: 150 }, (_, i) => keyOf(i)), keyOf(3), { PK: 'P#missing', SK: 'S' }];
    const records = await batchGet(doc, TABLE, keys, { sleep: async () => {}, concurrency: 1, consistentRead: true });

    expect(records).toHaveLength(150);
    expect(new Set(records.map((r) => r.PK)).size).toBe(150);
    expect(sentKeys(0)).toHaveLength(100);
    expect(sentKeys(1)).toEqual(sentKeys(0).slice(-1));
    expect(sentKeys(2)).toHaveLength(51);
    expect(sentKeys(3)).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, { RequestItems: { [TABLE]: expect.objectContaining({ ConsistentRead: true }) } });
  });

  it('gives up with UnprocessedBatchError when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).callsFake((input) => ({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: input.RequestItems[TABLE] } }));
    await expect(batchGet(doc, TABLE, [keyOf(1)], { sleep: async () => {}, maxAttempts: 2 })).rejects.toBeInstanceOf(UnprocessedBatchError);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 2);
  });
});

describe('queryPages', () => {
  beforeEach(() => ddb.reset());

  it('yields one page per response and follows LastEvaluatedKey to the end', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ PK: 'a', SK: '1' }], LastEvaluatedKey: { PK: 'a', SK: '1' } })
      .resolvesOnce({ Items: [], LastEvaluatedKey: { PK: 'a', SK: '1' } })
      .resolvesOnce({ Items: [{ PK: 'a', SK: '2' }, { PK: 'a', SK: '3' }] });
    const input = { TableName: TABLE, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'a' } };
    const pages = [];
    for await (const page of queryPages(doc, input)) pages.push(page);

    expect(pages).toEqual([[{ PK: 'a', SK: '1' }], [], [{ PK: 'a', SK: '2' }, { PK: 'a', SK: '3' }]]);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 3);
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, { ...input, ExclusiveStartKey: undefined });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, { ...input, ExclusiveStartKey: { PK: 'a', SK: '1' } });
  });
});
