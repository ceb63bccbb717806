// StartReapproval (docs/reference/reapproval.md): starts the workflow of every CONTINUOUS assignment
// whose date has come and, on the domain's scheduled date, of every SCHEDULED one (once); moves on
// every approval run that needs it (reminders, timeouts, outcomes, including those a decision
// reached: only this job applies outcomes); then sends the notices it recorded, and what else the
// outbox holds. It reads only the sparse indexes (due assignments, the round's unstarted ones, runs
// needing action) and, by key, what those name: never the whole directory. Users are read once a
// job run (owners and managers are few), and the notices it recorded are sent without reading the
// outbox or their runs again (it holds the runs it saved, version-checked).
//
// Resumable: a run's id is deterministic (the assignment and what made it due), so a start killed
// after the run was written finds it again; the assignment is marked started after its run exists
// (conditional on the state it was read in), so nothing is started twice and no assignment is
// marked for a run that does not exist.
//
// In time-budgeted chunks (docs/reference/reapproval.md, "Chunks and continuations"): the work goes
// START_CHUNK_SIZE items at a time (forEachChunk); after each chunk the notices it recorded are sent
// and the budget is checked. Out of time, the run answers `resume`, a cursor (the phase and the index
// position of the last item done), and a follow-up invocation at the same business time continues
// past it. A position, not a restart from the first key: starting a run moves the assignment out of
// the due index, but one that failed to start stays there, so each restart would read (and retry,
// and count) every failure again, and an index read just after the writes (eventually consistent)
// could list started assignments again.
import { randomUUID } from 'node:crypto';
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalPurpose, type ApprovalRun, type ApprovalWorkflow, type ReapprovalConfig, type ReapprovalRound } from '../../domain/approvals/model.js';
import { dueRound, roundStart, startOfUtcDay } from '../../domain/approvals/reapproval-dates.js';
import { ConflictError, DomainError } from '../../domain/errors.js';
import type { Assignment, Notification, Privilege } from '../../domain/model.js';
import { addDispatchResults, dispatchNotifications, dispatchRecordedNotifications, type DispatchResult } from '../dispatch-notifications.js';
import {
  UNLIMITED_BUDGET,
  type ApprovalRunPosition,
  type ApprovalStore,
  type CampaignStore,
  type Clock,
  type Mailer,
  type Outbox,
  type ProgressSink,
  type ReapprovalIndexPosition,
  type TimeBudget,
} from '../ports.js';
import { forEachChunk, type ChunkLoopResult } from '../chunked.js';
import { progressApproval, resolveWorkflow, startApprovalRun, type ApprovalDeps } from './approval-engine.js';
import { START_REAPPROVAL_ACTOR } from '../../domain/audit/events.js';
import { oneAppendAtATime } from '../audit-trail.js';

export interface StartReapprovalDeps extends ApprovalDeps {
  /** Campaign hand-overs record their outcome on the item; the dispatcher reads campaigns and entries. */
  campaigns: Pick<CampaignStore, 'saveItemWorkflow' | 'getCampaign' | 'getEntry'>;
  mailer: Mailer;
  /** Real time, for the outbox's claims. */
  wallClock: Clock;
  /** Told after each chunk where the run stands (the local CLI's progress line). */
  progress?: ProgressSink;
}

/** One invocation's share of a run: how long it may work, and where a continuation resumes. */
export interface StartReapprovalOptions {
  /** Default: unlimited (the whole run in one invocation). */
  budget?: TimeBudget;
  /** The `resume` of the invocation this one continues. */
  resume?: StartReapprovalCursor;
}

/**
 * Where a run stands between invocations: its phase, the index position of the last item done in
 * it, and the phase's items done so far (for progress). The round's `left` counts the assignments
 * whose start failed so far (they keep the round open). DISPATCH: only the outbox's rest is left.
 */
