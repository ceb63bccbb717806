// An approver's tasks across campaigns and approval runs, and the decisions on a run: who may
// decide, when, and what; every refusal changes nothing.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REAPPROVAL_CONFIG, DEFAULT_WORKFLOW } from '../../../../lambdas/shared/domain/approvals/model.js';
import { startApprovalRun } from '../../../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { collect } from '../../../../lambdas/shared/use-cases/concurrency.js';
import { ClosedError, ForbiddenError, NotFoundError, ValidationError } from '../../../../lambdas/shared/domain/errors.js';
import { decideApproval, listAllTasks, readApprovalAs, type DecideApprovalRequest } from '../../../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { aCampaign, anEntry, anItem } from '../../../support/fixtures.js';
import { buildWorld, dayAt, iso, manual, privilege, type World } from './world.js';

async function running() {
  const world = await buildWorld({
    privileges: [privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } })],
    assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90), approvedBy: 'mary' })],
  });
  await world.day(0);
  const run = world.runs()[0]!;
  expect(run).toMatchObject({ state: 'RUNNING', approverIds: ['owen'], dueDate: iso(15) });
  return { world, run };
}

const decide = (world: World, request: Partial<DecideApprovalRequest> & { approvalId: string }, at = dayAt(1, 9)) =>
  decideApproval(world.deps, { actorId: 'owen', outcome: 'APPROVE', ...request }, DEFAULT_REAPPROVAL_CONFIG, at);

async function refused(world: World, attempt: () => Promise<unknown>): Promise<unknown> {
  const before = { runs: world.runs(), notices: await world.noticeKeys(), assignments: await world.allAssignments() };
  const error = await attempt().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the decision should have been refused').toBeDefined();
  expect({ runs: world.runs(), notices: await world.noticeKeys(), assignments: await world.allAssignments() }).toEqual(before);
  return error;
}

describe('decideApproval refusals', () => {
  it('an unknown approval: NotFoundError', async () => {
    const { world } = await running();
    expect(await refused(world, () => decide(world, { approvalId: 'a-000000000000' }))).toBeInstanceOf(NotFoundError);
  });

  it.each([
    ['someone who is not an approver', 'mary'],
    ['the user under review', 'alice'],
  ])('%s: ForbiddenError', async (_who, actorId) => {
    const { world, run } = await running();
    expect(await refused(world, () => decide(world, { approvalId: run.id, actorId }))).toBeInstanceOf(ForbiddenError);
  });

  it('a run that ended: ClosedError', async () => {
    const { world, run } = await running();
    await decide(world, { approvalId: run.id, outcome: 'APPROVE' });
    const error = await refused(world, () => decide(world, { approvalId: run.id, outcome: 'REJECT' }, dayAt(2)));
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as Error).message).toMatch(/APPROVED; decisions are closed/);
  });

  it('a step past its due date (the job has not timed it out yet): ClosedError', async () => {
    const { world, run } = await running();
    // Open until the end of its last day (opened 06:00 on day 0, 14 days: until 00:00 UTC on day 15).
    expect(await decide(world, { approvalId: run.id }, new Date(Date.parse(iso(15)) - 1))).toMatchObject({ finished: true });
    const other = await running();
    expect(await refused(other.world, () => decide(other.world, { approvalId: other.run.id }, dayAt(15)))).toBeInstanceOf(ClosedError);
  });

  it.each([
    ['MODIFY', { outcome: 'MODIFY' }, 'outcome', /MODIFY is not available/],
    ['an unknown outcome', { outcome: 'MAYBE' }, 'outcome', /must be APPROVE or REJECT/],
    ['another item', { itemId: 'p-other' }, 'itemId', /has no item p-other/],
    ['a comment too long', { comment: 'x'.repeat(2001) }, 'comment', /at most 2000/],
    ['a comment that is not text', { comment: 42 }, 'comment', /string/],
  ])('%s: ValidationError naming the field', async (_what, change, field, message) => {
    const { world, run } = await running();
    const error = await refused(world, () => decide(world, { approvalId: run.id, ...change }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual([field]);
    expect((error as Error).message).toMatch(message);
  });
});

describe('decideApproval', () => {
  it('records the decision and reaches the outcome, which the next StartReapproval applies (kept, next date set)', async () => {
    const { world, run } = await running();
    const before = await world.allAssignments();
    const result = await decide(world, { approvalId: run.id, itemId: 'p-prod', comment: 'needed for on-call' });
    expect(result).toMatchObject({ decided: ['p-prod'], finished: true, run: { state: 'APPROVED', version: run.version + 1, nextActionAt: iso(1, 9) } });
    expect(result.run.applied).toBeUndefined();
    expect(result.run.decision).toMatchObject({ outcome: 'APPROVE', decidedBy: 'owen', comment: 'needed for on-call', decidedAt: iso(1, 9) });
    // The decision writes no directory record: the assignment is as it was until the job applies the outcome.
    expect(await world.allAssignments()).toEqual(before);
    expect((await collect(world.approvals.listApprovalsNeedingAction(iso(1, 9)))).map((r) => r.id)).toEqual([run.id]);

    expect(await world.start(dayAt(2, 6))).toMatchObject({ approved: 1 });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedAt: iso(1, 9), approvedBy: 'owen', nextReapprovalAt: iso(91) });
    expect(world.runs()[0]).toMatchObject({ state: 'APPROVED', applied: { action: 'KEPT' }, version: run.version + 2 });
  });

  it('without an item id (bulk), the run is decided as well; a rejection removes the access at the next StartReapproval', async () => {
    const { world, run } = await running();
    expect(await decide(world, { approvalId: run.id, outcome: 'REJECT' })).toMatchObject({ finished: true, run: { state: 'REJECTED' } });
    expect(await world.assignment('alice', 'p-prod')).toBeDefined();
    expect(await world.noticeKeys()).not.toContain(`${run.id}|ASSIGNMENT_REJECT`);
    expect(await world.start(dayAt(2, 6))).toMatchObject({ rejected: 1 });
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    expect(world.mails.filter((m) => m.to === 'alice@example.com').map((m) => m.subject)).toEqual(['Your access Privilege p-prod has been removed']);
  });

  it('an approval of a step that is not the last opens the next one at once, with its Approval Start announced by the saved version', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90, workflowId: 'two' } })],
      assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90) })],
      workflows: [{ id: 'two', name: 'Two', steps: [{ approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'REJECT' }, { approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'REJECT' }] }],
    });
    await world.day(0);
    const run = world.runs()[0]!;
    const result = await decide(world, { approvalId: run.id, actorId: 'mary' });
    expect(result).toMatchObject({ finished: false, run: { state: 'RUNNING', stepIndex: 1, approverIds: ['owen'], dueDate: iso(9) } });
    expect((await world.notices()).find((n) => n.key === `${run.id}|APPROVAL_START|1|0|owen`)).toMatchObject({ status: 'PENDING', entryVersion: result.run.version });
  });
});

