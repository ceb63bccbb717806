// When an assignment is next re-approved: whole UTC days.
import { describe, expect, it } from 'vitest';
import { dueRound, initialReapprovalDate, reapprovalDateAfter, roundOf, roundStart, shownNextReapprovalAt, startOfUtcDay } from '../../../../lambdas/shared/domain/approvals/reapproval-dates.js';

const NOW = new Date('2027-03-10T05:00:00.000Z');

describe('re-approval dates', () => {
  it('the day after the interval, at 00:00 UTC, whatever the time of the approval', () => {
    expect(startOfUtcDay('2027-03-10T23:59:59.999Z')).toBe('2027-03-10T00:00:00.000Z');
    expect(reapprovalDateAfter('2027-01-01T09:30:00.000Z', 90)).toBe('2027-04-01T00:00:00.000Z');
    expect(reapprovalDateAfter('2027-01-01T23:30:00-02:00', 1)).toBe('2027-01-03T00:00:00.000Z');
  });

  it.each([
    ['the later of grant and approval (approval)', { grantedAt: '2026-01-01T00:00:00.000Z', approvedAt: '2026-06-01T15:00:00.000Z' }, '2026-08-30T00:00:00.000Z'],
    ['the later of grant and approval (grant)', { grantedAt: '2026-09-01T00:00:00.000Z', approvedAt: '2026-06-01T00:00:00.000Z' }, '2026-11-30T00:00:00.000Z'],
    ['the grant alone', { grantedAt: '2026-09-01T00:00:00.000Z' }, '2026-11-30T00:00:00.000Z'],
    ['neither: the initialization', {}, '2027-06-08T00:00:00.000Z'],
  ])('CONTINUOUS at initialization: %s plus the interval', (_what, assignment, expected) => {
    expect(initialReapprovalDate(assignment, 90, NOW)).toBe(expected);
  });

  it('a scheduled round is due from 00:00 UTC of its date', () => {
    expect(roundStart('2027-03-10')).toBe('2027-03-10T00:00:00.000Z');
    expect(roundOf('2027-03-10T00:00:00.000Z')).toBe('2027-03-10');
    expect(dueRound({ scheduledDate: '2027-03-10' }, NOW)).toBe('2027-03-10');
    expect(dueRound({ scheduledDate: '2027-03-11' }, NOW)).toBeUndefined();
    expect(dueRound({}, NOW)).toBeUndefined();
  });

  it('the next date shown for an assignment: its own (CONTINUOUS), the domain date not yet started in (SCHEDULED)', () => {
    expect(shownNextReapprovalAt({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2027-05-01T00:00:00.000Z' }, { scheduledDate: '2027-04-01' })).toBe('2027-05-01T00:00:00.000Z');
    expect(shownNextReapprovalAt({ reapprovalMode: 'SCHEDULED' }, { scheduledDate: '2027-04-01' })).toBe('2027-04-01T00:00:00.000Z');
    expect(shownNextReapprovalAt({ reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2027-04-01' }, { scheduledDate: '2027-04-01' })).toBeUndefined();
    expect(shownNextReapprovalAt({}, { scheduledDate: '2027-04-01' })).toBeUndefined();
  });
});
