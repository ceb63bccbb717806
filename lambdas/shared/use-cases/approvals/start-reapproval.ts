// StartReapproval (docs/reference/reapproval.md): starts the workflow of every CONTINUOUS assignment
// whose date has come and, on the domain's scheduled date, of every SCHEDULED one (once); moves on
// every approval run that needs it (reminders, timeouts, outcomes); then sends what the outbox holds.
import type { DispatchResult } from '../dispatch-notifications.js';
import type { Clock, Mailer } from '../ports.js';
import type { ApprovalDeps } from './approval-engine.js';

export interface StartReapprovalDeps extends ApprovalDeps {
  mailer: Mailer;
  /** Real time, for the outbox's claims. */
  wallClock: Clock;
}

export interface StartReapprovalResult {
  /** Re-approvals started by this run, by mode. */
  started: { continuous: number; scheduled: number };
  /** The scheduled round of this run's date, when one is due. */
  round?: { date: string; completed: boolean };
  /** Assignments sent back to initialization (privilege unflagged or mode changed). */
  reset: number;
  /** Assignments whose start failed (an unknown workflow, a directory error): retried next run. */
  failed: number;
  /** Approval runs moved on, and how those that ended ended. */
  progressed: number;
  approved: number;
  rejected: number;
  escalated: number;
  reminded: number;
  dispatch: DispatchResult;
}

export async function startReapproval(_deps: StartReapprovalDeps, _now: Date): Promise<StartReapprovalResult> {
  throw new Error('startReapproval: not implemented yet (issue 8, engine branch)');
}
