// The daily operations jobs killed at any write and run again: for every write position k, the
// job dies at its k-th write (to a store, the topic, the mailer or the metrics) and is run again
// without faults; the end state must be that of a run that was never killed, and every target
// (the topic, each recipient) delivered once, except the documented case: killed between a send
// and its mark, that target is sent again once the claim is taken over.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { composeDailyReport, emptyEntryTally, overallHealth } from '../../../lambdas/shared/domain/daily-report.js';
import type { Entry, EntryState } from '../../../lambdas/shared/domain/model.js';
import { DEFAULT_OPERATIONS_CONFIG, type OperationsConfig } from '../../../lambdas/shared/domain/operations.js';
import { assessRisk } from '../../../lambdas/shared/use-cases/assess-risk.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { runDailyOperations, type DailyOperationsDeps } from '../../../lambdas/shared/use-cases/daily-operations.js';
import { emergencyRevoke } from '../../../lambdas/shared/use-cases/emergency-revoke.js';
import { silentLog, type AccessRemoval, type DeliveryTarget, type OperationsStore, type ReportKind } from '../../../lambdas/shared/use-cases/ports.js';
import { CLAIM_MINUTES } from '../../../lambdas/shared/use-cases/report-delivery.js';
import { runWeeklySummary, type WeeklySummaryDeps } from '../../../lambdas/shared/use-cases/weekly-summary.js';
import { InjectedKill } from '../../support/fault-injection.js';
import { aCampaign, aPrivilege, aUser, anAssignment, anEntry } from '../../support/fixtures.js';
import { killAtWrite, type WriteKill } from '../../support/write-kill.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const RECIPIENTS = ['ops@example.com', 'security@example.com'];
const TARGETS: DeliveryTarget[] = ['topic', 'mail:ops@example.com', 'mail:security@example.com'];

/** Runs `play(k)` for every write position of a clean run, after checking the clean run writes at least `minWrites` times. */
async function everyWritePosition(cleanWrites: number, minWrites: number, play: (k: number) => Promise<void>): Promise<void> {
  expect(cleanWrites).toBeGreaterThanOrEqual(minWrites);
  for (let k = 1; k <= cleanWrites; k++) await play(k);
}

/** A job killed at write k must die there (InjectedKill); the kill must land. */
async function killed(run: () => Promise<unknown>, kill: WriteKill, k: number): Promise<void> {
  await expect(run(), `kill at write ${k}`).rejects.toBeInstanceOf(InjectedKill);
  expect(kill.killed(), `kill at write ${k}`).toBeDefined();
  kill.restore();
}

/** Each target's deliveries, and the target allowed a second one: the one whose mark (recordDelivery) was killed after its send. */
function expectDeliveredOnce(sent: Record<DeliveryTarget, number>, kill: WriteKill | undefined, k: number) {
  const markKilled = kill?.killed()?.method === 'recordDelivery' ? (kill.killed()!.args[2] as DeliveryTarget) : undefined;
  for (const target of TARGETS) expect(sent[target], `${target}, kill at write ${k}`).toBe(target === markKilled ? 2 : 1);
}

// ---------------------------------------------------------------------------------------------
// Delivery fakes shared by the daily and the weekly job.

function deliveryFakes() {
  const sent: Record<DeliveryTarget, number> = { topic: 0, 'mail:ops@example.com': 0, 'mail:security@example.com': 0 };
  let wall = Date.parse('2026-12-01T08:00:00.000Z');
  return {
    sent,
    publisher: { publish: async () => ({ messageId: `sns-${++sent.topic}` }) },
    mailer: { send: async (m: { to: string }) => ({ messageId: `ses-${++sent[`mail:${m.to}`]}` }) },
    metrics: { publish: async () => {} },
    wallClock: { now: () => new Date(wall) },
    /** The next run starts once the dead run's claims are stale. */
    later: () => void (wall += (CLAIM_MINUTES + 1) * 60_000),
  };
}

async function deliveryState(operations: OperationsStore, kind: ReportKind, date: string) {
  const stored = await operations.getReport(kind, date);
  return {
    report: stored?.report,
    deliveries: Object.fromEntries(Object.entries(stored?.deliveries ?? {}).map(([target, d]) => [target, d!.status])),
  };
}

