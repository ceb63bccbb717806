// The owner's view of a campaign run (lambdas/shared/domain/campaign-progress.ts): counts by state,
// per approver, overdue entries, completion, the entry order, and what a caller may do with an entry.
import { describe, expect, it } from 'vitest';
import {
  campaignProgress,
  entryPermissions,
  isOverdue,
  isRunOpen,
  progressFromStats,
} from '../../../lambdas/shared/domain/campaign-progress.js';
import type { Campaign, Entry } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, anEntry, at, DUE } from '../../support/fixtures.js';

const running: Campaign = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE });
const BEFORE_DUE = at('2026-07-10T00:00:00.000Z');
const AFTER_DUE = at('2026-07-16T00:00:00.000Z');
const EARLY = '2026-07-08T00:00:00.000Z';

const entry = (id: string, overrides: Partial<Entry> = {}) => anEntry({ id, runId: running.runId, subjectId: `u-${id}`, ...overrides });

describe('isOverdue', () => {
  it('is true only for a RUNNING entry whose due date has passed', () => {
    const e = entry('e-1', { dueDate: DUE });
    expect(isOverdue(e, BEFORE_DUE)).toBe(false);
    expect(isOverdue(e, at(DUE))).toBe(false);
    expect(isOverdue(e, at('2026-07-15T00:00:00.001Z'))).toBe(true);
    expect(isOverdue({ ...e, state: 'FAILED.EXPIRED' }, AFTER_DUE)).toBe(false);
    expect(isOverdue({ ...e, state: 'APPROVAL.FINISHED' }, AFTER_DUE)).toBe(false);
  });
});

describe('isRunOpen', () => {
  it('needs the campaign RUNNING, announced (phase DONE) and the entry of its current run', () => {
    expect(isRunOpen(running, running.runId)).toBe(true);
    expect(isRunOpen({ ...running, phase: { name: 'ANNOUNCE', prepared: { entries: 1, items: 1, failedEntries: 0 } } }, running.runId)).toBe(false);
    expect(isRunOpen({ ...running, state: 'SUCCEEDED' }, running.runId)).toBe(false);
    expect(isRunOpen(running, 'c-test#0')).toBe(false);
  });
});

describe('entryPermissions', () => {
  const e = entry('e-1', { approverIds: ['u-m1', 'u-m2'] });

  it('lets a current approver decide and reassign, the owner reassign only, and anyone else nothing', () => {
    expect(entryPermissions(e, running, 'u-m2', BEFORE_DUE)).toEqual({ canDecide: true, canReassign: true, isCampaignOwner: false });
    expect(entryPermissions(e, running, running.ownerId, BEFORE_DUE)).toEqual({ canDecide: false, canReassign: true, isCampaignOwner: true });
    expect(entryPermissions(e, running, 'u-other', BEFORE_DUE)).toEqual({ canDecide: false, canReassign: false, isCampaignOwner: false });
  });

  it('closes decisions at the due instant, and leaves a reassignment (with an extension) possible', () => {
    expect(entryPermissions(e, running, 'u-m1', at(DUE))).toEqual({ canDecide: false, canReassign: true, isCampaignOwner: false });
  });

  it('allows nothing on a closed entry or a campaign run that is not open, but still says who owns it', () => {
    expect(entryPermissions({ ...e, state: 'APPROVAL.FINISHED' }, running, 'u-m1', BEFORE_DUE)).toMatchObject({ canDecide: false, canReassign: false });
    expect(entryPermissions(e, { ...running, state: 'SUCCEEDED' }, running.ownerId, BEFORE_DUE)).toEqual({
      canDecide: false,
      canReassign: false,
      isCampaignOwner: true,
    });
  });
});

describe('campaignProgress', () => {
  const entries = [
    entry('e-a', { approverIds: ['u-m1'], dueDate: DUE }),
    entry('e-b', { approverIds: ['u-m1', 'u-m2'], dueDate: EARLY }),
    entry('e-c', { approverIds: ['u-m2'], state: 'APPROVAL.FINISHED', closedAt: '2026-07-03T00:00:00.000Z', dueDate: '2026-07-09T00:00:00.000Z' }),
    entry('e-d', { approverIds: [], state: 'FAILED.PREPARE' }),
    entry('e-e', { approverIds: ['u-m3'], dueDate: DUE, stage: 2 }),
  ];

  it('counts entries by state, completion and, before any due date, nothing overdue', () => {
    const p = campaignProgress(running, entries, at('2026-07-05T00:00:00.000Z'));
    expect(p.entriesByState).toEqual({ RUNNING: 3, 'APPROVAL.FINISHED': 1, 'FAILED.PREPARE': 1 });
    expect(p.entries).toBe(5);
    expect(p.completion).toBeCloseTo(2 / 5);
    expect(p.overdueEntries).toBe(0);
  });

  it('counts per approver the entries, the open ones and the overdue ones, most overdue first', () => {
    // Past e-b's due date (July 8), before the others'.
    const p = campaignProgress(running, entries, BEFORE_DUE);
    expect(p.overdueEntries).toBe(1);
    expect(p.approvers).toEqual([
      { approverId: 'u-m1', entries: 2, open: 2, overdue: 1 },
      { approverId: 'u-m2', entries: 2, open: 1, overdue: 1 },
      { approverId: 'u-m3', entries: 1, open: 1, overdue: 0 },
    ]);
  });

  it('lists overdue entries first, then by due date, stage and id, with what the owner may reassign', () => {
    const p = campaignProgress(running, entries, BEFORE_DUE);
    expect(p.entryList.map((e) => [e.entry.id, e.overdue, e.canReassign])).toEqual([
      ['e-b', true, true],
      // Past its due date too, but closed: not overdue.
      ['e-c', false, false],
      ['e-a', false, true],
      ['e-d', false, false],
      ['e-e', false, true],
    ]);
  });

  it('lets the owner reassign nothing once the run is over, and counts no entry twice for an approver named twice', () => {
    const p = campaignProgress({ ...running, state: 'SUCCEEDED' }, [entry('e-x', { approverIds: ['u-m1', 'u-m1'] })], AFTER_DUE);
    expect(p.entryList.map((e) => e.canReassign)).toEqual([false]);
    expect(p.approvers).toEqual([{ approverId: 'u-m1', entries: 1, open: 1, overdue: 1 }]);
  });

  it('answers zeros for a run with no entries', () => {
    expect(campaignProgress(running, [], BEFORE_DUE)).toEqual({
      entriesByState: {},
      entries: 0,
      overdueEntries: 0,
      completion: 0,
      approvers: [],
      entryList: [],
    });
  });
});

describe('progressFromStats', () => {
  it("counts a finished run from the stats its finish recorded", () => {
    expect(progressFromStats({ entries: 4, entriesByState: { FINISHED: 3, 'FAILED.APPLIED.CHANGES': 1 } })).toEqual({
      entriesByState: { FINISHED: 3, 'FAILED.APPLIED.CHANGES': 1 },
      entries: 4,
      overdueEntries: 0,
      completion: 1,
    });
    expect(progressFromStats({ entries: 0, entriesByState: {} }).completion).toBe(0);
  });
});
