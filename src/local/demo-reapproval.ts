// The demo's re-approval story: the administrator flags two critical privileges (payments release:
// CONTINUOUS, every 90 days, the default workflow; production AWS admin: SCHEDULED on one domain
// date, a two-step workflow ending with the security officer), and the two re-approval jobs run every
// simulated day through their own handlers. Owners decide the day after a run reaches them: most
// approve, some reject, some never answer (their step escalates to their manager after its timeout,
// and a second silence rejects). The summary says what the rounds did to the access.
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalPurpose, type ApprovalRun } from '../../lambdas/shared/domain/approvals/model.js';
import { shortHash } from '../../lambdas/shared/domain/entries.js';
import type { Assignment, Notification } from '../../lambdas/shared/domain/model.js';
import { findApprovalRun } from '../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { decideApproval } from '../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { loadWorkflows, scheduleReapproval } from '../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { approverPortalUrl, type Runtime } from './runtime.js';

export const CONTINUOUS_PRIVILEGE = 'treasury-payments-release';
export const SCHEDULED_PRIVILEGE = 'aws-prod-admin';
/** Owns the campaigns and, here, signs off production access as the security officer. */
const SECURITY_OFFICER = 'u-0001';
const TWO_STEP_WORKFLOW = {
  id: 'critical-two-step',
  name: 'Privilege owner, then the security officer',
  steps: [
    { name: 'Privilege owner', approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'ESCALATE', afterEscalation: 'REJECT' },
    { name: 'Security officer', approvers: [SECURITY_OFFICER], timeoutDays: 5, onTimeout: 'REJECT' },
  ],
};
const DAY_MS = 86_400_000;
const FAR_FUTURE = '9999-12-31T00:00:00.000Z';

export interface ReapprovalTally {
  approved: number;
  rejected: number;
  ignored: number;
}

export class ReapprovalStory {
  /** Every run seen, by id: the job's answers are counts, so the story finds its runs itself. */
  private readonly runIds = new Set<string>();
  private readonly unanswered = new Set<string>();
  readonly tally: ReapprovalTally = { approved: 0, rejected: 0, ignored: 0 };
  readonly scheduledDate: string;

  constructor(
    private readonly runtime: Runtime,
    scheduledOn: Date,
  ) {
    this.scheduledDate = scheduledOn.toISOString().slice(0, 10);
  }

