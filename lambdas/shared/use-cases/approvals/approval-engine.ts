// The one engine that runs approval workflows (docs/reference/reapproval.md), for re-approval and for
// campaign hand-overs: starts a run, moves it on (decisions, reminders, timeouts, escalation, next
// step) and applies its outcome to the assignment (only the start-reapproval job applies outcomes:
// a decision moves its run to the next step or to its outcome, never changes the directory). Every
// step is idempotent: a run's id is deterministic, its record versioned, its notices keyed. Notices
// are recorded before the run is saved, each carrying the version of the run that announces it
// (`entryVersion`): a kill in between records nothing twice, the dispatcher holds a notice while the
// stored run is behind it, and skips one whose change was never saved.
import { approvalNoticeKey, composeApprovalNotice, type NoticeIntent } from '../../domain/approvals/approval-notices.js';
import {
  afterEscalation,
  chooseApprovers,
  currentStep,
  decideStep,
  escalate,
  escalationBase,
  escalationTargets,
  newRun,
  nextActionAt,
  openStep,
  peopleForStep,
  recordTimeout,
  reminderSlot,
  remind,
  stampRun,
  stepCandidates,
  timeoutMove,
  withApplied,
  workflowActor,
  type Transition,
} from '../../domain/approvals/approval-run.js';
import { APPROVAL_ID_ATTEMPTS, approvalIdFor, DEFAULT_WORKFLOW, isRunFor, type ApprovalApplied, type ApprovalPurpose, type ApprovalRun, type ApprovalWorkflow, type ReapprovalConfig } from '../../domain/approvals/model.js';
import { reapprovalDateAfter, roundOf } from '../../domain/approvals/reapproval-dates.js';
import { describeProtection, protectionOf } from '../../domain/blast-radius.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Assignment, Privilege, User } from '../../domain/model.js';
import { approvalOutcomeApplied, approvalProgress, approvalRecord, approvalStarted, auditKey, notificationsQueued, START_REAPPROVAL_ACTOR } from '../../domain/audit/events.js';
import type { AuditActor } from '../../domain/audit/model.js';
import { appendRecord, recordThenChange } from '../audit-trail.js';
import { collect } from '../concurrency.js';
import type { ApprovalStore, AuditLog, CampaignStore, DirectoryStore, Log, Outbox, ReapprovalDirectory } from '../ports.js';

export interface ApprovalDeps {
  directory: DirectoryStore & ReapprovalDirectory;
  approvals: ApprovalStore;
  /** A campaign hand-over's outcome is recorded on its campaign item. */
  campaigns: Pick<CampaignStore, 'saveItemWorkflow'>;
  outbox: Outbox;
  /** Every start, step, decision and outcome, in the privilege's chain (re-approval) or the campaign run's (hand-over). */
  audit: AuditLog;
  portalUrl: string;
  log: Log;
  /**
   * Users read, shared by every run a caller moves (the start-reapproval job: privilege owners and
   * managers are few, and each is read once a job run instead of once a run). Absent: each run reads its own.
   */
  users?: Map<string, User | undefined>;
}

/** What deciding a step needs (approval-tasks.ts): it reads the directory, writes runs and notices, never applies an outcome. */
export type StepDeps = Pick<ApprovalDeps, 'approvals' | 'outbox' | 'audit' | 'portalUrl' | 'log' | 'users'> & { directory: DirectoryStore };

/** Who moves a run, and whether the audit record comes before the save (a job) or after it (a request). */
export interface RunAudit {
  actor: AuditActor;
  job: boolean;
}

const JOB: RunAudit = { actor: START_REAPPROVAL_ACTOR, job: true };

export interface StartApprovalRequest {
  purpose: ApprovalPurpose;
  assignment: Assignment;
  privilege: Privilege;
  workflow: ApprovalWorkflow;
  /** The id findApprovalRun just found free for this run, by a caller that looked first: not looked for again. */
  freeId?: string;
}

/**
 * Starts (or finds, if a killed run created it) the run of `request`, opens its first step and
 * records the Approval Start notices. Returns the run as stored. A run that ends at once (nobody to
 * approve, and a rule that decides) is returned ended and NOT applied: progressApproval applies it
 * (the start-reapproval job does, for every run whose outcome waits), so that a caller recording
 * the run elsewhere (a campaign item's `workflow`) records it before its outcome lands there.
 */
