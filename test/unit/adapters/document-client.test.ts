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
/** Lets every pending promise callback run (the mocked sends settle only when a test says so). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
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

  it('resends exactly the unprocessed items, waiting a full-jitter backoff, until they are written', async () => {
    const requests = Array.from({ length: 5 }, (_, i) => putOf(i));
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: requests.slice(2) } })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: requests.slice(4) } })
      .resolves({ UnprocessedItems: {} });
    await batchWrite(doc, TABLE, requests, { sleep, baseDelayMs: 100, random: () => 0.5 });

    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    expect(ddb).toHaveReceivedNthCommandWith(BatchWriteCommand, 1, { RequestItems: { [TABLE]: requests } });
    expect(ddb.commandCalls(BatchWriteCommand)[1]!.args[0].input).toStrictEqual({ RequestItems: { [TABLE]: requests.slice(2) } });
    expect(ddb.commandCalls(BatchWriteCommand)[2]!.args[0].input).toStrictEqual({ RequestItems: { [TABLE]: requests.slice(4) } });
    // Half (the injected random) of a cap that doubles: 100 ms, then 200 ms.
    expect(delays).toEqual([50, 100]);
  });

  it('draws each delay uniformly below a cap that doubles per attempt up to maxDelayMs', async () => {
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE] } }));
    const failure = batchWrite(doc, TABLE, [putOf(1)], { sleep, baseDelayMs: 100, maxDelayMs: 500, maxAttempts: 6, random: () => 0.999 });
    await expect(failure).rejects.toBeInstanceOf(UnprocessedBatchError);
    expect(delays.map(Math.round)).toEqual([100, 200, 400, 500, 500]);

    delays.length = 0;
    await expect(batchWrite(doc, TABLE, [putOf(1)], { sleep, maxAttempts: 3, random: () => 0 })).rejects.toThrow();
    expect(delays).toEqual([0, 0]);
  });

  it('gives up after the last attempt with an error naming the table and what stayed unprocessed', async () => {
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE].slice(1) } }));
    const failure = batchWrite(doc, TABLE, [putOf(1), putOf(2), putOf(3), putOf(4)], { sleep, maxAttempts: 3 });
    await expect(failure).rejects.toBeInstanceOf(UnprocessedBatchError);
    await expect(failure).rejects.toThrow(`BatchWriteItem on ${TABLE}: 1 request(s) still unprocessed after 3 attempts`);
    await expect(failure).rejects.toMatchObject({ tableName: TABLE, remaining: 1, operation: 'BatchWriteItem' });
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    expect(delays).toHaveLength(2);
  });

  it('starts no further chunk once one has failed', async () => {
    ddb.on(BatchWriteCommand).rejects(new Error('access denied'));
    await expect(batchWrite(doc, TABLE, Array.from({ length: 100 }, (_, i) => putOf(i)), { sleep, concurrency: 1 })).rejects.toThrow(
      'access denied',
    );
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
  });

  it('rejects only once every chunk in flight has settled, and starts none after the failure', async () => {
    // Each send waits until the test settles it, so the order of events is the test's, not the clock's.
    const sends: { first: unknown; settle: (error?: Error) => void }[] = [];
    let inFlight = 0;
    ddb.on(BatchWriteCommand).callsFake(
      (input) =>
        new Promise((resolve, reject) => {
          inFlight += 1;
          sends.push({
            first: input.RequestItems[TABLE][0],
            settle: (error) => {
              inFlight -= 1;
              if (error) reject(error);
              else resolve({ UnprocessedItems: {} });
            },
          });
        }),
    );
    const requests = Array.from({ length: 250 }, (_, i) => putOf(i)); // 10 chunks
    let outcome: { error: unknown; inFlight: number; started: number } | undefined;
    const done = batchWrite(doc, TABLE, requests, { sleep, concurrency: 3 }).then(
      () => expect.unreachable('the failing chunk must fail the call'),
      (error: unknown) => {
        outcome = { error, inFlight, started: sends.length };
      },
    );
    await flush();
    expect(sends.map((s) => s.first)).toEqual([putOf(0), putOf(25), putOf(50)]);

    sends[1]!.settle(new Error('chunk 2 failed'));
    await flush();
    // Chunks 1 and 3 are still writing: the call must not have given up on them yet.
    expect(outcome).toBeUndefined();
    sends[0]!.settle();
    await flush();
    expect(outcome).toBeUndefined();
    sends[2]!.settle();
    await done;

    expect(outcome).toEqual({ error: new Error('chunk 2 failed'), inFlight: 0, started: 3 });
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
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

  it('resends exactly the unprocessed keys, with the same read options, after a backoff', async () => {
    const delays: number[] = [];
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [{ ...keyOf(1), n: 1 }] }, UnprocessedKeys: { [TABLE]: { Keys: [keyOf(2), keyOf(3)] } } })
      .resolvesOnce({ Responses: { [TABLE]: [{ ...keyOf(2), n: 2 }, { ...keyOf(3), n: 3 }] }, UnprocessedKeys: {} });
    const records = await batchGet(doc, TABLE, [keyOf(1), keyOf(2), keyOf(3)], {
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
      baseDelayMs: 40,
      attributes: ['PK', 'n'],
    });

    expect(records).toEqual([{ ...keyOf(1), n: 1 }, { ...keyOf(2), n: 2 }, { ...keyOf(3), n: 3 }]);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 2);
    expect(ddb.commandCalls(BatchGetCommand)[1]!.args[0].input).toStrictEqual({
      RequestItems: {
        [TABLE]: { Keys: [keyOf(2), keyOf(3)], ConsistentRead: undefined, ProjectionExpression: '#a0, #a1', ExpressionAttributeNames: { '#a0': 'PK', '#a1': 'n' } },
      },
    });
    expect(delays).toEqual([20]);
  });

  it('gives up after the last attempt with an error naming the table and the keys left', async () => {
    ddb.on(BatchGetCommand).callsFake((input) => ({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: input.RequestItems[TABLE] } }));
    const failure = batchGet(doc, TABLE, [keyOf(1), keyOf(2)], { sleep: async () => {}, maxAttempts: 2 });
    await expect(failure).rejects.toBeInstanceOf(UnprocessedBatchError);
    await expect(failure).rejects.toThrow(`BatchGetItem on ${TABLE}: 2 request(s) still unprocessed after 2 attempts`);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 2);
  });

  it('rejects only once every chunk in flight has settled', async () => {
    const settle: ((error?: Error) => void)[] = [];
    let inFlight = 0;
    ddb.on(BatchGetCommand).callsFake(
      () =>
        new Promise((resolve, reject) => {
          inFlight += 1;
          settle.push((error) => {
            inFlight -= 1;
            if (error) reject(error);
            else resolve({ Responses: { [TABLE]: [] } });
          });
        }),
    );
    let seen: number | undefined;
    const done = batchGet(doc, TABLE, Array.from({ length: 500 }, (_, i) => keyOf(i)), { concurrency: 2 }).catch(() => {
      seen = inFlight;
    });
    await flush();
    settle[0]!(new Error('throttled for good'));
    await flush();
    expect(seen).toBeUndefined();
    settle[1]!();
    await done;
    expect(seen).toBe(0);
    expect(settle).toHaveLength(2);
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
