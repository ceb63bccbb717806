import { ENTRY_ID_DIGITS } from '../../../lambdas/shared/domain/entries.js';
import { describe, expect, it } from 'vitest';
import {
  adminRestart,
  adminSetDueDate,
  adminSetRecurrence,
  adminSetState,
  archiveIdFor,
  archiveOf,
  beginPreparation,
  failPreparation,
  isDueToRecur,
  isExpired,
  liveCampaignOf,
  markCleaned,
  markDeleted,
  markRunning,
  markSucceeded,
  nextRunOf,
  nextRunWithArchive,
  STATUS_EXPIRATION_DAYS,
  withLateApplication,
  withLog,
  withPhase,
} from '../../../lambdas/shared/domain/campaign-lifecycle.js';
import { nextActionAt } from '../../../lambdas/shared/domain/campaign-schedule.js';
import { validateForStart } from '../../../lambdas/shared/domain/campaign-start.js';
import { ClosedError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { Campaign, CampaignLog, CampaignState, CampaignStats } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, at, DUE, START } from '../../support/fixtures.js';

const NOW = '2026-07-16T02:00:00.000Z';
const stats: CampaignStats = {
  entries: 2,
  items: 3,
  entriesByState: { FINISHED: 2 },
  approved: 1,
  rejected: 1,
  modified: 0,
  uncertified: 1,
  revoked: 2,
  handedOver: 0,
};
const existingLog: CampaignLog = { at: '2026-06-01T00:00:00.000Z', level: 'INFO', message: 'campaign created' };

/** A finished first run of a 30-day recurring campaign. */
const succeeded = (overrides: Partial<Campaign> = {}) =>
  aCampaign({
    state: 'SUCCEEDED',
    phase: { name: 'DONE' },
    dueDate: DUE,
    endDate: '2026-07-15T01:00:00.000Z',
    statusExpirationDate: '2026-08-14T01:00:00.000Z',
    recurrence: { intervalDays: 30 },
    stats,
    logs: [existingLog],
    version: 9,
    ...overrides,
  });

describe('failPreparation', () => {
  it('fails the campaign, counts the attempt and appends the logs', () => {
    const error: CampaignLog = { at: START, level: 'ERROR', message: 'approval period is missing', field: 'approvalPeriodDays' };
    const next = failPreparation(aCampaign({ logs: [existingLog], prepareAttempt: 1, version: 3 }), [error], at(START));
    expect(next).toMatchObject({
      state: 'FAILED.PREPARED',
      prepareAttempt: 2,
      phase: { name: 'START' },
      version: 4,
      updatedAt: START,
    });
    expect(next.logs).toEqual([existingLog, error]);
  });
});

describe('beginPreparation, markRunning, withPhase', () => {
  it('stores the due date to run with and moves to the PREPARE phase', () => {
    const warn: CampaignLog = { at: START, level: 'WARN', message: 'no status expiration date', field: 'statusExpirationDate' };
    const next = beginPreparation(aCampaign({ logs: [existingLog] }), [warn], DUE, at(START));
    expect(next).toMatchObject({ state: 'PREPARING', dueDate: DUE, phase: { name: 'PREPARE' }, version: 2 });
    expect(next.logs).toEqual([existingLog, warn]);
  });

  it('marks the campaign RUNNING with nothing left to do in the phase', () => {
    expect(markRunning(aCampaign({ phase: { name: 'ANNOUNCE', prepared: { entries: 2, items: 5, failedEntries: 0 } } }), at(START))).toMatchObject({
      state: 'RUNNING',
      phase: { name: 'DONE' },
      version: 2,
    });
  });

  it('records a checkpoint', () => {
    const next = withPhase(aCampaign(), { name: 'PREPARE', afterSubjectId: 'u-m' }, at(START));
    expect(next.phase).toEqual({ name: 'PREPARE', afterSubjectId: 'u-m' });
    expect(next.version).toBe(2);
  });
});

