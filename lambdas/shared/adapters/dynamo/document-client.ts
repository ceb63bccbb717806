// The DynamoDB access helpers every Dynamo adapter shares: one configured DocumentClient, batch
// writes and reads that retry what DynamoDB left unprocessed, and paginated queries.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type BatchWriteCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { chunk, mapLimit } from '../../use-cases/concurrency.js';

export type DynamoRecord = Record<string, unknown>;
export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
/** A delete of the record with this PK and SK, for batchWrite. */
export const deleteRequest = (record: DynamoRecord): WriteRequest => ({ DeleteRequest: { Key: { PK: record.PK, SK: record.SK } } });

export interface DocumentClientOptions {
  endpoint?: string;
  region?: string;
  credentials?: DynamoDBClientConfig['credentials'];
}

export function createDocumentClient(options: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    // Optional entity fields are left out instead of failing the marshaller.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export interface BatchRetryOptions {
  /** Requests per chunk (at most 25 for writes, 100 for reads). */
  chunkSize?: number;
  /** Sends of one chunk, the first included, before giving up. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Chunks in flight at once. */
  concurrency?: number;
  /** Key attributes used to drop duplicate keys (DynamoDB rejects them inside one batch). */
  keyAttributes?: readonly string[];
  /** Injected by tests so that backoff costs no time. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter; injected by tests to pin the delays. */
  random?: () => number;
}

const DEFAULT_KEY = ['PK', 'SK'] as const;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** DynamoDB left part of a batch unprocessed after every retry (throttling that did not clear). */
export class UnprocessedBatchError extends Error {
  constructor(
    readonly operation: 'BatchWriteItem' | 'BatchGetItem',
    readonly tableName: string,
    readonly remaining: number,
    attempts: number,
  ) {
    super(`${operation} on ${tableName}: ${remaining} request(s) still unprocessed after ${attempts} attempts`);
    this.name = 'UnprocessedBatchError';
  }
}

/**
 * Sends `requests` and then whatever DynamoDB answers as unprocessed, waiting between attempts
 * with exponential backoff and full jitter (a random delay up to base × 2^(attempt-1), capped),
 * so that throttled writers spread out instead of retrying in step. `send` returns the leftovers.
 * After `maxAttempts` sends with leftovers, throws UnprocessedBatchError.
 */
async function sendUntilProcessed<T>(
  operation: UnprocessedBatchError['operation'],
  tableName: string,
  requests: T[],
  options: BatchRetryOptions,
  send: (pending: T[]) => Promise<T[]>,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  let pending = requests;
  for (let attempt = 1; ; attempt++) {
    pending = await send(pending);
    if (pending.length === 0) return;
    if (attempt >= maxAttempts) throw new UnprocessedBatchError(operation, tableName, pending.length, attempt);
    const cap = Math.min(options.maxDelayMs ?? 2_000, (options.baseDelayMs ?? 25) * 2 ** (attempt - 1));
    await sleep(random() * cap);
  }
}

const keyString = (record: DynamoRecord, keyAttributes: readonly string[]) =>
  JSON.stringify(keyAttributes.map((name) => record[name]));

function requestKey(request: WriteRequest, keyAttributes: readonly string[]): string {
  const record = (request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {}) as DynamoRecord;
  return keyString(record, keyAttributes);
}

/** The last request for a key wins, as it would with one write after another. */
function lastPerKey<T>(values: readonly T[], keyOf: (value: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const value of values) {
    const key = keyOf(value);
    byKey.delete(key);
    byKey.set(key, value);
  }
  return [...byKey.values()];
}

/**
 * Writes every request in full chunks of 25 (the write count is ceil(n / 25) when nothing is
 * throttled), resending what DynamoDB returns as unprocessed with backoff, and throws
 * UnprocessedBatchError when a chunk still has leftovers after `maxAttempts` sends. When a chunk
 * fails, no further chunk starts and the call rejects only once the chunks in flight have settled:
 * nothing is still writing after the caller has the error.
 */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchRetryOptions = {},
): Promise<void> {
  const keyAttributes = options.keyAttributes ?? DEFAULT_KEY;
  const unique = lastPerKey(requests, (r) => requestKey(r, keyAttributes));
  await mapLimit(chunk(unique, Math.min(options.chunkSize ?? 25, 25)), options.concurrency ?? 4, (requests) =>
    sendUntilProcessed('BatchWriteItem', tableName, requests, options, async (pending) => {
      const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      return output.UnprocessedItems?.[tableName] ?? [];
    }),
  );
}

export interface BatchGetOptions extends BatchRetryOptions {
  consistentRead?: boolean;
  /** Attributes to read (names, not paths); all when absent. */
  attributes?: readonly string[];
}

/**
 * Reads the records of `keys` (100 a request, unprocessed keys retried as batchWrite retries, with
 * the same settle-then-fail behaviour); missing keys are absent from the result.
 */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly DynamoRecord[],
  options: BatchGetOptions = {},
): Promise<DynamoRecord[]> {
  const keyAttributes = options.keyAttributes ?? DEFAULT_KEY;
  const unique = lastPerKey(keys, (k) => keyString(k, keyAttributes));
  const projection = options.attributes?.length
    ? {
        ProjectionExpression: options.attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(options.attributes.map((name, i) => [`#a${i}`, name])),
      }
    : {};
  const found: DynamoRecord[] = [];
  await mapLimit(chunk(unique, Math.min(options.chunkSize ?? 100, 100)), options.concurrency ?? 4, (keys) =>
    sendUntilProcessed('BatchGetItem', tableName, keys, options, async (pending) => {
      const output = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistentRead, ...projection } },
        }),
      );
      found.push(...((output.Responses?.[tableName] ?? []) as DynamoRecord[]));
      return (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as DynamoRecord[];
    }),
  );
  return found;
}

/** One page of records per Query request, from the input's ExclusiveStartKey (if any), following LastEvaluatedKey until the end. */
export async function* queryPages(doc: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<DynamoRecord[]> {
  let start: QueryCommandInput['ExclusiveStartKey'] = input.ExclusiveStartKey;
  do {
    const output = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield (output.Items ?? []) as DynamoRecord[];
    start = output.LastEvaluatedKey;
  } while (start);
}

export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<DynamoRecord[]> {
  const all: DynamoRecord[] = [];
  for await (const page of queryPages(doc, input)) all.push(...page);
  return all;
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * Whether the stored record is exactly the one written (attributes left undefined are not stored).
 * A conditional write that DynamoDB applied but whose answer was lost (a 500, a dropped connection)
 * is sent again by the SDK's retry, and that second send fails its own condition: reading the record
 * back and finding it equal tells the writer its write landed, rather than that someone else's did.
 */
export function isStoredAsWritten(stored: DynamoRecord | undefined, written: DynamoRecord): boolean {
  return stored !== undefined && comparable(stored) === comparable(written);
}

const comparable = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => {
    if (v instanceof Set) return [...v].sort();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as DynamoRecord).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
