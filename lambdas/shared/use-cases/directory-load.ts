// A directory load (`idgov directory load`, docs/reference/directory.md): users, privileges and
// assignments created or replaced, then recorded in the audit log's admin chain (who, when, how
// many, and the SHA-256 of what was loaded).
import { auditEvent, auditKey, digestOf } from '../domain/audit/events.js';
import { ADMIN_CHAIN, userActor } from '../domain/audit/model.js';
import type { DirectoryFile } from '../domain/schemas.js';
import { recordAfter } from './audit-trail.js';
import type { AuditLog, DirectoryStore } from './ports.js';

export interface DirectoryLoadResult {
  users: number;
  privileges: number;
  assignments: number;
  assignmentsByOrigin: Record<string, number>;
  /** SHA-256 of the loaded content's canonical JSON. */
  sha256: string;
}

/** Loads a validated directory file; `source` names it in the log (a file name). */
export async function loadDirectory(
  deps: { directory: DirectoryStore; audit: AuditLog },
  file: DirectoryFile,
  by: string,
  now: Date,
  source?: string,
): Promise<DirectoryLoadResult> {
  await deps.directory.putUsers(file.users);
  await deps.directory.putPrivileges(file.privileges);
  await deps.directory.putAssignments(file.assignments);
  const assignmentsByOrigin: Record<string, number> = {};
  for (const a of file.assignments) assignmentsByOrigin[a.origin] = (assignmentsByOrigin[a.origin] ?? 0) + 1;
  const result = { users: file.users.length, privileges: file.privileges.length, assignments: file.assignments.length, assignmentsByOrigin, sha256: digestOf(file) };
  const at = now.toISOString();
  await recordAfter(deps.audit, {
    chainId: ADMIN_CHAIN,
    eventKey: auditKey.directoryLoad(at, result.sha256),
    at,
    events: [auditEvent('DIRECTORY_LOADED', at, userActor(by), { ...result, source })],
  });
  return result;
}
