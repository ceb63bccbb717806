// A campaign run's report (docs/reference/reports.md): what auditors read. Built from the operational
// records while they exist, and from the archived evidence pack after the run's cleanup. Pure types.
import type { ApprovalState } from '../approvals/model.js';
import type { AppliedAction, CampaignKind, CampaignState, DecisionOutcome, EntryState, ItemWorkflow, RevocationSettings, RevocationVerification, RiskLevel } from '../model.js';

export const REPORT_FORMATS = ['csv', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * The run's totals (docs/reference/reports.md, "Totals"). Each certified assignment counts once, by
 * its row in the latest stage it reached (`ReportRow.counted`): approved + rejected + modified +
 * expired + pending = items. The outcome side counts only assignments whose entry was applied:
 * once the run finished, revoked + kept + awaitingWorkflow + changesFailed = items.
 */
export interface ReportTotals {
  /** Entries of every stage. */
  entries: number;
  /** Assignments certified (counted rows). */
  items: number;
  /** The decision that counts (the last stage's; an approval after an earlier modification is a modification). */
  approved: number;
  rejected: number;
  modified: number;
  /** Never decided (the entry expired, or the run ended first). */
  expired: number;
  /** Assignments removed by the run's outcome (rejected, modified or uncertified, per the revocation settings). */
  revoked: number;
  /** Assignments the outcome left in place. */
  kept: number;
  /** Items handed to an approval workflow. */
  handedOver: number;
  /** Items with no decision yet in a running campaign. */
  pending: number;
  /** Handed over, and the approval run's outcome is not applied yet. */
  awaitingWorkflow: number;
  /** The directory refused the change; a later controller run retries it. */
  changesFailed: number;
  /**
   * Revoked, but found in the directory when it was read back (revocation verification; as of the
   * latest check). Absent from reports written before verification existed.
   */
  stillPresent?: number;
  /** Kept because the user or the privilege is protected (docs/reference/guards.md): counted in `kept` too; present only when some were. */
  keptByGuard?: number;
}

/** What counted for an assignment: its decision (the effective one), or none. */
export const REPORT_RESULTS = ['APPROVED', 'REJECTED', 'MODIFIED', 'EXPIRED', 'PENDING'] as const;
export type ReportResult = (typeof REPORT_RESULTS)[number];

/** What the run did to an assignment, once its entry was applied. */
export const REPORT_OUTCOMES = ['REVOKED', 'KEPT', 'AWAITING_WORKFLOW', 'CHANGE_FAILED'] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

/** One certified assignment (an item), with what was decided and what was done. */
export interface ReportRow {
  entryId: string;
  stage: number;
  entryState: EntryState;
  subjectId: string;
  subjectName: string;
  approverIds: string[];
  dueDate: string;
  itemId: string;
  userId: string;
  userName?: string;
  privilegeId: string;
  privilegeName?: string;
  privilegeRisk?: RiskLevel;
  decision?: DecisionOutcome;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  /** MODIFY: the new end date (null: removed) and parameters. */
  modifiedEndDate?: string | null;
  modifiedParameters?: Record<string, string | null>;
  appliedAction?: AppliedAction;
  appliedAt?: string;
  appliedError?: string;
  /** KEPT_BY_GUARD: the protection that kept it. */
  appliedReason?: string;
  /**
   * A removal read back from the directory (revocation verification): ABSENT or STILL_PRESENT, as
   * of `verifiedAt` (the latest check); `verifiedOrigin` when it was found granted by a rule since.
   */
  verification?: RevocationVerification['status'];
  verifiedAt?: string;
  verifiedOrigin?: RevocationVerification['origin'];
  /** The hand-over's approval run and its outcome. */
  workflowApprovalId?: string;
  workflowState?: ApprovalState;
  workflowOutcomeBy?: string;
  workflowOutcomeAt?: string;
  /** What the approval run's outcome did to the assignment (KEPT, REMOVED, NOT_MANUAL, GONE). */
  workflowAppliedAction?: ItemWorkflow['appliedAction'];
  /** A decision recorded after its entry closed (a race the API refuses): shown, never counted. */
  decisionAfterClose?: boolean;
  /** This row is the assignment's latest stage: it counts in the totals. An earlier stage's row that handed the item on does not. */
  counted: boolean;
  /** Counted rows: the decision that counts. */
  result?: ReportResult;
  /** Counted rows of applied entries: what the run did. */
  outcome?: ReportOutcome;
}

export interface ReportReassignment {
  entryId: string;
  stage: number;
  subjectId: string;
  subjectName: string;
  from: string[];
  to: string;
  by: string;
  at: string;
  justification: string;
  previousDueDate?: string;
  dueDate?: string;
}

/** Reviewer analytics (docs/reference/reports.md, "Reviewer analytics"). */
export interface ReviewerStats {
  approverId: string;
  approverName?: string;
  itemsDecided: number;
  approved: number;
  rejected: number;
  modified: number;
  /** approved / itemsDecided, 0..1. */
  approveRate: number;
  /** Median seconds between a reviewer's consecutive decisions within one sitting; undefined with fewer than two. */
  medianSecondsPerDecision?: number;
  /** The most items decided in one request. */
  largestBulkDecision: number;
  rubberStamp: boolean;
  /** Why the flag is raised, in words. */
  rubberStampReason?: string;
}

/** When a reviewer is flagged as a rubber stamp; configurable (docs/reference/reports.md). */
export interface RubberStampThresholds {
  /** At least this many items decided. */
  minItems: number;
  /** An approve rate at or above this (0..1). */
  minApproveRate: number;
  /** A median at or under this many seconds per decision. */
  maxMedianSeconds: number;
  /** A gap longer than this between two of a reviewer's decisions starts a new sitting and is not measured. */
  sessionBreakMinutes: number;
}

export interface CampaignReport {
  format: 'idgov-campaign-report/1';
  /** The instant the report describes (its data as of then). */
  asOf: string;
  /** LIVE: read from the operational records; ARCHIVE: from the run's archived evidence pack. */
  source: 'LIVE' | 'ARCHIVE';
  campaign: {
    id: string;
    name: string;
    description?: string;
    kind: CampaignKind;
    ownerId: string;
    state: CampaignState;
    run: number;
    runId: string;
    archivedFrom?: string;
    startDate: string;
    dueDate?: string;
    endDate?: string;
    statusExpirationDate?: string;
    revocation: RevocationSettings;
  };
  totals: ReportTotals;
  rows: ReportRow[];
  reassignments: ReportReassignment[];
  /** Decisions per UTC day. */
  decisionsPerDay: { date: string; approved: number; rejected: number; modified: number }[];
  reviewers: ReviewerStats[];
  thresholds: RubberStampThresholds;
}