describe('markSucceeded', () => {
  const running = aCampaign({ state: 'RUNNING', phase: { name: 'NOTIFY_REJECTS' }, dueDate: DUE, version: 7 });

  it('ends the campaign now and expires its status 30 days later', () => {
    const next = markSucceeded(running, stats, at(NOW));
    expect(STATUS_EXPIRATION_DAYS).toBe(30);
    expect(next).toMatchObject({
      state: 'SUCCEEDED',
      phase: { name: 'DONE' },
      endDate: NOW,
      statusExpirationDate: '2026-08-15T02:00:00.000Z',
      stats,
      version: 8,
      updatedAt: NOW,
    });
  });

  it('keeps a status expiration date the definition set', () => {
    const next = markSucceeded({ ...running, statusExpirationDate: '2026-12-31T00:00:00.000Z' }, stats, at(NOW));
    expect(next.statusExpirationDate).toBe('2026-12-31T00:00:00.000Z');
  });
});

describe('markDeleted and markCleaned', () => {
  it('deletes, then records the cleanup', () => {
    const deleted = markDeleted(succeeded({ recurrence: undefined }), at(NOW));
    expect(deleted).toMatchObject({ state: 'DELETED', phase: { name: 'DONE' }, version: 10 });
    expect(deleted.cleanedAt).toBeUndefined();
    expect(markCleaned(deleted, at('2026-07-17T00:00:00.000Z'))).toMatchObject({ cleanedAt: '2026-07-17T00:00:00.000Z', version: 11 });
  });
});

describe('isExpired', () => {
  const oneOff = succeeded({ recurrence: undefined });

  it('is true for a one-off SUCCEEDED campaign from its status expiration date on', () => {
    expect(isExpired(oneOff, at('2026-08-14T01:00:00.000Z'))).toBe(true);
    expect(isExpired(oneOff, at('2026-09-01T00:00:00.000Z'))).toBe(true);
  });

  it('is false before the status expiration date', () => {
    expect(isExpired(oneOff, at('2026-08-14T00:59:59.999Z'))).toBe(false);
  });

  it('is false for a recurring campaign that is not archived (it restarts instead)', () => {
    expect(isExpired(succeeded(), at('2027-01-01T00:00:00.000Z'))).toBe(false);
  });

  it('is true for an archived run once its expiration date passes', () => {
    const archive = archiveOf(succeeded(), at(NOW));
    expect(isExpired(archive, at(archive.statusExpirationDate!))).toBe(true);
  });

  it('keeps a run archived after its own expiration for the usual 30 days from archiving', () => {
    const late = '2027-01-01T00:00:00.000Z';
    const archive = archiveOf(succeeded(), at(late));
    expect(archive.statusExpirationDate).toBe('2027-01-31T00:00:00.000Z');
    expect(isExpired(archive, at('2027-01-30T00:00:00.000Z'))).toBe(false);
  });

  it.each<CampaignState>(['PREPARING', 'RUNNING', 'FAILED.PREPARED', 'DELETED'])('is false for a %s campaign', (state) => {
    expect(isExpired({ ...oneOff, state }, at('2027-01-01T00:00:00.000Z'))).toBe(false);
  });

  it('is false without a status expiration date', () => {
    expect(isExpired({ ...oneOff, statusExpirationDate: undefined }, at('2099-01-01T00:00:00.000Z'))).toBe(false);
  });
});

describe('isDueToRecur', () => {
  const restart = '2026-07-31T00:00:00.000Z';

  it('is true for a SUCCEEDED recurring campaign from previous start + interval on', () => {
    expect(isDueToRecur(succeeded(), at(restart))).toBe(true);
    expect(isDueToRecur(succeeded(), at('2026-08-20T00:00:00.000Z'))).toBe(true);
  });

  it('is false before', () => {
    expect(isDueToRecur(succeeded(), at('2026-07-30T23:59:59.999Z'))).toBe(false);
  });

  it('is false without an interval, for an archived run, and for a campaign that has not succeeded', () => {
    expect(isDueToRecur(succeeded({ recurrence: undefined }), at(restart))).toBe(false);
    expect(isDueToRecur(succeeded({ archived: true }), at(restart))).toBe(false);
    expect(isDueToRecur(succeeded({ state: 'RUNNING' }), at(restart))).toBe(false);
  });
});

