// Sends what the outbox holds. A notification is claimed (SENDING, with an expiry) before it is
// sent and marked SENT after; a claim left by a killed run expires and the next run sends it, so a
// notification is never lost, and is sent again only if the process died inside the send itself.
import { stepOfApprovalNotice } from '../domain/approvals/approval-notices.js';
import type { ApprovalRun } from '../domain/approvals/model.js';
import { mapLimit } from './concurrency.js';
import { retryPassingFailures, type RetryOptions } from './retry.js';
import type { ApprovalStore, AuditLog, CampaignStore, Clock, Log, Mailer, Outbox } from './ports.js';
import type { Campaign, Entry, Notification, NotificationKind } from '../domain/model.js';
import { approvalRecord, auditKey, notificationOutcome } from '../domain/audit/events.js';
import { runChain, type AuditActor, type AuditAppend } from '../domain/audit/model.js';

export interface DispatchDeps {
  outbox: Outbox;
  campaigns: Pick<CampaignStore, 'getCampaign' | 'getEntry'>;
  /**
   * Approval runs, to check the notices of runs (`approvalId`) against them. Without it those
   * notices are sent unchecked: a notice about finished work is a lesser harm than one lost.
   */
  approvals?: Pick<ApprovalStore, 'getApproval'>;
  mailer: Mailer;
  wallClock: Clock;
  log: Log;
  /**
   * Each notification's end (sent, failed for good, skipped) is recorded here, before the outbox
   * marks it, in the chain of what it is about: its campaign run, or its approval run's chain.
   */
  audit: AuditLog;
  /** Who dispatches, in the audit log (the controller, or the start-reapproval job). */
  actor: AuditActor;
  /** How the writes after a send are retried (tests make the waits instant). */
  retry?: RetryOptions;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  retrying: number;
  skipped: number;
}

/** Two dispatches' results as one (a run's chunks, or one run's invocations). */
export const addDispatchResults = (a: DispatchResult, b: DispatchResult): DispatchResult => ({
  sent: a.sent + b.sent,
  failed: a.failed + b.failed,
  retrying: a.retrying + b.retrying,
  skipped: a.skipped + b.skipped,
});

/**
 * Notices about work to do: pointless once the campaign is cancelled (DELETED) or failed. What
 * already happened (Assignment Reject, Campaign End, Prepare Error) is always told.
 */
const WORK_NOTICES: NotificationKind[] = ['APPROVAL_START', 'APPROVAL_REMIND', 'APPROVAL_TIMEOUT', 'NO_APPROVER', 'CAMPAIGN_START'];

/** Why a recorded notification must not be sent any more, if it must not. */
function staleReason(n: Notification, campaign: Campaign | undefined): string | undefined {
  if (!WORK_NOTICES.includes(n.kind)) return undefined;
  if (!campaign || campaign.state === 'DELETED') return `campaign ${n.campaignId} was deleted before this was sent`;
  if (campaign.state === 'FAILED.PREPARED') return `campaign ${n.campaignId} failed preparation before this was sent`;
  return undefined;
}

/**
 * A work notice of a run still preparing waits for it to run (its Approval Starts are queued while
 * it announces, and nobody can decide before it runs), whichever job dispatches: the controller
 * holds its own dispatch then too, but the daily re-approval job sends from the same outbox.
 */
const preparingHold = (n: Notification, campaign: Campaign | undefined): typeof HOLD | undefined =>
  WORK_NOTICES.includes(n.kind) && campaign?.state === 'PREPARING' && campaign.runId === n.runId ? HOLD : undefined;

/** Notices that ask an entry's approver to act: worth sending only to an approver of the running entry. */
const APPROVER_NOTICES: NotificationKind[] = ['APPROVAL_START', 'APPROVAL_REMIND'];

const HOLD = Symbol('hold');

/**
 * Why a notice to an entry's approver must not be sent, if it must not; HOLD while the entry change
 * it announces (a rescue, a reassignment: recorded before the entry) may still be saved. An entry
 * that is not there (a preparation not finished) is no reason: the notice goes as it always did.
 */
function entryReason(n: Notification, entry: Entry | undefined, campaign: Campaign | undefined): string | typeof HOLD | undefined {
  if (!entry) return undefined;
  if (entry.state === 'RUNNING' && entry.approverIds.includes(n.recipientId)) return undefined;
  if (n.entryVersion !== undefined && entry.version < n.entryVersion) {
    if (campaign?.state === 'RUNNING' && campaign.runId === n.runId) return HOLD;
    return `the change to entry ${entry.id} it announced (version ${n.entryVersion}) was never saved`;
  }
  if (entry.state !== 'RUNNING') return `entry ${entry.id} is ${entry.state}: it is not running`;
  return `${n.recipientId} is no longer an approver of entry ${entry.id} (its approvers: ${entry.approverIds.join(', ')})`;
}

