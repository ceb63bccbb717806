// InitializeReapproval (docs/reference/reapproval.md): gives every flagged MANUAL assignment that has
// no re-approval state its next date (CONTINUOUS) or its place in the scheduled rounds (SCHEDULED).
// Reads the flagged privileges and, for each, only its assignments awaiting initialization.
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

export async function initializeReapproval(_deps: InitializeReapprovalDeps, _now: Date): Promise<InitializeReapprovalResult> {
  throw new Error('initializeReapproval: not implemented yet (issue 8, engine branch)');
}
