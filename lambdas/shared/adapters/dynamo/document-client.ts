// The DynamoDB access helpers every Dynamo adapter shares: one configured DocumentClient, batch
// writes and reads that retry what DynamoDB left unprocessed, paginated queries, and a write hook.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type BatchWriteCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

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

/** Full jitter: a random delay up to an exponentially growing cap. */
function backoffMs(attempt: number, options: BatchRetryOptions): number {
  const cap = Math.min(options.maxDelayMs ?? 2_000, (options.baseDelayMs ?? 25) * 2 ** (attempt - 1));
  return Math.random() * cap;
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

export const chunked = <T>(values: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(values.length / size) }, (_, i) => values.slice(i * size, (i + 1) * size));

async function forEachLimit<T>(values: readonly T[], limit: number, fn: (value: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure no new work starts: the caller already has the error.
    while (!failed && next < values.length) {
      try {
        await fn(values[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), values.length) }, worker));
}

/**
 * Writes every request in full chunks of 25 (the write count is ceil(n / 25) when nothing is
 * throttled), resending what DynamoDB returns as unprocessed with backoff, and throws
 * UnprocessedBatchError when a chunk still has leftovers after `maxAttempts` sends.
 */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchRetryOptions = {},
): Promise<void> {
  const keyAttributes = options.keyAttributes ?? DEFAULT_KEY;
  const unique = lastPerKey(requests, (r) => requestKey(r, keyAttributes));
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? realSleep;
  await forEachLimit(chunked(unique, Math.min(options.chunkSize ?? 25, 25)), options.concurrency ?? 4, async (chunk) => {
    let pending: WriteRequest[] = chunk;
    for (let attempt = 1; ; attempt++) {
      const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = output.UnprocessedItems?.[tableName] ?? [];
      if (pending.length === 0) return;
      if (attempt >= maxAttempts) throw new UnprocessedBatchError('BatchWriteItem', tableName, pending.length, attempt);
      await sleep(backoffMs(attempt, options));
    }
  });
}

export interface BatchGetOptions extends BatchRetryOptions {
  consistentRead?: boolean;
  /** Attributes to read (names, not paths); all when absent. */
  attributes?: readonly string[];
}

/** Reads the records of `keys` (100 a request, unprocessed keys retried); missing keys are absent. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly DynamoRecord[],
  options: BatchGetOptions = {},
): Promise<DynamoRecord[]> {
  const keyAttributes = options.keyAttributes ?? DEFAULT_KEY;
  const unique = lastPerKey(keys, (k) => keyString(k, keyAttributes));
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? realSleep;
  const projection = options.attributes?.length
    ? {
        ProjectionExpression: options.attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(options.attributes.map((name, i) => [`#a${i}`, name])),
      }
    : {};
  const found: DynamoRecord[] = [];
  await forEachLimit(chunked(unique, Math.min(options.chunkSize ?? 100, 100)), options.concurrency ?? 4, async (chunk) => {
    let pending: DynamoRecord[] = chunk;
    for (let attempt = 1; ; attempt++) {
      const output = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistentRead, ...projection } },
        }),
      );
      found.push(...((output.Responses?.[tableName] ?? []) as DynamoRecord[]));
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as DynamoRecord[];
      if (pending.length === 0) return;
      if (attempt >= maxAttempts) throw new UnprocessedBatchError('BatchGetItem', tableName, pending.length, attempt);
      await sleep(backoffMs(attempt, options));
    }
  });
  return found;
}

/** One page of records per Query request, following LastEvaluatedKey until the end. */
export async function* queryPages(doc: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<DynamoRecord[]> {
  let start: QueryCommandInput['ExclusiveStartKey'];
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

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
let instrumentations = 0;

/**
 * Calls `onWrite('PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem')` after each write
 * request that succeeded (SDK retries of one request count once). The middleware sits on the
 * low-level client's stack, which a DocumentClient shares. If `onWrite` throws, that write's caller
 * gets the error and every later write through this client fails with it before being sent, as if
 * the process had died there (writes already in flight still land). Returns an uninstaller.
 */
export function instrumentWrites(
  client: DynamoDBClient | DynamoDBDocumentClient,
  onWrite: (commandName: string) => void,
): () => void {
  const name = `idgovInstrumentWrites${++instrumentations}`;
  let failure: { error: unknown } | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      if (!WRITE_COMMANDS.has(commandName)) return next(args);
      if (failure) throw failure.error;
      const result = await next(args);
      try {
        onWrite(commandName.replace(/Command$/, ''));
      } catch (error) {
        failure ??= { error };
        throw error;
      }
      return result;
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}
