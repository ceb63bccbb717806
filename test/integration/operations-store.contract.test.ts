// One contract for OperationsStore, run against the in-memory store the use-case tests rely on and
// against the Dynamo adapter on a real engine (dynalite, or DynamoDB Local with
// IDGOV_TEST_ENGINE=dynamodb-local): both must behave alike.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { InMemoryOperationsStore } from '../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { composeDailyReport, emptyEntryTally, overallHealth } from '../../lambdas/shared/domain/daily-report.js';
import { NotFoundError } from '../../lambdas/shared/domain/errors.js';
import {
  DEFAULT_OPERATIONS_CONFIG,
  type DailyReport,
  type JobRun,
  type RiskAssessment,
  type RiskSummary,
  type WeeklySummary,
  LIST_CAP,
} from '../../lambdas/shared/domain/operations.js';
import { addToRiskSummary, assessUser, emptyRiskSummary, ORPHANED_ASSIGNMENTS_CAP } from '../../lambdas/shared/domain/risk-rules.js';
import type { AccessRemoval, OperationsStore, Pages } from '../../lambdas/shared/use-cases/ports.js';
import { useEngine } from '../support/engine.js';
import { aUser } from '../support/fixtures.js';

/** Small pages, so that every list crosses page boundaries. */
const PAGE_SIZE = 3;
const engine = useEngine();
interface Subject {
  store: OperationsStore;
  /** The stored record of a key, for the Dynamo suite's TTL checks (absent in memory). */
  record?: (key: { PK: string; SK: string }) => Promise<Record<string, unknown> | undefined>;
}

const implementations: { name: string; dynamo: boolean; make: () => Promise<Subject> }[] = [
  { name: 'in-memory', dynamo: false, make: async () => ({ store: new InMemoryOperationsStore({ pageSize: PAGE_SIZE }) }) },
  {
    name: `dynamo on ${engine.kind}`,
    dynamo: true,
    make: async () => {
      // The engine's fresh tables are built from TABLES, the operations table included.
      const { doc, names } = await engine.freshTables();
      const tableName = names.operations;
      return {
        store: new DynamoOperationsStore({ doc, tableName, pageSize: PAGE_SIZE, batch: { baseDelayMs: 1 } }),
        record: async (key) => (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item,
      };
    },
  },
];

async function collect<T>(stream: Pages<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of stream) all.push(...page);
  return all;
}

const epochSeconds = (iso: string) => Date.parse(iso) / 1000;
const COUNTED_AT = new Date('2026-07-05T09:00:00.000Z');

function anAssessment(overrides: Partial<RiskAssessment> = {}): RiskAssessment {
  const date = overrides.date ?? '2026-07-01';
  return {
    date,
    userId: 'u-alice',
    userStatus: 'ACTIVE',
    computedLevel: 'HIGH',
    declaredLevel: 'MEDIUM',
    level: 'HIGH',
    reasons: ['holds p-finance-admin (HIGH)'],
    privilegeCount: 3,
    highRiskPrivilegeCount: 1,
    sodConflicts: [],
    assessedAt: `${date}T07:30:05.000Z`,
    ...overrides,
  };
}

function aSummary(date: string, users = 10): RiskSummary {
  return {
    date,
    assessedAt: `${date}T07:31:00.000Z`,
    users,
    usersByLevel: { LOW: users - 4, MEDIUM: 2, HIGH: 1, CRITICAL: 1 },
    sodConflicts: 1,
    sodConflictList: [{ userId: 'u-eve', privileges: ['p-pay', 'p-approve'], reason: 'pays and approves' }],
    orphanedAccess: 1,
    orphanedAccessList: [{ userId: 'u-gone', assignments: [{ privilegeId: 'p-vpn', origin: 'MANUAL' }] }],
  };
}

function aRun(overrides: Partial<JobRun> = {}): JobRun {
  return {
    job: 'daily-operations',
    runId: 'run-1',
    scheduledFor: '2026-07-01T08:00:00.000Z',
    startedAt: '2026-07-01T08:00:01.000Z',
    outcome: 'RUNNING',
    ...overrides,
  };
}

const finished = (run: JobRun, outcome: JobRun['outcome'], endedAt: string, extra: Partial<JobRun> = {}): JobRun => ({
  ...run,
  outcome,
  endedAt,
  ...extra,
});

