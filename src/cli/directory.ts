// `idgov directory load FILE` and `idgov directory show-user ID`.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import type { ApprovalRun, ReapprovalConfig } from '../../lambdas/shared/domain/approvals/model.js';
import { shownNextReapprovalAt } from '../../lambdas/shared/domain/approvals/reapproval-dates.js';
import { NotFoundError } from '../../lambdas/shared/domain/errors.js';
import type { Assignment } from '../../lambdas/shared/domain/model.js';
import { checkReferences, readDirectoryFile, type DirectoryFile } from '../local/directory-file.js';
import type { Runtime } from '../local/runtime.js';
import { countBy, formatCounts, out, outJson, resolveNow, showDate, table, withRuntime } from './context.js';

export function registerDirectoryCommands(program: Command): void {
  const directory = program.command('directory').description('load and inspect the directory (users, privileges, assignments)');

  directory
    .command('load')
    .description('load users, privileges and assignments from a JSON file, a CSV file or a folder of CSV files')
    .argument('<file>', 'directory.json, users.csv / privileges.csv / assignments.csv, or a folder holding them')
    .option('--by <name>', 'who loads it (written to the audit log)', 'idgov-cli')
    .option('--now <iso>', 'time of the load (default: now)')
    .option('--json', 'print the counts as JSON')
    .action(async (file: string, options: { by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      // Read and check the whole file before opening the store: a bad file changes nothing.
      const dir = await readDirectoryFile(file);
      const counts = await withRuntime(command, async (runtime) => {
        await checkAgainstStore(runtime, dir);
        const loaded = await loadDirectory({ directory: runtime.directory, audit: runtime.auditLog }, dir, options.by, now, basename(file));
        return {
          file,
          users: loaded.users,
          privileges: loaded.privileges,
          assignments: loaded.assignments,
          assignmentsByOrigin: countBy(dir.assignments, (a) => a.origin),
        };
      });
      if (options.json) return outJson(counts);
      out(
        `loaded ${counts.users} users, ${counts.privileges} privileges, ${counts.assignments} assignments ` +
          `(${formatCounts(counts.assignmentsByOrigin)}) from ${file}`,
      );
    });

  directory
    .command('show-user')
    .description('show a user and their assignments')
    .argument('<id>', 'user id')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { user, assignments } = await withRuntime(command, async (runtime) => {
        const user = await runtime.directory.getUser(id);
        if (!user) throw new NotFoundError('user', id);
        const assignments = await runtime.directory.listAssignmentsOfUser(id);
        return { user, assignments: await withReapproval(runtime, assignments) };
      });
      const view = { ...user, assignments: assignments.map(assignmentView) };
      if (options.json) return outJson(view);
      out(`${user.id}  ${user.displayName} <${user.email}>`);
      out(
        `  status ${user.status}, risk ${user.riskLevel ?? '-'}, department ${user.department ?? '-'}, manager ${user.managerId ?? '-'}`,
      );
      out(`  ${assignments.length} assignment${assignments.length === 1 ? '' : 's'} (${formatCounts(countBy(view.assignments, (a) => a.origin))})`);
      if (assignments.length === 0) return;
      out(
        table(
          ['privilegeId', 'origin', 'endDate', 'parameters', 'approved', 'next re-approval', 're-approval running'],
          view.assignments.map((a) => [
            a.privilegeId,
            a.origin,
            showDate(a.endDate),
            formatParameters(a.parameters),
            a.approvedAt ? `${showDate(a.approvedAt)}${a.approvedBy ? ` by ${a.approvedBy}` : ''}` : '-',
            a.nextReapprovalAt ? `${showDate(a.nextReapprovalAt)} (${a.reapprovalMode})` : (a.reapprovalMode ?? '-'),
            a.reapproval ? `${a.reapproval.approvalId} ${a.reapproval.state ?? ''} step ${a.reapproval.step ?? '-'}, due ${showDate(a.reapproval.dueDate)}` : '-',
          ]),
        ),
      );
    });
}

