// InitializeReapproval (docs/reference/reapproval.md): gives every flagged MANUAL assignment that has
// no re-approval state its next date (CONTINUOUS) or its place in the scheduled rounds (SCHEDULED).
// Reads the flagged privileges and, for each, only its assignments awaiting initialization. Each
// write is conditional on the assignment still awaiting: a re-run, or a run after a kill, redoes nothing.
import { initialReapprovalDate } from '../../domain/approvals/reapproval-dates.js';
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
}

export async function initializeReapproval(deps: InitializeReapprovalDeps, now: Date): Promise<InitializeReapprovalResult> {
  const result: InitializeReapprovalResult = { privileges: 0, initialized: 0, continuous: 0, scheduled: 0 };
  for await (const page of deps.directory.listFlaggedPrivileges()) {
    for (const privilege of page) {
      const settings = privilege.reapproval;
      if (!settings) continue;
      result.privileges += 1;
      for await (const awaiting of deps.directory.listAwaitingInitialization(privilege.id)) {
        for (const assignment of awaiting) {
          if (assignment.origin !== 'MANUAL') continue;
          const plan =
            settings.mode === 'CONTINUOUS'
              ? { mode: 'CONTINUOUS' as const, nextReapprovalAt: initialReapprovalDate(assignment, settings.intervalDays, now) }
              : { mode: 'SCHEDULED' as const };
          if (!(await deps.directory.initializeReapproval(assignment.userId, assignment.privilegeId, plan))) continue;
          result.initialized += 1;
          if (plan.mode === 'CONTINUOUS') result.continuous += 1;
          else result.scheduled += 1;
        }
      }
    }
  }
  deps.log.info('re-approval initialized', { ...result, now: now.toISOString() });
  return result;
}
