// `npm run bench:prepare [-- --assignments N]`: how fast, and with how many DynamoDB write requests,
// the controller prepares a USER campaign over N manual assignments on the embedded engine.
// Measured: the controller run from its start until the campaign is saved RUNNING (lease, validation,
// preparation, announcements). Not measured: loading the directory. The run's dispatch of the
// Approval Start mails is switched off (sending is not preparation; the records are still written).
// The last line printed is one JSON object, for scripts.
import { parseArgs } from 'node:util';
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

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { assignments: { type: 'string', default: '100000' } } });
const assignments = Number(values.assignments);
if (!Number.isInteger(assignments) || assignments <= 0) {
  process.stderr.write(`--assignments must be a positive whole number, got "${values.assignments}"\n`);
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
  const runtime = await openRuntime({ inMemory: true });
  try {
    const t = performance.now();
    const org = generateBenchOrganization({ assignments });
    await runtime.directory.putUsers(org.users);
    await runtime.directory.putPrivileges(org.privileges);
    await runtime.directory.putAssignments(org.assignments);
    log(`directory: ${org.users.length} users, ${org.privileges.length} privileges, ${org.assignments.length} manual assignments loaded in ${seconds(performance.now() - t)} (not measured)`);

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
    const floor = Math.ceil(items / 25);
    const result = {
      items,
      itemsPerSecond: Math.round(items / (measured.ms / 1000)),
      writeRequests: measured.writeRequests,
      floor,
      requestRatio: Number((measured.writeRequests / floor).toFixed(3)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    log(`controller run: ${report.transitions.map((tr) => `${tr.from} -> ${tr.to}`).join(', ')} (dispatch switched off)`);
    log(`prepared ${entries} entries (${Object.entries(byState).map(([s, n]) => `${s} ${n}`).join(', ')}) with ${items} items`);
    log(`preparation: ${seconds(measured.ms)} (whole run: ${seconds(runMs)}), ${result.itemsPerSecond} items/s`);
    log(`write requests: ${result.writeRequests} (floor ceil(${items} / 25) = ${floor}), ratio ${result.requestRatio} (target <= 1.1)`);
    log(`peak RSS: ${result.peakRssMb} MB`);
    log(JSON.stringify(result));
  } finally {
    await runtime.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
