// The vocabulary of approval workflows and re-approval (docs/reference/reapproval.md). Pure types
// and constants: the state machine is approval-run.ts, the file schemas are workflow-schemas.ts.
import { shortHash } from '../entries.js';
import type { Decision, RiskLevel } from '../model.js';

/** Who decides a step: the assignment user's manager, the privilege's owners, or a named user id. */
export const APPROVER_KEYWORDS = ['MANAGER', 'PRIVILEGE_OWNER'] as const;
export type ApproverKeyword = (typeof APPROVER_KEYWORDS)[number];

/** What a step's timeout does: hand it once to the approvers' managers, or decide it. */
export const TIMEOUT_ACTIONS = ['ESCALATE', 'APPROVE', 'REJECT'] as const;
export type TimeoutAction = (typeof TIMEOUT_ACTIONS)[number];
export type TimeoutRule = Exclude<TimeoutAction, 'ESCALATE'>;

export interface WorkflowStep {
  name?: string;
  /** `MANAGER`, `PRIVILEGE_OWNER` or user ids, in any mix; any one of them decides. */
  approvers: string[];
  timeoutDays: number;
  onTimeout: TimeoutAction;
  /** ESCALATE only: what the escalated step's own timeout does. Default REJECT (nobody vouched). */
  afterEscalation?: TimeoutRule;
}

export interface ApprovalWorkflow {
  id: string;
  name: string;
  description?: string;
  steps: WorkflowStep[];
  /** Set when loaded (`idgov workflow load`). */
  loadedAt?: string;
  loadedBy?: string;
}

/** The workflow of a privilege that names none: its owners, 14 days, then their managers once. */
export const DEFAULT_WORKFLOW: ApprovalWorkflow = {
  id: 'default',
  name: 'Privilege owner, 14 days, escalates once',
  steps: [{ name: 'Privilege owner', approvers: ['PRIVILEGE_OWNER'], timeoutDays: 14, onTimeout: 'ESCALATE', afterEscalation: 'REJECT' }],
};

export const REAPPROVAL_MODES = ['CONTINUOUS', 'SCHEDULED'] as const;
export type ReapprovalMode = (typeof REAPPROVAL_MODES)[number];

/** A privilege's re-approval settings (the directory file's `reapproval`). */
export type ReapprovalSettings =
  | { mode: 'CONTINUOUS'; intervalDays: number; workflowId?: string }
  | { mode: 'SCHEDULED'; workflowId?: string };

/** A running re-approval, recorded on its assignment. */
export interface RunningReapproval {
  approvalId: string;
  startedAt: string;
}

/**
 * The domain-wide re-approval configuration (`idgov reapproval schedule`), stored once. Reminders
 * apply to every approval run, re-approval or campaign hand-over.
 */
export interface ReapprovalConfig {
  /** Scheduled mode's one date for the whole domain (YYYY-MM-DD, 00:00 UTC). */
  scheduledDate?: string;
  reminders: { daysBeforeDue: number; intervalHours: number };
  updatedAt?: string;
  updatedBy?: string;
}

export const DEFAULT_REAPPROVAL_CONFIG: ReapprovalConfig = { reminders: { daysBeforeDue: 3, intervalHours: 24 } };

/** A scheduled round (one per domain date): started, then completed once every flagged assignment was started. */
export interface ReapprovalRound {
  date: string;
  startedAt: string;
  completedAt?: string;
  started: number;
}

/** Why an approval run exists. */
export type ApprovalPurpose =
  | {
      kind: 'REAPPROVAL';
      mode: ReapprovalMode;
      /** What made it due: continuous, the assignment's nextReapprovalAt; scheduled, the round's date. */
      dueAt: string;
      intervalDays?: number;
    }
  | {
      /** A campaign's `WORKFLOW` revocation handed the item over at the campaign's finish. */
      kind: 'CAMPAIGN';
      campaignId: string;
      runId: string;
      entryId: string;
      itemId: string;
      reason: 'REJECTED' | 'MODIFIED' | 'UNCERTIFIED';
    };

