// The daily operations job (docs/reference/operations.md, "The daily report"): builds the report
// from what the day produced (read through keys and indexes, never a table that grows with
// history), stores it once per date, delivers it to each target (the topic, each recipient) once
// (report-delivery.ts says when it may be twice), and emits its metrics.
import {
  JOB_DIMENSION,
  OPERATIONS_METRIC_UNITS,
  OPERATIONS_METRICS,
  type OperationsMetricName,
  RISK_LEVEL_DIMENSION,
} from '../config/metrics.js';
import { addDays } from '../domain/dates.js';
import {
  HEARTBEAT_LOOKBACK_RUNS,
  RISK_LOOKBACK_DAYS,
  certificationDates,
  composeDailyReport,
  emptyEntryTally,
  emptyUnverifiedTally,
  heartbeatAsOf,
  heartbeatComponent,
  highRiskUsersOf,
  isCertified,
  needsRecentRuns,
  overallHealth,
  reportWindow,
  tallyEntries,
  tallyUnverified,
} from '../domain/daily-report.js';
import { RISK_LEVELS } from '../domain/model.js';
import {
  JOB_NAMES,
  type DailyReport,
  type HealthComponent,
  type JobName,
  type JobSchedule,
  type OperationsConfig,
} from '../domain/operations.js';
import { renderDailyReport } from '../domain/report-rendering.js';
import { mapLimit } from './concurrency.js';
import type {
  CampaignStore,
  Clock,
  DeliveryChannel,
  DirectoryStore,
  HealthProbe,
  Log,
  Mailer,
  MetricDatum,
  MetricsSink,
  OperationsStore,
  ReportPublisher,
} from './ports.js';
import { deliverReport, operationsRecipients } from './report-delivery.js';

/** Campaigns whose entries are counted at once. */
const CAMPAIGN_CONCURRENCY = 4;

export interface DailyOperationsDeps {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  operations: OperationsStore;
  health: HealthProbe;
  publisher: ReportPublisher;
  mailer: Mailer;
  metrics: MetricsSink;
  /** Business time: the report's date and window. */
  clock: Clock;
  /**
   * Wall-clock time: which days are over (a day's certification count is stored only once it is),
   * and delivery claims. Absent: the business clock.
   */
  wallClock?: Clock;
  log: Log;
  /** The deployment's recipients (a parameter); the configured ones are added. */
  recipients: string[];
  /**
   * When the product was deployed (or the local workspace created): a job that never ran is not
   * missed while its first expected run is before it. Absent: the installation time the first job
   * run recorded; neither known → a job that never ran is DEGRADED.
   */
  deployedAt?: Date;
  /**
   * The deployed schedules of the operations jobs (JOB_SCHEDULES, from the CDK context that built
   * their rules): the heartbeat check expects these runs. Absent (or a job left out): the
   * configuration's schedules.
   */
  schedules?: Partial<Record<JobName, JobSchedule>>;
}

/**
 * Builds the report of `now`'s date. Reads only: the entries closed in the window and today
 * (the closed-day index), the entries of the RUNNING campaigns, the removals still present in the
 * directory (the unverified index), per-day certification counts (a
 * day not counted yet is counted once from the index and its count stored), the latest risk
 * summary, the heartbeats and the health probe.
 */
