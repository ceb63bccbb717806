// The campaign controller (docs/reference/campaigns.md, "Lifecycle"): one run advances every due campaign as far as
// `now` allows, then sends what the outbox holds. At most one run works at a time (a lease with
// expiry); every step is idempotent, so a run killed anywhere is completed by the next. Long phases
// work in chunks within the run's time budget; a run that runs out says so (`continue`) and its
// continuation resumes from the cursors saved on the campaigns (docs/reference/scale.md).
import { randomUUID } from 'node:crypto';
import {
  beginPreparation,
  failPreparation,
  isDueToRecur,
  isExpired,
  markDeleted,
  markEvidenceArchived,
  markRunning,
  nextRunWithArchive,
  withPhase,
} from '../domain/campaign-lifecycle.js';
import { awaitsChangeRetry } from '../domain/campaign-schedule.js';
import { validateForStart } from '../domain/campaign-start.js';
import { ConflictError } from '../domain/errors.js';
import type { Campaign, CampaignState } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { announceStageOne, awaitsRelisting } from './announce-stage.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { dispatchNotifications, type DispatchResult } from './dispatch-notifications.js';
import { applyDecisions, closeCampaign, retryFailedChanges } from './finish-campaign.js';
import { guardCampaign } from './apply-guard.js';
import { reportingSaves } from './controller-progress.js';
import type {
  ApprovalStore,
  AuditLog,
  CampaignStore,
  Clock,
  DirectoryStore,
  EvidenceArchiver,
  HookInvoker,
  Lease,
  LeaseHolder,
  Log,
  Mailer,
  Outbox,
  ProgressSink,
  ReapprovalDirectory,
  TimeBudget,
} from './ports.js';
import { UNLIMITED_BUDGET } from './ports.js';
import { HookError } from './call-hook.js';
import type { CampaignLog } from '../domain/model.js';
import { cleanUpRun, type CleanupMode } from './evidence/delete-archived-run.js';
import { prepareCampaign, type PrepareChunk } from './prepare-campaign.js';
import { runEntries } from './run-entries.js';
import { startNextRun } from './start-next-run.js';
import { recheckStillPresent, verifyRevocations } from './verify-revocations.js';
import { campaignRecord, auditKey, campaignStateChanged, CONTROLLER_ACTOR, notificationsQueued } from '../domain/audit/events.js';
import type { AuditEvent } from '../domain/audit/model.js';
import { oneAppendAtATime, recordThenChange } from './audit-trail.js';

export interface ControllerDeps {
  /** Its re-approval side serves the finish's `WORKFLOW` hand-overs (assignment, workflow, reminder settings). */
  directory: DirectoryStore & ReapprovalDirectory;
  campaigns: CampaignStore;
  /** Approval runs: started by `WORKFLOW` hand-overs at the finish, and read by the dispatch to check their notices. */
  approvals: ApprovalStore;
  outbox: Outbox;
  /** Every step's record (docs/reference/audit-log-events.md), written before the step saves its change. */
  audit: AuditLog;
  mailer: Mailer;
  /** Business time: every lifecycle decision uses it, so a 90-day campaign simulates in seconds. */
  clock: Clock;
  /** Real time, for the lease and send claims only. */
  wallClock: Clock;
  log: Log;
  settings: ControllerSettings;
  /**
   * Archives a run's evidence pack before its cleanup deletes its records: in process locally, the
   * archive-evidence function on AWS (so the controller carries no report renderer, S3 or KMS client).
   */
  evidence: EvidenceArchiver;
  /** Calls campaign hooks; without it a campaign with hooks fails preparation, saying why. */
  hooks?: HookInvoker;
  hookTimeoutMs?: number;
  /** Who this run is, recorded in the lease: the local process, or the Lambda invocation. */
  leaseHolder?: LeaseHolder;
  /**
   * Whether the run that holds the lease is known to be gone (locally: its process on this machine
   * has ended), so that this run takes the lease over at once. Without it only the expiry frees it.
   */
  isLeaseHolderGone?: (holder: LeaseHolder) => boolean | Promise<boolean>;
  /**
   * How long this run may keep starting steps and chunks (checked between them, never before the
   * run's first): on Lambda the invocation's remaining time less a margin. Default unlimited.
   */
  budget?: TimeBudget;
  /** Chunk sizes (defaults: PREPARE_CHUNK, FINISH_CHUNK); tests and benchmarks make them small. */
  chunks?: ControllerChunks;
  /** Told where long phases stand at each chunk's save (the local CLI's progress line; controller-progress.ts). */
  progress?: ProgressSink;
  /** How the run pauses when it must wait for an index to catch up (announce-stage.ts); default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ControllerChunks {
  prepare?: Partial<PrepareChunk>;
  /** Entries applied, users told, records cleaned up per chunk. */
  entries?: number;
}

