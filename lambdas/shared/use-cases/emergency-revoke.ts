// Emergency access removal (docs/reference/operations.md, "Emergency access removal"): every
// MANUAL assignment of one user removed at once, each removal recorded with who and why. Rule-based
// and inherited assignments are never touched (they come back from their source). Resumable: each
// removal is recorded REMOVING before it is made and completed after, and a re-run completes the
// records a killed request left pending instead of writing others. A protected user or privilege
// (docs/reference/guards.md) is never removed: its assignments are recorded NOT_REMOVED, naming the
// protection, and everything else of the user is removed as asked.
import { describeProtection, protectionOf, type Protection } from '../domain/blast-radius.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Assignment } from '../domain/model.js';
import { auditEvent, auditKey } from '../domain/audit/events.js';
import { ADMIN_CHAIN, userActor } from '../domain/audit/model.js';
import { recordAfter } from './audit-trail.js';
import { mapLimit } from './concurrency.js';
import type { AccessRemoval, AuditLog, Clock, DirectoryStore, OperationsStore, RemovalCompletion } from './ports.js';

/** Assignments removed at once. */
const REVOKE_CONCURRENCY = 4;

export interface EmergencyRevokeRequest {
  userId: string;
  /** Why, in words: kept with every removal. */
  reason: string;
  /** Who asked (an operator, an SSM execution's principal). */
  by: string;
  /** The request (a CLI invocation, an SSM execution id). */
  requestId: string;
  /** Optional: what authenticates `by` (an SSM automation execution id), kept with every removal. */
  requestRef?: string;
}

export interface EmergencyRevokeResult {
  userId: string;
  /** The removals this call recorded and made (status REMOVED). */
  removed: AccessRemoval[];
  /** Removals an earlier, interrupted request had recorded, which this call completed as REMOVED. */
  alreadyRecorded: number;
  /**
   * Left in place, recorded NOT_REMOVED with the reason: no longer MANUAL when removed, or kept by
   * the blast-radius guard (a protected user or privilege; the reason begins KEPT_BY_GUARD_PREFIX).
   */
  notRemoved: AccessRemoval[];
}

/** Why an assignment was not removed: it stopped being MANUAL between the listing and the removal. */
export const NOT_MANUAL_REASON =
  'the assignment is no longer MANUAL (a rule or a group grants it now): change that source to remove it';

/** How a removal the blast-radius guard refused is recorded (NOT_REMOVED): the reason begins with this. */
export const KEPT_BY_GUARD_PREFIX = 'kept by the blast-radius guard: ';

/** Why a protected assignment was not removed, and what would remove it. */
export const keptByGuardReason = (p: Protection): string =>
  `${KEPT_BY_GUARD_PREFIX}${describeProtection(p)} (no emergency removal removes it: take the protection off in the directory file first)`;

/** The same grant: a pending record of another grant is of an assignment that is gone. */
const sameGrant = (record: AccessRemoval, assignment: Assignment) => record.approvedAt === assignment.approvedAt;

/**
 * Removes every MANUAL assignment of the user, each under a record: written REMOVING first, then
 * the assignment removed, then the record completed REMOVED (or NOT_REMOVED when the directory
 * answers that the assignment is no longer MANUAL). A re-run, under any request id:
 * - completes each REMOVING record an interrupted request left (removing the assignment if it is
 *   still there: the removal is idempotent) instead of writing another for the same grant;
 * - completes as REMOVED a pending record whose grant is gone (the assignment held now was granted
 *   at another time), and records the new grant's removal apart;
 * - of its own request, skips privileges whose record that request already completed.
 */