describe('readApprovalAs', () => {
  it('serves a current approver, refuses anyone else, and names an unknown id', async () => {
    const { world, run } = await running();
    expect((await readApprovalAs(world.approvals, run.id, 'owen')).id).toBe(run.id);
    await expect(readApprovalAs(world.approvals, run.id, 'mary')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(readApprovalAs(world.approvals, run.id, 'mary', world.campaigns)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(readApprovalAs(world.approvals, 'a-unknown', 'owen')).rejects.toBeInstanceOf(NotFoundError);
  });

  it("serves a campaign hand-over to the owner of its campaign (reading only: deciding stays with the approvers); nobody else's campaign", async () => {
    const world = await buildWorld({ privileges: [privilege('p-prod')], assignments: [manual('alice', 'p-prod')] });
    await world.campaigns.createCampaign(aCampaign({ id: 'c-1', runId: 'c-1#1', ownerId: 'dan', state: 'RUNNING', phase: { name: 'DONE' } }));
    await world.campaigns.createCampaign(aCampaign({ id: 'c-2', runId: 'c-2#1', ownerId: 'carol', state: 'RUNNING', phase: { name: 'DONE' } }));
    const run = await startApprovalRun(
      world.deps,
      { purpose: { kind: 'CAMPAIGN', campaignId: 'c-1', runId: 'c-1#1', entryId: 'e-1', itemId: 'p-prod', reason: 'REJECTED' }, assignment: manual('alice', 'p-prod'), privilege: privilege('p-prod'), workflow: DEFAULT_WORKFLOW },
      DEFAULT_REAPPROVAL_CONFIG,
      dayAt(1),
    );
    expect(run.approverIds).toEqual(['owen']);
    expect((await readApprovalAs(world.approvals, run.id, 'dan', world.campaigns)).id).toBe(run.id);
    expect((await readApprovalAs(world.approvals, run.id, 'owen', world.campaigns)).id).toBe(run.id);
    // Without the campaign store (or as anyone else), only approvers read it.
    await expect(readApprovalAs(world.approvals, run.id, 'dan')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(readApprovalAs(world.approvals, run.id, 'carol', world.campaigns)).rejects.toThrow(/neither a current approver .* nor the owner of campaign c-1/);
    // A re-approval has no campaign owner.
    const { world: other, run: reapproval } = await running();
    await other.campaigns.createCampaign(aCampaign({ id: 'c-1', runId: 'c-1#1', ownerId: 'dan', state: 'RUNNING', phase: { name: 'DONE' } }));
    await expect(readApprovalAs(other.approvals, reapproval.id, 'dan', other.campaigns)).rejects.toBeInstanceOf(ForbiddenError);
    // The owner reads, but does not decide.
    expect(await refused(world, () => decideApproval(world.deps, { approvalId: run.id, actorId: 'dan', outcome: 'APPROVE' }, DEFAULT_REAPPROVAL_CONFIG, dayAt(2)))).toBeInstanceOf(ForbiddenError);
  });
});

describe('listAllTasks', () => {
  it("lists an approver's campaign entries (CAMPAIGN) and approval runs (REAPPROVAL) together, by due date", async () => {
    const { world, run } = await running();
    const campaign = aCampaign({ id: 'c-1', runId: 'c-1#1', state: 'RUNNING', phase: { name: 'DONE' } });
    await world.campaigns.createCampaign(campaign);
    const early = anEntry({ id: 'e-early', campaignId: 'c-1', runId: 'c-1#1', approverIds: ['owen'], dueDate: iso(7), itemCount: 1 });
    const late = anEntry({ id: 'e-late', campaignId: 'c-1', runId: 'c-1#1', approverIds: ['owen'], dueDate: iso(30), itemCount: 1 });
    await world.campaigns.putEntriesWithItems([
      { entry: early, items: [anItem({ entryId: 'e-early' })] },
      { entry: late, items: [anItem({ entryId: 'e-late' })] },
    ]);
    const tasks = await listAllTasks(world.campaigns, world.approvals, 'owen');
    expect(tasks.map((t) => (t.kind === 'CAMPAIGN' ? `CAMPAIGN ${t.task.entry.id}` : `REAPPROVAL ${t.approval.id}`))).toEqual([
      'CAMPAIGN e-early',
      `REAPPROVAL ${run.id}`,
      'CAMPAIGN e-late',
    ]);
    expect(tasks.map((t) => t.dueDate)).toEqual([iso(7), iso(15), iso(30)]);
    expect(await listAllTasks(world.campaigns, world.approvals, 'mary')).toEqual([]);
  });
});
