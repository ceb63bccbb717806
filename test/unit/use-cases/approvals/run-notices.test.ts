// The notices of approval runs against a dispatcher that runs between the engine's two writes (the
// campaign controller dispatches every run's notices): a notice is recorded before the run's save
// that announces it, and must be neither lost nor sent about a change that never landed. And what
// StartReapproval reads to send what it recorded.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalRun } from '../../../../lambdas/shared/domain/approvals/model.js';
import { progressApproval } from '../../../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { decideApproval } from '../../../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { dispatchNotifications } from '../../../../lambdas/shared/use-cases/dispatch-notifications.js';
import { ConflictError } from '../../../../lambdas/shared/domain/errors.js';
import { buildWorld, dayAt, iso, manual, privilege, type World } from './world.js';
import { CONTROLLER_ACTOR } from '../../../../lambdas/shared/domain/audit/events.js';

const flagged = (workflowId?: string) => privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90, ...(workflowId ? { workflowId } : {}) } });

/** The controller's dispatch, run inside the next saveApproval, just before the save itself. */
function dispatchBeforeNextSave(world: World): { dispatched: () => Awaited<ReturnType<typeof dispatchNotifications>> | undefined } {
  const original = world.approvals.saveApproval.bind(world.approvals);
  let result: Awaited<ReturnType<typeof dispatchNotifications>> | undefined;
  world.approvals.saveApproval = async (run: ApprovalRun) => {
    world.approvals.saveApproval = original;
    result = await dispatchNotifications({ ...world.deps, actor: CONTROLLER_ACTOR }, 'controller', dayAt(0));
    return original(run);
  };
  return { dispatched: () => result };
}

const mailsTo = (world: World, who: string) => world.mails.filter((m) => m.to === `${who}@example.com`).map((m) => m.subject);