/**
 * Why a notice of an approval run (re-approval or campaign hand-over) must not be sent, if it must
 * not; it is checked against its run, never a campaign. Notices are recorded before the run's save
 * that announces them (`entryVersion`: that run version): while the stored run is RUNNING and behind
 * it, every notice of the run is held (the save may still land); a run that is not there yet holds
 * them for RUN_HOLD_HOURS, then they are skipped.
 * - Approval Start and Approval Remind ask the recipient to act: they go only while the run is
 *   RUNNING and the recipient is one of its current approvers (a decision or an escalation made
 *   meanwhile makes them pointless).
 * - Approval Timeout goes only if the run's history shows that step timed out on the recipient (a
 *   TIMED_OUT event naming them): a timeout that lost its race to a decision must not tell the
 *   approver who decided that the step closed without their decision.
 * - Assignment Reject waits until the run records its outcome applied, and goes only if that says
 *   REMOVED (the access may have become rule-based meanwhile: then it was not removed).
 */
function approvalReason(n: Notification, run: ApprovalRun | undefined, now: Date): string | typeof HOLD | undefined {
  if (!run) {
    if (now.getTime() - Date.parse(n.createdAt) < RUN_HOLD_HOURS * 3_600_000) return HOLD;
    return `approval run ${n.approvalId} was never created`;
  }
  if (n.kind === 'ASSIGNMENT_REJECT') {
    if (!run.applied) return HOLD;
    return run.applied.action === 'REMOVED' ? undefined : `approval run ${run.id} applied its outcome as ${run.applied.action}: the access was not removed`;
  }
  if (run.state === 'RUNNING' && n.entryVersion !== undefined && run.version < n.entryVersion) return HOLD;
  if (n.kind === 'APPROVAL_TIMEOUT') {
    const step = stepOfApprovalNotice(n.key);
    const timedOut = run.history.some((e) => e.type === 'TIMED_OUT' && e.step === step && (e.approverIds ?? []).includes(n.recipientId));
    return timedOut ? undefined : `step ${step === undefined ? '?' : step + 1} of approval run ${run.id} did not time out on ${n.recipientId} (it was decided first)`;
  }
  if (!APPROVER_NOTICES.includes(n.kind)) return undefined;
  if (run.state === 'RUNNING' && run.approverIds.includes(n.recipientId)) return undefined;
  if (run.state !== 'RUNNING') return `approval run ${run.id} is ${run.state}: it is not running`;
  return `${n.recipientId} is no longer an approver of approval run ${run.id} (its approvers: ${run.approverIds.join(', ') || 'none'})`;
}

/** How long a notice waits for the approval run it is about to be written (business time). */
const RUN_HOLD_HOURS = 24;

export const MAX_SEND_ATTEMPTS = 5;
const CLAIM_SECONDS = 300;
const SEND_CONCURRENCY = 4;
/** Entries and approval runs a dispatcher keeps once read (a bound on its memory, not a correctness matter). */
export const READ_CACHE_SIZE = 1_000;

/**
 * Dispatches what the outbox lists as unsent. `handled`: keys the caller already dispatched in
 * this run (dispatchRecordedNotifications), not tried twice in one run.
 */
export async function dispatchNotifications(deps: DispatchDeps, runner: string, now: Date, handled: ReadonlySet<string> = new Set()): Promise<DispatchResult> {
  const dispatch = dispatcher(deps, runner, now);
  // Sends made in this run are not re-listed: a page is read, then worked through.
  const seen = new Set<string>(handled);
  for await (const page of deps.outbox.listDispatchable(deps.wallClock.now())) {
    const fresh = page.filter((n) => !seen.has(n.key));
    fresh.forEach((n) => seen.add(n.key));
    await mapLimit(fresh, SEND_CONCURRENCY, dispatch.one);
  }
  return dispatch.result;
}

/**
 * Dispatches notifications the caller has just recorded, as it recorded them (new outbox records:
 * PENDING, no attempt yet; others are left alone), without listing the outbox: the same checks
 * (staleness, holds), claim, send and mark as dispatchNotifications. What it does not send (held,
 * claimed by someone else, or left by a process killed after its claim) stays in the outbox for
 * dispatchNotifications.
 */
export async function dispatchRecordedNotifications(deps: DispatchDeps, runner: string, notifications: readonly Notification[], now: Date): Promise<DispatchResult> {
  const dispatch = dispatcher(deps, runner, now);
  const fresh = notifications.filter((n) => n.status === 'PENDING' && n.attempts === 0);
  await mapLimit(fresh, SEND_CONCURRENCY, dispatch.one);
  return dispatch.result;
}

/**
 * A record read by key once and kept for the notices after it (an approver's several notices name
 * one entry), up to READ_CACHE_SIZE records, then all forgotten: a dispatch of a whole large run
 * holds a bounded number of records.
 */
function boundedReads<T>(read: (id: string) => Promise<T>): (id: string) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (id) => {
    let answer = kept.get(id);
    if (!answer) {
      answer = read(id);
      kept.set(id, answer);
      if (kept.size > READ_CACHE_SIZE) kept.clear();
    }
    return answer;
  };
}

