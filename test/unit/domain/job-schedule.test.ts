import { describe, expect, it } from 'vitest';
import { describeSchedule, lastExpectedRun } from '../../../lambdas/shared/domain/job-schedule.js';
import type { JobSchedule } from '../../../lambdas/shared/domain/operations.js';

const at = (iso: string) => new Date(iso);
const expected = (schedule: JobSchedule, now: string) => lastExpectedRun(schedule, at(now)).toISOString();

describe('lastExpectedRun', () => {
  const daily: JobSchedule = { kind: 'daily', hour: 7, minute: 30 };
  // 2026-11-30 is a Monday.
  const mondays: JobSchedule = { kind: 'weekly', weekday: 1, hour: 9, minute: 0 };

  it.each([
    ['after today’s time: today', '2026-12-01T10:00:00.000Z', '2026-12-01T07:30:00.000Z'],
    ['exactly at the time: that run', '2026-12-01T07:30:00.000Z', '2026-12-01T07:30:00.000Z'],
    ['a millisecond before: yesterday', '2026-12-01T07:29:59.999Z', '2026-11-30T07:30:00.000Z'],
    ['after midnight: yesterday, across a month', '2026-12-01T00:05:00.000Z', '2026-11-30T07:30:00.000Z'],
    ['on New Year’s Day before the time: New Year’s Eve', '2027-01-01T06:00:00.000Z', '2026-12-31T07:30:00.000Z'],
  ])('daily at 07:30, %s', (_case, now, run) => {
    expect(expected(daily, now)).toBe(run);
  });

  it.each([
    ['on the Monday after the time', '2026-11-30T09:00:00.000Z', '2026-11-30T09:00:00.000Z'],
    ['on the Monday before the time: the Monday before', '2026-11-30T08:59:00.000Z', '2026-11-23T09:00:00.000Z'],
    ['on a Tuesday', '2026-12-01T08:00:00.000Z', '2026-11-30T09:00:00.000Z'],
    ['on the Sunday', '2026-12-06T23:59:00.000Z', '2026-11-30T09:00:00.000Z'],
  ])('weekly on Mondays at 09:00, %s', (_case, now, run) => {
    expect(expected(mondays, now)).toBe(run);
  });

  it('weekly on Sundays (weekday 0) from a Saturday', () => {
    expect(expected({ kind: 'weekly', weekday: 0, hour: 0, minute: 0 }, '2026-12-05T12:00:00.000Z')).toBe('2026-11-29T00:00:00.000Z');
  });

  it('hourly: any minute, at least once an hour, so one hour before now', () => {
    expect(expected({ kind: 'hourly' }, '2026-12-01T08:17:00.000Z')).toBe('2026-12-01T07:17:00.000Z');
  });
});

describe('describeSchedule', () => {
  it.each([
    [{ kind: 'hourly' } as JobSchedule, 'hourly'],
    [{ kind: 'daily', hour: 7, minute: 5 } as JobSchedule, 'daily at 07:05 UTC'],
    [{ kind: 'weekly', weekday: 1, hour: 9, minute: 0 } as JobSchedule, 'Mondays at 09:00 UTC'],
  ])('%j → %s', (schedule, text) => {
    expect(describeSchedule(schedule)).toBe(text);
  });
});