// ---------------------------------------------------------------------------------------------
// The daily operations job.

const DAILY_NOW = new Date('2026-12-01T08:00:00.000Z');
const CONFIG: OperationsConfig = { ...DEFAULT_OPERATIONS_CONFIG, recipients: RECIPIENTS };

async function dailySetup() {
  const campaigns = new InMemoryCampaignStore({ pageSize: 2 });
  const operations: OperationsStore = new InMemoryOperationsStore({ pageSize: 2 });
  await campaigns.createCampaign(aCampaign({ id: 'c-a', runId: 'c-a#1', state: 'RUNNING' }));
  const entry = (id: string, state: EntryState, closedAt?: string): Entry =>
    anEntry({ id, runId: 'c-a#1', campaignId: 'c-a', subjectId: id, state, dueDate: '2026-12-05T00:00:00.000Z', ...(closedAt ? { closedAt } : {}) });
  await campaigns.putEntriesWithItems(
    [
      entry('e1', 'RUNNING'),
      entry('e2', 'FINISHED', '2026-11-30T10:00:00.000Z'),
      entry('e3', 'APPROVAL.FINISHED', '2026-11-20T10:00:00.000Z'),
      entry('e4', 'FINISHED', '2026-12-01T01:00:00.000Z'),
    ].map((e) => ({ entry: e, items: [] })),
  );
  await operations.putRiskSummary(
    { date: '2026-12-01', assessedAt: '2026-12-01T07:30:00.000Z', users: 3, usersByLevel: { LOW: 2, MEDIUM: 0, HIGH: 1, CRITICAL: 0 }, sodConflicts: 0, sodConflictList: [], orphanedAccess: 0, orphanedAccessList: [] },
    400,
  );
  const fakes = deliveryFakes();
  const deps: DailyOperationsDeps = {
    directory: new InMemoryDirectoryStore(),
    campaigns,
    operations,
    health: { source: 'local', measure: async () => [{ name: 'table:campaigns', status: 'HEALTHY' }] },
    publisher: fakes.publisher,
    mailer: fakes.mailer,
    metrics: fakes.metrics,
    clock: { now: () => DAILY_NOW },
    wallClock: fakes.wallClock,
    log: silentLog,
    recipients: [],
    deployedAt: new Date('2026-01-01T00:00:00.000Z'),
  };
  const writes = (k: number | undefined) =>
    killAtWrite(k, [
      [operations, ['putDayCount', 'putReport', 'claimDelivery', 'recordDelivery', 'releaseDelivery']],
      [fakes.publisher, ['publish']],
      [fakes.mailer, ['send']],
      [fakes.metrics, ['publish']],
    ]);
  const state = async () => ({ ...(await deliveryState(operations, 'daily', '2026-12-01')), dayCounts: [...(await operations.getDayCounts('2026-11-01', '2026-11-30'))] });
  return { deps, fakes, writes, state };
}

// ---------------------------------------------------------------------------------------------
// The weekly summary job.

const MONDAY = new Date('2026-11-30T09:00:00.000Z');

async function weeklySetup() {
  const operations: OperationsStore = new InMemoryOperationsStore();
  for (const date of ['2026-11-24', '2026-11-26', '2026-11-30']) {
    const now = new Date(`${date}T08:00:00.000Z`);
    const report = composeDailyReport(
      { now, tally: emptyEntryTally(), entriesDecided24h: 1, activeCampaigns: 1, certificationsLast30Days: 12, riskSummary: undefined, health: overallHealth('local', []) },
      DEFAULT_OPERATIONS_CONFIG,
    );
    await operations.putReport('daily', report, 400);
  }
  const fakes = deliveryFakes();
  const deps: WeeklySummaryDeps = {
    operations,
    publisher: fakes.publisher,
    mailer: fakes.mailer,
    clock: { now: () => MONDAY },
    wallClock: fakes.wallClock,
    log: silentLog,
    recipients: RECIPIENTS,
    metrics: fakes.metrics,
  };
  const writes = (k: number | undefined) =>
    killAtWrite(k, [
      [operations, ['putReport', 'claimDelivery', 'recordDelivery', 'releaseDelivery']],
      [fakes.publisher, ['publish']],
      [fakes.mailer, ['send']],
      [fakes.metrics, ['publish']],
    ]);
  return { deps, fakes, writes, state: () => deliveryState(operations, 'weekly', '2026-11-30') };
}

