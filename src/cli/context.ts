// What every command shares: the global options, the local runtime (opened on demand and always
// closed), "now", and output that keeps stdout for the command's result only.
import Table from 'cli-table3';
import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { isoInstant, parseInput } from '../../lambdas/shared/domain/schemas.js';
import type { Log } from '../../lambdas/shared/use-cases/ports.js';
import { openRuntime, type Runtime } from '../local/runtime.js';

export interface GlobalOptions {
  endpoint?: string;
  aws?: boolean;
  outputs?: string;
  stackPrefix?: string;
}

/** Opens the runtime the global options name, runs `work`, and closes it whatever happens. */
export async function withRuntime<T>(command: Command, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const options = command.optsWithGlobals<GlobalOptions>();
  if (options.outputs && !options.aws) throw new ValidationError('only applies with --aws', 'outputs');
  if (options.stackPrefix !== undefined && !options.aws) throw new ValidationError('only applies with --aws', 'stack-prefix');
  if (options.endpoint && options.aws) throw new ValidationError('give either --endpoint or --aws, not both', 'endpoint');
  const runtime = await openRuntime({
    endpoint: options.endpoint,
    aws: options.aws,
    outputs: options.outputs,
    stackPrefix: options.stackPrefix,
  });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * A check the command ran did not pass (`audit verify` on a changed chain, `evidence verify`): exit 1, with the
 * message on stderr. Not bad input (exit 2), and not unexpected.
 */
export class CheckFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}

/** `--now` if given (validated, naming the option), else the wall clock: the CLI's one wall-clock read. */
export function resolveNow(value: string | undefined, option = 'now'): Date {
  if (value === undefined) return new Date();
  return new Date(parseInput(isoInstant, value, option));
}

/** Writes the command's result; nothing else in the CLI writes to stdout. */
export function out(text = ''): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Progress and hints for people: stderr, so that stdout stays parseable. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * The log of use cases the CLI runs in-process (the approver API server, a decision that moves an
 * approval run on): warnings and failures go to stderr with their stack, as this is the operator's own terminal.
 */
export const stderrLog: Log = {
  info: () => {},
  warn: (message, ...extra) => note(`warn: ${message} ${extra.map((e) => JSON.stringify(e)).join(' ')}`),
  error: (message, ...extra) => {
    note(`error: ${message}`);
    for (const e of extra) note(typeof e.error === 'object' && e.error && 'stack' in e.error ? String(e.error.stack) : JSON.stringify(e));
  },
};

/** Dates shown to people: the instant without milliseconds. */
export const showDate = (iso: string | undefined | null): string => (iso ? iso.replace(/\.000Z$/, 'Z') : '-');

export const countBy = <T>(values: readonly T[], key: (value: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
  return counts;
};

export const formatCounts = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** A plain table (no colours, so it reads the same in a terminal, a pipe or a file). */
export function table(head: string[], rows: (string | number | undefined)[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const row of rows) t.push(row.map((cell) => (cell === undefined ? '-' : String(cell))));
  return t.toString();
}

/** A UTC calendar date option (YYYY-MM-DD, a real date), or a ValidationError naming the option. */
export function calendarDate(value: string, option: string): string {
  const at = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: the date must read back as given.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`must be a date YYYY-MM-DD, got "${value}"`, option);
  }
  return value;
}
