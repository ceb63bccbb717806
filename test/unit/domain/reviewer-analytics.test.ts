// Reviewer analytics: medians over sittings, bulk decisions, and the rubber-stamp flag at and just
// past each of its thresholds.
import { describe, expect, it } from 'vitest';
import type { DecisionOutcome } from '../../../lambdas/shared/domain/model.js';
import {
  analyseReviewers,
  DEFAULT_RUBBER_STAMP_THRESHOLDS,
  describeThresholds,
  medianOf,
  resolveThresholds,
  reviewerStats,
  sittingGaps,
  type ReviewerDecision,
} from '../../../lambdas/shared/domain/reports/reviewer-analytics.js';

const T0 = Date.parse('2026-07-02T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** `n` decisions by `approverId`, one request every `everySeconds`, all APPROVE unless `outcome` says otherwise. */
function series(n: number, everySeconds: number, outcome: (i: number) => DecisionOutcome = () => 'APPROVE', approverId = 'u-rev'): ReviewerDecision[] {
  return Array.from({ length: n }, (_, i) => ({ approverId, outcome: outcome(i), decidedAt: at(i * everySeconds) }));
}

const thresholds = DEFAULT_RUBBER_STAMP_THRESHOLDS;

describe('the rubber-stamp flag (defaults: ≥ 20 items, ≥ 100 %, ≤ 5 s)', () => {
  it('is raised at each threshold exactly, with the reason in words', () => {
    const stats = reviewerStats('u-rev', series(20, 5), thresholds, 'Rita Reviewer');
    expect(stats).toEqual({
      approverId: 'u-rev',
      approverName: 'Rita Reviewer',
      itemsDecided: 20,
      approved: 20,
      rejected: 0,
      modified: 0,
      approveRate: 1,
      medianSecondsPerDecision: 5,
      largestBulkDecision: 1,
      rubberStamp: true,
      rubberStampReason: 'approved 100 % of 20 items at a median of 5 s each (thresholds: ≥ 20 items, ≥ 100 %, ≤ 5 s)',
    });
  });

  it('is not raised one item short, one rejection in, or a tenth of a second too slow', () => {
    expect(reviewerStats('u-rev', series(19, 5), thresholds).rubberStamp).toBe(false);
    const oneRejected = reviewerStats('u-rev', series(20, 5, (i) => (i === 7 ? 'REJECT' : 'APPROVE')), thresholds);
    expect(oneRejected).toMatchObject({ approved: 19, rejected: 1, approveRate: 0.95, rubberStamp: false });
    expect(oneRejected.rubberStampReason).toBeUndefined();
    const oneModified = reviewerStats('u-rev', series(20, 5, (i) => (i === 0 ? 'MODIFY' : 'APPROVE')), thresholds);
    expect(oneModified).toMatchObject({ modified: 1, rubberStamp: false });
    expect(reviewerStats('u-rev', series(20, 5.1), thresholds)).toMatchObject({ medianSecondsPerDecision: 5.1, rubberStamp: false });
  });

  it('compares a rate threshold below 100 % as a count: 19 of 20 meets 95 %, 18 does not', () => {
    const t = { ...thresholds, minApproveRate: 0.95 };
    expect(reviewerStats('u-rev', series(20, 2, (i) => (i === 3 ? 'REJECT' : 'APPROVE')), t)).toMatchObject({
      rubberStamp: true,
      rubberStampReason: 'approved 95 % of 20 items at a median of 2 s each (thresholds: ≥ 20 items, ≥ 95 %, ≤ 5 s)',
    });
    expect(reviewerStats('u-rev', series(20, 2, (i) => (i < 2 ? 'REJECT' : 'APPROVE')), t).rubberStamp).toBe(false);
  });

  it('is not raised when nothing was timed (every decision the first of its sitting)', () => {
    const farApart = series(25, 3 * 3600);
    const stats = reviewerStats('u-rev', farApart, thresholds);
    expect(stats.medianSecondsPerDecision).toBeUndefined();
    expect(stats.rubberStamp).toBe(false);
  });
});

describe('median seconds per decision', () => {
  it('measures the gaps between consecutive decisions, in any input order', () => {
    const shuffled = [at(30), at(0), at(4), at(10)].map((decidedAt) => ({ approverId: 'u', outcome: 'APPROVE' as const, decidedAt }));
    // gaps 4, 6, 20 → median 6
    expect(reviewerStats('u', shuffled, thresholds).medianSecondsPerDecision).toBe(6);
  });

  it('leaves out a gap over the session break (a new sitting), and keeps one exactly at it', () => {
    expect(sittingGaps([0, 2_000, 1_802_000, 1_805_000], 1800)).toEqual([2, 1800, 3]);
    expect(sittingGaps([0, 2_000, 1_802_001, 1_805_001], 1800)).toEqual([2, 3]);
    const twoSittings = [...series(3, 2), ...series(3, 8).map((d) => ({ ...d, decidedAt: new Date(Date.parse(d.decidedAt) + 4 * 3600_000).toISOString() }))];
    // gaps 2, 2 | 8, 8: the four-hour break is not a gap
    expect(reviewerStats('u-rev', twoSittings, thresholds).medianSecondsPerDecision).toBe(5);
    expect(reviewerStats('u-rev', twoSittings, { ...thresholds, sessionBreakMinutes: 300 }).medianSecondsPerDecision).toBe(8);
  });

  it('counts the items of one request as decided 0 s apart', () => {
    const bulk = Array.from({ length: 48 }, () => ({ approverId: 'u-bulk', outcome: 'APPROVE' as const, decidedAt: at(0) }));
    const stats = reviewerStats('u-bulk', bulk, thresholds);
    expect(stats).toMatchObject({ itemsDecided: 48, largestBulkDecision: 48, medianSecondsPerDecision: 0, rubberStamp: true });
    expect(stats.rubberStampReason).toBe('approved 100 % of 48 items at a median of 0 s each (thresholds: ≥ 20 items, ≥ 100 %, ≤ 5 s)');
  });

  it('is the middle value, or the mean of the two middle values', () => {
    expect(medianOf([])).toBeUndefined();
    expect(medianOf([7])).toBe(7);
    expect(medianOf([9, 1, 5])).toBe(5);
    expect(medianOf([1, 2, 4, 100])).toBe(3);
  });
});

describe('largest bulk decision', () => {
  it('is the most items one request decided (same instant), whatever came between', () => {
    const decisions = [
      ...Array.from({ length: 3 }, () => ({ approverId: 'u', outcome: 'APPROVE' as const, decidedAt: at(0) })),
      { approverId: 'u', outcome: 'REJECT' as const, decidedAt: at(10) },
      ...Array.from({ length: 5 }, () => ({ approverId: 'u', outcome: 'APPROVE' as const, decidedAt: at(60) })),
    ];
    expect(reviewerStats('u', decisions, thresholds)).toMatchObject({ largestBulkDecision: 5, itemsDecided: 9, approved: 8 });
  });
});

describe('analyseReviewers', () => {
  it('gives one line per approver: rubber stamps first, then by items decided, then by id', () => {
    const decisions = [
      ...series(2, 60, () => 'REJECT', 'u-b'),
      ...series(21, 1, () => 'APPROVE', 'u-stamp'),
      ...series(2, 60, () => 'APPROVE', 'u-a'),
      ...series(5, 60, () => 'MODIFY', 'u-busy'),
    ];
    const stats = analyseReviewers(decisions, thresholds, new Map([['u-stamp', 'Sam Stamp']]));
    expect(stats.map((s) => [s.approverId, s.itemsDecided, s.rubberStamp])).toEqual([
      ['u-stamp', 21, true],
      ['u-busy', 5, false],
      ['u-a', 2, false],
      ['u-b', 2, false],
    ]);
    expect(stats[0]!.approverName).toBe('Sam Stamp');
    expect(stats[1]!.approverName).toBeUndefined();
  });
});

describe('thresholds', () => {
  it('layer field by field: defaults, then the configuration, then the options', () => {
    expect(resolveThresholds()).toEqual({ minItems: 20, minApproveRate: 1, maxMedianSeconds: 5, sessionBreakMinutes: 30 });
    expect(resolveThresholds({ minItems: 10, maxMedianSeconds: 3 }, { maxMedianSeconds: 8 }, undefined)).toEqual({
      minItems: 10,
      minApproveRate: 1,
      maxMedianSeconds: 8,
      sessionBreakMinutes: 30,
    });
  });

  it('read in words', () => {
    expect(describeThresholds({ minItems: 1, minApproveRate: 0.875, maxMedianSeconds: 2.5, sessionBreakMinutes: 30 })).toBe('≥ 1 item, ≥ 87.5 %, ≤ 2.5 s');
  });
});