// ---------------------------------------------------------------------------------------------
// The risk assessment job.

const ASSESS_NOW = new Date('2026-12-01T07:30:00.000Z');
const RISK_CONFIG: OperationsConfig = {
  ...DEFAULT_OPERATIONS_CONFIG,
  risk: { ...DEFAULT_OPERATIONS_CONFIG.risk, maxHighRiskPrivileges: 1, toxicCombinations: [{ privileges: ['p-pay', 'p-approve'] }] },
};

async function assessSetup() {
  const directory = new InMemoryDirectoryStore({ pageSize: 2 });
  const operations = new InMemoryOperationsStore({ pageSize: 2 });
  await directory.putPrivileges([
    aPrivilege({ id: 'p-low', riskLevel: 'LOW' }),
    aPrivilege({ id: 'p-high', riskLevel: 'HIGH' }),
    aPrivilege({ id: 'p-crit', riskLevel: 'CRITICAL' }),
    aPrivilege({ id: 'p-pay', riskLevel: 'LOW' }),
    aPrivilege({ id: 'p-approve', riskLevel: 'MEDIUM' }),
  ]);
  await directory.putUsers([
    aUser({ id: 'u-a' }),
    aUser({ id: 'u-b' }),
    aUser({ id: 'u-c', status: 'DISABLED' }),
    aUser({ id: 'u-d', riskLevel: 'HIGH' }),
    aUser({ id: 'u-e' }),
  ]);
  await directory.putAssignments([
    anAssignment({ userId: 'u-a', privilegeId: 'p-low' }),
    anAssignment({ userId: 'u-b', privilegeId: 'p-high' }),
    anAssignment({ userId: 'u-b', privilegeId: 'p-crit', origin: 'RULE' }),
    anAssignment({ userId: 'u-c', privilegeId: 'p-low' }),
    anAssignment({ userId: 'u-e', privilegeId: 'p-pay' }),
    anAssignment({ userId: 'u-e', privilegeId: 'p-approve' }),
  ]);
  const deps = { directory, operations, clock: { now: () => ASSESS_NOW }, log: silentLog };
  const writes = (k: number | undefined) =>
    killAtWrite(k, [
      [operations, ['putAssessments', 'putAssessmentProgress', 'putRiskSummary']],
      [directory, ['setRiskLevel']],
    ]);
  const state = async () => {
    const assessments = await collect(operations.listAssessments('2026-12-01'));
    const progress = await operations.getAssessmentProgress('2026-12-01');
    // Every assessment stored belongs to the round the checkpoint names; round ids differ from run to run.
    expect(assessments.every((a) => a.round === progress?.round)).toBe(true);
    return {
      assessments: assessments.map(({ round: _round, ...a }) => a),
      summary: await operations.getLatestRiskSummary('2026-12-01', 0),
      done: progress?.done,
      users: await collect(directory.listUsers()),
    };
  };
  return { deps, writes, state };
}

// ---------------------------------------------------------------------------------------------
// Emergency access removal.

async function revokeSetup() {
  const directory = new InMemoryDirectoryStore();
  const operations = new InMemoryOperationsStore();
  await directory.putUsers([aUser({ id: 'u-mallory' })]);
  await directory.putAssignments([
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-pay', origin: 'MANUAL', approvedAt: '2026-01-05T00:00:00.000Z', approvedBy: 'u-boss' }),
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-vendor', origin: 'MANUAL' }),
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-prod', origin: 'MANUAL', approvedAt: '2026-03-01T00:00:00.000Z' }),
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-mail', origin: 'RULE' }),
  ]);
  const deps = { directory, operations, audit: new InMemoryAuditLog(), clock: { now: () => new Date('2026-12-01T10:00:00.000Z') } };
  const writes = (k: number | undefined) =>
    killAtWrite(k, [
      [operations, ['recordRemoval', 'completeRemoval']],
      [directory, ['removeAssignment']],
    ]);
  const withoutRequest = ({ requestId: _requestId, ...r }: AccessRemoval) => r;
  const state = async () => ({
    held: (await directory.listAssignmentsOfUser('u-mallory')).map((a) => `${a.privilegeId}:${a.origin}`),
    records: (await operations.listRemovals('u-mallory')).map(withoutRequest),
  });
  return { deps, writes, state };
}