export interface ControllerSettings {
  portalUrl: string;
  leaseSeconds: number;
  /** Identifies this run in the lease and in send claims. */
  runnerId?: string;
  /** Take the lease whoever holds it (the operator knows that run is gone). */
  takeOverLease?: boolean;
  /**
   * How a DELETED run's records go (docs/reference/scale.md): DELETE removes them; TTL stamps the
   * table's TTL attribute for DynamoDB to remove them. Default DELETE (engines without TTL).
   */
  cleanup?: CleanupMode;
}

export interface CampaignTransition {
  campaignId: string;
  from: CampaignState;
  to: CampaignState;
}

export interface ControllerReport {
  status: 'COMPLETED' | 'SKIPPED';
  reason?: string;
  now: string;
  /** This run took the lease from a run that is gone (or, forced, from whoever held it). */
  leaseTakenOver?: LeaseTakeOver;
  transitions: CampaignTransition[];
  errors: { campaignId: string; message: string }[];
  dispatch?: DispatchResult;
  /**
   * The time budget ran out with work left: campaigns left inside a phase (`unfinished`), or due
   * campaigns not reached. A continuation at the same `now` carries on from their saved cursors.
   */
  continue?: boolean;
  unfinished?: { campaignId: string; state: CampaignState; phase: string }[];
  /**
   * Why the notifications were not sent this time: a campaign still preparing holds Approval Starts
   * for entries nobody can decide until it runs; the run that completes it sends them.
   */
  dispatchHeld?: string;
}

export interface LeaseTakeOver {
  /** The run it was taken from: its holder (absent if not recorded) and since when it held it. */
  holder?: LeaseHolder;
  acquiredAt?: string;
  expiresAt: string;
  /** FORCED: settings.takeOverLease, the holder not known to be gone. */
  reason: 'HOLDER_GONE' | 'FORCED';
  /** Its send claims, released at once rather than when they expire. */
  releasedSendClaims: number;
}

export const CONTROLLER_LEASE = 'campaign-controller';
/** Lifecycle steps one campaign may take in one run (e.g. SUCCEEDED -> PREPARING -> RUNNING). */
const MAX_STEPS_PER_CAMPAIGN = 12;

