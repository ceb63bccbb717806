// Pure campaign transitions (SPEC 2): each takes the campaign and now and returns the next version.
// The controller and the admin use cases persist them with an optimistic lock.
import { addDays, nextRunStart } from './campaign-schedule.js';
import { ClosedError, ValidationError } from './errors.js';
import type { Campaign, CampaignLog, CampaignPhase, CampaignState, CampaignStats } from './model.js';
import { runLabel } from './notifications.js';

export const STATUS_EXPIRATION_DAYS = 30;

const touch = (c: Campaign, now: Date, patch: Partial<Campaign>): Campaign => ({
  ...c,
  ...patch,
  version: c.version + 1,
  updatedAt: now.toISOString(),
});

export const withPhase = (c: Campaign, phase: CampaignPhase, now: Date) => touch(c, now, { phase });

export const failPreparation = (c: Campaign, logs: CampaignLog[], now: Date): Campaign =>
  touch(c, now, { state: 'FAILED.PREPARED', logs: [...c.logs, ...logs], prepareAttempt: c.prepareAttempt + 1, phase: { name: 'START' } });

export const beginPreparation = (c: Campaign, logs: CampaignLog[], dueDate: string, now: Date): Campaign =>
  touch(c, now, { dueDate, logs: [...c.logs, ...logs], phase: { name: 'PREPARE' } });

export const markRunning = (c: Campaign, now: Date): Campaign => touch(c, now, { state: 'RUNNING', phase: { name: 'DONE' } });

export const markSucceeded = (c: Campaign, stats: CampaignStats, now: Date): Campaign => {
  const endDate = now.toISOString();
  return touch(c, now, {
    state: 'SUCCEEDED',
    phase: { name: 'DONE' },
    endDate,
    // A set date that has already passed (the run ended late) would delete the evidence at once.
    statusExpirationDate: c.statusExpirationDate && c.statusExpirationDate > endDate ? c.statusExpirationDate : addDays(endDate, STATUS_EXPIRATION_DAYS),
    stats,
  });
};

export const markDeleted = (c: Campaign, now: Date): Campaign => touch(c, now, { state: 'DELETED', phase: { name: 'DONE' } });

export const markCleaned = (c: Campaign, now: Date): Campaign => touch(c, now, { cleanedAt: now.toISOString() });

/** Has a SUCCEEDED campaign reached its status expiration (and is not going to recur)? */
export const isExpired = (c: Campaign, now: Date) =>
  c.state === 'SUCCEEDED' && (c.archived || !c.recurrence) && !!c.statusExpirationDate && now.toISOString() >= c.statusExpirationDate;

export const isDueToRecur = (c: Campaign, now: Date) => {
  const restart = c.state === 'SUCCEEDED' && !c.archived ? nextRunStart(c) : undefined;
  return !!restart && now.toISOString() >= restart;
};

const laterOf = (a: string | undefined, b: string) => (a && a > b ? a : b);

export const archiveIdFor = (c: Campaign) => `${c.id}-r${c.run}`;

/** SPEC 2, step 6: the finished run as it ends, under its name and start date. Keeps its entries. */
export function archiveOf(c: Campaign, now: Date): Campaign {
  const { recurrence: _recurrence, ...rest } = c;
  return {
    ...rest,
    id: archiveIdFor(c),
    name: runLabel(c),
    archived: true,
    archivedFrom: c.id,
    // A run archived after its own expiration date is kept for the usual period from archiving.
    statusExpirationDate: laterOf(c.statusExpirationDate, addDays(now.toISOString(), STATUS_EXPIRATION_DAYS)),
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** The next run: new run id, start = previous start + interval, due date recomputed, templates kept. */
export function nextRunOf(c: Campaign, now: Date): Campaign {
  const run = c.run + 1;
  return touch(c, now, {
    run,
    runId: `${c.id}#${run}`,
    startDate: nextRunStart(c)!,
    dueDate: undefined,
    statusExpirationDate: undefined,
    endDate: undefined,
    stats: undefined,
    state: 'PREPARING',
    phase: { name: 'START' },
    prepareAttempt: 0,
    logs: [{ at: now.toISOString(), level: 'INFO', message: `run ${run} scheduled; run ${c.run} archived as ${archiveIdFor(c)}` }],
  });
}

/** State changes an administrator may make (SPEC 2: "at any time"), and why others are refused. */
const ADMIN_TRANSITIONS: Partial<Record<CampaignState, CampaignState[]>> = {
  'FAILED.PREPARED': ['PREPARING', 'DELETED'],
  PREPARING: ['DELETED'],
  RUNNING: ['DELETED'],
  SUCCEEDED: ['DELETED'],
};

export function adminSetState(c: Campaign, state: CampaignState, now: Date, by: string): Campaign {
  if (c.archived && state !== 'DELETED') throw new ClosedError(`campaign ${c.id} is an archived run; it can only be DELETED`);
  const allowed = ADMIN_TRANSITIONS[c.state] ?? [];
  if (!allowed.includes(state)) {
    throw new ValidationError(
      `cannot change ${c.state} to ${state}; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
      'state',
    );
  }
  const log: CampaignLog = { at: now.toISOString(), level: 'INFO', message: `state ${c.state} -> ${state} by ${by}` };
  return touch(c, now, {
    state,
    phase: state === 'PREPARING' ? { name: 'START' } : { name: 'DONE' },
    logs: [...c.logs, log],
  });
}

export function adminSetDueDate(c: Campaign, dueDate: string, now: Date, by: string): Campaign {
  if (c.state !== 'PREPARING' && c.state !== 'RUNNING' && c.state !== 'FAILED.PREPARED') {
    throw new ClosedError(`campaign ${c.id} is ${c.state}; its due date can no longer change`);
  }
  if (dueDate <= c.startDate) throw new ValidationError(`must be after the start date ${c.startDate}`, 'dueDate');
  if (c.statusExpirationDate && dueDate >= c.statusExpirationDate) {
    throw new ValidationError(`must be before the status expiration date ${c.statusExpirationDate}`, 'dueDate');
  }
  const log: CampaignLog = { at: now.toISOString(), level: 'INFO', message: `due date ${c.dueDate ?? '(computed)'} -> ${dueDate} by ${by}` };
  return touch(c, now, { dueDate, logs: [...c.logs, log] });
}

export function adminSetRecurrence(c: Campaign, intervalDays: number | undefined, now: Date, by: string): Campaign {
  if (c.archived) throw new ClosedError(`campaign ${c.id} is an archived run`);
  const log: CampaignLog = {
    at: now.toISOString(),
    level: 'INFO',
    message: intervalDays ? `recurrence every ${intervalDays} days by ${by}` : `recurrence cleared by ${by}`,
  };
  return touch(c, now, { recurrence: intervalDays ? { intervalDays } : undefined, logs: [...c.logs, log] });
}
