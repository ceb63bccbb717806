// `idgov report daily|weekly --date YYYY-MM-DD [--json]`: a stored daily report or weekly summary,
// as its mail's text says it (the same rendering), or as stored (JSON).
// `idgov report campaign ID --format csv|html|json [--out FILE]` and `idgov report reviewers ID [--json]`:
// a campaign run's report and its reviewer analytics (docs/reference/reports.md).
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { drawChartsOnDemand } from '../local/report-charts.js';
import { DomainError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import { reviewerAnalyticsSchema } from '../../lambdas/shared/domain/operations-config.js';
import { REPORT_FORMATS, type CampaignReport, type ReportFormat, type RubberStampThresholds } from '../../lambdas/shared/domain/reports/campaign-report.js';
import { describeThresholds, formatPercent, formatSeconds } from '../../lambdas/shared/domain/reports/reviewer-analytics.js';
import { renderDailyReport, renderWeeklySummary } from '../../lambdas/shared/domain/report-rendering.js';
import { parseInput } from '../../lambdas/shared/domain/schemas.js';
import { renderReport } from '../../lambdas/shared/presenters/campaign-report-views.js';
import { loadOperationsConfig } from '../../lambdas/shared/use-cases/operations-config.js';
import type { EvidenceArchive, StoredReport } from '../../lambdas/shared/use-cases/ports.js';
import { buildCampaignReport } from '../../lambdas/shared/use-cases/reports/campaign-report.js';
import type { Runtime } from '../local/runtime.js';
import { calendarDate, note, out, outJson, resolveNow, showDate, table, withRuntime } from './context.js';

export function registerReportCommands(program: Command): void {
  const report = program
    .command('report')
    .description("print a stored daily operations report or weekly summary, a campaign run's report, or its reviewer analytics");

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

  withThresholdOptions(
    report
      .command('campaign')
      .description("a campaign run's report: every entry, item, decision and outcome, with totals and reviewer analytics (an archived run's id gives that run's; a cleaned-up run's is read from its archived evidence)")
      .argument('<id>', 'campaign id (or an archived run, <id>-rN)')
      .addOption(new Option('--format <format>', 'csv (RFC 4180, one row per item), html (one self-contained page) or json').makeOptionMandatory())
      .option('--out <file>', 'write the report to this file (default: print it)')
      .option('--now <iso>', "the report's as-of time (default: now)"),
  ).action(async (id: string, options: ThresholdOptions & { format: string; out?: string; now?: string }, command: Command) => {
    const format = reportFormat(options.format);
    const now = resolveNow(options.now);
    const thresholds = thresholdOptions(options);
    const built = await withRuntime(command, (runtime) => campaignReport(runtime, id, now, thresholds));
    const rendered = await renderReport(built, format, drawChartsOnDemand);
    if (options.out === undefined) return out(rendered);
    await writeReport(options.out, rendered);
    const t = built.totals;
    note(
      `wrote ${options.out}: ${format}, ${built.rows.length} row${built.rows.length === 1 ? '' : 's'} (${built.source === 'ARCHIVE' ? 'from the archived evidence' : 'live'}); ` +
        `${t.items} assignments: approved ${t.approved}, rejected ${t.rejected}, modified ${t.modified}, expired ${t.expired}, pending ${t.pending}; revoked ${t.revoked}, kept ${t.kept}`,
    );
  });

  withThresholdOptions(
    report
      .command('reviewers')
      .description("a campaign run's reviewer analytics: per approver, items decided, approve rate, median seconds per decision, largest bulk decision, and the rubber-stamp flag with its reason")
      .argument('<id>', 'campaign id (or an archived run, <id>-rN)')
      .option('--json', 'print as JSON')
      .option('--now <iso>', "the report's as-of time (default: now)"),
  ).action(async (id: string, options: ThresholdOptions & { json?: boolean; now?: string }, command: Command) => {
    const now = resolveNow(options.now);
    const thresholds = thresholdOptions(options);
    const built = await withRuntime(command, (runtime) => campaignReport(runtime, id, now, thresholds));
    if (options.json) {
      return outJson({
        campaignId: built.campaign.id,
        runId: built.campaign.runId,
        source: built.source,
        asOf: built.asOf,
        thresholds: built.thresholds,
        reviewers: built.reviewers,
      });
    }
    out(reviewersText(built));
  });
}

/** The threshold options of both campaign report commands (they override the operations configuration's `reviewerAnalytics`). */
interface ThresholdOptions {
  minItems?: string;
  minApproveRate?: string;
  maxMedianSeconds?: string;
  sessionBreakMinutes?: string;
}

const THRESHOLD_OPTIONS: readonly (readonly [keyof ThresholdOptions & keyof RubberStampThresholds, string, string])[] = [
  ['minItems', 'min-items', 'flag a rubber stamp from this many items decided (default: the configuration\'s, else 20)'],
  ['minApproveRate', 'min-approve-rate', 'flag at or above this approve rate, 0..1 (default: the configuration\'s, else 1)'],
  ['maxMedianSeconds', 'max-median-seconds', 'flag at or under this median, in seconds per decision (default: the configuration\'s, else 5)'],
  ['sessionBreakMinutes', 'session-break-minutes', 'a longer gap between two decisions starts a new sitting (default: the configuration\'s, else 30)'],
];

function withThresholdOptions(command: Command): Command {
  for (const [, flag, description] of THRESHOLD_OPTIONS) command.option(`--${flag} <n>`, description);
  return command;
}

/** The thresholds given on the command line, each checked as the configuration file's field is, naming the option. */
function thresholdOptions(options: ThresholdOptions): Partial<RubberStampThresholds> {
  const given: Partial<RubberStampThresholds> = {};
  for (const [key, flag] of THRESHOLD_OPTIONS) {
    const raw = options[key];
    if (raw === undefined) continue;
    if (!/^\s*\d+(\.\d+)?\s*$/.test(raw)) throw new ValidationError(`must be a number, got "${raw}"`, flag);
    given[key] = parseInput(reviewerAnalyticsSchema.shape[key], Number(raw), flag);
  }
  return given;
}

function reportFormat(value: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) throw new ValidationError(`must be one of ${REPORT_FORMATS.join(', ')}, got "${value}"`, 'format');
  return value as ReportFormat;
}

