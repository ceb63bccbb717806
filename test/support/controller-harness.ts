// Drives the real controller handler and use cases on a real DynamoDB engine: fresh tables, a
// recording mailer, settable business and wall clocks, a write "killer", and state snapshots.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/campaign-controller/handler.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryEvidenceArchive } from '../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { InMemoryOperationsStore } from '../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';
import type { Notification } from '../../lambdas/shared/domain/model.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import type { ControllerChunks, ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { silentLog, type HookInvoker, type Mailer, type OutgoingMail, type TimeBudget } from '../../lambdas/shared/use-cases/ports.js';
import { testEvidenceArchiver } from './evidence.js';

export class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  /** When set, send waits for it: lets a test hold a run inside the dispatch phase. */
  gate?: Promise<void>;
  failNext = 0;
  async send(mail: OutgoingMail) {
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('SES throttled (injected)');
    }
    this.sent.push(mail);
    return { messageId: `m-${this.sent.length}` };
  }
}

export class KillSwitch {
  private writes = 0;
  private killAfter: number | undefined;
  killed = false;
  /** Counts every write; after the k-th completes, that call and every later command fail. */
  arm(k: number | undefined) {
    this.writes = 0;
    this.killAfter = k;
    this.killed = false;
  }
  get count() {
    return this.writes;
  }
  beforeCommand() {
    if (this.killed) throw new KilledError();
  }
  afterWrite() {
    this.writes += 1;
    if (this.killAfter !== undefined && this.writes >= this.killAfter) {
      this.killed = true;
      throw new KilledError();
    }
  }
}

export class KilledError extends Error {
  constructor() {
    super('process killed (injected)');
  }
}

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** Installs the kill switch on a document client (the base client shares its middleware stack). */
export function installKillSwitch(doc: DynamoDBDocumentClient, kill: KillSwitch) {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      kill.beforeCommand();
      const result = await next(args);
      if (WRITE_COMMANDS.has(context.commandName ?? '')) kill.afterWrite();
      return result;
    },
    { step: 'initialize', name: 'idgovKillSwitch' },
  );
}

export interface Harness {
  directory: DynamoDirectoryStore;
  campaigns: DynamoCampaignStore;
  /** Approval runs (`WORKFLOW` hand-overs), on the campaign table. */
  approvals: DynamoApprovalStore;
  outbox: DynamoOutbox;
  /** The runs the handler records (in memory: the kill switch counts the campaign tables' writes only). */
  operations: InMemoryOperationsStore;
  /** The audit log the controller and the decisions append to (in memory, like the operations store). */
  audit: InMemoryAuditLog;
  mailer: RecordingMailer;
  /** The evidence archive (in memory: the kill switch counts the tables' writes only; tests wrap it themselves). */
  archive: InMemoryEvidenceArchive;
  kill: KillSwitch;
  wall: { now: () => Date; advance(ms: number): void };
  run(nowIso: string): Promise<ControllerReport>;
  /** The handler called with any event (a continuation, a manual event). */
  invoke(event: unknown): Promise<ControllerReport>;
  load(dir: DirectoryFile): Promise<void>;
  create(definition: Record<string, unknown>, nowIso: string, id?: string): Promise<string>;
  decide(entryId: string, actorId: string, decisions: unknown[], nowIso: string): ReturnType<typeof decide>;
  snapshot(): Promise<Snapshot>;
}

export interface Snapshot {
  directory: Record<string, unknown>[];
  campaigns: Record<string, unknown>[];
}

/**
 * Builds the handler over real Dynamo adapters on the given tables. `doc` must be a client of its
 * own (the kill switch is installed on it).
 */
export function createHarness(
  doc: DynamoDBDocumentClient,
  names: { directory: string; campaign: string },
  options: {
    hooks?: HookInvoker;
    hookTimeoutMs?: number;
    /** Each invocation's time budget (default: none); with `chunks`, forces many chunks and continuations. */
    budgetFor?: () => TimeBudget;
    chunks?: ControllerChunks;
    cleanup?: 'DELETE' | 'TTL';
  } = {},
): Harness {
  const kill = new KillSwitch();
  installKillSwitch(doc, kill);
  const directory = new DynamoDirectoryStore({ doc, tableName: names.directory });
  const campaigns = new DynamoCampaignStore({ doc, tableName: names.campaign });
  const approvals = new DynamoApprovalStore({ doc, tableName: names.campaign });
  const outbox = new DynamoOutbox({ doc, tableName: names.campaign });
  const operations = new InMemoryOperationsStore();
  const audit = new InMemoryAuditLog();
  const mailer = new RecordingMailer();
  const archive = new InMemoryEvidenceArchive();
  let wallMs = Date.parse('2030-01-01T00:00:00.000Z');
  const wall = { now: () => new Date(wallMs), advance: (ms: number) => void (wallMs += ms) };
  const handler = createHandler(() => ({
    directory,
    campaigns,
    approvals,
    outbox,
    operations,
    audit,
    mailer,
    wallClock: wall,
    log: silentLog,
    settings: { portalUrl: 'https://idgov.example.com', leaseSeconds: 900, ...(options.cleanup ? { cleanup: options.cleanup } : {}) },
    hooks: options.hooks,
    hookTimeoutMs: options.hookTimeoutMs,
    ...(options.budgetFor ? { budgetFor: options.budgetFor } : {}),
    ...(options.chunks ? { chunks: options.chunks } : {}),
    evidence: testEvidenceArchiver({ campaigns, approvals, outbox, audit, directory }, archive),
  }));
  const scan = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  return {
    directory,
    campaigns,
    approvals,
    outbox,
    operations,
    audit,
    mailer,
    archive,
    kill,
    wall,
    run: (nowIso) => handler(scheduledEvent(nowIso)),
    invoke: (event) => handler(event),
    async load(dir) {
      await directory.putUsers(dir.users);
      await directory.putPrivileges(dir.privileges);
      await directory.putAssignments(dir.assignments);
    },
    async create(definition, nowIso, id) {
      return (await createCampaign({ campaigns, audit }, definition, new Date(nowIso), id)).id;
    },
    decide: (entryId, actorId, decisions, nowIso) => decide({ campaigns, audit }, { entryId, actorId, decisions }, new Date(nowIso)),
    async snapshot() {
      return { directory: normalise(await scan(names.directory)), campaigns: normalise(await scan(names.campaign)) };
    },
  };
}

export const scheduledEvent = (time: string) => ({
  version: '0',
  id: `evt-${time}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time,
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:000000000000:rule/idgov-controller'],
  detail: {},
});

/** Delivery bookkeeping that legitimately differs between an interrupted and a clean run. */
const VOLATILE = ['attempts', 'claimedBy', 'claimExpiresAt', 'messageId', 'lastError'];

function normalise(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records
    .filter((r) => !String(r.PK).startsWith('LEASE#'))
    .map((r) => (String(r.PK).startsWith('OUTBOX#') ? Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE.includes(k))) : r))
    .map((r) => canonical(r) as Record<string, unknown>)
    .sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

export const outboxOf = (snapshot: Snapshot) =>
  snapshot.campaigns.filter((r) => String(r.PK).startsWith('OUTBOX#')) as unknown as Notification[];

/** Same content, keys in order, so that two snapshots compare by value. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Set) return [...value].map(canonical).sort();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
