// `npx tsx scripts/cleanup-cost.ts [--assignments N]`: what a deleted run's cleanup costs in write
// units, deleting its records (CAMPAIGN_CLEANUP=DELETE) or stamping them with the TTL attribute
// (TTL, for DynamoDB to delete them at no charge), measured on AWS's DynamoDB Local (Java), which
// reports the consumed capacity of each write with its indexes. A USER campaign is prepared by the
// controller; half its entries are then removed one way and half the other way, through the
// adapter's own removeEntries and removeSettled. The last line printed is one JSON object.
import { parseArgs } from 'node:util';
import { DynamoApprovalStore } from '../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { createDocumentClient } from '../lambdas/shared/adapters/dynamo/document-client.js';
import { InMemoryAuditLog } from '../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController } from '../lambdas/shared/use-cases/campaign-controller.js';
import { collect } from '../lambdas/shared/use-cases/concurrency.js';
import { silentLog, type RecordRemoval } from '../lambdas/shared/use-cases/ports.js';
import { createTables, startDynamoDbLocal } from '../src/local/engine.js';
import { generateBenchOrganization } from '../src/local/sample-org.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { assignments: { type: 'string', default: '2000' } } });
const assignments = Number(values.assignments);
const START = new Date('2026-07-01T00:00:00Z');

async function main() {
  const engine = await startDynamoDbLocal();
  const doc = createDocumentClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const tables = await createTables(doc);
    const directory = new DynamoDirectoryStore({ doc, tableName: tables.directory });
    const campaigns = new DynamoCampaignStore({ doc, tableName: tables.campaign });
    const outbox = new DynamoOutbox({ doc, tableName: tables.campaign });
    const audit = new InMemoryAuditLog();
    const org = generateBenchOrganization({ assignments });
    await directory.putUsers(org.users);
    await directory.putPrivileges(org.privileges);
    await directory.putAssignments(org.assignments);
    const campaign = await createCampaign(
      { campaigns, audit },
      {
        name: 'Cleanup cost',
        kind: 'USER',
        ownerId: 'bench-head',
        startDate: START.toISOString(),
        approvalPeriodDays: 14,
        subjects: { filter: '(id=*)' },
        revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
      },
      START,
    );
    await runCampaignController({
      directory,
      campaigns,
      approvals: new DynamoApprovalStore({ doc, tableName: tables.campaign }),
      outbox,
      audit,
      mailer: { send: async () => ({ messageId: 'm' }) },
      clock: { now: () => new Date(START.getTime() + 3_600_000) },
      wallClock: { now: () => new Date() },
      log: silentLog,
      settings: { portalUrl: 'http://localhost', leaseSeconds: 900 },
      evidence: { archiveRun: async () => undefined },
    });

    // Every write from here on asks for its consumed capacity, table and indexes.
    const meter = { units: 0, records: 0 };
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? '';
        if (!['BatchWriteItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'].includes(name)) return next(args);
        const input = args.input as { ReturnConsumedCapacity?: string; RequestItems?: Record<string, unknown[]> };
        input.ReturnConsumedCapacity = 'INDEXES';
        const output = await next(args);
        const consumed = (output.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) meter.units += c.CapacityUnits ?? 0;
        meter.records += name === 'BatchWriteItemCommand' ? Object.values(input.RequestItems ?? {}).flat().length : 1;
        return output;
      },
      { step: 'initialize', name: 'meterCapacity' },
    );
    const measure = async (removal: RecordRemoval, entries: Awaited<ReturnType<typeof collect<never>>>) => {
      Object.assign(meter, { units: 0, records: 0 });
      await campaigns.removeEntries(entries, removal);
      return { records: meter.records, writeUnits: meter.units };
    };
    const listed = await collect(campaigns.listEntries(campaign.runId));
    const half = Math.floor(listed.length / 2);
    const deleted = await measure({ mode: 'DELETE' }, listed.slice(0, half) as never[]);
    const stamped = await measure({ mode: 'TTL', expiresAt: Math.floor(Date.now() / 1000) }, listed.slice(half) as never[]);
    const notices = await collect(outbox.listByRun(campaign.id, campaign.runId));
    const settled = notices.map((n) => ({ ...n, status: 'SENT' as const }));
    Object.assign(meter, { units: 0, records: 0 });
    await outbox.removeSettled(settled.slice(0, Math.floor(settled.length / 2)), { mode: 'DELETE' });
    const noticesDeleted = { records: meter.records, writeUnits: meter.units };
    Object.assign(meter, { units: 0, records: 0 });
    await outbox.removeSettled(settled.slice(Math.floor(settled.length / 2)), { mode: 'TTL', expiresAt: Math.floor(Date.now() / 1000) });
    const noticesStamped = { records: meter.records, writeUnits: meter.units };

    const perRecord = (m: { records: number; writeUnits: number }) => Number((m.writeUnits / m.records).toFixed(3));
    const result = {
      entriesAndItems: { delete: { ...deleted, perRecord: perRecord(deleted) }, ttl: { ...stamped, perRecord: perRecord(stamped) } },
      notifications: { delete: { ...noticesDeleted, perRecord: perRecord(noticesDeleted) }, ttl: { ...noticesStamped, perRecord: perRecord(noticesStamped) } },
    };
    console.log(`entries with their items: delete ${deleted.records} records for ${deleted.writeUnits} WCU; TTL stamp ${stamped.records} records for ${stamped.writeUnits} WCU`);
    console.log(`notifications: delete ${noticesDeleted.records} for ${noticesDeleted.writeUnits} WCU; TTL stamp ${noticesStamped.records} for ${noticesStamped.writeUnits} WCU`);
    console.log(JSON.stringify(result));
  } finally {
    doc.destroy();
    await engine.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`cleanup-cost failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
