// `npm run bench:daily [-- --users N --entries-per-day N --active-entries N]`: what the daily
// operations report costs in DynamoDB reads (consumed read capacity) with 1 day and with 365 days
// of history at the same daily volume, and, on the 365-day data, what the workshop's approach costs:
// a filtered Scan of every table. Both datasets have the same "today" (a RUNNING campaign, the
// day's closed entries, today's risk assessment); the 365-day one adds 364 earlier days of closed
// entries with their items, assessments, risk summaries, daily reports, day counts and job runs, as
// the jobs would have left them. Measured: one whole daily-operations run (report, storage,
// delivery to capturing publisher and mailer) on the embedded engine, which reports consumed
// capacity as DynamoDB does, each charged at least half a unit. The figures compared are the
// steady-state cost (the report run again: what every day after the first costs); the first run's
// is printed too. The last line printed is one JSON object, for scripts.
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { meterReadCapacity } from './support/read-capacity.js';
import { DynamoOperationsStore } from '../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoTableProbe, LocalHealthProbe } from '../lambdas/shared/adapters/dynamo/dynamo-table-probe.js';
import { addDays } from '../lambdas/shared/domain/dates.js';
import type { Campaign, Entry, Item, RiskLevel, User } from '../lambdas/shared/domain/model.js';
import { DEFAULT_OPERATIONS_CONFIG, type DailyReport, type RiskAssessment } from '../lambdas/shared/domain/operations.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runDailyOperations } from '../lambdas/shared/use-cases/daily-operations.js';
import { silentLog, type Mailer, type MetricsSink, type ReportPublisher } from '../lambdas/shared/use-cases/ports.js';
import { openRuntime, type Runtime } from '../src/local/runtime.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '200' },
    'entries-per-day': { type: 'string', default: '100' },
    'active-entries': { type: 'string', default: '200' },
  },
});
const wholeNumber = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive whole number, got "${values[name]}"\n`);
    process.exit(2);
  }
  return value;
};
const USERS = wholeNumber('users');
const ENTRIES_PER_DAY = wholeNumber('entries-per-day');
const ACTIVE_ENTRIES = wholeNumber('active-entries');
const ITEMS_PER_ENTRY = 3;

/** The report runs at 08:00 on TODAY; its window is the 24 hours before. */
const NOW = new Date('2026-12-01T08:00:00.000Z');
const TODAY = '2026-12-01';
const LEVELS: RiskLevel[] = ['LOW', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const log = (line: string) => console.log(line);

const capturingPublisher: ReportPublisher = { publish: async () => ({ messageId: 'captured' }) };
const capturingMailer: Mailer = { send: async () => ({ messageId: 'captured' }) };
const discardingMetrics: MetricsSink = { publish: async () => {} };

async function main() {
  const oneDay = await measure(1);
  const fullYear = await measure(365);
  const result = {
    cost1Day: round(oneDay.reportCost),
    cost365Days: round(fullYear.reportCost),
    ratio: round(fullYear.reportCost / oneDay.reportCost),
    scanCost365Days: round(fullYear.scanCost),
  };
  log(`daily report read cost: ${result.cost1Day} RCU with 1 day of history, ${result.cost365Days} RCU with 365 days: ratio ${result.ratio} (target <= 1.5)`);
  log(`the workshop's filtered Scan of every table on the 365-day data: ${result.scanCost365Days} RCU (${round(fullYear.scanCost / fullYear.reportCost)} x the report)`);
  log(JSON.stringify(result));
}

