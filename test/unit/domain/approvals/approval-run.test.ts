// The approval run's pure state machine: approvers, steps, timeouts, decisions, reminders.
import { describe, expect, it } from 'vitest';
import {
  chooseApprovers,
  decideStep,
  escalate,
  escalationBase,
  escalationTargets,
  newRun,
  nextActionAt,
  nextReminderAt,
  openStep,
  peopleForStep,
  recordTimeout,
  reminderSlot,
  remind,
  stampRun,
  startNotices,
  stepCandidates,
  timeoutMove,
  withApplied,
} from '../../../../lambdas/shared/domain/approvals/approval-run.js';
import { approvalIdFor, type ApprovalPurpose, type ApprovalRun, type ApprovalWorkflow, type WorkflowStep } from '../../../../lambdas/shared/domain/approvals/model.js';
import type { User } from '../../../../lambdas/shared/domain/model.js';

const user = (id: string, managerId?: string, status: User['status'] = 'ACTIVE'): User => ({ id, displayName: id, email: `${id}@x.test`, status, ...(managerId ? { managerId } : {}) });
const people = (...users: User[]) => new Map(users.map((u) => [u.id, u]));

const T0 = new Date('2027-01-04T06:00:00.000Z');
const at = (days: number, hours = 0) => new Date(T0.getTime() + days * 86_400_000 + hours * 3_600_000);
const REMINDERS = { daysBeforeDue: 3, intervalHours: 24 };
const PURPOSE: ApprovalPurpose = { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: '2027-01-04T00:00:00.000Z', intervalDays: 90 };

const step = (overrides: Partial<WorkflowStep> = {}): WorkflowStep => ({ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 14, onTimeout: 'ESCALATE', ...overrides });
const workflow = (...steps: WorkflowStep[]): ApprovalWorkflow => ({ id: 'wf', name: 'WF', steps: steps.length ? steps : [step()] });

function draft(wf = workflow()): ApprovalRun {
  return newRun({
    purpose: PURPOSE,
    assignment: { userId: 'alice', privilegeId: 'p-1', origin: 'MANUAL', approvedAt: '2026-10-01T00:00:00.000Z', endDate: '2028-01-01T00:00:00.000Z' },
    privilege: { id: 'p-1', name: 'Prod admin', riskLevel: 'CRITICAL' },
    subject: { displayName: 'Alice A.' },
    workflow: wf,
    now: T0,
  });
}

const opened = (approverIds: string[], wf?: ApprovalWorkflow) => openStep(draft(wf), 0, { approverIds }, T0).run;

describe('approvers', () => {
  const alice = user('alice', 'mary');
  it('a step names the manager, the owners and named users, once each, in order', () => {
    expect(stepCandidates(step({ approvers: ['MANAGER', 'PRIVILEGE_OWNER', 'dan', 'owen'] }), alice, { ownerIds: ['owen', 'olga'] })).toEqual(['mary', 'owen', 'olga', 'dan']);
    expect(stepCandidates(step({ approvers: ['MANAGER'] }), user('alice'), { ownerIds: [] })).toEqual([]);
  });

  it('unknown and disabled users are dropped; the subject never approves', () => {
    const known = people(user('owen'), user('olga', undefined, 'DISABLED'), alice);
    expect(chooseApprovers(['owen', 'olga', 'ghost', 'alice'], 'alice', alice, known)).toEqual({ approverIds: ['owen'] });
  });

  it("the subject alone: their manager substitutes; no active manager: nobody (NO_APPROVER)", () => {
    expect(peopleForStep(['alice'], 'alice', alice)).toEqual(['alice', 'mary']);
    expect(chooseApprovers(['alice'], 'alice', alice, people(alice, user('mary')))).toEqual({ approverIds: ['mary'], substitution: { from: 'alice', to: 'mary' } });
    expect(chooseApprovers(['alice'], 'alice', alice, people(alice, user('mary', undefined, 'DISABLED')))).toEqual({ approverIds: [] });
    expect(chooseApprovers(['alice'], 'alice', user('alice', 'alice'), people(user('alice', 'alice')))).toEqual({ approverIds: [] });
    expect(chooseApprovers([], 'alice', alice, people(alice, user('mary')))).toEqual({ approverIds: [] });
  });

  it('escalation turns to the managers of the approvers (or of the named people when nobody was found), never the subject', () => {
    const known = people(user('owen', 'dan'), user('olga', 'alice'), user('dan'), alice, user('zed', 'gone'));
    expect(escalationTargets(['owen', 'olga', 'zed'], 'alice', known)).toEqual(['dan']);
    expect(escalationBase({ approverIds: ['owen'], userId: 'alice' }, ['x'], known)).toEqual(['owen']);
    expect(escalationBase({ approverIds: [], userId: 'alice' }, ['olga', 'ghost', 'alice'], known)).toEqual(['olga']);
  });
});

