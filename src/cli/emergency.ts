// `idgov emergency revoke --user U --reason TEXT [--by B]`: every manual assignment of a user removed
// at once, outside any campaign, each removal recorded with who and why (the operations table).
// With --aws the deployed emergency-access function does it, with its own role.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { AccessRemoval } from '../../lambdas/shared/use-cases/ports.js';
import { emergencyRevoke, KEPT_BY_GUARD_PREFIX } from '../../lambdas/shared/use-cases/emergency-revoke.js';
import { out, outJson, resolveNow, showDate, withRuntime } from './context.js';

export function registerEmergencyCommands(program: Command): void {
  const emergency = program.command('emergency').description('emergency access removal');

  emergency
    .command('revoke')
    .description("remove every MANUAL assignment of a user at once (RULE and INHERITED access is the source system's), recording each removal with who and why")
    .requiredOption('--user <userId>', 'the user whose manual access is removed')
    .requiredOption('--reason <text>', 'why (recorded with each removal)')
    .option('--by <name>', 'who removes it (recorded with each removal; default idgov-cli locally, required with --aws)')
    .option('--now <iso>', 'time of the removal (default: now; not with --aws, where the function\'s clock says it)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { user: string; reason: string; by?: string; now?: string; json?: boolean }, command: Command) => {
      const result = await withRuntime(command, async (runtime) => {
        if (runtime.mode === 'aws') {
          if (options.now !== undefined) throw new ValidationError("only for local runs; on AWS the removal is made at the function's clock", 'now');
          // A production removal names a person, not the tool. (The caller's STS identity would be the
          // better default, but @aws-sdk/client-sts is not a dependency; the automation document
          // records the caller through Systems Manager.)
          if (options.by === undefined) throw new ValidationError('is required with --aws: say who removes the access (your name or email)', 'by');
        }
        const request = { userId: options.user, reason: options.reason, by: options.by ?? 'idgov-cli' };
        if (runtime.mode === 'aws') {
          if (!runtime.deployment) throw new Error('an aws runtime without its deployment');
          const { emergencyAccessFunction } = await import('../aws/job-function.js');
          return emergencyAccessFunction(runtime.deployment).revoke(request);
        }
        const now = resolveNow(options.now);
        return emergencyRevoke(
          { directory: runtime.directory, operations: runtime.operations, audit: runtime.auditLog, clock: { now: () => now } },
          { ...request, requestId: `idgov-cli-${randomUUID()}` },
        );
      });
      if (options.json) return outJson(result);
      for (const removal of [...result.removed, ...result.notRemoved]) out(describeRemoval(removal));
      // Those an interrupted earlier request had recorded are removed now too, recorded once.
      const total = result.removed.length + result.alreadyRecorded;
      const kept = result.notRemoved.length;
      const guarded = result.notRemoved.filter((r) => r.notRemovedReason?.startsWith(KEPT_BY_GUARD_PREFIX)).length;
      out(
        total === 0 && kept === 0
          ? `${result.userId} holds no manual assignment: nothing removed`
          : `${total} manual assignment${total === 1 ? '' : 's'} of ${result.userId} removed` +
              (result.alreadyRecorded > 0 ? ` (${result.alreadyRecorded} of them recorded by an interrupted earlier request)` : '') +
              (guarded > 0 ? `; ${guarded} kept by the blast-radius guard (protected)` : '') +
              (kept - guarded > 0 ? `; ${kept - guarded} no longer MANUAL, left in place` : ''),
      );
    });

  emergency
    .command('removals')
    .description('list the emergency removals recorded for a user (who, when, why), oldest first')
    .requiredOption('--user <userId>', 'the user')
    .option('--json', 'print as JSON')
    .action(async (options: { user: string; json?: boolean }, command: Command) => {
      const removals = (await withRuntime(command, (runtime) => runtime.operations.listRemovals(options.user))).sort(
        (a, b) => a.removedAt.localeCompare(b.removedAt) || a.privilegeId.localeCompare(b.privilegeId),
      );
      if (options.json) return outJson(removals);
      if (removals.length === 0) return out(`no emergency removal is recorded for ${options.user}`);
      for (const removal of removals) out(describeRemoval(removal));
    });
}

const describeRemoval = (r: AccessRemoval): string => {
  const grant = r.approvedAt ? `, granted ${showDate(r.approvedAt)}${r.approvedBy ? ` by ${r.approvedBy}` : ''}` : '';
  const ref = r.requestRef ? ` (${r.requestRef})` : '';
  const what = `${r.privilegeId} of ${r.userId} (MANUAL${grant}), asked at ${showDate(r.removedAt)} by ${r.removedBy}${ref}: ${r.reason}`;
  if (r.status === 'REMOVED') return `removed ${what}`;
  if (r.status === 'NOT_REMOVED') return `not removed ${what}; ${r.notRemovedReason ?? 'left in place'}`;
  return `removing ${what} (interrupted: run the same command again to finish it)`;
};
