import { describe, expect, it } from 'vitest';
import { archiveOf } from '../../../lambdas/shared/domain/campaign-lifecycle.js';
import {
  addDays,
  DAY_MS,
  dateOnly,
  HOUR_MS,
  NEVER,
  awaitsChangeRetry,
  nextActionAt,
  nextRunStart,
} from '../../../lambdas/shared/domain/campaign-schedule.js';
import type { Campaign } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, at, DUE, START } from '../../support/fixtures.js';

/** What the controller's index query does: campaigns whose next action is due at `now`. */
const isDue = (c: Campaign, now: string) => nextActionAt(c) <= now;

describe('date helpers', () => {
  it('adds whole days in UTC, keeping the time of day', () => {
    expect(addDays('2026-07-01T09:30:00.000Z', 14)).toBe('2026-07-15T09:30:00.000Z');
    expect(addDays('2026-02-20T00:00:00.000Z', 10)).toBe('2026-03-02T00:00:00.000Z');
    expect(addDays('2028-02-28T00:00:00.000Z', 1)).toBe('2028-02-29T00:00:00.000Z');
    expect(addDays('2026-12-31T23:00:00.000Z', 1)).toBe('2027-01-01T23:00:00.000Z');
    expect(addDays('2026-07-01T00:00:00.000Z', -1)).toBe('2026-06-30T00:00:00.000Z');
  });

  it('normalises an offset instant to UTC', () => {
    expect(addDays('2026-07-01T02:00:00+02:00', 0)).toBe('2026-07-01T00:00:00.000Z');
  });

  it('cuts an instant to its date', () => {
    expect(dateOnly('2026-07-01T23:59:59.999Z')).toBe('2026-07-01');
  });

  it('has units in milliseconds', () => {
    expect(DAY_MS).toBe(86_400_000);
    expect(HOUR_MS).toBe(3_600_000);
  });

  it('starts the next run one interval after the previous start, or never', () => {
    expect(nextRunStart({ startDate: START, recurrence: { intervalDays: 90 } })).toBe('2026-09-29T00:00:00.000Z');
    expect(nextRunStart({ startDate: START })).toBeUndefined();
  });
});

describe('nextActionAt', () => {
  const succeeded = (overrides: Partial<Campaign> = {}) =>
    aCampaign({
      state: 'SUCCEEDED',
      phase: { name: 'DONE' },
      dueDate: DUE,
      endDate: DUE,
      statusExpirationDate: '2026-08-14T00:00:00.000Z',
      ...overrides,
    });

  it('is the start date of a PREPARING campaign, whatever its phase', () => {
    expect(nextActionAt(aCampaign())).toBe(START);
    expect(nextActionAt(aCampaign({ phase: { name: 'PREPARE', afterSubjectId: 'u-k' } }))).toBe(START);
    expect(isDue(aCampaign(), '2026-06-30T23:59:59.999Z')).toBe(false);
    expect(isDue(aCampaign(), START)).toBe(true);
  });

  it('is always due for a RUNNING campaign (reminders, expirations and decisions)', () => {
    const running = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE });
    expect(nextActionAt(running) < '0001-01-01T00:00:00.000Z').toBe(true);
    expect(isDue(running, START)).toBe(true);
  });

  it('is the status expiration date of a one-off SUCCEEDED campaign', () => {
    expect(nextActionAt(succeeded())).toBe('2026-08-14T00:00:00.000Z');
  });

  it('is never for a SUCCEEDED campaign without a status expiration date', () => {
    expect(nextActionAt(succeeded({ statusExpirationDate: undefined }))).toBe(NEVER);
  });

  it('is the restart of a recurring SUCCEEDED campaign, even after its status expiration date', () => {
    const recurring = succeeded({ recurrence: { intervalDays: 60 } });
    expect(nextActionAt(recurring)).toBe('2026-08-30T00:00:00.000Z');
  });

  it('is the status expiration date of an archived run', () => {
    const archive = archiveOf(succeeded({ recurrence: { intervalDays: 60 } }), at(DUE));
    expect(nextActionAt(archive)).toBe('2026-08-14T00:00:00.000Z');
    // Even if an archived record still carried an interval, it expires rather than recurs.
    expect(nextActionAt({ ...archive, recurrence: { intervalDays: 60 } })).toBe('2026-08-14T00:00:00.000Z');
  });

  it('is always due for a SUCCEEDED run with entries whose changes failed to apply, archived or not', () => {
    const failing = succeeded({
      recurrence: { intervalDays: 60 },
      stats: { entries: 2, items: 2, entriesByState: { FINISHED: 1, 'FAILED.APPLIED.CHANGES': 1 }, approved: 1, rejected: 1, modified: 0, uncertified: 0, revoked: 0, handedOver: 0 },
    });
    expect(awaitsChangeRetry(failing)).toBe(true);
    expect(isDue(failing, START)).toBe(true);
    expect(isDue(archiveOf(failing, at(DUE)), START)).toBe(true);
    // Once they applied (or the run is deleted), back to the usual schedule.
    const applied = { ...failing, stats: { ...failing.stats!, entriesByState: { FINISHED: 2 } } };
    expect(awaitsChangeRetry(applied)).toBe(false);
    expect(nextActionAt(applied)).toBe('2026-08-30T00:00:00.000Z');
    expect(awaitsChangeRetry({ ...failing, state: 'DELETED' })).toBe(false);
  });

  it('is always due for a DELETED campaign until its entries are cleaned, then never', () => {
    const deleted = succeeded({ state: 'DELETED' });
    expect(isDue(deleted, START)).toBe(true);
    expect(nextActionAt({ ...deleted, cleanedAt: '2026-08-14T01:00:00.000Z' })).toBe(NEVER);
  });

  it('is never for a FAILED.PREPARED campaign (it waits for the owner)', () => {
    expect(nextActionAt(aCampaign({ state: 'FAILED.PREPARED' }))).toBe(NEVER);
  });

  it('sorts NEVER after every real instant', () => {
    expect(NEVER > '9999-12-31T23:59:59.998Z').toBe(true);
    expect(isDue(aCampaign({ state: 'FAILED.PREPARED' }), '9999-12-31T23:59:59.998Z')).toBe(false);
  });
});