export async function runCampaignController(given: ControllerDeps): Promise<ControllerReport> {
  // Entries move eight at a time and sends go four at a time: their records are appended one by one.
  const deps = { ...given, audit: oneAppendAtATime(given.audit), ...(given.progress ? { campaigns: reportingSaves(given.campaigns, given.progress) } : {}) };
  const now = deps.clock.now();
  const runner = deps.settings.runnerId ?? randomUUID();
  const report: ControllerReport = { status: 'COMPLETED', now: now.toISOString(), transitions: [], errors: [] };
  const lease = await takeLease(deps, runner);
  if (!lease.taken) {
    deps.log.warn('another controller run holds the lease; this run does nothing', { reason: lease.reason });
    return { ...report, status: 'SKIPPED', reason: lease.reason };
  }
  if (lease.takenOver) report.leaseTakenOver = lease.takenOver;
  try {
    const failures: unknown[] = [];
    let safeToDispatch = true;
    const due = await dueCampaigns(deps.campaigns, now);
    const pace: Pace = { budget: deps.budget ?? UNLIMITED_BUDGET, stepped: false };
    for (const [i, campaign] of due.entries()) {
      if (pace.stepped && !pace.budget.hasTimeLeft()) {
        // The due campaigns not reached wait for the continuation; one still preparing holds its notices.
        report.continue = true;
        if (due.slice(i).some(holdsUnannouncedNotices)) safeToDispatch = false;
        break;
      }
      const progress = { preparing: false };
      try {
        await advance(deps, campaign, now, report, progress, pace);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        report.errors.push({ campaignId: campaign.id, message });
        if (error instanceof ConflictError) {
          deps.log.warn('campaign changed during the run; the next run continues', { campaignId: campaign.id, error: message });
          continue;
        }
        deps.log.error('campaign step failed', { campaignId: campaign.id, error: message });
        failures.push(error);
        // A preparation that stopped half-way holds Approval Starts for entries nobody can decide
        // until the campaign runs: they wait for the run that completes it.
        if (progress.preparing) safeToDispatch = false;
      }
    }
    // Removals found still present at a finish, read back again once a day until they are gone.
    try {
      await recheckStillPresent({ ...deps, budget: pace.budget }, now);
    } catch (error) {
      deps.log.error('re-checking removals still present failed', { error: error instanceof Error ? error.message : String(error) });
      failures.push(error);
    }
    if (report.unfinished?.some((u) => u.state === 'PREPARING')) safeToDispatch = false;
    if (safeToDispatch) report.dispatch = await dispatchNotifications({ ...deps, actor: CONTROLLER_ACTOR }, runner, now);
    else report.dispatchHeld = 'a campaign is still preparing: its Approval Starts wait until it runs';
    deps.log.info('controller run completed', { ...report });
    // Fail the invocation so that the schedule's retry and dead-letter queue see it.
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} campaigns failed; see the log`);
    return report;
  } finally {
    await deps.campaigns.releaseLease(CONTROLLER_LEASE, runner);
  }
}

type LeaseOutcome = { taken: true; takenOver?: LeaseTakeOver } | { taken: false; reason: string };

/**
 * The lease if free or expired; else, from a holder known to be gone (or by force), taken over with
 * a write conditional on it still being that run's, so that of two runs taking over one wins.
 */
async function takeLease(deps: ControllerDeps, runner: string): Promise<LeaseOutcome> {
  const { campaigns, settings, leaseHolder } = deps;
  const at = deps.wallClock.now();
  if (await campaigns.acquireLease(CONTROLLER_LEASE, runner, at, settings.leaseSeconds, leaseHolder)) return { taken: true };
  const held = await campaigns.getLease(CONTROLLER_LEASE);
  // Released between the two calls: one more try, as any run would.
  if (!held) {
    const taken = await campaigns.acquireLease(CONTROLLER_LEASE, runner, at, settings.leaseSeconds, leaseHolder);
    return taken ? { taken } : { taken, reason: 'another controller run holds the lease' };
  }
  const gone = held.holder !== undefined && deps.isLeaseHolderGone !== undefined && (await deps.isLeaseHolderGone(held.holder));
  if (!gone && !settings.takeOverLease) return { taken: false, reason: `another controller run holds the lease: ${describeLease(held)}` };
  if (!(await campaigns.takeOverLease(CONTROLLER_LEASE, held.owner, runner, at, settings.leaseSeconds, leaseHolder))) {
    return { taken: false, reason: `another controller run took over the lease of ${describeLease(held)} first` };
  }
  // Its sends cannot finish any more: their claims need not wait for their expiry either.
  const releasedSendClaims = await deps.outbox.releaseClaims(held.owner);
  const takenOver: LeaseTakeOver = {
    ...(held.holder ? { holder: held.holder } : {}),
    ...(held.acquiredAt ? { acquiredAt: held.acquiredAt } : {}),
    expiresAt: held.expiresAt,
    reason: gone ? 'HOLDER_GONE' : 'FORCED',
    releasedSendClaims,
  };
  deps.log.warn(gone ? 'took over the lease of a controller run that is gone' : 'took over the lease by force', {
    previous: describeLease(held),
    ...takenOver,
  });
  return { taken: true, takenOver };
}

/** "pid 4242@host-a since <instant>, until <instant>": who holds a lease, for people. */
export function describeLease(lease: Pick<Lease, 'holder' | 'acquiredAt' | 'expiresAt'>): string {
  const since = lease.acquiredAt ? ` since ${lease.acquiredAt}` : '';
  return `${describeHolder(lease.holder)}${since}, until ${lease.expiresAt}`;
}

export function describeHolder(holder: LeaseHolder | undefined): string {
  if (!holder) return 'a run that did not record its holder';
  if (holder.kind === 'local') return `pid ${holder.pid}@${holder.hostname}`;
  const parts = [holder.requestId && `request ${holder.requestId}`, holder.logStream && `log stream ${holder.logStream}`].filter(Boolean);
  return `a Lambda invocation${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Where the run stands with its budget: once it has taken a step, a spent budget ends it. */
interface Pace {
  budget: TimeBudget;
  /** A step has changed a campaign in this run: every run makes progress, however small its budget. */
  stepped: boolean;
}

/** A preparing campaign with entries written (or all written, not yet announced): their Approval Starts are in the outbox. */
const holdsUnannouncedNotices = (c: Campaign) => c.state === 'PREPARING' && c.phase.name !== 'START';

/** Only campaigns with work at `now`: the index holds each one's next action time. */
async function dueCampaigns(campaigns: CampaignStore, now: Date): Promise<Campaign[]> {
  const due: Campaign[] = [];
  const at = now.toISOString();
  for (const state of ['DELETED', 'SUCCEEDED', 'RUNNING', 'PREPARING'] as const) {
    for await (const page of campaigns.listCampaigns(state, at)) due.push(...page);
  }
  return due;
}

async function advance(
  deps: ControllerDeps,
  campaign: Campaign,
  now: Date,
  report: ControllerReport,
  progress: { preparing: boolean },
  pace: Pace,
): Promise<void> {
  let current = campaign;
  // Changes the directory refused at the finish are retried once per run, before the run recurs or expires.
  if (awaitsChangeRetry(current)) current = await retryFailedChanges({ ...deps, portalUrl: deps.settings.portalUrl }, current, now);
  for (let i = 0; i < MAX_STEPS_PER_CAMPAIGN; i++) {
    if (pace.stepped && !pace.budget.hasTimeLeft()) {
      // Left where it stands (inside a phase, with its cursor saved, or between steps): the continuation resumes it.
      report.continue = true;
      (report.unfinished ??= []).push({ campaignId: current.id, state: current.state, phase: current.phase.name });
      return;
    }
    progress.preparing = current.state === 'PREPARING';
    const next = await step({ ...deps, budget: pace.budget }, current, now);
    if (!next) return;
    pace.stepped = true;
    if (next.state !== current.state) report.transitions.push({ campaignId: current.id, from: current.state, to: next.state });
    if (awaitsRelisting(current, next)) {
      // Its listing lagged: the next invocation walks it again, and meanwhile nothing it queued is sent.
      report.continue = true;
      (report.unfinished ??= []).push({ campaignId: next.id, state: next.state, phase: next.phase.name });
      return;
    }
    current = next;
  }
  deps.log.warn('campaign did not settle within one run', { campaignId: campaign.id, state: current.state });
}

/** One lifecycle step of one campaign, persisted; undefined when nothing is due at `now`. */
async function step(deps: ControllerDeps, c: Campaign, now: Date): Promise<Campaign | undefined> {
  const at = now.toISOString();
  const portalUrl = deps.settings.portalUrl;
  switch (c.state) {
    case 'PREPARING': {
      if (at < c.startDate) return undefined;
      if (c.phase.name === 'PREPARE') {
        try {
          return await prepareCampaign({ ...deps, portalUrl, ...(deps.chunks?.prepare ? { chunk: deps.chunks.prepare } : {}) }, c, now);
        } catch (error) {
          // A hook that failed: every hook answers before anything is written, so nothing is half-done.
          if (!(error instanceof HookError)) throw error;
          const logs: CampaignLog[] = [{ at, level: 'ERROR', message: error.message, field: error.field }];
          return failStart(deps, c, logs, now);
        }
      }
      if (c.phase.name === 'ANNOUNCE') {
        // One Approval Start per approver of stage 1, chunk by chunk; Campaign Start once all are queued.
        const announced = await announceStageOne({ ...deps, portalUrl, ...(deps.chunks?.entries ? { chunkSize: deps.chunks.entries } : {}) }, c, now);
        if (!announced.done) return announced.campaign;
        return markAnnounced(deps, announced.campaign, now);
      }
      return start(deps, c, now);
    }
    case 'RUNNING': {
      // Blast-radius guard (docs/reference/guards.md): count what applying would remove before anything is;
      // over the campaign's cap, wait for the owner's `campaign confirm-apply` (which moves it to APPLY).
      if (c.phase.name === 'GUARD') return guardCampaign({ ...deps, portalUrl, chunkSize: deps.chunks?.entries }, c, now);
      if (c.phase.name === 'AWAIT_CONFIRMATION') return undefined;
      if (c.phase.name === 'APPLY') return applyDecisions({ ...deps, portalUrl, chunkSize: deps.chunks?.entries }, c, now);
      if (c.phase.name === 'VERIFY') return verifyRevocations({ ...deps, portalUrl }, c, now);
      if (c.phase.name === 'NOTIFY_REJECTS') return closeCampaign({ ...deps, portalUrl, chunkSize: deps.chunks?.entries }, c, now);
      const result = await runEntries({ ...deps, portalUrl }, c, now);
      if (at < c.dueDate! || result.stillOpen > 0) return undefined;
      return save(deps, withPhase(c, { name: 'GUARD' }, now));
    }
    case 'SUCCEEDED': {
      if (isDueToRecur(c, now)) return startNextRun(deps, nextRunWithArchive(c, now), { actor: CONTROLLER_ACTOR, at, job: true, reason: 'RECURRENCE' });
      if (!isExpired(c, now)) return undefined;
      const deleted = markDeleted(c, now);
      return saveRecorded(deps, deleted, [campaignStateChanged(c.state, deleted, CONTROLLER_ACTOR, at, { reason: `status expiration ${c.statusExpirationDate}` })]);
    }
    case 'DELETED': {
      if (c.cleanedAt) return undefined;
      // Evidence outlives the operational data (docs/reference/evidence.md): the run's pack is archived
      // and recorded on the campaign before anything of the run is deleted. Both wait until its
      // notifications are settled: what is still unsent (an Assignment Reject of a cancelled campaign)
      // is dispatched first, and a later run finishes.
      if (!c.evidence) {
        const evidence = await deps.evidence.archiveRun(c, now);
        return evidence ? save(deps, markEvidenceArchived(c, evidence, now)) : undefined;
      }
      return cleanUpRun({ ...deps, mode: deps.settings.cleanup ?? 'DELETE', chunkSize: deps.chunks?.entries }, c, now);
    }
    case 'FAILED.PREPARED':
      return undefined;
  }
}

/** Every Approval Start queued: Campaign Start to the owner, and the campaign RUNNING. */
async function markAnnounced(deps: ControllerDeps, c: Campaign, now: Date): Promise<Campaign> {
  if (c.phase.name !== 'ANNOUNCE') return c;
  const at = now.toISOString();
  const notifier = new CampaignNotifier(deps.directory, deps.settings.portalUrl, c, now);
  const { prepared } = c.phase;
  // A listing that stayed short (announce-stage.ts, announceShort): the chain says how many entries were announced.
  const short = c.phase.listed !== undefined && c.phase.listed < prepared.entries ? { listed: c.phase.listed } : {};
  const notice = await notifier.composeFor('CAMPAIGN_START', notificationKey.campaignStart(c), c.ownerId, {
    entryCount: prepared.entries,
    itemCount: prepared.items,
    failedEntryCount: prepared.failedEntries,
  });
  const running = markRunning(c, now);
  return saveRecorded(deps, running, [campaignStateChanged(c.state, running, CONTROLLER_ACTOR, at, { prepared, ...short }), ...notificationsQueued([notice], CONTROLLER_ACTOR, at)], () =>
    deps.outbox.enqueue([notice]),
  );
}

/** docs/reference/campaigns.md, step 1: validate; an invalid campaign fails with a Prepare Error to its owner. */
async function start(deps: ControllerDeps, c: Campaign, now: Date): Promise<Campaign> {
  const owner = await deps.directory.getUser(c.ownerId);
  const validation = validateForStart(c, now, owner !== undefined);
  if (validation.ok) return save(deps, beginPreparation(c, validation.logs, validation.dueDate!, now));

  return failStart(deps, c, validation.logs, now);
}

/** FAILED.PREPARED with the reasons in the logs and a Prepare Error to the owner. */
async function failStart(deps: ControllerDeps, c: Campaign, logs: CampaignLog[], now: Date): Promise<Campaign> {
  const failed = failPreparation(c, logs, now);
  const notifier = new CampaignNotifier(deps.directory, deps.settings.portalUrl, c, now);
  const errors = logs.filter((l) => l.level === 'ERROR').map((l) => ({ field: l.field, message: l.message }));
  const notice = await notifier.composeFor('PREPARE_ERROR', notificationKey.prepareError(c, failed.prepareAttempt), c.ownerId, { errors });
  deps.log.warn('campaign failed validation', { campaignId: c.id, errors });
  const at = now.toISOString();
  const events = [
    campaignStateChanged(c.state, failed, CONTROLLER_ACTOR, at, { errors: errors.map((e) => ({ field: e.field ?? null, message: e.message })) }),
    ...notificationsQueued([notice], CONTROLLER_ACTOR, at),
  ];
  return saveRecorded(deps, failed, events, () => deps.outbox.enqueue([notice]));
}

async function save(deps: ControllerDeps, c: Campaign): Promise<Campaign> {
  await deps.campaigns.saveCampaign(c);
  return c;
}

/**
 * Saves a new campaign version whose change the audit log must hold: the record first (keyed by the
 * version, so a re-run after a kill writes none), then `before` (the notices the change queues),
 * then the save.
 */
async function saveRecorded(deps: ControllerDeps, c: Campaign, events: AuditEvent[], before?: () => Promise<unknown>): Promise<Campaign> {
  return recordThenChange(deps, campaignRecord(c, auditKey.campaign(c), c.updatedAt, events), async () => {
    await before?.();
    await deps.campaigns.saveCampaign(c);
    return c;
  });
}
