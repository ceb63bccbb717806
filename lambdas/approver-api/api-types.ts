// What the approver API answers and accepts, as types only: the routes build these views and the
// approver portal (src/portal/) imports the same declarations, so that the two never describe a
// task, an entry or a campaign differently. Nothing here exists at run time.
import type {
  CampaignKind,
  CampaignState,
  Decision,
  DecisionOutcome,
  EntryState,
  Origin,
  Reassignment,
  RiskLevel,
  SubjectKind,
} from '../shared/domain/model.js';

export type { CampaignKind, CampaignState, Decision, DecisionOutcome, EntryState, Origin, Reassignment, RiskLevel, SubjectKind };

/** Every refusal: `field` names what caused it (a body field such as `decisions.0.endDate`, or `id`). */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; issues?: { field: string; message: string }[] };
}

/** A directory user as the portal shows one. */
export interface PersonView {
  id: string;
  displayName: string;
}

/** GET /me: who the caller is and which views apply to them. */
export interface MeView {
  id: string;
  displayName: string;
  email: string;
  /** The caller has open tasks (entries or approval runs) now. */
  isApprover: boolean;
  /** The caller owns at least one campaign (not archived). */
  isCampaignOwner: boolean;
  /** The server's "now" (locally it may be simulated): what `overdue` is measured against. */
  asOf: string;
}

/** The person or group under review, with the context an approver decides on. */
export interface SubjectView {
  kind: SubjectKind;
  id: string;
  name: string;
  /** USER subjects, from the directory (null when the user is gone or the field unset). */
  email: string | null;
  department: string | null;
  manager: PersonView | null;
  riskLevel: RiskLevel | null;
  status: 'ACTIVE' | 'DISABLED' | null;
}

/** One assignment under review in a campaign entry. */
export interface ItemView {
  id: string;
  userId: string;
  userName: string | null;
  privilegeId: string;
  privilegeName: string | null;
  privilegeRisk: RiskLevel | null;
  /** How the assignment was granted (MANUAL, RULE, ...), copied at preparation; null for entries prepared before it was. */
  origin: Origin | null;
  endDate: string | null;
  parameters: Record<string, string>;
  grantedAt: string | null;
  grantedBy: string | null;
  /** Still waiting for this stage's decision. */
  open: boolean;
  decision: Decision | null;
  /** What earlier stages decided, oldest first (downstream approval). */
  priorDecisions?: Decision[];
  workflow?: unknown;
}

/** A campaign entry the caller decides (GET /tasks). */
export interface CampaignTaskView {
  kind: 'CAMPAIGN';
  entryId: string;
  campaignId: string;
  campaignName: string;
  subjectKind: SubjectKind;
  subjectId: string;
  subjectName: string;
  stage: number;
  dueDate: string;
  overdue: boolean;
  itemCount: number;
  openItemCount: number;
  openItems: ItemView[];
}

/** The one assignment of an approval run (a re-approval or a campaign hand-over). */
export interface ApprovalItemView {
  id: string;
  userId: string;
  privilegeId: string;
  privilegeName: string | null;
  privilegeRisk: RiskLevel | null;
  endDate: string | null;
  parameters: Record<string, string>;
  grantedAt: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  decision: unknown;
}

/** An approval run the caller decides (GET /tasks). */
export interface ApprovalTaskView {
  kind: 'REAPPROVAL';
  entryId: string;
  taskId: string;
  purpose: string;
  workflowId: string;
  workflowName: string;
  step: number;
  steps: number;
  escalated: boolean;
  state: string;
  dueDate: string;
  overdue: boolean;
  subjectKind: 'USER';
  subjectId: string;
  subjectName: string | null;
  openItemIds: string[];
  items: ApprovalItemView[];
}

export type TaskView = CampaignTaskView | ApprovalTaskView;

/** GET /tasks: the caller's open tasks, by due date. */
export interface TaskListView {
  caller: PersonView;
  asOf: string;
  tasks: TaskView[];
}

/** What the caller may do with an entry they can read. */
export interface EntryPermissions {
  /** A current approver of a RUNNING entry: may decide its open items. */
  canDecide: boolean;
  /** An approver or the campaign owner, while the entry and its campaign are open: may reassign it. */
  canReassign: boolean;
  /** The caller owns the entry's campaign. */
  isCampaignOwner: boolean;
}

/** GET /entries/{id} of a campaign entry. */
export interface EntryView {
  kind: 'CAMPAIGN';
  id: string;
  campaignId: string;
  campaignName: string;
  campaignOwner: PersonView | null;
  subjectKind: SubjectKind;
  subjectId: string;
  subjectName: string;
  subject: SubjectView;
  stage: number;
  /** The stage's name from the entry's plan, if it has one. */
  stageName: string | null;
  state: EntryState;
  approverIds: string[];
  approvers: PersonView[];
  dueDate: string;
  overdue: boolean;
  closedAt: string | null;
  itemCount: number;
  openItemCount: number;
  reassignments: Reassignment[];
  items: ItemView[];
  permissions: EntryPermissions;
  asOf: string;
}

