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
import { initialReapprovalDate } from '../../domain/approvals/reapproval-dates.js';
import type { ReapprovalMode, ReapprovalSettings } from '../../domain/approvals/model.js';
import type { Assignment, Privilege } from '../../domain/model.js';
import type { DirectoryStore, Log, ReapprovalDirectory } from '../ports.js';

export interface InitializeReapprovalDeps {
  directory: DirectoryStore & ReapprovalDirectory;
  log: Log;
}

export interface InitializeReapprovalResult {
  privileges: number;
  initialized: number;
  continuous: number;
  scheduled: number;
  /** Assignments in another mode than their privilege's now, sent back to initialization (and initialized again). */
  reset: number;
}

export async function initializeReapproval(deps: InitializeReapprovalDeps, now: Date): Promise<InitializeReapprovalResult> {
  const result: InitializeReapprovalResult = { privileges: 0, initialized: 0, continuous: 0, scheduled: 0, reset: 0 };
  for await (const page of deps.directory.listFlaggedPrivileges()) {
    for (const privilege of page) {
      const settings = privilege.reapproval;
      if (!settings) continue;
      result.privileges += 1;
      const walk = privilege.reapprovalInitializedFor !== settings.mode;
      const stillRunning = walk ? await moveHoldersOver(deps, privilege, settings, now, result) : 0;
      for await (const awaiting of deps.directory.listAwaitingInitialization(privilege.id)) {
        for (const assignment of awaiting) await initialize(deps, assignment, settings, now, result);
      }
      if (walk && stillRunning === 0) await deps.directory.recordReapprovalInitialized(privilege.id, settings.mode);
    }
  }
  deps.log.info('re-approval initialized', { ...result, now: now.toISOString() });
  return result;
}

/**
 * The walk after a change of mode (or a load that dropped the mark): every MANUAL holder in another
 * mode that runs nothing is reset and initialized for the privilege's mode now. Returns how many are
 * left in another mode because a re-approval runs on them (or started meanwhile).
 */
async function moveHoldersOver(
  deps: InitializeReapprovalDeps,
  privilege: Privilege,
  settings: ReapprovalSettings,
  now: Date,
  result: InitializeReapprovalResult,
): Promise<number> {
  let left = 0;
  for await (const page of deps.directory.listHoldersOfPrivilege(privilege.id, 'MANUAL')) {
    for (const assignment of page) {
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
  }
  if (left > 0) {
    deps.log.info('holders of a privilege whose re-approval mode changed are still running a re-approval; moved over once it ends', { privilegeId: privilege.id, left });
  }
  return left;
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
