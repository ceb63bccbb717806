// The campaign report as a JSON contract (format idgov-campaign-report/1): how an archived
// evidence pack's report.json is read back after the run's cleanup. Strict, and its keys in the
// order the report is built in, so that a report read back renders to the same JSON bytes.
import * as z from 'zod';
import { APPROVAL_STATES } from '../approvals/model.js';
import { CAMPAIGN_KINDS, CAMPAIGN_STATES, DECISION_OUTCOMES, ENTRY_STATES, REVOCATION_ACTIONS, RISK_LEVELS } from '../model.js';
import { parseInput } from '../schemas.js';
import { REPORT_OUTCOMES, REPORT_RESULTS, type CampaignReport } from './campaign-report.js';

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
const text = z.string();

const totals = z.strictObject({
  entries: count,
  items: count,
  approved: count,
  rejected: count,
  modified: count,
  expired: count,
  revoked: count,
  kept: count,
  handedOver: count,
  pending: count,
  awaitingWorkflow: count,
  changesFailed: count,
  stillPresent: count.optional(),
  keptByGuard: count.optional(),
});

const row = z.strictObject({
  entryId: text,
  stage: z.number().int().positive(),
  entryState: z.enum(ENTRY_STATES),
  subjectId: text,
  subjectName: text,
  approverIds: z.array(text),
  dueDate: instant,
  itemId: text,
  userId: text,
  userName: text.optional(),
  privilegeId: text,
  privilegeName: text.optional(),
  privilegeRisk: z.enum(RISK_LEVELS).optional(),
  decision: z.enum(DECISION_OUTCOMES).optional(),
  decidedBy: text.optional(),
  decidedAt: instant.optional(),
  comment: text.optional(),
  modifiedEndDate: instant.nullable().optional(),
  modifiedParameters: z.record(z.string(), z.string().nullable()).optional(),
  appliedAction: z.enum(['KEPT', 'MODIFIED', 'REMOVED', 'HANDED_OVER', 'KEPT_BY_GUARD']).optional(),
  appliedAt: instant.optional(),
  appliedError: text.optional(),
  appliedReason: text.optional(),
  verification: z.enum(['ABSENT', 'STILL_PRESENT']).optional(),
  verifiedAt: instant.optional(),
  verifiedOrigin: z.enum(['RULE', 'INHERITED']).optional(),
  workflowApprovalId: text.optional(),
  workflowState: z.enum(APPROVAL_STATES).optional(),
  workflowOutcomeBy: text.optional(),
  workflowOutcomeAt: instant.optional(),
  workflowAppliedAction: z.enum(['KEPT', 'REMOVED', 'NOT_MANUAL', 'GONE', 'KEPT_BY_GUARD']).optional(),
  decisionAfterClose: z.boolean().optional(),
  counted: z.boolean(),
  result: z.enum(REPORT_RESULTS).optional(),
  outcome: z.enum(REPORT_OUTCOMES).optional(),
});

const reassignment = z.strictObject({
  entryId: text,
  stage: z.number().int().positive(),
  subjectId: text,
  subjectName: text,
  from: z.array(text),
  to: text,
  by: text,
  at: instant,
  justification: text,
  previousDueDate: instant.optional(),
  dueDate: instant.optional(),
});

const reviewer = z.strictObject({
  approverId: text,
  approverName: text.optional(),
  itemsDecided: count,
  approved: count,
  rejected: count,
  modified: count,
  approveRate: z.number().min(0).max(1),
  medianSecondsPerDecision: z.number().nonnegative().optional(),
  largestBulkDecision: count,
  rubberStamp: z.boolean(),
  rubberStampReason: text.optional(),
});

export const rubberStampThresholdsSchema = z.strictObject({
  minItems: count,
  minApproveRate: z.number().min(0).max(1),
  maxMedianSeconds: z.number().nonnegative(),
  sessionBreakMinutes: z.number().positive(),
});

const revocationAction = z.enum(REVOCATION_ACTIONS);

export const campaignReportSchema = z.strictObject({
  format: z.literal('idgov-campaign-report/1'),
  asOf: instant,
  source: z.enum(['LIVE', 'ARCHIVE']),
  campaign: z.strictObject({
    id: text,
    name: text,
    description: text.optional(),
    kind: z.enum(CAMPAIGN_KINDS),
    ownerId: text,
    state: z.enum(CAMPAIGN_STATES),
    run: z.number().int().positive(),
    runId: text,
    archivedFrom: text.optional(),
    startDate: instant,
    dueDate: instant.optional(),
    endDate: instant.optional(),
    statusExpirationDate: instant.optional(),
    revocation: z.strictObject({ rejected: revocationAction, modified: revocationAction, uncertified: revocationAction }),
  }),
  totals,
  rows: z.array(row),
  reassignments: z.array(reassignment),
  decisionsPerDay: z.array(z.strictObject({ date: z.iso.date(), approved: count, rejected: count, modified: count })),
  reviewers: z.array(reviewer),
  thresholds: rubberStampThresholdsSchema,
});

// The schema reads exactly the report type (a compile-time check).
type Parsed = z.output<typeof campaignReportSchema>;
const _sameShape: [Parsed extends CampaignReport ? true : false, CampaignReport extends Parsed ? true : false] = [true, true];
void _sameShape;

/** A report.json's parsed content, or a ValidationError naming each bad field (prefixed `report.json`). */
export function parseCampaignReport(value: unknown): CampaignReport {
  return parseInput(campaignReportSchema, value, 'report.json');
}