describe('archiveOf', () => {
  const finished = succeeded({ run: 3, runId: 'c-test#3', startDate: '2026-09-29T00:00:00.000Z' });
  const archive = archiveOf(finished, at(NOW));

  it('files the run as <id>-r<run> under its name and start date', () => {
    expect(archiveIdFor(finished)).toBe('c-test-r3');
    expect(archive).toMatchObject({ id: 'c-test-r3', name: 'Finance high-risk users 2026-09-29', archived: true, archivedFrom: 'c-test' });
  });

  it('keeps the run, its entries partition, its outcome and templates', () => {
    expect(archive).toMatchObject({
      run: 3,
      runId: 'c-test#3',
      state: 'SUCCEEDED',
      startDate: finished.startDate,
      dueDate: finished.dueDate,
      endDate: finished.endDate,
      // The later of the run's own expiration and 30 days from archiving.
      statusExpirationDate: '2026-08-15T02:00:00.000Z',
      stats,
      logs: finished.logs,
    });
    expect(archive.templates).toStrictEqual(finished.templates);
  });

  it('does not recur and starts its own version history', () => {
    expect('recurrence' in archive).toBe(false);
    expect(archive).toMatchObject({ version: 1, createdAt: NOW, updatedAt: NOW });
    expect(isDueToRecur(archive, at('2030-01-01T00:00:00.000Z'))).toBe(false);
  });

  it('leaves the live campaign as it was', () => {
    expect(finished.recurrence).toEqual({ intervalDays: 30 });
    expect(finished.id).toBe('c-test');
  });
});

describe('nextRunOf', () => {
  it('schedules the next run at previous start + interval, PREPARING from the start', () => {
    const next = nextRunOf(succeeded(), at('2026-07-31T00:00:00.000Z'));
    expect(next).toMatchObject({
      id: 'c-test',
      name: 'Finance high-risk users',
      run: 2,
      runId: 'c-test#2',
      startDate: '2026-07-31T00:00:00.000Z',
      state: 'PREPARING',
      phase: { name: 'START' },
      prepareAttempt: 0,
      recurrence: { intervalDays: 30 },
      version: 10,
      updatedAt: '2026-07-31T00:00:00.000Z',
    });
  });

  it('gives the next run the current length of entry ids, even after a run begun with the old one', () => {
    const { entryIdDigits: _digits, ...legacy } = succeeded();
    expect(nextRunOf(legacy, at('2026-07-31T00:00:00.000Z')).entryIdDigits).toBe(ENTRY_ID_DIGITS);
  });

  it('clears what belonged to the finished run', () => {
    const next = nextRunOf(succeeded({ prepareAttempt: 2 }), at('2026-07-31T00:00:00.000Z'));
    expect(next.dueDate).toBeUndefined();
    expect(next.endDate).toBeUndefined();
    expect(next.statusExpirationDate).toBeUndefined();
    expect(next.stats).toBeUndefined();
    expect(next.prepareAttempt).toBe(0);
    expect(next.logs).toEqual([expect.objectContaining({ level: 'INFO', message: expect.stringContaining('c-test-r1') })]);
  });

  it('recomputes the due date: a manual change of the old run does not carry over', () => {
    const changed = adminSetDueDate(
      aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE }),
      '2026-07-25T00:00:00.000Z',
      at('2026-07-10T00:00:00.000Z'),
      'u-admin',
    );
    const finished = markSucceeded({ ...changed, recurrence: { intervalDays: 30 } }, stats, at('2026-07-25T01:00:00.000Z'));
    const next = nextRunOf(finished, at('2026-07-31T00:00:00.000Z'));
    expect(next.dueDate).toBeUndefined();
    const start = validateForStart(next, at('2026-07-31T00:00:00.000Z'), true);
    expect(start.ok).toBe(true);
    expect(start.dueDate).toBe('2026-08-14T00:00:00.000Z');
  });

  it('keeps the notification templates exactly as they were', () => {
    const customised = succeeded();
    customised.templates.APPROVAL_START = { active: false, subject: 'Custom {{campaignName}}', body: 'Custom body' };
    const next = nextRunOf(customised, at('2026-07-31T00:00:00.000Z'));
    expect(next.templates).toStrictEqual(customised.templates);
  });

  it('counts runs and moves the start by one interval each time', () => {
    const second = nextRunOf(succeeded(), at('2026-07-31T00:00:00.000Z'));
    const third = nextRunOf({ ...second, state: 'SUCCEEDED' }, at('2026-08-30T00:00:00.000Z'));
    expect(third).toMatchObject({ run: 3, runId: 'c-test#3', startDate: '2026-08-30T00:00:00.000Z' });
  });
});

