// `npm run bench:cost [-- --assignments N]`: what a whole campaign costs on AWS, per million items, at
// on-demand list prices. A USER campaign over N manual assignments (default 100,000) runs on the
// embedded engine through the controller and decide use case the functions run: preparation and
// announcement (Approval Starts sent), every item decided (one request per entry, as the portal's
// bulk decision sends it), the finish (guard, application, verification, Assignment Rejects, Campaign
// End, all sent), the status expiration, the evidence archive and the cleanup. Every DynamoDB call is
// metered: read and write units as the engine reports them (ReturnConsumedCapacity), plus the index
// writes DynamoDB charges and the engine does not report (scripts/support/index-writes.ts). Lambda is
// priced from the requests and from each call's measured duration at the function's memory (the
// embedded engine is slower than DynamoDB: an upper bound); SES per message sent.
// The last line printed is one JSON object, for scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { definitionsByName, meterIndexWrites } from './support/index-writes.js';
import { meterReadCapacity } from './support/read-capacity.js';
import { meterWriteCapacity } from './support/write-capacity.js';
import { NOTIFICATION_KINDS, type Campaign, type NotificationKind } from '../lambdas/shared/domain/model.js';
import { DEFAULT_TEMPLATES } from '../lambdas/shared/domain/templates.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController, type ControllerDeps, type ControllerReport } from '../lambdas/shared/use-cases/campaign-controller.js';
import { collect } from '../lambdas/shared/use-cases/concurrency.js';
import { decide } from '../lambdas/shared/use-cases/decisions.js';
import { InProcessEvidenceArchiver } from '../lambdas/shared/use-cases/evidence/archive-evidence.js';
import { evidenceReports } from '../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { silentLog, type Mailer } from '../lambdas/shared/use-cases/ports.js';
import { drawChartsOnDemand } from '../src/local/report-charts.js';
import { LOCAL_PORTAL_URL, openRuntime } from '../src/local/runtime.js';
import { generateBenchOrganization } from '../src/local/sample-org.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { assignments: { type: 'string', default: '100000' } } });
const assignments = Number(values.assignments);
if (!Number.isInteger(assignments) || assignments <= 0) {
  process.stderr.write(`--assignments must be a positive whole number, got "${values.assignments}"\n`);
  process.exit(2);
}

/** us-east-1 on-demand list prices (2026). */
const PRICE = {
  perMillionWru: 0.625,
  perMillionRru: 0.125,
  perThousandMails: 0.1,
  perMillionLambdaRequests: 0.2,
  perGbSecond: 0.0000166667,
};
/** The functions' memory (lib/constructs): the controller and the archiver 1,024 MB, the approver API 512 MB. */
const MEMORY_GB = { controller: 1, archiver: 1, api: 0.5 };

const DAY_MS = 86_400_000;
const START = new Date('2026-07-01T00:00:00.000Z');
const at = (day: number, hour = 0) => new Date(START.getTime() + day * DAY_MS + hour * 3_600_000);
const log = (line: string) => console.log(line);

