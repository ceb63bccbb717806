// How an approval run (a re-approval, or a campaign item handed to its privilege's workflow) shows
// as an approver's task: one view for `idgov tasks --json` and the approver API's GET /tasks, so
// that the CLI and the API never describe a run differently (docs/reference/reapproval.md).
import { approvalItemId, type ApprovalRun } from '../domain/approvals/model.js';

/** True while the run's current step waits for a decision. */
export const isApprovalOpen = (run: ApprovalRun): boolean => run.state === 'RUNNING' && !run.decision;

/** The run's one item: the assignment under review, with what the approver needs to decide. */
export function approvalItemView(run: ApprovalRun) {
  return {
    id: approvalItemId(run),
    userId: run.userId,
    privilegeId: run.privilegeId,
    privilegeName: run.privilegeName ?? null,
    privilegeRisk: run.privilegeRisk ?? null,
    endDate: run.endDate ?? null,
    parameters: run.parameters ?? {},
    grantedAt: run.grantedAt ?? null,
    approvedAt: run.approvedAt ?? null,
    approvedBy: run.approvedBy ?? null,
    decision: run.decision ?? null,
  };
}

/**
 * A run as a task (kind REAPPROVAL, whatever its purpose): `entryId` and `taskId` are the run's id,
 * which `idgov decide` and POST /entries/{id}/decisions take; `step` counts from 1.
 */
export function approvalTaskView(run: ApprovalRun) {
  return {
    kind: 'REAPPROVAL' as const,
    entryId: run.id,
    taskId: run.id,
    purpose: run.purpose.kind,
    workflowId: run.workflow.id,
    workflowName: run.workflow.name,
    step: run.stepIndex + 1,
    steps: run.workflow.steps.length,
    escalated: run.escalated,
    state: run.state,
    dueDate: run.dueDate,
    subjectKind: 'USER' as const,
    subjectId: run.userId,
    subjectName: run.userName ?? null,
    openItemIds: isApprovalOpen(run) ? [approvalItemId(run)] : [],
    items: [approvalItemView(run)],
  };
}

export type ApprovalTaskView = ReturnType<typeof approvalTaskView>;

/** One run in full, for one of its approvers (GET /entries/{id} of a run): the task, its step, approvers, history and outcome. */
export function approvalDetailView(run: ApprovalRun) {
  const step = run.workflow.steps[run.stepIndex];
  return {
    ...approvalTaskView(run),
    stepName: step?.name ?? null,
    approverIds: run.approverIds,
    purposeDetail: run.purpose,
    history: run.history,
    outcome: run.outcome ?? null,
    applied: run.applied ?? null,
  };
}
