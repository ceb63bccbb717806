// InitializeReapproval (docs/reference/reapproval.md): gives every flagged MANUAL assignment that has
// no re-approval state its next date (CONTINUOUS) or its place in the scheduled rounds (SCHEDULED).
// Reads the flagged privileges and, for each, only its assignments awaiting initialization. Each
// write is conditional on the assignment still awaiting: a re-run, or a run after a kill, redoes nothing.
//
// A privilege whose mode changed would strand the holders initialized for the old one (a SCHEDULED
// assignment is only read during a due round, and this job reads only the awaiting ones). So each
// flagged privilege carries the mode its holders were last initialized for
// (`reapprovalInitializedFor`); when it differs from the current mode, the run walks the privilege's
// MANUAL holders once, sends those in another mode back to initialization (resetReapproval) and
// initializes them at once, then records the mode. A directory load replaces the privilege record
// and drops the mark, which costs one such walk after each load; a holder whose re-approval is
// running keeps the mark from being written, so the walk is repeated daily until its run has ended
// and its outcome is applied (by the start-reapproval run after the decision: the next day's walk moves it).
//
// In time-budgeted chunks (forEachChunk, the budget checked between chunks): out of time, the run
// answers `resume` and a follow-up invocation continues. The cursor is the last privilege finished
// and, inside the next one, how far its walk went (a holder's user id: holders stay listed after
// they moved over, so a walk resumes past them). The awaiting assignments need no position: each
// one initialized leaves that index, so listing it again from its start reads only what is left
// (and, the index being eventually consistent, perhaps a few just initialized: their conditional
// write fails and changes nothing).
import { initialReapprovalDate } from '../../domain/approvals/reapproval-dates.js';
import type { ReapprovalMode, ReapprovalSettings } from '../../domain/approvals/model.js';
import type { Assignment, Privilege } from '../../domain/model.js';
import { forEachChunk, type ChunkLoopResult } from '../chunked.js';
import { UNLIMITED_BUDGET, type DirectoryStore, type Log, type ProgressSink, type ReapprovalDirectory, type TimeBudget } from '../ports.js';

export interface InitializeReapprovalDeps {
  directory: DirectoryStore & ReapprovalDirectory;
  log: Log;
  /** Told after each chunk where the run stands (the local CLI's progress line). */
  progress?: ProgressSink;
}

export interface InitializeReapprovalOptions {
  /** Default: unlimited (the whole run in one invocation). */
  budget?: TimeBudget;
  /** The `resume` of the invocation this one continues. */
  resume?: InitializeReapprovalCursor;
}

/**
 * Where a run stands between invocations: past the flagged privilege `afterPrivilege` (absent: from
 * the first); `current`, the privilege it stopped inside: how far its walk of holders went (past
 * `afterUserId`), whether the walk was over, and how many holders it left in another mode.
 * `done`: assignments worked on so far (progress).
 */
export interface InitializeReapprovalCursor {
  afterPrivilege?: string;
  current?: { privilegeId: string; afterUserId?: string; walked: boolean; left: number };
  done: number;
}

export interface InitializeReapprovalResult {
  privileges: number;
  initialized: number;
  continuous: number;
  scheduled: number;
  /** Assignments in another mode than their privilege's now, sent back to initialization (and initialized again). */
  reset: number;
  /** Present when the budget ran out before the run's end: where the next invocation resumes. */
  resume?: InitializeReapprovalCursor;
}

/** Assignments per chunk: one conditional write each. */
export const INITIALIZE_CHUNK_SIZE = 100;

export async function initializeReapproval(deps: InitializeReapprovalDeps, now: Date, options: InitializeReapprovalOptions = {}): Promise<InitializeReapprovalResult> {
  const result: InitializeReapprovalResult = { privileges: 0, initialized: 0, continuous: 0, scheduled: 0, reset: 0 };
  const budget = options.budget ?? UNLIMITED_BUDGET;
  const resume = options.resume ?? { done: 0 };
  let afterPrivilege = resume.afterPrivilege;
  let done = resume.done;
  const chunkDone = (chunk: unknown[]) => {
    done += chunk.length;
    deps.progress?.({ job: 'initialize-reapproval', phase: 'INITIALIZE', unit: 'assignments', done });
  };
  const stop = (current?: InitializeReapprovalCursor['current']) => {
    result.resume = { ...(afterPrivilege === undefined ? {} : { afterPrivilege }), ...(current ? { current } : {}), done };
    deps.log.info('re-approval initialization out of time: a continuation resumes', { ...result, now: now.toISOString() });
    return result;
  };

  // Whether this invocation did some work: the budget is checked only then (each invocation makes progress).
  let worked = false;
  for await (const page of deps.directory.listFlaggedPrivileges(afterPrivilege === undefined ? {} : { after: afterPrivilege })) {
    for (const privilege of page) {
      const settings = privilege.reapproval;
      if (!settings) continue;
      // Out of time before the next privilege (and only if there is one: a finished run never asks for a continuation).
      if (worked && !budget.hasTimeLeft()) return stop();
      // Where the last invocation stopped inside this privilege (none if it was unflagged meanwhile): counted there.
      const resumed = resume.current?.privilegeId === privilege.id ? resume.current : undefined;
      if (!resumed) result.privileges += 1;
      const walk = privilege.reapprovalInitializedFor !== settings.mode;
      let left = resumed?.left ?? 0;
      if (walk && !resumed?.walked) {
        const walked = await moveHoldersOver(deps, privilege, settings, now, result, budget, resumed?.afterUserId, chunkDone);
        left += walked.left;
        worked ||= walked.records > 0;
        if (!walked.done) return stop({ privilegeId: privilege.id, afterUserId: walked.after!, walked: false, left });
        if (left > 0) {
          deps.log.info('holders of a privilege whose re-approval mode changed are still running a re-approval; moved over once it ends', { privilegeId: privilege.id, left });
        }
      }
      const awaiting = await forEachChunk<Assignment>({
        // No position: an initialized assignment leaves the index (see the file's head).
        pages: () => deps.directory.listAwaitingInitialization(privilege.id),
        keyOf: (a) => a.userId,
        budget,
        chunkSize: INITIALIZE_CHUNK_SIZE,
        work: async (chunk) => {
          for (const assignment of chunk) await initialize(deps, assignment, settings, now, result);
        },
        checkpoint: async (_last, chunk) => void chunkDone(chunk),
      });
      if (!awaiting.done) return stop({ privilegeId: privilege.id, walked: true, left });
      worked ||= awaiting.records > 0;
      if (walk && left === 0) await deps.directory.recordReapprovalInitialized(privilege.id, settings.mode);
      afterPrivilege = privilege.id;
    }
  }
  deps.log.info('re-approval initialized', { ...result, now: now.toISOString() });
  return result;
}

