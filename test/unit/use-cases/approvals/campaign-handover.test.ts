// The engine's side of a campaign `WORKFLOW` revocation: a run with purpose CAMPAIGN, decided like
// any run, whose outcome lands on the assignment and on the campaign item.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalPurpose } from '../../../../lambdas/shared/domain/approvals/model.js';
import { resolveWorkflow, startApprovalRun } from '../../../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { aCampaign, anEntry, anItem } from '../../../support/fixtures.js';
import { buildWorld, dayAt, iso, manual, privilege } from './world.js';

const PURPOSE: ApprovalPurpose = { kind: 'CAMPAIGN', campaignId: 'c-1', runId: 'c-1#1', entryId: 'e-1', itemId: 'p-prod', reason: 'REJECTED' };

async function handedOver(owners = ['owen']) {
  const world = await buildWorld({
    privileges: [privilege('p-prod', { ownerIds: owners, reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })],
    assignments: [manual('alice', 'p-prod', { approvedAt: iso(-10) })],
  });
  await world.initialize(dayAt(0, 5));
  await world.campaigns.createCampaign(aCampaign({ id: 'c-1', runId: 'c-1#1', state: 'SUCCEEDED' }));
  await world.campaigns.putEntriesWithItems([{ entry: anEntry({ id: 'e-1', campaignId: 'c-1', runId: 'c-1#1', state: 'FINISHED' }), items: [anItem({ entryId: 'e-1', id: 'p-prod', userId: 'alice', privilegeId: 'p-prod' })] }]);
  const p = (await world.directory.getPrivilege('p-prod'))!;
  const assignment = (await world.assignment('alice', 'p-prod'))!;
  const workflow = await resolveWorkflow(world.directory, p, 'CAMPAIGN');
  const run = await startApprovalRun(world.deps, { purpose: PURPOSE, assignment, privilege: p, workflow }, DEFAULT_REAPPROVAL_CONFIG, dayAt(0, 8));
  const item = async () => (await world.campaigns.getEntryWithItems('e-1'))!.items[0]!;
  return { world, run, item };
}

describe('a campaign hand-over', () => {
  it('approved: the approval is recorded with the next re-approval date, and the item shows the outcome', async () => {
    const { world, run, item } = await handedOver();
    expect(run).toMatchObject({ purpose: PURPOSE, state: 'RUNNING', approverIds: ['owen'], workflow: { id: 'default' } });
    expect((await world.tasks('owen')).map((r) => r.id)).toEqual([run.id]);
    await world.decide('owen', 'APPROVE', dayAt(1, 9));
    // The decision reaches the outcome; the next StartReapproval applies it.
    expect((await item()).workflow).toBeUndefined();
    expect(await world.start(dayAt(2, 6))).toMatchObject({ approved: 1 });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedAt: iso(1, 9), approvedBy: 'owen', nextReapprovalAt: iso(31) });
    expect((await item()).workflow).toEqual({ approvalId: run.id, workflowId: 'default', startedAt: iso(0, 8), state: 'APPROVED', outcomeAt: iso(1, 9), outcomeBy: 'owen', appliedAction: 'KEPT' });
  });

  it('rejected: removed, the user told once, the item shows it', async () => {
    const { world, run, item } = await handedOver();
    await world.decide('owen', 'REJECT', dayAt(1, 9));
    expect(await world.assignment('alice', 'p-prod')).toBeDefined();
    expect(await world.start(dayAt(2, 6))).toMatchObject({ rejected: 1 });
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    expect(world.mails.filter((m) => m.to === 'alice@example.com')).toHaveLength(1);
    expect((await world.notices()).filter((n) => n.kind === 'ASSIGNMENT_REJECT').map((n) => n.key)).toEqual([`${run.id}|ASSIGNMENT_REJECT`]);
    expect((await item()).workflow).toMatchObject({ state: 'REJECTED', appliedAction: 'REMOVED' });
  });

  it('rejected after its user was made protected: kept (KEPT_BY_GUARD), nobody told, the item shows why', async () => {
    const { world, run, item } = await handedOver();
    // The break-glass mark is set while the run waits for its decision.
    await world.directory.putUsers([{ ...(await world.directory.getUser('alice'))!, protected: { reason: 'break-glass account' } }]);
    await world.decide('owen', 'REJECT', dayAt(1, 9));
    expect(await world.start(dayAt(2, 6))).toMatchObject({ rejected: 1 });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedAt: iso(-10) });
    expect(world.mails.filter((m) => m.to === 'alice@example.com')).toHaveLength(0);
    expect((await item()).workflow).toMatchObject({ state: 'REJECTED', appliedAction: 'KEPT_BY_GUARD' });
    expect((await world.deps.approvals.getApproval(run.id))!.applied).toMatchObject({ action: 'KEPT_BY_GUARD', reason: 'protected user alice: break-glass account' });
  });

  it('ended at once (nobody to approve): returned unapplied, so the caller records it first; the next StartReapproval applies it', async () => {
    const { world, run, item } = await handedOver(['ghost']);
    expect(run).toMatchObject({ state: 'REJECTED', outcome: { via: 'NO_APPROVER' } });
    expect(run.applied).toBeUndefined();
    expect(await world.assignment('alice', 'p-prod')).toBeDefined();
    await world.campaigns.saveItemWorkflow('e-1', 'p-prod', { approvalId: run.id, workflowId: 'default', startedAt: run.createdAt, state: run.state });
    const result = await world.start(dayAt(1, 6));
    expect(result).toMatchObject({ progressed: 1, rejected: 1 });
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    expect((await item()).workflow).toMatchObject({ state: 'REJECTED', appliedAction: 'REMOVED', outcomeBy: 'workflow:default' });
  });

  it('started twice (a killed finish run again) is one run', async () => {
    const { world, run } = await handedOver();
    const p = (await world.directory.getPrivilege('p-prod'))!;
    const again = await startApprovalRun(world.deps, { purpose: PURPOSE, assignment: (await world.assignment('alice', 'p-prod'))!, privilege: p, workflow: run.workflow }, DEFAULT_REAPPROVAL_CONFIG, dayAt(0, 9));
    expect(again).toEqual(run);
    expect(world.runs()).toHaveLength(1);
    expect((await world.notices()).map((n) => n.key)).toEqual([`${run.id}|APPROVAL_START|0|0|owen`]);
  });
});