/** An assignment with what its re-approval looks like now: the run it has running, and the domain's scheduled date. */
interface AssignmentWithReapproval {
  assignment: Assignment;
  run?: ApprovalRun;
  scheduledDate?: string;
}

/**
 * Reads what show-user adds to each assignment: the approval run of a running re-approval, and (for
 * a SCHEDULED assignment) the domain's scheduled date. Nothing is read for an assignment without
 * re-approval state.
 */
async function withReapproval(runtime: Runtime, assignments: Assignment[]): Promise<AssignmentWithReapproval[]> {
  let config: Promise<ReapprovalConfig | undefined> | undefined;
  return Promise.all(
    assignments.map(async (assignment) => ({
      assignment,
      ...(assignment.reapproval ? { run: await runtime.approvals.getApproval(assignment.reapproval.approvalId) } : {}),
      // The domain's date is shown only for a SCHEDULED assignment that runs nothing.
      ...(assignment.reapprovalMode === 'SCHEDULED' && !assignment.reapproval
        ? { scheduledDate: (await (config ??= runtime.directory.getReapprovalConfig()))?.scheduledDate }
        : {}),
    })),
  );
}

/**
 * One assignment of `directory show-user`: its access, when it was granted and last approved, and
 * its re-approval: the next date (shownNextReapprovalAt; none while a re-approval runs: its run
 * decides the next one) and the run in progress, if any.
 */
function assignmentView({ assignment: a, run, scheduledDate }: AssignmentWithReapproval) {
  const next = a.reapproval ? undefined : shownNextReapprovalAt(a, { scheduledDate });
  return {
    privilegeId: a.privilegeId,
    origin: a.origin,
    endDate: a.endDate ?? null,
    parameters: a.parameters ?? {},
    grantedAt: a.grantedAt ?? null,
    approvedAt: a.approvedAt ?? null,
    approvedBy: a.approvedBy ?? null,
    nextReapprovalAt: next ?? null,
    reapprovalMode: a.reapprovalMode ?? null,
    reapproval: a.reapproval
      ? {
          approvalId: a.reapproval.approvalId,
          // A run being started (recorded on the assignment a moment before the run itself) has no state yet.
          state: run?.state ?? null,
          step: run ? run.stepIndex + 1 : null,
          approverIds: run?.approverIds ?? [],
          dueDate: run?.dueDate ?? null,
        }
      : null,
  };
}

/** `k=v` pairs; a modification's null value (the parameter is removed) shows as `k=(removed)`. */
export const formatParameters = (parameters: Record<string, string | null> | undefined): string =>
  parameters && Object.keys(parameters).length > 0
    ? Object.entries(parameters)
        .map(([k, v]) => `${k}=${v ?? '(removed)'}`)
        .join(' ')
    : '-';

/**
 * References the file does not resolve itself must exist in the store already. Only those ids are
 * looked up (batch gets), so loading a delta next to a large directory reads little.
 */
async function checkAgainstStore(runtime: Runtime, dir: DirectoryFile): Promise<void> {
  const fileUsers = new Set(dir.users.map((u) => u.id));
  const filePrivileges = new Set(dir.privileges.map((p) => p.id));
  const userRefs = new Set<string>();
  const privilegeRefs = new Set<string>();
  const wantUser = (id: string | undefined) => id !== undefined && !fileUsers.has(id) && userRefs.add(id);
  for (const u of dir.users) wantUser(u.managerId);
  for (const p of dir.privileges) p.ownerIds.forEach(wantUser);
  for (const a of dir.assignments) {
    wantUser(a.userId);
    if (!filePrivileges.has(a.privilegeId)) privilegeRefs.add(a.privilegeId);
  }
  const users = userRefs.size > 0 ? await runtime.directory.getUsers([...userRefs]) : new Map();
  const privileges = privilegeRefs.size > 0 ? await runtime.directory.getPrivileges([...privilegeRefs]) : new Map();
  checkReferences(dir, { userIds: new Set(users.keys()), privilegeIds: new Set(privileges.keys()) });
}
