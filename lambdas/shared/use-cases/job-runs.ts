// Heartbeats (docs/reference/operations.md, "Heartbeats"): every scheduled job records each run,
// its start, end and outcome, so that a job that stopped running shows in the daily health.
import { randomUUID } from 'node:crypto';
import type { JobName, JobOutcome, JobRun } from '../domain/operations.js';
import type { Clock, OperationsStore } from './ports.js';

/** Days a job's run records are kept (its heartbeat record is kept for good). */
export const JOB_RUN_RETENTION_DAYS = 90;

/**
 * Runs `work` as one run of `job`: records the start, then the end SUCCEEDED (or what `outcomeOf`
 * says, e.g. SKIPPED when the controller found its lease held) with `summarize`'s counts, or FAILED
 * with the error, which is then rethrown. `scheduledFor` is the run's business time, which the
 * health check compares with the schedule; start and end are wall-clock times.
 *
 * The first run of any job records the installation time (once, put if absent): the earlier of
 * its business time and the wall clock, so that a first run for a future `now` cannot make every
 * job look not due yet. The health check reads it when no deployment time is given.
 */
export async function recordJobRun<T>(
  deps: { operations: OperationsStore; wallClock: Clock },
  job: JobName,
  scheduledFor: Date,
  work: () => Promise<T>,
  summarize?: (result: T) => Record<string, unknown>,
  outcomeOf?: (result: T) => Extract<JobOutcome, 'SUCCEEDED' | 'SKIPPED'>,
): Promise<T> {
  const startedAt = deps.wallClock.now();
  const run: JobRun = {
    job,
    runId: randomUUID(),
    scheduledFor: scheduledFor.toISOString(),
    startedAt: startedAt.toISOString(),
    outcome: 'RUNNING',
  };
  if (!(await deps.operations.getInstallation())) {
    await deps.operations.recordInstallation(new Date(Math.min(scheduledFor.getTime(), startedAt.getTime())));
  }
  await deps.operations.startRun(run, JOB_RUN_RETENTION_DAYS);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    try {
      await deps.operations.finishRun({ ...run, endedAt: deps.wallClock.now().toISOString(), outcome: 'FAILED', error: message }, JOB_RUN_RETENTION_DAYS);
    } catch (recordError) {
      // Both failures surface; the run stays RUNNING, which the health check reads as not completed.
      throw new AggregateError([error, recordError], `${job} failed (${message}) and its end could not be recorded`);
    }
    throw error;
  }
  await deps.operations.finishRun(
    {
      ...run,
      endedAt: deps.wallClock.now().toISOString(),
      outcome: outcomeOf?.(result) ?? 'SUCCEEDED',
      ...(summarize ? { summary: summarize(result) } : {}),
    },
    JOB_RUN_RETENTION_DAYS,
  );
  return result;
}
