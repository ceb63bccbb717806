// The emergency access removal's event, as the Systems Manager automation document, the Lambda
// console or `aws lambda invoke` sends it: `{ "userId", "reason", "requestedBy", "requestRef"? }`,
// nothing else.
// A missing, empty or unknown field is refused, naming it, before anything is read or removed.
import * as z from 'zod';
import { parseInput } from '../shared/domain/schemas.js';

const text = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const emergencyAccessEvent = z.strictObject({
  /** The directory user whose manual assignments are all removed. */
  userId: text(256),
  /** Why, recorded with each removal. */
  reason: text(1000),
  /** Who asked (an operator, an incident ticket's owner), recorded with each removal. */
  requestedBy: text(256),
  /**
   * Optional: what authenticates the request, recorded with each removal. `requestedBy` is whatever
   * the caller typed; the Systems Manager document sends its execution id here, and Systems Manager
   * records who started that execution (the caller's IAM identity).
   */
  requestRef: text(256).optional(),
});

export type EmergencyAccessEvent = z.output<typeof emergencyAccessEvent>;

export const parseEmergencyAccessEvent = (event: unknown): EmergencyAccessEvent => parseInput(emergencyAccessEvent, event, 'event');
