// The approval run's state machine (docs/reference/reapproval.md): pure transitions of one run over
// its workflow snapshot. Each returns the next run and the notices it owes (NoticeIntent, keyed);
// the use case looks people up, composes the notices, records them, then saves the run
// (version + 1) with `stampRun`. Nothing here reads a clock or a store.
import { DAY_MS, HOUR_MS } from '../campaign-schedule.js';
import type { Assignment, Decision, Privilege, User } from '../model.js';
import { approvalNoticeKey, type NoticeIntent } from './approval-notices.js';
import { stepDueDate } from './reapproval-dates.js';
import {
  approvalIdFor,
  type ApprovalApplied,
  type ApprovalEvent,
  type ApprovalOutcome,
  type ApprovalPurpose,
  type ApprovalRun,
  type ApprovalWorkflow,
  type ReapprovalConfig,
  type TimeoutRule,
  type WorkflowStep,
} from './model.js';

export type People = ReadonlyMap<string, User>;

const isActive = (people: People, id: string) => people.get(id)?.status === 'ACTIVE';
const unique = (ids: readonly string[]) => [...new Set(ids)];

export const currentStep = (run: Pick<ApprovalRun, 'workflow' | 'stepIndex'>): WorkflowStep => {
  const step = run.workflow.steps[run.stepIndex];
  if (!step) throw new Error(`approval run has no step ${run.stepIndex + 1} in workflow ${run.workflow.id}`);
  return step;
};

/** `approvedBy` and the deciding party of a timeout or no-approver rule. */
export const workflowActor = (workflow: Pick<ApprovalWorkflow, 'id'>) => `workflow:${workflow.id}`;

// ---------------------------------------------------------------------------------------------
// Approvers

/**
 * The ids a step names, before anyone is checked: MANAGER → the subject's manager, PRIVILEGE_OWNER →
 * the privilege's owners, anything else as given; in order, without repeats.
 */
export function stepCandidates(step: WorkflowStep, subject: Pick<User, 'managerId'> | undefined, privilege: Pick<Privilege, 'ownerIds'>): string[] {
  return unique(
    step.approvers.flatMap((approver) => {
      if (approver === 'MANAGER') return subject?.managerId ? [subject.managerId] : [];
      if (approver === 'PRIVILEGE_OWNER') return privilege.ownerIds;
      return [approver];
    }),
  );
}

/** Who must be looked up to choose a step's approvers: its candidates, and the subject's manager if the subject is one of them. */
export function peopleForStep(candidates: readonly string[], subjectId: string, subject: Pick<User, 'managerId'> | undefined): string[] {
  return unique([...candidates, ...(candidates.includes(subjectId) && subject?.managerId ? [subject.managerId] : [])]);
}

export interface ApproverChoice {
  approverIds: string[];
  /** Nobody but the subject was named: their manager takes it (self-review). */
  substitution?: { from: string; to: string };
}

/**
 * The active candidates, never the subject. If the subject was the only one named, their manager
 * takes it (when active and not the subject); an empty list is NO_APPROVER. `people` holds the
 * candidates and, when the subject is one, the subject's manager (peopleForStep).
 */
export function chooseApprovers(candidates: readonly string[], subjectId: string, subject: Pick<User, 'managerId'> | undefined, people: People): ApproverChoice {
  const approverIds = candidates.filter((id) => id !== subjectId && isActive(people, id));
  if (approverIds.length > 0 || !candidates.includes(subjectId)) return { approverIds };
  const managerId = subject?.managerId;
  if (managerId && managerId !== subjectId && isActive(people, managerId)) return { approverIds: [managerId], substitution: { from: subjectId, to: managerId } };
  return { approverIds: [] };
}

/**
 * Whose managers an escalation turns to: the current approvers, or, when the step found nobody
 * (NO_APPROVER), the people it named that the directory knows (a disabled owner's manager can decide).
 */
export function escalationBase(run: Pick<ApprovalRun, 'approverIds' | 'userId'>, candidates: readonly string[], people: People): string[] {
  if (run.approverIds.length > 0) return run.approverIds;
  return candidates.filter((id) => id !== run.userId && people.has(id));
}

