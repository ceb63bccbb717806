// The handler of every scheduled job: recognises its event (job-event.ts), builds the dependencies
// once per container, and runs the job at the event's instant inside recordJobRun, so that each run
// leaves its heartbeat (start, end, outcome) for the daily report's health check. A chunked job gets
// a time budget (the invocation's remaining time less a margin) and, when its result says it must
// continue, the handler starts the continuation (docs/reference/scale.md).
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { ValidationError } from '../domain/errors.js';
import type { JobName, JobOutcome } from '../domain/operations.js';
import { parseInput } from '../domain/schemas.js';
import { recordJobRun } from '../use-cases/job-runs.js';
import { UNLIMITED_BUDGET, type Clock, type Log, type OperationsStore, type TimeBudget } from '../use-cases/ports.js';
import { continuationEventOf, MAX_CONTINUATIONS, parseJobEvent } from './job-event.js';
import { invocationBudget } from './time-budget.js';

export type InvocationContext = Partial<Pick<Context, 'awsRequestId' | 'logStreamName' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'>>;

/** Starts the invocation that carries a run on (on AWS: the function invokes itself, asynchronously). */
export interface Continuation {
  start(event: ReturnType<typeof continuationEventOf>, context?: InvocationContext): Promise<void>;
}

/** What every job's dependencies hold: where its runs are recorded, and the wall clock. */
export interface JobDependencies {
  operations: OperationsStore;
  /** Real time: a run's start and end, and the business time of `{}`. */
  wallClock: Clock;
  /**
   * How a chunked job continues when its budget ran out. Absent: the caller of the handler continues
   * (the local runtime calls it again with the continuation event, in the same process).
   */
  continuation?: Continuation;
  /** The budget of one invocation. Default: the Lambda context's remaining time less a margin; unlimited without a context. */
  budgetFor?: (context?: InvocationContext) => TimeBudget;
  log?: Log;
}

export interface JobDefinition<D extends JobDependencies, R, C = never> {
  job: JobName;
  /**
   * The job's use case at the business time `clock` (the event's instant, fixed for the whole run);
   * `resume`: a continuation's cursor (jobs with `cursor` only).
   */
  run(deps: D, clock: Clock, context?: InvocationContext, budget?: TimeBudget, resume?: C): Promise<R>;
  /** The few counts recorded with the run, for the operator. */
  summarize?(result: R): Record<string, unknown>;
  /** A run that completed without doing the work (another run was doing it): SKIPPED. Default SUCCEEDED. */
  outcomeOf?(result: R): Extract<JobOutcome, 'SUCCEEDED' | 'SKIPPED'>;
  /** The run stopped with work left (its budget ran out): a continuation carries on at the same instant. */
  continues?(result: R): boolean;
  /**
   * A job that keeps its cursor in its continuation event rather than in a store (the re-approval
   * jobs): the cursor's schema (a continuation's is checked against it, a bad one refused naming
   * `event.cursor`), and the cursor a result says to resume from (defined: the run continues).
   */
  cursor?: { schema: z.ZodType<C>; of(result: R): C | undefined };
}

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createJobHandler<D extends JobDependencies, R, C = never>(definition: JobDefinition<D, R, C>, build: () => D | Promise<D>) {
  let dependencies: D | undefined;
  return async (event: unknown, context?: InvocationContext): Promise<R> => {
    // A bad event is refused before anything is built or recorded.
    const requested = parseJobEvent(event);
    if (requested.cursor !== undefined && !definition.cursor) throw new ValidationError(`${definition.job} takes no cursor`, 'event.cursor');
    const resume = requested.cursor === undefined || !definition.cursor ? undefined : parseInput(definition.cursor.schema, requested.cursor, 'event.cursor');
    const deps = (dependencies ??= await build());
    // `{}` runs at the current time, read once: the whole run sees one instant, as with a schedule.
    const now = requested.now ?? deps.wallClock.now();
    const clock: Clock = { now: () => new Date(now) };
    const budget = deps.budgetFor ? deps.budgetFor(context) : defaultBudget(context);
    const result = await recordJobRun(deps, definition.job, now, () => definition.run(deps, clock, context, budget, resume), definition.summarize, definition.outcomeOf);
    const cursor = definition.cursor?.of(result);
    if (cursor !== undefined || definition.continues?.(result)) await continueRun(deps, definition.job, now, requested.continuation ?? 0, context, cursor);
    return result;
  };
}

const defaultBudget = (context?: InvocationContext): TimeBudget =>
  context?.getRemainingTimeInMillis ? invocationBudget({ getRemainingTimeInMillis: () => context.getRemainingTimeInMillis!() }) : UNLIMITED_BUDGET;

/**
 * Starts the next invocation of the chain, unless the chain is at its cap: then the work waits for
 * the next scheduled run, which resumes from the saved cursors. A failed start is rethrown, so that
 * the platform's retry of this invocation resumes it.
 */
async function continueRun(deps: JobDependencies, job: JobName, now: Date, done: number, context?: InvocationContext, cursor?: unknown): Promise<void> {
  if (!deps.continuation) return;
  if (done >= MAX_CONTINUATIONS) {
    deps.log?.error('the run still has work after the last continuation allowed; the next scheduled run resumes it', { job, continuations: done, now: now.toISOString() });
    return;
  }
  try {
    await deps.continuation.start(continuationEventOf(now, done + 1, cursor), context);
  } catch (error) {
    deps.log?.error('starting the continuation failed; a retry of this invocation, or the next scheduled run, resumes the work', { job, error: String(error) });
    throw error;
  }
  deps.log?.info('continues in a new invocation', { job, continuation: done + 1, now: now.toISOString() });
}