/** The report with the thresholds of the operations configuration, overridden by the options given. */
async function campaignReport(runtime: Runtime, id: string, now: Date, thresholds: Partial<RubberStampThresholds>): Promise<CampaignReport> {
  const config = await loadOperationsConfig(runtime.operations);
  return buildCampaignReport(
    { campaigns: runtime.campaigns, approvals: runtime.approvals, directory: runtime.directory, archive: evidenceArchiveOf(runtime) },
    id,
    { now, thresholds: { ...config.reviewerAnalytics, ...thresholds } },
  );
}

/**
 * Where archived evidence is read from (the reports bucket on AWS, $IDGOV_HOME/evidence locally):
 * the runtime's, once it has one; until then a cleaned-up run's report says it cannot be read.
 */
function evidenceArchiveOf(runtime: Runtime): EvidenceArchive | undefined {
  return (runtime as Runtime & { evidenceArchive?: EvidenceArchive }).evidenceArchive;
}

async function writeReport(file: string, content: string): Promise<void> {
  try {
    await writeFile(file, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'its folder does not exist' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ValidationError(`cannot write ${file}: ${reason}`, 'out');
  }
}

function reviewersText(report: CampaignReport): string {
  const c = report.campaign;
  const lines = [
    `${c.name} (${c.id}, run ${c.run}, ${c.state}), as of ${showDate(report.asOf)}${report.source === 'ARCHIVE' ? ', from the archived evidence' : ''}`,
    `rubber stamp when all hold: ${describeThresholds(report.thresholds)}; a gap over ${formatSeconds(report.thresholds.sessionBreakMinutes)} min starts a new sitting`,
  ];
  if (report.reviewers.length === 0) return [...lines, 'no decision yet'].join('\n');
  lines.push(
    table(
      ['approver', 'name', 'decided', 'approved', 'rejected', 'modified', 'approve rate', 'median s', 'largest bulk', 'rubber stamp'],
      report.reviewers.map((r) => [
        r.approverId,
        r.approverName,
        r.itemsDecided,
        r.approved,
        r.rejected,
        r.modified,
        `${formatPercent(r.approveRate)} %`,
        r.medianSecondsPerDecision === undefined ? undefined : formatSeconds(r.medianSecondsPerDecision),
        r.largestBulkDecision,
        r.rubberStamp ? 'YES' : 'no',
      ]),
    ),
  );
  for (const r of report.reviewers.filter((x) => x.rubberStamp)) lines.push(`${r.approverId}: ${r.rubberStampReason}`);
  return lines.join('\n');
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
