// The one engine that runs approval workflows (docs/reference/reapproval.md), for re-approval and for
// campaign hand-overs: starts a run, moves it on (decisions, reminders, timeouts, escalation, next
// step) and applies its outcome to the assignment. Every step is idempotent: a run's id is
// deterministic, its record versioned, its notices keyed.
import type { ApprovalPurpose, ApprovalRun, ApprovalWorkflow, ReapprovalConfig } from '../../domain/approvals/model.js';
import type { Assignment, Privilege } from '../../domain/model.js';
import type { ApprovalStore, CampaignStore, DirectoryStore, Log, Outbox, ReapprovalDirectory } from '../ports.js';

export interface ApprovalDeps {
  directory: DirectoryStore & ReapprovalDirectory;
  approvals: ApprovalStore;
  /** A campaign hand-over's outcome is recorded on its campaign item. */
  campaigns: Pick<CampaignStore, 'saveItemWorkflow'>;
  outbox: Outbox;
  portalUrl: string;
  log: Log;
}

export interface StartApprovalRequest {
  purpose: ApprovalPurpose;
  assignment: Assignment;
  privilege: Privilege;
  workflow: ApprovalWorkflow;
}

/**
 * Starts (or finds, if a killed run created it) the run of `request`, opens its first step and
 * records the Approval Start notices. Returns the run as stored.
 */
export async function startApprovalRun(_deps: ApprovalDeps, _request: StartApprovalRequest, _config: ReapprovalConfig, _now: Date): Promise<ApprovalRun> {
  throw new Error('startApprovalRun: not implemented yet (issue 8, engine branch)');
}

/**
 * Moves a run as far as `now` allows: a reminder slot reached, the step's timeout (escalate once,
 * or its rule), the next step after an approval, and the outcome's application. Returns the run as stored.
 */
export async function progressApproval(_deps: ApprovalDeps, _run: ApprovalRun, _config: ReapprovalConfig, _now: Date): Promise<ApprovalRun> {
  throw new Error('progressApproval: not implemented yet (issue 8, engine branch)');
}

/**
 * The workflow a privilege's run follows: re-approval, `reapproval.workflowId`, else the privilege's
 * `approvalWorkflowId`, else DEFAULT_WORKFLOW; a campaign hand-over, `approvalWorkflowId` else the
 * default. NotFoundError (field named) when a named workflow is not loaded.
 */
export async function resolveWorkflow(_directory: ReapprovalDirectory, _privilege: Privilege, _purpose: ApprovalPurpose['kind']): Promise<ApprovalWorkflow> {
  throw new Error('resolveWorkflow: not implemented yet (issue 8, engine branch)');
}
