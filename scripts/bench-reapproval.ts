// `npm run bench:reapproval [-- --flagged N --due-percent P]`: what one StartReapproval run reads
// when N flagged assignments (CONTINUOUS, initialized) exist and P % of them are due today. The job
// runs whole (starts, approval runs needing action, notification dispatch) against the embedded
// engine; every read request is metered (items examined by each Query, found by each GetItem,
// returned by each BatchGetItem). The same day's second run is measured too: it must find nothing
// to do. The last line printed is one JSON object, for scripts.
import { parseArgs } from 'node:util';
import { meterReadCapacity } from './support/read-capacity.js';
import { DynamoApprovalStore } from '../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { addDays } from '../lambdas/shared/domain/dates.js';
import type { Assignment, Privilege, User } from '../lambdas/shared/domain/model.js';
import { startReapproval, type StartReapprovalDeps } from '../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { silentLog, type Mailer } from '../lambdas/shared/use-cases/ports.js';
import { openRuntime } from '../src/local/runtime.js';
import { separateAuditLog } from './support/separate-audit-log.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { flagged: { type: 'string', default: '100000' }, 'due-percent': { type: 'string', default: '1' } } });
const FLAGGED = Number(values.flagged);
const DUE_PERCENT = Number(values['due-percent']);
if (!Number.isInteger(FLAGGED) || FLAGGED < 100) fail(`--flagged must be a whole number of at least 100, got "${values.flagged}"`);
if (!(DUE_PERCENT > 0 && DUE_PERCENT <= 100)) fail(`--due-percent must be in (0, 100], got "${values['due-percent']}"`);

const PRIVILEGES = 5;
const TODAY = '2026-12-01';
const NOW = new Date(`${TODAY}T06:00:00.000Z`);
const log = (line: string) => console.log(line);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main() {
  const runtime = await openRuntime({ inMemory: true });
  try {
    const due = await seed(runtime);
    let sent = 0;
    const mailer: Mailer = { send: async () => ({ messageId: `m-${++sent}` }) };
    const deps: StartReapprovalDeps = {
      directory: runtime.directory,
      approvals: new DynamoApprovalStore({ doc: runtime.doc, tableName: runtime.tables.campaign }),
      campaigns: runtime.campaigns,
      outbox: runtime.outbox,
      // On a client of its own: the reads metered here are the directory's and the campaign table's, as before.
      audit: separateAuditLog(runtime).audit,
      portalUrl: 'https://portal.example.com',
      log: silentLog,
      mailer,
      wallClock: { now: () => new Date() },
    };
    const meter = meterReadCapacity(runtime.doc);
    const first = await startReapproval(deps, NOW);
    const firstRead = { items: meter.items, units: meter.units, requests: { ...meter.requests } };
    if (first.started.continuous !== due) throw new Error(`expected ${due} re-approvals started, the job started ${first.started.continuous}`);
    meter.reset();
    const again = await startReapproval(deps, NOW);
    if (again.started.continuous !== 0) throw new Error(`the same day's second run started ${again.started.continuous} re-approvals`);
    log(`flagged ${FLAGGED} assignments over ${PRIVILEGES} privileges, ${due} due on ${TODAY}`);
    log(`first run: started ${first.started.continuous}, notifications sent ${first.dispatch.sent}; read ${firstRead.items} items, ${firstRead.units} RCU, requests ${JSON.stringify(firstRead.requests)}`);
    log(`second run the same day: started 0; read ${meter.items} items, ${meter.units} RCU`);
    console.log(JSON.stringify({ flagged: FLAGGED, due, itemsRead: firstRead.items, itemsReadPerDue: round(firstRead.items / due) }));
  } finally {
    await runtime.close();
  }
}

/** Owners, subjects, flagged privileges, and FLAGGED initialized CONTINUOUS assignments of which DUE_PERCENT are due. */
async function seed(runtime: Awaited<ReturnType<typeof openRuntime>>): Promise<number> {
  const subjects = Math.ceil(FLAGGED / PRIVILEGES);
  const owners: User[] = Array.from({ length: PRIVILEGES }, (_, k) => ({ id: `o-${k}`, displayName: `Owner ${k}`, email: `owner${k}@example.com`, status: 'ACTIVE' }));
  const users: User[] = Array.from({ length: subjects }, (_, i) => ({
    id: userId(i),
    displayName: `User ${i}`,
    email: `user${i}@example.com`,
    managerId: 'o-0',
    status: 'ACTIVE',
  }));
  await runtime.directory.putUsers([...owners, ...users]);
  const privileges: Privilege[] = owners.map((o, k) => ({
    id: `p-${k}`,
    name: `Critical privilege ${k}`,
    ownerIds: [o.id],
    riskLevel: 'CRITICAL',
    reapproval: { mode: 'CONTINUOUS', intervalDays: 90 },
  }));
  await runtime.directory.putPrivileges(privileges);
  // Every 1/share-th assignment is due (1 to 5 days overdue); the others come due within 89 days.
  const every = Math.round(100 / DUE_PERCENT);
  let due = 0;
  const batch: Assignment[] = [];
  for (let i = 0; i < FLAGGED; i += 1) {
    const isDue = i % every === 0;
    if (isDue) due += 1;
    const next = isDue ? addDays(TODAY, -(1 + (i % 5))) : addDays(TODAY, 1 + (i % 89));
    batch.push({
      userId: userId(Math.floor(i / PRIVILEGES)),
      privilegeId: `p-${i % PRIVILEGES}`,
      origin: 'MANUAL',
      approvedAt: `${addDays(next, -90)}T00:00:00.000Z`,
      approvedBy: `o-${i % PRIVILEGES}`,
      reapprovalMode: 'CONTINUOUS',
      nextReapprovalAt: `${next}T00:00:00.000Z`,
    });
    if (batch.length === 1000) await runtime.directory.putAssignments(batch.splice(0));
  }
  if (batch.length > 0) await runtime.directory.putAssignments(batch);
  return due;
}

const userId = (i: number) => `u-${String(i).padStart(6, '0')}`;
const round = (n: number) => Math.round(n * 100) / 100;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