export type StartReapprovalCursor =
  | { phase: 'DUE'; after?: ReapprovalIndexPosition; done: number }
  | { phase: 'ROUND'; round: string; after?: ReapprovalIndexPosition; done: number; left: number }
  | { phase: 'PROGRESS'; after?: ApprovalRunPosition; done: number }
  | { phase: 'DISPATCH' };

export interface StartReapprovalResult {
  /** Re-approvals started by this run, by mode. */
  started: { continuous: number; scheduled: number };
  /** The scheduled round of this run's date, when one is due. */
  round?: { date: string; completed: boolean };
  /** Assignments sent back to initialization (privilege unflagged or mode changed). */
  reset: number;
  /** Assignments whose start failed (an unknown workflow, a directory error): retried next run. */
  failed: number;
  /** Approval runs moved on, and the outcomes this run applied. */
  progressed: number;
  approved: number;
  rejected: number;
  escalated: number;
  reminded: number;
  dispatch: DispatchResult;
  /** Present when the budget ran out before the run's end: where the next invocation resumes. */
  resume?: StartReapprovalCursor;
}

/** Items per chunk: each chunk's notices are sent before the budget is checked, so a chunk takes seconds. */
export const START_CHUNK_SIZE = 25;

export async function startReapproval(given: StartReapprovalDeps, now: Date, options: StartReapprovalOptions = {}): Promise<StartReapprovalResult> {
  // The sends go four at a time: their records are appended one by one.
  const deps = { ...given, audit: oneAppendAtATime(given.audit) };
  const budget = options.budget ?? UNLIMITED_BUDGET;
  const config = (await deps.directory.getReapprovalConfig()) ?? DEFAULT_REAPPROVAL_CONFIG;
  const written = new JobWrites(deps.approvals, deps.outbox);
  const job = new StartJob({ ...deps, approvals: written, outbox: written.outbox, users: deps.users ?? new Map() }, config, now);
  const at = now.toISOString();

  const { campaigns, mailer, wallClock, log, outbox, audit } = deps;
  const dispatchDeps = { outbox, campaigns, approvals: written, mailer, wallClock, log, audit, actor: START_REAPPROVAL_ACTOR };
  const runner = `start-reapproval:${randomUUID()}`;
  // Keys this invocation dispatched directly: its ordinary dispatch does not try them twice.
  const handled = new Set<string>();
  const addDispatch = (d: DispatchResult) => {
    job.result.dispatch = addDispatchResults(job.result.dispatch, d);
  };
  /**
   * A chunk's end: what it recorded is sent straight from its own records (the same checks, claim,
   * send and mark); what that leaves unsent (held, or left by a kill after a claim) is the ordinary
   * dispatch's. Then the chunk's records are dropped: memory follows the chunk, not the run.
   */
  const sendChunk = async () => {
    addDispatch(await dispatchRecordedNotifications(dispatchDeps, runner, written.notices, now));
    for (const n of written.notices) handled.add(n.key);
    written.clear();
  };
  const phase = (name: 'DUE' | 'ROUND' | 'PROGRESS', done: number) => deps.progress?.({ job: 'start-reapproval', phase: name, unit: name === 'PROGRESS' ? 'approval runs' : 'assignments', done });
  const stop = (resume: StartReapprovalCursor) => {
    job.result.resume = resume;
    log.info('start-reapproval out of time: a continuation resumes', { ...job.result, now: at });
    return job.result;
  };
  /** Between phases: a phase that did work may have spent the budget (one that did none never stops the run). */
  const spent = (walked: ChunkLoopResult) => walked.records > 0 && !budget.hasTimeLeft();

  let cursor: StartReapprovalCursor = options.resume ?? { phase: 'DUE', done: 0 };
  if (cursor.phase === 'DUE') {
    let done = cursor.done;
    const walked = await forEachChunk<Assignment>({
      pages: (after) => deps.directory.listDueAssignments(at, after === undefined ? {} : { after: fromKey<ReapprovalIndexPosition>(after) }),
      keyOf: (a) => toKey(duePosition(a)),
      ...(cursor.after ? { after: toKey(cursor.after) } : {}),
      budget,
      chunkSize: START_CHUNK_SIZE,
      work: async (chunk) => {
        for (const assignment of chunk) await job.start(assignment, 'CONTINUOUS');
      },
      checkpoint: async (_last, chunk) => {
        await sendChunk();
        phase('DUE', (done += chunk.length));
      },
    });
    if (!walked.done) return stop({ phase: 'DUE', after: fromKey<ReapprovalIndexPosition>(walked.after!), done });
    const round = dueRound(config, now);
    cursor = round === undefined ? { phase: 'PROGRESS', done: 0 } : { phase: 'ROUND', round, done: 0, left: 0 };
    if (spent(walked)) return stop(cursor);
  }
  if (cursor.phase === 'ROUND') {
    const walked = await runRound(deps, job, cursor, now, budget, async (done) => {
      await sendChunk();
      phase('ROUND', done);
    });
    if ('resume' in walked) return stop(walked.resume);
    cursor = { phase: 'PROGRESS', done: 0 };
    if (spent(walked)) return stop(cursor);
  }
  if (cursor.phase === 'PROGRESS') {
    let done = cursor.done;
    const walked = await forEachChunk<ApprovalRun>({
      pages: (after) => deps.approvals.listApprovalsNeedingAction(at, after === undefined ? {} : { after: fromKey<ApprovalRunPosition>(after) }),
      keyOf: (run) => toKey(runPosition(run)),
      ...(cursor.after ? { after: toKey(cursor.after) } : {}),
      budget,
      chunkSize: START_CHUNK_SIZE,
      work: async (chunk) => {
        for (const run of chunk) await job.progress(run);
      },
      checkpoint: async (_last, chunk) => {
        await sendChunk();
        phase('PROGRESS', (done += chunk.length));
      },
    });
    if (!walked.done) return stop({ phase: 'PROGRESS', after: fromKey<ApprovalRunPosition>(walked.after!), done });
    if (spent(walked)) return stop({ phase: 'DISPATCH' });
  }
  // What else the outbox holds (held notices, retries, those of a killed run), once the run's own work is done.
  addDispatch(await dispatchNotifications(dispatchDeps, runner, now, handled));
  log.info('start-reapproval run completed', { ...job.result, now: at });
  return job.result;
}