describe('adminSetState', () => {
  const by = 'u-admin';
  const now = at('2026-07-05T00:00:00.000Z');
  const allowed: [CampaignState, CampaignState][] = [
    ['FAILED.PREPARED', 'PREPARING'],
    ['FAILED.PREPARED', 'DELETED'],
    ['PREPARING', 'DELETED'],
    ['RUNNING', 'DELETED'],
    ['SUCCEEDED', 'DELETED'],
  ];
  it.each(allowed)('changes %s to %s, with a log naming who', (from, to) => {
    const next = adminSetState(aCampaign({ state: from, logs: [existingLog], version: 5 }), to, now, by);
    expect(next.state).toBe(to);
    expect(next.version).toBe(6);
    expect(next.logs).toEqual([existingLog, { at: now.toISOString(), level: 'INFO', message: `state ${from} -> ${to} by u-admin` }]);
  });

  it('restarts a fixed campaign from the START phase', () => {
    const failed = aCampaign({ state: 'FAILED.PREPARED', phase: { name: 'START' }, prepareAttempt: 1 });
    const next = adminSetState(failed, 'PREPARING', now, by);
    expect(next.phase).toEqual({ name: 'START' });
    expect(next.prepareAttempt).toBe(1);
  });

  it('ends a deleted campaign in the DONE phase', () => {
    expect(adminSetState(aCampaign({ state: 'RUNNING', phase: { name: 'APPLY' } }), 'DELETED', now, by).phase).toEqual({ name: 'DONE' });
  });

  const refused: [CampaignState, CampaignState][] = [
    ['PREPARING', 'RUNNING'],
    ['PREPARING', 'PREPARING'],
    ['RUNNING', 'SUCCEEDED'],
    ['RUNNING', 'PREPARING'],
    ['SUCCEEDED', 'RUNNING'],
    ['SUCCEEDED', 'PREPARING'],
    ['FAILED.PREPARED', 'RUNNING'],
    ['DELETED', 'PREPARING'],
    ['DELETED', 'DELETED'],
  ];
  it.each(refused)('refuses %s to %s with a ValidationError naming state', (from, to) => {
    const campaign = aCampaign({ state: from });
    let caught: unknown;
    try {
      adminSetState(campaign, to, now, by);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('VALIDATION');
    expect(error.field).toBe('state');
    expect(error.issues).toEqual([{ field: 'state', message: expect.stringContaining(`cannot change ${from} to ${to}`) }]);
    expect(error.message).toMatch(/allowed: /);
  });

  it('says that nothing is allowed from DELETED', () => {
    expect(() => adminSetState(aCampaign({ state: 'DELETED' }), 'PREPARING', now, by)).toThrow('allowed: none');
  });

  it('only deletes an archived run', () => {
    const archive = archiveOf(succeeded(), now);
    expect(() => adminSetState(archive, 'PREPARING', now, by)).toThrow(ClosedError);
    expect(adminSetState(archive, 'DELETED', now, by).state).toBe('DELETED');
  });
});

describe('adminSetDueDate', () => {
  const by = 'u-admin';
  const now = at('2026-07-05T00:00:00.000Z');

  it.each<CampaignState>(['PREPARING', 'RUNNING', 'FAILED.PREPARED'])('changes the due date of a %s campaign, with a log', (state) => {
    const next = adminSetDueDate(aCampaign({ state, dueDate: DUE, version: 2 }), '2026-07-20T00:00:00.000Z', now, by);
    expect(next).toMatchObject({ dueDate: '2026-07-20T00:00:00.000Z', version: 3, updatedAt: now.toISOString() });
    expect(next.logs.at(-1)).toEqual({
      at: now.toISOString(),
      level: 'INFO',
      message: `due date ${DUE} -> 2026-07-20T00:00:00.000Z by u-admin`,
    });
  });

  it('says the old due date was computed when there was none', () => {
    const next = adminSetDueDate(aCampaign(), '2026-07-20T00:00:00.000Z', now, by);
    expect(next.logs.at(-1)!.message).toContain('(computed)');
  });

  it.each<CampaignState>(['SUCCEEDED', 'DELETED'])('refuses to change the due date of a %s campaign', (state) => {
    expect(() => adminSetDueDate(aCampaign({ state, dueDate: DUE }), '2026-07-20T00:00:00.000Z', now, by)).toThrow(ClosedError);
  });

  it.each([START, '2026-06-30T00:00:00.000Z'])('refuses a due date not after the start date (%s)', (dueDate) => {
    expect(() => adminSetDueDate(aCampaign({ state: 'RUNNING' }), dueDate, now, by)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'dueDate' }),
    );
  });

  it('refuses a due date on or after the status expiration date', () => {
    const campaign = aCampaign({ state: 'RUNNING', statusExpirationDate: '2026-08-01T00:00:00.000Z' });
    expect(() => adminSetDueDate(campaign, '2026-08-01T00:00:00.000Z', now, by)).toThrow(
      expect.objectContaining({ field: 'dueDate', message: expect.stringContaining('status expiration date') }),
    );
    expect(adminSetDueDate(campaign, '2026-07-31T23:59:59.999Z', now, by).dueDate).toBe('2026-07-31T23:59:59.999Z');
  });
});

