// Approval runs through their workflows, driven by StartReapproval on an injected clock: timeouts
// (escalation once, then the rule; APPROVE and REJECT rules), several steps, self-review,
// rejection, and the access the engine must never touch.
import { describe, expect, it } from 'vitest';
import type { ApprovalWorkflow, WorkflowStep } from '../../../../lambdas/shared/domain/approvals/model.js';
import { approvalItemId } from '../../../../lambdas/shared/domain/approvals/model.js';
import { dispatchNotifications } from '../../../../lambdas/shared/use-cases/dispatch-notifications.js';
import { InjectedKill } from '../../../support/fault-injection.js';
import { killAtWrite } from '../../../support/write-kill.js';
import { buildWorld, dayAt, describeNotices, iso, manual, person, PEOPLE, privilege } from './world.js';
import { CONTROLLER_ACTOR } from '../../../../lambdas/shared/domain/audit/events.js';

const wf = (id: string, ...steps: WorkflowStep[]): ApprovalWorkflow => ({ id, name: `Workflow ${id}`, steps });
const flagged = (workflowId?: string) => privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90, ...(workflowId ? { workflowId } : {}) } });
/** Due on day 0: approved 90 days before. */
const dueHolder = (userId = 'alice') => manual(userId, 'p-prod', { approvedAt: iso(-90) });

async function started(options: Parameters<typeof buildWorld>[0]) {
  const world = await buildWorld(options);
  const result = await world.day(0);
  expect(result.started.continuous).toBe(1);
  return { world, run: () => world.runs()[0]! };
}

describe('timeouts', () => {
  it('the default workflow escalates once: Approval Timeout to the owner, Approval Start to his manager; then rejects after another 14 days', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    // Opened at 06:00 on day 0: due 14 days later, at the end of that day (00:00 UTC on day 15).
    expect(run()).toMatchObject({ workflow: { id: 'default' }, approverIds: ['owen'], dueDate: iso(15), escalated: false });

    for (let day = 1; day < 15; day++) await world.day(day);
    expect(run().approverIds).toEqual(['owen']);
    const escalation = await world.day(15);
    expect(escalation.escalated).toBe(1);
    expect(run()).toMatchObject({ state: 'RUNNING', escalated: true, approverIds: ['dan'], dueDate: iso(30) });
    const notRemind = (notices: string[]) => notices.filter((n) => !n.startsWith('APPROVAL_REMIND'));
    expect(notRemind(describeNotices(await world.notices(), run()))).toEqual(['APPROVAL_START owen', 'APPROVAL_START dan', 'APPROVAL_TIMEOUT owen']);
    expect(await world.noticeKeys()).toContain(`${run().id}|APPROVAL_START|0|1|dan`);
    expect(await world.tasks('owen')).toEqual([]);
    expect((await world.tasks('dan')).map((r) => r.id)).toEqual([run().id]);

    for (let day = 16; day < 30; day++) await world.day(day);
    expect(run().state).toBe('RUNNING');
    const end = await world.day(30);
    expect(end.rejected).toBe(1);
    expect(run()).toMatchObject({ state: 'REJECTED', outcome: { via: 'TIMEOUT', by: 'workflow:default' }, applied: { action: 'REMOVED' } });
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    const kinds = describeNotices(await world.notices(), run());
    expect(kinds.filter((k) => k === 'ASSIGNMENT_REJECT alice')).toHaveLength(1);
    // Reminders reached the escalated approver in the last three days of each period.
    expect(kinds.filter((k) => k === 'APPROVAL_REMIND owen')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'APPROVAL_REMIND dan')).toHaveLength(3);
  });

  it('an escalated step that times out follows afterEscalation APPROVE: kept, approved by the workflow', async () => {
    const { world, run } = await started({
      privileges: [flagged('wf-lenient')],
      assignments: [dueHolder()],
      workflows: [wf('wf-lenient', { approvers: ['PRIVILEGE_OWNER'], timeoutDays: 5, onTimeout: 'ESCALATE', afterEscalation: 'APPROVE' })],
    });
    await world.day(5);
    expect(run()).toMatchObject({ escalated: false, approverIds: ['owen'], dueDate: iso(6) });
    await world.day(6);
    expect(run()).toMatchObject({ escalated: true, approverIds: ['dan'], dueDate: iso(12) });
    const end = await world.day(12);
    expect(end.approved).toBe(1);
    expect(run()).toMatchObject({ state: 'APPROVED', outcome: { via: 'TIMEOUT' }, applied: { action: 'KEPT', nextReapprovalAt: iso(102) } });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedAt: iso(12, 6), approvedBy: 'workflow:wf-lenient', nextReapprovalAt: iso(102) });
  });

  it('nobody to escalate to: the afterEscalation rule applies at the timeout', async () => {
    const users = PEOPLE.map((u) => (u.id === 'owen' ? person('owen') : u));
    const { world, run } = await started({ users, privileges: [flagged()], assignments: [dueHolder()] });
    await world.day(15);
    expect(run()).toMatchObject({ state: 'REJECTED', escalated: false, outcome: { via: 'TIMEOUT' } });
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
  });

  it.each([
    ['APPROVE', 'APPROVED', 'KEPT'],
    ['REJECT', 'REJECTED', 'REMOVED'],
  ] as const)('onTimeout %s decides the step at its due date (%s, %s)', async (rule, state, action) => {
    const { world, run } = await started({
      privileges: [flagged('wf-rule')],
      assignments: [dueHolder()],
      workflows: [wf('wf-rule', { approvers: ['MANAGER'], timeoutDays: 7, onTimeout: rule })],
    });
    expect(run().approverIds).toEqual(['mary']);
    await world.day(7);
    expect(run().state).toBe('RUNNING');
    await world.day(8);
    expect(run()).toMatchObject({ state, outcome: { via: 'TIMEOUT', by: 'workflow:wf-rule' }, applied: { action } });
    const notices = describeNotices(await world.notices(), run());
    // The run ended: no Approval Timeout (the dispatcher sends work notices only while a run runs).
    expect(notices.filter((n) => n.startsWith('APPROVAL_TIMEOUT'))).toEqual([]);
    expect(notices.filter((n) => n.startsWith('ASSIGNMENT_REJECT'))).toEqual(rule === 'REJECT' ? ['ASSIGNMENT_REJECT alice'] : []);
  });
});

