// `idgov job run risk-assessment|daily-operations|weekly-summary|initialize-reapproval|start-reapproval
// [--now ISO]`: one run of a scheduled job. Locally, the job's Lambda handler itself, called with the event its EventBridge schedule
// sends; with --aws, the deployed function invoked with the manual event `{ "now": ISO }`, or `{}`
// (the function's clock) without --now.
import { Argument, type Command } from 'commander';
import { RISK_LEVELS } from '../../lambdas/shared/domain/model.js';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import { invokeJob, type JobInvocation, type JobResults } from '../local/jobs.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { note, out, outJson, resolveNow, withRuntime } from './context.js';
import { ProgressLine } from './progress-line.js';

/** The jobs `job run` runs; the controller has `controller run`. */
export const RUNNABLE_JOBS = [
  'risk-assessment',
  'daily-operations',
  'weekly-summary',
  'initialize-reapproval',
  'start-reapproval',
] as const satisfies readonly JobName[];
type RunnableJob = (typeof RUNNABLE_JOBS)[number];

export function registerJobCommands(program: Command): void {
  const job = program
    .command('job')
    .description('run the scheduled jobs (risk assessment, daily report, weekly summary, re-approval initialization and start)');

  job
    .command('run')
    .description('run one scheduled job once, through its Lambda handler (with --aws, the deployed function)')
    .addArgument(new Argument('<job>', 'the job').choices(RUNNABLE_JOBS))
    .option('--now <iso>', 'the "now" of the run: the scheduled event\'s time locally, the manual event\'s `now` with --aws (default: now; with --aws, the function\'s clock)')
    .option('--budget-ms <ms>', 'local runs of the re-approval jobs: each invocation\'s time budget in milliseconds, as Lambda\'s remaining time is on AWS; the job works in chunks and continues in new invocations until done (default: no budget)')
    .option('--json', 'print the result as JSON')
    .action(async (name: RunnableJob, options: { now?: string; budgetMs?: string; json?: boolean }, command: Command) => {
      const now = options.now === undefined ? undefined : resolveNow(options.now);
      // Which jobs take it, and only locally, is invokeJob's to say (before anything runs).
      const budgetMs = options.budgetMs === undefined ? undefined : wholeMs(options.budgetMs, 'budget-ms');
      // Long work shows where it stands on a terminal (never with --json or in a pipe).
      const line = new ProgressLine({ enabled: !options.json });
      const invocation = await withRuntime(command, (runtime) =>
        invokeJob(runtime, name, now, { ...(budgetMs !== undefined ? { budgetMs } : {}), ...(line.sink ? { progress: line.sink } : {}) }),
      ).finally(() => line.clear());
      if (options.json) return outJson(invocation);
      printResult(invocation);
      const more = invocation.continuations;
      if (more) out(`  continued in ${more} more invocation${more === 1 ? '' : 's'} (time budget ${budgetMs} ms each)`);
      if (invocation.mail) {
        const { captured, mailbox } = invocation.mail;
        out(`mail: ${captured} message${captured === 1 ? '' : 's'} captured by the local SES emulator, appended to ${mailbox}`);
      }
      if (invocation.topic) {
        const { published, file } = invocation.topic;
        out(`topic: ${published} message${published === 1 ? '' : 's'} to the operations topic, appended to ${file}`);
      }
      if (!invocation.mail) note('the job ran in the deployed function: SNS and SES delivered what it sent');
      // On AWS the function continues itself: this answer is its first invocation's.
      const resume = (invocation.result as { resume?: unknown }).resume;
      if (resume !== undefined) note(`the function ran out of time and goes on in follow-up invocations of itself, from ${JSON.stringify(resume)} (their runs are in its log group)`);
    });
}

function printResult(invocation: JobInvocation<RunnableJob>): void {
  switch (invocation.job) {
    case 'risk-assessment': {
      const r = invocation.result as JobResults['risk-assessment'];
      out(
        `risk-assessment of ${r.date}: ${r.users} users (${RISK_LEVELS.map((level) => `${level} ${r.usersByLevel[level] ?? 0}`).join(', ')}); ` +
          `${r.sodConflicts} SoD conflict${r.sodConflicts === 1 ? '' : 's'}, ${r.orphanedAccess} user${r.orphanedAccess === 1 ? '' : 's'} with orphaned access` +
          `${r.resumed ? ' (resumed an interrupted run)' : ''}`,
      );
      return;
    }
    case 'daily-operations': {
      const { report, delivered } = invocation.result as JobResults['daily-operations'];
      out(
        `daily-operations: report of ${report.date} stored; compliance ${report.compliance.score} ${report.compliance.status}, ` +
          `health ${report.health.status}, ${report.recommendations.length} recommendation${report.recommendations.length === 1 ? '' : 's'}`,
      );
      out(`  delivered: ${delivered.length > 0 ? delivered.join(', ') : 'nothing new (already delivered for this date)'}`);
      out(`  read it: idgov report daily --date ${report.date}`);
      return;
    }
    case 'weekly-summary': {
      const { summary, delivered } = invocation.result as JobResults['weekly-summary'];
      out(
        `weekly-summary: summary of the week to ${summary.date} stored; ${summary.dates.length - summary.missingDates.length} of ${summary.dates.length} daily reports` +
          `${summary.missingDates.length > 0 ? ` (missing ${summary.missingDates.join(', ')})` : ''}`,
      );
      out(`  delivered: ${delivered.length > 0 ? delivered.join(', ') : 'nothing new (already delivered for this date)'}`);
      out(`  read it: idgov report weekly --date ${summary.date}`);
      return;
    }
    case 'initialize-reapproval': {
      const r = invocation.result as JobResults['initialize-reapproval'];
      out(
        `initialize-reapproval: ${plural(r.initialized, 'assignment')} initialized (${r.continuous} continuous, ${r.scheduled} scheduled) ` +
          `over ${plural(r.privileges, 'flagged privilege')}` +
          // Absent from the answer of a function deployed before it was counted.
          ((r.reset ?? 0) > 0 ? `; ${plural(r.reset, 'assignment')} moved over to their privilege's changed mode` : ''),
      );
      return;
    }
    case 'start-reapproval': {
      const r = invocation.result as JobResults['start-reapproval'];
      const started = r.started.continuous + r.started.scheduled;
      out(
        `start-reapproval: ${plural(started, 're-approval')} started (${r.started.continuous} continuous, ${r.started.scheduled} scheduled)` +
          (r.round ? `; scheduled round of ${r.round.date} ${r.round.completed ? 'completed' : 'in progress'}` : '') +
          (r.failed > 0 ? `; ${r.failed} failed to start (retried by the next run)` : '') +
          (r.reset > 0 ? `; ${plural(r.reset, 'assignment')} sent back to initialization` : ''),
      );
      out(
        `  runs: ${r.progressed} moved on: ${r.approved} approved, ${r.rejected} rejected, ${r.escalated} escalated, ${r.reminded} reminded`,
      );
      const d = r.dispatch;
      out(`  mail: ${d.sent} sent, ${d.failed} failed, ${d.retrying} to retry, ${d.skipped} skipped`);
      return;
    }
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A whole number of milliseconds, 0 or more (0: one chunk per invocation), or a ValidationError naming the option. */
function wholeMs(value: string, option: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(ms)) throw new ValidationError('must be a whole number of milliseconds, 0 or more', option);
  return ms;
}