export async function startApprovalRun(
  deps: ApprovalDeps,
  request: StartApprovalRequest,
  config: ReapprovalConfig,
  now: Date,
  actor: AuditActor = START_REAPPROVAL_ACTOR,
): Promise<ApprovalRun> {
  const { purpose, assignment, privilege, workflow } = request;
  const found = request.freeId !== undefined ? { id: request.freeId } : await findApprovalRun(deps.approvals, purpose, assignment.userId, assignment.privilegeId);
  if (found.run) return found.run;
  const ctx = new RunContext(deps.directory, assignment.userId, assignment.privilegeId, privilege, deps.users);
  const subject = await ctx.subject();
  const draft = newRun({ purpose, assignment, privilege, subject, workflow, now, id: found.id });
  const opened = await openStepAt(ctx, draft, 0, now);
  const run = stampRun(opened.run, config.reminders, now);
  // The record, then the notices (entryVersion 1, held until the run exists), then the run: a kill
  // before the run is written leaves a record and notices a re-run finds (same keys).
  const at = now.toISOString();
  const events = [approvalStarted(run, actor, at), ...approvalProgress(undefined, run, actor), ...queued(run, opened.notices, actor, at)];
  await appendRecord(deps.audit, approvalRecord(run, auditKey.approval(run), at, events));
  await recordNotices(deps, ctx, run, opened.notices, now);
  if (await deps.approvals.createApproval(run)) {
    deps.log.info('approval run started', { approvalId: run.id, userId: run.userId, privilegeId: run.privilegeId, workflowId: workflow.id, purpose: purpose.kind });
    return run;
  }
  const existing = await deps.approvals.getApproval(run.id);
  if (!existing) throw new Error(`approval ${run.id} exists but could not be read`);
  // Another run took the id between the look and the write: the next attempt walks past it. What
  // this start wrote under the id (its audit record, its notices, held until a run of that id
  // exists) stays: should both runs share an approver, one Approval Start would name the other run.
  // (Likewise after a start killed between its notices and its run, if another run took the id
  // before the re-run.) Both need two runs to draw one 48-bit id within moments.
  if (!isRunFor(existing, purpose, assignment.userId, assignment.privilegeId)) {
    throw new ConflictError(`approval id ${run.id} was just taken by another run (${existing.userId}, ${existing.privilegeId})`);
  }
  return existing;
}

/**
 * The run started for this purpose and assignment, if any, and its id (or the id it would take):
 * approvalIdFor's ids in order, past any held by another run, to the first that is free or ours.
 */
export async function findApprovalRun(
  approvals: Pick<ApprovalStore, 'getApproval'>,
  purpose: ApprovalPurpose,
  userId: string,
  privilegeId: string,
): Promise<{ id: string; run?: ApprovalRun }> {
  for (let attempt = 0; attempt < APPROVAL_ID_ATTEMPTS; attempt++) {
    const id = approvalIdFor(purpose, userId, privilegeId, attempt);
    const run = await approvals.getApproval(id);
    if (!run) return { id };
    if (isRunFor(run, purpose, userId, privilegeId)) return { id, run };
  }
  throw new Error(`no free approval id for ${userId} and ${privilegeId} after ${APPROVAL_ID_ATTEMPTS} attempts`);
}

/**
 * Moves a run as far as `now` allows: a reminder slot reached, the step's timeout (escalate once,
 * or its rule), the next step after an approval, and the outcome's application. Returns the run as stored.
 * A save that loses to a concurrent change (a decision) fails with ConflictError: the next run moves it on.
 */
export async function progressApproval(deps: ApprovalDeps, run: ApprovalRun, config: ReapprovalConfig, now: Date): Promise<ApprovalRun> {
  let current = run;
  if (current.state === 'RUNNING') {
    const ctx = new RunContext(deps.directory, run.userId, run.privilegeId, undefined, deps.users);
    let transition: Transition | undefined;
    if (now.getTime() >= Date.parse(current.dueDate)) {
      transition = await onTimeout(ctx, current, 'TIMEOUT', now);
    } else {
      const slot = reminderSlot(current, config.reminders, now);
      if (slot !== undefined) transition = remind(current, slot);
    }
    if (transition) current = await persist(deps, ctx, transition, config, now, current, JOB);
    else if (nextActionAt(current, config.reminders) !== current.nextActionAt) {
      // Nothing to do yet (a settings change moved the next reminder): back out of the job's way until then.
      current = stampRun(current, config.reminders, now, current);
      await deps.approvals.saveApproval(current);
    }
  }
  if (current.state !== 'RUNNING' && !current.applied) current = await applyOutcome(deps, current, config, now);
  return current;
}