describe('several steps', () => {
  const twoSteps = wf(
    'wf-two',
    { name: 'Manager', approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'APPROVE' },
    { name: 'Owner', approvers: ['PRIVILEGE_OWNER', 'dan'], timeoutDays: 7, onTimeout: 'REJECT' },
  );

  it('the manager approves, the owner step opens (Approval Start to both of its approvers), one of them approves', async () => {
    const { world, run } = await started({ privileges: [flagged('wf-two')], assignments: [dueHolder()], workflows: [twoSteps] });
    const [first] = await world.decide('mary', 'APPROVE', dayAt(1, 9), 'still needed');
    expect(first).toMatchObject({ finished: false, decided: ['p-prod'] });
    expect(run()).toMatchObject({ state: 'RUNNING', stepIndex: 1, approverIds: ['owen', 'dan'], dueDate: iso(9) });
    expect(run().decision).toBeUndefined();
    expect(await world.noticeKeys()).toEqual(
      expect.arrayContaining([`${run().id}|APPROVAL_START|0|0|mary`, `${run().id}|APPROVAL_START|1|0|owen`, `${run().id}|APPROVAL_START|1|0|dan`]),
    );
    const [second] = await world.decide('dan', 'APPROVE', dayAt(2, 9));
    expect(second).toMatchObject({ finished: true });
    expect(run()).toMatchObject({ state: 'APPROVED', outcome: { via: 'DECISION', by: 'dan' }, decision: { outcome: 'APPROVE', decidedBy: 'dan' } });
    expect(run().history.filter((e) => e.type === 'DECIDED').map((e) => `${e.step} ${e.by} ${e.outcome}`)).toEqual(['0 mary APPROVE', '1 dan APPROVE']);
    // The next StartReapproval applies the outcome.
    expect(run().applied).toBeUndefined();
    expect((await world.day(3)).approved).toBe(1);
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedBy: 'dan', approvedAt: iso(2, 9), nextReapprovalAt: iso(92) });
    // owen can no longer see or decide it.
    expect(await world.tasks('owen')).toEqual([]);
  });

  it('a rejection at the first step ends the run: the second step never opens', async () => {
    const { world, run } = await started({ privileges: [flagged('wf-two')], assignments: [dueHolder()], workflows: [twoSteps] });
    await world.decide('mary', 'REJECT', dayAt(1, 9));
    expect(run()).toMatchObject({ state: 'REJECTED', stepIndex: 0 });
    expect(describeNotices(await world.notices(), run())).toEqual(['APPROVAL_START mary']);
    await world.day(2);
    expect(run()).toMatchObject({ state: 'REJECTED', stepIndex: 0, applied: { action: 'REMOVED' } });
    expect(describeNotices(await world.notices(), run())).toEqual(['APPROVAL_START mary', 'ASSIGNMENT_REJECT alice']);
  });

  it('an APPROVE rule passes the step on at its timeout: Approval Timeout to its approver, the next step opens', async () => {
    const { world, run } = await started({ privileges: [flagged('wf-two')], assignments: [dueHolder()], workflows: [twoSteps] });
    await world.day(8);
    expect(run()).toMatchObject({ state: 'RUNNING', stepIndex: 1, approverIds: ['owen', 'dan'], dueDate: iso(16) });
    expect(describeNotices(await world.notices(), run())).toEqual(
      expect.arrayContaining(['APPROVAL_TIMEOUT mary', 'APPROVAL_START owen', 'APPROVAL_START dan']),
    );
    expect(world.mails.map((m) => m.to)).toEqual(expect.arrayContaining(['mary@example.com', 'owen@example.com', 'dan@example.com']));
    await world.day(16);
    expect(run()).toMatchObject({ state: 'REJECTED', applied: { action: 'REMOVED' } });
  });
});

