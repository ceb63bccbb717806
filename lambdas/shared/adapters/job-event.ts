// The events every scheduled job accepts: EventBridge's scheduled event (its `time` is the run's
// "now"), and a manual test event from the Lambda console or `aws lambda invoke`:
// `{ "now": "<ISO instant>" }`, or `{}` for the current time. Anything else is refused, naming the field.
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
