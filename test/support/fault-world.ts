// The fault-tolerance suite's world: the product's Dynamo adapters over a client that meets the
// injected faults (test/support/aws-faults.ts), the SES mailer and SNS publisher over fake endpoints
// that refuse a share of the sends, a settable wall clock, and a way to run a job as its schedule
// and Lambda would: retried while the faults last (a third of those runs killed at a write), then
// once more after they stopped (its next run), which must complete. State is compared through a client without faults.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler as createControllerHandler } from '../../lambdas/campaign-controller/handler.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog, auditRecordOf } from '../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { InMemoryEvidenceArchive } from '../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { canonicalJson, verifyChain } from '../../lambdas/shared/domain/audit/chain.js';
import type { AuditChainId, AuditRecord } from '../../lambdas/shared/domain/audit/model.js';
import { ConflictError } from '../../lambdas/shared/domain/errors.js';
import { InProcessEvidenceArchiver } from '../../lambdas/shared/use-cases/evidence/archive-evidence.js';
import { silentLog, type EvidenceArchive, type EvidenceFile } from '../../lambdas/shared/use-cases/ports.js';
import type { CreatedTables } from '../../src/local/engine.js';
import { faultyDocumentClient, faultySesMailer, faultySnsPublisher, type AcceptedMail, type FaultSchedule, type RetryMode } from './aws-faults.js';
import { scheduledEvent } from './controller-harness.js';
import type { TestEngine } from './engine.js';
import { testEvidence } from './evidence.js';

/** Runs of a job while the faults last (the invocation and Lambda's two retries of an asynchronous event). */
export const FAULTY_ATTEMPTS = 3;
/** Share of the runs under faults whose process is killed, at a write drawn from 1..KILL_WITHIN. */
export const KILLED_SHARE = 1 / 3;
export const KILL_WITHIN = 40;
/** Wall time between two runs of a job: past the controller's lease (900 s) and every send claim. */
export const BETWEEN_RUNS_MS = 16 * 60_000;

export interface FaultWorld {
  schedule: FaultSchedule;
  mode: RetryMode;
  names: CreatedTables;
  /** The clients the jobs use: every call may meet a fault. */
  doc: DynamoDBDocumentClient;
  directory: DynamoDirectoryStore;
  campaigns: DynamoCampaignStore;
  approvals: DynamoApprovalStore;
  outbox: DynamoOutbox;
  operations: DynamoOperationsStore;
  audit: DynamoAuditLog;
  mailer: ReturnType<typeof faultySesMailer>['mailer'];
  /** What SES accepted: each mail that was sent. */
  accepted: ReturnType<typeof faultySesMailer>['accepted'];
  publisher: ReturnType<typeof faultySnsPublisher>['publisher'];
  /** What SNS accepted. */
  published: AcceptedMail[];
  /** The evidence archive (S3): a share of its writes is refused too. */
  archive: InMemoryEvidenceArchive;
  faultyArchive: EvidenceArchive;
  wall: { now: () => Date; advance(ms: number): void };
  /** The errors the faulty runs ended with, for the report of a failure. */
  errors: string[];
  /** Runs of jobs, and how many of them failed or did not finish while the faults lasted. */
  runs: { total: number; unfinished: number };
  /** Runs `work` with the faults off (setting up what an administrator loaded, reading state). */
  clean<T>(work: () => Promise<T>): Promise<T>;
  /**
   * A job run as its schedule runs it: up to FAULTY_ATTEMPTS times while the faults last (until
   * one finishes: no error, and `finished(result)`; a third of them killed at a write drawn from
   * the seed), then, if none did, once with the faults off,
   * which must finish. Each attempt starts BETWEEN_RUNS_MS after the last (leases and claims of a
   * failed run expire). A failed attempt's error must come from an injected fault (or a conflict
   * with what an earlier attempt left): anything else is a bug the suite reports.
   */
  job<T>(run: () => Promise<T>, finished?: (result: T) => boolean): Promise<T>;
  /** Normalised contents of the four tables (see `normalise`), read without faults. */
  tables(): Promise<TableState>;
  /** Every audit chain that has records, each verified, as a set of records (key and events). */
  auditChains(): Promise<Record<string, string[]>>;
}

export interface TableState {
  directory: Record<string, unknown>[];
  campaign: Record<string, unknown>[];
  operations: Record<string, unknown>[];
}