/** Two invocations of one run as one result (the local runtime's loop over continuations). */
export function addStartReapprovalResults(a: StartReapprovalResult, b: StartReapprovalResult): StartReapprovalResult {
  const round = b.round ?? a.round;
  return {
    started: { continuous: a.started.continuous + b.started.continuous, scheduled: a.started.scheduled + b.started.scheduled },
    ...(round ? { round } : {}),
    reset: a.reset + b.reset,
    failed: a.failed + b.failed,
    progressed: a.progressed + b.progressed,
    approved: a.approved + b.approved,
    rejected: a.rejected + b.rejected,
    escalated: a.escalated + b.escalated,
    reminded: a.reminded + b.reminded,
    dispatch: addDispatchResults(a.dispatch, b.dispatch),
    ...(b.resume ? { resume: b.resume } : {}),
  };
}

const duePosition = (a: Assignment): ReapprovalIndexPosition => ({ at: a.nextReapprovalAt, userId: a.userId, privilegeId: a.privilegeId });
const roundPosition = (a: Assignment): ReapprovalIndexPosition => ({
  ...(a.lastReapprovalRound === undefined ? {} : { at: a.lastReapprovalRound }),
  userId: a.userId,
  privilegeId: a.privilegeId,
});
const runPosition = (run: ApprovalRun): ApprovalRunPosition => ({ nextActionAt: run.nextActionAt!, id: run.id });

