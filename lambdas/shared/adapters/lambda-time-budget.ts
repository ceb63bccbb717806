// The time budget of one invocation (ports.ts TimeBudget): on Lambda, the time the invocation has
// left less a margin for the chunk in flight, its notices and the continuation's invoke; locally and
// in tests, a fixed budget from when it was made (`--budget-ms`).
import type { Context } from 'aws-lambda';
import type { TimeBudget } from '../use-cases/ports.js';

/** What a chunk may still take once the budget says no more: a chunk is seconds; the rest is slack. */
export const LAMBDA_BUDGET_MARGIN_MS = 60_000;

export function lambdaTimeBudget(context: Pick<Context, 'getRemainingTimeInMillis'>, marginMs = LAMBDA_BUDGET_MARGIN_MS): TimeBudget {
  const remainingMs = () => Math.max(0, context.getRemainingTimeInMillis() - marginMs);
  return { remainingMs, hasTimeLeft: () => remainingMs() > 0 };
}

/** `budgetMs` from now, by `now` (milliseconds; the wall clock by default: a budget is real time, never business time). */
export function fixedTimeBudget(budgetMs: number, now: () => number = Date.now): TimeBudget {
  const deadline = now() + budgetMs;
  const remainingMs = () => Math.max(0, deadline - now());
  return { remainingMs, hasTimeLeft: () => remainingMs() > 0 };
}
