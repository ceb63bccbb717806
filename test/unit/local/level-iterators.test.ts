import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { closeLevelIteratorsWhenDone } from '../../../src/local/level-iterators.js';

// memory-level: dynalite's in-memory store, an abstract-level database like its LevelDB one.
const require = createRequire(import.meta.url);
const { MemoryLevel } = require('memory-level') as {
  MemoryLevel: new () => {
    batch(ops: { type: 'put'; key: string; value: string }[]): Promise<void>;
    values(options?: { limit?: number }): { next(): Promise<string | undefined>; return?: () => Promise<void> };
    close(): Promise<void>;
  };
};

async function database() {
  const db = new MemoryLevel();
  await db.batch(['a', 'b', 'c'].map((key) => ({ type: 'put' as const, key, value: key.toUpperCase() })));
  return db;
}

describe('the embedded engine’s LevelDB iterators (dynalite leaves them open)', () => {
  closeLevelIteratorsWhenDone();

  it('closes an iterator read to its end: reading on is refused as on any closed iterator', async () => {
    const db = await database();
    const values = db.values();
    const read: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) read.push(await values.next());
    expect(read).toEqual(['A', 'B', 'C', undefined]);
    await expect(values.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    await db.close();
  });

  it('gives iterators the return() a stream cut short calls, which closes them', async () => {
    const db = await database();
    const values = db.values();
    expect(await values.next()).toBe('A');
    expect(typeof values.return).toBe('function');
    await values.return!();
    await expect(values.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    await db.close();
  });

  it('patches once: applied again, an exhausted iterator is still closed once (no double close)', async () => {
    closeLevelIteratorsWhenDone();
    const db = await database();
    const values = db.values({ limit: 1 });
    expect(await values.next()).toBe('A');
    expect(await values.next()).toBeUndefined();
    await expect(values.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    await db.close();
  });
});
