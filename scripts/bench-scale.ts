// `npm run bench:scale [-- --assignments N --budget-ms MS --reject-every K --engine disk|memory]`:
// a USER campaign over N manual assignments (default 1,000,000; 25 per user) prepared and applied on
// the embedded engine through the controller use case the Lambda runs, with a small time budget
// per invocation (default 3 s) so that the work goes in many chunks and continuations: each
// invocation that reports `continue: true` is followed by another at the same instant, as the
// local runtime and the Lambda's self-invocation do. Between the two, every item is decided through
// the decide use case (one request per entry, as the portal's bulk decision): one item in K
// (default 9, about 11 %) rejected, under the default 20 % revocation cap, the rest approved.
//
// The engine (dynalite) runs in a child process (scripts/support/engine-process.ts), its tables in
// LevelDB in a temporary folder (`--engine memory`: in the child's heap), so that the peak heap
// measured here is the controller's own: process.memoryUsage().heapUsed sampled every 20 ms in this
// process while a controller invocation runs (garbage not yet collected included: an upper bound).
// With --expose-gc (the npm script sets it) a full collection after each invocation also gives what
// an invocation leaves behind (`liveHeapAfterInvocationMb`): it would grow if anything outlived its
// chunk. The directory is loaded, and the checks are made, outside that window. Dispatch (sending mail) is switched off as in bench:prepare; the outbox
// records are still written.
//
// Counted at the wire, on the clients the controller's stores and audit log use (the decisions are
// the approvers' and are counted apart): every write request (PutItem, UpdateItem, DeleteItem,
// BatchWriteItem: one each; an SDK retry of one request counts once). The floor, what the same work
// needs at least: ⌈items ÷ 25⌉ (one item record per assignment, 25 to a BatchWriteItem) + one
// request per removal (the directory's delete, conditional: only a MANUAL assignment) + one per
// entry (its outcome, conditional on its version: approvers and administrators write entries too)
// + one per user who lost access (their Assignment Reject, queued only if absent: a notice already
// sent must never be queued again) + ⌈removals ÷ 25⌉ (each removal's revocation record, the
// evidence). DynamoDB takes a condition on one item per request (TransactWriteItems would take 100,
// at twice the write units; dynalite has none). Also counted, as DynamoDB bills writes: records written (a BatchWriteItem counts each
// of its requests) against items + removals (`recordWrites`, `recordFloor`). The checks, after the run: `lost` = assignments with no item + rejected items not
// removed (nor kept by guard) + removed items still in the directory or without a revocation record;
// `duplicated` = items beyond one per (user, privilege) + entries beyond one per subject +
// Assignment Rejects beyond one per user + Approval Starts beyond one per entry + item, revocation
// and outbox records written more often than they exist (put requests at the wire over records stored;
// an item is put once prepared and once more, whole, when its decision is applied).
// The last line printed is one JSON object, for scripts; the exit code is 1 when a target is missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startEngineProcess } from './support/engine-process.js';
import { separateAuditLog } from './support/separate-audit-log.js';
import { fixedBudget } from '../lambdas/shared/adapters/time-budget.js';
import type { Campaign } from '../lambdas/shared/domain/model.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController, type ControllerDeps, type ControllerReport } from '../lambdas/shared/use-cases/campaign-controller.js';
import { mapLimit } from '../lambdas/shared/use-cases/concurrency.js';
import { decide } from '../lambdas/shared/use-cases/decisions.js';
import { silentLog, type Mailer, type Outbox } from '../lambdas/shared/use-cases/ports.js';
import { LOCAL_PORTAL_URL, openRuntime } from '../src/local/runtime.js';
import { generateBenchOrganization } from '../src/local/sample-org.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    assignments: { type: 'string', default: '1000000' },
    'budget-ms': { type: 'string', default: '3000' },
    'reject-every': { type: 'string', default: '9' },
    engine: { type: 'string', default: 'disk' },
  },
});
const wholeNumber = (name: string, min: number): number => {
  const n = Number(values[name as keyof typeof values]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number >= ${min}, got "${String(values[name as keyof typeof values])}"\n`);
    process.exit(2);
  }
  return n;
};
const assignments = wholeNumber('assignments', 1);
const budgetMs = wholeNumber('budget-ms', 0);
const rejectEvery = wholeNumber('reject-every', 2);
if (values.engine !== 'disk' && values.engine !== 'memory') {
  process.stderr.write(`--engine must be disk or memory, got "${values.engine}"\n`);
  process.exit(2);
}

const TARGET = { requestRatio: 1.1, peakHeapMb: 256 };
const DAY_MS = 86_400_000;
const START = new Date('2026-07-01T00:00:00Z');
const at = (day: number, hour = 0) => new Date(START.getTime() + day * DAY_MS + hour * 3_600_000);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => Math.round(bytes / 1048576);
const log = (line: string) => console.log(line);

/** Discards mail, should anything be sent. */
const discardingMailer: Mailer = { send: async () => ({ messageId: 'discarded' }) };
/** The outbox minus the dispatch: records written, nothing found to send. */
const withoutDispatch = (outbox: Outbox): Outbox => Object.assign(Object.create(outbox) as Outbox, { listDispatchable: async function* () {} });

/** Write requests at the wire, by phase and command, and record puts by kind (for the duplicate check). */
class WireWrites {
  phase = 'setup';
  readonly requests: Record<string, Record<string, number>> = {};
  /** Item records put while preparing, and again (whole, with their applied mark) while finishing. */
  readonly puts = { item: 0, itemMark: 0, revocation: 0, outbox: 0 };
  /** Records written, by phase: one per PutItem, UpdateItem or DeleteItem, one per request inside a BatchWriteItem. */
  readonly records: Record<string, number> = {};

  instrument(client: DynamoDBClient | DynamoDBDocumentClient, name: string): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? '').replace(/Command$/, '');
        if (!['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].includes(command)) return next(args);
        const result = await next(args);
        const byCommand = (this.requests[this.phase] ??= {});
        byCommand[command] = (byCommand[command] ?? 0) + 1;
        const input = args.input as { Item?: Record<string, unknown>; RequestItems?: Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]> };
        let records = command === 'BatchWriteItem' ? 0 : 1;
        for (const requests of Object.values(input.RequestItems ?? {})) records += requests.length;
        this.records[this.phase] = (this.records[this.phase] ?? 0) + records;
        if (this.phase !== 'decide') {
          const put = (item: Record<string, unknown> | undefined) => {
            if (!item) return;
            const pk = text(item.PK);
            const sk = text(item.SK);
            if (sk.startsWith('ITEM#')) this.puts[this.phase === 'finish' ? 'itemMark' : 'item']++;
            else if (sk.startsWith('REVOKED#')) this.puts.revocation++;
            else if (pk.startsWith('OUTBOX#')) this.puts.outbox++;
          };
          if (command === 'PutItem') put(input.Item);
          // Unprocessed items come back and go again: those are counted again by the SDK's caller, as requests.
          for (const requests of Object.values(input.RequestItems ?? {})) for (const r of requests) put(r.PutRequest?.Item);
        }
        return result;
      },
      { step: 'initialize', name: `benchScaleWrites${name}`, priority: 'high' },
    );
  }

  /** Write requests of the controller's phases. */
  total(phases: string[]): number {
    let n = 0;
    for (const phase of phases) for (const c of Object.values(this.requests[phase] ?? {})) n += c;
    return n;
  }

  recordsOf(phases: string[]): number {
    return phases.reduce((n, phase) => n + (this.records[phase] ?? 0), 0);
  }
}
const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'object' && value && 'S' in value ? String((value as { S: unknown }).S) : '');

/** The peak of process.memoryUsage().heapUsed while `sampling` (every 20 ms, and at each toggle). */
class HeapPeak {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private sample = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > this.peak) this.peak = used;
  };
  start(): void {
    this.sample();
    this.timer ??= setInterval(this.sample, 20);
  }
  stop(): void {
    this.sample();
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'idgov-bench-scale-'));
  const engine = await startEngineProcess(values.engine === 'disk' ? { path: join(home, 'db') } : {});
  const runtime = await openRuntime({ endpoint: engine.endpoint, home });
  const wire = new WireWrites();
  const heap = new HeapPeak();
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    log(`engine: dynalite in process ${engine.pid} (${values.engine === 'disk' ? 'LevelDB in a temporary folder' : 'in memory'}); this process ${process.pid}`);
    let t = performance.now();
    await loadDirectory(runtime);
    log(`directory loaded in ${seconds(performance.now() - t)} (not measured)`);
    gc?.();
    log(`heap before the controller: ${mb(process.memoryUsage().heapUsed)} MB${gc ? ' (after a full GC)' : ''}`);

    const { audit, doc: auditDoc } = separateAuditLog(runtime);
    wire.instrument(runtime.doc, 'Tables');
    wire.instrument(auditDoc, 'Audit');
    const campaign = await createCampaign(
      { campaigns: runtime.campaigns, audit },
      {
        name: 'Benchmark: scale',
        kind: 'USER',
        ownerId: 'bench-head',
        startDate: START.toISOString(),
        approvalPeriodDays: 14,
        subjects: { filter: '(id=*)' },
        revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
      },
      START,
      undefined,
      'bench-admin',
    );

    // Checkpoints: the campaign saved with a cursor inside a chunked phase.
    let chunks = 0;
    const saveCampaign = runtime.campaigns.saveCampaign.bind(runtime.campaigns);
    runtime.campaigns.saveCampaign = async (c: Campaign) => {
      await saveCampaign(c);
      const phase = c.phase as { afterSubjectId?: string; after?: string };
      if (c.id === campaign.id && (phase.afterSubjectId !== undefined || phase.after !== undefined)) chunks++;
    };
    const deps = (now: Date): ControllerDeps => ({
      directory: runtime.directory,
      campaigns: runtime.campaigns,
      approvals: runtime.approvals,
      outbox: withoutDispatch(runtime.outbox),
      audit,
      mailer: discardingMailer,
      clock: { now: () => now },
      wallClock: { now: () => new Date() },
      log: silentLog,
      settings: { portalUrl: LOCAL_PORTAL_URL, leaseSeconds: 900 },
      evidence: { archiveRun: async (c) => Promise.reject(new Error(`the benchmark archives no run, not ${c.runId}`)) },
      budget: fixedBudget(budgetMs),
    });
    let invocations = 0;
    let live = 0;
    /** Invocations at `now` until one reports no continuation and changes nothing more. */
    const controllerUntilSettled = async (now: Date, phase: string): Promise<{ ms: number; reports: number }> => {
      wire.phase = phase;
      const started = performance.now();
      let reports = 0;
      heap.start();
      try {
        for (let i = 0; i < 100_000; i++) {
          const report: ControllerReport = await runCampaignController(deps(now));
          reports++;
          invocations++;
          // What the invocation left behind: the heap after a full collection (with --expose-gc).
          if (gc) {
            gc();
            live = Math.max(live, process.memoryUsage().heapUsed);
          }
          if (report.errors.length > 0) throw new Error(`the controller failed: ${JSON.stringify(report.errors)}`);
          if (report.continue !== true && report.transitions.length === 0) return { ms: performance.now() - started, reports };
          if (reports % 25 === 0) log(`  ${phase}: ${reports} invocations, ${seconds(performance.now() - started)}, heap now ${mb(process.memoryUsage().heapUsed)} MB, peak ${mb(heap.peak)} MB, most left after an invocation ${mb(live)} MB`);
        }
        throw new Error('the controller did not settle in 100,000 invocations');
      } finally {
        heap.stop();
      }
    };

    const prepared = await controllerUntilSettled(at(0, 1), 'prepare');
    const running = await runtime.campaigns.getCampaign(campaign.id);
    if (running?.state !== 'RUNNING') throw new Error(`the campaign is not RUNNING after preparation: ${running?.state} ${JSON.stringify(running?.phase)}`);
    log(`prepared in ${prepared.reports} invocations, ${seconds(prepared.ms)}; peak heap so far ${mb(heap.peak)} MB`);

    // Every item decided by its entry's approver, one request per entry, eight entries at a time.
    wire.phase = 'decide';
    t = performance.now();
    let k = 0;
    let rejected = 0;
    for await (const page of runtime.campaigns.listEntries(campaign.runId)) {
      const counts = await mapLimit(page, 8, async (listed) => {
        const n = k++;
        const loaded = await runtime.campaigns.getEntryWithItems(listed.id);
        if (!loaded || loaded.entry.state !== 'RUNNING' || loaded.items.length === 0) return 0;
        let r = 0;
        const decisions = loaded.items.map((item, i) => {
          if ((n * 25 + i) % rejectEvery === 0) {
            r++;
            return { itemId: item.id, outcome: 'REJECT', comment: 'no longer needed' };
          }
          return { itemId: item.id, outcome: 'APPROVE' };
        });
        await decide({ campaigns: runtime.campaigns, audit }, { entryId: listed.id, actorId: loaded.entry.approverIds[0]!, decisions }, at(3, 9));
        return r;
      });
      for (const r of counts) rejected += r;
    }
    log(`decided every item of ${k} entries, ${rejected} rejected, in ${seconds(performance.now() - t)} (not measured)`);

    const finished = await controllerUntilSettled(at(14, 1), 'finish');
    const done = await runtime.campaigns.getCampaign(campaign.id);
    if (done?.state !== 'SUCCEEDED') throw new Error(`the campaign did not finish: ${done?.state} ${JSON.stringify(done?.phase)}`);
    log(`finished (guard, apply, verify, Assignment Rejects, Campaign End) in ${finished.reports} invocations, ${seconds(finished.ms)}`);
    const peakHeapMb = mb(heap.peak);

    // The checks, outside the measured window.
    t = performance.now();
    const check = await checkRun(runtime, campaign, wire);
    log(`checked in ${seconds(performance.now() - t)}`);

    const writeRequests = wire.total(['prepare', 'finish']);
    const floor = Math.ceil(check.items / 25) + check.removed + check.entries + check.usersTold + Math.ceil(check.removed / 25);
    const items = check.items;
    const recordWrites = wire.recordsOf(['prepare', 'finish']);
    const recordFloor = check.items + check.removed;
    const result = {
      items,
      chunks,
      itemsPerSecond: Math.round(items / ((prepared.ms + finished.ms) / 1000)),
      writeRequests,
      floor,
      lost: check.lost,
      duplicated: check.duplicated,
      peakHeapMb,
      liveHeapAfterInvocationMb: gc ? mb(live) : undefined,
      requestRatio: Number((writeRequests / floor).toFixed(3)),
      recordWrites,
      recordFloor,
      recordRatio: Number((recordWrites / recordFloor).toFixed(3)),
      prepareRequests: wire.total(['prepare']),
      finishRequests: wire.total(['finish']),
      invocations,
      budgetMs,
      rejected: check.rejected,
      removed: check.removed,
      prepareSeconds: Number((prepared.ms / 1000).toFixed(1)),
      finishSeconds: Number((finished.ms / 1000).toFixed(1)),
      enginePeakRssMb: engine.peakRssMb(),
    };
    log(`write requests by phase: ${Object.entries(wire.requests).map(([p, c]) => `${p} {${Object.entries(c).map(([n, v]) => `${n} ${v}`).join(', ')}}`).join('; ')}`);
    log(`lost: ${JSON.stringify(check.lostBy)}; duplicated: ${JSON.stringify(check.duplicatedBy)}`);
    log(`items ${items} in ${chunks} chunks (${invocations} invocations of ${budgetMs} ms budget), ${result.itemsPerSecond} items/s over prepare + finish`);
    log(`write requests ${writeRequests} vs floor ${floor} (ceil(${items} / 25) items + ${check.removed} removals + ${check.entries} entries + ${check.usersTold} users told + ceil(${check.removed} / 25) revocations), ratio ${result.requestRatio} (target <= ${TARGET.requestRatio})`);
    log(`records written ${recordWrites} (a batch counts each record) vs ${recordFloor} (${items} items + ${check.removed} removals), ratio ${result.recordRatio}`);
    log(`controller peak heap ${peakHeapMb} MB (target <= ${TARGET.peakHeapMb}); engine process peak RSS ${result.enginePeakRssMb ?? '?'} MB`);
    const missed = [
      result.lost !== 0 && `lost ${result.lost} (target 0)`,
      result.duplicated !== 0 && `duplicated ${result.duplicated} (target 0)`,
      result.requestRatio > TARGET.requestRatio && `write requests ${writeRequests} > ${TARGET.requestRatio} x floor ${floor}`,
      peakHeapMb > TARGET.peakHeapMb && `peak heap ${peakHeapMb} MB > ${TARGET.peakHeapMb} MB`,
    ].filter(Boolean);
    if (missed.length > 0) log(`TARGET MISSED: ${missed.join('; ')}`);
    log(JSON.stringify(result));
    return missed.length === 0;
  } finally {
    heap.stop();
    await runtime.close();
    await engine.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The generated directory, loaded. In a function of its own: loaded in a block of main, the heap
 * after a full collection before the first invocation was 102 MB at a million assignments (27 MB at
 * 100,000), the generated organization apparently kept reachable from main's suspended frame, and
 * charged to the controller. Here it goes when this returns.
 */
async function loadDirectory(runtime: Awaited<ReturnType<typeof openRuntime>>): Promise<void> {
  const org = generateBenchOrganization({ assignments });
  await runtime.directory.putUsers(org.users);
  await runtime.directory.putPrivileges(org.privileges);
  for (let i = 0; i < org.assignments.length; i += 10_000) await runtime.directory.putAssignments(org.assignments.slice(i, i + 10_000));
  log(`directory: ${org.users.length} users, ${org.privileges.length} privileges, ${org.assignments.length} manual assignments`);
}

/** Reads the run back against the directory the benchmark generated; see the header for what counts. */
async function checkRun(runtime: Awaited<ReturnType<typeof openRuntime>>, campaign: Campaign, wire: WireWrites) {
  // The assignments generated, by user (the generator is deterministic).
  const expected = new Map<string, Set<string>>();
  for (const a of generateBenchOrganization({ assignments }).assignments) {
    let set = expected.get(a.userId);
    if (!set) expected.set(a.userId, (set = new Set()));
    set.add(a.privilegeId);
  }
  const lostBy = { noItem: 0, rejectedNotRemoved: 0, removedStillInDirectory: 0, removedWithoutRevocation: 0 };
  const duplicatedBy = { items: 0, entries: 0, assignmentRejects: 0, approvalStarts: 0, itemWrites: 0, itemMarkWrites: 0, revocationWrites: 0, outboxWrites: 0 };
  const subjects = new Set<string>();
  const removedKeys = new Set<string>();
  let items = 0;
  let marked = 0;
  let rejected = 0;
  for await (const page of runtime.campaigns.listEntries(campaign.runId)) {
    await mapLimit(page, 8, async (listed) => {
      const loaded = await runtime.campaigns.getEntryWithItems(listed.id);
      if (!loaded) return;
      if (subjects.has(loaded.entry.subjectId)) duplicatedBy.entries++;
      subjects.add(loaded.entry.subjectId);
      const seen = new Set<string>();
      let removedHere = false;
      for (const item of loaded.items) {
        items++;
        if (item.applied) marked++;
        const wanted = expected.get(item.userId);
        if (seen.has(item.privilegeId)) duplicatedBy.items++;
        seen.add(item.privilegeId);
        wanted?.delete(item.privilegeId);
        if (item.decision?.outcome !== 'REJECT') continue;
        rejected++;
        if (item.applied?.action === 'REMOVED') {
          removedKeys.add(`${item.userId}#${item.privilegeId}`);
          removedHere = true;
        } else if (item.applied?.action !== 'KEPT_BY_GUARD') lostBy.rejectedNotRemoved++;
      }
      if (removedHere) {
        const present = new Set((await runtime.directory.listAssignmentsOfUser(loaded.entry.subjectId)).map((a) => a.privilegeId));
        for (const item of loaded.items) if (item.applied?.action === 'REMOVED' && present.has(item.privilegeId)) lostBy.removedStillInDirectory++;
      }
    });
  }
  for (const left of expected.values()) lostBy.noItem += left.size;
  let revocations = 0;
  for await (const page of runtime.campaigns.listRevocations(campaign.runId)) {
    for (const r of page) {
      revocations++;
      removedKeys.delete(`${r.userId}#${r.privilegeId}`);
    }
  }
  lostBy.removedWithoutRevocation = removedKeys.size;
  const rejects = new Map<string, number>();
  let outboxRecords = 0;
  const starts = new Map<string, number>();
  for await (const page of runtime.outbox.listByRun(campaign.id, campaign.runId)) {
    for (const n of page) {
      outboxRecords++;
      if (n.kind === 'ASSIGNMENT_REJECT') rejects.set(n.recipientId, (rejects.get(n.recipientId) ?? 0) + 1);
      // One Approval Start per approver of the (single) stage: a second one to the same approver is a duplicate.
      if (n.kind === 'APPROVAL_START') starts.set(n.recipientId, (starts.get(n.recipientId) ?? 0) + 1);
    }
  }
  for (const n of rejects.values()) duplicatedBy.assignmentRejects += n - 1;
  for (const n of starts.values()) duplicatedBy.approvalStarts += n - 1;
  duplicatedBy.itemWrites = wire.puts.item - items;
  // An item is put again, whole, once its decision is applied (removed, or kept by guard).
  duplicatedBy.itemMarkWrites = wire.puts.itemMark - marked;
  // A revocation is put when applied and put again, whole, with its verification (VERIFY).
  duplicatedBy.revocationWrites = wire.puts.revocation - 2 * revocations;
  duplicatedBy.outboxWrites = wire.puts.outbox - outboxRecords;
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + Math.max(0, b), 0);
  log(`read back: ${subjects.size} entries, ${items} items, ${rejected} rejected, ${revocations} revocations, ${outboxRecords} notifications (${rejects.size} Assignment Rejects)`);
  return { items, entries: subjects.size, usersTold: rejects.size, rejected, removed: revocations, lost: sum(lostBy), lostBy, duplicated: sum(duplicatedBy), duplicatedBy };
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
