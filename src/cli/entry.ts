// `idgov entry set ENTRY_ID --state S | --due-date D | --approver U` and
// `idgov entry reassign ENTRY_ID --to U --justification T [--extend-days N] [--as U]`.
import type { Command } from 'commander';
import { isApprovalId } from '../../lambdas/shared/domain/approvals/model.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { changeEntry, nameEntryApprover } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { reassignEntry, type Actor } from '../../lambdas/shared/use-cases/reassign-entry.js';
import { approverPortalUrl } from '../local/runtime.js';
import { out, outJson, resolveNow, showDate, withRuntime } from './context.js';

export function registerEntryCommands(program: Command): void {
  const entry = program.command('entry').description('change one certification entry');

  entry
    .command('set')
    .description(
      'change the state (e.g. reopen FAILED.EXPIRED as RUNNING) or the due date of one entry, ' +
        'or name the approver of a FAILED.PREPARE entry (--approver: it runs, and the approver gets Approval Start)',
    )
    .argument('<entryId>', 'entry id')
    .option('--state <state>', 'new state: RUNNING or FAILED.EXPIRED')
    .option('--due-date <iso>', 'new due date (with --approver: instead of the default, see README)')
    .option('--approver <userId>', 'FAILED.PREPARE only: the approver (an ACTIVE directory user, not one whose access the entry certifies)')
    .option('--by <name>', 'who makes the change (written to the campaign log; with --approver, to the entry too)', 'idgov-cli')
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print the changed entry as JSON')
    .action(async (entryId: string, options: EntrySetOptions, command: Command) => {
      const now = resolveNow(options.now);
      if (options.approver !== undefined) {
        if (options.state !== undefined) throw new ValidationError('--approver makes the entry RUNNING; give no --state with it', 'state');
        const result = await withRuntime(command, (runtime) =>
          nameEntryApprover(
            { campaigns: runtime.campaigns, directory: runtime.directory, outbox: runtime.outbox, audit: runtime.auditLog, portalUrl: approverPortalUrl(runtime) },
            { entryId, approverId: options.approver!, dueDate: options.dueDate, by: options.by },
            now,
          ),
        );
        const e = result.entry;
        if (options.json) {
          return outJson({ id: e.id, campaignId: e.campaignId, state: e.state, dueDate: e.dueDate, approverIds: e.approverIds, notification: result.notification });
        }
        return out(
          `entry ${e.id}: approver ${e.approverIds[0]} named by ${options.by}; state ${e.state}, due ${showDate(e.dueDate)}; ` +
            `Approval Start to ${e.approverIds[0]} ${result.notification.status === 'PENDING' ? 'queued (sent by the next controller run)' : result.notification.status}`,
        );
      }
      const changed = await withRuntime(command, (runtime) =>
        changeEntry({ campaigns: runtime.campaigns, audit: runtime.auditLog }, entryId, { state: options.state, dueDate: options.dueDate, by: options.by }, now),
      );
      if (options.json) {
        return outJson({ id: changed.id, campaignId: changed.campaignId, state: changed.state, dueDate: changed.dueDate, approverIds: changed.approverIds });
      }
      out(`entry ${changed.id}: state ${changed.state}, due ${showDate(changed.dueDate)}`);
    });

  entry
    .command('reassign')
    .description('hand an entry to another approver, with a justification; the new approver gets Approval Start')
    .argument('<entryId>', 'entry id')
    .requiredOption('--to <userId>', 'the new approver (an ACTIVE directory user)')
    .requiredOption('--justification <text>', 'why (at least 10 characters); recorded with who and when')
    .option('--extend-days <n>', 'also move the due date by this many days (1 to 365)')
    .option('--as <userId>', "act as this approver or campaign owner (default: the administrator, who may reassign any entry)")
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print the result as JSON')
    .action(async (entryId: string, options: ReassignOptions, command: Command) => {
      const now = resolveNow(options.now);
      // An approval run's approvers are its workflow step's (and its escalation's), as the API says too.
      if (isApprovalId(entryId)) throw new ValidationError('a re-approval is not reassigned', 'id');
      const actor: Actor = options.as !== undefined ? { kind: 'user', userId: options.as } : { kind: 'administrator', name: 'administrator' };
      const input = {
        to: options.to,
        justification: options.justification,
        ...(options.extendDays !== undefined ? { extendDays: wholeNumber(options.extendDays, 'extendDays') } : {}),
      };
      const result = await withRuntime(command, (runtime) =>
        reassignEntry(
          {
            campaigns: runtime.campaigns,
            directory: runtime.directory,
            outbox: runtime.outbox,
            audit: runtime.auditLog,
            portalUrl: approverPortalUrl(runtime),
          },
          { entryId, actor, input },
          now,
        ),
      );
      if (options.json) {
        return outJson({
          id: result.entry.id,
          campaignId: result.entry.campaignId,
          state: result.entry.state,
          dueDate: result.entry.dueDate,
          approverIds: result.entry.approverIds,
          reassignment: result.reassignment,
          notification: result.notification,
        });
      }
      const r = result.reassignment;
      out(
        `entry ${result.entry.id}: reassigned from ${r.from.join(', ') || '-'} to ${r.to} by ${r.by}` +
          `${r.dueDate ? `; due ${showDate(r.previousDueDate)} → ${showDate(r.dueDate)}` : `; due ${showDate(result.entry.dueDate)}`}` +
          `; Approval Start to ${r.to} ${result.notification.status === 'PENDING' ? 'queued (sent by the next controller run)' : result.notification.status}`,
      );
    });
}

interface EntrySetOptions {
  state?: string;
  dueDate?: string;
  approver?: string;
  by: string;
  now?: string;
  json?: boolean;
}

interface ReassignOptions {
  to: string;
  justification: string;
  extendDays?: string;
  as?: string;
  now?: string;
  json?: boolean;
}

/** An option's text as a number; the range is the domain's to check. */
function wholeNumber(text: string, field: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new ValidationError(`must be a whole number of days, got "${text}"`, field);
  return Number(text);
}
