// The daily operations job on the in-memory stores: the report's figures on a dataset computed by
// hand, health from the probe and the heartbeats, one stored report per date, delivery once per
// channel (and retried when it failed), the metrics, and reads sized to the day.
import { describe, expect, it, vi } from 'vitest';
import { dailyReportSchema } from '../../../lambdas/shared/domain/report-schemas.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import type { Entry, EntryState, Revocation } from '../../../lambdas/shared/domain/model.js';
import { DEFAULT_OPERATIONS_CONFIG, type HealthComponent, type JobName, type OperationsConfig } from '../../../lambdas/shared/domain/operations.js';
import { buildDailyReport, runDailyOperations, type DailyOperationsDeps } from '../../../lambdas/shared/use-cases/daily-operations.js';
import { JOB_RUN_RETENTION_DAYS, recordJobRun } from '../../../lambdas/shared/use-cases/job-runs.js';
import type { HealthProbe, Log, MetricDatum, OperationsStore, OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { aCampaign, anEntry } from '../../support/fixtures.js';

const NOW = new Date('2026-12-01T08:00:00.000Z'); // a Tuesday
const DATE = '2026-12-01';
const CONFIG: OperationsConfig = { ...DEFAULT_OPERATIONS_CONFIG, recipients: ['ops@example.com', 'security@example.com'] };

const entry = (id: string, runId: string, state: EntryState, extra: Partial<Entry> = {}) =>
  anEntry({ id, runId, campaignId: runId.split('#')[0], subjectId: id, state, dueDate: '2026-12-05T00:00:00.000Z', ...extra });

// The dataset, by hand. Window = [2026-11-30T08:00, 2026-12-01T08:00).
// RUNNING campaign c-a: e1 RUNNING due 12-05; e2 RUNNING due 11-30 (overdue); e3 APPROVAL.FINISHED closed 11-30 10:00;
//   e4 FINISHED closed 12-01 01:00; e5 FAILED.EXPIRED closed 12-01 00:00 (overdue); e6 FAILED.PREPARE.
// RUNNING campaign c-b: e7 FINISHED closed 11-20 12:00; e8 RUNNING due 12-10.
// SUCCEEDED campaign c-c (not the current workload): c1 FINISHED closed 11-30 07:00 (yesterday, before the window);
//   c2 FINISHED closed 10-15 (outside the 30 days); c3 FAILED.APPLIED.CHANGES closed 11-25 (not certified).
// entriesDecided24h = e3 + e4 = 2 (e5 closed in the window but is not decided).
// workload: 8 entries, certified e3 e4 e7 = 3 → completion 37.5 %; overdue e2 + e5 = 2; active campaigns 2.
// certificationsLast30Days (11-02 .. 12-01): the stored count of 11-20 is 10 (it wins over e7, which the
//   index would count as 1) + 11-30: e3 and c1 = 2 + today: e4 = 1 → 13.
// risk (stored summary of today): 8 users, LOW 3 MEDIUM 2 HIGH 2 CRITICAL 1 → 3 high-risk, share 37.5 %.
// compliance: 100 − 10 (13 < 20) − 5 (3 > 0) = 85 COMPLIANT.
async function setup(options: { probe?: HealthComponent[] | Error; beats?: Partial<Record<JobName, string>>; recipients?: string[] } = {}) {
  const campaigns = new InMemoryCampaignStore({ pageSize: 3 });
  const operations: OperationsStore = new InMemoryOperationsStore({ pageSize: 3 });
  await campaigns.createCampaign(aCampaign({ id: 'c-a', runId: 'c-a#1', state: 'RUNNING' }));
  await campaigns.createCampaign(aCampaign({ id: 'c-b', runId: 'c-b#1', state: 'RUNNING' }));
  await campaigns.createCampaign(aCampaign({ id: 'c-c', runId: 'c-c#1', state: 'SUCCEEDED' }));
  const entries = [
    entry('e1', 'c-a#1', 'RUNNING'),
    entry('e2', 'c-a#1', 'RUNNING', { dueDate: '2026-11-30T00:00:00.000Z' }),
    entry('e3', 'c-a#1', 'APPROVAL.FINISHED', { closedAt: '2026-11-30T10:00:00.000Z' }),
    entry('e4', 'c-a#1', 'FINISHED', { closedAt: '2026-12-01T01:00:00.000Z' }),
    entry('e5', 'c-a#1', 'FAILED.EXPIRED', { closedAt: '2026-12-01T00:00:00.000Z' }),
    entry('e6', 'c-a#1', 'FAILED.PREPARE'),
    entry('e7', 'c-b#1', 'FINISHED', { closedAt: '2026-11-20T12:00:00.000Z' }),
    entry('e8', 'c-b#1', 'RUNNING', { dueDate: '2026-12-10T00:00:00.000Z' }),
    entry('c1', 'c-c#1', 'FINISHED', { closedAt: '2026-11-30T07:00:00.000Z' }),
    entry('c2', 'c-c#1', 'FINISHED', { closedAt: '2026-10-15T07:00:00.000Z' }),
    entry('c3', 'c-c#1', 'FAILED.APPLIED.CHANGES', { closedAt: '2026-11-25T07:00:00.000Z' }),
  ];
  await campaigns.putEntriesWithItems(entries.map((e) => ({ entry: e, items: [] })));
  await operations.putDayCount('2026-11-20', 10, 400, new Date('2026-11-21T08:00:00.000Z'));
  await operations.putRiskSummary(
    {
      date: DATE,
      assessedAt: '2026-12-01T07:30:00.000Z',
      users: 8,
      usersByLevel: { LOW: 3, MEDIUM: 2, HIGH: 2, CRITICAL: 1 },
      sodConflicts: 0,
      sodConflictList: [],
      orphanedAccess: 0,
      orphanedAccessList: [],
    },
    400,
  );
  // Heartbeats: each job's latest completed run (business time), all on time by default.
  const beats: Partial<Record<JobName, string>> = {
    'campaign-controller': '2026-12-01T07:00:00.000Z',
    'risk-assessment': '2026-12-01T07:30:00.000Z',
    'daily-operations': '2026-11-30T08:00:00.000Z',
    'weekly-summary': '2026-11-30T09:00:00.000Z',
    'initialize-reapproval': '2026-12-01T05:00:00.000Z',
    'start-reapproval': '2026-12-01T06:00:00.000Z',
    ...options.beats,
  };
  for (const [job, at] of Object.entries(beats) as [JobName, string][]) {
    const run = { job, runId: `run-${job}`, scheduledFor: at, startedAt: at, outcome: 'RUNNING' as const };
    await operations.startRun(run, JOB_RUN_RETENTION_DAYS);
    await operations.finishRun({ ...run, endedAt: at, outcome: 'SUCCEEDED' }, JOB_RUN_RETENTION_DAYS);
  }

  const published: { subject: string; text: string; attributes?: Record<string, string> }[] = [];
  const mails: OutgoingMail[] = [];
  const metrics: MetricDatum[][] = [];
  const warnings: string[] = [];
  const log: Log = { info: () => {}, error: () => {}, warn: (message) => void warnings.push(message) };
  const probeResult = options.probe ?? [{ name: 'table:campaigns', status: 'HEALTHY' }];
  const health: HealthProbe = {
    source: 'local',
    measure: async () => {
      if (probeResult instanceof Error) throw probeResult;
      return probeResult;
    },
  };
  const deps: DailyOperationsDeps = {
    directory: new InMemoryDirectoryStore(),
    campaigns,
    operations,
    health,
    publisher: { publish: async (m) => (published.push(m), { messageId: `sns-${published.length}` }) },
    mailer: { send: async (m) => (mails.push(m), { messageId: `ses-${mails.length}` }) },
    metrics: { publish: async (m) => void metrics.push(m) },
    clock: { now: () => NOW },
    log,
    recipients: options.recipients ?? ['OPS@example.com'],
  };
  return { deps, campaigns, operations, published, mails, metrics, warnings };
}

describe('buildDailyReport on a dataset computed by hand', () => {
  it('computes every figure', async () => {
    const { deps } = await setup();
    const report = await buildDailyReport(deps, CONFIG);
    expect(dailyReportSchema.parse(report), 'the report contract').toEqual(report);
    expect(report.date).toBe(DATE);
    expect(report.window).toEqual({ from: '2026-11-30T08:00:00.000Z', to: '2026-12-01T08:00:00.000Z' });
    expect(report.certification).toEqual({
      entriesByState: { RUNNING: 3, 'APPROVAL.FINISHED': 1, 'FAILED.PREPARE': 1, 'FAILED.EXPIRED': 1, 'FAILED.APPLIED.CHANGES': 0, FINISHED: 2 },
      entriesDecided24h: 2,
      completionRate: 37.5,
      overdueEntries: 2,
      activeCampaigns: 2,
    });
    expect(report.risk).toMatchObject({ assessedOn: DATE, usersByLevel: { LOW: 3, MEDIUM: 2, HIGH: 2, CRITICAL: 1 }, highRiskShare: 37.5 });
    expect(report.compliance).toMatchObject({ score: 85, status: 'COMPLIANT', certificationsLast30Days: 13, highRiskUsers: 3 });
    expect(report.health).toMatchObject({ status: 'HEALTHY', source: 'local' });
    expect(report.health.components.map((c) => `${c.name} ${c.status}`)).toEqual([
      'table:campaigns HEALTHY',
      'heartbeat:campaign-controller HEALTHY',
      'heartbeat:risk-assessment HEALTHY',
      'heartbeat:daily-operations HEALTHY',
      'heartbeat:weekly-summary HEALTHY',
      'heartbeat:initialize-reapproval HEALTHY',
      'heartbeat:start-reapproval HEALTHY',
    ]);
    expect(report.recommendations).toEqual([
      { severity: 'WARNING', text: 'Completion rate is 37.5%, below 80%: send reminders to the approvers of the 3 open entries.' },
    ]);
  });

  it('counts each earlier day once: the next report reads the window only, from the closed-day index', async () => {
    const { deps, campaigns, operations } = await setup();
    await buildDailyReport(deps, CONFIG);
    // The 29 complete days are stored: 11-30 counted from the index (e3, c1), 11-20 kept as it was.
    const counts = await operations.getDayCounts('2026-11-02', '2026-11-30');
    expect(counts.size).toBe(29);
    expect(counts.get('2026-11-30')).toBe(2);
    expect(counts.get('2026-11-20')).toBe(10);

    const closedBetween = vi.spyOn(campaigns, 'listEntriesClosedBetween');
    const listEntries = vi.spyOn(campaigns, 'listEntries');
    const report = await buildDailyReport(deps, CONFIG);
    expect(report.compliance.certificationsLast30Days).toBe(13);
    expect(closedBetween.mock.calls).toEqual([['2026-11-30T08:00:00.000Z', '2026-12-01T08:00:00.000Z']]);
    // Only the RUNNING campaigns' entries, never the finished campaign's.
    expect(listEntries.mock.calls.map((c) => c[0]).sort()).toEqual(['c-a#1', 'c-b#1']);
  });

  it("counts the removals still present in the directory through the unverified index alone, and recommends what to do", async () => {
    const { deps, campaigns } = await setup();
    const removal = (userId: string, verification?: Revocation['verification']): Revocation => ({
      runId: 'c-c#1',
      campaignId: 'c-c',
      userId,
      privilegeId: 'p-git',
      entryId: `e-${userId}`,
      itemId: 'p-git',
      reason: 'REJECTED',
      at: '2026-11-25T07:00:00.000Z',
      ...(verification ? { verification } : {}),
    });
    const still = (since: string, at: string) => ({ status: 'STILL_PRESENT' as const, at, since, nextCheckAt: '2026-12-02T07:00:00.000Z' });
    await campaigns.saveRevocationVerifications([
      removal('u-old', still('2026-11-25T07:00:00.000Z', '2026-12-01T07:00:00.000Z')),
      removal('u-new', still('2026-12-01T07:00:00.000Z', '2026-12-01T07:00:00.000Z')),
      removal('u-gone', { status: 'ABSENT', at: '2026-11-25T07:00:00.000Z' }),
      removal('u-unread'),
    ]);
    const listRevocations = vi.spyOn(campaigns, 'listRevocations');
    const unverified = vi.spyOn(campaigns, 'listUnverifiedRevocations');
    const report = await buildDailyReport(deps, CONFIG);
    expect(dailyReportSchema.parse(report), 'the report contract').toEqual(report);
    expect(report.revocations).toEqual({
      stillPresent: 2,
      foundInWindow: 1,
      stillPresentList: [
        { campaignId: 'c-c', runId: 'c-c#1', userId: 'u-old', privilegeId: 'p-git', since: '2026-11-25T07:00:00.000Z' },
        { campaignId: 'c-c', runId: 'c-c#1', userId: 'u-new', privilegeId: 'p-git', since: '2026-12-01T07:00:00.000Z' },
      ],
    });
    expect(report.recommendations[0]).toEqual({
      severity: 'CRITICAL',
      text: "2 assignment(s) that campaigns removed are still in the directory (u-old: p-git (campaign c-c); u-new: p-git (campaign c-c)): the directory accepted the removals but did not make them; remove them by hand and check the directory connector. Each campaign's report lists its own.",
    });
    // Only the index: no run's revocations are listed.
    expect(unverified.mock.calls).toEqual([[]]);
    expect(listRevocations).not.toHaveBeenCalled();
  });

  it('stores no day count when the business time is ahead of the wall clock: no day is frozen before it happened', async () => {
    const { deps, operations } = await setup();
    const report = await buildDailyReport({ ...deps, wallClock: { now: () => new Date('2026-11-01T12:00:00.000Z') } }, CONFIG);
    expect(report.compliance.certificationsLast30Days).toBe(13);
    expect([...(await operations.getDayCounts('2026-11-02', '2026-11-30')).keys()]).toEqual(['2026-11-20']);
  });

  it('stores the count of a day only once it ended an hour ago on the wall clock; a later day is counted live', async () => {
    const { deps, operations } = await setup();
    // At 00:30, yesterday (11-30) ended 30 minutes ago: counted, not stored; 11-29 is stored.
    const justAfterMidnight = new Date('2026-12-01T00:30:00.000Z');
    await buildDailyReport({ ...deps, clock: { now: () => justAfterMidnight } }, CONFIG);
    const counts = await operations.getDayCounts('2026-11-02', '2026-11-30');
    expect(counts.has('2026-11-30')).toBe(false);
    expect(counts.get('2026-11-29')).toBe(0);
    expect(counts.size).toBe(28);
  });

  it('is DEGRADED when a job missed its heartbeat, naming it and when it was expected', async () => {
    // The daily report job of yesterday never completed: its latest run is from 11-29.
    const { deps } = await setup({ beats: { 'daily-operations': '2026-11-29T08:00:00.000Z' } });
    const report = await buildDailyReport(deps, CONFIG);
    expect(report.health.status).toBe('DEGRADED');
    expect(report.health.components.find((c) => c.name === 'heartbeat:daily-operations')).toMatchObject({
      status: 'DEGRADED',
      reason: 'daily-operations has not completed a run since 2026-11-29T08:00:00.000Z; its schedule (daily at 08:00 UTC) expected one at 2026-11-30T08:00:00.000Z',
    });
    expect(report.recommendations[0]).toMatchObject({ severity: 'CRITICAL', text: expect.stringContaining('check heartbeat:daily-operations') });
  });

  it('checks heartbeats against the deployed schedules (JOB_SCHEDULES) over the configured ones', async () => {
    // The last run is 11-30 07:30. At 08:00 the configured 07:30 run of today is still within its 90-minute grace;
    // a deployed 06:00 run was due by 07:30, and has not completed.
    const { deps } = await setup({ beats: { 'risk-assessment': '2026-11-30T07:30:00.000Z' } });
    const configured = await buildDailyReport(deps, CONFIG);
    expect(configured.health.components.find((c) => c.name === 'heartbeat:risk-assessment')!.status).toBe('HEALTHY');
    const deployed = await buildDailyReport({ ...deps, schedules: { 'risk-assessment': { kind: 'daily', hour: 6, minute: 0 } } }, CONFIG);
    expect(deployed.health.components.find((c) => c.name === 'heartbeat:risk-assessment')).toMatchObject({
      status: 'DEGRADED',
      reason: expect.stringContaining('its schedule (daily at 06:00 UTC) expected one at 2026-12-01T06:00:00.000Z'),
    });
    // Jobs the deployed schedules leave out keep the configured ones.
    expect(deployed.health.components.filter((c) => c.status === 'DEGRADED').map((c) => c.name)).toEqual(['heartbeat:risk-assessment']);
  });

  it('takes no run for a business time after the report as evidence: a broken schedule stays DEGRADED', async () => {
    const { deps, operations } = await setup({ beats: { 'risk-assessment': '2026-11-29T07:30:00.000Z' } });
    // A run with --now a week ahead completed: the heartbeat's latest completed run is now that one.
    const ahead = { job: 'risk-assessment' as const, runId: 'run-ahead', scheduledFor: '2026-12-08T07:30:00.000Z', startedAt: '2026-12-01T07:40:00.000Z', outcome: 'RUNNING' as const };
    await operations.startRun(ahead, JOB_RUN_RETENTION_DAYS);
    await operations.finishRun({ ...ahead, endedAt: '2026-12-01T07:41:00.000Z', outcome: 'SUCCEEDED' }, JOB_RUN_RETENTION_DAYS);
    expect((await operations.getHeartbeats(['risk-assessment'])).get('risk-assessment')!.lastCompleted!.runId).toBe('run-ahead');

    const report = await buildDailyReport(deps, CONFIG);
    expect(report.health.components.find((c) => c.name === 'heartbeat:risk-assessment')).toMatchObject({
      status: 'DEGRADED',
      reason: expect.stringContaining('risk-assessment has not completed a run since 2026-11-29T07:30:00.000Z'),
    });
  });

  it('finds, behind a run for a later business time, the run that completed on schedule', async () => {
    const { deps, operations } = await setup({ beats: { 'risk-assessment': '2026-11-30T07:30:00.000Z' } });
    const ahead = { job: 'risk-assessment' as const, runId: 'run-ahead', scheduledFor: '2027-01-01T07:30:00.000Z', startedAt: '2026-12-01T07:40:00.000Z', outcome: 'RUNNING' as const };
    await operations.startRun(ahead, JOB_RUN_RETENTION_DAYS);
    await operations.finishRun({ ...ahead, endedAt: '2026-12-01T07:41:00.000Z', outcome: 'SUCCEEDED' }, JOB_RUN_RETENTION_DAYS);
    const report = await buildDailyReport(deps, CONFIG);
    expect(report.health.components.find((c) => c.name === 'heartbeat:risk-assessment')).toMatchObject({
      status: 'HEALTHY',
      details: { lastCompleted: '2026-11-30T07:30:00.000Z' },
    });
  });

  it('on a fresh installation, the first job run records the installation time: jobs not due since are HEALTHY, saying so', async () => {
    const { deps } = await setup();
    const fresh = new InMemoryOperationsStore();
    const runAt = (now: Date) =>
      recordJobRun({ operations: fresh, wallClock: { now: () => now } }, 'daily-operations', now, () =>
        runDailyOperations({ ...deps, operations: fresh, clock: { now: () => now } }, CONFIG),
      );
    const first = await runAt(NOW);
    expect(await fresh.getInstallation()).toEqual({ installedAt: NOW.toISOString() });
    const beats = first.report.health.components.filter((c) => c.name.startsWith('heartbeat:'));
    expect(beats.map((c) => `${c.name} ${c.status}`)).toEqual([
      'heartbeat:campaign-controller HEALTHY',
      'heartbeat:risk-assessment HEALTHY',
      'heartbeat:daily-operations HEALTHY',
      'heartbeat:weekly-summary HEALTHY',
      'heartbeat:initialize-reapproval HEALTHY',
      'heartbeat:start-reapproval HEALTHY',
    ]);
    expect(beats[1]!.reason).toBe('risk-assessment is not due yet since installation at 2026-12-01T08:00:00.000Z');

    // A day later the controller and the re-approval jobs (05:00, 06:00, past their grace at 08:00) were due and never
    // ran; the first risk assessment owed is today's, still within its grace.
    const next = await runAt(new Date('2026-12-02T08:00:00.000Z'));
    expect(next.report.health.components.filter((c) => c.status === 'DEGRADED').map((c) => c.name)).toEqual([
      'heartbeat:campaign-controller',
      'heartbeat:initialize-reapproval',
      'heartbeat:start-reapproval',
    ]);
    // Two days later the risk assessment of 12-02 was due too; the report's own run of yesterday counts; the weekly one is due on Monday 12-07.
    const third = await runAt(new Date('2026-12-03T08:00:00.000Z'));
    expect(third.report.health.components.filter((c) => c.status === 'DEGRADED').map((c) => c.name)).toEqual([
      'heartbeat:campaign-controller',
      'heartbeat:risk-assessment',
      'heartbeat:initialize-reapproval',
      'heartbeat:start-reapproval',
    ]);
    expect(await fresh.getInstallation()).toEqual({ installedAt: NOW.toISOString() });
  });

  it('is HEALTHY within the grace: the controller completed 90 minutes before the hour it was due', async () => {
    // Hourly: expected within the hour before now − 90 min = 05:30 … 06:30.
    const onTime = await buildDailyReport((await setup({ beats: { 'campaign-controller': '2026-12-01T05:30:00.000Z' } })).deps, CONFIG);
    expect(onTime.health.status).toBe('HEALTHY');
    const late = await buildDailyReport((await setup({ beats: { 'campaign-controller': '2026-12-01T05:29:00.000Z' } })).deps, CONFIG);
    expect(late.health.components.find((c) => c.name === 'heartbeat:campaign-controller')!.status).toBe('DEGRADED');
  });

  it('is DEGRADED when a probe component is, with the probe’s reason', async () => {
    const { deps } = await setup({ probe: [{ name: 'function:campaign-controller', status: 'DEGRADED', reason: '2 errors and 1 throttle in 24 hours' }] });
    const report = await buildDailyReport(deps, CONFIG);
    expect(report.health.status).toBe('DEGRADED');
    expect(report.recommendations[0]!.text).toContain('function:campaign-controller (2 errors and 1 throttle in 24 hours)');
  });

  it('is DEGRADED, never assumed healthy, when the probe cannot measure', async () => {
    const { deps } = await setup({ probe: new Error('GetMetricData denied') });
    const report = await buildDailyReport(deps, CONFIG);
    expect(report.health.components[0]).toEqual({ name: 'probe:local', status: 'DEGRADED', reason: 'health could not be measured: GetMetricData denied' });
    expect(report.health.status).toBe('DEGRADED');
  });

  it('is DEGRADED for a job that never ran, unless its first run is not due since the deployment', async () => {
    const { deps, operations } = await setup({});
    const fresh: OperationsStore = new InMemoryOperationsStore();
    await fresh.putRiskSummary((await operations.getLatestRiskSummary(DATE, 0))!, 400);
    const never = await buildDailyReport({ ...deps, operations: fresh }, CONFIG);
    expect(never.health.components.filter((c) => c.status === 'DEGRADED').map((c) => c.name)).toEqual([
      'heartbeat:campaign-controller',
      'heartbeat:risk-assessment',
      'heartbeat:daily-operations',
      'heartbeat:weekly-summary',
      'heartbeat:initialize-reapproval',
      'heartbeat:start-reapproval',
    ]);
    // Deployed at 06:05 today: every expected run (initialize 05:00, controller 05:30, start 06:00, the others yesterday) is before it.
    const justDeployed = await buildDailyReport({ ...deps, operations: fresh, deployedAt: new Date('2026-12-01T06:05:00.000Z') }, CONFIG);
    expect(justDeployed.health.status).toBe('HEALTHY');
    // Deployed at 05:00: the controller should have completed a run in the hour up to 06:30 (now − grace), and
    // initialize-reapproval (05:00, not before it) and start-reapproval (06:00) theirs.
    const earlier = await buildDailyReport({ ...deps, operations: fresh, deployedAt: new Date('2026-12-01T05:00:00.000Z') }, CONFIG);
    expect(earlier.health.components.filter((c) => c.status === 'DEGRADED').map((c) => c.name)).toEqual([
      'heartbeat:campaign-controller',
      'heartbeat:initialize-reapproval',
      'heartbeat:start-reapproval',
    ]);
  });
});

describe('runDailyOperations', () => {
  it('stores the report, publishes it, mails text and HTML to every recipient once, and emits the metrics', async () => {
    const { deps, operations, published, mails, metrics } = await setup();
    const { report, delivered } = await runDailyOperations(deps, CONFIG);
    expect(delivered).toEqual(['topic', 'mail']);
    const stored = await operations.getReport('daily', DATE);
    expect(stored!.report).toEqual(report);
    const sent = (messageId: string) => ({ status: 'SENT', owner: expect.any(String), claimedAt: NOW.toISOString(), at: NOW.toISOString(), messageId });
    expect(stored!.deliveries).toEqual({ topic: sent('sns-1'), 'mail:ops@example.com': sent('ses-1'), 'mail:security@example.com': sent('ses-2') });

    expect(published).toHaveLength(1);
    expect(published[0]!.subject).toBe('idgov daily operations 2026-12-01: COMPLIANT 85, HEALTHY');
    expect(published[0]!.text).toContain('Completion rate: 37.5%');
    expect(published[0]!.attributes).toEqual({ kind: 'daily', date: DATE, complianceStatus: 'COMPLIANT', healthStatus: 'HEALTHY' });
    // Deployment recipient OPS@ and configured ops@ are one address.
    expect(mails.map((m) => m.to)).toEqual(['OPS@example.com', 'security@example.com']);
    expect(mails[0]!.subject).toBe(published[0]!.subject);
    expect(mails[0]!.body).toBe(published[0]!.text);
    expect(mails[0]!.html).toContain('<!DOCTYPE html>');

    const byName = Object.fromEntries(metrics[0]!.filter((m) => !m.dimensions).map((m) => [m.name, m.value]));
    expect(byName).toEqual({
      EntriesDecided: 2,
      ActiveCampaigns: 2,
      CompletionRate: 37.5,
      OpenEntries: 3,
      OverdueEntries: 2,
      HighRiskUsers: 3,
      SodConflicts: 0,
      OrphanedAccess: 0,
      ComplianceScore: 85,
      NonCompliant: 0,
      HighRiskUsersAboveThreshold: 0,
      MissedHeartbeats: 0,
      HealthDegraded: 0,
    });
    expect(metrics[0]!.filter((m) => m.name === 'UsersAtRisk').map((m) => [m.dimensions!.RiskLevel, m.value])).toEqual([
      ['LOW', 3],
      ['MEDIUM', 2],
      ['HIGH', 2],
      ['CRITICAL', 1],
    ]);
    // Hours from each job's latest completed run (setup's heartbeats) to the report at 12-01 08:00.
    expect(metrics[0]!.filter((m) => m.name === 'HeartbeatAgeHours').map((m) => [m.dimensions!.Job, m.value, m.unit])).toEqual([
      ['campaign-controller', 1, 'None'],
      ['risk-assessment', 0.5, 'None'],
      ['daily-operations', 24, 'None'],
      ['weekly-summary', 23, 'None'],
      ['initialize-reapproval', 3, 'None'],
      ['start-reapproval', 2, 'None'],
    ]);
  });

  it('keeps one report per date over re-runs, replaced by the latest, and never delivers it twice', async () => {
    const { deps, campaigns, operations, published, mails } = await setup();
    await runDailyOperations(deps, CONFIG);
    // An entry is decided before the re-run: the stored report changes, the delivery does not happen again.
    const e1 = (await campaigns.getEntry('e1'))!;
    await campaigns.saveEntry({ ...e1, state: 'APPROVAL.FINISHED', closedAt: '2026-12-01T07:00:00.000Z', version: e1.version + 1 });
    const again = await runDailyOperations(deps, CONFIG);
    expect(again.delivered).toEqual([]);
    expect(published).toHaveLength(1);
    expect(mails).toHaveLength(2);
    const reports = await operations.listDailyReports(DATE, DATE);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.certification).toMatchObject({ entriesDecided24h: 3, completionRate: 50 });
    expect((await operations.getReport('daily', DATE))!.deliveries.topic).toMatchObject({ status: 'SENT', messageId: 'sns-1' });
  });

  it('retries the channel whose first attempt failed, and only that one', async () => {
    const { deps, published, mails, metrics } = await setup();
    let failMail = true;
    const send = deps.mailer.send;
    deps.mailer.send = async (m) => {
      if (failMail) throw new Error('SES throttled');
      return send(m);
    };
    await expect(runDailyOperations(deps, CONFIG)).rejects.toThrow('SES throttled');
    // The topic went out and was recorded; the metrics were emitted all the same.
    expect(published).toHaveLength(1);
    expect(metrics).toHaveLength(1);
    failMail = false;
    const retry = await runDailyOperations(deps, CONFIG);
    expect(retry.delivered).toEqual(['mail']);
    expect(published).toHaveLength(1);
    expect(mails.map((m) => m.to)).toEqual(['OPS@example.com', 'security@example.com']);
  });

  it('after a failure part-way through the recipients, the retry mails only those not mailed', async () => {
    const { deps, operations, published, mails } = await setup();
    const send = deps.mailer.send;
    let failFor: string | undefined = 'security@example.com';
    deps.mailer.send = async (m) => {
      if (m.to === failFor) throw new Error('SES rejected the address');
      return send(m);
    };
    await expect(runDailyOperations(deps, CONFIG)).rejects.toThrow('SES rejected the address');
    expect(mails.map((m) => m.to)).toEqual(['OPS@example.com']);
    expect(Object.keys((await operations.getReport('daily', DATE))!.deliveries).sort()).toEqual(['mail:ops@example.com', 'topic']);
    failFor = undefined;
    const retry = await runDailyOperations(deps, CONFIG);
    expect(retry.delivered).toEqual(['mail']);
    expect(mails.map((m) => m.to)).toEqual(['OPS@example.com', 'security@example.com']);
    expect(published).toHaveLength(1);
  });

  it('skips the mail, saying so, when there is no recipient', async () => {
    const { deps, mails, warnings } = await setup({ recipients: [] });
    const { delivered } = await runDailyOperations(deps, { ...CONFIG, recipients: [] });
    expect(delivered).toEqual(['topic']);
    expect(mails).toEqual([]);
    expect(warnings).toEqual(['no operations recipient: the report is not mailed']);
  });

  it("flags NON_COMPLIANT and high-risk users above the threshold by the configuration's thresholds, for the alarms", async () => {
    // Score 85 and 3 high-risk users: compliant and within the defaults (80, 5).
    const strict = { ...CONFIG, compliance: { ...CONFIG.compliance, compliantAt: 90 }, recommendations: { highRiskUsersAbove: 2 } };
    const { deps, metrics } = await setup();
    const { report } = await runDailyOperations(deps, strict);
    expect(report.compliance).toMatchObject({ score: 85, status: 'NON_COMPLIANT' });
    const value = (name: string) => metrics[0]!.find((m) => m.name === name)!;
    expect(value('NonCompliant')).toMatchObject({ value: 1, unit: 'Count' });
    expect(value('HighRiskUsersAboveThreshold')).toMatchObject({ value: 1, unit: 'Count' });
    expect(value('ComplianceScore').value).toBe(85);
    // Exactly at the threshold is not above it.
    const { deps: again, metrics: atThreshold } = await setup();
    await runDailyOperations(again, { ...CONFIG, recommendations: { highRiskUsersAbove: 3 } });
    expect(atThreshold[0]!.find((m) => m.name === 'HighRiskUsersAboveThreshold')!.value).toBe(0);
  });

  it('emits no heartbeat age for a job that never completed a run', async () => {
    const { deps, metrics } = await setup();
    await runDailyOperations({ ...deps, operations: new InMemoryOperationsStore() }, CONFIG);
    expect(metrics[0]!.filter((m) => m.name === 'HeartbeatAgeHours')).toEqual([]);
  });

  it('counts missed heartbeats and degraded health in the metrics', async () => {
    const { deps, metrics } = await setup({ beats: { 'risk-assessment': '2026-11-29T07:30:00.000Z', 'weekly-summary': '2026-11-16T09:00:00.000Z' } });
    await runDailyOperations(deps, CONFIG);
    const value = (name: string) => metrics[0]!.find((m) => m.name === name)!.value;
    expect(value('MissedHeartbeats')).toBe(2);
    expect(value('HealthDegraded')).toBe(1);
  });
});