describe('self-review', () => {
  it("the user under review never approves their own access: their manager takes a step that named only them", async () => {
    const { world, run } = await started({ privileges: [flagged()].map((p) => ({ ...p, ownerIds: ['alice'] })), assignments: [dueHolder()] });
    expect(run().approverIds).toEqual(['mary']);
    expect(run().history.map((e) => e.type)).toEqual(['STEP_STARTED', 'SUBSTITUTED']);
    expect(describeNotices(await world.notices(), run())).toEqual(['APPROVAL_START mary']);
  });

  it('with another owner, the user is dropped and nobody substitutes', async () => {
    const { run } = await started({ privileges: [flagged()].map((p) => ({ ...p, ownerIds: ['alice', 'owen'] })), assignments: [dueHolder()] });
    expect(run().approverIds).toEqual(['owen']);
    expect(run().history.map((e) => e.type)).toEqual(['STEP_STARTED']);
  });

  it('nobody at all (no owner): NO_APPROVER, and the step escalates at once to whom it can, else its rule decides', async () => {
    const { world, run } = await started({ privileges: [flagged()].map((p) => ({ ...p, ownerIds: ['ghost'] })), assignments: [dueHolder()] });
    expect(run()).toMatchObject({ state: 'REJECTED', outcome: { via: 'NO_APPROVER' }, applied: { action: 'REMOVED' } });
    expect(run().history.map((e) => e.type)).toEqual(['STEP_STARTED', 'NO_APPROVER', 'DECIDED', 'APPLIED']);
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    expect(describeNotices(await world.notices(), run())).toEqual(['ASSIGNMENT_REJECT alice']);
  });

  it("a disabled owner's manager takes the escalation at once", async () => {
    const users = PEOPLE.map((u) => (u.id === 'owen' ? { ...u, status: 'DISABLED' as const } : u));
    const { run } = await started({ users, privileges: [flagged()], assignments: [dueHolder()] });
    expect(run()).toMatchObject({ state: 'RUNNING', escalated: true, approverIds: ['dan'] });
    expect(run().history.map((e) => e.type)).toEqual(['STEP_STARTED', 'NO_APPROVER', 'ESCALATED']);
  });
});

describe('rejection', () => {
  it('removes the assignment and records one Assignment Reject to its user, however often the job runs after', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    await world.decide('owen', 'REJECT', dayAt(1, 9), 'no longer in the team');
    // Reached by the decision, applied by the next StartReapproval (day 2).
    expect(run()).toMatchObject({ state: 'REJECTED', outcome: { via: 'DECISION', by: 'owen', comment: 'no longer in the team' }, nextActionAt: iso(1, 9) });
    expect(run().applied).toBeUndefined();
    expect(await world.assignment('alice', 'p-prod')).toBeDefined();
    await world.day(2);
    expect(run()).toMatchObject({ applied: { action: 'REMOVED' } });
    expect(run().nextActionAt).toBeUndefined();
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    for (let day = 3; day < 6; day++) await world.day(day);
    const rejects = (await world.notices()).filter((n) => n.kind === 'ASSIGNMENT_REJECT');
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ key: `${run().id}|ASSIGNMENT_REJECT`, recipientId: 'alice', to: 'alice@example.com', approvalId: run().id, campaignId: run().id, runId: run().id });
    expect(rejects[0]!.subject).toContain('Privilege p-prod');
    // Assignment Reject is no work notice: the dispatcher sent it.
    expect(world.mails.filter((m) => m.to === 'alice@example.com')).toHaveLength(1);
  });
});