/**
 * The workflow a privilege's run follows: re-approval, `reapproval.workflowId`, else the privilege's
 * `approvalWorkflowId`, else DEFAULT_WORKFLOW; a campaign hand-over, `approvalWorkflowId` else the
 * default. NotFoundError (field named) when a named workflow is not loaded.
 */
export async function resolveWorkflow(directory: ReapprovalDirectory, privilege: Privilege, purpose: ApprovalPurpose['kind']): Promise<ApprovalWorkflow> {
  const own = purpose === 'REAPPROVAL' ? privilege.reapproval?.workflowId : undefined;
  const field = own !== undefined ? 'reapproval.workflowId' : 'approvalWorkflowId';
  const id = own ?? privilege.approvalWorkflowId;
  if (id === undefined || id === DEFAULT_WORKFLOW.id) return DEFAULT_WORKFLOW;
  const workflow = await directory.getWorkflow(id);
  if (!workflow) throw new NotFoundError('workflow', `${id} (named by privilege ${privilege.id}, ${field})`);
  return workflow;
}

// ---------------------------------------------------------------------------------------------
// Shared with the tasks use case (a decision moves its run to the next step or to its outcome).

/** The people one run needs, read in batches and once (once a job run with a shared `users` cache). */
export class RunContext {
  private readonly people = new Map<string, User | undefined>();
  private privilegeRead: Promise<Privilege | undefined> | undefined;

  constructor(
    private readonly directory: DirectoryStore,
    readonly userId: string,
    readonly privilegeId: string,
    privilege?: Privilege,
    private readonly shared?: Map<string, User | undefined>,
  ) {
    if (privilege) this.privilegeRead = Promise.resolve(privilege);
  }

  async load(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.people.has(id));
    const toRead: string[] = [];
    for (const id of missing) {
      if (this.shared?.has(id)) this.people.set(id, this.shared.get(id));
      else toRead.push(id);
    }
    if (toRead.length === 0) return;
    const found = await this.directory.getUsers(toRead);
    for (const id of toRead) {
      this.people.set(id, found.get(id));
      this.shared?.set(id, found.get(id));
    }
  }

  /** Those looked up and found. */
  get known(): Map<string, User> {
    return new Map([...this.people].filter((entry): entry is [string, User] => entry[1] !== undefined));
  }

  person(id: string): User | undefined {
    return this.people.get(id);
  }

  async subject(): Promise<User | undefined> {
    await this.load([this.userId]);
    return this.people.get(this.userId);
  }

  /** The privilege as the directory has it now (its owners decide PRIVILEGE_OWNER steps). */
  privilege(): Promise<Privilege | undefined> {
    this.privilegeRead ??= this.directory.getPrivilege(this.privilegeId);
    return this.privilegeRead;
  }
}

/**
 * Opens step `index` with its approvers resolved now; with nobody to approve (NO_APPROVER), the
 * step's timeout rule acts at once, which may escalate, end the run or open the next step.
 */
export async function openStepAt(ctx: RunContext, run: ApprovalRun, index: number, now: Date): Promise<Transition> {
  const step = run.workflow.steps[index];
  if (!step) throw new Error(`workflow ${run.workflow.id} has no step ${index + 1}`);
  const subject = await ctx.subject();
  const candidates = stepCandidates(step, subject, (await ctx.privilege()) ?? { ownerIds: [] });
  await ctx.load(peopleForStep(candidates, run.userId, subject));
  const opened = openStep(run, index, chooseApprovers(candidates, run.userId, subject, ctx.known), now);
  if (opened.run.approverIds.length > 0) return opened;
  const ruled = await onTimeout(ctx, opened.run, 'NO_APPROVER', now);
  return { run: ruled.run, notices: [...opened.notices, ...ruled.notices] };
}

