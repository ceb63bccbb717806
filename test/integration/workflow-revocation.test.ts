// A campaign whose rejected items go to approval workflows (`revocation.rejected: "WORKFLOW"`), end
// to end on a real DynamoDB engine: the real controller handler finishes the campaign and hands the
// items over, the runs' approvers decide through decideApproval (reaching the outcomes), the
// StartReapproval job applies them, and the campaign items show the outcomes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalWorkflow } from '../../lambdas/shared/domain/approvals/model.js';
import type { Item } from '../../lambdas/shared/domain/model.js';
import type { ApprovalDeps } from '../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { decideApproval } from '../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { startReapproval } from '../../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { showCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { createHarness, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();

/** FinanceAdmin's own approval workflow: the administrator, 7 days, then rejected. */
const CONTROLLER_WORKFLOW: ApprovalWorkflow = {
  id: 'wf-controller',
  name: 'Controller sign-off',
  steps: [{ name: 'Controller', approvers: ['admin'], timeoutDays: 7, onTimeout: 'REJECT' }],
};

async function setup(): Promise<{ h: Harness; approvalDeps: ApprovalDeps & { campaigns: Harness['campaigns'] } }> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  await h.load(smallOrg());
  const finance = (await h.directory.getPrivilege('p-fin'))!;
  await h.directory.putPrivileges([{ ...finance, approvalWorkflowId: CONTROLLER_WORKFLOW.id }]);
  await h.directory.putWorkflows([{ ...CONTROLLER_WORKFLOW, loadedAt: T0, loadedBy: 'admin' }]);
  const approvalDeps = {
    directory: h.directory,
    approvals: h.approvals,
    campaigns: h.campaigns,
    outbox: h.outbox,
    audit: h.audit,
    portalUrl: 'https://idgov.example.com',
    log: silentLog,
  };
  return { h, approvalDeps };
}

const itemsOf = async (h: Harness, entryId: string): Promise<Record<string, Item>> =>
  Object.fromEntries((await h.campaigns.getEntryWithItems(entryId))!.items.map((i) => [i.id, i]));
const mailsTo = (h: Harness, address: string) => h.mailer.sent.filter((m) => m.to === address);

