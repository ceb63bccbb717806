// A campaign run's report (docs/reference/reports.md): what auditors read. Built from the operational
// records while they exist, and from the archived evidence pack after the run's cleanup. Pure types.
import type { AppliedAction, CampaignState, DecisionOutcome, EntryState, RevocationSettings, RiskLevel } from '../model.js';

export const REPORT_FORMATS = ['csv', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportTotals {
  entries: number;
  items: number;
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
}

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
  /** The hand-over's approval run and its outcome. */
  workflowApprovalId?: string;
  workflowState?: string;
  workflowOutcomeBy?: string;
  workflowOutcomeAt?: string;
}

export interface ReportReassignment {
  entryId: string;
  from: string[];
  to: string;
  by: string;
  at: string;
  justification: string;
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
    kind: string;
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
