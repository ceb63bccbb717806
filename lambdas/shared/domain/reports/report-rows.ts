// What a campaign report says about each item, and the totals (docs/reference/reports.md): pure
// functions over a run's entries and items as read from the store.
import { planItem } from '../application.js';
import { isDecided } from '../entries.js';
import type { Campaign, Entry, Item, ItemWorkflow, RevocationVerification } from '../model.js';
import { effectiveDecision } from '../stages.js';
import type { CampaignReport, ReportOutcome, ReportReassignment, ReportResult, ReportRow, ReportTotals } from './campaign-report.js';
import type { ReviewerDecision } from './reviewer-analytics.js';

export interface EntryWithItems {
  entry: Entry;
  items: Item[];
}

/** The campaign states in which a run still takes decisions (an undecided item is pending, not expired). */
const OPEN_CAMPAIGN_STATES: Campaign['state'][] = ['PREPARING', 'RUNNING'];
/** Entries whose undecided items may still be decided while the run is open (FAILED.PREPARE: by a rescue). */
const OPEN_ENTRY_STATES: Entry['state'][] = ['RUNNING', 'FAILED.PREPARE'];

const assignmentKey = (item: Pick<Item, 'userId' | 'privilegeId'>) => `${item.userId}\n${item.privilegeId}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One row per item of every stage, ordered by stage, subject, entry and item. Each assignment counts
 * once, by its row in the latest stage it reached: an earlier stage's approval that handed it on is
 * history (shown, not counted).
 */
export function buildReportRows(campaign: Campaign, loaded: readonly EntryWithItems[], verifications: RunVerifications = new Map()): ReportRow[] {
  const pairs = loaded
    .flatMap(({ entry, items }) => items.map((item) => ({ entry, item })))
    .sort(
      (a, b) =>
        a.entry.stage - b.entry.stage ||
        compare(a.entry.subjectId, b.entry.subjectId) ||
        compare(a.entry.id, b.entry.id) ||
        compare(a.item.id, b.item.id),
    );
  const latestStage = new Map<string, number>();
  for (const { entry, item } of pairs) latestStage.set(assignmentKey(item), Math.max(latestStage.get(assignmentKey(item)) ?? 0, entry.stage));
  const countedKeys = new Set<string>();
  return pairs.map(({ entry, item }) => {
    const key = assignmentKey(item);
    // Never twice, even if a store held the same assignment in two entries of one stage.
    const counted = entry.stage === latestStage.get(key) && !countedKeys.has(key);
    if (counted) countedKeys.add(key);
    return rowOf(campaign, entry, item, counted, verifications);
  });
}

/** The run's revocations read back from the directory, by `<userId>#<privilegeId>` (revocationCursor). */
export type RunVerifications = ReadonlyMap<string, RevocationVerification>;

function rowOf(campaign: Campaign, entry: Entry, item: Item, counted: boolean, verifications: RunVerifications): ReportRow {
  const decision = item.decision;
  const workflow = item.workflow;
  // The run's removal of this assignment, as it was read back (only the row that removed it says so).
  const verification = item.applied?.action === 'REMOVED' ? verifications.get(`${item.userId}#${item.privilegeId}`) : undefined;
  const result = counted ? resultOf(campaign, entry, item) : undefined;
  const outcome = counted ? outcomeOf(campaign, entry, item) : undefined;
  return {
    entryId: entry.id,
    stage: entry.stage,
    entryState: entry.state,
    subjectId: entry.subjectId,
    subjectName: entry.subjectName,
    approverIds: [...entry.approverIds],
    dueDate: entry.dueDate,
    itemId: item.id,
    userId: item.userId,
    ...(item.userName !== undefined ? { userName: item.userName } : {}),
    privilegeId: item.privilegeId,
    ...(item.privilegeName !== undefined ? { privilegeName: item.privilegeName } : {}),
    ...(item.privilegeRisk !== undefined ? { privilegeRisk: item.privilegeRisk } : {}),
    ...(decision
      ? {
          decision: decision.outcome,
          decidedBy: decision.decidedBy,
          decidedAt: decision.decidedAt,
          ...(decision.comment !== undefined ? { comment: decision.comment } : {}),
          ...(decision.outcome === 'MODIFY' && decision.endDate !== undefined ? { modifiedEndDate: decision.endDate } : {}),
          ...(decision.outcome === 'MODIFY' && decision.parameters !== undefined ? { modifiedParameters: { ...decision.parameters } } : {}),
        }
      : {}),
    ...(item.applied
      ? {
          appliedAction: item.applied.action,
          appliedAt: item.applied.at,
          ...(item.applied.error !== undefined ? { appliedError: item.applied.error } : {}),
          ...(item.applied.reason !== undefined ? { appliedReason: item.applied.reason } : {}),
        }
      : {}),
    ...(verification
      ? {
          verification: verification.status,
          verifiedAt: verification.at,
          ...(verification.origin !== undefined ? { verifiedOrigin: verification.origin } : {}),
        }
      : {}),
    ...(workflow
      ? {
          workflowApprovalId: workflow.approvalId,
          workflowState: workflow.state,
          ...(workflow.outcomeBy !== undefined ? { workflowOutcomeBy: workflow.outcomeBy } : {}),
          ...(workflow.outcomeAt !== undefined ? { workflowOutcomeAt: workflow.outcomeAt } : {}),
          ...(workflow.appliedAction !== undefined ? { workflowAppliedAction: workflow.appliedAction } : {}),
        }
      : {}),
    ...(decision && !isDecided(item, entry) ? { decisionAfterClose: true } : {}),
    counted,
    ...(result ? { result } : {}),
    ...(outcome ? { outcome } : {}),
  };
}

