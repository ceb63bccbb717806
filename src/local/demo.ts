// `npm start`: the whole product locally in under a minute. A fresh embedded engine and SES emulator,
// the tables from the CDK definitions, a sample organisation, and two campaigns (a risk-filtered USER
// campaign that recurs once, a PRIVILEGE campaign, and one whose definition fails validation until its
// owner fixes it) driven through their lifecycle over simulated days by the deployed controller
// handler, with approvers deciding as a script says. Over the story's last eight days (two Mondays)
// the daily operations jobs run every simulated day too, through their own handlers (risk assessment
// 07:30, daily report 08:00, weekly summary on Mondays 09:00), under an operations configuration with
// a toxic combination the organisation violates; the end prints the last daily report and the last
// weekly summary (a full week) as their mails' text says them.
// `npm start -- --keep-open` keeps the SES emulator's mail page up at the end, and serves the
// approver portal over the demo's state (src/local/demo-portal.ts; the mails' links open it); its
// state goes to `.idgov-demo/`, or to `$IDGOV_DEMO_HOME`.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import Table from 'cli-table3';
import { ENV } from '../../lambdas/shared/config/tables.js';
import { ForbiddenError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { Campaign, CampaignDefinition, DecisionOutcome, Entry, Item, Notification } from '../../lambdas/shared/domain/model.js';
import { changeCampaign, createCampaign, getCampaignOrThrow, listAllCampaigns } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { confirmApply } from '../../lambdas/shared/use-cases/apply-guard.js';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import { saveOperationsConfig } from '../../lambdas/shared/use-cases/operations-config.js';
import { renderDailyReport, renderWeeklySummary } from '../../lambdas/shared/domain/report-rendering.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { writeDemoReports, type DemoReport } from './demo-reports.js';
import { describeRuns, ReapprovalStory } from './demo-reapproval.js';
import { checkReferences } from './directory-file.js';
import { applyJobEnvironment, loadJobHandler, localOperationsFiles, MailCapture, scheduledEvent } from './jobs.js';
import { openRuntime, readOutbox, resolveHome, type Runtime } from './runtime.js';
import { generateSampleOrganization, SAMPLE_OPERATIONS_CONFIG } from './sample-org.js';
import { startSesEmulator } from './ses-emulator.js';
import { portalTourCampaign, startPortalServer, startPortalTour } from './demo-portal.js';

const DAY0 = Date.parse('2026-07-01T00:00:00Z');
const DAY_MS = 86_400_000;
/** Simulated instant: day `d` of the story at `hour` UTC. */
const at = (day: number, hour = 0) => new Date(DAY0 + day * DAY_MS + hour * 3_600_000);
/** The controller's schedule in the story: once a day, 06:00 UTC (SAMPLE_OPERATIONS_CONFIG says so to the heartbeat check). */
const CONTROLLER_HOUR = 6;
/** The daily operations jobs' default schedules: risk assessment 07:30, daily report 08:00, weekly summary Monday 09:00. */
const RISK_HOUR = 7.5;
const REPORT_HOUR = 8;
const WEEKLY_HOUR = 9;
const MONDAY = 1;
const DECISION_HOUR = 10;
/** The re-approval jobs' default schedules: initialize 05:00, start 06:00 (before the controller's run of the same minute). */
const INITIALIZE_HOUR = 5;
const START_HOUR = 6;
/** The scheduled re-approval's domain date: day 45. */
const SCHEDULED_REAPPROVAL_DAY = 45;
const LAST_DAY = 75;
/**
 * The daily operations jobs run every day for fifteen days (they are "deployed" on the first), while
 * the USER campaign's second run starts, is decided and reminded, up to the day before it finishes,
 * so that the reports have work to show; two Mondays give two weekly summaries, the last of a full
 * week. Not all 76 days: one risk assessment of the sample organisation reads and updates all 248
 * users (about half a second here), and 76 of them would triple the demo's time.
 */
const OPERATIONS_FIRST_DAY = 29;
const OPERATIONS_LAST_DAY = 43;

const USER_CAMPAIGN: CampaignDefinition = {
  name: 'High-risk users',
  description: 'Managers certify the manual access of every user at HIGH risk or above.',
  kind: 'USER',
  ownerId: 'u-0001',
  startDate: at(0).toISOString(),
  approvalPeriodDays: 14,
  subjects: { filter: '(riskLevel>=HIGH)' },
  reminders: { daysBeforeDue: 3, intervalHours: 24 },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
  // The revocation cap (the default, said here): a run that would remove more than 20 % of its items
  // waits for its owner's confirm-apply (docs/reference/guards.md). The first run removes about 30 %,
  // so it waits a day; the second (all approved) does not.
  guard: { maxRemovalShare: 0.2 },
  recurrence: { intervalDays: 30 },
};

const PRIVILEGE_CAMPAIGN: CampaignDefinition = {
  name: 'High-risk privileges',
  description: 'Owners certify who holds the HIGH and CRITICAL privileges.',
  kind: 'PRIVILEGE',
  ownerId: 'u-0001',
  startDate: at(0).toISOString(),
  approvalPeriodDays: 10,
  statusExpirationDate: at(20).toISOString(),
  subjects: { filter: '(riskLevel>=HIGH)' },
  reminders: { daysBeforeDue: 2, intervalHours: 24 },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
};

/**
 * A definition with a mistake the start validation catches (status expiration before the due date):
 * FAILED.PREPARED and a Prepare Error to the owner, who fixes the due date and sets it back to PREPARING.
 */
const MISCONFIGURED_CAMPAIGN: CampaignDefinition = {
  name: 'FinanceAdmin holders',
  kind: 'PRIVILEGE',
  ownerId: 'u-0001',
  startDate: at(0).toISOString(),
  approvalPeriodDays: 10,
  statusExpirationDate: at(6).toISOString(),
  subjects: { filter: '(name=FinanceAdmin)' },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
};

interface Tally {
  decisions: Record<DecisionOutcome, number>;
  ignoredEntries: number;
  partialEntries: number;
  refused: string[];
}

interface TimelineEvent {
  day: number;
  campaignId: string;
  from: string;
  to: string;
  by?: string;
}

/** Marks a folder as the demo's own, so that a later start may empty it. */
const DEMO_MARKER = '.idgov-demo-state';

/**
 * The demo starts from nothing: its folder is emptied, but only if it is the default one or one a
 * demo made. `IDGOV_DEMO_HOME=~` must not wipe a home directory.
 */
async function emptyDemoHome(chosen: string | undefined): Promise<string> {
  const home = resolveHome(chosen || '.idgov-demo');
  const existing = await readdir(home).catch(() => [] as string[]);
  if (chosen && existing.length > 0 && !existing.includes(DEMO_MARKER)) {
    throw new ValidationError(`${home} is not empty and was not made by the demo; name an empty or new folder`, 'IDGOV_DEMO_HOME');
  }
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  await writeFile(join(home, DEMO_MARKER), 'idgov demo state; `npm start` empties this folder\n');
  return home;
}

async function main(): Promise<void> {
  const keepOpen = process.argv.includes('--keep-open');
  const started = performance.now();
  const timings: [string, number][] = [];
  const lap = (label: string, since: number) => timings.push([label, performance.now() - since]);

  // The handler logs as a Lambda would; the demo's failures are on purpose, its output is the summary.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const home = await emptyDemoHome(process.env.IDGOV_DEMO_HOME);

  let t = performance.now();
  const runtime = await openRuntime({ home });
  const emulator = await startSesEmulator();
  // The topic and metrics files record the simulated time, as the mailbox does; so does the portal's server.
  let simulated = at(0);
  // Listening from the start, so that the mails' links name the port it really has.
  const portal = keepOpen ? await startPortalServer(runtime, { now: () => simulated }) : undefined;
  if (portal) process.env[ENV.approverPortalUrl] ??= portal.url;
  applyJobEnvironment(runtime, emulator.endpoint);
  const files = localOperationsFiles(runtime, { now: () => simulated });
  const handler = await loadJobHandler(runtime, 'campaign-controller');
  const riskAssessment = await loadJobHandler(runtime, 'risk-assessment');
  // Deployed as the story starts: a job whose first run is still to come is not "never run".
  const dailyOperations = await loadJobHandler(runtime, 'daily-operations', { files, deployedAt: at(OPERATIONS_FIRST_DAY) });
  const weeklySummary = await loadJobHandler(runtime, 'weekly-summary', { files });
  const initializeReapproval = await loadJobHandler(runtime, 'initialize-reapproval');
  const startReapproval = await loadJobHandler(runtime, 'start-reapproval');
  const reapproval = new ReapprovalStory(runtime, at(SCHEDULED_REAPPROVAL_DAY));
  const capture = new MailCapture(emulator, runtime.mailboxPath);
  lap('engine, SES emulator, tables', t);

  try {
    t = performance.now();
    const org = generateSampleOrganization();
    checkReferences(org);
    const admin = { campaigns: runtime.campaigns, audit: runtime.auditLog, directory: runtime.directory, operations: runtime.operations };
    await loadDirectory(admin, org, 'demo-admin', at(-1), 'sample organisation');
    const manualBefore = org.assignments.filter((a) => a.origin === 'MANUAL').length;
    await saveOperationsConfig(admin, SAMPLE_OPERATIONS_CONFIG, 'demo-admin', at(-1));
    await reapproval.setUp(at(-1));
    lap('sample organisation and operations configuration loaded', t);
    log(
      `loaded ${org.users.length} users, ${org.privileges.length} privileges, ${org.assignments.length} assignments ` +
        `(${countsText(count(org.assignments.map((a) => a.origin)))})`,
    );

    t = performance.now();
    const userCampaign = await createCampaign(admin, USER_CAMPAIGN, at(-1), undefined, 'demo-admin');
    const privilegeCampaign = await createCampaign(admin, PRIVILEGE_CAMPAIGN, at(-1), undefined, 'demo-admin');
    const misconfigured = await createCampaign(admin, MISCONFIGURED_CAMPAIGN, at(-1), undefined, 'demo-admin');
    for (const c of [userCampaign, privilegeCampaign, misconfigured]) log(`created ${c.id} ${c.kind} "${c.name}", starting ${c.startDate}`);

    const tally: Tally = { decisions: { APPROVE: 0, REJECT: 0, MODIFY: 0 }, ignoredEntries: 0, partialEntries: 0, refused: [] };
    const timeline: TimelineEvent[] = [];
    let controllerRuns = 0;
    let mails = 0;
    const operations = { runs: 0, reportMails: 0, lastDaily: '', lastWeekly: '', ms: 0 };
    // Read after every run: an expired run's cleanup removes its notifications with its entries.
    const recorded = new Map<string, Notification>();

    let reapprovalMs = 0;
    for (let day = 0; day <= LAST_DAY; day++) {
      const reapprovalStarted = performance.now();
      await initializeReapproval(scheduledEvent((simulated = at(day, INITIALIZE_HOUR)), 'initialize-reapproval'));
      await reapproval.expectStarts((simulated = at(day, START_HOUR)));
      await startReapproval(scheduledEvent(simulated, 'start-reapproval'));
      mails += await capture.flush({ now: simulated });
      reapprovalMs += performance.now() - reapprovalStarted;
      const now = (simulated = at(day, CONTROLLER_HOUR));
      const report: ControllerReport = await handler(scheduledEvent(now));
      controllerRuns++;
      mails += await capture.flush({ now });
      if (day >= OPERATIONS_FIRST_DAY && day <= OPERATIONS_LAST_DAY) {
        const jobsStarted = performance.now();
        await riskAssessment(scheduledEvent((simulated = at(day, RISK_HOUR)), 'risk-assessment'));
        const daily = await dailyOperations(scheduledEvent((simulated = at(day, REPORT_HOUR)), 'daily-operations'));
        operations.lastDaily = daily.report.date;
        operations.runs += 2;
        if (at(day).getUTCDay() === MONDAY) {
          const weekly = await weeklySummary(scheduledEvent((simulated = at(day, WEEKLY_HOUR)), 'weekly-summary'));
          operations.lastWeekly = weekly.summary.date;
          operations.runs++;
        }
        operations.reportMails += await capture.flush({ now: simulated });
        operations.ms += performance.now() - jobsStarted;
      }
      for (const n of await readOutbox(runtime)) recorded.set(`${n.campaignId}|${n.key}`, n);
      for (const tr of report.transitions) timeline.push({ day, ...tr });
      if (report.errors.length > 0) throw new Error(`controller errors on day ${day}: ${JSON.stringify(report.errors)}`);

      // The story's people act between controller runs.
      const decideAt = at(day, DECISION_HOUR);
      await reapproval.decide(decideAt);
      if (day >= 1 && day <= 4) await decideUserCampaign(runtime, userCampaign.id, day, decideAt, tally);
      if (day >= 2 && day <= 4) await decidePrivilegeCampaign(runtime, privilegeCampaign.id, day, decideAt, tally);
      if (day === 1) {
        // The owner reads the Prepare Error, moves the due date before the status expiration, retries.
        await changeCampaign(admin, misconfigured.id, { dueDate: at(5).toISOString() }, decideAt, 'demo-admin');
        await changeCampaign(admin, misconfigured.id, { state: 'PREPARING' }, decideAt, 'demo-admin');
        timeline.push({ day, campaignId: misconfigured.id, from: 'FAILED.PREPARED', to: 'PREPARING', by: 'admin: due date fixed' });
      }
      // The owner reads the Apply Confirmation of a run over its revocation cap and confirms it; the next controller run applies it.
      for (const c of [userCampaign, privilegeCampaign, misconfigured]) {
        const current = await getCampaignOrThrow(runtime.campaigns, c.id);
        if (current.state !== 'RUNNING' || current.phase.name !== 'AWAIT_CONFIRMATION') continue;
        await confirmApply(admin, c.id, current.ownerId, decideAt);
        timeline.push({ day, campaignId: c.id, from: 'RUNNING', to: 'RUNNING', by: `owner: applying confirmed (${current.phase.counts.remove} of ${current.phase.counts.items} items removed)` });
      }
      if (day === 31) {
        // The administrator stops the recurrence; the approvers clear the second run at once.
        await changeCampaign(admin, userCampaign.id, { recurrenceDays: null }, decideAt, 'demo-admin');
        timeline.push({ day, campaignId: userCampaign.id, from: 'RUNNING', to: 'RUNNING', by: 'admin: recurrence cleared' });
        await approveEverything(runtime, userCampaign.id, decideAt, tally);
      }
    }
    lap(`lifecycle: ${controllerRuns} daily controller runs over ${LAST_DAY + 1} simulated days, with decisions`, t + operations.ms + reapprovalMs);
    timings.push([`re-approval: ${2 * (LAST_DAY + 1)} job runs (initialize, start)`, reapprovalMs]);
    timings.push([`daily operations: ${operations.runs} job runs (risk assessment, daily report, weekly summary)`, operations.ms]);

    t = performance.now();
    const campaigns = await listAllCampaigns(runtime.campaigns);
    for (const n of await reapproval.notices()) recorded.set(`${n.campaignId}|${n.key}`, n);
    const outbox = [...recorded.values()];
    const cleanedUp = outbox.length - (await readOutbox(runtime)).length;
    let manualAfter = 0;
    for (const user of org.users) {
      manualAfter += (await runtime.directory.listAssignmentsOfUser(user.id)).filter((a) => a.origin === 'MANUAL').length;
    }
    lap('summary read back', t);

    t = performance.now();
    const reports = await writeDemoReports(runtime, at(LAST_DAY, CONTROLLER_HOUR));
    lap(`reports and evidence packs of ${reports.length} campaign runs written and verified`, t);

    printSummary({ campaigns, outbox, cleanedUp, tally, timeline, manualBefore, manualAfter, mails, runtime });
    await printReapproval(reapproval);
    await printOperations(runtime, operations);
    printReports(reports, home);
    log('');
    log('timings:');
    for (const [label, ms] of timings) log(`  ${(ms / 1000).toFixed(2).padStart(6)} s  ${label}`);
    log(`  ${((performance.now() - started) / 1000).toFixed(2).padStart(6)} s  total`);
    log('');
    const shown = relative(process.cwd(), home);
    log(`inspect the final state: IDGOV_HOME=${!shown ? '.' : shown.startsWith('..') || isAbsolute(shown) ? home : shown} npx idgov campaign list`);

    if (portal) {
      const tourAt = (simulated = at(LAST_DAY, DECISION_HOUR + 2));
      const tour = await startPortalTour(runtime, { ownerId: USER_CAMPAIGN.ownerId, now: tourAt, runController: (now) => handler(scheduledEvent(now)) });
      await capture.flush({ now: tourAt });
      log('');
      log(`"${portalTourCampaign(tour.ownerId, tourAt).name}" (${tour.campaignId}) started on the last day, so that the portal has open tasks.`);
      log(`Approver portal: ${portal.url}/?as=${tour.approver.id}  (${tour.approver.displayName}, ${tour.approver.tasks} open tasks)`);
      log(`  the campaign owner: ${portal.url}/campaigns?as=${tour.ownerId}   anyone: ${portal.url}/local/sign-in`);
      log(`Mail: ${emulator.url}  (its links open the portal)`);
      log(`meanwhile, other idgov commands: IDGOV_HOME=${home} npx idgov --endpoint ${runtime.dynamoEndpoint} …`);
      log('Ctrl-C to stop');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await portal?.close();
    await runtime.close();
  }
  await emulator.stop();
}

/** The approver's view of one campaign's current run: every entry with its items. */
async function entriesOf(runtime: Runtime, campaignId: string): Promise<{ entry: Entry; items: Item[] }[]> {
  const campaign = await getCampaignOrThrow(runtime.campaigns, campaignId);
  const all: { entry: Entry; items: Item[] }[] = [];
  for await (const page of runtime.campaigns.listEntries(campaign.runId)) {
    for (const entry of page) {
      const loaded = await runtime.campaigns.getEntryWithItems(entry.id);
      if (loaded) all.push(loaded);
    }
  }
  return all.sort((a, b) => a.entry.subjectId.localeCompare(b.entry.subjectId));
}

/**
 * USER campaign, run 1: each approver works on day 1 + (entry index mod 4). One entry in seven is
 * ignored (it expires, uncertified), one in seven is half done (saved, never finished); the rest are
 * decided in full: mostly approved, some rejected, some modified (end date or role parameter).
 */
async function decideUserCampaign(runtime: Runtime, campaignId: string, day: number, now: Date, tally: Tally) {
  const entries = await entriesOf(runtime, campaignId);
  let k = 0;
  for (const [i, { entry, items }] of entries.entries()) {
    if (entry.state !== 'RUNNING' || entry.approverIds.length === 0 || 1 + (i % 4) !== day) {
      k += items.length;
      continue;
    }
    if (i % 7 === 6) {
      tally.ignoredEntries++;
      continue;
    }
    const toDecide = i % 7 === 5 && items.length > 1 ? items.slice(0, -1) : items;
    if (toDecide.length < items.length) tally.partialEntries++;
    const decisions = toDecide.map((item) => scriptedDecision(item, k++, now, { reject: 9, rejectAt: 4, modify: 9, modifyAt: 7 }));
    k += items.length - toDecide.length;
    await submit(runtime, entry, decisions, now, tally);
    // One refusal for the record: someone who is not the approver tries to decide.
    if (tally.refused.length === 0) await tryAsStranger(runtime, entry, items[0], now, tally);
  }
}

/** PRIVILEGE campaign: owners decide on days 2-4; one entry in five is left to expire (kept). */
async function decidePrivilegeCampaign(runtime: Runtime, campaignId: string, day: number, now: Date, tally: Tally) {
  const entries = await entriesOf(runtime, campaignId);
  let k = 0;
  for (const [i, { entry, items }] of entries.entries()) {
    if (entry.state !== 'RUNNING' || entry.approverIds.length === 0 || 2 + (i % 3) !== day) {
      k += items.length;
      continue;
    }
    if (i % 5 === 4) {
      tally.ignoredEntries++;
      continue;
    }
    const decisions = items.map((item) => scriptedDecision(item, k++, now, { reject: 8, rejectAt: 3, modify: 10, modifyAt: 6 }));
    await submit(runtime, entry, decisions, now, tally);
  }
}

async function approveEverything(runtime: Runtime, campaignId: string, now: Date, tally: Tally) {
  for (const { entry, items } of await entriesOf(runtime, campaignId)) {
    if (entry.state !== 'RUNNING' || entry.approverIds.length === 0 || items.length === 0) continue;
    await submit(runtime, entry, items.map((item) => ({ itemId: item.id, outcome: 'APPROVE' as const })), now, tally);
  }
}

function scriptedDecision(item: Item, k: number, now: Date, every: { reject: number; rejectAt: number; modify: number; modifyAt: number }) {
  if (k % every.reject === every.rejectAt) return { itemId: item.id, outcome: 'REJECT' as const, comment: 'no longer needed for the role' };
  if (k % every.modify === every.modifyAt) {
    const [key] = Object.keys(item.parameters ?? {});
    if (key) return { itemId: item.id, outcome: 'MODIFY' as const, parameters: { [key]: 'atlas' }, comment: `narrowed ${key}` };
    if (item.endDate) return { itemId: item.id, outcome: 'MODIFY' as const, endDate: null, comment: 'permanent need' };
    return { itemId: item.id, outcome: 'MODIFY' as const, endDate: new Date(now.getTime() + 90 * DAY_MS).toISOString(), comment: 'temporary need' };
  }
  return { itemId: item.id, outcome: 'APPROVE' as const };
}

async function submit(runtime: Runtime, entry: Entry, decisions: { itemId: string; outcome: DecisionOutcome }[], now: Date, tally: Tally) {
  if (decisions.length === 0) return;
  await decide({ campaigns: runtime.campaigns, audit: runtime.auditLog }, { entryId: entry.id, actorId: entry.approverIds[0], decisions }, now);
  for (const d of decisions) tally.decisions[d.outcome]++;
}

async function tryAsStranger(runtime: Runtime, entry: Entry, item: Item | undefined, now: Date, tally: Tally) {
  if (!item) return;
  const stranger = entry.subjectId === 'u-0002' ? 'u-0003' : 'u-0002';
  if (entry.approverIds.includes(stranger)) return;
  try {
    await decide({ campaigns: runtime.campaigns, audit: runtime.auditLog }, { entryId: entry.id, actorId: stranger, decisions: [{ itemId: item.id, outcome: 'REJECT' }] }, now);
    throw new Error(`a decision by ${stranger}, not an approver of ${entry.id}, was accepted`);
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    tally.refused.push(error.message);
  }
}

interface SummaryInput {
  campaigns: Campaign[];
  outbox: Notification[];
  /** Of those, how many the cleanup of expired runs has removed since. */
  cleanedUp: number;
  tally: Tally;
  timeline: TimelineEvent[];
  manualBefore: number;
  manualAfter: number;
  mails: number;
  runtime: Runtime;
}

function printSummary(s: SummaryInput): void {
  log('');
  log('== Campaign runs ==');
  const runs = newTable(['campaign', 'kind', 'run', 'state', 'entries', 'items', 'entries by state', 'approved', 'rejected', 'modified', 'uncertified', 'revoked', 'handed over']);
  for (const c of s.campaigns) {
    const st = c.stats;
    runs.push([
      `${c.id}${c.archived ? ' (archive)' : ''}\n${c.name}`,
      c.kind,
      c.run,
      c.state,
      st?.entries ?? '-',
      st?.items ?? '-',
      st ? countsText(st.entriesByState as Record<string, number>, '\n') : '-',
      st?.approved ?? '-',
      st?.rejected ?? '-',
      st?.modified ?? '-',
      st?.uncertified ?? '-',
      st?.revoked ?? '-',
      st?.handedOver ?? '-',
    ].map(String));
  }
  log(runs.toString());

  log('');
  log('== Scripted decisions ==');
  log(
    `${s.tally.decisions.APPROVE} approved, ${s.tally.decisions.REJECT} rejected, ${s.tally.decisions.MODIFY} modified; ` +
      `${s.tally.ignoredEntries} entries ignored (expire), ${s.tally.partialEntries} left half done; ` +
      `${s.tally.refused.length} decision by a non-approver refused${s.tally.refused[0] ? ` ("${s.tally.refused[0]}")` : ''}`,
  );
  log(`revocations: manual assignments ${s.manualBefore} -> ${s.manualAfter} (${s.manualBefore - s.manualAfter} removed)`);

  log('');
  log('== Notifications (outbox) ==');
  const byKind = new Map<string, Record<string, number>>();
  for (const n of s.outbox) {
    const row = byKind.get(n.kind) ?? {};
    row[n.status] = (row[n.status] ?? 0) + 1;
    byKind.set(n.kind, row);
  }
  const notes = newTable(['kind', 'count', 'by status']);
  for (const [kind, statuses] of [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    notes.push([kind, String(Object.values(statuses).reduce((a, b) => a + b, 0)), countsText(statuses)]);
  }
  log(notes.toString());
  log(`${s.outbox.length} notifications recorded (${s.cleanedUp} since removed with their expired runs); ${s.mails} mails captured by the SES emulator`);

  log('');
  log('== Campaign states over simulated time (day 0 = 2026-07-01) ==');
  const times = newTable(['day', 'date', 'campaign', 'transition', 'by']);
  for (const e of s.timeline) {
    times.push([String(e.day), at(e.day).toISOString().slice(0, 10), e.campaignId, e.from === e.to ? e.from : `${e.from} -> ${e.to}`, e.by ?? 'controller']);
  }
  log(times.toString());

  log('');
  log(`mail: ${s.runtime.mailboxPath} (one JSON object per line: to, subject, text)`);
  log(`      or \`npm start -- --keep-open\` to read it in the SES emulator's web page and open the approver portal`);
}

/** What the re-approval rounds did: runs by privilege, mode and outcome, and the access they removed. */
async function printReapproval(story: ReapprovalStory): Promise<void> {
  const { rows, escalated, removed, kept } = describeRuns(await story.runs());
  log('');
  log(`== Re-approval of critical privileges (scheduled date ${story.scheduledDate}, day ${SCHEDULED_REAPPROVAL_DAY}) ==`);
  const table = newTable(['privilege', 'mode', 'outcome', 'runs']);
  for (const row of rows) table.push(row);
  log(table.toString());
  log(
    `${rows.reduce((sum, r) => sum + Number(r[3]), 0)} re-approval runs: ${kept} kept, ${removed} removed, ${escalated} escalated after a silent step; ` +
      `approvers approved ${story.tally.approved}, rejected ${story.tally.rejected}, left ${story.tally.ignored} steps unanswered`,
  );
}

/** The last daily report and weekly summary, as their mails' text says them, and where the rest went. */
async function printOperations(runtime: Runtime, o: { runs: number; reportMails: number; lastDaily: string; lastWeekly: string }): Promise<void> {
  const daily = await runtime.operations.getReport('daily', o.lastDaily);
  const weekly = o.lastWeekly ? await runtime.operations.getReport('weekly', o.lastWeekly) : undefined;
  if (!daily || !weekly) throw new Error(`the demo's last reports are not stored (daily ${o.lastDaily}, weekly ${o.lastWeekly || 'none'})`);
  log('');
  log(`== Daily operations report of ${daily.report.date} (the last of the operations period, day ${OPERATIONS_LAST_DAY}) ==`);
  log(renderDailyReport(daily.report).text.trimEnd());
  log('');
  log(`== Weekly summary of ${weekly.report.date} (its last Monday) ==`);
  log(renderWeeklySummary(weekly.report).text.trimEnd());
  log('');
  log(
    `${o.runs} daily operations job runs; ${o.reportMails} report mails captured; every report is stored ` +
      `(npx idgov report daily --date ${o.lastDaily}, report weekly --date ${o.lastWeekly}, with the IDGOV_HOME below); ` +
      `the operations topic's messages are in ${runtime.topicPath}`,
  );
}

const newTable = (head: string[]) => new Table({ head, style: { head: [], border: [], compact: true } });

const count = (values: string[]) => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
};

const countsText = (counts: Record<string, number>, separator = ', ') =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(separator) || '-';

/** Each run's report and evidence pack, where they are, and how to check them. */
function printReports(reports: DemoReport[], home: string): void {
  log('');
  log('== Campaign reports and evidence ==');
  const table = new Table({
    head: ['campaign', 'state', 'items', 'approved', 'rejected', 'modified', 'expired', 'revoked', 'rubber stamps', 'audit chain', 'evidence'],
    style: { head: [], border: [] },
  });
  for (const { report, chain, evidenceVerified, archivedAt } of reports) {
    const t = report.totals;
    table.push([
      `${report.campaign.id} ${report.campaign.name}`,
      report.campaign.state,
      t.items,
      t.approved,
      t.rejected,
      t.modified,
      t.expired,
      t.revoked,
      report.reviewers.filter((r) => r.rubberStamp).length,
      chain.ok ? `${chain.records} records, verified` : `BROKEN: ${chain.problem}`,
      `${evidenceVerified ? 'verified' : 'DOES NOT VERIFY'}${archivedAt ? ', archived' : ''}`,
    ]);
  }
  log(table.toString());
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return !rel ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
  log(`reports: ${shown(join(home, 'reports'))}/<campaign>/report.html (open it in a browser; also report.csv, report.json)`);
  log(`evidence packs: ${shown(join(home, 'reports'))}/<campaign>/evidence/; check one offline:`);
  log(`  IDGOV_HOME=${shown(home)} npx idgov evidence verify ${shown(reports[0]?.dir ?? join(home, 'reports'))}/evidence`);
  const archived = reports.filter((r) => r.archivedAt);
  for (const r of archived) log(`archived before cleanup: ${r.report.campaign.id} at ${r.archivedAt}`);
}

const log = (line: string) => console.log(line);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof ValidationError) {
      process.stderr.write(`demo refused: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