/** Checks one notification and sends, skips or holds it; reads campaigns, entries and runs once per dispatcher. */
function dispatcher(deps: DispatchDeps, runner: string, now: Date) {
  const result: DispatchResult = { sent: 0, failed: 0, retrying: 0, skipped: 0 };
  const campaignOf = boundedReads((id) => deps.campaigns.getCampaign(id));
  // Read only for the notices that depend on it.
  const readEntry = boundedReads((id) => deps.campaigns.getEntry(id));
  const entryOf = (n: Notification) => (n.entryId && APPROVER_NOTICES.includes(n.kind) ? readEntry(n.entryId) : undefined);
  const runOf = boundedReads((id) => deps.approvals!.getApproval(id));
  const reasonFor = async (n: Notification) => {
    // A run's notice names the run as its campaign: there is no campaign to read.
    if (n.approvalId !== undefined) return deps.approvals ? approvalReason(n, await runOf(n.approvalId), now) : undefined;
    const campaign = await campaignOf(n.campaignId);
    return staleReason(n, campaign) ?? preparingHold(n, campaign) ?? entryReason(n, await entryOf(n), campaign);
  };
  /**
   * Where a notification's end is recorded: its campaign run's chain, or its approval run's (none
   * for a notice of a run that was never created: nothing it announced exists).
   */
  const recordOf = async (n: Notification, eventKey: string, events: AuditAppend['events']): Promise<AuditAppend | undefined> => {
    if (n.approvalId === undefined) return { chainId: runChain(n.runId), eventKey, at: events[0]!.at, campaignId: n.campaignId, events };
    const run = deps.approvals ? await runOf(n.approvalId) : undefined;
    return run && approvalRecord(run, eventKey, events[0]!.at, events);
  };
  const record = async (n: Notification, eventKey: string, events: AuditAppend['events']) => {
    const draft = await recordOf(n, eventKey, events);
    if (draft) await deps.audit.append(draft);
  };
  const one = async (n: Notification): Promise<void> => {
    const reason = await reasonFor(n);
    if (reason === HOLD) {
      deps.log.info('holding a notification until what it announces is saved', { key: n.key, entryId: n.entryId, approvalId: n.approvalId });
      return;
    }
    if (!reason && n.attempts >= MAX_SEND_ATTEMPTS) return giveUp(deps, n, result, record, now);
    if (!reason) return sendOne(deps, runner, n, now, result, record);
    await record(n, auditKey.skipped(n), [notificationOutcome('NOTIFICATION_SKIPPED', n, deps.actor, now.toISOString(), { reason })]);
    await deps.outbox.markSkipped(n, reason);
    result.skipped += 1;
  };
  return { result, one };
}

type RecordEnd = (n: Notification, eventKey: string, events: AuditAppend['events']) => Promise<void>;

/**
 * Attempts are counted when claimed: one still SENDING after the last attempt's claim expired means
 * every run that tried it died in the send, and a sixth would likely die too.
 */
async function giveUp(deps: DispatchDeps, n: Notification, result: DispatchResult, record: RecordEnd, now: Date) {
  const message = `gave up after ${n.attempts} attempts whose runs stopped before the send finished`;
  deps.log.error('giving up on a notification', { key: n.key, attempts: n.attempts });
  await record(n, auditKey.failed(n), [notificationOutcome('NOTIFICATION_FAILED', n, deps.actor, now.toISOString(), { error: message, attempts: n.attempts })]);
  await deps.outbox.markFailed(n, message, true);
  result.failed += 1;
}

async function sendOne(deps: DispatchDeps, runner: string, n: Notification, now: Date, result: DispatchResult, record: RecordEnd) {
  if (!(await deps.outbox.claim(n, runner, deps.wallClock.now(), CLAIM_SECONDS))) return;
  let messageId: string;
  try {
    if (!n.to) throw new Error(`no email address for ${n.recipientId}`);
    ({ messageId } = await deps.mailer.send({ to: n.to, subject: n.subject, body: n.body }));
  } catch (error) {
    const final = n.attempts + 1 >= MAX_SEND_ATTEMPTS;
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn('sending a notification failed', { key: n.key, attempt: n.attempts + 1, final, error: message });
    // Only the last attempt is an end worth the log: earlier ones are retried.
    if (final) await record(n, auditKey.failed(n), [notificationOutcome('NOTIFICATION_FAILED', n, deps.actor, now.toISOString(), { error: message, attempts: n.attempts + 1 })]);
    await deps.outbox.markFailed(n, message, final);
    if (final) result.failed += 1;
    else result.retrying += 1;
    return;
  }
  // Recorded before it is marked: a kill in between sends it again on the next run (as it always
  // could), which finds the record (same key) and only marks it. The message id stays on the outbox
  // record: the send repeated after a kill gets another, and the log must read the same either way.
  // The mail is out: a passing failure of either write is retried here, or the claim would expire
  // and the next run send it a second time.
  await retryPassingFailures(() => record(n, auditKey.sent(n), [notificationOutcome('NOTIFICATION_SENT', n, deps.actor, now.toISOString(), {})]), deps.retry);
  await retryPassingFailures(() => deps.outbox.markSent(n, messageId, now), deps.retry);
  result.sent += 1;
}
