// `idgov controller run --now ISO`: one controller run. Locally, the Lambda handler itself called
// with the event its EventBridge schedule sends; with --aws, the deployed function invoked with the
// manual event `{ "now": ISO }`, or `{}` (the function's clock) without --now.
import type { Command } from 'commander';
import { describeHolder, type ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { invokeJob } from '../local/jobs.js';
import { note, out, outJson, resolveNow, showDate, withRuntime } from './context.js';
import { ProgressLine } from './progress-line.js';
import { RunEntryTotals } from './progress-totals.js';

export function registerControllerCommands(program: Command): void {
  const controller = program.command('controller').description('run the campaign controller job');

  controller
    .command('run')
    .description('run the campaign controller once at the given time, through the Lambda handler (with --aws, the deployed function)')
    .option('--now <iso>', 'the "now" of the run: the scheduled event\'s time locally, the manual event\'s `now` with --aws (default: now; with --aws, the function\'s clock)')
    .option('--take-over-lease', 'take the lease whoever holds it (only when you know that run has stopped)')
    .option(
      '--budget-ms <ms>',
      'local runs: each invocation\'s time budget in milliseconds, as Lambda\'s remaining time is on AWS; the run works in chunks and continues in new invocations until done (default: no budget)',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { now?: string; json?: boolean; takeOverLease?: boolean; budgetMs?: string }, command: Command) => {
      // Without --now: locally the wall clock; with --aws the function's own clock (event `{}`), not this machine's.
      const now = options.now === undefined ? undefined : resolveNow(options.now);
      const budgetMs = options.budgetMs === undefined ? undefined : parseBudget(options.budgetMs);
      // Long preparation or applying shows where it stands on a terminal (never with --json or in a pipe).
      const line = new ProgressLine({ enabled: !options.json });
      const { result: report, mail, continuations } = await withRuntime(command, async (runtime) => {
        // GUARD and APPLY: the run's entry count, which the campaign does not keep, counted aside.
        const totals = line.sink ? new RunEntryTotals(runtime.campaigns) : undefined;
        const progress = line.sink && totals ? totals.wrap(line.sink) : undefined;
        try {
          return await invokeJob(runtime, 'campaign-controller', now, {
            takeOverLease: options.takeOverLease,
            ...(budgetMs !== undefined ? { budgetMs } : {}),
            ...(progress ? { progress } : {}),
          });
        } finally {
          await totals?.stop();
        }
      }).finally(() => line.clear());
      if (options.json) return outJson({ ...report, mail, ...(continuations ? { continuations } : {}) });
      printReport(report);
      if (continuations) out(`  continued in ${continuations} more invocation${continuations === 1 ? '' : 's'}${budgetMs === undefined ? '' : ` (time budget ${budgetMs} ms each)`}`);
      if (report.continue) note('the run has work left: on AWS the function continues it in a new invocation (see docs/reference/scale.md)');
      if (report.status === 'SKIPPED') note('the lease frees itself when it expires; if you know that run has stopped, run again with --take-over-lease');
      if (mail) {
        out(`mail: ${mail.captured} message${mail.captured === 1 ? '' : 's'} captured by the local SES emulator, appended to ${mail.mailbox}`);
      } else {
        note('mail was sent through Amazon SES');
      }
    });
}

/** `--budget-ms`: a whole number of milliseconds, 0 or more (0: one chunk per invocation). */
function parseBudget(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(ms)) throw new ValidationError('must be a whole number of milliseconds, 0 or more', 'budget-ms');
  return ms;
}

function printReport(report: ControllerReport): void {
  out(`controller run at ${showDate(report.now)}: ${report.status}${report.reason ? ` (${report.reason})` : ''}`);
  const taken = report.leaseTakenOver;
  if (taken) {
    const why = taken.reason === 'FORCED' ? 'forced with --take-over-lease' : 'its process is gone';
    const since = taken.acquiredAt ? ` since ${showDate(taken.acquiredAt)}` : '';
    const claims = taken.releasedSendClaims > 0 ? `; ${taken.releasedSendClaims} of its sends to retry now` : '';
    out(`  took over the lease of ${describeHolder(taken.holder)}${since} (${why})${claims}`);
  }
  if (report.transitions.length === 0) out('  no campaign changed state');
  for (const t of report.transitions) out(`  ${t.campaignId}: ${t.from} -> ${t.to}`);
  for (const e of report.errors) out(`  error in ${e.campaignId}: ${e.message}`);
  for (const u of report.unfinished ?? []) out(`  ${u.campaignId}: left in ${u.state} (${u.phase}) for a continuation`);
  if (report.dispatchHeld) out(`  notifications not sent: ${report.dispatchHeld}`);
  if (report.dispatch) {
    out(`  notifications: ${report.dispatch.sent} sent, ${report.dispatch.retrying} to retry, ${report.dispatch.failed} failed`);
  }
}