/** The step's due date came, or it found nobody: escalate once if the step says so and someone can take it, else its rule decides. */
async function onTimeout(ctx: RunContext, run: ApprovalRun, cause: 'TIMEOUT' | 'NO_APPROVER', now: Date): Promise<Transition> {
  const timedOut = recordTimeout(run, cause, now);
  const step = currentStep(timedOut);
  let move = timeoutMove(timedOut);
  if (move.action === 'ESCALATE') {
    const subject = await ctx.subject();
    const candidates = timedOut.approverIds.length > 0 ? [] : stepCandidates(step, subject, (await ctx.privilege()) ?? { ownerIds: [] });
    await ctx.load([...timedOut.approverIds, ...candidates]);
    const base = escalationBase(timedOut, candidates, ctx.known);
    await ctx.load(base.map((id) => ctx.person(id)?.managerId).filter((id): id is string => id !== undefined));
    const targets = escalationTargets(base, timedOut.userId, ctx.known);
    if (targets.length > 0) return escalate(timedOut, targets, now);
    move = afterEscalation(step);
  }
  if (move.action !== 'DECIDE') throw new Error('unreachable: a timeout decides once it cannot escalate');
  return decideAndOpen(ctx, timedOut, { outcome: move.outcome, via: cause, by: workflowActor(timedOut.workflow) }, now);
}

/** Decides the current step; an approval of a step that is not the last opens the next one. */
export async function decideAndOpen(ctx: RunContext, run: ApprovalRun, decision: Parameters<typeof decideStep>[1], now: Date): Promise<Transition> {
  const decided = decideStep(run, decision, now);
  if (decided.openNext === undefined) return decided;
  const opened = await openStepAt(ctx, decided.run, decided.openNext, now);
  return { run: opened.run, notices: [...decided.notices, ...opened.notices] };
}

/**
 * Records the transition's notices (announced by the run's next version), then saves the run
 * (version + 1, next action time). An ended run is saved with `nextActionAt` = its outcome's time:
 * the next start-reapproval run applies the outcome.
 */
export async function persist(
  deps: StepDeps,
  ctx: RunContext,
  transition: Transition,
  config: ReapprovalConfig,
  now: Date,
  previous: ApprovalRun,
  audit: RunAudit,
): Promise<ApprovalRun> {
  const next = stampRun(transition.run, config.reminders, now, previous);
  const at = now.toISOString();
  const events = [...approvalProgress(previous, next, audit.actor), ...queued(next, transition.notices, audit.actor, at)];
  const save = async () => {
    await recordNotices(deps, ctx, next, transition.notices, now);
    await deps.approvals.saveApproval(next);
    return next;
  };
  if (audit.job) return recordThenChange(deps, approvalRecord(next, auditKey.approval(next), at, events), save);
  await save();
  await appendRecord(deps.audit, approvalRecord(next, auditKey.approvalDecision(next), at, events));
  return next;
}

/** The notices a transition records, as NOTIFICATION_QUEUED events. */
const queued = (run: ApprovalRun, intents: NoticeIntent[], actor: AuditActor, at: string) =>
  notificationsQueued(
    intents.map((i) => ({ ...i, approvalId: run.id })),
    actor,
    at,
  );

/** Records the notices `run` (as it is about to be saved) announces: each carries its version as `entryVersion`. */
async function recordNotices(deps: Pick<StepDeps, 'outbox' | 'portalUrl'>, ctx: RunContext, run: ApprovalRun, intents: NoticeIntent[], now: Date): Promise<void> {
  if (intents.length === 0) return;
  await ctx.load(intents.map((i) => i.recipientId));
  const notices = intents.map((intent) =>
    composeApprovalNotice({ run, intent, recipient: ctx.person(intent.recipientId), portalUrl: deps.portalUrl, now, entryVersion: run.version }),
  );
  await deps.outbox.enqueue(notices);
}

// ---------------------------------------------------------------------------------------------
// Outcome

/**
 * Applies an ended run's outcome to its assignment, then records it applied (last: every change
 * before it is idempotent, so a kill repeats nothing harmful). A re-approval approved before the
 * job marked its assignment started (a start killed in between) waits for that mark: the run is
 * returned unapplied, and the job applies it once it has marked the assignment.
 */
