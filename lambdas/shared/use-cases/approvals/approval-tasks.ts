// An approver's work across campaigns and approval runs: one task list, one decide.
import type { ApprovalRun, ReapprovalConfig } from '../../domain/approvals/model.js';
import type { Task } from '../decisions.js';
import type { ApprovalStore, CampaignStore } from '../ports.js';
import type { ApprovalDeps } from './approval-engine.js';

export type AnyTask = { kind: 'CAMPAIGN'; dueDate: string; task: Task } | { kind: 'REAPPROVAL'; dueDate: string; approval: ApprovalRun };

/** Campaign entries and approval runs where the user is a current approver, by due date. */
export async function listAllTasks(_campaigns: CampaignStore, _approvals: ApprovalStore, _approverId: string): Promise<AnyTask[]> {
  throw new Error('listAllTasks: not implemented yet (issue 8, engine branch)');
}

export interface DecideApprovalRequest {
  approvalId: string;
  actorId: string;
  /** The task's one item (approvalItemId); optional for a bulk decision. */
  itemId?: string;
  outcome: unknown;
  comment?: unknown;
}

/**
 * The current step's decision by one of its approvers (APPROVE or REJECT; MODIFY is refused naming
 * `outcome`), then the run moves on at once. Refused (changing nothing) like a campaign decision:
 * ForbiddenError for anyone else, ClosedError once the run or the step is over.
 */
export async function decideApproval(
  _deps: ApprovalDeps,
  _request: DecideApprovalRequest,
  _config: ReapprovalConfig,
  _now: Date,
): Promise<{ run: ApprovalRun; decided: string[]; finished: boolean }> {
  throw new Error('decideApproval: not implemented yet (issue 8, engine branch)');
}

/** The run, for one of its current approvers (ForbiddenError otherwise; NotFoundError if unknown). */
export async function readApprovalAs(_approvals: ApprovalStore, _approvalId: string, _userId: string): Promise<ApprovalRun> {
  throw new Error('readApprovalAs: not implemented yet (issue 8, engine branch)');
}