describe('adminSetRecurrence', () => {
  const by = 'u-admin';
  const now = at('2026-07-20T00:00:00.000Z');

  it('sets an interval, which makes the campaign recur', () => {
    const oneOff = succeeded({ recurrence: undefined });
    const next = adminSetRecurrence(oneOff, 7, now, by);
    expect(next.recurrence).toEqual({ intervalDays: 7 });
    expect(next.logs.at(-1)!.message).toBe('recurrence every 7 days by u-admin');
    expect(isDueToRecur(next, now)).toBe(true);
  });

  it('clears the interval, which stops the recurrence and lets the run expire', () => {
    const next = adminSetRecurrence(succeeded(), undefined, now, by);
    expect(next.recurrence).toBeUndefined();
    expect(next.logs.at(-1)!.message).toBe('recurrence cleared by u-admin');
    expect(isDueToRecur(next, at('2026-08-01T00:00:00.000Z'))).toBe(false);
    expect(nextActionAt(next)).toBe(next.statusExpirationDate);
    expect(isExpired(next, at(next.statusExpirationDate!))).toBe(true);
  });

  it('refuses to change an archived run', () => {
    expect(() => adminSetRecurrence(archiveOf(succeeded(), now), 7, now, by)).toThrow(ClosedError);
  });
});