export async function applyOutcome(deps: ApprovalDeps, run: ApprovalRun, config: ReapprovalConfig, now: Date): Promise<ApprovalRun> {
  const outcome = run.outcome;
  if (run.state === 'RUNNING' || !outcome || run.applied) return run;
  const removal = outcome.result === 'APPROVED' ? undefined : await remove(deps, run, now);
  const applied = removal ? removal.applied : await keep(deps, run, outcome.at, outcome.by ?? workflowActor(run.workflow));
  if (!applied) return run;
  if (run.purpose.kind === 'CAMPAIGN') {
    await deps.campaigns.saveItemWorkflow(run.purpose.entryId, run.purpose.itemId, {
      approvalId: run.id,
      workflowId: run.workflow.id,
      startedAt: run.createdAt,
      state: run.state,
      outcomeAt: outcome.at,
      ...(outcome.by ? { outcomeBy: outcome.by } : {}),
      appliedAction: applied.action,
    });
  }
  const next = stampRun(withApplied(run, applied), config.reminders, now, run);
  // After the directory calls (their outcome is what it records), before the save that marks it applied.
  const at = now.toISOString();
  const reject = removal?.notice ? queued(next, [removal.notice], JOB.actor, at) : [];
  await recordThenChange(deps, approvalRecord(next, auditKey.approval(next), at, [...approvalOutcomeApplied(next, applied, JOB.actor, at), ...reject]), () =>
    deps.approvals.saveApproval(next),
  );
  deps.log.info('approval outcome applied', { approvalId: run.id, result: outcome.result, action: applied.action });
  return next;
}

async function keep(deps: ApprovalDeps, run: ApprovalRun, approvedAt: string, approvedBy: string): Promise<ApprovalApplied | undefined> {
  const { directory } = deps;
  const at = approvedAt;
  const purpose = run.purpose;
  if (purpose.kind === 'CAMPAIGN') {
    const privilege = await directory.getPrivilege(run.privilegeId);
    const settings = privilege?.reapproval;
    const nextReapprovalAt = settings?.mode === 'CONTINUOUS' ? reapprovalDateAfter(approvedAt, settings.intervalDays) : undefined;
    if (await directory.recordApproval(run.userId, run.privilegeId, { approvedAt, approvedBy, ...(nextReapprovalAt ? { nextReapprovalAt } : {}) })) {
      return { action: 'KEPT', at };
    }
    return { action: (await directory.getAssignment(run.userId, run.privilegeId)) ? 'NOT_MANUAL' : 'GONE', at };
  }
  const nextReapprovalAt = purpose.mode === 'CONTINUOUS' ? reapprovalDateAfter(approvedAt, purpose.intervalDays ?? 0) : undefined;
  const result =
    purpose.mode === 'CONTINUOUS'
      ? { approvedAt, approvedBy, mode: 'CONTINUOUS' as const, nextReapprovalAt: nextReapprovalAt! }
      : { approvedAt, approvedBy, mode: 'SCHEDULED' as const, lastReapprovalRound: roundOf(purpose.dueAt) };
  const kept: ApprovalApplied = { action: 'KEPT', at, ...(nextReapprovalAt ? { nextReapprovalAt } : {}) };
  if (await directory.completeReapproval(run.userId, run.privilegeId, run.id, result)) return kept;
  const assignment = await directory.getAssignment(run.userId, run.privilegeId);
  if (!assignment) return { action: 'GONE', at };
  if (assignment.origin !== 'MANUAL') return { action: 'NOT_MANUAL', at };
  // Completed by an earlier attempt that was killed before it recorded the run applied.
  if (assignment.reapproval === undefined && assignment.approvedAt === approvedAt && assignment.approvedBy === approvedBy) return kept;
  if (awaitsStartMark(assignment, run)) {
    deps.log.info('approval outcome waits until its assignment is marked started', { approvalId: run.id });
    return undefined;
  }
  deps.log.warn('approved run no longer matches its assignment; the assignment is kept as it is', { approvalId: run.id, reapproval: assignment.reapproval });
  return { action: 'KEPT', at };
}

/**
 * A rejection the guard keeps: the assignment stays as it is, with the approval it had. A
 * re-approval ends (its marker removed) and the next one is dated as after an approval, so that the
 * protected access is still reviewed at its interval; a campaign hand-over changes nothing.
 */