function aDailyReport(date: string, overrides: Partial<DailyReport> = {}): DailyReport {
  return {
    date,
    generatedAt: `${date}T08:00:03.000Z`,
    window: { from: `${date}T08:00:00.000Z`, to: `${date}T08:00:00.000Z` },
    certification: {
      entriesByState: { RUNNING: 4, 'APPROVAL.FINISHED': 6 },
      entriesDecided24h: 3,
      completionRate: 60,
      overdueEntries: 1,
      activeCampaigns: 2,
    },
    risk: {
      assessedOn: date,
      usersByLevel: { LOW: 6, MEDIUM: 2, HIGH: 1, CRITICAL: 1 },
      highRiskShare: 20,
      sodConflicts: 0,
      orphanedAccess: 0,
      sodConflictList: [],
      orphanedAccessList: [],
    },
    health: { status: 'HEALTHY', source: 'local', components: [{ name: 'table:campaigns', status: 'HEALTHY' }] },
    compliance: {
      score: 85,
      status: 'COMPLIANT',
      certificationsLast30Days: 25,
      highRiskUsers: 2,
      formula: 'start at 100 ...',
      deductions: [{ reason: 'high-risk users above 0', points: 5 }],
    },
    recommendations: [{ severity: 'INFO', text: 'No action needed.' }],
    ...overrides,
  };
}

function aWeeklySummary(date: string): WeeklySummary {
  return {
    date,
    generatedAt: `${date}T09:00:02.000Z`,
    dates: ['2026-06-30', '2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05', '2026-07-06'],
    missingDates: ['2026-07-02'],
    figures: [{ name: 'completionRate', first: 50, last: 60, min: 50, max: 60, trend: 'up' }],
    notableEvents: [{ date: '2026-07-03', text: 'health DEGRADED' }],
  };
}

function aRemoval(overrides: Partial<AccessRemoval> = {}): AccessRemoval {
  return {
    userId: 'u-mallory',
    privilegeId: 'p-prod-admin',
    origin: 'MANUAL',
    approvedAt: '2026-05-01T10:00:00.000Z',
    approvedBy: 'u-owner',
    removedAt: '2026-07-01T12:00:00.000Z',
    removedBy: 'u-secops',
    reason: 'credentials leaked',
    requestId: 'req-1',
    status: 'REMOVING',
    ...overrides,
  };
}

