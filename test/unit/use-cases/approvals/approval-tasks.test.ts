// An approver's tasks across campaigns and approval runs, and the decisions on a run: who may
// decide, when, and what; every refusal changes nothing.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REAPPROVAL_CONFIG } from '../../../../lambdas/shared/domain/approvals/model.js';
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
  expect(run).toMatchObject({ state: 'RUNNING', approverIds: ['owen'], dueDate: iso(14, 6) });
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
    expect(await refused(world, () => decide(world, { approvalId: run.id }, dayAt(14, 6)))).toBeInstanceOf(ClosedError);
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
  it('records the decision and moves the run on at once (APPROVE on the last step: kept, next date set)', async () => {
    const { world, run } = await running();
    const result = await decide(world, { approvalId: run.id, itemId: 'p-prod', comment: 'needed for on-call' });
    expect(result).toMatchObject({ decided: ['p-prod'], finished: true, run: { state: 'APPROVED', version: run.version + 2 } });
    expect(result.run.decision).toMatchObject({ outcome: 'APPROVE', decidedBy: 'owen', comment: 'needed for on-call', decidedAt: iso(1, 9) });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedAt: iso(1, 9), approvedBy: 'owen', nextReapprovalAt: iso(91) });
  });

  it('without an item id (bulk), the run is decided as well', async () => {
    const { world, run } = await running();
    expect(await decide(world, { approvalId: run.id, outcome: 'REJECT' })).toMatchObject({ finished: true, run: { state: 'REJECTED' } });
  });
});

describe('readApprovalAs', () => {
  it('serves a current approver, refuses anyone else, and names an unknown id', async () => {
    const { world, run } = await running();
    expect((await readApprovalAs(world.approvals, run.id, 'owen')).id).toBe(run.id);
    await expect(readApprovalAs(world.approvals, run.id, 'mary')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(readApprovalAs(world.approvals, 'a-unknown', 'owen')).rejects.toBeInstanceOf(NotFoundError);
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
    expect(tasks.map((t) => t.dueDate)).toEqual([iso(7), iso(14, 6), iso(30)]);
    expect(await listAllTasks(world.campaigns, world.approvals, 'mary')).toEqual([]);
  });
});
