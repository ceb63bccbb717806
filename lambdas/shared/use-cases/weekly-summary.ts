// The weekly summary job (docs/reference/operations.md, "The weekly summary"): the seven daily
// reports ending on the week's scheduled day, summarised with trends and notable events, stored
// once per week and delivered once per target, like the daily report.
import { utcDate } from '../domain/dates.js';
import { lastExpectedRun } from '../domain/job-schedule.js';
import type { JobName, JobSchedule, OperationsConfig, WeeklySummary } from '../domain/operations.js';
import { renderWeeklySummary } from '../domain/report-rendering.js';
import { summarizeWeek, weekDates } from '../domain/weekly-summary.js';
import type { DeliveryChannel, MetricsSink } from './ports.js';
import { deliverReport, operationsRecipients, type DeliveryDeps } from './report-delivery.js';

/** Delivery's ports, the business clock being the one the summary's week is taken from. */
export interface WeeklySummaryDeps extends DeliveryDeps {
  /** The deployment's recipients (a parameter); the configured ones are added. */
  recipients: string[];
  metrics: MetricsSink;
  /** The deployed schedules (JOB_SCHEDULES): the weekly one, if given, says which week a run is for, over the configuration's. */
  schedules?: Partial<Record<JobName, JobSchedule>>;
}

/**
 * The summary's date: that of the latest time the weekly schedule names at or before `now` (the
 * Monday, by default), so that a retry after midnight, or later in the week, replaces that week's
 * summary (and finds its deliveries) instead of adding another.
 */
export const weeklySummaryDate = (schedule: JobSchedule, now: Date): string => utcDate(lastExpectedRun(schedule, now));

/**
 * Reads the seven daily reports ending on the summary's date by key range (never more), stores
 * the summary under that date, delivers it, and emits `MissingDailyReports`.
 */
export async function runWeeklySummary(
  deps: WeeklySummaryDeps,
  config: OperationsConfig,
): Promise<{ summary: WeeklySummary; delivered: DeliveryChannel[] }> {
  const now = deps.clock.now();
  const date = weeklySummaryDate(deps.schedules?.['weekly-summary'] ?? config.schedules['weekly-summary'], now);
  const dates = weekDates(date);
  const reports = await deps.operations.listDailyReports(dates[0]!, date);
  const summary = summarizeWeek(date, reports, now);
  await deps.operations.putReport('weekly', summary, config.reportRetentionDays);
  const recipients = operationsRecipients(deps.recipients, config.recipients);
  const attributes = summary.latest
    ? { complianceStatus: summary.latest.complianceStatus, healthStatus: summary.latest.healthStatus }
    : ({} as Record<string, string>);
  let delivered: DeliveryChannel[] = [];
  let failure: { error: unknown } | undefined;
  try {
    delivered = await deliverReport(deps, 'weekly', date, renderWeeklySummary(summary), recipients, attributes);
  } catch (error) {
    failure = { error };
  }
  await deps.metrics.publish([{ name: 'MissingDailyReports', unit: 'Count', value: summary.missingDates.length }]);
  if (failure) throw failure.error;
  deps.log.info('weekly summary done', { date, missingDates: summary.missingDates, delivered });
  return { summary, delivered };
}
