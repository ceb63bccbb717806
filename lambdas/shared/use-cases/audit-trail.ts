// How the use cases write the audit log (docs/reference/audit-log-events.md, "Write order"):
// - a job records a change BEFORE it makes it, under a key deterministic from the change, so that a
//   re-run after a kill finds its record (and writes none) and finishes the change; a change that
//   then loses to a concurrent writer (ConflictError) is marked CHANGE_ABANDONED;
// - a request records a change AFTER it made it (the log never shows a refused request).
import { auditEvent, auditKey, splitRecord } from '../domain/audit/events.js';
import type { AuditAppend, AuditRecord } from '../domain/audit/model.js';
import { ConflictError } from '../domain/errors.js';
import type { AuditLog, Log } from './ports.js';

export interface AuditDeps {
  audit: AuditLog;
  /** Where a failed CHANGE_ABANDONED append is reported (it never hides the conflict itself). */
  log?: Log;
}

/** Appends the record (as several parts if large); nothing when it holds no event. */
export async function appendRecord(audit: AuditLog, draft: AuditAppend): Promise<void> {
  if (draft.events.length === 0) return;
  for (const part of splitRecord(draft)) await audit.append(part);
}

/** A request's change, made: its record. */
export const recordAfter = appendRecord;

/**
 * A job's change: its record first, then `change()`. If the change fails with a ConflictError
 * (someone else saved the record meanwhile, so this change was not made), a CHANGE_ABANDONED record
 * names the key of the record that announced it; the conflict is rethrown either way.
 */
export async function recordThenChange<T>(deps: AuditDeps, draft: AuditAppend, change: () => Promise<T>): Promise<T> {
  await appendRecord(deps.audit, draft);
  try {
    return await change();
  } catch (error) {
    if (error instanceof ConflictError && draft.events.length > 0) await abandon(deps, draft, error);
    throw error;
  }
}

async function abandon(deps: AuditDeps, draft: AuditAppend, error: ConflictError): Promise<void> {
  const first = draft.events[0]!;
  const parts = splitRecord(draft).length;
  try {
    await deps.audit.append({
      ...draft,
      eventKey: auditKey.abandoned(draft.eventKey),
      events: [auditEvent('CHANGE_ABANDONED', draft.at, first.actor, { eventKey: draft.eventKey, ...(parts > 1 ? { parts } : {}), reason: error.message })],
    });
  } catch (failure) {
    deps.log?.error('could not record an abandoned change in the audit log', { eventKey: draft.eventKey, error: String(failure) });
  }
}

/**
 * The log as one job run uses it: its appends one at a time, in the order they are asked for. A
 * job's concurrent steps (entries moved eight at a time, sends four at a time) append to the same
 * chain, and concurrent appends to a chain race for its next number, each loser paying another
 * conditional write and two reads; queued, none loses.
 */
export function oneAppendAtATime(audit: AuditLog): AuditLog {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    append(draft: AuditAppend): Promise<AuditRecord> {
      const appended = tail.then(() => audit.append(draft));
      // The next append waits for this one to settle, whatever its outcome (its caller sees the failure).
      tail = appended.catch(() => undefined);
      return appended;
    },
    listRecords: (chainId, options) => audit.listRecords(chainId, options),
    head: (chainId) => audit.head(chainId),
  };
}