// forEachChunk keeps its cursor as a string: the index positions travel through it as JSON, and
// leave this module (the cursor a continuation resumes from) as the positions they are.
const toKey = (position: ReapprovalIndexPosition | ApprovalRunPosition): string => JSON.stringify(position);
const fromKey = <P extends ReapprovalIndexPosition | ApprovalRunPosition>(key: string) => JSON.parse(key) as P;

/**
 * The scheduled round of `date`: recorded when it begins, its unstarted assignments started, and
 * completed once none is left (an assignment whose start failed keeps it open: the next run retries
 * it). A completed round starts nothing: a re-run that day or later does nothing until a new date.
 * `started` counts the starts of the runs that recorded them, chunk by chunk (a run killed before
 * its record is not counted). Across invocations the cursor carries the failures (`left`).
 */
async function runRound(
  deps: StartReapprovalDeps,
  job: StartJob,
  cursor: Extract<StartReapprovalCursor, { phase: 'ROUND' }>,
  now: Date,
  budget: TimeBudget,
  chunkDone: (done: number) => Promise<void>,
): Promise<ChunkLoopResult | { resume: StartReapprovalCursor }> {
  const date = cursor.round;
  let round: ReapprovalRound | undefined = await deps.directory.getRound(date);
  if (round?.completedAt) {
    job.result.round = { date, completed: true };
    return { done: true, chunks: 0, records: 0 };
  }
  if (!round) {
    round = { date, startedAt: now.toISOString(), started: 0 };
    await deps.directory.putRound(round);
  }
  let { left, done } = cursor;
  const walked = await forEachChunk<Assignment>({
    pages: (after) => deps.directory.listScheduledAssignments(date, after === undefined ? {} : { after: fromKey<ReapprovalIndexPosition>(after) }),
    keyOf: (a) => toKey(roundPosition(a)),
    ...(cursor.after ? { after: toKey(cursor.after) } : {}),
    budget,
    chunkSize: START_CHUNK_SIZE,
    work: async (chunk) => {
      const before = job.result.started.scheduled;
      for (const assignment of chunk) if (!(await job.start(assignment, 'SCHEDULED', date))) left += 1;
      const started = job.result.started.scheduled - before;
      if (started > 0) await deps.directory.putRound((round = { ...round!, started: round!.started + started }));
    },
    checkpoint: async (_last, chunk) => chunkDone((done += chunk.length)),
  });
  const completed = walked.done && left === 0;
  job.result.round = { date, completed };
  if (!walked.done) return { resume: { phase: 'ROUND', round: date, after: fromKey<ReapprovalIndexPosition>(walked.after!), done, left } };
  if (completed) await deps.directory.putRound({ ...round, completedAt: now.toISOString() });
  return walked;
}

class StartJob {
  readonly result: StartReapprovalResult = {
    started: { continuous: 0, scheduled: 0 },
    reset: 0,
    failed: 0,
    progressed: 0,
    approved: 0,
    rejected: 0,
    escalated: 0,
    reminded: 0,
    dispatch: { sent: 0, failed: 0, retrying: 0, skipped: 0 },
  };
  private readonly privileges = new Map<string, Promise<Privilege | undefined>>();
  private readonly workflows = new Map<string, Promise<ApprovalWorkflow>>();

  constructor(
    private readonly deps: StartReapprovalDeps,
    private readonly config: ReapprovalConfig,
    private readonly now: Date,
  ) {}

