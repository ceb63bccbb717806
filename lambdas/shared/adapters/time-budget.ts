// Time budgets (ports.ts TimeBudget; docs/reference/scale.md): how long an invocation may keep starting
// chunks. On Lambda, what the context says remains less a margin; locally, a fixed budget
// (`idgov controller run --budget-ms N`). Real elapsed time, never the business clock: a campaign
// simulated 90 days ahead still has the invocation's minutes.
import type { TimeBudget } from '../use-cases/ports.js';

/**
 * What a chunked job leaves unspent on Lambda: room to finish the chunk in flight and save its
 * cursor (a chunk is bounded to seconds), then dispatch the notifications and record the run, well
 * inside the function's timeout (10 minutes for the controller).
 */
export const LAMBDA_BUDGET_MARGIN_MS = 180_000;

/** The part of the Lambda context a budget reads. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** The invocation's remaining time less `marginMs`. */
export function invocationBudget(context: RemainingTime, marginMs: number = LAMBDA_BUDGET_MARGIN_MS): TimeBudget {
  const remainingMs = () => Math.max(0, context.getRemainingTimeInMillis() - marginMs);
  return { hasTimeLeft: () => remainingMs() > 0, remainingMs };
}

/** `ms` from now (`elapsed`: a monotonic millisecond clock, injected by tests). */
export function fixedBudget(ms: number, elapsed: () => number = () => performance.now()): TimeBudget {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a time budget must be a number of milliseconds >= 0, not ${ms}`);
  const end = elapsed() + ms;
  const remainingMs = () => Math.max(0, end - elapsed());
  return { hasTimeLeft: () => remainingMs() > 0, remainingMs };
}
