// Calls one campaign hook and returns its answer checked against the hook's contract. Whatever goes
// wrong on the hook's side (it throws, it does not answer in time, it answers outside the contract)
// comes out as one HookError naming the hook, its reference and the problem, which preparation
// turns into a campaign log and a Prepare Error notification.
import { DomainError } from '../domain/errors.js';
import { checkHookAnswer, checkHookRequest, type HookAnswer, type HookName, type HookRequest } from '../domain/hook-contracts.js';
import type { HookInvoker } from './ports.js';

export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

/** Contract issues quoted in a HookError; the rest are counted, so that a campaign log stays small. */
const MAX_QUOTED_ISSUES = 5;
/** Longest error text of a hook quoted in a HookError. */
const MAX_QUOTED_ERROR = 500;

export type HookFailure = 'FAILED' | 'TIMED_OUT' | 'OUTSIDE_CONTRACT';

export class HookError extends DomainError {
  constructor(
    readonly hook: HookName,
    readonly ref: string,
    /** What went wrong, e.g. `timed out after 10000 ms`. */
    readonly problem: string,
    readonly failure: HookFailure,
    options?: { cause?: unknown },
  ) {
    // The field is where the administrator fixes it: the hook's line in the campaign file.
    super('HOOK_FAILED', `${hook} hook ${ref} ${problem}`, `hooks.${hook}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export interface CallHookOptions {
  /** How long the hook may take; enforced here and passed to the invoker. Default 10 s. */
  timeoutMs?: number;
}

export async function callHook<H extends HookName>(
  invoker: HookInvoker,
  hook: H,
  ref: string,
  request: HookRequest<H>,
  options: CallHookOptions = {},
): Promise<HookAnswer<H>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`hook timeout must be a positive whole number of ms, got ${timeoutMs}`);
  // A request outside the contract is idgov's own bug, not the hook's: fail loudly, not as a HookError.
  const checkedRequest = checkHookRequest(hook, request);
  if (!checkedRequest.success) {
    throw new Error(`${hook} hook request built outside the contract: ${checkedRequest.error.message}`);
  }

  let timer: NodeJS.Timeout | undefined;
  const timedOut = Symbol('timed out');
  const deadline = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  let answer: unknown;
  try {
    const outcome = await Promise.race([invoker.invoke(ref, checkedRequest.data, { timeoutMs }), deadline]);
    if (outcome === timedOut) throw new HookError(hook, ref, `timed out after ${timeoutMs} ms`, 'TIMED_OUT');
    answer = outcome;
  } catch (error) {
    if (error instanceof HookError) throw error;
    if (isTimeout(error)) throw new HookError(hook, ref, `timed out after ${timeoutMs} ms`, 'TIMED_OUT', { cause: error });
    throw new HookError(hook, ref, `failed: ${quote(describe(error))}`, 'FAILED', { cause: error });
  } finally {
    clearTimeout(timer);
  }

  const checked = checkHookAnswer(hook, checkedRequest.data, answer);
  if (!checked.success) {
    const issues = checked.error.issues.length > 0 ? checked.error.issues : [{ field: '(root)', message: checked.error.message }];
    const quoted = issues.slice(0, MAX_QUOTED_ISSUES).map((issue) => `${issue.field}: ${issue.message}`);
    const more = issues.length > MAX_QUOTED_ISSUES ? ` (and ${issues.length - MAX_QUOTED_ISSUES} more)` : '';
    throw new HookError(hook, ref, `answered outside the contract: ${quoted.join('; ')}${more}`, 'OUTSIDE_CONTRACT', {
      cause: checked.error,
    });
  }
  return checked.data;
}

/** Invokers report their own deadline as an error named TimeoutError (as AbortSignal.timeout does). */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_QUOTED_ERROR ? `${oneLine.slice(0, MAX_QUOTED_ERROR)}…` : oneLine;
}