describe.each(implementations)('operations store contract: $name', ({ make, dynamo }) => {
  let s: Subject;
  let store: OperationsStore;
  beforeEach(async () => {
    s = await make();
    store = s.store;
  });

  describe('configuration', () => {
    it('is undefined until loaded, then read back as stored with who loaded it and when; a new load replaces it', async () => {
      expect(await store.getConfig()).toBeUndefined();

      const config = { ...DEFAULT_OPERATIONS_CONFIG, risk: { ...DEFAULT_OPERATIONS_CONFIG.risk, toxicCombinations: [{ privileges: ['p-pay', 'p-approve'] as [string, string], reason: 'SoD' }] } };
      await store.putConfig(config, 'u-ops', new Date('2026-07-01T09:00:00.000Z'));
      expect(await store.getConfig()).toEqual({ config, loadedAt: '2026-07-01T09:00:00.000Z', loadedBy: 'u-ops' });

      const next = { ...DEFAULT_OPERATIONS_CONFIG, recipients: ['ops@example.com'] };
      await store.putConfig(next, 'idgov-cli', new Date('2026-07-02T09:00:00.000Z'));
      expect(await store.getConfig()).toEqual({ config: next, loadedAt: '2026-07-02T09:00:00.000Z', loadedBy: 'idgov-cli' });
    });
  });

  describe('risk assessments', () => {
    it('lists one day\'s assessments in user id order across pages, one per user (a re-run replaces), without the checkpoint', async () => {
      const userIds = Array.from({ length: 8 }, (_, i) => `u-${String(7 - i).padStart(2, '0')}`);
      await store.putAssessments(userIds.map((userId) => anAssessment({ userId, round: 'r-1' })), 30);
      await store.putAssessments([anAssessment({ userId: 'u-00', date: '2026-07-02' })], 30);
      await store.putAssessmentProgress('2026-07-01', { afterUserId: 'u-07', done: true }, 30);
      const replaced = anAssessment({
        userId: 'u-03',
        level: 'CRITICAL',
        computedLevel: 'CRITICAL',
        sodConflicts: [{ userId: 'u-03', privileges: ['p-pay', 'p-approve'] }],
        orphanedAccess: { userId: 'u-03', assignments: [{ privilegeId: 'p-pay', origin: 'MANUAL' }] },
      });
      await store.putAssessments([replaced], 30);

      const listed = await collect(store.listAssessments('2026-07-01'));
      expect(listed.map((a) => a.userId)).toEqual([...userIds].sort());
      expect(listed.find((a) => a.userId === 'u-03')).toEqual(replaced);
      expect(listed[0]).toEqual(anAssessment({ userId: 'u-00', round: 'r-1' }));
      expect(await collect(store.listAssessments('2026-07-02'))).toEqual([anAssessment({ userId: 'u-00', date: '2026-07-02' })]);
      expect(await collect(store.listAssessments('2026-06-30'))).toEqual([]);
      await store.putAssessments([], 30);
    });

    it('gives one user\'s trend between two dates, inclusive, oldest first', async () => {
      const dates = ['2026-07-04', '2026-07-01', '2026-07-03', '2026-07-02', '2026-07-05'];
      await store.putAssessments(dates.map((date) => anAssessment({ date, userId: 'u-alice' })), 30);
      await store.putAssessments([anAssessment({ date: '2026-07-02', userId: 'u-bob' })], 30);

      const trend = await store.listAssessmentsOfUser('u-alice', '2026-07-02', '2026-07-04');
      expect(trend.map((a) => a.date)).toEqual(['2026-07-02', '2026-07-03', '2026-07-04']);
      expect(trend[0]).toEqual(anAssessment({ date: '2026-07-02', userId: 'u-alice' }));
      expect(await store.listAssessmentsOfUser('u-bob', '2026-07-01', '2026-07-31')).toHaveLength(1);
      expect(await store.listAssessmentsOfUser('u-nobody', '2026-07-01', '2026-07-31')).toEqual([]);
    });

    it('keeps the checkpoint of a date: the last user assessed, then done', async () => {
      expect(await store.getAssessmentProgress('2026-07-01')).toBeUndefined();
      await store.putAssessmentProgress('2026-07-01', { afterUserId: 'u-05', done: false, round: 'r-1' }, 30);
      expect(await store.getAssessmentProgress('2026-07-01')).toEqual({ afterUserId: 'u-05', done: false, round: 'r-1' });
      await store.putAssessmentProgress('2026-07-01', { done: true, round: 'r-1' }, 30);
      expect(await store.getAssessmentProgress('2026-07-01')).toEqual({ done: true, round: 'r-1' });
      await store.putAssessmentProgress('2026-07-01', { done: true }, 30);
      expect(await store.getAssessmentProgress('2026-07-01')).toEqual({ done: true });
      expect(await store.getAssessmentProgress('2026-07-02')).toBeUndefined();
    });

    it('finds the summary of the date, else the latest one at most lookbackDays before it', async () => {
      await store.putRiskSummary(aSummary('2026-07-01'), 30);
      await store.putRiskSummary(aSummary('2026-07-03', 11), 30);
      await store.putRiskSummary(aSummary('2026-07-03', 12), 30);

      expect(await store.getLatestRiskSummary('2026-07-03', 7)).toEqual(aSummary('2026-07-03', 12));
      expect((await store.getLatestRiskSummary('2026-07-02', 7))?.date).toBe('2026-07-01');
      expect((await store.getLatestRiskSummary('2026-07-08', 5))?.date).toBe('2026-07-03');
      expect(await store.getLatestRiskSummary('2026-07-08', 4)).toBeUndefined();
      expect(await store.getLatestRiskSummary('2026-06-30', 7)).toBeUndefined();
    });
  });

  describe('installation', () => {
    it('is recorded once: a second record changes nothing', async () => {
      expect(await store.getInstallation()).toBeUndefined();
      expect(await store.recordInstallation(new Date('2026-07-01T08:00:00.000Z'))).toBe(true);
      expect(await store.recordInstallation(new Date('2026-07-02T08:00:00.000Z'))).toBe(false);
      expect(await store.getInstallation()).toEqual({ installedAt: '2026-07-01T08:00:00.000Z' });
    });
  });

  describe('job runs and heartbeats', () => {
    it('a started run is the last run; a finished one replaces its start and, SUCCEEDED or SKIPPED, is the last completed', async () => {
      expect(await store.getHeartbeats(['daily-operations'])).toEqual(new Map());

      const first = aRun({ runId: 'run-1' });
      await store.startRun(first, 30);
      expect(await store.getHeartbeats(['daily-operations'])).toEqual(new Map([['daily-operations', { job: 'daily-operations', lastRun: first }]]));
      expect(await store.listRuns('daily-operations', 10)).toEqual([first]);

      const done = finished(first, 'SUCCEEDED', '2026-07-01T08:00:09.000Z', { summary: { delivered: ['topic', 'mail'] } });
      await store.finishRun(done, 30);
      expect(await store.listRuns('daily-operations', 10)).toEqual([done]);
      expect((await store.getHeartbeats(['daily-operations'])).get('daily-operations')).toEqual({
        job: 'daily-operations',
        lastRun: done,
        lastCompleted: done,
      });

      const failing = aRun({ runId: 'run-2', scheduledFor: '2026-07-02T08:00:00.000Z', startedAt: '2026-07-02T08:00:01.000Z' });
      await store.startRun(failing, 30);
      const failed = finished(failing, 'FAILED', '2026-07-02T08:00:02.000Z', { error: 'ThrottlingException: Rate exceeded' });
      await store.finishRun(failed, 30);
      expect((await store.getHeartbeats(['daily-operations'])).get('daily-operations')).toEqual({
        job: 'daily-operations',
        lastRun: failed,
        lastCompleted: done,
      });

      const skipping = aRun({ job: 'campaign-controller', runId: 'run-3', scheduledFor: '2026-07-02T09:00:00.000Z', startedAt: '2026-07-02T09:00:01.000Z' });
      await store.startRun(skipping, 30);
      const skipped = finished(skipping, 'SKIPPED', '2026-07-02T09:00:02.000Z');
      await store.finishRun(skipped, 30);
      const heartbeats = await store.getHeartbeats(['campaign-controller', 'daily-operations', 'risk-assessment']);
      expect([...heartbeats.keys()].sort()).toEqual(['campaign-controller', 'daily-operations']);
      expect(heartbeats.get('campaign-controller')).toEqual({ job: 'campaign-controller', lastRun: skipped, lastCompleted: skipped });
      expect((await store.getHeartbeats(['campaign-controller'])).has('daily-operations')).toBe(false);
    });

    it('a run that ends after a newer one started does not move lastRun back; it still counts as completed', async () => {
      const older = aRun({ runId: 'run-a', startedAt: '2026-07-01T08:00:01.000Z' });
      const newer = aRun({ runId: 'run-b', startedAt: '2026-07-01T08:05:00.000Z' });
      await store.startRun(older, 30);
      await store.startRun(newer, 30);
      const olderDone = finished(older, 'SUCCEEDED', '2026-07-01T08:06:00.000Z');
      await store.finishRun(olderDone, 30);

      expect((await store.getHeartbeats(['daily-operations'])).get('daily-operations')).toEqual({
        job: 'daily-operations',
        lastRun: newer,
        lastCompleted: olderDone,
      });
      const newerDone = finished(newer, 'SUCCEEDED', '2026-07-01T08:07:00.000Z');
      await store.finishRun(newerDone, 30);
      expect((await store.getHeartbeats(['daily-operations'])).get('daily-operations')).toEqual({
        job: 'daily-operations',
        lastRun: newerDone,
        lastCompleted: newerDone,
      });
      // A start retried after its run ended does not undo the end.
      await store.startRun(newer, 30);
      expect((await store.listRuns('daily-operations', 1))[0]).toEqual(newerDone);
    });

    it('a re-run for an earlier business time is the last run but leaves lastCompleted at the latest business time', async () => {
      const today = finished(aRun({ runId: 'today', scheduledFor: '2026-07-05T08:00:00.000Z', startedAt: '2026-07-05T08:00:01.000Z' }), 'SUCCEEDED', '2026-07-05T08:00:05.000Z');
      const rerun = finished(aRun({ runId: 'rerun', scheduledFor: '2026-07-03T08:00:00.000Z', startedAt: '2026-07-05T10:00:00.000Z' }), 'SUCCEEDED', '2026-07-05T10:00:04.000Z');
      for (const run of [today, rerun]) {
        await store.startRun({ ...run, outcome: 'RUNNING', endedAt: undefined }, 30);
        await store.finishRun(run, 30);
      }
      expect((await store.getHeartbeats(['daily-operations'])).get('daily-operations')).toEqual({
        job: 'daily-operations',
        lastRun: rerun,
        lastCompleted: today,
      });
    });

    it('lists a job\'s runs newest first, as many as asked, and no other job\'s', async () => {
      const runs = Array.from({ length: 8 }, (_, i) =>
        aRun({ runId: `run-${i}`, scheduledFor: `2026-07-0${i + 1}T08:00:00.000Z`, startedAt: `2026-07-0${i + 1}T08:00:01.000Z` }),
      );
      for (const run of [...runs].reverse()) await store.startRun(run, 30);
      await store.startRun(aRun({ job: 'weekly-summary', runId: 'w-1' }), 30);

      expect((await store.listRuns('daily-operations', 5)).map((r) => r.runId)).toEqual(['run-7', 'run-6', 'run-5', 'run-4', 'run-3']);
      expect(await store.listRuns('daily-operations', 100)).toHaveLength(8);
      expect((await store.listRuns('weekly-summary', 100)).map((r) => r.runId)).toEqual(['w-1']);
      expect(await store.listRuns('risk-assessment', 10)).toEqual([]);
    });
  });

  describe('reports', () => {
    it('stores one report per date: a re-run replaces it and keeps the deliveries made', async () => {
      expect(await store.getReport('daily', '2026-07-01')).toBeUndefined();
      const report = aDailyReport('2026-07-01');
      await store.putReport('daily', report, 30);
      expect(await store.getReport('daily', '2026-07-01')).toEqual({ report, deliveries: {} });

      const claim = { owner: 'run-a', claimedAt: '2026-07-01T08:00:03.000Z' };
      expect(await store.claimDelivery('daily', '2026-07-01', 'topic', claim, '2026-07-01T07:45:03.000Z')).toBe(true);
      const topic = { status: 'SENT' as const, ...claim, at: '2026-07-01T08:00:04.000Z', messageId: 'sns-1' };
      expect(await store.recordDelivery('daily', '2026-07-01', 'topic', topic)).toBe(true);
      // Sent: neither claimed nor marked again.
      expect(await store.claimDelivery('daily', '2026-07-01', 'topic', { owner: 'run-b', claimedAt: '2026-07-02T08:00:00.000Z' }, '2026-07-02T07:45:00.000Z')).toBe(false);
      expect(await store.recordDelivery('daily', '2026-07-01', 'topic', { ...topic, at: '2026-07-01T09:00:00.000Z', messageId: 'sns-2' })).toBe(false);

      const rerun = aDailyReport('2026-07-01', { generatedAt: '2026-07-01T10:00:00.000Z', recommendations: [{ severity: 'WARNING', text: 'Send reminders.' }] });
      await store.putReport('daily', rerun, 30);
      expect(await store.getReport('daily', '2026-07-01')).toEqual({ report: rerun, deliveries: { topic } });
      expect(await store.getReport('daily' as 'daily' | 'weekly', '2026-07-01')).toEqual({ report: rerun, deliveries: { topic } });
    });

    it('claims a target for one run at a time: a fresh claim holds, a stale one is taken over, only the holder marks it sent or releases it', async () => {
      await store.putReport('daily', aDailyReport('2026-07-01'), 30);
      const target = 'mail:ops@example.com' as const;
      const a = { owner: 'run-a', claimedAt: '2026-07-01T08:00:00.000Z' };
      const b = { owner: 'run-b', claimedAt: '2026-07-01T08:14:59.999Z' };
      expect(await store.claimDelivery('daily', '2026-07-01', target, a, '2026-07-01T07:45:00.000Z')).toBe(true);
      // 15 minutes after a's claim, less a millisecond: still a's.
      expect(await store.claimDelivery('daily', '2026-07-01', target, b, '2026-07-01T07:59:59.999Z')).toBe(false);
      expect((await store.getReport('daily', '2026-07-01'))!.deliveries).toEqual({ [target]: { status: 'SENDING', ...a } });
      // The claim is stale once made before staleBefore: b takes it over; a can no longer mark or release it.
      const c = { owner: 'run-c', claimedAt: '2026-07-01T08:15:00.001Z' };
      expect(await store.claimDelivery('daily', '2026-07-01', target, c, '2026-07-01T08:00:00.001Z')).toBe(true);
      expect(await store.recordDelivery('daily', '2026-07-01', target, { ...a, at: '2026-07-01T08:16:00.000Z', messageId: 'ses-a' })).toBe(false);
      await store.releaseDelivery('daily', '2026-07-01', target, 'run-a');
      expect((await store.getReport('daily', '2026-07-01'))!.deliveries).toEqual({ [target]: { status: 'SENDING', ...c } });
      // Its holder releases it (its send failed): free for the next claim at once.
      await store.releaseDelivery('daily', '2026-07-01', target, 'run-c');
      expect((await store.getReport('daily', '2026-07-01'))!.deliveries).toEqual({});
      expect(await store.claimDelivery('daily', '2026-07-01', target, b, '2026-07-01T07:59:59.999Z')).toBe(true);
      const sent = { ...b, at: '2026-07-01T08:15:01.000Z', messageId: 'ses-b' };
      expect(await store.recordDelivery('daily', '2026-07-01', target, sent)).toBe(true);
      expect((await store.getReport('daily', '2026-07-01'))!.deliveries).toEqual({ [target]: { status: 'SENT', ...sent } });
      // A SENT target is never claimed again, however old.
      expect(await store.claimDelivery('daily', '2026-07-01', target, c, '2027-01-01T00:00:00.000Z')).toBe(false);
    });

    it('keeps daily and weekly reports of the same date apart', async () => {
      const weekly = aWeeklySummary('2026-07-06');
      await store.putReport('weekly', weekly, 30);
      await store.putReport('daily', aDailyReport('2026-07-06'), 30);
      const claim = { owner: 'run-w', claimedAt: '2026-07-06T09:00:02.000Z' };
      expect(await store.claimDelivery('weekly', '2026-07-06', 'mail:ops@example.com', claim, '2026-07-06T08:45:02.000Z')).toBe(true);
      const sent = { ...claim, at: '2026-07-06T09:00:03.000Z', messageId: 'ses-w' };
      expect(await store.recordDelivery('weekly', '2026-07-06', 'mail:ops@example.com', sent)).toBe(true);

      expect(await store.getReport('weekly', '2026-07-06')).toEqual({ report: weekly, deliveries: { 'mail:ops@example.com': { status: 'SENT', ...sent } } });
      expect(await store.getReport('daily', '2026-07-06')).toEqual({ report: aDailyReport('2026-07-06'), deliveries: {} });
      expect(await store.listDailyReports('2026-07-01', '2026-07-31')).toEqual([aDailyReport('2026-07-06')]);
    });

    it('refuses a claim or a delivery of a report that is not stored, and stores nothing', async () => {
      const claim = { owner: 'run-a', claimedAt: '2026-07-01T08:00:03.000Z' };
      await expect(store.claimDelivery('daily', '2026-07-01', 'topic', claim, '2026-07-01T07:45:03.000Z')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.recordDelivery('daily', '2026-07-01', 'topic', { ...claim, at: '2026-07-01T08:00:04.000Z', messageId: 'sns-1' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await store.getReport('daily', '2026-07-01')).toBeUndefined();
    });

    it('lists the daily reports of a date range, inclusive, oldest first', async () => {
      for (const date of ['2026-07-05', '2026-07-01', '2026-07-03', '2026-07-02', '2026-07-04', '2026-06-30', '2026-07-08']) {
        await store.putReport('daily', aDailyReport(date), 30);
      }
      const listed = await store.listDailyReports('2026-07-01', '2026-07-07');
      expect(listed.map((r) => r.date)).toEqual(['2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05']);
      expect(listed[2]).toEqual(aDailyReport('2026-07-03'));
      expect(await store.listDailyReports('2026-07-10', '2026-07-20')).toEqual([]);
    });
  });

  describe('day counts', () => {
    it('reads the counts of stored dates in a range, inclusive; a new count replaces the old', async () => {
      await store.putDayCount('2026-06-30', 4, 30, COUNTED_AT);
      await store.putDayCount('2026-07-01', 7, 30, COUNTED_AT);
      await store.putDayCount('2026-07-03', 0, 30, COUNTED_AT);
      await store.putDayCount('2026-07-04', 2, 30, COUNTED_AT);
      await store.putDayCount('2026-07-01', 8, 30, COUNTED_AT);

      expect(await store.getDayCounts('2026-07-01', '2026-07-03')).toEqual(new Map([['2026-07-01', 8], ['2026-07-03', 0]]));
      expect(await store.getDayCounts('2026-08-01', '2026-08-30')).toEqual(new Map());
    });
  });

  describe('access removals', () => {
    it('records a removal once per privilege and request, and lists a user\'s removals by privilege then request', async () => {
      const removal = aRemoval();
      expect(await store.recordRemoval(removal)).toBe(true);
      // The same request again (a re-run of a killed request): recorded already, the first record stays.
      expect(await store.recordRemoval(aRemoval({ removedAt: '2026-07-01T12:05:00.000Z', reason: 'again' }))).toBe(false);
      // Another request removing the same privilege (granted again, without a grant stamp): a record of its own.
      const noStamp = aRemoval({ approvedAt: undefined, approvedBy: undefined, removedAt: '2026-07-03T12:00:00.000Z', requestId: 'req-0' });
      expect(await store.recordRemoval(noStamp)).toBe(true);
      const other = aRemoval({ privilegeId: 'p-vpn' });
      expect(await store.recordRemoval(other)).toBe(true);
      await store.recordRemoval(aRemoval({ userId: 'u-other' }));

      const { approvedAt: _a, approvedBy: _b, ...noStampStored } = noStamp;
      expect(await store.listRemovals('u-mallory')).toEqual([noStampStored, removal, other]);
      expect(await store.listRemovals('u-nobody')).toEqual([]);
    });

    it('completes a REMOVING record once: REMOVED, or NOT_REMOVED with the reason; a missing record is NotFoundError', async () => {
      await store.recordRemoval(aRemoval());
      await store.recordRemoval(aRemoval({ privilegeId: 'p-vpn' }));
      const removed = { status: 'REMOVED' as const, at: '2026-07-01T12:00:01.000Z' };
      expect(await store.completeRemoval(aRemoval(), removed)).toBe(true);
      expect(await store.completeRemoval(aRemoval(), { status: 'NOT_REMOVED', at: '2026-07-01T12:00:02.000Z', notRemovedReason: 'late' })).toBe(false);
      const notRemoved = { status: 'NOT_REMOVED' as const, at: '2026-07-01T12:00:03.000Z', notRemovedReason: 'no longer MANUAL' };
      expect(await store.completeRemoval(aRemoval({ privilegeId: 'p-vpn' }), notRemoved)).toBe(true);

      expect(await store.listRemovals('u-mallory')).toEqual([
        aRemoval({ status: 'REMOVED', completedAt: '2026-07-01T12:00:01.000Z' }),
        aRemoval({ privilegeId: 'p-vpn', status: 'NOT_REMOVED', completedAt: '2026-07-01T12:00:03.000Z', notRemovedReason: 'no longer MANUAL' }),
      ]);
      await expect(store.completeRemoval(aRemoval({ requestId: 'req-9' }), removed)).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.listRemovals('u-mallory')).toHaveLength(2);
    });
  });

  // DynamoDB refuses an item above 400 KB (the in-memory store does not measure): the worst case,
  // ids at their longest (256 characters), must still store, or the job could never finish.
  it.runIf(dynamo)('stores the assessment, the risk summary and the daily report of users holding 10,000 assignments each', async () => {
    const longId = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, '0')}`.padEnd(256, 'x');
    const privilegeIds = Array.from({ length: 10_000 }, (_, i) => longId('p-', i));
    // 1,000 toxic pairs (the configuration's maximum), each with a 500-character reason, all held.
    const config = {
      ...DEFAULT_OPERATIONS_CONFIG,
      risk: {
        ...DEFAULT_OPERATIONS_CONFIG.risk,
        toxicCombinations: Array.from({ length: 1000 }, (_, i) => ({ privileges: [privilegeIds[2 * i]!, privilegeIds[2 * i + 1]!] as [string, string], reason: 'r'.repeat(500) })),
      },
    };
    const now = new Date('2026-07-01T07:30:00.000Z');
    const assessmentOf = (userId: string) =>
      assessUser(
        aUser({ id: userId, status: 'DISABLED' }),
        privilegeIds.map((privilegeId) => ({ userId, privilegeId, origin: 'MANUAL' as const })),
        new Map(),
        config,
        '2026-07-01',
        now,
      );
    const assessment = assessmentOf(longId('u-', 0));
    await store.putAssessments([assessment], 30);
    const [stored] = await collect(store.listAssessments('2026-07-01'));
    expect(stored!.orphanedAccess!.assignmentCount).toBe(10_000);
    expect(stored!.orphanedAccess!.assignments).toHaveLength(ORPHANED_ASSIGNMENTS_CAP);
    expect(stored!.sodConflictCount).toBe(1000);
    expect(stored!.sodConflicts).toHaveLength(LIST_CAP);

    // More such users than the lists of the summary and the report hold.
    const summary = emptyRiskSummary('2026-07-01', now);
    for (let i = 0; i < LIST_CAP + 5; i++) addToRiskSummary(summary, { ...assessment, userId: longId('u-', i), orphanedAccess: { ...assessment.orphanedAccess!, userId: longId('u-', i) } });
    await store.putRiskSummary(summary, 30);
    expect(await store.getLatestRiskSummary('2026-07-01', 0)).toMatchObject({ users: LIST_CAP + 5, orphanedAccess: LIST_CAP + 5, sodConflicts: 1000 * (LIST_CAP + 5) });

    const report = composeDailyReport(
      {
        now: new Date('2026-07-01T08:00:00.000Z'),
        tally: emptyEntryTally(),
        entriesDecided24h: 0,
        activeCampaigns: 0,
        certificationsLast30Days: 0,
        riskSummary: summary,
        health: overallHealth('local', [{ name: 'table:operations', status: 'HEALTHY' }]),
      },
      config,
    );
    await store.putReport('daily', report, 30);
    const { risk } = (await store.getReport('daily', '2026-07-01'))!.report;
    expect(risk).toMatchObject({ orphanedAccess: LIST_CAP + 5, sodConflicts: 1000 * (LIST_CAP + 5) });
    // As many as fit: at ids of 256 characters, fewer than LIST_CAP entries.
    expect(risk.orphanedAccessList.length).toBeGreaterThan(10);
    expect(risk.sodConflictList.length).toBeGreaterThan(10);
  });

  // Only the Dynamo suite has raw records to read.
  it.runIf(dynamo)('expires what the table comment says by TTL (expiresAt, epoch seconds), and keeps heartbeats and configuration', async () => {
    await store.putAssessments([anAssessment({ date: '2026-07-01' })], 400);
    await store.putAssessmentProgress('2026-07-01', { done: true }, 400);
    await store.putRiskSummary(aSummary('2026-07-01'), 400);
    await store.putReport('daily', aDailyReport('2026-07-01'), 90);
    await store.putReport('weekly', aWeeklySummary('2026-07-06'), 90);
    await store.putDayCount('2026-07-01', 3, 40, COUNTED_AT);
    await store.startRun(aRun(), 14);
    await store.putConfig(DEFAULT_OPERATIONS_CONFIG, 'u-ops', new Date('2026-07-01T00:00:00.000Z'));
    const record = s.record!;

    expect((await record({ PK: 'ASSESS#2026-07-01', SK: 'USER#u-alice' }))?.expiresAt).toBe(epochSeconds('2027-08-05T00:00:00.000Z'));
    expect((await record({ PK: 'ASSESS#2026-07-01', SK: '#PROGRESS' }))?.expiresAt).toBe(epochSeconds('2027-08-05T00:00:00.000Z'));
    expect((await record({ PK: 'RISKSUMMARY', SK: '2026-07-01' }))?.expiresAt).toBe(epochSeconds('2027-08-05T00:00:00.000Z'));
    expect((await record({ PK: 'REPORT#DAILY', SK: '2026-07-01' }))?.expiresAt).toBe(epochSeconds('2026-09-29T00:00:00.000Z'));
    expect((await record({ PK: 'REPORT#WEEKLY', SK: '2026-07-06' }))?.expiresAt).toBe(epochSeconds('2026-10-04T00:00:00.000Z'));
    expect(await record({ PK: 'DAYCOUNT', SK: '2026-07-01' })).toMatchObject({ expiresAt: epochSeconds('2026-08-10T00:00:00.000Z'), countedAt: COUNTED_AT.toISOString() });
    expect((await record({ PK: 'JOB#daily-operations', SK: 'RUN#2026-07-01T08:00:01.000Z#run-1' }))?.expiresAt).toBe(
      epochSeconds('2026-07-15T08:00:01.000Z'),
    );
    expect(await record({ PK: 'JOB#daily-operations', SK: '#HEARTBEAT' })).not.toHaveProperty('expiresAt');
    expect(await record({ PK: 'CONFIG#operations', SK: '#CONFIG' })).not.toHaveProperty('expiresAt');
  });
});