export async function buildDailyReport(deps: DailyOperationsDeps, config: OperationsConfig): Promise<DailyReport> {
  const now = deps.clock.now();
  const window = reportWindow(now);
  const today = window.date;
  const todayStart = `${today}T00:00:00.000Z`;

  // Entries closed in the 24 hours: those decided, and those decided today (for the 30-day count).
  let entriesDecided24h = 0;
  let certifiedToday = 0;
  for await (const page of deps.campaigns.listEntriesClosedBetween(window.from.toISOString(), now.toISOString())) {
    for (const entry of page) {
      if (!isCertified(entry.state)) continue;
      entriesDecided24h += 1;
      if (entry.closedAt! >= todayStart) certifiedToday += 1;
    }
  }

  const running = [];
  for await (const page of deps.campaigns.listCampaigns('RUNNING')) running.push(...page);
  const tally = emptyEntryTally();
  await mapLimit(running, CAMPAIGN_CONCURRENCY, async (campaign) => {
    for await (const page of deps.campaigns.listEntries(campaign.runId)) tallyEntries(tally, page, now);
  });

  // Removals still present in the directory: the sparse unverified index holds only those.
  const unverified = emptyUnverifiedTally();
  for await (const page of deps.campaigns.listUnverifiedRevocations()) tallyUnverified(unverified, page, window.from);

  const certificationsLast30Days = certifiedToday + (await certifiedBefore(deps, config, today));
  const riskSummary = await deps.operations.getLatestRiskSummary(today, RISK_LOOKBACK_DAYS);
  const health = overallHealth(deps.health.source, [...(await probe(deps, window.from, now)), ...(await heartbeats(deps, config, now))]);

  return composeDailyReport(
    { now, tally, entriesDecided24h, activeCampaigns: running.length, certificationsLast30Days, riskSummary, health, unverified },
    config,
  );
}

/** A day's count is stored once the day ended this long ago on the wall clock: closures of it may still be in flight before. */
export const DAY_COUNT_SETTLE_MS = 60 * 60_000;

/**
 * Certified entries of the earlier days of the 30-day period (all but today), from the stored day
 * counts. A day without one is counted from the index, and its count stored only if that day ended
 * at least DAY_COUNT_SETTLE_MS before the wall clock: a run whose business time is ahead of the
 * wall clock (a simulated or mistaken `now`) never freezes a day that has not happened yet.
 */
async function certifiedBefore(deps: DailyOperationsDeps, config: OperationsConfig, today: string): Promise<number> {
  const days = certificationDates(today).slice(0, -1);
  const counts = await deps.operations.getDayCounts(days[0]!, days[days.length - 1]!);
  const wallNow = (deps.wallClock ?? deps.clock).now();
  let total = 0;
  for (const day of days) {
    let count = counts.get(day);
    if (count === undefined) {
      count = 0;
      const end = `${addDays(day, 1)}T00:00:00.000Z`;
      for await (const page of deps.campaigns.listEntriesClosedBetween(`${day}T00:00:00.000Z`, end)) {
        count += page.filter((e) => isCertified(e.state)).length;
      }
      if (Date.parse(end) <= wallNow.getTime() - DAY_COUNT_SETTLE_MS) await deps.operations.putDayCount(day, count, config.reportRetentionDays, wallNow);
    }
    total += count;
  }
  return total;
}

/** The probe's components; a probe that cannot measure is itself a DEGRADED component, never a healthy guess. */
async function probe(deps: DailyOperationsDeps, from: Date, to: Date): Promise<HealthComponent[]> {
  try {
    return await deps.health.measure(from, to);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.error('the health probe failed', { error: message });
    return [{ name: `probe:${deps.health.source}`, status: 'DEGRADED', reason: `health could not be measured: ${message}` }];
  }
}

/**
 * One component per job. A heartbeat whose latest completed run is for a business time after
 * `now` is checked against the job's latest runs instead (heartbeatAsOf). A job never run is not
 * due before the deployment time, or else the installation time.
 */
async function heartbeats(deps: DailyOperationsDeps, config: OperationsConfig, now: Date): Promise<HealthComponent[]> {
  const found = await deps.operations.getHeartbeats(JOB_NAMES);
  const installedAt = deps.deployedAt ? undefined : (await deps.operations.getInstallation())?.installedAt;
  const since = deps.deployedAt
    ? { at: deps.deployedAt, what: 'deployment' as const }
    : installedAt
      ? { at: new Date(installedAt), what: 'installation' as const }
      : undefined;
  return mapLimit(JOB_NAMES, JOB_NAMES.length, async (job) => {
    const heartbeat = found.get(job);
    const recentRuns = needsRecentRuns(heartbeat, now) ? await deps.operations.listRuns(job, HEARTBEAT_LOOKBACK_RUNS) : [];
    return heartbeatComponent(
      job,
      heartbeatAsOf(heartbeat, now, recentRuns),
      deps.schedules?.[job] ?? config.schedules[job],
      now,
      config.health.heartbeatGraceMinutes,
      since?.at,
      since?.what,
    );
  });
}