describe('access granted again after a rejection', () => {
  it('a file loaded again brings the access back with its old dates: it is re-approved again, due that day, under a run of its own', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    const first = run().id;
    await world.decide('owen', 'REJECT', dayAt(0, 9));
    await world.day(1);
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
    // The HR file still lists it: the reload grants it again, approved 90 days before day 0 as before.
    await world.directory.putAssignments([dueHolder()]);
    const result = await world.day(3);
    expect(result).toMatchObject({ started: { continuous: 1 }, failed: 0 });
    const runs = world.runs();
    expect(runs).toHaveLength(2);
    const second = runs.find((r) => r.id !== first)!;
    expect(second).toMatchObject({ state: 'RUNNING', purpose: { dueAt: iso(3) }, approverIds: ['owen'] });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ nextReapprovalAt: iso(3), reapproval: { approvalId: second.id } });
    expect((await world.day(4)).started.continuous).toBe(0);
  });

  it('in a scheduled round it waits for the next round, and does not hold this one open', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } }), privilege('p-vault', { reapproval: { mode: 'SCHEDULED', workflowId: 'wf-vault' } })],
      assignments: [manual('alice', 'p-sched'), manual('bob', 'p-vault')],
    });
    const date = iso(1).slice(0, 10);
    await world.directory.putReapprovalConfig({ reminders: { daysBeforeDue: 3, intervalHours: 24 }, scheduledDate: date });
    // bob's workflow is not loaded yet: the round stays open.
    expect(await world.day(1)).toMatchObject({ started: { scheduled: 1 }, failed: 1, round: { date, completed: false } });
    await world.decide('owen', 'REJECT', dayAt(1, 8));
    // The job applies the rejection (removed); then a reload grants the access again.
    expect(await world.start(dayAt(1, 9))).toMatchObject({ rejected: 1 });
    expect(await world.assignment('alice', 'p-sched')).toBeUndefined();
    await world.directory.putAssignments([manual('alice', 'p-sched')]);
    expect(await world.day(2)).toMatchObject({ started: { scheduled: 0 }, failed: 1, round: { completed: false } });
    await world.directory.putWorkflows([{ id: 'wf-vault', name: 'Vault', steps: [{ approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'REJECT' }] }]);
    expect(await world.day(3)).toMatchObject({ started: { scheduled: 1 }, failed: 0, round: { completed: true } });
    expect(world.runs().map((r) => r.userId).sort()).toEqual(['alice', 'bob']);
  });
});