  /**
   * Starts the re-approval of one listed assignment. True when it is out of the list now (started,
   * reset, or changed meanwhile); false when it failed and stays for the next run. A domain error
   * (an unknown workflow) fails this assignment only; anything else stops the job (its retry resumes).
   */
  async start(assignment: Assignment, mode: 'CONTINUOUS' | 'SCHEDULED', round?: string): Promise<boolean> {
    const { directory, log } = this.deps;
    const { userId, privilegeId } = assignment;
    const privilege = await this.privilege(privilegeId);
    const settings = privilege?.reapproval;
    if (!privilege || settings?.mode !== mode || assignment.reapprovalMode !== mode) {
      if (await directory.resetReapproval(userId, privilegeId)) this.result.reset += 1;
      return true;
    }
    const purpose: ApprovalPurpose =
      settings.mode === 'CONTINUOUS'
        ? { kind: 'REAPPROVAL', mode, dueAt: assignment.nextReapprovalAt!, intervalDays: settings.intervalDays }
        : { kind: 'REAPPROVAL', mode, dueAt: roundStart(round!) };
    try {
      const workflow = await this.workflow(privilege);
      const run = await startApprovalRun(this.deps, { purpose, assignment, privilege, workflow }, this.config, this.now);
      if (run.applied) return await this.redate(assignment, run.id, round);
      const expected = mode === 'CONTINUOUS' ? { mode, nextReapprovalAt: assignment.nextReapprovalAt } : { mode, lastReapprovalRound: assignment.lastReapprovalRound };
      const marked = await directory.markReapprovalStarted(userId, privilegeId, expected, { approvalId: run.id, startedAt: run.createdAt });
      if (!marked && (await directory.getAssignment(userId, privilegeId))?.reapproval?.approvalId !== run.id) {
        log.warn('assignment changed while its re-approval started; its run is left to its approvers', { approvalId: run.id, userId, privilegeId });
        return true;
      }
      if (mode === 'CONTINUOUS') this.result.started.continuous += 1;
      else this.result.started.scheduled += 1;
      // Ended at once (nobody to approve and a rule that decides), or decided before a killed start marked it.
      if (run.state !== 'RUNNING' && !run.applied) await this.progress(run);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof ConflictError) throw error;
      this.result.failed += 1;
      log.error('re-approval could not start; retried next run', { userId, privilegeId, error: error.message });
      return false;
    }
  }

  /**
   * The due date names a run that ended: the assignment was removed (rejected) and granted again
   * with the same dates (a directory file loaded again). CONTINUOUS: it is due today, under a date
   * of its own (reset, then initialized with today). SCHEDULED: it was reviewed in this round
   * already; it waits for the next one.
   */
  private async redate(assignment: Assignment, endedRunId: string, round: string | undefined): Promise<boolean> {
    const { directory, log } = this.deps;
    const { userId, privilegeId } = assignment;
    const today = startOfUtcDay(this.now);
    log.warn('the re-approval due names an ended run: the assignment was granted again', { approvalId: endedRunId, userId, privilegeId, round });
    if (round !== undefined) return true;
    if (assignment.nextReapprovalAt === today) {
      this.result.failed += 1;
      return false;
    }
    if (!(await directory.resetReapproval(userId, privilegeId))) return true;
    if (!(await directory.initializeReapproval(userId, privilegeId, { mode: 'CONTINUOUS', nextReapprovalAt: today }))) return true;
    return this.start({ ...assignment, nextReapprovalAt: today }, 'CONTINUOUS');
  }

  async progress(listed: Parameters<typeof progressApproval>[1]): Promise<void> {
    try {
      const run = await progressApproval(this.deps, listed, this.config, this.now);
      if (run.version === listed.version) return;
      this.result.progressed += 1;
      // An outcome counts when this run applies it (reached now, or earlier and applied now).
      if (run.applied && !listed.applied) this.count(run.state);
      if (run.escalated && (!listed.escalated || run.stepIndex !== listed.stepIndex)) this.result.escalated += 1;
      if (run.lastReminderSlot !== undefined && run.lastReminderSlot !== listed.lastReminderSlot && run.stepIndex === listed.stepIndex) this.result.reminded += 1;
    } catch (error) {
      // A decision saved meanwhile: the next run moves the run on from there.
      if (!(error instanceof ConflictError)) throw error;
      this.deps.log.warn('approval run changed during the job; moved on next run', { approvalId: listed.id, error: error.message });
    }
  }

  private count(state: string) {
    if (state === 'APPROVED') this.result.approved += 1;
    if (state === 'REJECTED') this.result.rejected += 1;
  }

  private privilege(id: string): Promise<Privilege | undefined> {
    if (!this.privileges.has(id)) this.privileges.set(id, this.deps.directory.getPrivilege(id));
    return this.privileges.get(id)!;
  }

  /** Once per privilege and run; a failed resolution (an unknown workflow) fails each of its assignments. */
  private workflow(privilege: Privilege): Promise<ApprovalWorkflow> {
    if (!this.workflows.has(privilege.id)) this.workflows.set(privilege.id, resolveWorkflow(this.deps.directory, privilege, 'REAPPROVAL'));
    return this.workflows.get(privilege.id)!;
  }
}