describe('campaign revocation WORKFLOW, end to end', () => {
  it('hands rejected items to their workflows at the finish; the runs keep one and remove the other, with one Assignment Reject', async () => {
    const { h, approvalDeps } = await setup();
    const id = await h.create(highRiskUserCampaign({ revocation: { rejected: 'WORKFLOW', modified: 'KEEP', uncertified: 'KEEP' } }), T0, 'c-wf');
    const u1Entry = entryOf(id, 'u1');

    await h.run(day(0, 1));
    await h.decide(u1Entry, 'm1', [
      { itemId: 'p-fin', outcome: 'REJECT', comment: 'moved to treasury' },
      { itemId: 'p-git', outcome: 'REJECT', comment: 'left the platform team' },
      { itemId: 'p-prod', outcome: 'APPROVE' },
    ], day(2));

    // The finish: both rejected items are handed over, nothing is removed, nobody is told of a loss.
    await h.run(day(14, 1));
    const view = await showCampaign(h.campaigns, id);
    expect(view.campaign).toMatchObject({ state: 'SUCCEEDED', stats: { approved: 1, rejected: 2, revoked: 0, handedOver: 2 } });
    expect((await h.campaigns.getEntry(u1Entry))!).toMatchObject({ state: 'FINISHED', stats: { rejected: 2, approved: 1, revoked: 0, handedOver: 2 } });
    let items = await itemsOf(h, u1Entry);
    expect(items['p-fin']).toMatchObject({ applied: { action: 'HANDED_OVER', at: day(14, 1) }, workflow: { workflowId: 'wf-controller', state: 'RUNNING', startedAt: day(14, 1) } });
    expect(items['p-git']).toMatchObject({ applied: { action: 'HANDED_OVER' }, workflow: { workflowId: 'default', state: 'RUNNING' } });
    expect(items['p-prod']!.workflow).toBeUndefined();
    const finRunId = items['p-fin']!.workflow!.approvalId;
    const gitRunId = items['p-git']!.workflow!.approvalId;
    expect(finRunId).not.toBe(gitRunId);
    expect((await h.directory.listAssignmentsOfUser('u1')).map((a) => a.privilegeId).sort()).toEqual(['p-fin', 'p-git', 'p-mail', 'p-prod']);
    expect(await collect(h.campaigns.listRevocations(`${id}#1`))).toEqual([]);
    expect((await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'ASSIGNMENT_REJECT')).toEqual([]);

    // Each run is a task of its workflow's approvers, who were asked to act (the controller's dispatch sent it).
    const finRun = (await h.approvals.getApproval(finRunId))!;
    const gitRun = (await h.approvals.getApproval(gitRunId))!;
    expect(finRun).toMatchObject({
      state: 'RUNNING',
      approverIds: ['admin'],
      userId: 'u1',
      privilegeId: 'p-fin',
      purpose: { kind: 'CAMPAIGN', campaignId: id, runId: `${id}#1`, entryId: u1Entry, itemId: 'p-fin', reason: 'REJECTED' },
    });
    expect(gitRun).toMatchObject({ state: 'RUNNING', approverIds: ['m2'], privilegeId: 'p-git' });
    for (const [runId, approver] of [[finRunId, 'admin'], [gitRunId, 'm2']] as const) {
      const notices = await collect(h.outbox.listByCampaign(runId));
      expect(notices.map((n) => [n.kind, n.recipientId, n.status, n.approvalId])).toEqual([['APPROVAL_START', approver, 'SENT', runId]]);
    }

    // A second controller run hands nothing over again.
    await h.run(day(15, 1));
    expect((await h.approvals.getApproval(finRunId))!.version).toBe(finRun.version);

    // The runs' approvers decide: the runs reach their outcomes, which only the job applies.
    await decideApproval(approvalDeps, { approvalId: finRunId, actorId: 'admin', itemId: 'p-fin', outcome: 'APPROVE', comment: 'still at month-end' }, DEFAULT_REAPPROVAL_CONFIG, new Date(day(16)));
    await decideApproval(approvalDeps, { approvalId: gitRunId, actorId: 'm2', itemId: 'p-git', outcome: 'REJECT', comment: 'confirmed' }, DEFAULT_REAPPROVAL_CONFIG, new Date(day(16, 2)));
    expect((await h.approvals.getApproval(gitRunId))!).toMatchObject({ state: 'REJECTED', nextActionAt: day(16, 2) });
    expect((await h.approvals.getApproval(gitRunId))!.applied).toBeUndefined();
    expect((await h.directory.listAssignmentsOfUser('u1')).map((a) => a.privilegeId)).toContain('p-git');
    expect((await itemsOf(h, u1Entry))['p-git']!.workflow).toMatchObject({ state: 'RUNNING' });
    await startReapproval({ ...approvalDeps, mailer: h.mailer, wallClock: h.wall }, new Date(day(17, 6)));

    items = await itemsOf(h, u1Entry);
    expect(items['p-fin']!.workflow).toMatchObject({ approvalId: finRunId, state: 'APPROVED', outcomeAt: day(16), outcomeBy: 'admin', appliedAction: 'KEPT' });
    expect(items['p-git']!.workflow).toMatchObject({ approvalId: gitRunId, state: 'REJECTED', outcomeAt: day(16, 2), outcomeBy: 'm2', appliedAction: 'REMOVED' });
    expect((await h.approvals.getApproval(finRunId))!).toMatchObject({ state: 'APPROVED', applied: { action: 'KEPT' } });
    expect((await h.approvals.getApproval(gitRunId))!).toMatchObject({ state: 'REJECTED', applied: { action: 'REMOVED' } });

    // Approved: kept, with who approved it and when. Rejected: removed.
    const u1 = await h.directory.listAssignmentsOfUser('u1');
    expect(u1.map((a) => a.privilegeId).sort()).toEqual(['p-fin', 'p-mail', 'p-prod']);
    expect(u1.find((a) => a.privilegeId === 'p-fin')).toMatchObject({ origin: 'MANUAL', approvedAt: day(16), approvedBy: 'admin' });

    // One Assignment Reject, from the run that removed the access, sent once.
    const rejects = (await collect(h.outbox.listByCampaign(gitRunId))).filter((n) => n.kind === 'ASSIGNMENT_REJECT');
    expect(rejects.map((n) => [n.recipientId, n.status])).toEqual([['u1', 'SENT']]);
    expect((await collect(h.outbox.listByCampaign(finRunId))).filter((n) => n.kind === 'ASSIGNMENT_REJECT')).toEqual([]);
    expect(mailsTo(h, 'u1@example.com')).toHaveLength(1);

    // Nothing happens twice: the job and the controller again change nothing.
    await startReapproval({ ...approvalDeps, mailer: h.mailer, wallClock: h.wall }, new Date(day(18, 6)));
    await h.run(day(18, 7));
    expect(mailsTo(h, 'u1@example.com')).toHaveLength(1);
    expect((await itemsOf(h, u1Entry))['p-git']!.workflow).toEqual(items['p-git']!.workflow);
    expect((await showCampaign(h.campaigns, id)).campaign.stats).toMatchObject({ handedOver: 2, revoked: 0 });
  });
});