/** A world on fresh tables of the engine, with `schedule` deciding the faults. */
export async function faultWorld(engine: TestEngine, schedule: FaultSchedule, mode: RetryMode): Promise<FaultWorld> {
  const { names } = await engine.freshTables();
  const doc = faultyDocumentClient(engine.endpoint, schedule, mode);
  const options = { doc, batch: { baseDelayMs: 1 } };
  const ses = faultySesMailer(schedule, mode);
  const sns = faultySnsPublisher(schedule, mode);
  const archive = new InMemoryEvidenceArchive();
  let wallMs = Date.parse('2030-01-01T00:00:00.000Z');
  const errors: string[] = [];
  const runs = { total: 0, unfinished: 0 };
  const clean = async <T>(work: () => Promise<T>): Promise<T> => {
    const was = schedule.enabled;
    schedule.enabled = false;
    // A run of its own, never killed.
    schedule.armKill(undefined);
    try {
      return await work();
    } finally {
      schedule.enabled = was;
    }
  };
  const wall = { now: () => new Date(wallMs), advance: (ms: number) => void (wallMs += ms) };
  const world: FaultWorld = {
    schedule,
    mode,
    names,
    doc,
    directory: new DynamoDirectoryStore({ ...options, tableName: names.directory }),
    campaigns: new DynamoCampaignStore({ ...options, tableName: names.campaign }),
    approvals: new DynamoApprovalStore({ ...options, tableName: names.campaign }),
    outbox: new DynamoOutbox({ ...options, tableName: names.campaign }),
    operations: new DynamoOperationsStore({ ...options, tableName: names.operations }),
    audit: new DynamoAuditLog(doc, names.audit, { sleep: async () => {} }),
    mailer: ses.mailer,
    accepted: ses.accepted,
    publisher: sns.publisher,
    published: sns.published,
    archive,
    faultyArchive: faultyEvidenceArchive(archive, schedule),
    wall,
    errors,
    runs,
    clean,
    async job(run, finished = () => true) {
      for (let attempt = 1; attempt <= FAULTY_ATTEMPTS; attempt++) {
        runs.total += 1;
        // Some runs die at a write (drawn from the seed): nothing of theirs happens after it.
        const kill = schedule.rate > 0 && schedule.roll(`kill ${runs.total}`) < KILLED_SHARE ? 1 + Math.floor(schedule.roll(`kill at ${runs.total}`) * KILL_WITHIN) : undefined;
        schedule.armKill(kill);
        try {
          const result = await run();
          if (finished(result)) return result;
          errors.push(`attempt ${attempt}: did not finish`);
        } catch (error) {
          const unexplained = unexplainedErrors(error);
          if (unexplained.length > 0) throw new Error(`a run under faults failed with an error no fault explains (${schedule.describe()})`, { cause: unexplained[0] });
          errors.push(`attempt ${attempt}: ${describeError(error)}`);
        } finally {
          schedule.armKill(undefined);
        }
        runs.unfinished += 1;
        wall.advance(BETWEEN_RUNS_MS);
      }
      // The faults stopped: the next run must finish.
      runs.total += 1;
      const result = await clean(run);
      if (!finished(result)) throw new Error(`the run after the faults stopped did not finish (${schedule.describe()}): ${JSON.stringify(result)}`);
      wall.advance(BETWEEN_RUNS_MS);
      return result;
    },
    async tables() {
      return {
        directory: normalise(await scan(engine.doc, names.directory)),
        campaign: normalise(await scan(engine.doc, names.campaign)),
        operations: normalise(await scan(engine.doc, names.operations)),
      };
    },
    async auditChains() {
      const byChain = new Map<string, AuditRecord[]>();
      for (const item of await scan(engine.doc, names.audit)) {
        const record = auditRecordOf(item);
        byChain.set(record.chainId, [...(byChain.get(record.chainId) ?? []), record]);
      }
      const chains: Record<string, string[]> = {};
      for (const [chainId, chain] of [...byChain.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        chain.sort((a, b) => a.seq - b.seq);
        const broken = verifyChain(chain, chainId as AuditChainId);
        if (broken) throw new Error(`audit chain ${chainId} does not verify: ${JSON.stringify(broken)}`);
        chains[chainId] = recordSet(chain);
      }
      return chains;
    },
  };
  return world;
}

/** The campaign controller's handler over the world's stores: a run at a business instant. */
export function controllerOf(w: FaultWorld) {
  const handler = createControllerHandler(() => ({
    directory: w.directory,
    campaigns: w.campaigns,
    approvals: w.approvals,
    outbox: w.outbox,
    operations: w.operations,
    audit: w.audit,
    mailer: w.mailer,
    wallClock: w.wall,
    log: silentLog,
    settings: { portalUrl: 'https://idgov.example.com', leaseSeconds: 900 },
    evidence: new InProcessEvidenceArchiver({ campaigns: w.campaigns, approvals: w.approvals, outbox: w.outbox, audit: w.audit, directory: w.directory, evidence: testEvidence(w.faultyArchive) }),
  }));
  return (at: string) => handler(scheduledEvent(at));
}

/**
 * The sends of a run under faults against those without: none lost (each send of the clean run
 * happened), none twice but in the case the product documents (at least once): a send accepted by
 * a run killed before it could mark it sent, which the next run sends again. Returns how many
 * such second copies there were.
 */
export function expectSentOnce(sent: AcceptedMail[], killedRuns: ReadonlySet<number>, expected: AcceptedMail[], context: string): number {
  const key = (m: AcceptedMail) => `${m.to} | ${m.subject}`;
  const count = (list: AcceptedMail[]) => list.reduce((map, m) => map.set(key(m), (map.get(key(m)) ?? 0) + 1), new Map<string, number>());
  const got = count(sent);
  const want = count(expected);
  const inKilledRuns = count(sent.filter((m) => killedRuns.has(m.run)));
  let again = 0;
  for (const k of new Set([...got.keys(), ...want.keys()])) {
    const extra = (got.get(k) ?? 0) - (want.get(k) ?? 0);
    if (extra < 0) throw new Error(`${-extra} send(s) of "${k}" lost; ${context}`);
    if (extra > (inKilledRuns.get(k) ?? 0)) throw new Error(`"${k}" sent ${extra} more time(s) than without faults, ${inKilledRuns.get(k) ?? 0} of them by a killed run; ${context}`);
    again += extra;
  }
  return again;
}

/**
 * A chain's records as a set: each record's key and events, in key order. The head an
 * EVIDENCE_ARCHIVED event names (and the manifest that holds it) is set aside: retried runs may
 * append a chain's records in another order than a clean run (entries and sends are worked on
 * concurrently), which gives the same records another head.
 */
export const recordSet = (records: AuditRecord[]) =>
  records
    .map((r) => {
      const events = r.events.map((e) => (e.type === 'EVIDENCE_ARCHIVED' ? { ...e, data: { ...e.data, headHash: '(the chain head)', headSeq: '(its number)', manifestSha256: '(the manifest of that chain)' } } : e));
      return `${r.eventKey} ${canonicalJson(events)}`;
    })
    .sort();

/** Errors the faults explain: an injected fault, or a conflict with what a failed run left behind. */
export function unexplainedErrors(error: unknown): unknown[] {
  if (error instanceof AggregateError) return error.errors.flatMap(unexplainedErrors);
  if (isInjected(error) || error instanceof ConflictError) return [];
  if (error instanceof Error && error.cause !== undefined) return unexplainedErrors(error.cause);
  return [error];
}

const isInjected = (error: unknown) => error instanceof Error && / \(injected\)$/.test(error.message);

function describeError(error: unknown): string {
  if (error instanceof AggregateError) return `${error.message} [${error.errors.map(describeError).join('; ')}]`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The archive's writes meet the faults too (S3 throttling or unavailable: nothing written). */
function faultyEvidenceArchive(archive: InMemoryEvidenceArchive, schedule: FaultSchedule): EvidenceArchive {
  return {
    async putIfAbsent(prefix: string, file: EvidenceFile) {
      schedule.checkAlive();
      const fault = schedule.pick('s3:PutObject', `${prefix}/${file.name}`, ['SlowDown', 'InternalError'] as const);
      if (fault) throw Object.assign(new Error(`${fault} (injected)`), { name: fault });
      return archive.putIfAbsent(prefix, file);
    },
    get: (prefix, name) => archive.get(prefix, name),
    describe: (prefix) => archive.describe(prefix),
  };
}

async function scan(doc: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Send bookkeeping that differs between a run that was retried and one that was not. */
const VOLATILE_OUTBOX = ['attempts', 'claimedBy', 'claimExpiresAt', 'messageId', 'lastError'];

/**
 * The tables as a clean run leaves them, whatever the retries: leases and job runs (each attempt
 * is a run of its own, with its wall-clock times and outcome) are left out, and so is the send
 * bookkeeping of notifications and report deliveries (attempts, claims, message ids, wall-clock
 * times) and when a day count was stored; the evidence's chain head is set aside as in `recordSet`.
 */
export function normalise(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records
    .filter((r) => !String(r.PK).startsWith('LEASE#') && !String(r.PK).startsWith('JOB#'))
    .map((r) => (String(r.PK).startsWith('OUTBOX#') ? omit(r, VOLATILE_OUTBOX) : r))
    // When a day's certification count was stored: wall-clock time, later for a retried run.
    .map((r) => (r.PK === 'DAYCOUNT' ? omit(r, ['countedAt']) : r))
    .map((r) => (r.deliveries ? { ...r, deliveries: deliveryStatuses(r.deliveries) } : r))
    .map((r) => (r.evidence ? { ...r, evidence: { ...(r.evidence as object), headHash: '(the chain head)', headSeq: '(its number)', manifestSha256: '(the manifest of that chain)' } } : r))
    .map((r) => canonical(r) as Record<string, unknown>)
    .sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

const omit = (r: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k)));

const deliveryStatuses = (deliveries: unknown) =>
  Object.fromEntries(Object.entries(deliveries as Record<string, { status: string }>).map(([target, d]) => [target, d.status]));

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Set) return [...value].map(canonical).sort();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
