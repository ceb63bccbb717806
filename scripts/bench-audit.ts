// `npm run bench:audit [-- --assignments N]`: what the audit log costs, in DynamoDB capacity, beside
// what the campaign itself costs. A USER campaign over N manual assignments runs on the embedded
// engine from its creation to SUCCEEDED through the very controller and decide use case the
// functions run: preparation and announcement, approvers deciding most entries (one request per
// entry: approvals, some rejections and modifications) and leaving some to expire, reminders, the
// finish (expiry, application, revocations, Assignment Rejects, Campaign End), each run's dispatch.
// Each table has a DynamoDB client of its own, metered apart: write capacity as the engine reports
// it (one unit per started kilobyte of the larger of the item before and after, per item written),
// plus, for the audit table, its index (keys only: one unit a record, as DynamoDB charges it); the
// campaign table's two global indexes are not counted (the engine does not report them), so its
// figure is a floor and the audit's share an upper bound. Read capacity as in bench-daily. Not
// measured: loading the directory; the status expiration and cleanup (they archive the evidence).
// The last line printed is one JSON object, for scripts.
import { parseArgs } from 'node:util';
import { meterReadCapacity, type ReadCapacity } from './support/read-capacity.js';
import { separateAuditLog } from './support/separate-audit-log.js';
import { meterWriteCapacity, type WriteCapacity } from './support/write-capacity.js';
import { createDocumentClient } from '../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { runChain } from '../lambdas/shared/domain/audit/model.js';
import { canonicalJson, verifyChain } from '../lambdas/shared/domain/audit/chain.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController, type ControllerDeps } from '../lambdas/shared/use-cases/campaign-controller.js';
import { collect } from '../lambdas/shared/use-cases/concurrency.js';
import { decide } from '../lambdas/shared/use-cases/decisions.js';
import { silentLog, type Mailer } from '../lambdas/shared/use-cases/ports.js';
import { LOCAL_PORTAL_URL, openRuntime } from '../src/local/runtime.js';
import { generateBenchOrganization } from '../src/local/sample-org.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { assignments: { type: 'string', default: '500' } } });
const assignments = Number(values.assignments);
if (!Number.isInteger(assignments) || assignments <= 0) {
  process.stderr.write(`--assignments must be a positive whole number, got "${values.assignments}"\n`);
  process.exit(2);
}

const DAY_MS = 86_400_000;
const START = new Date('2026-07-01T00:00:00.000Z');
const at = (day: number, hour = 0) => new Date(START.getTime() + day * DAY_MS + hour * 3_600_000);
const log = (line: string) => console.log(line);
const discardingMailer: Mailer = { send: async () => ({ messageId: 'discarded' }) };

interface Meters {
  campaign: { write: WriteCapacity; read: ReadCapacity };
  directory: { write: WriteCapacity; read: ReadCapacity };
  audit: { write: WriteCapacity; read: ReadCapacity };
}
type Figures = { campaignWcu: number; directoryWcu: number; auditWcu: number; auditRecords: number; campaignRcu: number; directoryRcu: number; auditRcu: number };

/** The audit table's writes: the table's units, plus one unit per record for its keys-only index. */
const figuresOf = (m: Meters): Figures => ({
  campaignWcu: m.campaign.write.units,
  directoryWcu: m.directory.write.units,
  auditWcu: m.audit.write.units + (m.audit.write.requests.PutItem ?? 0),
  auditRecords: m.audit.write.requests.PutItem ?? 0,
  campaignRcu: m.campaign.read.units,
  directoryRcu: m.directory.read.units,
  auditRcu: m.audit.read.units,
});

