// The progress line of long local work (`idgov controller run`, `idgov job run`): what the use cases
// report through their ProgressSink, drawn on the terminal's stderr as one line redrawn in place:
// job, phase (and campaign), entries done of total (or that the total is unknown), items per
// second, and the time left (only with a total). It appears only once the work has taken DELAY_MS
// (short runs print nothing), is redrawn at most every INTERVAL_MS, and is erased when the work
// ends. Silent when stderr is not a terminal (pipes, files, tests) and with --json, so that nothing
// but the result is ever printed there.
import type { ProgressEvent, ProgressSink } from '../../lambdas/shared/use-cases/ports.js';

/** What the line is written to: process.stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  /** The terminal's width: the line is cut to fit, so that it never wraps (a wrapped line cannot be redrawn in place). */
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressLineOptions {
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** False draws nothing (--json). */
  enabled?: boolean;
  /** Milliseconds, for the delay, the throttling and the rate (default performance.now). */
  now?: () => number;
}

/** Work shorter than this shows no progress. */
export const DELAY_MS = 2_000;
/** At most four redraws a second. */
export const INTERVAL_MS = 250;

const ERASE_TO_END = '\u001b[K';

export class ProgressLine {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly active: boolean;
  private readonly startedAt: number;
  private drawnAt: number | undefined;
  /** Where the current phase started: the rate is the phase's own. */
  private segment: { key: string; at: number; done: number } | undefined;

  constructor(options: ProgressLineOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.active = (options.enabled ?? true) && this.stream.isTTY === true;
    this.startedAt = this.now();
  }

  /** The sink to hand to the use cases; undefined when the line is silent (nothing to report to). */
  get sink(): ProgressSink | undefined {
    return this.active ? (event) => this.update(event) : undefined;
  }

  update(event: ProgressEvent): void {
    if (!this.active) return;
    const at = this.now();
    const key = `${event.job}\n${event.phase}\n${event.campaignId ?? ''}`;
    if (this.segment?.key !== key || event.done < this.segment.done) this.segment = { key, at, done: event.done };
    if (at - this.startedAt < DELAY_MS) return;
    if (this.drawnAt !== undefined && at - this.drawnAt < INTERVAL_MS) return;
    const seconds = (at - this.segment.at) / 1000;
    const rate = seconds >= 1 ? (event.done - this.segment.done) / seconds : undefined;
    const text = describeProgress(event, rate);
    const width = this.stream.columns && this.stream.columns > 1 ? this.stream.columns - 1 : undefined;
    this.stream.write(`\r${width !== undefined && text.length > width ? text.slice(0, width) : text}${ERASE_TO_END}`);
    this.drawnAt = at;
  }

  /** Erases the line, if drawn: what follows starts on a clean line. */
  clear(): void {
    if (this.drawnAt === undefined) return;
    this.stream.write(`\r${ERASE_TO_END}`);
    this.drawnAt = undefined;
  }
}

/** `start-reapproval DUE: 1,250 assignments (total unknown) · 83/s`, `campaign-controller VERIFY c-1: 4,000 of 10,000 removals (40%) · 800/s · 8s left`. */
export function describeProgress(event: ProgressEvent, itemsPerSecond: number | undefined): string {
  const parts = [`${event.job} ${event.phase}${event.campaignId ? ` ${event.campaignId}` : ''}: ${count(event.done)}`];
  const { total } = event;
  if (total !== undefined && total > 0) parts[0] += ` of ${count(total)}`;
  if (event.unit) parts[0] += ` ${event.unit}`;
  if (total !== undefined && total > 0) parts[0] += ` (${Math.min(100, Math.floor((event.done / total) * 100))}%)`;
  // Not known in advance (a filter's subjects, the due index): said, and no time left is made up.
  else if (total === undefined) parts[0] += ' (total unknown)';
  if (itemsPerSecond !== undefined) parts.push(`${itemsPerSecond < 10 ? itemsPerSecond.toFixed(1) : count(Math.round(itemsPerSecond))}/s`);
  if (total !== undefined && itemsPerSecond !== undefined && itemsPerSecond > 0 && total > event.done) {
    parts.push(`${duration((total - event.done) / itemsPerSecond)} left`);
  }
  return parts.join(' · ');
}

const count = (n: number) => n.toLocaleString('en-US');

/** 45s, 3m 05s, 1h 02m: whole seconds, at least 1s. */
export function duration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}