describe('a dispatch between recording a run notice and saving the run', () => {
  it('an escalation: the new approver gets Approval Start once (held, then sent), the old one Approval Timeout once', async () => {
    const world = await buildWorld({ privileges: [flagged()], assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90) })] });
    await world.day(0);
    for (let day = 1; day < 15; day++) await world.day(day);
    const between = dispatchBeforeNextSave(world);
    expect(await world.day(15)).toMatchObject({ escalated: 1 });
    // In between, the escalation's notices announced a version not saved yet: held, not skipped.
    expect(between.dispatched()).toMatchObject({ sent: 0, skipped: 0 });
    const run = world.runs()[0]!;
    expect(run).toMatchObject({ escalated: true, approverIds: ['dan'] });
    const start = (await world.notices()).find((n) => n.key === `${run.id}|APPROVAL_START|0|1|dan`);
    expect(start).toMatchObject({ status: 'SENT', entryVersion: run.version });
    await dispatchNotifications({ ...world.deps, actor: CONTROLLER_ACTOR }, 'controller', dayAt(15, 7));
    expect(mailsTo(world, 'dan').filter((s) => s.startsWith('Action required'))).toHaveLength(1);
    expect(mailsTo(world, 'owen').filter((s) => s.includes('closed without your decision'))).toHaveLength(1);
  });

  it('a decision that opens the next step: its approver gets Approval Start once', async () => {
    const world = await buildWorld({
      privileges: [flagged('two')],
      assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90) })],
      workflows: [{ id: 'two', name: 'Two', steps: [{ approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'REJECT' }, { approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'REJECT' }] }],
    });
    await world.day(0);
    const between = dispatchBeforeNextSave(world);
    await world.decide('mary', 'APPROVE', dayAt(0, 9));
    expect(between.dispatched()).toMatchObject({ sent: 0, skipped: 0 });
    await dispatchNotifications({ ...world.deps, actor: CONTROLLER_ACTOR }, 'controller', dayAt(0, 10));
    await world.day(1);
    expect(mailsTo(world, 'owen')).toHaveLength(1);
    expect(mailsTo(world, 'owen')[0]).toMatch(/^Action required: re-approve/);
  });

  it('a decision whose save loses to another: the Approval Start it recorded is never sent', async () => {
    const world = await buildWorld({
      privileges: [flagged('two')],
      assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90) })],
      workflows: [{ id: 'two', name: 'Two', steps: [{ approvers: ['MANAGER', 'dan'], timeoutDays: 7, onTimeout: 'REJECT' }, { approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'REJECT' }] }],
    });
    await world.day(0);
    const [run] = world.runs();
    // mary rejects; dan's approval (read before mary's save) records step 2's Approval Start, then loses.
    await decideApproval(world.deps, { approvalId: run!.id, actorId: 'mary', outcome: 'REJECT' }, DEFAULT_REAPPROVAL_CONFIG, dayAt(0, 9));
    const stale = world.approvals.getApproval.bind(world.approvals);
    world.approvals.getApproval = async () => run;
    await expect(decideApproval(world.deps, { approvalId: run!.id, actorId: 'dan', outcome: 'APPROVE' }, DEFAULT_REAPPROVAL_CONFIG, dayAt(0, 9))).rejects.toBeInstanceOf(ConflictError);
    world.approvals.getApproval = stale;
    await world.day(1);
    expect((await world.notices()).find((n) => n.key === `${run!.id}|APPROVAL_START|1|0|owen`)).toMatchObject({ status: 'SKIPPED' });
    expect(mailsTo(world, 'owen')).toEqual([]);
  });

  it('a timeout that lost its race to a decision does not tell the approver who decided that the step closed without them', async () => {
    const world = await buildWorld({ privileges: [flagged()], assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90) })] });
    await world.day(0);
    const [listed] = world.runs();
    // owen approves just before the due date; the job works from the run as it listed it before that decision.
    await world.decide('owen', 'APPROVE', new Date(Date.parse(iso(15)) - 60_000));
    await expect(progressApproval(world.deps, listed!, DEFAULT_REAPPROVAL_CONFIG, dayAt(15, 6))).rejects.toBeInstanceOf(ConflictError);
    const timeout = (await world.notices()).find((n) => n.kind === 'APPROVAL_TIMEOUT');
    expect(timeout).toMatchObject({ recipientId: 'owen', status: 'PENDING', entryVersion: listed!.version + 1 });
    world.later();
    await world.day(15);
    expect((await world.notices()).find((n) => n.kind === 'APPROVAL_TIMEOUT')).toMatchObject({ status: 'SKIPPED', lastError: expect.stringMatching(/did not time out on owen/) });
    expect(mailsTo(world, 'owen').filter((s) => s.includes('closed without your decision'))).toEqual([]);
    expect(mailsTo(world, 'dan')).toEqual([]);
    expect(world.runs()[0]).toMatchObject({ state: 'APPROVED', applied: { action: 'KEPT' } });
  });
});

describe('what StartReapproval reads to start runs and send their notices', () => {
  it('reads each user once a job run, each run once (the look for its id, before it exists), sends what it recorded without reading its runs back, and leaves nothing to list', async () => {
    const holders = ['alice', 'bob', 'carol'].map((u) => manual(u, 'p-prod', { approvedAt: iso(-90) }));
    const world = await buildWorld({ privileges: [flagged()], assignments: holders });
    await world.initialize(dayAt(0, 5));
    const usersRead: string[] = [];
    const getUsers = world.directory.getUsers.bind(world.directory);
    world.directory.getUsers = async (ids: string[]) => (usersRead.push(...ids), getUsers(ids));
    const runsRead: string[] = [];
    const getApproval = world.approvals.getApproval.bind(world.approvals);
    world.approvals.getApproval = async (id: string) => (runsRead.push(id), getApproval(id));
    const listed: string[] = [];
    const listDispatchable = world.outbox.listDispatchable.bind(world.outbox);
    world.outbox.listDispatchable = async function* (now: Date) {
      for await (const page of listDispatchable(now)) {
        listed.push(...page.map((n) => n.key));
        yield page;
      }
    };

    const result = await world.start(dayAt(0, 6));
    expect(result).toMatchObject({ started: { continuous: 3 }, dispatch: { sent: 3 } });
    expect(usersRead.sort()).toEqual(['alice', 'bob', 'carol', 'owen']);
    expect(runsRead.sort()).toEqual(world.runs().map((r) => r.id).sort());
    expect(listed).toEqual([]);
    expect(mailsTo(world, 'owen')).toHaveLength(3);
  });
});
