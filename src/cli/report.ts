// `idgov report daily|weekly --date YYYY-MM-DD [--json]`: a stored daily report or weekly summary,
// as its mail's text says it (the same rendering), or as stored (JSON).
import type { Command } from 'commander';
import { DomainError } from '../../lambdas/shared/domain/errors.js';
import { renderDailyReport, renderWeeklySummary } from '../../lambdas/shared/domain/report-rendering.js';
import type { StoredReport } from '../../lambdas/shared/use-cases/ports.js';
import { calendarDate, note, out, outJson, showDate, withRuntime } from './context.js';

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('print a stored daily operations report or weekly summary');

  report
    .command('daily')
    .description("print the daily operations report of a date (the daily-operations job's, as mailed)")
    .requiredOption('--date <date>', 'the report\'s UTC date, YYYY-MM-DD')
    .option('--json', 'print the report as stored, as JSON')
    .action(async (options: { date: string; json?: boolean }, command: Command) => {
      const date = calendarDate(options.date, 'date');
      const stored = await withRuntime(command, (runtime) => runtime.operations.getReport('daily', date));
      if (!stored) throw missing('daily report', 'daily-operations', `${date}T08:00:00Z`, date);
      if (options.json) return outJson(stored.report);
      out(renderDailyReport(stored.report).text);
      noteDeliveries(stored);
    });

  report
    .command('weekly')
    .description("print the weekly summary of a date (the weekly-summary job's, as mailed)")
    .requiredOption('--date <date>', 'the summary\'s UTC date, YYYY-MM-DD')
    .option('--json', 'print the summary as stored, as JSON')
    .action(async (options: { date: string; json?: boolean }, command: Command) => {
      const date = calendarDate(options.date, 'date');
      const stored = await withRuntime(command, (runtime) => runtime.operations.getReport('weekly', date));
      if (!stored) throw missing('weekly summary', 'weekly-summary', `${date}T09:00:00Z`, date);
      if (options.json) return outJson(stored.report);
      out(renderWeeklySummary(stored.report).text);
      noteDeliveries(stored);
    });
}

/** A report that is not stored: exit 2, naming the date and how one is made. */
function missing(what: string, job: string, at: string, date: string): DomainError {
  return new DomainError('NOT_FOUND', `date: no ${what} is stored for ${date} (the ${job} job stores one per date: idgov job run ${job} --now ${at})`, 'date');
}

/** Where the report went (the topic, each recipient's mail), for the operator: stderr, stdout is the report. */
function noteDeliveries(stored: StoredReport<unknown>): void {
  const states = Object.entries(stored.deliveries).flatMap(([target, state]) => (state ? [{ target, state }] : []));
  const sent = states.flatMap(({ target, state }) => (state.status === 'SENT' ? [`${target} at ${showDate(state.at)}`] : []));
  const sending = states.flatMap(({ target, state }) => (state.status === 'SENDING' ? [`${target} (claimed ${showDate(state.claimedAt)})`] : []));
  note(`delivered: ${sent.length > 0 ? sent.join(', ') : 'nothing yet'}${sending.length > 0 ? `; being sent: ${sending.join(', ')}` : ''}`);
}