/** GET /entries/{id} of an approval run (id begins `a-`). */
export interface ApprovalDetailView extends ApprovalTaskView {
  stepName: string | null;
  approverIds: string[];
  purposeDetail: unknown;
  history: unknown[];
  outcome: unknown;
  applied: unknown;
}

/** One decision in POST /entries/{id}/decisions. */
export interface DecisionInput {
  itemId: string;
  outcome: DecisionOutcome;
  /** MODIFY: the new end date (YYYY-MM-DD or an instant); null removes it. */
  endDate?: string | null;
  /** MODIFY: a value sets a role parameter, null removes it. */
  parameters?: Record<string, string | null>;
  comment?: string;
}

export type DecisionsRequest =
  | { decisions: DecisionInput[] }
  | { all: { outcome: 'APPROVE' | 'REJECT'; comment?: string; privilegeId?: string } };

/** POST /entries/{id}/decisions (campaign entry). */
export interface DecisionsResult {
  entryId: string;
  state: EntryState;
  /** Item ids saved by this request. */
  decided: string[];
  /** Every item is decided: the entry left RUNNING. */
  finished: boolean;
}

/** POST /entries/{id}/decisions on an approval run (id begins `a-`). */
export interface ApprovalDecisionsResult {
  kind: 'REAPPROVAL';
  entryId: string;
  /** The run's state: RUNNING (its next step opened), APPROVED or REJECTED. */
  state: string;
  decided: string[];
  /** The run reached its outcome (the next start-reapproval run applies it). */
  finished: boolean;
}

/** POST /entries/{id}/reassign. */
export interface ReassignRequest {
  to: string;
  justification: string;
  extendDays?: number;
}

/** POST /entries/{id}/reassign answers the entry as it is now, with what was recorded. */
export interface ReassignResult extends EntryView {
  reassignment: Reassignment;
  notification: unknown;
}

/** One run of a campaign the caller owns (GET /campaigns). */
export interface CampaignSummaryView {
  id: string;
  name: string;
  kind: CampaignKind;
  state: CampaignState;
  run: number;
  startDate: string;
  dueDate: string | null;
  /** The current run's entries (all stages) by state. */
  entriesByState: Partial<Record<EntryState, number>>;
  entries: number;
  /** RUNNING entries past their due date. */
  overdueEntries: number;
  /** Share of entries no longer RUNNING, 0..1 (0 with no entries). */
  completion: number;
  /** Set while applying waits for the owner: removals over the campaign's cap (POST /campaigns/{id}/confirm-apply). */
  awaitingConfirmation: AwaitingConfirmationView | null;
}

/** What applying a campaign over its revocation cap would do, counted before anything was applied. */
export interface AwaitingConfirmationView {
  /** What applying would do, item by item: removed, modified, handed to a workflow, kept, kept by a guard. */
  counts: { items: number; remove: number; modify: number; handOver: number; keep: number; keptByGuard: number };
  /** remove ÷ items, 0..1, and the campaign's cap it is over. */
  removalShare: number;
  maxRemovalShare: number;
  since: string;
}

/** POST /campaigns/{id}/confirm-apply: the campaign moves on to applying, at the controller's next run. */
export interface ConfirmApplyResult {
  campaignId: string;
  state: CampaignState;
  phase: 'APPLY';
  confirmedBy: string;
  confirmedAt: string;
  /** What the owner confirmed: the counts they were shown. */
  counts: AwaitingConfirmationView['counts'];
}

export interface CampaignListView {
  owner: PersonView;
  asOf: string;
  campaigns: CampaignSummaryView[];
}

/** One approver's share of a campaign run. */
export interface ApproverProgressView {
  approver: PersonView;
  entries: number;
  /** Still RUNNING. */
  open: number;
  overdue: number;
}

/** An entry as the campaign owner sees it in the progress view. */
export interface OwnerEntryView {
  id: string;
  subjectKind: SubjectKind;
  subjectId: string;
  subjectName: string;
  stage: number;
  state: EntryState;
  approvers: PersonView[];
  dueDate: string;
  overdue: boolean;
  itemCount: number;
  /** The owner may reassign it now (RUNNING entry of a RUNNING campaign). */
  canReassign: boolean;
}

/** GET /campaigns/{id}: one campaign the caller owns, with its current run's progress. */
export interface CampaignProgressView extends CampaignSummaryView {
  description: string | null;
  approvers: ApproverProgressView[];
  /** Every entry of the current run, overdue first, then by due date. */
  entryList: OwnerEntryView[];
}
