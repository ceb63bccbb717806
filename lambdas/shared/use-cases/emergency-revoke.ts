// Emergency access removal (docs/reference/operations.md, "Emergency access removal"): every
// MANUAL assignment of one user removed at once, each removal recorded with who and why. Rule-based
// and inherited assignments are never touched (they come back from their source). Resumable: the
// record is written before the removal, and a re-run after a kill finishes without a second record.
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { mapLimit } from './concurrency.js';
import type { AccessRemoval, Clock, DirectoryStore, OperationsStore } from './ports.js';

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
}

export interface EmergencyRevokeResult {
  userId: string;
  /** The removals this call recorded and made. */
  removed: AccessRemoval[];
  /** Assignments this call removed whose removal an earlier, interrupted call had already recorded. */
  alreadyRecorded: number;
}

export async function emergencyRevoke(
  deps: { directory: DirectoryStore; operations: OperationsStore; clock: Clock },
  request: EmergencyRevokeRequest,
): Promise<EmergencyRevokeResult> {
  const userId = request.userId?.trim() ?? '';
  const reason = request.reason?.trim() ?? '';
  const by = request.by?.trim() ?? '';
  if (!userId) throw new ValidationError('must not be empty', 'userId');
  if (!reason) throw new ValidationError('must not be empty: say why the access is removed', 'reason');
  if (!by) throw new ValidationError('must not be empty: say who removes the access', 'by');
  if (!request.requestId?.trim()) throw new ValidationError('must not be empty', 'requestId');

  const user = await deps.directory.getUser(userId);
  if (!user) throw new NotFoundError('user', userId);
  const manual = (await deps.directory.listAssignmentsOfUser(userId)).filter((a) => a.origin === 'MANUAL');
  const removedAt = deps.clock.now().toISOString();

  const outcomes = await mapLimit(manual, REVOKE_CONCURRENCY, async (assignment) => {
    const removal: AccessRemoval = {
      userId,
      privilegeId: assignment.privilegeId,
      origin: 'MANUAL',
      ...(assignment.approvedAt ? { approvedAt: assignment.approvedAt } : {}),
      ...(assignment.approvedBy ? { approvedBy: assignment.approvedBy } : {}),
      removedAt,
      removedBy: by,
      reason,
      requestId: request.requestId,
    };
    // Recorded first: a removal is never made without its record.
    const recorded = await deps.operations.recordRemoval(removal);
    await deps.directory.removeAssignment(userId, assignment.privilegeId);
    return { removal, recorded };
  });
  return {
    userId,
    removed: outcomes.filter((o) => o.recorded).map((o) => o.removal),
    alreadyRecorded: outcomes.filter((o) => !o.recorded).length,
  };
}