export const APPROVAL_STATES = ['RUNNING', 'APPROVED', 'REJECTED'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export type ApprovalEventType = 'STEP_STARTED' | 'SUBSTITUTED' | 'NO_APPROVER' | 'DECIDED' | 'ESCALATED' | 'TIMED_OUT' | 'APPLIED';

/** The run's history, oldest first: what happened, at which step, by whom. */
export interface ApprovalEvent {
  at: string;
  type: ApprovalEventType;
  /** 0-based step index. */
  step: number;
  by?: string;
  approverIds?: string[];
  outcome?: 'APPROVE' | 'REJECT';
  comment?: string;
  reason?: string;
}

/** How a run ended. `via` says whether a person decided, or a timeout rule, or nobody could. */
export interface ApprovalOutcome {
  result: 'APPROVED' | 'REJECTED';
  at: string;
  via: 'DECISION' | 'TIMEOUT' | 'NO_APPROVER';
  by?: string;
  comment?: string;
}

/** What the outcome did to the assignment. KEPT_BY_GUARD: rejected, but its user or privilege is protected (`reason` says which). */
export interface ApprovalApplied {
  action: 'KEPT' | 'REMOVED' | 'NOT_MANUAL' | 'GONE' | 'KEPT_BY_GUARD';
  /** KEPT_BY_GUARD: the protection (docs/reference/guards.md). */
  reason?: string;
  at: string;
  /** KEPT by a continuous re-approval: the next date it set. */
  nextReapprovalAt?: string;
}

/**
 * One run of an approval workflow over one assignment: a task with one item for its current
 * approvers. Stored in the campaign table (config/tables.ts), versioned like entries.
 */
export interface ApprovalRun {
  id: string;
  purpose: ApprovalPurpose;
  userId: string;
  privilegeId: string;
  /** Context for the approver, copied at the start. */
  userName?: string;
  privilegeName?: string;
  privilegeRisk?: RiskLevel;
  endDate?: string;
  parameters?: Record<string, string>;
  grantedAt?: string;
  approvedAt?: string;
  approvedBy?: string;
  /** The workflow as it was when the run started: a later `workflow load` does not change a running one. */
  workflow: ApprovalWorkflow;
  /** 0-based. */
  stepIndex: number;
  /** The current step was escalated to the approvers' managers. */
  escalated: boolean;
  approverIds: string[];
  stepStartedAt: string;
  /** The current step's due date (its timeout). */
  dueDate: string;
  state: ApprovalState;
  history: ApprovalEvent[];
  /** The decision of the current step's approver, as a campaign item's (APPROVE/REJECT only). */
  decision?: Decision;
  outcome?: ApprovalOutcome;
  applied?: ApprovalApplied;
  /** Index of the last reminder slot sent in the current step (reset when a step opens or escalates). */
  lastReminderSlot?: number;
  /**
   * When the start-reapproval job must look at the run again: the next reminder or the due date while
   * RUNNING; the outcome's time while the outcome is not applied; absent once applied.
   */
  nextActionAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Approval ids begin `a-`, entry ids `e-`: one task id space for `idgov decide` and the API. */
export const APPROVAL_ID_PREFIX = 'a-';
export const isApprovalId = (id: string) => id.startsWith(APPROVAL_ID_PREFIX);

/**
 * Deterministic: a re-run of the job that starts it finds the same run. Twelve hex digits (48 bits)
 * can give two runs one id among millions, so a run whose id is taken by another run's takes the
 * next `attempt` (1, 2, ...): whoever looks for it walks the same ids in the same order
 * (findApprovalRun), and runs are never deleted, so the walk always ends where it did.
 */
export function approvalIdFor(purpose: ApprovalPurpose, userId: string, privilegeId: string, attempt = 0): string {
  const basis =
    purpose.kind === 'REAPPROVAL'
      ? `REAPPROVAL|${userId}|${privilegeId}|${purpose.dueAt}`
      : `CAMPAIGN|${purpose.runId}|${purpose.entryId}|${purpose.itemId}`;
  return `${APPROVAL_ID_PREFIX}${shortHash(attempt === 0 ? basis : `${basis}|${attempt}`, 12)}`;
}

/** Ids tried for one run before giving up: a second collision is already beyond belief. */
export const APPROVAL_ID_ATTEMPTS = 8;

/** True when `run` is the run approvalIdFor names for this purpose and assignment (not another's with the same id). */
export function isRunFor(run: Pick<ApprovalRun, 'purpose' | 'userId' | 'privilegeId'>, purpose: ApprovalPurpose, userId: string, privilegeId: string): boolean {
  if (run.userId !== userId || run.privilegeId !== privilegeId || run.purpose.kind !== purpose.kind) return false;
  if (run.purpose.kind === 'REAPPROVAL') return purpose.kind === 'REAPPROVAL' && run.purpose.dueAt === purpose.dueAt;
  return purpose.kind === 'CAMPAIGN' && run.purpose.runId === purpose.runId && run.purpose.entryId === purpose.entryId && run.purpose.itemId === purpose.itemId;
}

/** The one item of an approval task is named by its privilege (as a USER campaign entry's items). */
export const approvalItemId = (run: Pick<ApprovalRun, 'privilegeId'>) => run.privilegeId;
