// The progress line of long local work (src/cli/progress-line.ts), on a fake terminal and a fake
// clock: nothing for the first two seconds, then one line redrawn in place at most four times a
// second, with the phase's rate and the time left, erased at the end; nothing at all on a stream
// that is not a terminal, or with --json.
import { describe, expect, it } from 'vitest';
import { DELAY_MS, describeProgress, duration, INTERVAL_MS, ProgressLine, type ProgressStream } from '../../../src/cli/progress-line.js';
import type { ProgressEvent } from '../../../lambdas/shared/use-cases/ports.js';

function terminal(options: { isTTY?: boolean; columns?: number } = {}) {
  const writes: string[] = [];
  const stream: ProgressStream = { isTTY: options.isTTY ?? true, ...(options.columns ? { columns: options.columns } : {}), write: (text) => writes.push(text) };
  let clock = 0;
  return { stream, writes, now: () => clock, at: (ms: number) => void (clock = ms) };
}

const apply = (done: number, total?: number): ProgressEvent => ({ job: 'campaign-controller', phase: 'APPLY', campaignId: 'c-1', done, ...(total !== undefined ? { total } : {}) });

describe('ProgressLine', () => {
  it('draws nothing for work that ends within two seconds, and has nothing to erase then', () => {
    const t = terminal();
    const line = new ProgressLine({ stream: t.stream, now: t.now });
    for (const ms of [0, 500, 1_000, DELAY_MS - 1]) {
      t.at(ms);
      line.sink!(apply(ms));
    }
    line.clear();
    expect(t.writes).toEqual([]);
  });

  it('after two seconds redraws one line in place, at most every 250 ms, with the rate since the phase began and the time left', () => {
    const t = terminal();
    const line = new ProgressLine({ stream: t.stream, now: t.now });
    // 100 entries a second from t=0 on, 1,000 in all; an event every 50 ms.
    for (let ms = 0; ms <= 3_000; ms += 50) {
      t.at(ms);
      line.sink!(apply(ms / 10, 1_000));
    }
    // Drawn at 2.00, 2.25, ... 3.00 s: five redraws, each from the line's start, each erasing what was longer before.
    expect(t.writes).toHaveLength(Math.floor((3_000 - DELAY_MS) / INTERVAL_MS) + 1);
    for (const text of t.writes) {
      expect(text.startsWith('\r')).toBe(true);
      expect(text.endsWith('\u001b[K')).toBe(true);
      expect(text).not.toContain('\n');
    }
    expect(t.writes[0]).toBe('\rcampaign-controller APPLY c-1: 200 of 1,000 (20%) · 100/s · 8s left\u001b[K');
    expect(t.writes.at(-1)).toBe('\rcampaign-controller APPLY c-1: 300 of 1,000 (30%) · 100/s · 7s left\u001b[K');
  });

  it('measures the rate of each phase from its own start', () => {
    const t = terminal();
    const line = new ProgressLine({ stream: t.stream, now: t.now });
    t.at(0);
    line.sink!({ job: 'start-reapproval', phase: 'DUE', done: 0 });
    t.at(2_500);
    line.sink!({ job: 'start-reapproval', phase: 'DUE', done: 500 });
    // A new phase at 2.6 s: no rate until it has run a second.
    t.at(2_800);
    line.sink!({ job: 'start-reapproval', phase: 'PROGRESS', done: 25 });
    t.at(3_800);
    line.sink!({ job: 'start-reapproval', phase: 'PROGRESS', done: 75 });
    expect(t.writes).toEqual([
      '\rstart-reapproval DUE: 500 (total unknown) · 200/s\u001b[K',
      '\rstart-reapproval PROGRESS: 25 (total unknown)\u001b[K',
      '\rstart-reapproval PROGRESS: 75 (total unknown) · 50/s\u001b[K',
    ]);
  });

  it('erases its line at the end, once', () => {
    const t = terminal();
    const line = new ProgressLine({ stream: t.stream, now: t.now });
    t.at(DELAY_MS);
    line.sink!(apply(10));
    line.clear();
    line.clear();
    expect(t.writes).toEqual(['\rcampaign-controller APPLY c-1: 10 (total unknown)\u001b[K', '\r\u001b[K']);
  });

  it('cuts the line to the terminal width, so that it never wraps', () => {
    const t = terminal({ columns: 20 });
    const line = new ProgressLine({ stream: t.stream, now: t.now });
    t.at(DELAY_MS);
    line.sink!(apply(10));
    expect(t.writes).toEqual(['\rcampaign-controller\u001b[K']);
  });

  it('is silent, and offers no sink, when the stream is not a terminal or with --json', () => {
    for (const [options, enabled] of [[{ isTTY: false }, true], [{}, false]] as const) {
      const t = terminal(options);
      const line = new ProgressLine({ stream: t.stream, now: t.now, enabled });
      expect(line.sink).toBeUndefined();
      for (const ms of [0, DELAY_MS, DELAY_MS * 2]) {
        t.at(ms);
        line.update(apply(ms));
      }
      line.clear();
      expect(t.writes).toEqual([]);
    }
  });
});

describe('describeProgress', () => {
  it('says what it knows: done, of total and share, rate, time left', () => {
    expect(describeProgress(apply(1_234), undefined)).toBe('campaign-controller APPLY c-1: 1,234 (total unknown)');
    // No total: the rate, but never a time left.
    expect(describeProgress(apply(1_234), 50)).toBe('campaign-controller APPLY c-1: 1,234 (total unknown) · 50/s');
    expect(describeProgress(apply(1_234, 5_000), 2.5)).toBe('campaign-controller APPLY c-1: 1,234 of 5,000 (24%) · 2.5/s · 25m 07s left');
    expect(describeProgress(apply(5_000, 5_000), 120)).toBe('campaign-controller APPLY c-1: 5,000 of 5,000 (100%) · 120/s');
    expect(describeProgress({ job: 'initialize-reapproval', phase: 'INITIALIZE', done: 7 }, 0)).toBe('initialize-reapproval INITIALIZE: 7 (total unknown) · 0.0/s');
  });

  it('names what it counts, after the total', () => {
    expect(describeProgress({ ...apply(1_234), unit: 'entries' }, 50)).toBe('campaign-controller APPLY c-1: 1,234 entries (total unknown) · 50/s');
    expect(describeProgress({ ...apply(40, 100), phase: 'VERIFY', unit: 'removals' }, 20)).toBe('campaign-controller VERIFY c-1: 40 of 100 removals (40%) · 20/s · 3s left');
  });

  it('words durations in whole seconds, minutes and hours', () => {
    expect([0.2, 45, 59.5, 60, 185, 3_599, 3_600, 3_725, 90_000].map(duration)).toEqual(['1s', '45s', '1m 00s', '1m 00s', '3m 05s', '59m 59s', '1h 00m', '1h 02m', '25h 00m']);
  });
});
