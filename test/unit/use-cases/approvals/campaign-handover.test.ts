// The engine's side of a campaign `WORKFLOW` revocation: a run with purpose CAMPAIGN, decided like
// any run, whose outcome lands on the assignment and on the campaign item.
import { describe, expect, it } from 'vitest';
import { approvalIdFor, DEFAULT_REAPPROVAL_CONFIG, type ApprovalPurpose, type ApprovalRun } from '../../../../lambdas/shared/domain/approvals/model.js';
import { ConflictError } from '../../../../lambdas/shared/domain/errors.js';
import { findApprovalRun, resolveWorkflow, startApprovalRun, type ApprovalDeps } from '../../../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { sampleRun } from '../../../support/approval-run.js';
import { aCampaign, anEntry, anItem } from '../../../support/fixtures.js';
import { buildWorld, dayAt, iso, manual, privilege } from './world.js';

const PURPOSE: ApprovalPurpose = { kind: 'CAMPAIGN', campaignId: 'c-1', runId: 'c-1#1', entryId: 'e-1', itemId: 'p-prod', reason: 'REJECTED' };

/** The finished campaign whose item is handed over; `start` hands it over (again). */
async function handOverWorld(owners = ['owen']) {
  const world = await buildWorld({
    privileges: [privilege('p-prod', { ownerIds: owners, reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })],
    assignments: [manual('alice', 'p-prod', { approvedAt: iso(-10) })],
  });
  await world.initialize(dayAt(0, 5));
  await world.campaigns.createCampaign(aCampaign({ id: 'c-1', runId: 'c-1#1', state: 'SUCCEEDED' }));
  await world.campaigns.putEntriesWithItems([{ entry: anEntry({ id: 'e-1', campaignId: 'c-1', runId: 'c-1#1', state: 'FINISHED' }), items: [anItem({ entryId: 'e-1', id: 'p-prod', userId: 'alice', privilegeId: 'p-prod' })] }]);
  const start = async (deps: ApprovalDeps = world.deps) => {
    const p = (await world.directory.getPrivilege('p-prod'))!;
    const workflow = await resolveWorkflow(world.directory, p, 'CAMPAIGN');
    return startApprovalRun(deps, { purpose: PURPOSE, assignment: (await world.assignment('alice', 'p-prod'))!, privilege: p, workflow }, DEFAULT_REAPPROVAL_CONFIG, dayAt(0, 8));
  };
  const item = async () => (await world.campaigns.getEntryWithItems('e-1'))!.items[0]!;
  return { world, start, item };
}

async function handedOver(owners = ['owen']) {
  const { world, start, item } = await handOverWorld(owners);
  return { world, run: await start(), item };
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

describe('an approval id another run holds (twelve hex digits can name two runs alike)', () => {
  const firstId = approvalIdFor(PURPOSE, 'alice', 'p-prod');
  // Another assignment's re-approval, stored under the id this hand-over's run would take first.
  const other = sampleRun({ id: firstId });

  it('the run takes the next id, is found there when started again, and the other run is left as it was', async () => {
    const { world, start } = await handOverWorld();
    await world.approvals.createApproval(other);
    const run = await start();
    expect(run.id).toBe(approvalIdFor(PURPOSE, 'alice', 'p-prod', 1));
    expect(run).toMatchObject({ purpose: PURPOSE, userId: 'alice', privilegeId: 'p-prod', approverIds: ['owen'] });
    expect(await world.approvals.getApproval(firstId)).toEqual(other);
    expect(await start()).toEqual(run);
    expect(await findApprovalRun(world.approvals, PURPOSE, 'alice', 'p-prod')).toEqual({ id: run.id, run });
    expect(world.runs().map((r) => r.id).sort()).toEqual([firstId, run.id].sort());
    expect(await world.noticeKeys()).toEqual([`${run.id}|APPROVAL_START|0|0|owen`]);
  });

  it('taken by another run between the look and the write: refused as a conflict, and the next start takes the next id', async () => {
    const { world, start } = await handOverWorld();
    const approvals = world.approvals;
    const racing = Object.assign(Object.create(approvals) as typeof approvals, {
      createApproval: async (run: ApprovalRun) => (await approvals.createApproval({ ...other, id: run.id })) && false,
    });
    await expect(start({ ...world.deps, approvals: racing })).rejects.toThrow(ConflictError);
    expect(await approvals.getApproval(firstId)).toEqual(other);
    const run = await start();
    expect(run).toMatchObject({ id: approvalIdFor(PURPOSE, 'alice', 'p-prod', 1), userId: 'alice', privilegeId: 'p-prod' });
  });
});