async function main() {
  const runtime = await openRuntime({ inMemory: true });
  try {
    const org = generateBenchOrganization({ assignments });
    await runtime.directory.putUsers(org.users);
    await runtime.directory.putPrivileges(org.privileges);
    await runtime.directory.putAssignments(org.assignments);

    // One client per table, each metered: the campaign table, the directory table, the audit log.
    const campaignDoc = createDocumentClient({ endpoint: runtime.dynamoEndpoint });
    const directoryDoc = createDocumentClient({ endpoint: runtime.dynamoEndpoint });
    const { audit, doc: auditDoc } = separateAuditLog(runtime);
    const meters: Meters = {
      campaign: { write: meterWriteCapacity(campaignDoc), read: meterReadCapacity(campaignDoc) },
      directory: { write: meterWriteCapacity(directoryDoc), read: meterReadCapacity(directoryDoc) },
      audit: { write: meterWriteCapacity(auditDoc), read: meterReadCapacity(auditDoc) },
    };
    const campaigns = new DynamoCampaignStore({ doc: campaignDoc, tableName: runtime.tables.campaign });
    // The same ports the controller function wires (lambdas/campaign-controller/dependencies.ts).
    const deps = (now: Date): ControllerDeps => ({
      directory: new DynamoDirectoryStore({ doc: directoryDoc, tableName: runtime.tables.directory }),
      campaigns,
      approvals: new DynamoApprovalStore({ doc: campaignDoc, tableName: runtime.tables.campaign }),
      outbox: new DynamoOutbox({ doc: campaignDoc, tableName: runtime.tables.campaign }),
      audit,
      mailer: discardingMailer,
      clock: { now: () => now },
      wallClock: { now: () => new Date() },
      log: silentLog,
      settings: { portalUrl: LOCAL_PORTAL_URL, leaseSeconds: 900 },
      // The campaign ends SUCCEEDED: no run is deleted, so nothing is archived or signed.
      evidence: { archiveRun: async (c) => Promise.reject(new Error(`the benchmark archives no run, not ${c.runId}`)) },
    });
    const controller = (now: Date) => runCampaignController(deps(now));

    const phases: { name: string; figures: Figures }[] = [];
    const measure = async (name: string, work: () => Promise<unknown>) => {
      for (const m of Object.values(meters)) {
        m.write.reset();
        m.read.reset();
      }
      await work();
      phases.push({ name, figures: figuresOf(meters) });
    };

    let campaignId = '';
    let runId = '';
    await measure('creation, preparation, announcement', async () => {
      const campaign = await createCampaign(
        { campaigns, audit },
        {
          name: 'Benchmark: audit log',
          kind: 'USER',
          ownerId: 'bench-head',
          startDate: START.toISOString(),
          approvalPeriodDays: 14,
          statusExpirationDate: at(45).toISOString(),
          subjects: { filter: '(id=*)' },
          reminders: { daysBeforeDue: 3, intervalHours: 24 },
          revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
        },
        START,
        undefined,
        'bench-admin',
      );
      campaignId = campaign.id;
      runId = campaign.runId;
      await controller(at(0, 1));
    });

    const entries = (await collect(campaigns.listEntries(runId))).filter((e) => e.state === 'RUNNING');
    let decided = 0;
    await measure('decisions (one request per entry)', async () => {
      for (const [k, entry] of entries.entries()) {
        // One entry in ten is left to expire.
        if (k % 10 === 9) continue;
        const { items } = (await campaigns.getEntryWithItems(entry.id))!;
        if (items.length === 0) continue;
        const decisions = items.map((item, i) => {
          if ((k + i) % 7 === 3) return { itemId: item.id, outcome: 'REJECT', comment: 'no longer needed for the role' };
          if ((k + i) % 11 === 5) return { itemId: item.id, outcome: 'MODIFY', endDate: at(120).toISOString(), comment: 'temporary need' };
          return { itemId: item.id, outcome: 'APPROVE' };
        });
        await decide({ campaigns, audit }, { entryId: entry.id, actorId: entry.approverIds[0]!, decisions }, at(2 + (k % 8), 9));
        decided += decisions.length;
      }
    });
    await measure('reminders (days 11 to 13)', async () => {
      for (const day of [11, 12, 13]) await controller(at(day, 1));
    });
    await measure('finish (expiry, application, revocations, notices)', async () => {
      const report = await controller(at(14, 1));
      if (!report.transitions.some((t) => t.campaignId === campaignId && t.to === 'SUCCEEDED')) throw new Error(`the campaign did not finish: ${JSON.stringify(report)}`);
    });

    const items = entries.reduce((sum, e) => sum + e.itemCount, 0);
    const records = await collect(audit.listRecords(runChain(runId)));
    const problem = verifyChain(records, runChain(runId));
    if (problem) throw new Error(`the run's chain does not verify: ${JSON.stringify(problem)}`);
    const events = records.reduce((sum, r) => sum + r.events.length, 0);
    const bytes = records.reduce((sum, r) => sum + Buffer.byteLength(canonicalJson(r.events), 'utf8'), 0);

    const total = phases.reduce<Figures>(
      (sum, p) => Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v + p.figures[k as keyof Figures]])) as Figures,
      { campaignWcu: 0, directoryWcu: 0, auditWcu: 0, auditRecords: 0, campaignRcu: 0, directoryRcu: 0, auditRcu: 0 },
    );
    const perItem = (n: number) => Number((n / items).toFixed(3));
    const withoutLog = total.campaignWcu + total.directoryWcu;
    const result = {
      items,
      entries: entries.length,
      decidedItems: decided,
      auditRecords: records.length,
      auditEvents: events,
      auditBytesPerRecord: Math.round(bytes / records.length),
      wcuPerItem: { campaign: perItem(total.campaignWcu), directory: perItem(total.directoryWcu), audit: perItem(total.auditWcu) },
      rcuPerItem: { campaign: perItem(total.campaignRcu), directory: perItem(total.directoryRcu), audit: perItem(total.auditRcu) },
      auditShareOfWrites: Number((total.auditWcu / withoutLog).toFixed(3)),
    };

    log(`campaign ${campaignId}: ${entries.length} entries, ${items} items (${org.users.length} users, ${org.privileges.length} privileges), ${decided} items decided, the rest left to expire`);
    log('WCU by phase           campaign  directory  audit (records)   RCU: campaign  directory  audit');
    for (const { name, figures: f } of [...phases, { name: 'total', figures: total }]) {
      log(
        `${name.padEnd(52)} ${String(f.campaignWcu).padStart(6)} ${String(f.directoryWcu).padStart(8)} ${String(f.auditWcu).padStart(7)} (${f.auditRecords})` +
          `   ${f.campaignRcu.toFixed(1).padStart(8)} ${f.directoryRcu.toFixed(1).padStart(8)} ${f.auditRcu.toFixed(1).padStart(7)}`,
      );
    }
    log(`per item: WCU campaign ${result.wcuPerItem.campaign}, directory ${result.wcuPerItem.directory}, audit ${result.wcuPerItem.audit}; RCU campaign ${result.rcuPerItem.campaign}, directory ${result.rcuPerItem.directory}, audit ${result.rcuPerItem.audit}`);
    log(
      `with the log: ${perItem(withoutLog + total.auditWcu)} WCU per item; without: ${perItem(withoutLog)} (the audit log adds ${(result.auditShareOfWrites * 100).toFixed(1)} %; ` +
        `campaign table counted without its index writes)`,
    );
    log(`the run's chain: ${records.length} records, ${events} events, ${result.auditBytesPerRecord} bytes of events per record on average; verifies`);
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