const REQUEST = { userId: 'u-mallory', reason: 'credentials leaked (INC-42)', by: 'oncall@example.com', requestId: 'req-1' };

describe('an operations job killed after any write, then run again', () => {
  it('the risk assessment ends as a run never killed', async () => {
    const clean = await assessSetup();
    const counting = clean.writes(undefined);
    await assessRisk(clean.deps, RISK_CONFIG);
    const expected = await clean.state();
    expect(expected.summary).toMatchObject({ users: 5, sodConflicts: 1, orphanedAccess: 1 });

    await everyWritePosition(counting.count(), 10, async (k) => {
      const s = await assessSetup();
      const kill = s.writes(k);
      await killed(() => assessRisk(s.deps, RISK_CONFIG), kill, k);
      await assessRisk(s.deps, RISK_CONFIG);
      expect(await s.state(), `kill at write ${k}`).toEqual(expected);
    });
  });

  it('the daily operations job ends as a run never killed, each target delivered once but for a kill between send and mark', async () => {
    const clean = await dailySetup();
    const counting = clean.writes(undefined);
    await runDailyOperations(clean.deps, CONFIG);
    const expected = await clean.state();
    expect(expected.deliveries).toEqual({ topic: 'SENT', 'mail:ops@example.com': 'SENT', 'mail:security@example.com': 'SENT' });
    expectDeliveredOnce(clean.fakes.sent, undefined, 0);

    let duplicates = 0;
    await everyWritePosition(counting.count(), 30, async (k) => {
      const s = await dailySetup();
      const kill = s.writes(k);
      await killed(() => runDailyOperations(s.deps, CONFIG), kill, k);
      s.fakes.later();
      await runDailyOperations(s.deps, CONFIG);
      expect(await s.state(), `kill at write ${k}`).toEqual(expected);
      expectDeliveredOnce(s.fakes.sent, kill, k);
      if (kill.killed()!.method === 'recordDelivery') duplicates += 1;
    });
    // The documented exception happened once per target, and only there.
    expect(duplicates).toBe(TARGETS.length);
  });

  it('the weekly summary job ends as a run never killed, each target delivered once but for a kill between send and mark', async () => {
    const clean = await weeklySetup();
    const counting = clean.writes(undefined);
    await runWeeklySummary(clean.deps, DEFAULT_OPERATIONS_CONFIG);
    const expected = await clean.state();
    expect(expected.deliveries).toEqual({ topic: 'SENT', 'mail:ops@example.com': 'SENT', 'mail:security@example.com': 'SENT' });

    await everyWritePosition(counting.count(), 10, async (k) => {
      const s = await weeklySetup();
      const kill = s.writes(k);
      await killed(() => runWeeklySummary(s.deps, DEFAULT_OPERATIONS_CONFIG), kill, k);
      s.fakes.later();
      await runWeeklySummary(s.deps, DEFAULT_OPERATIONS_CONFIG);
      expect(await s.state(), `kill at write ${k}`).toEqual(expected);
      expectDeliveredOnce(s.fakes.sent, kill, k);
    });
  });

  it.each([
    ['a new request', 'req-2'],
    ['the same request', 'req-1'],
  ])('emergency access removal ends as a request never killed, one record per removal, re-run as %s', async (_, rerunId) => {
    const clean = await revokeSetup();
    const counting = clean.writes(undefined);
    await emergencyRevoke(clean.deps, REQUEST);
    const expected = await clean.state();
    expect(expected.held).toEqual(['p-mail:RULE']);
    expect(expected.records.map((r) => `${r.privilegeId} ${r.status}`)).toEqual(['p-pay REMOVED', 'p-prod REMOVED', 'p-vendor REMOVED']);

    await everyWritePosition(counting.count(), 9, async (k) => {
      const s = await revokeSetup();
      const kill = s.writes(k);
      await killed(() => emergencyRevoke(s.deps, REQUEST), kill, k);
      await emergencyRevoke(s.deps, { ...REQUEST, requestId: rerunId });
      expect(await s.state(), `kill at write ${k}`).toEqual(expected);
    });
  });
});
