// `idgov reapproval schedule --date D` and `idgov reapproval status`: the scheduled mode's one date
// for the whole domain, and how its round stands (docs/reference/reapproval.md).
import type { Command } from 'commander';
import { scheduleReapproval, reapprovalStatus } from '../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { calendarDate, out, outJson, resolveNow, showDate, withRuntime } from './context.js';

export function registerReapprovalCommands(program: Command): void {
  const reapproval = program.command('reapproval').description('re-approval of critical privileges: the scheduled date, and where it stands');

  reapproval
    .command('schedule')
    .description("set the scheduled mode's date: every SCHEDULED assignment is re-approved once, from that day's start-reapproval run")
    .requiredOption('--date <YYYY-MM-DD>', 'the date (UTC; today or later)')
    .option('--by <name>', 'who sets it (stored with it)', 'idgov-cli')
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print the stored configuration as JSON')
    .action(async (options: { date: string; by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const date = calendarDate(options.date, 'date');
      const { config, previousDate } = await withRuntime(command, (runtime) => scheduleReapproval({ directory: runtime.directory, audit: runtime.auditLog }, date, options.by, now));
      if (options.json) return outJson({ config, previousDate: previousDate ?? null });
      out(
        `re-approval scheduled for ${config.scheduledDate ?? date} (by ${options.by}): the start-reapproval run of that day ` +
          'starts the workflow of every SCHEDULED assignment, once' +
          (previousDate && previousDate !== config.scheduledDate ? ` (it replaces ${previousDate})` : ''),
      );
    });

  reapproval
    .command('status')
    .description('show the re-approval configuration (scheduled date, reminders) and the scheduled round')
    .option('--now <iso>', 'as of this instant (default: now)')
    .option('--json', 'print as JSON')
    .action(async (options: { now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const { config, round, roundState } = await withRuntime(command, (runtime) => reapprovalStatus(runtime.directory, now));
      const view = { config, scheduledDate: config.scheduledDate ?? null, roundState, round: round ?? null };
      if (options.json) return outJson(view);
      out(`scheduled date: ${config.scheduledDate ?? 'none (idgov reapproval schedule --date YYYY-MM-DD sets it)'}`);
      out(`reminders: from ${config.reminders.daysBeforeDue} days before a step's due date, every ${config.reminders.intervalHours} hours`);
      if (config.updatedAt) out(`changed by ${config.updatedBy ?? '-'} at ${showDate(config.updatedAt)}`);
      if (!round) return out(config.scheduledDate ? `round of ${config.scheduledDate}: not started yet` : 'no scheduled round');
      out(
        `round of ${round.date}: started ${showDate(round.startedAt)}, ${round.started} re-approval${round.started === 1 ? '' : 's'} started, ` +
          (round.completedAt ? `completed ${showDate(round.completedAt)}` : 'in progress'),
      );
    });
}
