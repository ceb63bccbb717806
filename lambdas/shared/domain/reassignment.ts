// Reassignment of a certification entry (issue 3, item 4): the approver or an administrator hands
// the entry to someone else, with a reason, optionally moving its due date. Pure: who may do it and
// whether the campaign still runs are the use case's business (use-cases/reassign-entry.ts).
import { addDays } from './campaign-schedule.js';
import { withEntryChange } from './entries.js';
import { ClosedError, ValidationError } from './errors.js';
import type { Entry, Reassignment } from './model.js';

export const MIN_JUSTIFICATION_LENGTH = 10;
export const MAX_JUSTIFICATION_LENGTH = 2000;
export const MAX_EXTEND_DAYS = 365;

export interface ReassignRequest {
  /** The new (single) approver. */
  to: string;
  /** Who reassigns: an approver's user id, or the administrator's name. */
  by: string;
  justification: string;
  /** Moves the entry's due date by this many days. */
  extendDays?: number;
  now: Date;
  /** Users whose access the entry certifies (its items' holders): none of them may take it over. */
  holderIds?: Iterable<string>;
  /** The due date must stay before this instant (the campaign's status expiration date). */
  dueBefore?: string;
}

/** The next version of `entry`, approved by `to` alone; refusals name the field. */
export function reassign(entry: Entry, request: ReassignRequest): Entry {
  const at = request.now.toISOString();
  const justification = request.justification.trim();
  if (justification.length < MIN_JUSTIFICATION_LENGTH) {
    throw new ValidationError(`must be at least ${MIN_JUSTIFICATION_LENGTH} characters: say why the entry changes hands`, 'justification');
  }
  if (justification.length > MAX_JUSTIFICATION_LENGTH) {
    throw new ValidationError(`must be at most ${MAX_JUSTIFICATION_LENGTH} characters`, 'justification');
  }
  const { extendDays } = request;
  if (extendDays !== undefined && !(Number.isInteger(extendDays) && extendDays > 0 && extendDays <= MAX_EXTEND_DAYS)) {
    throw new ValidationError(`must be a whole number of days from 1 to ${MAX_EXTEND_DAYS}`, 'extendDays');
  }
  const to = request.to.trim();
  if (!to) throw new ValidationError('must name the new approver', 'to');
  if (entry.state !== 'RUNNING') throw new ClosedError(`entry ${entry.id} is ${entry.state}; only a RUNNING entry can be reassigned`);
  if (entry.approverIds.includes(to)) throw new ValidationError(`${to} is already an approver of entry ${entry.id}`, 'to');
  if (entry.subjectKind === 'USER' && entry.subjectId === to) {
    throw new ValidationError(`${to} is the user under review in entry ${entry.id}: nobody certifies their own access`, 'to');
  }
  if ([...(request.holderIds ?? [])].includes(to)) {
    throw new ValidationError(`${to} holds access certified in entry ${entry.id}: nobody certifies their own access`, 'to');
  }

  const dueDate = extendDays === undefined ? entry.dueDate : addDays(entry.dueDate, extendDays);
  if (dueDate <= at) {
    if (extendDays === undefined) throw new ClosedError(`entry ${entry.id} was due ${entry.dueDate}; decisions are closed`);
    throw new ValidationError(`moves the due date to ${dueDate}, which has already passed`, 'extendDays');
  }
  if (request.dueBefore && dueDate >= request.dueBefore) {
    throw new ValidationError(`moves the due date to ${dueDate}, not before the campaign's status expiration date ${request.dueBefore}`, 'extendDays');
  }

  const record: Reassignment = {
    from: [...entry.approverIds],
    to,
    by: request.by,
    at,
    justification,
    ...(extendDays !== undefined ? { previousDueDate: entry.dueDate, dueDate } : {}),
  };
  return withEntryChange(entry, request.now, {
    approverIds: [to],
    dueDate,
    reassignments: [...(entry.reassignments ?? []), record],
  });
}

/**
 * Idempotency key of the Approval Start a reassignment sends. `version` is the entry version the
 * reassignment writes: a retry of the same attempt finds its record, a later reassignment (even
 * back to the same person) gets a key of its own, and none collides with preparation's keys.
 */
export const reassignmentNoticeKey = (entryId: string, to: string, version: number) => `${entryId}|APPROVAL_START|${to}|v${version}`;
