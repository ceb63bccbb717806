// An approver's work across campaigns and approval runs: one task list, one decide.
import { approvalDecisionSchema } from '../../domain/approvals/workflow-schemas.js';
import { approvalItemId, type ApprovalRun, type ReapprovalConfig } from '../../domain/approvals/model.js';
import { ClosedError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { parseInput } from '../../domain/schemas.js';
import { userActor } from '../../domain/audit/model.js';
import { listTasks, type Task } from '../decisions.js';
import type { ApprovalStore, CampaignStore } from '../ports.js';
import { RunContext, decideAndOpen, persist, type StepDeps } from './approval-engine.js';

export type AnyTask = { kind: 'CAMPAIGN'; dueDate: string; task: Task } | { kind: 'REAPPROVAL'; dueDate: string; approval: ApprovalRun };

/** Campaign entries and approval runs where the user is a current approver, by due date. */
export async function listAllTasks(campaigns: CampaignStore, approvals: ApprovalStore, approverId: string): Promise<AnyTask[]> {
  const [entries, runs] = await Promise.all([listTasks(campaigns, approverId), approvals.listApprovalTasks(approverId)]);
  const tasks: AnyTask[] = [
    ...entries.map((task): AnyTask => ({ kind: 'CAMPAIGN', dueDate: task.entry.dueDate, task })),
    ...runs
      .filter((run) => run.state === 'RUNNING' && run.approverIds.includes(approverId))
      .map((approval): AnyTask => ({ kind: 'REAPPROVAL', dueDate: approval.dueDate, approval })),
  ];
  const idOf = (t: AnyTask) => (t.kind === 'CAMPAIGN' ? t.task.entry.id : t.approval.id);
  return tasks.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || idOf(a).localeCompare(idOf(b)));
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
 * `outcome`), then the run moves on at once: the next step opens (its Approval Start notices
 * recorded), or the run reaches its outcome. An outcome is not applied here: the run is saved with
 * `nextActionAt` = now and the next start-reapproval run keeps or removes the assignment (so that
 * whoever decides, the approver API included, needs no write on the directory). Refused (changing
 * nothing) like a campaign decision: ForbiddenError for anyone else, ClosedError once the run or the
 * step is over. `finished`: the run reached its outcome (otherwise its next step is open).
 */
export async function decideApproval(
  deps: StepDeps,
  request: DecideApprovalRequest,
  config: ReapprovalConfig,
  now: Date,
): Promise<{ run: ApprovalRun; decided: string[]; finished: boolean }> {
  const run = await deps.approvals.getApproval(request.approvalId);
  if (!run) throw new NotFoundError('approval', request.approvalId);
  // Who may decide comes first: nobody else learns anything about the run.
  if (!run.approverIds.includes(request.actorId) || request.actorId === run.userId) {
    throw new ForbiddenError(`${request.actorId} is not an approver of approval ${run.id}`);
  }
  if (run.state !== 'RUNNING') throw new ClosedError(`approval ${run.id} is ${run.state}; decisions are closed`);
  if (now.getTime() >= Date.parse(run.dueDate)) throw new ClosedError(`step ${run.stepIndex + 1} of approval ${run.id} was due ${run.dueDate}; decisions are closed`);
  const input = parseInput(approvalDecisionSchema, {
    ...(request.itemId !== undefined ? { itemId: request.itemId } : {}),
    outcome: request.outcome,
    ...(request.comment !== undefined ? { comment: request.comment } : {}),
  });
  const itemId = approvalItemId(run);
  if (input.itemId !== undefined && input.itemId !== itemId) throw new ValidationError(`approval ${run.id} has no item ${input.itemId} (its item is ${itemId})`, 'itemId');

  const ctx = new RunContext(deps.directory, run.userId, run.privilegeId, undefined, deps.users);
  const decision = { outcome: input.outcome, via: 'DECISION' as const, by: request.actorId, ...(input.comment ? { comment: input.comment } : {}) };
  const transition = await decideAndOpen(ctx, run, decision, now);
  const saved = await persist(deps, ctx, transition, config, now, run, { actor: userActor(request.actorId), job: false });
  return { run: saved, decided: [itemId], finished: saved.state !== 'RUNNING' };
}

/**
 * The run, for one of its current approvers or, for a campaign hand-over (purpose CAMPAIGN), the
 * owner of the campaign that handed it over, as campaign entries are shown to their campaign's
 * owner (reading only: deciding stays with the approvers). ForbiddenError for anyone else (without
 * `campaigns`, for anyone but an approver); NotFoundError if unknown.
 */
export async function readApprovalAs(
  approvals: ApprovalStore,
  approvalId: string,
  userId: string,
  campaigns?: Pick<CampaignStore, 'getCampaign'>,
): Promise<ApprovalRun> {
  const run = await approvals.getApproval(approvalId);
  if (!run) throw new NotFoundError('approval', approvalId);
  if (run.approverIds.includes(userId)) return run;
  if (run.purpose.kind === 'CAMPAIGN' && campaigns) {
    const campaign = await campaigns.getCampaign(run.purpose.campaignId);
    if (campaign?.ownerId === userId) return run;
    throw new ForbiddenError(`${userId} is neither a current approver of approval ${run.id} nor the owner of campaign ${run.purpose.campaignId}`);
  }
  throw new ForbiddenError(`${userId} is not an approver of approval ${run.id}`);
}