export async function emergencyRevoke(
  deps: { directory: DirectoryStore; operations: OperationsStore; clock: Clock; audit: AuditLog },
  request: EmergencyRevokeRequest,
): Promise<EmergencyRevokeResult> {
  const userId = request.userId?.trim() ?? '';
  const reason = request.reason?.trim() ?? '';
  const by = request.by?.trim() ?? '';
  const requestId = request.requestId?.trim() ?? '';
  const requestRef = request.requestRef?.trim() || undefined;
  if (!userId) throw new ValidationError('must not be empty', 'userId');
  if (!reason) throw new ValidationError('must not be empty: say why the access is removed', 'reason');
  if (!by) throw new ValidationError('must not be empty: say who removes the access', 'by');
  if (!requestId) throw new ValidationError('must not be empty', 'requestId');

  const user = await deps.directory.getUser(userId);
  if (!user) throw new NotFoundError('user', userId);
  const manual = (await deps.directory.listAssignmentsOfUser(userId)).filter((a) => a.origin === 'MANUAL');
  const records = await deps.operations.listRemovals(userId);
  const removedAt = deps.clock.now().toISOString();

  // What to do, per privilege: the MANUAL assignment held, and the pending records of it.
  const targets = new Map<string, { assignment?: Assignment; pending: AccessRemoval[] }>();
  const doneByThisRequest = new Set(records.filter((r) => r.requestId === requestId && r.status !== 'REMOVING').map((r) => r.privilegeId));
  for (const assignment of manual) {
    if (!doneByThisRequest.has(assignment.privilegeId)) targets.set(assignment.privilegeId, { assignment, pending: [] });
  }
  for (const record of records.filter((r) => r.status === 'REMOVING')) {
    const target = targets.get(record.privilegeId) ?? { pending: [] };
    target.pending.push(record);
    targets.set(record.privilegeId, target);
  }

  const removed: AccessRemoval[] = [];
  const notRemoved: AccessRemoval[] = [];
  let alreadyRecorded = 0;
  const complete = async (record: AccessRemoval, completion: RemovalCompletion, own: boolean) => {
    // False: a concurrent run completed it first, and counts it.
    if (!(await deps.operations.completeRemoval(record, completion))) return;
    const done: AccessRemoval = {
      ...record,
      status: completion.status,
      completedAt: completion.at,
      ...(completion.notRemovedReason ? { notRemovedReason: completion.notRemovedReason } : {}),
    };
    if (done.status === 'NOT_REMOVED') notRemoved.push(done);
    else if (own) removed.push(done);
    else alreadyRecorded += 1;
  };

  const privileges = [...targets.keys()].sort();
  // The guard reads the privileges as they are now (the user is read above): one batch.
  const privilegeRecords = privileges.length > 0 ? await deps.directory.getPrivileges(privileges) : new Map<string, never>();
  await mapLimit(privileges, REVOKE_CONCURRENCY, async (privilegeId) => {
    const { assignment, pending } = targets.get(privilegeId)!;
    const at = () => deps.clock.now().toISOString();
    // A pending record of another grant: that grant is gone, so its removal was made.
    const otherGrant = assignment ? pending.filter((r) => !sameGrant(r, assignment)) : [];
    for (const record of otherGrant) await complete(record, { status: 'REMOVED', at: at() }, false);
    const resumed = assignment ? pending.filter((r) => sameGrant(r, assignment)) : pending;

    let own: AccessRemoval | undefined;
    if (assignment && resumed.length === 0) {
      const record: AccessRemoval = {
        userId,
        privilegeId,
        origin: 'MANUAL',
        ...(assignment.approvedAt ? { approvedAt: assignment.approvedAt } : {}),
        ...(assignment.approvedBy ? { approvedBy: assignment.approvedBy } : {}),
        removedAt,
        removedBy: by,
        reason,
        requestId,
        ...(requestRef ? { requestRef } : {}),
        status: 'REMOVING',
      };
      // Recorded first: a removal is never made without its record.
      if (await deps.operations.recordRemoval(record)) own = record;
      else {
        // This request recorded it already (a concurrent run of the same request): go on with that record if still pending.
        const mine = (await deps.operations.listRemovals(userId)).find((r) => r.privilegeId === privilegeId && r.requestId === requestId);
        if (mine?.status !== 'REMOVING') return;
        own = mine;
      }
    }
    if (!own && resumed.length === 0) return;

    // Checked where the removal would be made, so that a pending record resumed after the protection was set is kept too.
    const protection = protectionOf(user, privilegeRecords.get(privilegeId));
    const outcome = protection ? 'PROTECTED' : await deps.directory.removeAssignment(userId, privilegeId);
    const completion: RemovalCompletion =
      outcome === 'REMOVED'
        ? { status: 'REMOVED', at: at() }
        : { status: 'NOT_REMOVED', at: at(), notRemovedReason: protection ? keptByGuardReason(protection) : NOT_MANUAL_REASON };
    if (own) await complete(own, completion, true);
    for (const record of resumed) await complete(record, completion, false);
  });
  const byPrivilege = (a: AccessRemoval, b: AccessRemoval) => (a.privilegeId < b.privilegeId ? -1 : a.privilegeId > b.privilegeId ? 1 : 0);
  const result = { userId, removed: removed.sort(byPrivilege), alreadyRecorded, notRemoved: notRemoved.sort(byPrivilege) };
  // The admin chain, once the removals are made: the request, and each removal it made.
  const at = deps.clock.now().toISOString();
  const actor = userActor(by);
  await recordAfter(deps.audit, {
    chainId: ADMIN_CHAIN,
    eventKey: auditKey.emergency(requestId, userId),
    at,
    events: [
      auditEvent('EMERGENCY_REVOCATION', removedAt, actor, {
        userId,
        reason,
        by,
        requestId,
        requestRef,
        removed: result.removed.map((r) => r.privilegeId),
        notRemoved: result.notRemoved.map((r) => ({ privilegeId: r.privilegeId, reason: r.notRemovedReason ?? NOT_MANUAL_REASON })),
        completedEarlierRequests: alreadyRecorded,
      }),
      ...(result.removed.length > 0
        ? [
            auditEvent('ASSIGNMENT_REVOKED', at, actor, {
              requestId,
              items: result.removed.map((r) => ({ userId, privilegeId: r.privilegeId, reason: `emergency removal: ${reason}`, approvedAt: r.approvedAt ?? null, approvedBy: r.approvedBy ?? null, removedAt: r.completedAt ?? at })),
            }),
          ]
        : []),
    ],
  });
  return result;
}