/**
 * The walk after a change of mode (or a load that dropped the mark): every MANUAL holder in another
 * mode that runs nothing is reset and initialized for the privilege's mode now, from past `afterUserId`.
 * `left`: how many it found still in another mode because a re-approval runs on them (or started meanwhile).
 */
async function moveHoldersOver(
  deps: InitializeReapprovalDeps,
  privilege: Privilege,
  settings: ReapprovalSettings,
  now: Date,
  result: InitializeReapprovalResult,
  budget: TimeBudget,
  afterUserId: string | undefined,
  chunkDone: (chunk: unknown[]) => void,
): Promise<ChunkLoopResult & { left: number }> {
  let left = 0;
  const walked = await forEachChunk<Assignment>({
    pages: (after) => (after === undefined ? deps.directory.listHoldersOfPrivilege(privilege.id, 'MANUAL') : deps.directory.listHoldersOfPrivilege(privilege.id, 'MANUAL', { after })),
    keyOf: (a) => a.userId,
    ...(afterUserId === undefined ? {} : { after: afterUserId }),
    budget,
    chunkSize: INITIALIZE_CHUNK_SIZE,
    work: async (chunk) => {
      for (const assignment of chunk) {
        if (assignment.origin !== 'MANUAL' || !inAnotherMode(assignment, settings.mode)) continue;
        if (assignment.reapproval) {
          left += 1;
          continue;
        }
        if (await deps.directory.resetReapproval(assignment.userId, assignment.privilegeId)) result.reset += 1;
        else if (await stillInAnotherMode(deps, assignment, settings.mode)) {
          left += 1;
          continue;
        }
        // Initialized now, from what was read: the awaiting index may not show it yet (it is eventually consistent).
        const { reapprovalMode: _old, ...awaiting } = assignment;
        await initialize(deps, awaiting, settings, now, result);
      }
    },
    checkpoint: async (_last, chunk) => void chunkDone(chunk),
  });
  return { ...walked, left };
}

/**
 * After a reset that did not apply: whether the holder is still held in another mode (a re-approval
 * started on it meanwhile). Gone, or awaiting initialization (reset already: by another run, or by
 * this very reset, applied but its answer lost and its retry refused), it is not.
 */
async function stillInAnotherMode(deps: InitializeReapprovalDeps, assignment: Assignment, mode: ReapprovalMode): Promise<boolean> {
  const current = await deps.directory.getAssignment(assignment.userId, assignment.privilegeId);
  return current !== undefined && current.origin === 'MANUAL' && (current.reapproval !== undefined || inAnotherMode(current, mode));
}

const inAnotherMode = (assignment: Assignment, mode: ReapprovalMode) => assignment.reapprovalMode !== undefined && assignment.reapprovalMode !== mode;

async function initialize(deps: InitializeReapprovalDeps, assignment: Assignment, settings: ReapprovalSettings, now: Date, result: InitializeReapprovalResult): Promise<void> {
  if (assignment.origin !== 'MANUAL') return;
  const plan =
    settings.mode === 'CONTINUOUS'
      ? { mode: 'CONTINUOUS' as const, nextReapprovalAt: initialReapprovalDate(assignment, settings.intervalDays, now) }
      : { mode: 'SCHEDULED' as const };
  if (!(await deps.directory.initializeReapproval(assignment.userId, assignment.privilegeId, plan))) return;
  result.initialized += 1;
  if (plan.mode === 'CONTINUOUS') result.continuous += 1;
  else result.scheduled += 1;
}

/** Two invocations of one run as one result (the local runtime's loop over continuations). */
export function addInitializeReapprovalResults(a: InitializeReapprovalResult, b: InitializeReapprovalResult): InitializeReapprovalResult {
  return {
    privileges: a.privileges + b.privileges,
    initialized: a.initialized + b.initialized,
    continuous: a.continuous + b.continuous,
    scheduled: a.scheduled + b.scheduled,
    reset: a.reset + b.reset,
    ...(b.resume ? { resume: b.resume } : {}),
  };
}
