// The embedded engine the CLI keeps its local state in: persistence across restarts, one holder
// of the state folder at a time, and table creation that tolerates existing tables.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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

  it('refuses a state folder another engine holds, with a clear error, and takes it once it is free', async () => {
    const holder = await startEmbeddedEngine({ path: folder });
    await expect(startEmbeddedEngine({ path: folder })).rejects.toThrow(/another idgov process holds the local state folder/);
    await holder.stop();
    running.push(await startEmbeddedEngine({ path: folder }));
  });
});

describe('createTables', () => {
  it('creates both tables with their indexes under the given names, ACTIVE', async () => {
    const engine = await startEmbeddedEngine();
    const doc = localDocumentClient(engine.endpoint);
    try {
      const names = await createTables(doc, { directory: 'dir-x', CampaignTable: 'camp-x' });
      expect(names).toEqual({ directory: 'dir-x', campaign: 'camp-x' });
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
    } finally {
      doc.destroy();
      await engine.stop();
    }
  });
});