describe('opening a step', () => {
  it('a new run copies the context, and its id is deterministic', () => {
    const run = draft();
    expect(run).toMatchObject({ id: approvalIdFor(PURPOSE, 'alice', 'p-1'), userName: 'Alice A.', privilegeName: 'Prod admin', privilegeRisk: 'CRITICAL', state: 'RUNNING', version: 1 });
    expect(run.id).toMatch(/^a-[0-9a-f]{12}$/);
  });

  it('sets approvers and the due date, and owes an Approval Start to each', () => {
    const { run, notices } = openStep(draft(), 0, { approverIds: ['owen', 'olga'] }, T0);
    // 14 days after 06:00, rounded up to 00:00 UTC: decisions stay open until the day ends.
    expect(run).toMatchObject({ stepIndex: 0, escalated: false, approverIds: ['owen', 'olga'], stepStartedAt: T0.toISOString(), dueDate: '2027-01-19T00:00:00.000Z' });
    expect(notices).toEqual([
      { kind: 'APPROVAL_START', key: `${run.id}|APPROVAL_START|0|0|owen`, recipientId: 'owen' },
      { kind: 'APPROVAL_START', key: `${run.id}|APPROVAL_START|0|0|olga`, recipientId: 'olga' },
    ]);
    expect(startNotices(run)).toEqual(notices);
  });

  it('a step is due in whole UTC days: timeoutDays after it opened, rounded up to the next 00:00 UTC', () => {
    const dueOf = (openedAt: string, timeoutDays: number) => openStep(draft(workflow(step({ timeoutDays }))), 0, { approverIds: ['owen'] }, new Date(openedAt)).run.dueDate;
    expect(dueOf('2027-01-04T14:37:00.000Z', 7)).toBe('2027-01-12T00:00:00.000Z');
    expect(dueOf('2027-01-04T23:59:59.999Z', 1)).toBe('2027-01-06T00:00:00.000Z');
    expect(dueOf('2027-01-04T00:00:00.000Z', 7)).toBe('2027-01-11T00:00:00.000Z');
    expect(dueOf('2027-01-04T00:00:00.001Z', 7)).toBe('2027-01-12T00:00:00.000Z');
  });

  it('records a substitution, and NO_APPROVER when nobody decides', () => {
    expect(openStep(draft(), 0, { approverIds: ['mary'], substitution: { from: 'alice', to: 'mary' } }, T0).run.history.map((e) => e.type)).toEqual(['STEP_STARTED', 'SUBSTITUTED']);
    const nobody = openStep(draft(), 0, { approverIds: [] }, T0);
    expect(nobody.run.history.map((e) => e.type)).toEqual(['STEP_STARTED', 'NO_APPROVER']);
    expect(nobody.notices).toEqual([]);
  });
});

describe('timeouts', () => {
  it.each([
    [step({ onTimeout: 'ESCALATE' }), false, { action: 'ESCALATE' }],
    [step({ onTimeout: 'ESCALATE' }), true, { action: 'DECIDE', outcome: 'REJECT' }],
    [step({ onTimeout: 'ESCALATE', afterEscalation: 'APPROVE' }), true, { action: 'DECIDE', outcome: 'APPROVE' }],
    [step({ onTimeout: 'APPROVE' }), false, { action: 'DECIDE', outcome: 'APPROVE' }],
    [step({ onTimeout: 'REJECT' }), false, { action: 'DECIDE', outcome: 'REJECT' }],
  ] as const)('step %j, escalated %s: %j', (s, escalated, move) => {
    expect(timeoutMove({ ...opened(['owen'], workflow(s)), escalated })).toEqual(move);
  });

  it('escalation: new approvers and due date, Approval Timeout to the old ones, escalated Approval Start to the new, reminders afresh', () => {
    const run = { ...opened(['owen']), lastReminderSlot: 13 };
    const timedOut = recordTimeout(run, 'TIMEOUT', at(14));
    const { run: next, notices } = escalate(timedOut, ['dan'], at(14));
    expect(next).toMatchObject({ escalated: true, approverIds: ['dan'], stepStartedAt: at(14).toISOString(), dueDate: '2027-02-02T00:00:00.000Z' });
    expect(next.lastReminderSlot).toBeUndefined();
    expect(next.history.map((e) => e.type)).toEqual(['STEP_STARTED', 'TIMED_OUT', 'ESCALATED']);
    expect(notices.map((n) => n.key)).toEqual([`${run.id}|APPROVAL_TIMEOUT|0|owen`, `${run.id}|APPROVAL_START|0|1|dan`]);
  });
});