interface Lambda {
  requests: number;
  gbSeconds: number;
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'idgov-bench-cost-'));
  const runtime = await openRuntime({ inMemory: true, home });
  try {
    const t = performance.now();
    const org = generateBenchOrganization({ assignments });
    await runtime.directory.putUsers(org.users);
    await runtime.directory.putPrivileges(org.privileges);
    await runtime.directory.putAssignments(org.assignments);
    log(`directory: ${org.users.length} users, ${org.assignments.length} manual assignments loaded in ${((performance.now() - t) / 1000).toFixed(1)} s (not measured)`);

    const reads = meterReadCapacity(runtime.doc);
    const writes = meterWriteCapacity(runtime.doc);
    const indexWrites = meterIndexWrites(runtime.doc, runtime.dynamoEndpoint, definitionsByName(runtime.tables));
    let mails = 0;
    // Each mail's kind, from the default subject it was rendered from (the text before its first placeholder).
    const mailsByKind: Partial<Record<NotificationKind, number>> = {};
    const kindOf = (subject: string) => NOTIFICATION_KINDS.find((k) => subject.startsWith(DEFAULT_TEMPLATES[k].subject.split('{{')[0]!));
    const countingMailer: Mailer = {
      send: async ({ subject }) => {
        const kind = kindOf(subject);
        if (kind) mailsByKind[kind] = (mailsByKind[kind] ?? 0) + 1;
        return { messageId: `bench-${++mails}` };
      },
    };
    const lambda: Lambda = { requests: 0, gbSeconds: 0 };
    const invoke = async <T>(memoryGb: number, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        lambda.requests += 1;
        lambda.gbSeconds += ((performance.now() - started) / 1000) * memoryGb;
      }
    };
    // The archive-evidence function's work, in process (as the local runtime does it), priced as its invocation.
    const archiver = new InProcessEvidenceArchiver({
      campaigns: runtime.campaigns,
      approvals: runtime.approvals,
      outbox: runtime.outbox,
      audit: runtime.auditLog,
      directory: runtime.directory,
      evidence: { archive: runtime.evidenceArchive, signer: runtime.evidenceSigner, reports: evidenceReports(drawChartsOnDemand) },
    });
    const deps = (now: Date): ControllerDeps => ({
      directory: runtime.directory,
      campaigns: runtime.campaigns,
      approvals: runtime.approvals,
      outbox: runtime.outbox,
      audit: runtime.auditLog,
      mailer: countingMailer,
      clock: { now: () => now },
      wallClock: { now: () => new Date() },
      log: silentLog,
      settings: { portalUrl: LOCAL_PORTAL_URL, leaseSeconds: 900 },
      evidence: { archiveRun: (c: Campaign, n: Date) => invoke(MEMORY_GB.archiver, () => archiver.archiveRun(c, n)) },
    });
    /** Controller runs at `now` until one changes nothing more (a run that must continue is invoked again). */
    const controllerUntilSettled = async (now: Date): Promise<ControllerReport[]> => {
      const reports: ControllerReport[] = [];
      for (let i = 0; i < 1000; i++) {
        const report = await invoke(MEMORY_GB.controller, () => runCampaignController(deps(now)));
        reports.push(report);
        if (report.errors.length > 0) throw new Error(`the controller failed: ${JSON.stringify(report.errors)}`);
        const more = (report as { continue?: boolean }).continue === true;
        if (!more && report.transitions.length === 0) return reports;
      }
      throw new Error('the controller did not settle in 1,000 runs');
    };

    // Each phase's share, for the reader: what the units and mails went to.
    const phases: { name: string; wru: number; indexWru: number; rru: number; mails: number; lambdaGbSeconds: number; records: (readonly [string, number])[] }[] = [];
    let mark = { wru: 0, indexWru: 0, rru: 0, mails: 0, gbSeconds: 0 };
    let recordsMark: Record<string, number> = {};
    const endPhase = (name: string) => {
      const now = { wru: writes.units, indexWru: indexWrites.units, rru: reads.units, mails, gbSeconds: lambda.gbSeconds };
      const records = Object.entries(indexWrites.tableByEntity)
        .map(([entity, n]) => [entity, n - (recordsMark[entity] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .sort(([, a], [, b]) => b - a);
      phases.push({ name, wru: now.wru - mark.wru, indexWru: now.indexWru - mark.indexWru, rru: now.rru - mark.rru, mails: now.mails - mark.mails, lambdaGbSeconds: now.gbSeconds - mark.gbSeconds, records });
      mark = now;
      recordsMark = { ...indexWrites.tableByEntity };
    };

    const campaign = await createCampaign(
      { campaigns: runtime.campaigns, audit: runtime.auditLog },
      {
        name: 'Benchmark: cost',
        kind: 'USER',
        ownerId: 'bench-head',
        startDate: START.toISOString(),
        approvalPeriodDays: 14,
        statusExpirationDate: at(45).toISOString(),
        subjects: { filter: '(id=*)' },
        revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
      },
      START,
      undefined,
      'bench-admin',
    );
    await controllerUntilSettled(at(0, 1));
    endPhase('creation, preparation, Approval Starts');

    const entries = (await collect(runtime.campaigns.listEntries(campaign.runId))).filter((e) => e.state === 'RUNNING');
    let items = 0;
    for (const [k, entry] of entries.entries()) {
      const { items: entryItems } = (await runtime.campaigns.getEntryWithItems(entry.id))!;
      items += entryItems.length;
      if (entryItems.length === 0) continue;
      // Every item decided: about one in nine rejected (under the 20 % revocation cap), one in thirteen modified.
      const decisions = entryItems.map((item, i) => {
        if ((k + i) % 9 === 4) return { itemId: item.id, outcome: 'REJECT', comment: 'no longer needed for the role' };
        if ((k + i) % 13 === 6) return { itemId: item.id, outcome: 'MODIFY', endDate: at(120).toISOString(), comment: 'temporary need' };
        return { itemId: item.id, outcome: 'APPROVE' };
      });
      await invoke(MEMORY_GB.api, () => decide({ campaigns: runtime.campaigns, audit: runtime.auditLog }, { entryId: entry.id, actorId: entry.approverIds[0]!, decisions }, at(2 + (k % 8), 9)));
    }
    endPhase('decisions (one request per entry)');
    await controllerUntilSettled(at(14, 1));
    endPhase('finish: apply, Assignment Rejects, Campaign End');
    const finished = await runtime.campaigns.getCampaign(campaign.id);
    if (finished?.state !== 'SUCCEEDED') throw new Error(`the campaign did not finish: ${finished?.state} ${JSON.stringify(finished?.phase)}`);
    await controllerUntilSettled(at(45, 1));
    const cleaned = await runtime.campaigns.getCampaign(campaign.id);
    if (cleaned?.state !== 'DELETED' || !cleaned.cleanedAt || !cleaned.evidence) throw new Error(`the run was not archived and cleaned up: ${cleaned?.state} ${cleaned?.cleanedAt}`);

    endPhase('expiry, evidence archive, cleanup');

    const wru = writes.units + indexWrites.units;
    const rru = reads.units;
    const usd = {
      dynamoWrites: (wru / 1e6) * PRICE.perMillionWru,
      dynamoReads: (rru / 1e6) * PRICE.perMillionRru,
      ses: (mails / 1000) * PRICE.perThousandMails,
      lambda: (lambda.requests / 1e6) * PRICE.perMillionLambdaRequests + lambda.gbSeconds * PRICE.perGbSecond,
    };
    const total = usd.dynamoWrites + usd.dynamoReads + usd.ses + usd.lambda;
    const perMillion = (n: number) => (n * 1e6) / items;
    log(`campaign ${campaign.id}: ${entries.length} entries, ${items} items, every item decided; archived and cleaned up`);
    log('phase                                              table WRU  index WRU        RRU   mails   Lambda GB-s');
    for (const p of phases) {
      log(`${p.name.padEnd(50)} ${fixed(p.wru).padStart(10)} ${fixed(p.indexWru).padStart(10)} ${fixed(p.rru).padStart(10)} ${String(p.mails).padStart(7)} ${p.lambdaGbSeconds.toFixed(1).padStart(13)}`);
      log(`  table writes by record: ${p.records.map(([e, n]) => `${e} ${n}`).join(', ')}`);
    }
    log(`DynamoDB: ${Math.round(wru)} write units (${Math.round(writes.units)} table, ${indexWrites.units} index), ${Math.round(rru)} read units`);
    log(`table write units by record (DynamoDB's rule): ${Object.entries(indexWrites.tableByEntity).sort(([, a], [, b]) => b - a).map(([e, n]) => `${e} ${n}`).join(', ')}`);
    log(`index write units by record: ${Object.entries(indexWrites.byEntity).sort(([, a], [, b]) => b - a).map(([e, n]) => `${e} ${n}`).join(', ')}`);
    log(`SES: ${mails} messages; Lambda: ${lambda.requests} invocations, ${lambda.gbSeconds.toFixed(0)} GB-s (embedded engine: an upper bound)`);
    log(`SES messages by kind: ${Object.entries(mailsByKind).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    log(
      `per million items: DynamoDB writes $${perMillion(usd.dynamoWrites).toFixed(2)}, reads $${perMillion(usd.dynamoReads).toFixed(2)}, ` +
        `SES $${perMillion(usd.ses).toFixed(2)}, Lambda $${perMillion(usd.lambda).toFixed(2)}: $${perMillion(total).toFixed(2)} (target <= $3)`,
    );
    // What grows with the items (storage and compute) apart from what grows with the people told (SES).
    const perItem = usd.dynamoWrites + usd.dynamoReads + usd.lambda;
    const rejects = mailsByKind.ASSIGNMENT_REJECT ?? 0;
    log(
      `  per item (DynamoDB, Lambda): $${perMillion(perItem).toFixed(2)} per million items; ` +
        `per person told (SES, $${PRICE.perThousandMails.toFixed(2)} per 1,000 mails): ${Math.round(perMillion(mails))} mails per million items = $${perMillion(usd.ses).toFixed(2)}, ` +
        `of which Assignment Reject ${Math.round(perMillion(rejects))} ($${perMillion((rejects / 1000) * PRICE.perThousandMails).toFixed(2)}, one per user who lost access), ` +
        `Approval Start ${Math.round(perMillion(mailsByKind.APPROVAL_START ?? 0))} (one per approver)`,
    );
    log(
      JSON.stringify({
        items,
        wru: Math.round(wru),
        rru: Math.round(rru),
        usdPerMillionItems: Number(perMillion(total).toFixed(2)),
        usdPerMillionItemsPerItem: Number(perMillion(perItem).toFixed(2)),
        usdPerMillionItemsSes: Number(perMillion(usd.ses).toFixed(2)),
        mails,
      }),
    );
    indexWrites.stop();
  } finally {
    await runtime.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const fixed = (n: number) => String(Math.round(n));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