  /** The administrator's setup, before the first job run. */
  async setUp(now: Date): Promise<void> {
    const { directory, auditLog: audit } = this.runtime;
    await loadWorkflows({ directory, audit }, { workflows: [TWO_STEP_WORKFLOW] }, 'demo-admin', now);
    const continuous = await directory.getPrivilege(CONTINUOUS_PRIVILEGE);
    const scheduled = await directory.getPrivilege(SCHEDULED_PRIVILEGE);
    if (!continuous || !scheduled) throw new Error('the sample organisation lacks the privileges the re-approval story flags');
    await directory.putPrivileges([
      { ...continuous, reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } },
      { ...scheduled, reapproval: { mode: 'SCHEDULED', workflowId: TWO_STEP_WORKFLOW.id } },
    ]);
    await scheduleReapproval({ directory, audit }, this.scheduledDate, 'demo-admin', now);
  }

  /**
   * Before a start-reapproval run: the ids of the runs it will start (deterministic from the
   * assignment and its due date), so that a run that ends within the job is counted too.
   */
  async expectStarts(now: Date): Promise<void> {
    const iso = now.toISOString();
    const round = `${this.scheduledDate}T00:00:00.000Z`;
    for (const privilegeId of [CONTINUOUS_PRIVILEGE, SCHEDULED_PRIVILEGE]) {
      for await (const page of this.runtime.directory.listHoldersOfPrivilege(privilegeId, 'MANUAL')) {
        for (const a of page) {
          if (a.reapproval) this.runIds.add(a.reapproval.approvalId);
          else if (a.reapprovalMode === 'CONTINUOUS' && a.nextReapprovalAt && a.nextReapprovalAt <= iso) {
            this.runIds.add(await this.idOf({ kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: a.nextReapprovalAt }, a));
          } else if (a.reapprovalMode === 'SCHEDULED' && round <= iso && (a.lastReapprovalRound ?? '') < this.scheduledDate) {
            this.runIds.add(await this.idOf({ kind: 'REAPPROVAL', mode: 'SCHEDULED', dueAt: round }, a));
          }
        }
      }
    }
  }

  /** The id the run for this purpose has, or will take (past an id another run holds). */
  private async idOf(purpose: ApprovalPurpose, a: Pick<Assignment, 'userId' | 'privilegeId'>): Promise<string> {
    return (await findApprovalRun(this.runtime.approvals, purpose, a.userId, a.privilegeId)).id;
  }

  /**
   * The approvers act the day after a step reaches them. One run in six is never answered by its
   * owner (it escalates); half of those are approved by the manager it escalated to, the others
   * time out again and are rejected. One in six is rejected; the rest approved.
   */
  async decide(now: Date): Promise<void> {
    const deps = { ...this.runtime, audit: this.runtime.auditLog, portalUrl: approverPortalUrl(this.runtime), log: silentLog };
    const config = (await this.runtime.directory.getReapprovalConfig()) ?? DEFAULT_REAPPROVAL_CONFIG;
    for (const run of await this.openRuns()) {
      if (run.state !== 'RUNNING' || run.decision || Date.parse(run.stepStartedAt) > now.getTime() - DAY_MS) continue;
      const roll = parseInt(shortHash(run.id, 4), 16) % 12;
      const silent = roll % 6 === 5 && (!run.escalated || roll === 11);
      if (silent) {
        this.unanswered.add(`${run.id}|${run.escalated}`);
        this.tally.ignored = this.unanswered.size;
        continue;
      }
      const outcome = roll % 6 === 4 ? 'REJECT' : 'APPROVE';
      const comment = outcome === 'REJECT' ? 'no longer needed in this role' : run.escalated ? 'approved on escalation' : 'still needed';
      await decideApproval(deps, { approvalId: run.id, actorId: run.approverIds[0]!, itemId: run.privilegeId, outcome, comment }, config, now);
      this.tally[outcome === 'REJECT' ? 'rejected' : 'approved']++;
    }
  }

  /** Every run seen so far, as stored now. */
  async runs(): Promise<ApprovalRun[]> {
    await this.openRuns();
    const runs: ApprovalRun[] = [];
    for (const id of [...this.runIds].sort()) {
      const run = await this.runtime.approvals.getApproval(id);
      if (run) runs.push(run);
    }
    return runs;
  }

  /** The notices of every run seen (each run's outbox partition). */
  async notices(): Promise<Notification[]> {
    const notices: Notification[] = [];
    for (const id of this.runIds) notices.push(...(await collect(this.runtime.outbox.listByCampaign(id))));
    return notices;
  }

  /** Runs whose outcome is not applied yet (the sparse needing-action index), remembered. */
  private async openRuns(): Promise<ApprovalRun[]> {
    const open = await collect(this.runtime.approvals.listApprovalsNeedingAction(FAR_FUTURE));
    for (const run of open) this.runIds.add(run.id);
    return open;
  }
}

/** What the rounds did, for the summary. */
export function describeRuns(runs: ApprovalRun[]): { rows: string[][]; escalated: number; removed: number; kept: number } {
  const rows = new Map<string, number>();
  let escalated = 0;
  let removed = 0;
  let kept = 0;
  for (const run of runs) {
    const mode = run.purpose.kind === 'REAPPROVAL' ? run.purpose.mode : 'CAMPAIGN';
    const how = run.outcome ? `${run.outcome.result} (${run.outcome.via === 'DECISION' ? 'decided' : run.outcome.via === 'TIMEOUT' ? 'timeout rule' : 'no approver'})` : `${run.state}, step ${run.stepIndex + 1}`;
    const key = `${run.privilegeId}\t${mode}\t${how}`;
    rows.set(key, (rows.get(key) ?? 0) + 1);
    if (run.history.some((e) => e.type === 'ESCALATED')) escalated++;
    if (run.applied?.action === 'REMOVED') removed++;
    if (run.applied?.action === 'KEPT') kept++;
  }
  return {
    rows: [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => [...key.split('\t'), String(n)]),
    escalated,
    removed,
    kept,
  };
}
