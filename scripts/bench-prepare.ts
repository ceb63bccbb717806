// `npm run bench:prepare [-- --assignments N --engine inline|process --cycles N]`: how fast, and
// with how many DynamoDB write requests, the controller prepares a USER campaign over N manual
// assignments on the embedded engine.
// Measured: the controller run from its start until the campaign is saved RUNNING (lease, validation,
// preparation, announcements). Not measured: loading the directory. The run's dispatch of the
// Approval Start mails is switched off (sending is not preparation; the records are still written).
// In the same run, on the same engine, before and again after the controller run, the engine's own
// floor for the same work: Query each subject's assignments and BatchWrite one record per assignment,
// nothing else (eight queries and four batches in flight, the next chunk read while one is written,
// as preparation has), into a table preparation does not write. `speedVsFloor` is preparation's items
// per second over the floor's, both floor runs taken together.
// The engine runs in this process by default (`--engine inline`); `--engine process` runs it in a
// child process, as DynamoDB runs apart from the Lambda: this process's CPU and garbage collection
// are then the controller's (or the floor client's), not the engine's. `peakRssMb` is this
// process's peak over every cycle so far.
// The machine's own speed drifts by a third within an hour, so one run decides nothing: the whole
// measurement (a fresh engine, the directory loaded, floor, preparation, floor) is repeated
// `--cycles` times (default 3) and the cycle with the median `speedVsFloor` is reported, with every
// cycle's figure beside it.
// The last line printed is one JSON object, for scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { batchWrite, queryAll } from '../lambdas/shared/adapters/dynamo/document-client.js';
import { chunk, mapLimit, readAhead } from '../lambdas/shared/use-cases/concurrency.js';
import { PREPARE_CHUNK } from '../lambdas/shared/use-cases/prepare-campaign.js';
import { instrumentWrites } from './support/instrument-writes.js';
import { separateAuditLog } from './support/separate-audit-log.js';
import { DynamoApprovalStore } from '../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import type { Campaign } from '../lambdas/shared/domain/model.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController } from '../lambdas/shared/use-cases/campaign-controller.js';
import { silentLog, type Mailer, type Outbox } from '../lambdas/shared/use-cases/ports.js';
import { LOCAL_PORTAL_URL, openRuntime } from '../src/local/runtime.js';
import { generateBenchOrganization } from '../src/local/sample-org.js';
import { startEngineProcess, type EngineProcess } from './support/engine-process.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: { assignments: { type: 'string', default: '100000' }, engine: { type: 'string', default: 'inline' }, cycles: { type: 'string', default: '3' } },
});
const assignments = Number(values.assignments);
if (!Number.isInteger(assignments) || assignments <= 0) {
  process.stderr.write(`--assignments must be a positive whole number, got "${values.assignments}"\n`);
  process.exit(2);
}
const cycles = Number(values.cycles);
if (!Number.isInteger(cycles) || cycles <= 0) {
  process.stderr.write(`--cycles must be a positive whole number, got "${values.cycles}"\n`);
  process.exit(2);
}
if (values.engine !== 'process' && values.engine !== 'inline') {
  process.stderr.write(`--engine must be process or inline, got "${values.engine}"\n`);
  process.exit(2);
}

const START = new Date('2026-07-01T00:00:00Z');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const log = (line: string) => console.log(line);

/** Discards mail, should anything be sent: sending is not preparation. */
const discardingMailer: Mailer = { send: async () => ({ messageId: 'discarded' }) };

/**
 * The outbox as the controller sees it, minus the dispatch: the Approval Start records are still
 * written (they are part of preparation), but the run's send phase finds nothing to send.
 */
function withoutDispatch(outbox: Outbox): Outbox {
  return Object.assign(Object.create(outbox) as Outbox, {
    listDispatchable: async function* () {},
  });
}

async function main() {
  const results: CycleResult[] = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    log(`cycle ${cycle} of ${cycles}`);
    results.push(await measureCycle());
  }
  // The median cycle by speed against the floor (the upper one of the middle two for an even count).
  const median = [...results].sort((a, b) => a.speedVsFloor - b.speedVsFloor)[Math.floor(results.length / 2)]!;
  const result = { ...median, cycles, speedVsFloorByCycle: results.map((r) => r.speedVsFloor) };
  if (cycles > 1) log(`speed vs the engine's floor by cycle: ${result.speedVsFloorByCycle.join(', ')}; median ${median.speedVsFloor} (target >= 0.8)`);
  log(JSON.stringify(result));
}

