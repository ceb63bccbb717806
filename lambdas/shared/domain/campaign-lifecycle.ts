// Pure campaign transitions (docs/reference/campaigns.md): each takes the campaign and now and returns the next version.
// The controller and the admin use cases persist them with an optimistic lock.
import { addDays, dateOnly, nextRunStart } from './campaign-schedule.js';
import { ClosedError, ValidationError } from './errors.js';
import { ENTRY_ID_DIGITS } from './entries.js';
import type { ArchivedEvidence } from './evidence/manifest.js';
import type { Campaign, CampaignLog, CampaignPhase, CampaignState, CampaignStats } from './model.js';
import { runLabel } from './notifications.js';
import { withVerification } from './revocation-verification.js';

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
    stats: withVerification(stats, c.verification),
  });
};

/**
 * After a later run applied changes that had failed at the finish: the new totals, and a log line
 * when entries finished (from the totals alone, so a run killed in between logs the same).
 */
export function withLateApplication(c: Campaign, stats: CampaignStats, now: Date): Campaign {
  const failing = (s: CampaignStats | undefined) => s?.entriesByState['FAILED.APPLIED.CHANGES'] ?? 0;
  const still = failing(stats);
  const fixed = failing(c.stats) - still;
  const plural = (n: number) => `${n} entr${n === 1 ? 'y' : 'ies'}`;
  const logs: CampaignLog[] =
    fixed > 0 ? [{ at: now.toISOString(), level: 'INFO', message: `changes applied on retry: ${plural(fixed)} FINISHED, ${plural(still)} still FAILED.APPLIED.CHANGES` }] : [];
  return touch(c, now, { stats, logs: [...c.logs, ...logs] });
}

export const markDeleted = (c: Campaign, now: Date): Campaign => touch(c, now, { state: 'DELETED', phase: { name: 'DONE' } });

export const markCleaned = (c: Campaign, now: Date): Campaign => touch(c, now, { cleanedAt: now.toISOString() });

/** The run's evidence pack is archived (docs/reference/evidence.md): from now on its cleanup may delete its records. */
export const markEvidenceArchived = (c: Campaign, evidence: ArchivedEvidence, now: Date): Campaign => touch(c, now, { evidence });

/** Has a SUCCEEDED campaign reached its status expiration (and is not going to recur)? */
export const isExpired = (c: Campaign, now: Date) =>
  c.state === 'SUCCEEDED' && (c.archived || !c.recurrence) && !!c.statusExpirationDate && now.toISOString() >= c.statusExpirationDate;

export const isDueToRecur = (c: Campaign, now: Date) => {
  const restart = c.state === 'SUCCEEDED' && !c.archived ? nextRunStart(c) : undefined;
  return !!restart && now.toISOString() >= restart;
};

const laterOf = (a: string | undefined, b: string) => (a && a > b ? a : b);

export const archiveIdFor = (c: Campaign) => `${c.id}-r${c.run}`;

/** docs/reference/campaigns.md, step 6: the finished run as it ends, under its name and start date. Keeps its entries. */
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

/**
 * The campaign a run belongs to, as its notifications and revocations name it: an archived run's
 * are kept under the campaign it was archived from (and its cleanup finds them there).
 */
export function liveCampaignOf(c: Campaign): Campaign {
  if (!c.archived || !c.archivedFrom) return c;
  const label = ` ${dateOnly(c.startDate)}`;
  return { ...c, id: c.archivedFrom, name: c.name.endsWith(label) ? c.name.slice(0, -label.length) : c.name };
}

/** The administrator's restart of a finished run (instead of the recurrence's own start). */
export interface ManualRestart {
  startDate: string;
  by: string;
}

/**
 * The next run: new run id, start = previous start + interval (or the administrator's start), due
 * date and status expiration recomputed at its start, templates kept.
 */
export function nextRunOf(c: Campaign, now: Date, manual?: ManualRestart): Campaign {
  const run = c.run + 1;
  const startDate = manual?.startDate ?? nextRunStart(c)!;
  const archived = `run ${c.run} archived as ${archiveIdFor(c)}`;
  return touch(c, now, {
    run,
    runId: `${c.id}#${run}`,
    entryIdDigits: ENTRY_ID_DIGITS,
    startDate,
    dueDate: undefined,
    statusExpirationDate: undefined,
    endDate: undefined,
    stats: undefined,
    verification: undefined,
    state: 'PREPARING',
    phase: { name: 'START' },
    prepareAttempt: 0,
    logs: [
      {
        at: now.toISOString(),
        level: 'INFO',
        message: manual ? `run ${run} restarted by ${manual.by}, starting ${startDate}; ${archived}` : `run ${run} scheduled; ${archived}`,
      },
    ],
  });
}

/**
 * docs/reference/campaigns.md step 6 (and the administrator's restart, which follows it exactly): the finished run as it
 * is archived, and the next run. Written in that order (use-cases/start-next-run.ts).
 */
export const nextRunWithArchive = (c: Campaign, now: Date, manual?: ManualRestart) => ({
  archive: archiveOf(c, now),
  next: nextRunOf(c, now, manual),
});

/**
 * The administrator restarts a SUCCEEDED campaign by hand (docs/reference/campaigns.md: "the administrator may change
 * the state of a campaign at any time"): a new run, the finished one archived as recurrence does.
 */
export function adminRestart(c: Campaign, now: Date, by: string, startDate = now.toISOString()): { archive: Campaign; next: Campaign } {
  if (c.archived) throw new ClosedError(`campaign ${c.id} is an archived run; it cannot be restarted (restart ${c.archivedFrom ?? 'the campaign it came from'} instead)`);
  if (c.state === 'DELETED') {
    throw new ClosedError(`campaign ${c.id} is DELETED; a deleted campaign cannot be restarted (create a new campaign from its definition)`);
  }
  if (c.state !== 'SUCCEEDED') {
    throw new ValidationError(`cannot restart a ${c.state} campaign; only a SUCCEEDED one (or FAILED.PREPARED, to retry its start) goes back to PREPARING`, 'state');
  }
  if (c.endDate && startDate < c.endDate) throw new ValidationError(`must not be before the end of the finished run, ${c.endDate}`, 'start');
  if (c.approvalPeriodDays) {
    const due = addDays(startDate, c.approvalPeriodDays);
    if (due <= now.toISOString()) {
      throw new ValidationError(`the new run would be due ${due} (start + ${c.approvalPeriodDays} days), which has already passed`, 'start');
    }
  }
  return nextRunWithArchive(c, now, { startDate, by });
}

/** Appends one line to the campaign's log (who did what, for the administrator and the auditor). */
export const withLog = (c: Campaign, log: CampaignLog, now: Date): Campaign => touch(c, now, { logs: [...c.logs, log] });

/** State changes an administrator may make (docs/reference/campaigns.md: "at any time"), and why others are refused. */
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
