// `npm run bench:idle [-- --small N --large N]`: what a campaign controller run reads when nothing is
// due, over a history of `small` (default 10) and of `large` (default 1,000) finished campaigns.
// Each finished campaign is left as the controller leaves one: SUCCEEDED (its status expiration a
// year away), DELETED and cleaned up, or FAILED.PREPARED, each with its settled notifications in the
// outbox. Measured: the items one whole controller run reads (what each Query examined, each GetItem
// found), the run after the set-up, on the embedded engine. The two must be the same within 20 %:
// an idle run's cost follows the work due, never the history. The last line printed is one JSON object.
import { parseArgs } from 'node:util';
import { meterReadCapacity } from './support/read-capacity.js';
import { markCleaned, markDeleted, markSucceeded, failPreparation, beginPreparation } from '../lambdas/shared/domain/campaign-lifecycle.js';
import { emptyStats } from '../lambdas/shared/domain/application.js';
import type { Campaign, Notification } from '../lambdas/shared/domain/model.js';
import { createCampaign } from '../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController } from '../lambdas/shared/use-cases/campaign-controller.js';
import { silentLog, type Mailer } from '../lambdas/shared/use-cases/ports.js';
import { LOCAL_PORTAL_URL, openRuntime } from '../src/local/runtime.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { small: { type: 'string', default: '10' }, large: { type: 'string', default: '1000' } } });
const wholeNumber = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive whole number, got "${values[name]}"\n`);
    process.exit(2);
  }
  return value;
};
const SMALL = wholeNumber('small');
const LARGE = wholeNumber('large');

const CREATED = new Date('2026-01-05T00:00:00Z');
/** The idle run: every finished campaign ended months before, none expires or recurs for a year. */
const NOW = new Date('2026-06-01T06:00:00Z');
const log = (line: string) => console.log(line);
const refusingMailer: Mailer = { send: async () => Promise.reject(new Error('an idle run sends nothing')) };

async function measure(finished: number): Promise<{ itemsRead: number; readUnits: number; requests: Record<string, number> }> {
  const runtime = await openRuntime({ inMemory: true });
  try {
    await runtime.directory.putUsers([{ id: 'owner', displayName: 'Owner', email: 'owner@example.com', status: 'ACTIVE' }]);
    for (let i = 0; i < finished; i++) await leaveFinished(runtime, i);
    const meter = meterReadCapacity(runtime.doc);
    const report = await runCampaignController({
      directory: runtime.directory,
      campaigns: runtime.campaigns,
      approvals: runtime.approvals,
      outbox: runtime.outbox,
      audit: runtime.auditLog,
      mailer: refusingMailer,
      clock: { now: () => NOW },
      wallClock: { now: () => new Date() },
      log: silentLog,
      settings: { portalUrl: LOCAL_PORTAL_URL, leaseSeconds: 900 },
      evidence: { archiveRun: async (c) => Promise.reject(new Error(`an idle run archives nothing, not ${c.runId}`)) },
    });
    meter.stop();
    if (report.errors.length > 0 || report.transitions.length > 0) throw new Error(`the run was not idle: ${JSON.stringify(report)}`);
    return { itemsRead: meter.items, readUnits: meter.units, requests: { ...meter.requests } };
  } finally {
    await runtime.close();
  }
}

/** Campaign i, finished as the controller leaves one, in one of three end states, with its sent notices. */
async function leaveFinished(runtime: Awaited<ReturnType<typeof openRuntime>>, i: number): Promise<void> {
  const audit = runtime.auditLog;
  const created = await createCampaign(
    { campaigns: runtime.campaigns, audit },
    {
      name: `Finished ${i}`,
      kind: 'USER',
      ownerId: 'owner',
      startDate: CREATED.toISOString(),
      approvalPeriodDays: 14,
      statusExpirationDate: '2027-06-01T00:00:00Z',
      subjects: { filter: '(id=*)' },
      revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
    },
    CREATED,
    `finished-${String(i).padStart(5, '0')}`,
  );
  const ended = new Date('2026-02-01T00:00:00Z');
  let last: Campaign;
  switch (i % 3) {
    case 0:
      last = markSucceeded(beginPreparation(created, [], '2026-01-19T00:00:00Z', CREATED), { ...emptyStats(), entries: 0, items: 0, entriesByState: {} }, ended);
      break;
    case 1:
      last = markCleaned(markDeleted(markSucceeded(beginPreparation(created, [], '2026-01-19T00:00:00Z', CREATED), { ...emptyStats(), entries: 0, items: 0, entriesByState: {} }, ended), ended), ended);
      break;
    default:
      last = failPreparation(created, [{ at: CREATED.toISOString(), level: 'ERROR', message: 'no owner', field: 'ownerId' }], CREATED);
  }
  // The store checks versions one step at a time: save each step's version in turn.
  for (let version = created.version + 1; version <= last.version; version++) await runtime.campaigns.saveCampaign({ ...last, version });
  const notices: Notification[] = ['CAMPAIGN_START', 'CAMPAIGN_END'].map((kind) => ({
    key: `${kind}#${last.id}`,
    kind: kind as Notification['kind'],
    campaignId: last.id,
    runId: last.runId,
    recipientId: 'owner',
    to: 'owner@example.com',
    subject: kind,
    body: kind,
    status: 'PENDING',
    createdAt: CREATED.toISOString(),
    attempts: 0,
  }));
  await runtime.outbox.enqueue(notices);
  for (const notice of notices) await runtime.outbox.markSent(notice, `sent-${notice.key}`, ended);
}

async function main() {
  const small = await measure(SMALL);
  log(`idle controller run over ${SMALL} finished campaigns: ${small.itemsRead} items read, ${small.readUnits} read units (${describe(small.requests)})`);
  const large = await measure(LARGE);
  log(`idle controller run over ${LARGE} finished campaigns: ${large.itemsRead} items read, ${large.readUnits} read units (${describe(large.requests)})`);
  // Nothing read in either run is "the same" too.
  const ratio = large.itemsRead === small.itemsRead ? 1 : large.itemsRead / Math.max(1, small.itemsRead);
  log(`items read, ${LARGE} vs ${SMALL} campaigns: ratio ${ratio.toFixed(2)} (target: within 20 %, <= 1.20)`);
  log(JSON.stringify({ [`itemsRead${SMALL}`]: small.itemsRead, [`itemsRead${LARGE}`]: large.itemsRead }));
  if (ratio > 1.2) process.exitCode = 1;
}

const describe = (requests: Record<string, number>) =>
  Object.entries(requests)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ');

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
