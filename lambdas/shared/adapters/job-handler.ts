// The handler of every scheduled job: recognises its event (job-event.ts), builds the dependencies
// once per container, and runs the job at the event's instant inside recordJobRun, so that each run
// leaves its heartbeat (start, end, outcome) for the daily report's health check.
import type { Context } from 'aws-lambda';
import type { JobName, JobOutcome } from '../domain/operations.js';
import { recordJobRun } from '../use-cases/job-runs.js';
import type { Clock, OperationsStore } from '../use-cases/ports.js';
import { requestedTime } from './job-event.js';

export type InvocationContext = Partial<Pick<Context, 'awsRequestId' | 'logStreamName'>>;

/** What every job's dependencies hold: where its runs are recorded, and the wall clock. */
export interface JobDependencies {
  operations: OperationsStore;
  /** Real time: a run's start and end, and the business time of `{}`. */
  wallClock: Clock;
}

export interface JobDefinition<D extends JobDependencies, R> {
  job: JobName;
  /** The job's use case at the business time `clock` (the event's instant, fixed for the whole run). */
  run(deps: D, clock: Clock, context?: InvocationContext): Promise<R>;
  /** The few counts recorded with the run, for the operator. */
  summarize?(result: R): Record<string, unknown>;
  /** A run that completed without doing the work (another run was doing it): SKIPPED. Default SUCCEEDED. */
  outcomeOf?(result: R): Extract<JobOutcome, 'SUCCEEDED' | 'SKIPPED'>;
}

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createJobHandler<D extends JobDependencies, R>(definition: JobDefinition<D, R>, build: () => D | Promise<D>) {
  let dependencies: D | undefined;
  return async (event: unknown, context?: InvocationContext): Promise<R> => {
    // A bad event is refused before anything is built or recorded.
    const requested = requestedTime(event);
    const deps = (dependencies ??= await build());
    // `{}` runs at the current time, read once: the whole run sees one instant, as with a schedule.
    const now = requested ?? deps.wallClock.now();
    const clock: Clock = { now: () => new Date(now) };
    return recordJobRun(deps, definition.job, now, () => definition.run(deps, clock, context), definition.summarize, definition.outcomeOf);
  };
}
