// The events every scheduled job accepts: EventBridge's scheduled event (its `time` is the run's
// "now"), and a manual test event from the Lambda console or `aws lambda invoke`:
// `{ "now": "<ISO instant>" }`, or `{}` for the current time. A chunked job also accepts the
// continuation it sends itself when its time budget runs out (continuationEvent). Anything else is
// refused, naming the field.
import * as z from 'zod';
import { isoInstant, parseInput } from '../domain/schemas.js';

/** An EventBridge "Scheduled Event"; other EventBridge fields are accepted and ignored. */
const scheduledEvent = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: isoInstant,
});

/** A manual invocation: only `now`, so that a typo is refused rather than ignored. */
const manualEvent = z.strictObject({ now: isoInstant.optional() });

/**
 * A chunked job's follow-up invocation (asynchronous, sent by the job to its own function): the same
 * business time as the run it continues, how many continuations this one is (1 for the first, capped
 * by MAX_CONTINUATIONS), and the job's cursor, which the job's own schema checks.
 */
const continuation = z.strictObject({
  continuation: z.strictObject({
    job: z.string().min(1),
    now: isoInstant,
    count: z.number().int().min(1),
    cursor: z.unknown(),
  }),
});
export type ContinuationEvent = z.output<typeof continuation>;

/** Continuations of one run at most: past them the run fails (its alarm), and the next scheduled run starts over. */
export const MAX_CONTINUATIONS = 48;

export const continuationEvent = (job: string, now: Date, count: number, cursor: unknown): ContinuationEvent => ({
  continuation: { job, now: now.toISOString(), count, cursor },
});

/** What an event asks of a job: its instant (undefined: now), and for a continuation, its count and cursor. */
export interface JobRequest {
  now?: Date;
  continuation?: { job: string; count: number; cursor: unknown };
}

/** Recognises a job's event (the three kinds above); a continuation by its `continuation` field. */
export function parseJobEvent(event: unknown): JobRequest {
  if (event !== null && typeof event === 'object' && 'continuation' in event) {
    const { now, ...rest } = parseInput(continuation, event, 'event').continuation;
    return { now: new Date(now), continuation: rest };
  }
  const now = requestedTime(event);
  return now === undefined ? {} : { now };
}

/**
 * The instant the event asks the run to happen at, or undefined for "now" (`{}`). An object with
 * `source` or `detail-type` is judged as a scheduled event, anything else as a manual one.
 */
export function requestedTime(event: unknown): Date | undefined {
  if (event !== null && typeof event === 'object' && ('source' in event || 'detail-type' in event)) {
    return new Date(parseInput(scheduledEvent, event, 'event').time);
  }
  const { now } = parseInput(manualEvent, event, 'event');
  return now === undefined ? undefined : new Date(now);
}
