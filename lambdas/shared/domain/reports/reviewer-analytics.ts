// Reviewer analytics (docs/reference/reports.md, "Reviewer analytics"): how each approver of a
// campaign run decided, and whether the pattern looks like rubber-stamping. Pure: decisions in,
// figures out; the thresholds come from the operations configuration or the command line.
import type { DecisionOutcome } from '../model.js';
import type { ReviewerStats, RubberStampThresholds } from './campaign-report.js';

/** The defaults of the operations configuration's `reviewerAnalytics` section. */
export const DEFAULT_RUBBER_STAMP_THRESHOLDS: RubberStampThresholds = {
  minItems: 20,
  minApproveRate: 1,
  maxMedianSeconds: 5,
  sessionBreakMinutes: 30,
};

/** One counted decision of a campaign item. */
export interface ReviewerDecision {
  approverId: string;
  outcome: DecisionOutcome;
  /** ISO instant; every item of one request carries the request's instant. */
  decidedAt: string;
}

/** Later layers override earlier ones, field by field (defaults, then the configuration, then options). */
export function resolveThresholds(...layers: (Partial<RubberStampThresholds> | undefined)[]): RubberStampThresholds {
  const resolved = { ...DEFAULT_RUBBER_STAMP_THRESHOLDS };
  for (const layer of layers) {
    for (const key of Object.keys(resolved) as (keyof RubberStampThresholds)[]) {
      const value = layer?.[key];
      if (value !== undefined) resolved[key] = value;
    }
  }
  return resolved;
}

export const sameThresholds = (a: RubberStampThresholds, b: RubberStampThresholds): boolean =>
  (Object.keys(DEFAULT_RUBBER_STAMP_THRESHOLDS) as (keyof RubberStampThresholds)[]).every((key) => a[key] === b[key]);

/**
 * One line of figures per approver who decided anything: rubber stamps first, then by items decided
 * (most first), then by id, so that the order is the same whenever the decisions are.
 */
export function analyseReviewers(
  decisions: readonly ReviewerDecision[],
  thresholds: RubberStampThresholds,
  names: ReadonlyMap<string, string> = new Map(),
): ReviewerStats[] {
  const byApprover = new Map<string, ReviewerDecision[]>();
  for (const d of decisions) byApprover.set(d.approverId, [...(byApprover.get(d.approverId) ?? []), d]);
  return [...byApprover.entries()]
    .map(([approverId, own]) => reviewerStats(approverId, own, thresholds, names.get(approverId)))
    .sort((a, b) => Number(b.rubberStamp) - Number(a.rubberStamp) || b.itemsDecided - a.itemsDecided || compare(a.approverId, b.approverId));
}

/** One approver's figures from their decisions (any order). */
export function reviewerStats(approverId: string, decisions: readonly ReviewerDecision[], thresholds: RubberStampThresholds, approverName?: string): ReviewerStats {
  const count = (outcome: DecisionOutcome) => decisions.filter((d) => d.outcome === outcome).length;
  const itemsDecided = decisions.length;
  const approved = count('APPROVE');
  const instants = decisions.map((d) => Date.parse(d.decidedAt)).sort((a, b) => a - b);
  const median = medianOf(sittingGaps(instants, thresholds.sessionBreakMinutes * 60));
  const stats: ReviewerStats = {
    approverId,
    ...(approverName !== undefined ? { approverName } : {}),
    itemsDecided,
    approved,
    rejected: count('REJECT'),
    modified: count('MODIFY'),
    approveRate: itemsDecided === 0 ? 0 : approved / itemsDecided,
    ...(median !== undefined ? { medianSecondsPerDecision: median } : {}),
    largestBulkDecision: largestBulk(decisions),
    rubberStamp: false,
  };
  return isRubberStamp(stats, thresholds) ? { ...stats, rubberStamp: true, rubberStampReason: rubberStampReason(stats, thresholds) } : stats;
}

/**
 * Seconds between consecutive decisions (instants in ms, ascending). A gap longer than
 * `sessionBreakSeconds` ends a sitting: it is not measured (the reviewer was away, not reading).
 * The items of one request share its instant, so a bulk decision of n items adds n - 1 gaps of 0 s.
 */
export function sittingGaps(instantsMs: readonly number[], sessionBreakSeconds: number): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < instantsMs.length; i++) {
    const seconds = (instantsMs[i]! - instantsMs[i - 1]!) / 1000;
    if (seconds <= sessionBreakSeconds) gaps.push(seconds);
  }
  return gaps;
}

/** The middle value (the mean of the two middle values of an even count); undefined for none. */
export function medianOf(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The most items one request decided: decisions of the same instant by the same approver. */
function largestBulk(decisions: readonly ReviewerDecision[]): number {
  const perRequest = new Map<string, number>();
  for (const d of decisions) perRequest.set(d.decidedAt, (perRequest.get(d.decidedAt) ?? 0) + 1);
  return Math.max(0, ...perRequest.values());
}

/**
 * All three must hold: at least `minItems` decided, an approve rate at or above `minApproveRate`,
 * and a measured median at or under `maxMedianSeconds` (no median, no flag: nothing was timed).
 */
export function isRubberStamp(stats: Pick<ReviewerStats, 'itemsDecided' | 'approved' | 'medianSecondsPerDecision'>, t: RubberStampThresholds): boolean {
  return (
    stats.itemsDecided >= t.minItems &&
    // Compared as counts, so that 19 of 20 meets 0.95 whatever the floating point says.
    stats.approved >= t.minApproveRate * stats.itemsDecided - 1e-9 &&
    stats.medianSecondsPerDecision !== undefined &&
    stats.medianSecondsPerDecision <= t.maxMedianSeconds
  );
}

/** "approved 100 % of 48 items at a median of 2 s each (thresholds: ≥ 20 items, ≥ 100 %, ≤ 5 s)". */
export function rubberStampReason(stats: Pick<ReviewerStats, 'itemsDecided' | 'approveRate' | 'medianSecondsPerDecision'>, t: RubberStampThresholds): string {
  return (
    `approved ${formatPercent(stats.approveRate)} % of ${plural(stats.itemsDecided, 'item')} at a median of ` +
    `${formatSeconds(stats.medianSecondsPerDecision ?? 0)} s each (thresholds: ${describeThresholds(t)})`
  );
}

/** "≥ 20 items, ≥ 100 %, ≤ 5 s". */
export const describeThresholds = (t: RubberStampThresholds): string =>
  `≥ ${plural(t.minItems, 'item')}, ≥ ${formatPercent(t.minApproveRate)} %, ≤ ${formatSeconds(t.maxMedianSeconds)} s`;

/** A rate 0..1 as a percentage with at most one decimal: 1 → "100", 0.979 → "97.9". */
export const formatPercent = (rate: number): string => String(Math.round(rate * 1000) / 10);

/** Seconds as people read them: one decimal under 10 s ("2", "2.5"), whole seconds above ("125"). */
export const formatSeconds = (seconds: number): string => String(seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds));

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