describe('adminRestart', () => {
  const by = 'ops-admin';
  const now = at('2026-08-01T09:00:00.000Z');
  /** A one-off campaign that finished on 2026-07-15. */
  const finished = () => succeeded({ recurrence: undefined });

  it('archives the finished run exactly as the recurrence does, and starts a new run now', () => {
    const { archive, next } = adminRestart(finished(), now, by);
    expect(archive).toStrictEqual(archiveOf(finished(), now));
    expect(archive).toMatchObject({ id: 'c-test-r1', name: 'Finance high-risk users 2026-07-01', archived: true, runId: 'c-test#1', state: 'SUCCEEDED' });
    expect(next).toMatchObject({ id: 'c-test', run: 2, runId: 'c-test#2', state: 'PREPARING', phase: { name: 'START' }, startDate: now.toISOString(), version: 10 });
    // As for a recurrence: due date and status expiration recomputed at its start, templates kept.
    expect(next.dueDate).toBeUndefined();
    expect(next.statusExpirationDate).toBeUndefined();
    expect(next.stats).toBeUndefined();
    expect(next.templates).toStrictEqual(finished().templates);
    expect(validateForStart(next, now, true).dueDate).toBe('2026-08-15T09:00:00.000Z');
    expect(next.logs).toEqual([
      { at: now.toISOString(), level: 'INFO', message: 'run 2 restarted by ops-admin, starting 2026-08-01T09:00:00.000Z; run 1 archived as c-test-r1' },
    ]);
  });

  it('is the recurrence’s next run with another start and the administrator named', () => {
    const recurring = succeeded();
    const manual = adminRestart(recurring, now, by, '2026-08-03T00:00:00.000Z');
    const scheduled = nextRunWithArchive(recurring, now);
    expect(manual.archive).toStrictEqual(scheduled.archive);
    expect({ ...manual.next, startDate: undefined, logs: undefined }).toStrictEqual({ ...scheduled.next, startDate: undefined, logs: undefined });
    expect(manual.next.startDate).toBe('2026-08-03T00:00:00.000Z');
    expect(manual.next.recurrence).toEqual({ intervalDays: 30 });
  });

  it('refuses a deleted campaign and an archived run, saying what to do instead', () => {
    expect(() => adminRestart(succeeded({ state: 'DELETED' }), now, by)).toThrow(
      new ClosedError('campaign c-test is DELETED; a deleted campaign cannot be restarted (create a new campaign from its definition)'),
    );
    expect(() => adminRestart(archiveOf(finished(), now), now, by)).toThrow(
      new ClosedError('campaign c-test-r1 is an archived run; it cannot be restarted (restart c-test instead)'),
    );
  });

  it('refuses a campaign that has not finished, naming the state', () => {
    for (const state of ['PREPARING', 'RUNNING'] as const) {
      expect(() => adminRestart(aCampaign({ state }), now, by)).toThrow(ValidationError);
      expect(() => adminRestart(aCampaign({ state }), now, by)).toThrow(`state: cannot restart a ${state} campaign`);
    }
  });

  it('refuses a start before the finished run ended, or one whose due date has already passed', () => {
    expect(() => adminRestart(finished(), now, by, '2026-07-14T00:00:00.000Z')).toThrow(
      'start: must not be before the end of the finished run, 2026-07-15T01:00:00.000Z',
    );
    expect(() => adminRestart(finished(), now, by, '2026-07-18T09:00:00.000Z')).toThrow(
      'start: the new run would be due 2026-08-01T09:00:00.000Z (start + 14 days), which has already passed',
    );
    expect(adminRestart(finished(), now, by, '2026-07-18T09:00:01.000Z').next.startDate).toBe('2026-07-18T09:00:01.000Z');
  });
});

describe('withLateApplication', () => {
  const failing = succeeded({ stats: { ...stats, entriesByState: { FINISHED: 1, 'FAILED.APPLIED.CHANGES': 2 } } });

  it('takes the new totals and logs how many entries finished on the retry', () => {
    const later: CampaignStats = { ...stats, entriesByState: { FINISHED: 2, 'FAILED.APPLIED.CHANGES': 1 }, revoked: 3 };
    const next = withLateApplication(failing, later, at(NOW));
    expect(next).toMatchObject({ stats: later, version: 10, state: 'SUCCEEDED', updatedAt: NOW });
    expect(next.logs.at(-1)).toEqual({ at: NOW, level: 'INFO', message: 'changes applied on retry: 1 entry FINISHED, 1 entry still FAILED.APPLIED.CHANGES' });
  });

  it('logs nothing when only part of an entry went through', () => {
    const partly: CampaignStats = { ...failing.stats!, revoked: 3 };
    expect(withLateApplication(failing, partly, at(NOW))).toMatchObject({ stats: partly, logs: [existingLog] });
  });
});

describe('liveCampaignOf', () => {
  it('names an archived run’s campaign as the campaign it came from', () => {
    const archive = archiveOf(succeeded(), at(NOW));
    expect(liveCampaignOf(archive)).toMatchObject({ id: 'c-test', name: 'Finance high-risk users', runId: 'c-test#1' });
    const live = succeeded();
    expect(liveCampaignOf(live)).toBe(live);
  });
});

describe('withLog', () => {
  it('appends one line and counts a version', () => {
    const line: CampaignLog = { at: NOW, level: 'INFO', message: 'entry e-1: approver u-x named by ops' };
    expect(withLog(succeeded(), line, at(NOW))).toMatchObject({ logs: [existingLog, line], version: 10 });
  });
});
