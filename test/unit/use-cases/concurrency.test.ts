import { describe, expect, it } from 'vitest';
import { chunk, mapLimit } from '../../../lambdas/shared/use-cases/concurrency.js';

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