describe('decisions', () => {
  const two = workflow(step({ approvers: ['MANAGER'] }), step());

  it('APPROVE on a step that is not the last: the next step is to open, the decision stays in the history', () => {
    const decided = decideStep(opened(['mary'], two), { outcome: 'APPROVE', via: 'DECISION', by: 'mary', comment: 'ok' }, at(1));
    expect(decided.openNext).toBe(1);
    expect(decided.run.state).toBe('RUNNING');
    expect(decided.run.history.at(-1)).toMatchObject({ type: 'DECIDED', step: 0, by: 'mary', outcome: 'APPROVE', comment: 'ok' });
    expect(openStep(decided.run, 1, { approverIds: ['owen'] }, at(1)).run.decision).toBeUndefined();
  });

  it('APPROVE on the last step: APPROVED; REJECT anywhere: REJECTED', () => {
    const approved = decideStep(opened(['owen']), { outcome: 'APPROVE', via: 'DECISION', by: 'owen' }, at(1));
    expect(approved.openNext).toBeUndefined();
    expect(approved.run).toMatchObject({ state: 'APPROVED', outcome: { result: 'APPROVED', via: 'DECISION', by: 'owen', at: at(1).toISOString() }, decision: { outcome: 'APPROVE', decidedBy: 'owen' } });
    const rejected = decideStep(opened(['mary'], two), { outcome: 'REJECT', via: 'DECISION', by: 'mary' }, at(1));
    expect(rejected.run).toMatchObject({ state: 'REJECTED', stepIndex: 0, outcome: { result: 'REJECTED' } });
  });

  it('a timeout rule decides in the name of the workflow, and tells the approvers only if the run goes on', () => {
    const passedOn = decideStep(opened(['mary'], two), { outcome: 'APPROVE', via: 'TIMEOUT', by: 'workflow:wf' }, at(14));
    expect(passedOn.notices.map((n) => n.kind)).toEqual(['APPROVAL_TIMEOUT']);
    expect(passedOn.run.decision).toBeUndefined();
    const ended = decideStep(opened(['owen']), { outcome: 'REJECT', via: 'TIMEOUT', by: 'workflow:wf' }, at(14));
    expect(ended.notices).toEqual([]);
    expect(ended.run.outcome).toMatchObject({ via: 'TIMEOUT', by: 'workflow:wf' });
  });
});

describe('reminders and the next action', () => {
  it('from daysBeforeDue before the due date, every intervalHours, one slot at a time, never after the due date', () => {
    // Due 2027-01-19T00:00 (at(14, 18)): reminders from three days before, in slots counted from the start.
    let run = stampRun(opened(['owen']), REMINDERS, T0);
    expect(run.nextActionAt).toBe(at(11, 18).toISOString());
    expect(reminderSlot(run, REMINDERS, at(11, 17))).toBeUndefined();
    const slots: number[] = [];
    for (const t of [at(11, 18), at(11, 23), at(12), at(12, 18), at(13, 19), at(14, 17)]) {
      const slot = reminderSlot(run, REMINDERS, t);
      if (slot === undefined) continue;
      slots.push(slot);
      const reminded = remind(run, slot);
      expect(reminded.notices.map((n) => n.key)).toEqual([`${run.id}|APPROVAL_REMIND|0|0|${slot}|owen`]);
      run = stampRun(reminded.run, REMINDERS, t, run);
    }
    expect(slots).toEqual([11, 12, 13, 14]);
    // Nothing left before the due date: the next action is the timeout.
    expect(nextReminderAt(run, REMINDERS)).toBeUndefined();
    expect(run.nextActionAt).toBe(run.dueDate);
    expect(reminderSlot(run, REMINDERS, at(14, 18))).toBeUndefined();
  });

  it('never on the heels of the step start, and none when the window is empty', () => {
    const short = opened(['owen'], workflow(step({ timeoutDays: 2 })));
    expect(nextReminderAt(short, REMINDERS)).toBe(at(1).toISOString());
    expect(nextReminderAt(short, { daysBeforeDue: 0, intervalHours: 24 })).toBeUndefined();
    expect(nextReminderAt(short, { daysBeforeDue: 3, intervalHours: 72 })).toBeUndefined();
  });

  it('an ended run waits for its outcome to be applied; an applied one is out of the index', () => {
    const ended = stampRun(decideStep(opened(['owen']), { outcome: 'APPROVE', via: 'DECISION', by: 'owen' }, at(2)).run, REMINDERS, at(2), { version: 1 });
    expect(ended).toMatchObject({ nextActionAt: at(2).toISOString(), version: 2 });
    const applied = stampRun(withApplied(ended, { action: 'KEPT', at: at(2).toISOString() }), REMINDERS, at(2), ended);
    expect(applied.nextActionAt).toBeUndefined();
    expect(nextActionAt(applied, REMINDERS)).toBeUndefined();
    expect(applied).toMatchObject({ version: 3, applied: { action: 'KEPT' } });
    expect(applied.history.at(-1)).toMatchObject({ type: 'APPLIED', reason: 'KEPT' });
  });
});