/**
 * The approval store and outbox as this job run uses them: what it writes goes through, and it
 * remembers the runs it saved (each save is conditional on the version it read, so the run it wrote
 * is the stored one when it wrote it) and the notices it recorded new. `getApproval` answers from
 * the runs it saved, else from the store.
 */
class JobWrites implements ApprovalStore {
  private readonly saved = new Map<string, ApprovalRun>();
  /** Notices this run recorded (new keys only: one recorded by an earlier, killed run is left to the ordinary dispatch). */
  readonly notices: Notification[] = [];
  readonly outbox: Outbox;

  constructor(
    private readonly store: ApprovalStore,
    outbox: Outbox,
  ) {
    const notices = this.notices;
    this.outbox = {
      enqueue: async (batch) => {
        const fresh = new Set(await outbox.enqueue(batch));
        notices.push(...batch.filter((n) => fresh.has(n.key)));
        return [...fresh];
      },
      listDispatchable: (now) => outbox.listDispatchable(now),
      claim: (n, owner, now, claimSeconds) => outbox.claim(n, owner, now, claimSeconds),
      markSent: (n, messageId, at) => outbox.markSent(n, messageId, at),
      markFailed: (n, error, final) => outbox.markFailed(n, error, final),
      markSkipped: (n, reason) => outbox.markSkipped(n, reason),
      releaseClaims: (owner) => outbox.releaseClaims(owner),
      listByCampaign: (campaignId) => outbox.listByCampaign(campaignId),
      listByRun: (campaignId, runId, from) => outbox.listByRun(campaignId, runId, from),
      removeSettled: (batch, removal) => outbox.removeSettled(batch, removal),
      deleteRun: (campaignId, runId) => outbox.deleteRun(campaignId, runId),
    };
  }

  async createApproval(run: ApprovalRun): Promise<boolean> {
    const created = await this.store.createApproval(run);
    if (created) this.saved.set(run.id, run);
    return created;
  }

  async saveApproval(run: ApprovalRun): Promise<void> {
    try {
      await this.store.saveApproval(run);
    } catch (error) {
      // Someone else saved it meanwhile (a decision): what this run saved before is not the stored run any more.
      this.saved.delete(run.id);
      throw error;
    }
    this.saved.set(run.id, run);
  }

  async getApproval(id: string): Promise<ApprovalRun | undefined> {
    return this.saved.get(id) ?? this.store.getApproval(id);
  }

  /** Forgets the runs saved and the notices recorded (a chunk's, once dispatched). */
  clear(): void {
    this.saved.clear();
    this.notices.length = 0;
  }

  listApprovalTasks(approverId: string): Promise<ApprovalRun[]> {
    return this.store.listApprovalTasks(approverId);
  }

  listApprovalsNeedingAction(...args: Parameters<ApprovalStore['listApprovalsNeedingAction']>): ReturnType<ApprovalStore['listApprovalsNeedingAction']> {
    return this.store.listApprovalsNeedingAction(...args);
  }
}
