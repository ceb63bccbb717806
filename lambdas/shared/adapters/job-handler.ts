// The handler of every scheduled job: recognises its event (job-event.ts), builds the dependencies
// once per container, and runs the job at the event's instant inside recordJobRun, so that each run
// leaves its heartbeat (start, end, outcome) for the daily report's health check.
//
// A chunked job works within the invocation's time budget (the Lambda's remaining time less a
// margin) and answers where to resume when it runs out; the handler then sends the continuation to
// its own function (InvocationType Event, the ARN Lambda gave this invocation), with the same
// business time. Locally there is no function to invoke: the local runtime loops over the handler.
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { parseInput } from '../domain/schemas.js';
import { ValidationError } from '../domain/errors.js';
import type { JobName, JobOutcome } from '../domain/operations.js';
import { recordJobRun } from '../use-cases/job-runs.js';
import { UNLIMITED_BUDGET, type Clock, type OperationsStore, type TimeBudget } from '../use-cases/ports.js';
import { continuationEvent, MAX_CONTINUATIONS, parseJobEvent, type ContinuationEvent } from './job-event.js';
import { lambdaTimeBudget } from './lambda-time-budget.js';

export type InvocationContext = Partial<Pick<Context, 'awsRequestId' | 'logStreamName' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'>> & {
  /** The local runtime's budget for this invocation (`--budget-ms`); on Lambda it is the remaining time's. */
  budget?: TimeBudget;
};

/** Sends a continuation to a function, asynchronously (the Lambda adapter: lambda-continuation.ts). */
export interface ContinuationSender {
  send(functionArn: string, event: ContinuationEvent): Promise<void>;
}

/** What every job's dependencies hold: where its runs are recorded, and the wall clock. */
export interface JobDependencies {
  operations: OperationsStore;
  /** Real time: a run's start and end, and the business time of `{}`. */
  wallClock: Clock;
  /** A chunked job's continuations on AWS. */
  continuations?: ContinuationSender;
}

/** What one invocation of a chunked job is given: its budget, and the cursor it continues from. */
export interface ChunkedInvocation<C> {
  budget: TimeBudget;
  resume?: C;
  /** 0 for the scheduled run, n for its n-th continuation. */
  count: number;
}

export interface JobDefinition<D extends JobDependencies, R, C = never> {
  job: JobName;
  /** The job's use case at the business time `clock` (the event's instant, fixed for the whole run). */
  run(deps: D, clock: Clock, context: InvocationContext | undefined, invocation: ChunkedInvocation<C>): Promise<R>;
  /** The few counts recorded with the run, for the operator. */
  summarize?(result: R): Record<string, unknown>;
  /** A run that completed without doing the work (another run was doing it): SKIPPED. Default SUCCEEDED. */
  outcomeOf?(result: R): Extract<JobOutcome, 'SUCCEEDED' | 'SKIPPED'>;
  /** A chunked job: its cursor's schema (a continuation's is checked against it), and the cursor a result says to resume from. */
  chunked?: { cursor: z.ZodType<C>; resumeOf(result: R): C | undefined };
}

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createJobHandler<D extends JobDependencies, R, C = never>(definition: JobDefinition<D, R, C>, build: () => D | Promise<D>) {
  let dependencies: D | undefined;
  return async (event: unknown, context?: InvocationContext): Promise<R> => {
    // A bad event is refused before anything is built or recorded.
    const request = parseJobEvent(event);
    const continued = request.continuation;
    let resume: C | undefined;
    if (continued) {
      if (!definition.chunked) throw new ValidationError(`${definition.job} does not continue in chunks`, 'event.continuation');
      if (continued.job !== definition.job) throw new ValidationError(`is a continuation of ${continued.job}, not ${definition.job}`, 'event.continuation.job');
      resume = parseInput(definition.chunked.cursor, continued.cursor, 'event.continuation.cursor');
    }
    const deps = (dependencies ??= await build());
    // `{}` runs at the current time, read once: the whole run sees one instant, as with a schedule.
    const now = request.now ?? deps.wallClock.now();
    const clock: Clock = { now: () => new Date(now) };
    const count = continued?.count ?? 0;
    const budget = context?.budget ?? (context?.getRemainingTimeInMillis ? lambdaTimeBudget(context as Pick<Context, 'getRemainingTimeInMillis'>) : UNLIMITED_BUDGET);
    const invocation: ChunkedInvocation<C> = { budget, count, ...(resume !== undefined ? { resume } : {}) };
    const summarize = definition.summarize && ((result: R) => ({ ...definition.summarize!(result), ...(count > 0 ? { continuation: count } : {}) }));
    return recordJobRun(
      deps,
      definition.job,
      now,
      async () => {
        const result = await definition.run(deps, clock, context, invocation);
        const next = definition.chunked?.resumeOf(result);
        // On AWS the rest goes to a follow-up invocation; locally (no function ARN) the caller loops.
        if (next !== undefined && context?.invokedFunctionArn) await continueRun(definition.job, deps, context.invokedFunctionArn, now, count + 1, next);
        return result;
      },
      summarize,
      definition.outcomeOf,
    );
  };
}

async function continueRun(job: JobName, deps: JobDependencies, functionArn: string, now: Date, count: number, cursor: unknown): Promise<void> {
  // A chain that long is not making progress as it should: the run fails (the function's error
  // alarm), and the next scheduled run starts over; nothing done so far is lost or repeated.
  if (count > MAX_CONTINUATIONS) throw new Error(`${job} still has work after ${MAX_CONTINUATIONS} continuations: stopped; the next scheduled run goes on`);
  if (!deps.continuations) throw new Error(`${job} has work left but no way to continue (no continuation sender): the next scheduled run goes on`);
  await deps.continuations.send(functionArn, continuationEvent(job, now, count, cursor));
}