type CycleResult = Awaited<ReturnType<typeof measureCycle>>;

/** One measurement on a fresh engine: the directory loaded, the floor, preparation, the floor again. */
async function measureCycle() {
  const home = mkdtempSync(join(tmpdir(), 'idgov-bench-prepare-'));
  // In memory either way: the tables in the child's heap, or in this one's.
  const engine: EngineProcess | undefined = values.engine === 'process' ? await startEngineProcess() : undefined;
  const runtime = engine ? await openRuntime({ endpoint: engine.endpoint, home }) : await openRuntime({ inMemory: true, home });
  try {
    log(engine ? `engine: dynalite in process ${engine.pid}, in memory; this process ${process.pid}` : 'engine: dynalite in this process, in memory');
    const t = performance.now();
    const org = generateBenchOrganization({ assignments });
    await runtime.directory.putUsers(org.users);
    await runtime.directory.putPrivileges(org.privileges);
    await runtime.directory.putAssignments(org.assignments);
    log(`directory: ${org.users.length} users, ${org.privileges.length} privileges, ${org.assignments.length} manual assignments loaded in ${seconds(performance.now() - t)} (not measured)`);

    const subjectIds = org.users.map((u) => u.id);
    const floorBefore = await measureFloor(runtime, subjectIds, 'BEFORE');
    log(`floor, before: ${floorBefore.items} assignments queried and written as ${floorBefore.items} records in ${seconds(floorBefore.ms)}, ${floorBefore.itemsPerSecond} items/s`);

    // The audit log on a client of its own: the write requests counted here are the campaign table's, as before.
    const { audit } = separateAuditLog(runtime);
    const campaign = await createCampaign(
      { campaigns: runtime.campaigns, audit },
      {
        name: 'Benchmark: every user',
        kind: 'USER',
        ownerId: 'bench-head',
        startDate: START.toISOString(),
        approvalPeriodDays: 14,
        subjects: { filter: '(id=*)' },
        revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
      },
      START,
    );

    // The same adapters the Lambda wires (lambdas/campaign-controller/dependencies.ts), over an instrumented client.
    let writeRequests = 0;
    instrumentWrites(runtime.doc, () => writeRequests++);
    const campaigns = new DynamoCampaignStore({ doc: runtime.doc, tableName: runtime.tables.campaign });
    let measured: { writeRequests: number; ms: number } | undefined;
    const runStarted = performance.now();
    const baseline = writeRequests;
    // The measurement ends when the campaign is saved RUNNING: what follows in the run is the dispatch.
    const saveCampaign = campaigns.saveCampaign.bind(campaigns);
    campaigns.saveCampaign = async (c: Campaign) => {
      await saveCampaign(c);
      if (c.id === campaign.id && c.state === 'RUNNING' && !measured) {
        measured = { writeRequests: writeRequests - baseline, ms: performance.now() - runStarted };
      }
    };
    const report = await runCampaignController({
      directory: new DynamoDirectoryStore({ doc: runtime.doc, tableName: runtime.tables.directory }),
      campaigns,
      approvals: new DynamoApprovalStore({ doc: runtime.doc, tableName: runtime.tables.campaign }),
      outbox: withoutDispatch(new DynamoOutbox({ doc: runtime.doc, tableName: runtime.tables.campaign })),
      audit,
      mailer: discardingMailer,
      clock: { now: () => new Date(START.getTime() + 3_600_000) },
      wallClock: { now: () => new Date() },
      log: silentLog,
      settings: { portalUrl: LOCAL_PORTAL_URL, leaseSeconds: 900 },
      // The benchmark prepares one campaign: no run is deleted, so nothing is archived or signed.
      evidence: { archiveRun: async (c) => Promise.reject(new Error(`the benchmark archives no run, not ${c.runId}`)) },
    });
    const runMs = performance.now() - runStarted;
    if (!measured) throw new Error(`the campaign did not become RUNNING: ${JSON.stringify(report)}`);

    let entries = 0;
    let items = 0;
    const byState: Record<string, number> = {};
    for await (const page of runtime.campaigns.listEntries(campaign.runId)) {
      for (const entry of page) {
        entries++;
        items += entry.itemCount;
        byState[entry.state] = (byState[entry.state] ?? 0) + 1;
      }
    }
    // The floor again, on the engine as preparation left it: the two bracket the measured run, so a
    // drift of the machine or the engine's growth weighs on both sides alike.
    const floorAfter = await measureFloor(runtime, subjectIds, 'AFTER');
    log(`floor, after: ${floorAfter.items} records in ${seconds(floorAfter.ms)}, ${floorAfter.itemsPerSecond} items/s`);
    const floorItemsPerSecond = Math.round((floorBefore.items + floorAfter.items) / ((floorBefore.ms + floorAfter.ms) / 1000));
    const requestFloor = Math.ceil(items / 25);
    const itemsPerSecond = Math.round(items / (measured.ms / 1000));
    const result = {
      items,
      itemsPerSecond,
      floorItemsPerSecond,
      speedVsFloor: Number((itemsPerSecond / floorItemsPerSecond).toFixed(3)),
      floorBeforeItemsPerSecond: floorBefore.itemsPerSecond,
      floorAfterItemsPerSecond: floorAfter.itemsPerSecond,
      writeRequests: measured.writeRequests,
      floor: requestFloor,
      requestRatio: Number((measured.writeRequests / requestFloor).toFixed(3)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      engine: values.engine,
      ...(engine ? { enginePeakRssMb: engine.peakRssMb() } : {}),
    };
    log(`controller run: ${report.transitions.map((tr) => `${tr.from} -> ${tr.to}`).join(', ')} (dispatch switched off)`);
    log(`prepared ${entries} entries (${Object.entries(byState).map(([s, n]) => `${s} ${n}`).join(', ')}) with ${items} items`);
    log(`preparation: ${seconds(measured.ms)} (whole run: ${seconds(runMs)}), ${result.itemsPerSecond} items/s`);
    log(`speed vs the engine's floor (${floorItemsPerSecond} items/s over both runs): ${result.speedVsFloor} (target >= 0.8)`);
    log(`write requests: ${result.writeRequests} (floor ceil(${items} / 25) = ${requestFloor}), ratio ${result.requestRatio} (target <= 1.1)`);
    log(`peak RSS: ${result.peakRssMb} MB${engine ? ` (engine process: ${result.enginePeakRssMb ?? '?'} MB)` : ''}`);
    return result;
  } finally {
    await runtime.close();
    await engine?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The floor: each subject's assignments queried (eight at a time, a hundred subjects per read) and
 * written back as one record each (BatchWrite, four batches in flight), into the operations table,
 * which preparation never writes; in chunks of PREPARE_CHUNK's items, the next chunk read while one
 * is written, as preparation does.
 */
async function measureFloor(runtime: Awaited<ReturnType<typeof openRuntime>>, subjectIds: string[], run: string): Promise<{ items: number; ms: number; itemsPerSecond: number }> {
  let items = 0;
  const started = performance.now();
  for await (const records of readAhead(floorChunks(runtime, subjectIds))) {
    // Index keys left out: a floor record is one write to the table, no index (as an item is).
    const writes = records.map((record) => ({ PutRequest: { Item: { ...withoutIndexKeys(record), PK: `BENCH#FLOOR#${run}#${String(record.PK)}` } } }));
    items += writes.length;
    await batchWrite(runtime.doc, runtime.tables.operations, writes);
  }
  const ms = performance.now() - started;
  return { items, ms, itemsPerSecond: Math.round(items / (ms / 1000)) };
}

async function* floorChunks(runtime: Awaited<ReturnType<typeof openRuntime>>, subjectIds: string[]): AsyncGenerator<Record<string, unknown>[]> {
  let pending: Record<string, unknown>[] = [];
  for (const ids of chunk(subjectIds, 100)) {
    const found = await mapLimit(ids, 8, (userId) =>
      queryAll(runtime.doc, {
        TableName: runtime.tables.directory,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'ASSIGN#' },
      }),
    );
    pending.push(...found.flat());
    if (pending.length >= PREPARE_CHUNK.items) {
      yield pending;
      pending = [];
    }
  }
  if (pending.length > 0) yield pending;
}

const withoutIndexKeys = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([name]) => !name.startsWith('GSI')));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