/** The custom metrics of a report (namespace IdentityGovernance; names, units and dimensions: config/metrics.ts, which the dashboard and alarms read). */
export function dailyReportMetrics(report: DailyReport, config: OperationsConfig): MetricDatum[] {
  const heartbeatsMissed = report.health.components.filter((c) => c.name.startsWith('heartbeat:') && c.status === 'DEGRADED').length;
  const m = OPERATIONS_METRICS;
  const datum = (name: OperationsMetricName, value: number, dimensions?: Record<string, string>): MetricDatum => ({
    name,
    unit: OPERATIONS_METRIC_UNITS[name],
    value,
    ...(dimensions ? { dimensions } : {}),
  });
  return [
    datum(m.entriesDecided, report.certification.entriesDecided24h),
    datum(m.activeCampaigns, report.certification.activeCampaigns),
    datum(m.completionRate, report.certification.completionRate),
    datum(m.openEntries, report.certification.entriesByState.RUNNING ?? 0),
    datum(m.overdueEntries, report.certification.overdueEntries),
    datum(m.highRiskUsers, highRiskUsersOf(report.risk)),
    datum(m.sodConflicts, report.risk.sodConflicts),
    datum(m.orphanedAccess, report.risk.orphanedAccess),
    datum(m.complianceScore, report.compliance.score),
    // The alarms read these: the thresholds are the configuration's, which the alarms cannot see.
    datum(m.nonCompliant, report.compliance.status === 'NON_COMPLIANT' ? 1 : 0),
    datum(m.highRiskUsersAboveThreshold, highRiskUsersOf(report.risk) > config.recommendations.highRiskUsersAbove ? 1 : 0),
    ...RISK_LEVELS.map((level) => datum(m.usersAtRisk, report.risk.usersByLevel[level], { [RISK_LEVEL_DIMENSION]: level })),
    datum(m.missedHeartbeats, heartbeatsMissed),
    datum(m.healthDegraded, report.health.status === 'DEGRADED' ? 1 : 0),
    ...heartbeatAges(report).map(({ job, hours }) => datum(m.heartbeatAgeHours, hours, { [JOB_DIMENSION]: job })),
  ];
}

/** Per job that completed a run: hours (two decimals) from that run's business time to the report's. */
function heartbeatAges(report: DailyReport): { job: string; hours: number }[] {
  const at = Date.parse(report.generatedAt);
  return report.health.components.flatMap((component) => {
    const lastCompleted = component.details?.lastCompleted;
    if (!component.name.startsWith('heartbeat:') || typeof lastCompleted !== 'string') return [];
    const hours = Math.max(0, at - Date.parse(lastCompleted)) / 3_600_000;
    return [{ job: component.name.slice('heartbeat:'.length), hours: Math.round(hours * 100) / 100 }];
  });
}

/**
 * The job: builds the report, stores it (replacing the date's earlier one, its deliveries kept),
 * delivers it to each target not yet delivered for the date (deliverReport), and emits its metrics.
 * A delivery that failed fails the job after the metrics are out, so that its retry delivers what
 * is missing.
 */
export async function runDailyOperations(
  deps: DailyOperationsDeps,
  config: OperationsConfig,
): Promise<{ report: DailyReport; delivered: DeliveryChannel[] }> {
  const report = await buildDailyReport(deps, config);
  await deps.operations.putReport('daily', report, config.reportRetentionDays);
  const recipients = operationsRecipients(deps.recipients, config.recipients);
  const attributes = { complianceStatus: report.compliance.status, healthStatus: report.health.status };
  let delivered: DeliveryChannel[] = [];
  let failure: { error: unknown } | undefined;
  try {
    delivered = await deliverReport(deps, 'daily', report.date, renderDailyReport(report), recipients, attributes);
  } catch (error) {
    failure = { error };
  }
  await deps.metrics.publish(dailyReportMetrics(report, config));
  if (failure) throw failure.error;
  deps.log.info('daily report done', { date: report.date, compliance: report.compliance.score, health: report.health.status, delivered });
  return { report, delivered };
}
