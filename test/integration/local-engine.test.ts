// The embedded engine the CLI keeps its local state in: persistence across restarts, one holder
// of the state folder at a time, and table creation that tolerates existing tables.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTables, startEmbeddedEngine, type LocalEngine } from '../../src/local/engine.js';
import { localDocumentClient } from '../support/engine.js';

describe('startEmbeddedEngine with a state folder', () => {
  let folder: string;
  const running: LocalEngine[] = [];
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'idgov-engine-'));
  });
  afterEach(async () => {
    for (const engine of running.splice(0)) await engine.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps tables and items across a stop and a restart', async () => {
    const first = await startEmbeddedEngine({ path: folder });
    const doc = localDocumentClient(first.endpoint);
    const names = await createTables(doc);
    await doc.send(new PutCommand({ TableName: names.directory, Item: { PK: 'USER#u-1', SK: '#PROFILE', displayName: 'Ana' } }));
    doc.destroy();
    await first.stop();

    const second = await startEmbeddedEngine({ path: folder });
    running.push(second);
    const again = localDocumentClient(second.endpoint);
    // Existing tables are fine.
    expect(await createTables(again)).toEqual(names);
    const { Item } = await again.send(new GetCommand({ TableName: names.directory, Key: { PK: 'USER#u-1', SK: '#PROFILE' } }));
    expect(Item).toMatchObject({ displayName: 'Ana' });
    again.destroy();
  });

  it('after an unclean exit, rebuilds its indexes from the items (dynalite writes index entries, then the item)', async () => {
    const first = await startEmbeddedEngine({ path: folder });
    expect(existsSync(join(folder, 'IN-USE-BY-IDGOV'))).toBe(true);
    const doc = localDocumentClient(first.endpoint);
    const names = await createTables(doc);
    const campaign = (id: string, state: string) => ({ PK: `CAMPAIGN#${id}`, SK: '#META', GSI1PK: `CSTATE#${state}`, GSI1SK: `1#${id}`, id, state });
    await doc.send(new PutCommand({ TableName: names.campaign, Item: campaign('a', 'RUNNING') }));
    await doc.send(new PutCommand({ TableName: names.campaign, Item: campaign('b', 'RUNNING') }));
    doc.destroy();
    await first.stop();
    expect(existsSync(join(folder, 'IN-USE-BY-IDGOV'))).toBe(false);

    // What a process killed inside two writes leaves: a's index entry deleted and its item not yet
    // rewritten; b's index entry rewritten (a newer copy) and its item not.
    const level = createRequire(createRequire(import.meta.url).resolve('dynalite'))('level') as {
      Level: new (path: string, options: { valueEncoding: 'json' }) => {
        open(): Promise<void>;
        close(): Promise<void>;
        iterator(): AsyncIterable<[string, Record<string, unknown>]>;
        del(key: string): Promise<void>;
        put(key: string, value: unknown): Promise<void>;
      };
    };
    const raw = new level.Level(folder, { valueEncoding: 'json' });
    await raw.open();
    for await (const [key, value] of raw.iterator()) {
      if (!key.startsWith(`index-global~${names.campaign}~GSI1~`)) continue;
      const id = (value.id as Record<string, string>).S;
      if (id === 'a') await raw.del(key);
      if (id === 'b') await raw.put(key, { ...value, state: { S: 'SUCCEEDED' } });
    }
    await raw.close();
    const listedRunning = async (engine: LocalEngine) => {
      const client = localDocumentClient(engine.endpoint);
      const { Items } = await client.send(
        new QueryCommand({ TableName: names.campaign, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': 'CSTATE#RUNNING' } }),
      );
      client.destroy();
      return (Items ?? []).map((item) => `${item.id}:${item.state}`);
    };

    // A clean stop: the engine trusts its indexes, which are now wrong.
    const trusting = await startEmbeddedEngine({ path: folder });
    expect(await listedRunning(trusting)).toEqual(['b:SUCCEEDED']);
    await trusting.stop();

    // An unclean one: the marker is still there, and the indexes are rebuilt from the items.
    await writeFile(join(folder, 'IN-USE-BY-IDGOV'), '4242\n');
    const rebuilt = await startEmbeddedEngine({ path: folder });
    running.push(rebuilt);
    expect(await listedRunning(rebuilt)).toEqual(['a:RUNNING', 'b:RUNNING']);
  });

  it('refuses a state folder another engine holds, with a clear error, and takes it once it is free', async () => {
    const holder = await startEmbeddedEngine({ path: folder });
    await expect(startEmbeddedEngine({ path: folder })).rejects.toThrow(/another idgov process holds the local state folder/);
    await holder.stop();
    running.push(await startEmbeddedEngine({ path: folder }));
  });
});

describe('createTables', () => {
  it('creates every table with its indexes under the given names, ACTIVE', async () => {
    const engine = await startEmbeddedEngine();
    const doc = localDocumentClient(engine.endpoint);
    try {
      const names = await createTables(doc, { directory: 'dir-x', CampaignTable: 'camp-x' });
      expect(names).toEqual({ directory: 'dir-x', campaign: 'camp-x', operations: 'idgov-operations', audit: 'idgov-audit' });
      const { Table } = await doc.send(new DescribeTableCommand({ TableName: 'camp-x' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType, i.IndexStatus])).toEqual([
        ['GSI1', 'ALL', 'ACTIVE'],
        ['GSI2', 'ALL', 'ACTIVE'],
      ]);
      const operations = await doc.send(new DescribeTableCommand({ TableName: 'idgov-operations' }));
      expect(operations.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus])).toEqual([['GSI1', 'ACTIVE']]);
      // The audit log: no global index, one local index on eventKey projecting keys only.
      const audit = (await doc.send(new DescribeTableCommand({ TableName: 'idgov-audit' }))).Table;
      expect(audit?.TableStatus).toBe('ACTIVE');
      expect(audit?.GlobalSecondaryIndexes ?? []).toEqual([]);
      expect(audit?.LocalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema, i.Projection?.ProjectionType])).toEqual([
        [
          'ByEventKey',
          [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'eventKey', KeyType: 'RANGE' },
          ],
          'KEYS_ONLY',
        ],
      ]);
    } finally {
      doc.destroy();
      await engine.stop();
    }
  });
});
