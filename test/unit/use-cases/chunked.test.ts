import { describe, expect, it } from 'vitest';
import { forEachChunk } from '../../../lambdas/shared/use-cases/chunked.js';
import { UNLIMITED_BUDGET, type Pages, type TimeBudget } from '../../../lambdas/shared/use-cases/ports.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `k${String(i).padStart(3, '0')}`);

/** A listing that resumes strictly after a key (what a store's `{ after }` does), in pages of 3. */
function listing(keys: string[], reads: string[] = []) {
  return async function* (after: string | undefined): Pages<string> {
    const rest = keys.filter((k) => after === undefined || k > after);
    for (let i = 0; i < rest.length; i += 3) {
      reads.push(...rest.slice(i, i + 3));
      yield rest.slice(i, i + 3);
    }
  };
}

/** A budget with room for `chunks` chunks (it is asked once after each). */
const budgetOf = (chunks: number): TimeBudget => {
  let left = chunks;
  return { hasTimeLeft: () => --left > 0, remainingMs: () => left };
};

describe('forEachChunk', () => {
  it('does every record once, in order, chunk by chunk, and checkpoints each chunk after its work', async () => {
    const log: string[] = [];
    const result = await forEachChunk({
      pages: listing(ids(10)),
      keyOf: (k) => k,
      budget: UNLIMITED_BUDGET,
      chunkSize: 4,
      work: async (chunk) => void log.push(`work ${chunk.join(',')}`),
      checkpoint: async (last, chunk) => void log.push(`save ${last} (${chunk.length})`),
    });
    expect(log).toEqual([
      'work k000,k001,k002,k003',
      'save k003 (4)',
      'work k004,k005,k006,k007',
      'save k007 (4)',
      'work k008,k009',
      'save k009 (2)',
    ]);
    expect(result).toEqual({ done: true, after: 'k009', chunks: 3, records: 10 });
  });

  it('stops between chunks when the budget is spent, and a call from the saved cursor finishes the rest', async () => {
    const done: string[] = [];
    let saved: string | undefined;
    const run = (budget: TimeBudget) =>
      forEachChunk({
        pages: listing(ids(10)),
        keyOf: (k) => k,
        after: saved,
        budget,
        chunkSize: 3,
        work: async (chunk) => void done.push(...chunk),
        checkpoint: async (last) => void (saved = last),
      });
    const first = await run(budgetOf(2));
    expect(first).toEqual({ done: false, after: 'k005', chunks: 2, records: 6 });
    expect(saved).toBe('k005');
    const second = await run(UNLIMITED_BUDGET);
    expect(second).toEqual({ done: true, after: 'k009', chunks: 2, records: 4 });
    expect(done).toEqual(ids(10));
  });

  it('makes progress with no budget at all: one chunk per call, never zero', async () => {
    const spent: TimeBudget = { hasTimeLeft: () => false, remainingMs: () => 0 };
    const done: string[] = [];
    let saved: string | undefined;
    let calls = 0;
    for (;;) {
      calls += 1;
      const result = await forEachChunk({
        pages: listing(ids(7)),
        keyOf: (k) => k,
        after: saved,
        budget: spent,
        chunkSize: 2,
        work: async (chunk) => void done.push(...chunk),
        checkpoint: async (last) => void (saved = last),
      });
      if (result.done) break;
      expect(calls).toBeLessThan(10);
    }
    expect(done).toEqual(ids(7));
    expect(calls).toBe(4);
  });

  it('does not ask for a continuation when the listing ends exactly at a chunk boundary', async () => {
    const spent: TimeBudget = { hasTimeLeft: () => false, remainingMs: () => 0 };
    const result = await forEachChunk({
      pages: listing(ids(4)),
      keyOf: (k) => k,
      budget: spent,
      chunkSize: 4,
      work: async () => {},
      checkpoint: async () => {},
    });
    expect(result).toEqual({ done: true, after: 'k003', chunks: 1, records: 4 });
  });

  it('an empty listing is done at once and keeps the cursor it was given', async () => {
    const result = await forEachChunk({
      pages: listing([]),
      keyOf: (k) => k,
      after: 'k100',
      budget: UNLIMITED_BUDGET,
      work: async () => expect.unreachable(),
      checkpoint: async () => expect.unreachable(),
    });
    expect(result).toEqual({ done: true, after: 'k100', chunks: 0, records: 0 });
  });

  it('a failing chunk saves no cursor, so the next call repeats it', async () => {
    let saved: string | undefined;
    const attempt = (fail: boolean) =>
      forEachChunk({
        pages: listing(ids(6)),
        keyOf: (k) => k,
        after: saved,
        budget: UNLIMITED_BUDGET,
        chunkSize: 2,
        work: async (chunk) => {
          if (fail && chunk.includes('k002')) throw new Error('directory refused');
        },
        checkpoint: async (last) => void (saved = last),
      });
    await expect(attempt(true)).rejects.toThrow('directory refused');
    expect(saved).toBe('k001');
    expect(await attempt(false)).toMatchObject({ done: true, after: 'k005', chunks: 2 });
  });

  it('reads no further than one record past the chunk it stops after (memory bounded by the chunk)', async () => {
    const reads: string[] = [];
    await forEachChunk({
      pages: listing(ids(100), reads),
      keyOf: (k) => k,
      budget: budgetOf(1),
      chunkSize: 5,
      work: async () => {},
      checkpoint: async () => {},
    });
    // Pages of 3: the chunk of 5 and the 6th record that shows more follow come from two pages.
    expect(reads).toEqual(ids(6));
  });
});