/** The decision that counts, as the finish applies it (an approval after an earlier modification is a modification). */
function resultOf(campaign: Campaign, entry: Entry, item: Item): ReportResult {
  if (!isDecided(item, entry)) {
    return OPEN_CAMPAIGN_STATES.includes(campaign.state) && OPEN_ENTRY_STATES.includes(entry.state) ? 'PENDING' : 'EXPIRED';
  }
  const outcome = effectiveDecision(item)!.outcome;
  return outcome === 'APPROVE' ? 'APPROVED' : outcome === 'REJECT' ? 'REJECTED' : 'MODIFIED';
}

/**
 * What the run did to the assignment, once its entry was applied; undefined before. An item with
 * no applied record in a FINISHED entry was left as it was (nothing to change, or it was no longer
 * MANUAL); an entry that failed preparation is left as it is when the run finishes.
 */
function outcomeOf(campaign: Campaign, entry: Entry, item: Item): ReportOutcome | undefined {
  if (item.applied) {
    switch (item.applied.action) {
      case 'REMOVED':
        return 'REVOKED';
      case 'KEPT':
      case 'MODIFIED':
      case 'KEPT_BY_GUARD':
        return 'KEPT';
      case 'HANDED_OVER':
        return workflowOutcome(item.workflow);
    }
  }
  if (entry.state === 'FINISHED') return 'KEPT';
  if (entry.state === 'FAILED.APPLIED.CHANGES') return planItem(item, entry, campaign.revocation).change === 'NONE' ? 'KEPT' : 'CHANGE_FAILED';
  if (entry.state === 'FAILED.PREPARE' && campaign.endDate !== undefined) return 'KEPT';
  return undefined;
}

/** A hand-over's outcome once applied: REMOVED revokes; KEPT, NOT_MANUAL and GONE did not remove anything. */
function workflowOutcome(workflow: ItemWorkflow | undefined): ReportOutcome {
  if (workflow?.appliedAction === undefined) return 'AWAITING_WORKFLOW';
  return workflow.appliedAction === 'REMOVED' ? 'REVOKED' : 'KEPT';
}

export function reportTotals(entries: number, rows: readonly ReportRow[]): ReportTotals {
  const counted = rows.filter((r) => r.counted);
  const results = (result: ReportResult) => counted.filter((r) => r.result === result).length;
  const outcomes = (outcome: ReportOutcome) => counted.filter((r) => r.outcome === outcome).length;
  return {
    entries,
    items: counted.length,
    approved: results('APPROVED'),
    rejected: results('REJECTED'),
    modified: results('MODIFIED'),
    expired: results('EXPIRED'),
    revoked: outcomes('REVOKED'),
    kept: outcomes('KEPT'),
    handedOver: counted.filter((r) => r.appliedAction === 'HANDED_OVER').length,
    pending: results('PENDING'),
    awaitingWorkflow: outcomes('AWAITING_WORKFLOW'),
    changesFailed: outcomes('CHANGE_FAILED'),
    stillPresent: counted.filter((r) => r.verification === 'STILL_PRESENT').length,
    ...keptByGuardOf(counted),
  };
}

/** Only when the guard kept something (directly, or when a hand-over's run was rejected): older reports read as they did. */
function keptByGuardOf(counted: readonly ReportRow[]): { keptByGuard?: number } {
  const kept = counted.filter((r) => r.appliedAction === 'KEPT_BY_GUARD' || r.workflowAppliedAction === 'KEPT_BY_GUARD').length;
  return kept > 0 ? { keptByGuard: kept } : {};
}

/** Every decision that counts (of every stage: each stage's approver decided), for the analytics and the chart. */
export function countedDecisions(rows: readonly ReportRow[]): ReviewerDecision[] {
  return rows.flatMap((r) =>
    r.decision && r.decidedBy && r.decidedAt && !r.decisionAfterClose ? [{ approverId: r.decidedBy, outcome: r.decision, decidedAt: r.decidedAt }] : [],
  );
}

/** Decisions per UTC day, days with none left out, oldest first. */
export function decisionsPerDay(decisions: readonly ReviewerDecision[]): CampaignReport['decisionsPerDay'] {
  const days = new Map<string, { date: string; approved: number; rejected: number; modified: number }>();
  for (const d of decisions) {
    const date = new Date(d.decidedAt).toISOString().slice(0, 10);
    const day = days.get(date) ?? { date, approved: 0, rejected: 0, modified: 0 };
    if (d.outcome === 'APPROVE') day.approved += 1;
    else if (d.outcome === 'REJECT') day.rejected += 1;
    else day.modified += 1;
    days.set(date, day);
  }
  return [...days.values()].sort((a, b) => compare(a.date, b.date));
}

/** Every hand-over of an entry to another approver, in time order. */
export function reportReassignments(entries: readonly Entry[]): ReportReassignment[] {
  return entries
    .flatMap((entry) =>
      (entry.reassignments ?? []).map(
        (r): ReportReassignment => ({
          entryId: entry.id,
          stage: entry.stage,
          subjectId: entry.subjectId,
          subjectName: entry.subjectName,
          from: [...r.from],
          to: r.to,
          by: r.by,
          at: r.at,
          justification: r.justification,
          ...(r.previousDueDate !== undefined ? { previousDueDate: r.previousDueDate } : {}),
          ...(r.dueDate !== undefined ? { dueDate: r.dueDate } : {}),
        }),
      ),
    )
    .sort((a, b) => compare(a.at, b.at) || compare(a.entryId, b.entryId));
}
