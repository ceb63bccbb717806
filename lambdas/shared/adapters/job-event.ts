// The events every scheduled job accepts: EventBridge's scheduled event (its `time` is the run's
// "now"), a manual test event from the Lambda console or `aws lambda invoke`:
// `{ "now": "<ISO instant>" }`, or `{}` for the current time, and the continuation a chunked job
// sends itself when its time budget ran out (docs/reference/scale.md):
// `{ "now": "<the run's instant>", "continuation": <its place in the chain, from 1>, "cursor"? }`.
// Anything else is refused, naming the field.
import * as z from 'zod';
import { isoInstant, parseInput } from '../domain/schemas.js';

/**
 * Continuations one scheduled run may chain on AWS: the handler starts none past it and logs an
 * error (the next schedule resumes). The local runtime, which continues in process, has no cap.
 */
export const MAX_CONTINUATIONS = 50;

/** An EventBridge "Scheduled Event"; other EventBridge fields are accepted and ignored. */
const scheduledEvent = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: isoInstant,
});

/** A manual invocation: only `now`, so that a typo is refused rather than ignored. */
const manualEvent = z.strictObject({ now: isoInstant.optional() });

/**
 * A continuation: the same business instant as the run it continues, and its place in the chain;
 * `cursor`, for a job that keeps no cursor in a store (the re-approval jobs), where to resume,
 * checked by that job's own schema.
 */
const continuationEvent = z.strictObject({
  now: isoInstant,
  continuation: z.number('must be a number').int('must be a whole number').min(1, 'must be at least 1'),
  cursor: z.unknown().optional(),
});

export interface JobEvent {
  /** The instant the run happens at; undefined for "now" (`{}`). */
  now?: Date;
  /** A continuation's place in its chain (1 for the first); absent for a scheduled or manual run. */
  continuation?: number;
  /** A continuation's cursor, unchecked (the job's schema checks it). */
  cursor?: unknown;
}

/**
 * What the event asks for. An object with `source` or `detail-type` is judged as a scheduled event,
 * one with `continuation` as a continuation, anything else as a manual one.
 */
export function parseJobEvent(event: unknown): JobEvent {
  if (event !== null && typeof event === 'object' && ('source' in event || 'detail-type' in event)) {
    return { now: new Date(parseInput(scheduledEvent, event, 'event').time) };
  }
  if (event !== null && typeof event === 'object' && 'continuation' in event) {
    const { now, continuation, cursor } = parseInput(continuationEvent, event, 'event');
    return { now: new Date(now), continuation, ...(cursor !== undefined ? { cursor } : {}) };
  }
  const { now } = parseInput(manualEvent, event, 'event');
  return now === undefined ? {} : { now: new Date(now) };
}

/** The instant the event asks the run to happen at, or undefined for "now" (`{}`). */
export const requestedTime = (event: unknown): Date | undefined => parseJobEvent(event).now;

/** The event that continues a run at `now`: the `continuation`-th of its chain, from `cursor` if the job keeps it there. */
export const continuationEventOf = (now: Date, continuation: number, cursor?: unknown) => ({
  now: now.toISOString(),
  continuation,
  ...(cursor !== undefined ? { cursor } : {}),
});