async function keepByGuard(deps: ApprovalDeps, run: ApprovalRun, reason: string, at: string): Promise<ApprovalApplied> {
  const purpose = run.purpose;
  if (purpose.kind !== 'REAPPROVAL') return { action: 'KEPT_BY_GUARD', at, reason };
  const next =
    purpose.mode === 'CONTINUOUS'
      ? { mode: 'CONTINUOUS' as const, nextReapprovalAt: reapprovalDateAfter(at, purpose.intervalDays ?? 0) }
      : { mode: 'SCHEDULED' as const, lastReapprovalRound: roundOf(purpose.dueAt) };
  // False when a killed attempt ended it already (or the grant was replaced since): kept either way.
  await deps.directory.completeReapproval(run.userId, run.privilegeId, run.id, next);
  return { action: 'KEPT_BY_GUARD', at, reason, ...(next.mode === 'CONTINUOUS' ? { nextReapprovalAt: next.nextReapprovalAt } : {}) };
}

/** The assignment is still in the state this re-approval was started from, unmarked (the start was killed before its mark). */
function awaitsStartMark(a: Assignment, run: ApprovalRun): boolean {
  const purpose = run.purpose;
  if (purpose.kind !== 'REAPPROVAL' || a.reapproval !== undefined || a.reapprovalMode !== purpose.mode) return false;
  return purpose.mode === 'CONTINUOUS' ? a.nextReapprovalAt === purpose.dueAt : (a.lastReapprovalRound ?? '') < roundOf(purpose.dueAt);
}

/**
 * Removes a rejected MANUAL assignment and tells its user (one Assignment Reject per run, recorded
 * before the removal). A RULE or INHERITED one is not touched (NOT_MANUAL); one already gone is GONE,
 * unless this run's own notice shows an earlier attempt removed it. The dispatcher holds the
 * Assignment Reject until the run records its outcome applied, and sends it only when that says
 * REMOVED: a kill between the notice and the removal, then a directory load that made the
 * assignment rule-based, must not tell the user of a removal that never happened.
 */
async function remove(deps: ApprovalDeps, run: ApprovalRun, now: Date): Promise<{ applied: ApprovalApplied; notice?: NoticeIntent }> {
  const at = run.outcome!.at;
  const assignment = await deps.directory.getAssignment(run.userId, run.privilegeId);
  const notice: NoticeIntent = { kind: 'ASSIGNMENT_REJECT', key: approvalNoticeKey.assignmentReject(run.id), recipientId: run.userId };
  if (!assignment) {
    const ours = (await collect(deps.outbox.listByRun(run.id, run.id))).some((n) => n.key === notice.key);
    return ours ? { applied: { action: 'REMOVED', at }, notice } : { applied: { action: 'GONE', at } };
  }
  if (assignment.origin !== 'MANUAL') return { applied: { action: 'NOT_MANUAL', at } };
  // Blast-radius guard (docs/reference/guards.md): a protected user or privilege keeps it, and nobody is told of a loss.
  // Before the marker check: a guard's keep ends the re-approval (removes its marker), and a re-run after a kill must find the same outcome.
  const [user, privilege] = await Promise.all([deps.directory.getUser(run.userId), deps.directory.getPrivilege(run.privilegeId)]);
  const protection = protectionOf(user, privilege);
  if (protection) return { applied: await keepByGuard(deps, run, describeProtection(protection), at) };
  // A re-approval reviews the grant that carries its marker. Without it, the grant was replaced since
  // (a load made it RULE, then MANUAL again: a new grant, never reviewed): the reviewed one is gone.
  if (run.purpose.kind === 'REAPPROVAL' && assignment.reapproval?.approvalId !== run.id) return { applied: { action: 'GONE', at } };
  const ctx = new RunContext(deps.directory, run.userId, run.privilegeId, undefined, deps.users);
  // Announced by the save that records the outcome applied (this run's next version).
  await recordNotices(deps, ctx, { ...run, version: run.version + 1 }, [notice], now);
  // NOT_MANUAL: it became rule-based or inherited since it was read; the user keeps it and is not told otherwise.
  if ((await deps.directory.removeAssignment(run.userId, run.privilegeId)) === 'NOT_MANUAL') return { applied: { action: 'NOT_MANUAL', at }, notice };
  return { applied: { action: 'REMOVED', at }, notice };
}
