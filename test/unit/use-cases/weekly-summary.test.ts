// The weekly summary job on the in-memory store: the seven daily reports ending today, trends and
// missing days, one stored summary per date, delivery once per channel.
import { describe, expect, it } from 'vitest';
import { weeklySummarySchema } from '../../../lambdas/shared/domain/report-schemas.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { composeDailyReport, emptyEntryTally, overallHealth, tallyEntries } from '../../../lambdas/shared/domain/daily-report.js';
import { DEFAULT_OPERATIONS_CONFIG, type DailyReport } from '../../../lambdas/shared/domain/operations.js';
import type { MetricDatum, OperationsStore, OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { runWeeklySummary, type WeeklySummaryDeps } from '../../../lambdas/shared/use-cases/weekly-summary.js';
import { anEntry } from '../../support/fixtures.js';

const MONDAY = new Date('2026-11-30T09:00:00.000Z');

/** The daily report of `date` with `certified` of 10 workload entries certified and `high` high-risk users. */
function dailyReport(date: string, certified: number, high: number, healthy = true): DailyReport {
  const now = new Date(`${date}T08:00:00.000Z`);
  const entries = Array.from({ length: 10 }, (_, i) => anEntry({ id: `e${i}`, state: i < certified ? 'FINISHED' : 'RUNNING', dueDate: '2027-01-01T00:00:00.000Z' }));
  return composeDailyReport(
    {
      now,
      tally: tallyEntries(emptyEntryTally(), entries, now),
      entriesDecided24h: 1,
      activeCampaigns: 1,
      certificationsLast30Days: 25,
      riskSummary: { date, assessedAt: now.toISOString(), users: 20, usersByLevel: { LOW: 20 - high, MEDIUM: 0, HIGH: high, CRITICAL: 0 }, sodConflicts: 0, sodConflictList: [], orphanedAccess: 0, orphanedAccessList: [] },
      health: overallHealth('local', [{ name: 'table:campaigns', status: healthy ? 'HEALTHY' : 'DEGRADED', reason: healthy ? undefined : 'unreachable' }]),
    },
    DEFAULT_OPERATIONS_CONFIG,
  );
}

async function setup() {
  const operations: OperationsStore = new InMemoryOperationsStore();
  // Tue 11-24 … Mon 11-30; no report on 11-26 and 11-28. Completion 20, 40, 60, 50, 70 %: up.
  // High-risk users 0, 0, 7, 7, 7 → compliance 100, 100, 85, 85, 85: down, COMPLIANT throughout.
  for (const report of [
    dailyReport('2026-11-24', 2, 0),
    dailyReport('2026-11-25', 4, 0),
    dailyReport('2026-11-27', 6, 7, false),
    dailyReport('2026-11-29', 5, 7),
    dailyReport('2026-11-30', 7, 7),
    dailyReport('2026-11-23', 10, 0), // the week before: not read
  ]) {
    await operations.putReport('daily', report, 400);
  }
  const published: string[] = [];
  const mails: OutgoingMail[] = [];
  const metrics: MetricDatum[][] = [];
  const deps: WeeklySummaryDeps = {
    operations,
    publisher: { publish: async (m) => (published.push(m.subject), { messageId: `sns-${published.length}` }) },
    mailer: { send: async (m) => (mails.push(m), { messageId: `ses-${mails.length}` }) },
    clock: { now: () => MONDAY },
    log: silentLog,
    recipients: ['ops@example.com'],
    metrics: { publish: async (m) => void metrics.push(m) },
  };
  return { deps, operations, published, mails, metrics };
}

describe('runWeeklySummary', () => {
  it('summarises the seven days ending today with trends and the missing days, stores and delivers it', async () => {
    const { deps, operations, published, mails, metrics } = await setup();
    const { summary, delivered } = await runWeeklySummary(deps, DEFAULT_OPERATIONS_CONFIG);
    expect(weeklySummarySchema.parse(summary), 'the summary contract').toEqual(summary);
    expect(summary.dates).toEqual(['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']);
    expect(summary.missingDates).toEqual(['2026-11-26', '2026-11-28']);
    expect(summary.figures.find((f) => f.name === 'completionRate')).toEqual({ name: 'completionRate', first: 20, last: 70, min: 20, max: 70, trend: 'up' });
    expect(summary.figures.find((f) => f.name === 'complianceScore')).toEqual({ name: 'complianceScore', first: 100, last: 85, min: 85, max: 100, trend: 'down' });
    expect(summary.figures.find((f) => f.name === 'activeCampaigns')!.trend).toBe('flat');
    expect(summary.notableEvents.map((e) => e.text)).toEqual([
      'No daily report for 2026-11-26.',
      'Health DEGRADED: table:campaigns.',
      'No daily report for 2026-11-28.',
    ]);
    expect(delivered).toEqual(['topic', 'mail']);
    expect(published).toEqual(['idgov weekly summary 2026-11-24 to 2026-11-30: COMPLIANT 85, HEALTHY']);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.html).toContain('No daily report for 2026-11-26.');
    expect((await operations.getReport('weekly', '2026-11-30'))!.report).toEqual(summary);
    expect(metrics).toEqual([[{ name: 'MissingDailyReports', unit: 'Count', value: 2 }]]);
  });

  it('takes its week from the deployed weekly schedule (JOB_SCHEDULES) over the configured one', async () => {
    const { deps, operations } = await setup();
    // Deployed on Fridays 16:00: a run on Monday 2026-11-30 at 09:00 belongs to the week ending Friday 11-27.
    const deployed = { ...deps, schedules: { 'weekly-summary': { kind: 'weekly' as const, weekday: 5, hour: 16, minute: 0 } } };
    const { summary } = await runWeeklySummary(deployed, DEFAULT_OPERATIONS_CONFIG);
    expect(summary.date).toBe('2026-11-27');
    expect(summary.dates.at(-1)).toBe('2026-11-27');
    expect(await operations.getReport('weekly', '2026-11-30')).toBeUndefined();
  });

  it('stores a retry after midnight under the Monday of its week, replacing the summary, not adding one', async () => {
    const { deps, operations, published, mails } = await setup();
    const first = await runWeeklySummary(deps, DEFAULT_OPERATIONS_CONFIG);
    const tuesday = { ...deps, clock: { now: () => new Date('2026-12-01T00:30:00.000Z') } };
    const retry = await runWeeklySummary(tuesday, DEFAULT_OPERATIONS_CONFIG);
    expect(retry.summary.date).toBe('2026-11-30');
    expect(retry.summary.dates).toEqual(first.summary.dates);
    expect(retry.delivered).toEqual([]);
    expect(await operations.getReport('weekly', '2026-12-01')).toBeUndefined();
    expect((await operations.getReport('weekly', '2026-11-30'))!.report.generatedAt).toBe('2026-12-01T00:30:00.000Z');
    expect(published).toHaveLength(1);
    expect(mails).toHaveLength(1);
  });

  it('replaces the summary on a re-run and never delivers it twice', async () => {
    const { deps, operations, published, mails } = await setup();
    await runWeeklySummary(deps, DEFAULT_OPERATIONS_CONFIG);
    await operations.putReport('daily', dailyReport('2026-11-26', 5, 0), 400);
    const again = await runWeeklySummary(deps, DEFAULT_OPERATIONS_CONFIG);
    expect(again.delivered).toEqual([]);
    expect(again.summary.missingDates).toEqual(['2026-11-28']);
    expect((await operations.getReport('weekly', '2026-11-30'))!.report.missingDates).toEqual(['2026-11-28']);
    expect(published).toHaveLength(1);
    expect(mails).toHaveLength(1);
  });
});
