import { describe, expect, it } from 'vitest';
import { chunk, mapLimit, readAhead } from '../../../lambdas/shared/use-cases/concurrency.js';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('mapLimit', () => {
  it('keeps the input order and never has more than `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await later(ms, null);
      inFlight -= 1;
      return `${i}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10']);
    expect(peak).toBe(2);
  });

  it('rejects with the first failure, after the work in flight settled, starting nothing new', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const failure = mapLimit([0, 1, 2, 3, 4, 5], 3, async (i) => {
      started.push(i);
      if (i === 1) throw new Error('first');
      await later(i === 2 ? 20 : 10, null);
      if (i === 0) throw new Error('second');
      finished.push(i);
    });
    await expect(failure).rejects.toThrow('first');
    expect(started).toEqual([0, 1, 2]);
    expect(finished).toEqual([2]);
  });

  it('treats a limit below 1 as 1 instead of doing nothing', async () => {
    expect(await mapLimit([1, 2], 0, async (n) => n * 2)).toEqual([2, 4]);
  });
});

describe('chunk', () => {
  it('cuts a list into slices of `size`, the last one shorter', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 25)).toEqual([]);
  });
});

describe('readAhead', () => {
  /** A source that records when each value is asked for and when its reading finishes. */
  function recordedSource(values: number[], log: string[], failAt?: number) {
    let closed = false;
    async function* source() {
      try {
        for (const [i, v] of values.entries()) {
          log.push(`read ${v}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (i === failAt) throw new Error(`read ${v} failed`);
          log.push(`got ${v}`);
          yield v;
        }
      } finally {
        closed = true;
      }
    }
    return { iterable: source(), closed: () => closed };
  }

  it('reads the next value while the consumer works on the current one, and yields every value in order', async () => {
    const log: string[] = [];
    const { iterable } = recordedSource([1, 2, 3], log);
    const seen: number[] = [];
    for await (const v of readAhead(iterable)) {
      log.push(`work ${v} start`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`work ${v} end`);
      seen.push(v);
    }
    expect(seen).toEqual([1, 2, 3]);
    // Value 2 was read during the work on 1, and 3 during the work on 2: never more than one ahead.
    expect(log.indexOf('got 2')).toBeLessThan(log.indexOf('work 1 end'));
    expect(log.indexOf('read 3')).toBeGreaterThan(log.indexOf('work 1 end'));
    expect(log.indexOf('got 3')).toBeLessThan(log.indexOf('work 2 end'));
  });

  it('settles the read in flight and closes the source when the consumer stops early', async () => {
    const log: string[] = [];
    const source = recordedSource([1, 2, 3], log);
    for await (const v of readAhead(source.iterable)) if (v === 1) break;
    // Returning waited for the read of 2 (started ahead) and closed the source: nothing still runs.
    expect(log).toEqual(['read 1', 'got 1', 'read 2', 'got 2']);
    expect(source.closed()).toBe(true);
  });

  it('passes a failed read to the consumer, after the value before it', async () => {
    const log: string[] = [];
    const { iterable } = recordedSource([1, 2, 3], log, 1);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of readAhead(iterable)) seen.push(v);
      })(),
    ).rejects.toThrow('read 2 failed');
    expect(seen).toEqual([1]);
  });

  it('keeps a read that fails while the consumer works for the consumer\'s next ask, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { iterable } = recordedSource([1, 2], [], 1);
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const v of readAhead(iterable)) {
            // The read of 2 fails (5 ms) while this works (30 ms).
            await new Promise((resolve) => setTimeout(resolve, 30));
            seen.push(v);
          }
        })(),
      ).rejects.toThrow('read 2 failed');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(seen).toEqual([1]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('leaves no unobserved rejection when the consumer fails while a read ahead fails too', async () => {
    const { iterable } = recordedSource([1, 2], [], 1);
    await expect(
      (async () => {
        for await (const _ of readAhead(iterable)) throw new Error('the consumer failed');
      })(),
    ).rejects.toThrow('the consumer failed');
  });
});