async function measure(days: number): Promise<{ reportCost: number; scanCost: number }> {
  const runtime = await openRuntime({ inMemory: true });
  try {
    const t = performance.now();
    const operations = new DynamoOperationsStore({ doc: runtime.doc, tableName: runtime.tables.operations });
    const items = await seed(runtime, operations, days);
    log(`${days} day(s) of history: ${items} records written in ${((performance.now() - t) / 1000).toFixed(1)} s (not measured)`);

    const meter = meterReadCapacity(runtime.doc);
    const deps = {
      directory: runtime.directory,
      campaigns: runtime.campaigns,
      operations,
      health: new LocalHealthProbe({ tables: new DynamoTableProbe({ doc: runtime.doc, tables: { ...runtime.tables } }) }),
      publisher: capturingPublisher,
      mailer: capturingMailer,
      metrics: discardingMetrics,
      clock: { now: () => NOW },
      log: silentLog,
      recipients: ['operations@example.com'],
    };
    // The first run may count earlier days from the index once (a new installation has no day
    // counts yet); the second, the same report re-run, is what every later day costs.
    const first = await runDailyOperations(deps, DEFAULT_OPERATIONS_CONFIG);
    const firstCost = meter.units;
    meter.reset();
    const run = await runDailyOperations(deps, DEFAULT_OPERATIONS_CONFIG);
    const reportCost = meter.units;
    if (JSON.stringify(first.report.certification) !== JSON.stringify(run.report.certification)) {
      throw new Error('the re-run computed other certification figures than the first run');
    }
    log(
      `  report for ${run.report.date}: ${run.report.certification.entriesDecided24h} entries decided in 24 h, ` +
        `${run.report.compliance.certificationsLast30Days} certifications in 30 days; first run ${round(firstCost)} RCU, ` +
        `then ${round(reportCost)} RCU in ${Object.entries(meter.requests).map(([c, n]) => `${n} ${c}`).join(', ')}`,
    );

    meter.reset();
    for (const table of Object.values(runtime.tables)) {
      // The workshop's approach: every record of the table read, the wanted ones filtered afterwards.
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await runtime.doc.send(
          new ScanCommand({
            TableName: table,
            FilterExpression: 'entity IN (:entry, :user, :assessment)',
            ExpressionAttributeValues: { ':entry': 'entry', ':user': 'user', ':assessment': 'assessment' },
            ExclusiveStartKey,
          }),
        );
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    const scanCost = meter.units;
    meter.stop();
    return { reportCost, scanCost };
  } finally {
    await runtime.close();
  }
}

/** Writes the directory, today's workload and `days - 1` earlier days of history. Returns how many records. */
async function seed(runtime: Runtime, operations: DynamoOperationsStore, days: number): Promise<number> {
  let written = 0;
  const users: User[] = Array.from({ length: USERS }, (_, i) => ({
    id: `u-${String(i).padStart(5, '0')}`,
    displayName: `User ${i}`,
    email: `u${i}@example.com`,
    status: i % 50 === 49 ? 'DISABLED' : 'ACTIVE',
    riskLevel: LEVELS[i % LEVELS.length],
    ...(i > 0 ? { managerId: 'u-00000' } : {}),
  }));
  await runtime.directory.putUsers(users);
  written += users.length;

  // Today's workload, the same in both datasets: one RUNNING campaign; a quarter of its entries
  // were decided within the window, a quarter are past their due date, half are open.
  const active = await campaignOf(runtime, 'active', addDays(TODAY, -10), 'RUNNING');
  const activeEntries = Array.from({ length: ACTIVE_ENTRIES }, (_, i) =>
    entryOf(active, i, i % 4 === 0 ? { state: 'APPROVAL.FINISHED', closedAt: hoursBefore(NOW, 1 + (i % 20)) } : { state: 'RUNNING', dueDate: i % 4 === 1 ? hoursBefore(NOW, 5) : addDays(TODAY, 4) }),
  );
  written += await putEntries(runtime, activeEntries);

  for (let back = 0; back < days; back++) {
    const date = addDays(TODAY, -back);
    // Entries that closed on that day, in a campaign that has finished since (today's: in the window).
    const finished = await campaignOf(runtime, date, addDays(date, -14), 'SUCCEEDED');
    const closedAt = (i: number) => (back === 0 ? hoursBefore(NOW, 1 + (i % 7)) : `${date}T${String(i % 24).padStart(2, '0')}:30:00.000Z`);
    written += await putEntries(
      runtime,
      Array.from({ length: ENTRIES_PER_DAY }, (_, i) => entryOf(finished, i, { state: i % 10 === 9 ? 'FAILED.EXPIRED' : 'FINISHED', closedAt: closedAt(i) })),
    );
    const assessments = users.map((user, i) => assessmentOf(user, date, i));
    await operations.putAssessments(assessments, 400);
    written += assessments.length;
    await operations.putRiskSummary(
      {
        date,
        assessedAt: `${date}T07:31:00.000Z`,
        users: USERS,
        usersByLevel: countLevels(assessments),
        sodConflicts: 0,
        sodConflictList: [],
        orphanedAccess: 0,
        orphanedAccessList: [],
      },
      400,
    );
    written += 1;
    if (back === 0) continue;
    // What the earlier days' jobs left: their runs, their report, and their day count.
    for (const [job, hour] of [['risk-assessment', 7], ['daily-operations', 8]] as const) {
      const run = { job, runId: `${job}-${date}`, scheduledFor: `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`, startedAt: `${date}T${String(hour).padStart(2, '0')}:00:01.000Z` };
      await operations.startRun({ ...run, outcome: 'RUNNING' }, 90);
      await operations.finishRun({ ...run, endedAt: run.startedAt, outcome: 'SUCCEEDED' }, 90);
      written += 2;
    }
    await operations.putReport('daily', reportOf(date), 400);
    await operations.putDayCount(date, Math.round(ENTRIES_PER_DAY * 0.9), 400, new Date(`${addDays(date, 1)}T08:00:00.000Z`));
    written += 2;
  }
  return written;
}

async function campaignOf(runtime: Runtime, name: string, start: string, state: Campaign['state']): Promise<Campaign> {
  const created = await createCampaign(
    { campaigns: runtime.campaigns, audit: runtime.auditLog },
    {
      name: `Benchmark ${name}`,
      kind: 'USER',
      ownerId: 'u-00000',
      startDate: `${start}T00:00:00.000Z`,
      approvalPeriodDays: 14,
      subjects: { filter: '(department=*)' },
      revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
    },
    new Date(`${start}T00:00:00.000Z`),
    `bench-${name}`,
  );
  const saved: Campaign = { ...created, state, version: created.version + 1 };
  await runtime.campaigns.saveCampaign(saved);
  return saved;
}

function entryOf(campaign: Campaign, i: number, shape: { state: Entry['state']; closedAt?: string; dueDate?: string }): { entry: Entry; items: Item[] } {
  const id = `${campaign.runId}-e${i}`;
  const createdAt = campaign.startDate;
  const entry: Entry = {
    id,
    campaignId: campaign.id,
    runId: campaign.runId,
    subjectKind: 'USER',
    subjectId: `u-${String(i % USERS).padStart(5, '0')}`,
    subjectName: `User ${i % USERS}`,
    stage: 1,
    state: shape.state,
    approverIds: ['u-00000'],
    dueDate: shape.dueDate ?? addDays(createdAt.slice(0, 10), 14) + 'T00:00:00.000Z',
    itemCount: ITEMS_PER_ENTRY,
    createdAt,
    updatedAt: shape.closedAt ?? createdAt,
    version: 1,
    ...(shape.closedAt ? { closedAt: shape.closedAt } : {}),
  };
  const items: Item[] = Array.from({ length: ITEMS_PER_ENTRY }, (_, k) => ({
    entryId: id,
    id: `i${k}`,
    userId: entry.subjectId,
    privilegeId: `p-${k}`,
    privilegeName: `Privilege ${k}`,
    privilegeRisk: LEVELS[k % LEVELS.length],
    ...(shape.closedAt ? { decision: { outcome: 'APPROVE' as const, decidedBy: 'u-00000', decidedAt: shape.closedAt, comment: 'still needed' } } : {}),
  }));
  return { entry, items };
}

async function putEntries(runtime: Runtime, entries: { entry: Entry; items: Item[] }[]): Promise<number> {
  for (let i = 0; i < entries.length; i += 100) await runtime.campaigns.putEntriesWithItems(entries.slice(i, i + 100));
  return entries.length * (1 + ITEMS_PER_ENTRY);
}

function assessmentOf(user: User, date: string, i: number): RiskAssessment {
  const level = LEVELS[i % LEVELS.length]!;
  return {
    date,
    userId: user.id,
    userStatus: user.status,
    computedLevel: level,
    level,
    reasons: [`holds a ${level} privilege`],
    privilegeCount: 3,
    highRiskPrivilegeCount: level === 'HIGH' || level === 'CRITICAL' ? 1 : 0,
    sodConflicts: [],
    assessedAt: `${date}T07:30:30.000Z`,
  };
}

function countLevels(assessments: RiskAssessment[]): Record<RiskLevel, number> {
  const counts: Record<RiskLevel, number> = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
  for (const a of assessments) counts[a.level] += 1;
  return counts;
}

/** A daily report of an earlier day, shaped like the job's (its figures matter only as stored bytes). */
function reportOf(date: string): DailyReport {
  return {
    date,
    generatedAt: `${date}T08:00:02.000Z`,
    window: { from: `${addDays(date, -1)}T08:00:00.000Z`, to: `${date}T08:00:00.000Z` },
    certification: { entriesByState: { RUNNING: 300, 'APPROVAL.FINISHED': 100 }, entriesDecided24h: 180, completionRate: 25, overdueEntries: 100, activeCampaigns: 1 },
    risk: { assessedOn: date, usersByLevel: { LOW: 120, MEDIUM: 60, HIGH: 60, CRITICAL: 60 }, highRiskShare: 40, sodConflicts: 0, orphanedAccess: 0, sodConflictList: [], orphanedAccessList: [] },
    health: { status: 'HEALTHY', source: 'local', components: [] },
    compliance: { score: 70, status: 'NON_COMPLIANT', certificationsLast30Days: 5400, highRiskUsers: 120, formula: 'starts at 100', deductions: [{ reason: 'more than 10 HIGH/CRITICAL users', points: 30 }] },
    recommendations: [{ severity: 'WARNING', text: 'Completion is below 80 %: send reminders.' }],
  };
}

const hoursBefore = (at: Date, hours: number) => new Date(at.getTime() - hours * 3_600_000).toISOString();
const round = (n: number) => Number(n.toFixed(2));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