/** The managers of `from`: active, never the subject, in order. `people` holds `from` and their managers. */
export function escalationTargets(from: readonly string[], subjectId: string, people: People): string[] {
  const managers = from.map((id) => people.get(id)?.managerId).filter((id): id is string => id !== undefined);
  return unique(managers).filter((id) => id !== subjectId && isActive(people, id));
}

// ---------------------------------------------------------------------------------------------
// Transitions

export interface Transition {
  run: ApprovalRun;
  notices: NoticeIntent[];
}

export interface NewRunInput {
  purpose: ApprovalPurpose;
  assignment: Assignment;
  privilege: Pick<Privilege, 'id' | 'name' | 'riskLevel'>;
  subject: Pick<User, 'displayName'> | undefined;
  workflow: ApprovalWorkflow;
  now: Date;
  /** The id found free for it (findApprovalRun); approvalIdFor's first when absent. */
  id?: string;
}

/** A run before its first step opens (version 1 once stored). The id is deterministic: a re-run finds the same run. */
export function newRun(input: NewRunInput): ApprovalRun {
  const { purpose, assignment: a, privilege, now } = input;
  const at = now.toISOString();
  return {
    id: input.id ?? approvalIdFor(purpose, a.userId, a.privilegeId),
    purpose,
    userId: a.userId,
    privilegeId: a.privilegeId,
    ...(input.subject ? { userName: input.subject.displayName } : {}),
    privilegeName: privilege.name,
    ...(privilege.riskLevel ? { privilegeRisk: privilege.riskLevel } : {}),
    ...(a.endDate ? { endDate: a.endDate } : {}),
    ...(a.parameters ? { parameters: a.parameters } : {}),
    ...(a.grantedAt ? { grantedAt: a.grantedAt } : {}),
    ...(a.approvedAt ? { approvedAt: a.approvedAt } : {}),
    ...(a.approvedBy ? { approvedBy: a.approvedBy } : {}),
    workflow: input.workflow,
    stepIndex: 0,
    escalated: false,
    approverIds: [],
    stepStartedAt: at,
    dueDate: at,
    state: 'RUNNING',
    history: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** A copy without the fields of the step that was (decision, reminders). */
function withoutStepState(run: ApprovalRun): ApprovalRun {
  const { decision: _decision, lastReminderSlot: _slot, ...rest } = run;
  return rest;
}

/**
 * Opens step `index` with the chosen approvers: Approval Start to each. With nobody (NO_APPROVER),
 * the step is open with no approver and the caller applies its timeout rule at once (`timeoutMove`).
 */
export function openStep(run: ApprovalRun, index: number, choice: ApproverChoice, now: Date): Transition {
  const step = run.workflow.steps[index];
  if (!step) throw new Error(`workflow ${run.workflow.id} has no step ${index + 1}`);
  const at = now.toISOString();
  const events: ApprovalEvent[] = [{ at, type: 'STEP_STARTED', step: index, approverIds: choice.approverIds }];
  if (choice.substitution) {
    const { from, to } = choice.substitution;
    events.push({ at, type: 'SUBSTITUTED', step: index, approverIds: [to], reason: `${from} may not review their own access; their manager ${to} decides instead` });
  }
  if (choice.approverIds.length === 0) {
    events.push({ at, type: 'NO_APPROVER', step: index, reason: 'no active approver other than the user under review' });
  }
  const next: ApprovalRun = {
    ...withoutStepState(run),
    stepIndex: index,
    escalated: false,
    approverIds: choice.approverIds,
    stepStartedAt: at,
    dueDate: stepDueDate(at, step.timeoutDays),
    history: [...run.history, ...events],
  };
  return { run: next, notices: choice.approverIds.map((id) => startNotice(next, id)) };
}

const startNotice = (run: ApprovalRun, approverId: string): NoticeIntent => ({
  kind: 'APPROVAL_START',
  key: approvalNoticeKey.start(run.id, run.stepIndex, run.escalated, approverId),
  recipientId: approverId,
});

/** The Approval Start notices of the current step's approvers (a re-run re-records them: same keys). */
export const startNotices = (run: ApprovalRun): NoticeIntent[] => (run.state === 'RUNNING' ? run.approverIds.map((id) => startNotice(run, id)) : []);

/** No approver to decide, or the due date has come: what the step's rule says. */
export type TimeoutMove = { action: 'ESCALATE' } | { action: 'DECIDE'; outcome: TimeoutRule };

/** ESCALATE once per step; an escalated step (or one with nobody to escalate to) follows afterEscalation (default REJECT). */
export function timeoutMove(run: ApprovalRun): TimeoutMove {
  const step = currentStep(run);
  if (step.onTimeout !== 'ESCALATE') return { action: 'DECIDE', outcome: step.onTimeout };
  return run.escalated ? afterEscalation(step) : { action: 'ESCALATE' };
}

export const afterEscalation = (step: WorkflowStep): TimeoutMove => ({ action: 'DECIDE', outcome: step.afterEscalation ?? 'REJECT' });

/** The step's due date has come (or nobody could be found): recorded before the rule acts. */
export function recordTimeout(run: ApprovalRun, cause: 'TIMEOUT' | 'NO_APPROVER', now: Date): ApprovalRun {
  if (cause === 'NO_APPROVER') return run;
  const event: ApprovalEvent = { at: now.toISOString(), type: 'TIMED_OUT', step: run.stepIndex, approverIds: run.approverIds, reason: `due ${run.dueDate}` };
  return { ...run, history: [...run.history, event] };
}

/**
 * Hands the step to `targets` (non-empty) for another timeoutDays from now: Approval Timeout to the
 * approvers who had it, Approval Start (escalated) to the new ones; reminders count afresh.
 */
export function escalate(run: ApprovalRun, targets: readonly string[], now: Date): Transition {
  if (targets.length === 0) throw new Error('escalate: no one to escalate to');
  const at = now.toISOString();
  const step = currentStep(run);
  const previous = run.approverIds;
  const next: ApprovalRun = {
    ...withoutStepState(run),
    escalated: true,
    approverIds: [...targets],
    stepStartedAt: at,
    dueDate: stepDueDate(at, step.timeoutDays),
    history: [...run.history, { at, type: 'ESCALATED', step: run.stepIndex, approverIds: [...targets], reason: previous.length ? `from ${previous.join(', ')}` : 'no approver' }],
  };
  return {
    run: next,
    notices: [...timeoutNotices(run, previous), ...targets.map((id) => startNotice(next, id))],
  };
}

const timeoutNotices = (run: ApprovalRun, approverIds: readonly string[]): NoticeIntent[] =>
  approverIds.map((id) => ({ kind: 'APPROVAL_TIMEOUT', key: approvalNoticeKey.timeout(run.id, run.stepIndex, id), recipientId: id }));

export interface StepDecision {
  outcome: 'APPROVE' | 'REJECT';
  /** DECISION: a current approver; TIMEOUT / NO_APPROVER: the workflow's rule. */
  via: ApprovalOutcome['via'];
  /** The approver; for a rule, `workflow:<id>`. */
  by: string;
  comment?: string;
}

export interface DecidedStep extends Transition {
  /** An approval of a step that is not the last: the caller opens this step next. */
  openNext?: number;
}

/**
 * Decides the current step. APPROVE on the last step → APPROVED; on another, the next step is to
 * be opened (`openNext`); REJECT → REJECTED. A rule's timeout tells the step's approvers (Approval
 * Timeout) only when the run goes on: the dispatcher sends work notices only while a run runs.
 */
export function decideStep(run: ApprovalRun, decision: StepDecision, now: Date): DecidedStep {
  const at = now.toISOString();
  const event: ApprovalEvent = {
    at,
    type: 'DECIDED',
    step: run.stepIndex,
    by: decision.by,
    outcome: decision.outcome,
    ...(decision.comment ? { comment: decision.comment } : {}),
    ...(decision.via !== 'DECISION' ? { reason: decision.via === 'TIMEOUT' ? `timeout rule ${decision.outcome}` : `no approver: rule ${decision.outcome}` } : {}),
  };
  const personal: Decision | undefined =
    decision.via === 'DECISION'
      ? { outcome: decision.outcome, ...(decision.comment ? { comment: decision.comment } : {}), decidedBy: decision.by, decidedAt: at }
      : undefined;
  const decided: ApprovalRun = { ...withoutStepState(run), ...(personal ? { decision: personal } : {}), history: [...run.history, event] };
  const last = run.stepIndex === run.workflow.steps.length - 1;
  const rulePassedOn = decision.via === 'TIMEOUT' && decision.outcome === 'APPROVE' && !last;
  const notices = rulePassedOn ? timeoutNotices(run, run.approverIds) : [];
  if (decision.outcome === 'APPROVE' && !last) return { run: decided, notices, openNext: run.stepIndex + 1 };
  const outcome: ApprovalOutcome = {
    result: decision.outcome === 'APPROVE' ? 'APPROVED' : 'REJECTED',
    at,
    via: decision.via,
    by: decision.by,
    ...(decision.comment ? { comment: decision.comment } : {}),
  };
  return { run: { ...decided, state: outcome.result, outcome }, notices };
}

// ---------------------------------------------------------------------------------------------
// Reminders (like campaign entries: from daysBeforeDue before the due date, every intervalHours;
// slots count from when the current approvers got the step, and never on the heels of its start)

type Reminders = ReapprovalConfig['reminders'];

function firstReminderAt(run: ApprovalRun, reminders: Reminders): number | undefined {
  if (!(reminders.intervalHours > 0) || !(reminders.daysBeforeDue > 0)) return undefined;
  const interval = reminders.intervalHours * HOUR_MS;
  return Math.max(Date.parse(run.dueDate) - reminders.daysBeforeDue * DAY_MS, Date.parse(run.stepStartedAt) + interval);
}

/** When the next reminder slot of the current step is reached, if before the due date. */
export function nextReminderAt(run: ApprovalRun, reminders: Reminders): string | undefined {
  const first = firstReminderAt(run, reminders);
  if (run.state !== 'RUNNING' || run.approverIds.length === 0 || first === undefined) return undefined;
  const interval = reminders.intervalHours * HOUR_MS;
  const base = Date.parse(run.stepStartedAt);
  const t = Math.max(first, base + ((run.lastReminderSlot ?? -1) + 1) * interval);
  return t < Date.parse(run.dueDate) ? new Date(t).toISOString() : undefined;
}

/** The reminder slot due at `now`, if one is (and was not sent). */
export function reminderSlot(run: ApprovalRun, reminders: Reminders, now: Date): number | undefined {
  const next = nextReminderAt(run, reminders);
  if (next === undefined || now.getTime() < Date.parse(next) || now.getTime() >= Date.parse(run.dueDate)) return undefined;
  return Math.floor((now.getTime() - Date.parse(run.stepStartedAt)) / (reminders.intervalHours * HOUR_MS));
}

/** Approval Remind to each current approver for `slot`. */
export function remind(run: ApprovalRun, slot: number): Transition {
  return {
    run: { ...run, lastReminderSlot: slot },
    notices: run.approverIds.map((id) => ({
      kind: 'APPROVAL_REMIND',
      key: approvalNoticeKey.remind(run.id, run.stepIndex, run.escalated, slot, id),
      recipientId: id,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Outcome, and when the job looks again

/** The run's outcome was applied to the assignment: out of the job's index for good. */
export function withApplied(run: ApprovalRun, applied: ApprovalApplied): ApprovalRun {
  const { nextActionAt: _next, ...rest } = run;
  const event: ApprovalEvent = { at: applied.at, type: 'APPLIED', step: run.stepIndex, reason: applied.action };
  return { ...rest, applied, history: [...run.history, event] };
}

/**
 * RUNNING: the next reminder or the due date, whichever comes first; ended but not applied: the
 * outcome's time (the job applies it); applied: none.
 */
export function nextActionAt(run: ApprovalRun, reminders: Reminders): string | undefined {
  if (run.applied) return undefined;
  if (run.state !== 'RUNNING') return run.outcome?.at ?? run.updatedAt;
  const reminder = nextReminderAt(run, reminders);
  return reminder !== undefined && reminder < run.dueDate ? reminder : run.dueDate;
}

/** The run as it is saved: its next action time, and (`previous` given: an update) version + 1. */
export function stampRun(run: ApprovalRun, reminders: Reminders, now: Date, previous?: Pick<ApprovalRun, 'version'>): ApprovalRun {
  const at = now.toISOString();
  const { nextActionAt: _old, ...rest } = run;
  const stamped: ApprovalRun = previous ? { ...rest, version: previous.version + 1, updatedAt: at } : { ...rest, version: 1, createdAt: rest.createdAt, updatedAt: at };
  const next = nextActionAt(stamped, reminders);
  return next === undefined ? stamped : { ...stamped, nextActionAt: next };
}
