// When an assignment is next re-approved (docs/reference/reapproval.md). Re-approval dates are whole
// UTC days (00:00 UTC): the daily StartReapproval run finds an assignment due on its day whatever
// the time of the approval it counts from, so "every 90 days" never slips to day 91.
import type { Assignment } from '../model.js';
import type { ReapprovalConfig } from './model.js';

const DAY_MS = 86_400_000;

/** 00:00 UTC of an instant's day, as an ISO instant. */
export const startOfUtcDay = (at: Date | string): string => `${new Date(at).toISOString().slice(0, 10)}T00:00:00.000Z`;

/** The day `intervalDays` after `from`, at 00:00 UTC. */
export const reapprovalDateAfter = (from: Date | string, intervalDays: number): string =>
  startOfUtcDay(new Date(new Date(from).getTime() + intervalDays * DAY_MS));

/**
 * A step's due date: `timeoutDays` after it opened, rounded up to the next 00:00 UTC. The daily
 * StartReapproval run acts on a step once its due date has passed; a due date at the time of day
 * the step opened (14:37) would close decisions hours before the job's next run acts on it, while a
 * whole day lets the approver decide until midnight UTC of the last day.
 */
export function stepDueDate(openedAt: Date | string, timeoutDays: number): string {
  const due = new Date(new Date(openedAt).getTime() + timeoutDays * DAY_MS);
  const day = startOfUtcDay(due);
  return Date.parse(day) === due.getTime() ? day : new Date(Date.parse(day) + DAY_MS).toISOString();
}

/**
 * CONTINUOUS, at initialization: the later of the grant and the last approval, plus the interval;
 * with neither, the initialization time plus the interval. A date already past makes it due at once.
 */
export function initialReapprovalDate(assignment: Pick<Assignment, 'grantedAt' | 'approvedAt'>, intervalDays: number, now: Date): string {
  const known = [assignment.grantedAt, assignment.approvedAt].filter((d): d is string => d !== undefined).map((d) => new Date(d).toISOString());
  const base = known.length > 0 ? known.sort().at(-1)! : now.toISOString();
  return reapprovalDateAfter(base, intervalDays);
}

/** A scheduled round's date as the instant it begins (a SCHEDULED run's `purpose.dueAt`). */
export const roundStart = (date: string): string => `${date}T00:00:00.000Z`;

/** The round an instant begins (inverse of roundStart): the `lastReapprovalRound` of an approval in it. */
export const roundOf = (dueAt: string): string => new Date(dueAt).toISOString().slice(0, 10);

/** The domain's scheduled date when it has come at `now` (its round is due or running), else undefined. */
export function dueRound(config: Pick<ReapprovalConfig, 'scheduledDate'>, now: Date): string | undefined {
  const date = config.scheduledDate;
  return date !== undefined && now.getTime() >= Date.parse(roundStart(date)) ? date : undefined;
}

/**
 * The next re-approval date to show for an assignment (`directory show-user`): CONTINUOUS, its
 * nextReapprovalAt; SCHEDULED, the domain date if it was not yet started in it; else none.
 */
export function shownNextReapprovalAt(assignment: Pick<Assignment, 'reapprovalMode' | 'nextReapprovalAt' | 'lastReapprovalRound'>, config: Pick<ReapprovalConfig, 'scheduledDate'>): string | undefined {
  if (assignment.reapprovalMode === 'CONTINUOUS') return assignment.nextReapprovalAt;
  if (assignment.reapprovalMode === 'SCHEDULED' && config.scheduledDate && (assignment.lastReapprovalRound ?? '') < config.scheduledDate) {
    return roundStart(config.scheduledDate);
  }
  return undefined;
}
