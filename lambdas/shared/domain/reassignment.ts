// Reassignment of a certification entry (issue 3, item 4): the approver or an administrator hands
// the entry to someone else, with a reason, optionally moving its due date; and the administrator's
// rescue of an entry that failed preparation, by naming its approver. Pure: who may do it and
// whether the campaign still runs are the use case's business (use-cases/reassign-entry.ts).
import { addDays } from './campaign-schedule.js';
import { nextRunningEntryStep, withEntryChange } from './entries.js';
import { ClosedError, ValidationError } from './errors.js';
import type { Campaign, Entry, Reassignment } from './model.js';

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
  assertNotOwnAccess(entry, to, request.holderIds, 'to');

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
 * Self-review prevention (docs/reference/campaigns.md): nobody certifies their own access, so `approverId` may be
 * neither the user under review in a USER entry nor the holder of any item of the entry.
 */
export function assertNotOwnAccess(entry: Pick<Entry, 'id' | 'subjectKind' | 'subjectId'>, approverId: string, holderIds: Iterable<string> | undefined, field: string): void {
  if (entry.subjectKind === 'USER' && entry.subjectId === approverId) {
    throw new ValidationError(`${approverId} is the user under review in entry ${entry.id}: nobody certifies their own access`, field);
  }
  if ([...(holderIds ?? [])].includes(approverId)) {
    throw new ValidationError(`${approverId} holds access certified in entry ${entry.id}: nobody certifies their own access`, field);
  }
}

export interface NameApproverRequest {
  approverId: string;
  /** The administrator's name, for the record. */
  by: string;
  now: Date;
  /** An explicit due date; by default see `rescueDueDate`. */
  dueDate?: string;
  holderIds: Iterable<string>;
  campaign: Pick<Campaign, 'dueDate' | 'approvalPeriodDays' | 'statusExpirationDate' | 'reminders'>;
}

/**
 * The due date a rescued entry gets unless the administrator gives one: the date it was prepared to
 * run until (the campaign's due date, or its stage's) if that is still ahead, so that the campaign
 * finishes on time; otherwise now + the approval period (its stage's, for a stage with its own),
 * which holds the campaign's finish until the new approver has had that time.
 */
export function rescueDueDate(entry: Pick<Entry, 'stage' | 'plan' | 'dueDate'>, campaign: Pick<Campaign, 'dueDate' | 'approvalPeriodDays'>, now: Date): string {
  const stagePlan = entry.plan?.[entry.stage - 1];
  const scheduled = entry.stage === 1 && !stagePlan?.periodDays ? (campaign.dueDate ?? entry.dueDate) : entry.dueDate;
  if (scheduled > now.toISOString()) return scheduled;
  return addDays(now.toISOString(), stagePlan?.periodDays ?? campaign.approvalPeriodDays ?? DEFAULT_PERIOD_DAYS);
}

const DEFAULT_PERIOD_DAYS = 14;

/**
 * An entry that failed preparation (FAILED.PREPARE: no approver was found) gets one from the
 * administrator and runs: RUNNING, its own due date, the handover recorded like a reassignment
 * (from nobody). The caller checks that the approver is an active user and sends Approval Start.
 */
export function nameApprover(entry: Entry, request: NameApproverRequest): Entry {
  const at = request.now.toISOString();
  if (entry.state !== 'FAILED.PREPARE') {
    throw new ClosedError(
      `entry ${entry.id} is ${entry.state}; only a FAILED.PREPARE entry can be given an approver` +
        (entry.state === 'RUNNING' ? ' (hand a running entry to someone else with `entry reassign`)' : ''),
    );
  }
  const approverId = request.approverId.trim();
  if (!approverId) throw new ValidationError('must name the approver', 'approver');
  assertNotOwnAccess(entry, approverId, request.holderIds, 'approver');
  const dueDate = request.dueDate ?? rescueDueDate(entry, request.campaign, request.now);
  if (dueDate <= at) throw new ValidationError(`${dueDate} has already passed; the entry needs a due date in the future`, 'dueDate');
  const limit = request.campaign.statusExpirationDate;
  if (limit && dueDate >= limit) {
    throw new ValidationError(
      `${dueDate} is not before the campaign's status expiration date ${limit}${request.dueDate === undefined ? '; give an earlier due date' : ''}`,
      'dueDate',
    );
  }
  const record: Reassignment = {
    from: [],
    to: approverId,
    by: request.by,
    at,
    justification: 'approver named by the administrator: preparation found none',
    previousDueDate: entry.dueDate,
    dueDate,
  };
  const next = withEntryChange(entry, request.now, {
    state: 'RUNNING',
    approverIds: [approverId],
    dueDate,
    closedAt: undefined,
    error: undefined,
    reassignments: [...(entry.reassignments ?? []), record],
  });
  // Reminder slots count from the entry's creation: the slots already due are spent, so that no
  // reminder follows on the heels of the Approval Start.
  const step = nextRunningEntryStep(next, request.campaign.reminders, request.now);
  return step.action === 'REMIND' ? { ...next, lastReminderSlot: step.slot } : next;
}

/**
 * The rescue `entry` already had, when a request repeats it (run again after a crash or a failed
 * log write): a RUNNING entry whose last handover is the administrator naming the same approver
 * (a reassignment from nobody). Undefined when the entry was not rescued (the caller refuses or
 * rescues it). A rescue naming someone else, or another due date, is refused: the entry runs.
 */
export function repeatedRescue(entry: Entry, approverId: string, dueDate: string | undefined): Reassignment | undefined {
  const last = entry.reassignments?.at(-1);
  if (entry.state !== 'RUNNING' || !last || last.from.length > 0) return undefined;
  const named = approverId.trim();
  if (!named) throw new ValidationError('must name the approver', 'approver');
  if (named !== last.to) {
    throw new ClosedError(
      `entry ${entry.id} already has the approver the administrator named: ${last.to}, by ${last.by} at ${last.at}; hand it to someone else with \`entry reassign\``,
    );
  }
  if (dueDate !== undefined && dueDate !== last.dueDate) {
    throw new ValidationError(`entry ${entry.id} was given approver ${last.to} with due date ${last.dueDate}; move it with \`entry set --due-date\``, 'dueDate');
  }
  return last;
}

/** The campaign log's line for a rescue; a rescue run again finds it by its exact text. */
export const rescueLogMessage = (entry: Pick<Entry, 'id' | 'subjectName'>, rescue: Reassignment) =>
  `entry ${entry.id} (${entry.subjectName}) was FAILED.PREPARE: approver ${rescue.to} named by ${rescue.by}; RUNNING, due ${rescue.dueDate}`;

/**
 * Idempotency key of the Approval Start a reassignment sends. `version` is the entry version the
 * reassignment writes: a retry of the same attempt finds its record, a later reassignment (even
 * back to the same person) gets a key of its own, and none collides with preparation's keys.
 */
export const reassignmentNoticeKey = (entryId: string, to: string, version: number) => `${entryId}|APPROVAL_START|${to}|v${version}`;