describe('access the engine never touches', () => {
  it('RULE and INHERITED assignments of a flagged privilege are never initialized nor started', async () => {
    const world = await buildWorld({
      privileges: [flagged()],
      assignments: [
        manual('alice', 'p-prod', { origin: 'RULE', approvedAt: iso(-200) }),
        manual('bob', 'p-prod', { origin: 'INHERITED', approvedAt: iso(-200) }),
        manual('carol', 'p-prod', { approvedAt: iso(-200) }),
      ],
    });
    for (let day = 0; day < 200; day++) {
      await world.day(day);
      await world.decide('owen', 'APPROVE', dayAt(day, 9));
    }
    for (const userId of ['alice', 'bob']) {
      const a = await world.assignment(userId, 'p-prod');
      expect(a).toEqual(manual(userId, 'p-prod', { origin: userId === 'alice' ? 'RULE' : 'INHERITED', approvedAt: iso(-200) }));
    }
    // carol, due at once (approved 200 days ago), then on days 90 and 180.
    expect(world.runs().map((r) => `${r.userId} ${r.createdAt}`).sort()).toEqual([`carol ${iso(0, 6)}`, `carol ${iso(90, 6)}`, `carol ${iso(180, 6)}`]);
  });

  it('a running re-approval whose assignment became RULE is not removed when rejected, and its user is not told', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    // A directory load now says the access comes from a rule.
    await world.directory.putAssignments([manual('alice', 'p-prod', { origin: 'RULE', approvedAt: iso(-90) })]);
    await world.decide('owen', 'REJECT', dayAt(1, 9));
    await world.day(2);
    expect(run()).toMatchObject({ state: 'REJECTED', applied: { action: 'NOT_MANUAL' } });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ origin: 'RULE' });
    expect((await world.notices()).filter((n) => n.kind === 'ASSIGNMENT_REJECT')).toEqual([]);
  });

  it('a rejected re-approval never removes a grant made after the one it reviewed (RULE, then MANUAL again)', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    await world.decide('owen', 'REJECT', dayAt(1, 9));
    // Before the job applies the rejection, two loads: the access comes from a rule, then is granted by hand anew.
    await world.directory.putAssignments([manual('alice', 'p-prod', { origin: 'RULE', approvedAt: iso(-90) })]);
    await world.directory.putAssignments([manual('alice', 'p-prod', { approvedAt: iso(1, 12), approvedBy: 'owen' })]);
    await world.day(2);
    expect(run()).toMatchObject({ state: 'REJECTED', applied: { action: 'GONE' } });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ origin: 'MANUAL', approvedAt: iso(1, 12) });
    expect((await world.notices()).filter((n) => n.kind === 'ASSIGNMENT_REJECT')).toEqual([]);
    expect(world.mails.filter((m) => m.to === 'alice@example.com')).toEqual([]);
  });

  it('killed between its Assignment Reject and the removal, then the access became RULE: kept, and the user is not told', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    await world.decide('owen', 'REJECT', dayAt(1, 9));
    const kill = killAtWrite(1, [[world.directory, ['removeAssignment']]]);
    await expect(world.day(2)).rejects.toBeInstanceOf(InjectedKill);
    kill.restore();
    const recorded = (await world.notices()).find((n) => n.kind === 'ASSIGNMENT_REJECT');
    expect(recorded).toMatchObject({ status: 'PENDING', recipientId: 'alice' });
    // Held until the run records its outcome applied: a dispatch now (the controller's) does not send it.
    expect(await dispatchNotifications({ ...world.deps, actor: CONTROLLER_ACTOR }, 'controller', dayAt(2, 7))).toMatchObject({ sent: 0, skipped: 0 });
    await world.directory.putAssignments([manual('alice', 'p-prod', { origin: 'RULE', approvedAt: iso(-90) })]);
    world.later();
    await world.day(3);
    expect(run()).toMatchObject({ state: 'REJECTED', applied: { action: 'NOT_MANUAL' } });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ origin: 'RULE' });
    expect((await world.notices()).find((n) => n.kind === 'ASSIGNMENT_REJECT')).toMatchObject({ status: 'SKIPPED', lastError: expect.stringMatching(/applied its outcome as NOT_MANUAL: the access was not removed/) });
    expect(world.mails.filter((m) => m.to === 'alice@example.com')).toEqual([]);
  });
});

describe('same-day re-runs', () => {
  it('a re-run on the same day starts nothing new and records nothing new', async () => {
    const world = await buildWorld({
      privileges: [flagged(), privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } })],
      assignments: [dueHolder(), dueHolder('bob'), manual('carol', 'p-sched')],
    });
    await world.directory.putReapprovalConfig({ reminders: { daysBeforeDue: 3, intervalHours: 24 }, scheduledDate: iso(0).slice(0, 10) });
    const first = await world.day(0);
    expect(first.started).toEqual({ continuous: 2, scheduled: 1 });
    const runs = world.runs();
    const notices = await world.notices();
    const assignments = await world.allAssignments();
    for (const hour of [6, 12, 23]) {
      const again = await world.start(dayAt(0, hour));
      expect(again).toMatchObject({ started: { continuous: 0, scheduled: 0 }, progressed: 0, reset: 0, failed: 0 });
    }
    expect(world.runs()).toEqual(runs);
    expect((await world.notices()).map((n) => n.key)).toEqual(notices.map((n) => n.key));
    expect(await world.allAssignments()).toEqual(assignments);
  });

  it('a decision made by a current approver goes through the same run the tasks list shows', async () => {
    const { world, run } = await started({ privileges: [flagged()], assignments: [dueHolder()] });
    const [task] = await world.tasks('owen');
    expect(task?.id).toBe(run().id);
    expect(approvalItemId(task!)).toBe('p-prod');
  });
});
