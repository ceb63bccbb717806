// docs/reference/campaigns.md, step 4 (Finish): apply every entry's decisions, tell each user who lost access once,
// then close the campaign; later runs retry the changes the directory refused. Directory changes
// are idempotent (remove, set) and every record has a deterministic key, so a re-run after a kill
// repeats no revocation and no notification. A `WORKFLOW` item is handed to its privilege's
// approval workflow: the run's id is its purpose's, so a re-run finds the run a killed one started.
// Applying and telling go in time-budgeted chunks with a cursor on the campaign's phase
// (docs/reference/scale.md); the run's totals are summed as the entries are applied.
import { APPLICABLE_STATES, withEntryChange } from '../domain/entries.js';
import { isForwarded } from '../domain/stages.js';
import { addStats, countPlan, emptyStats, itemWorkflowOf, keptByGuardStats, planItem } from '../domain/application.js';
import { describeProtection, mayRemove } from '../domain/blast-radius.js';
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalPurpose, type ApprovalRun, type ReapprovalConfig } from '../domain/approvals/model.js';
import { liveCampaignOf, markSucceeded, withLateApplication, withPhase } from '../domain/campaign-lifecycle.js';
import { DomainError, NotFoundError } from '../domain/errors.js';
import type { Campaign, CampaignPhase, CampaignStats, Entry, EntryStats, Item, Notification, Revocation, RunTotals } from '../domain/model.js';
import { addEntry, MAX_FAILED_ENTRIES_LISTED, totalsToResume } from '../domain/run-totals.js';
import { notificationKey } from '../domain/notifications.js';
import { REVOCATION_REASON_TEXT } from '../domain/templates.js';
import {
  appliedItemsOf,
  auditKey,
  campaignRecord,
  campaignStateChanged,
  CONTROLLER_ACTOR,
  entryRecord,
  entryStateChanged,
  itemsApplied,
  notificationsQueued,
  revocationsVerified,
  type ItemOutcome,
} from '../domain/audit/events.js';
import { STILL_PRESENT_LISTED } from '../domain/revocation-verification.js';
import type { AuditEvent } from '../domain/audit/model.js';
import { findApprovalRun, resolveWorkflow, startApprovalRun } from './approvals/approval-engine.js';
import { loadProtections } from './apply-guard.js';
import { appendRecord, recordThenChange, type AuditDeps } from './audit-trail.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { entryCursor, forEachChunk, revocationCursor } from './chunked.js';
import { mapLimit } from './concurrency.js';
import { readBackRevocations, stillPresentLine } from './verify-revocations.js';
import { UNLIMITED_BUDGET, type ApprovalStore, type CampaignStore, type DirectoryStore, type Log, type Outbox, type Pages, type ReapprovalDirectory, type TimeBudget } from './ports.js';

export interface FinishDeps extends AuditDeps {
  /** The re-approval side is read only for `WORKFLOW` items (their assignment, workflow and the reminder settings). */
  directory: DirectoryStore & ReapprovalDirectory;
  campaigns: CampaignStore;
  /** Where a `WORKFLOW` item's approval run is started. */
  approvals: ApprovalStore;
  outbox: Outbox;
  portalUrl: string;
  log: Log;
  /** Checked between chunks; default unlimited. */
  budget?: TimeBudget;
  /** Entries (applying) or users (telling) per chunk; default FINISH_CHUNK. */
  chunkSize?: number;
}

/** A chunk's entries or users: each costs a few reads and writes, so a chunk takes seconds. */
export const FINISH_CHUNK = 100;

/**
 * Applies the entries after the phase's cursor, chunk by chunk, saving after each chunk the last
 * entry applied and the run's totals so far (Campaign.runTotals). Returns the campaign still in
 * APPLY when the budget ran out with entries left, else in VERIFY.
 */
export async function applyDecisions(deps: FinishDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  const phase: Extract<CampaignPhase, { name: 'APPLY' }> = campaign.phase.name === 'APPLY' ? campaign.phase : { name: 'APPLY' };
  let totals = totalsToResume(campaign.runId, campaign.runTotals, phase.after);
  let current = campaign;
  const result = await forEachChunk({
    pages: (after) => deps.campaigns.listEntries(campaign.runId, after === undefined ? {} : { after }),
    keyOf: entryCursor,
    after: phase.after,
    budget: deps.budget ?? UNLIMITED_BUDGET,
    chunkSize: deps.chunkSize ?? FINISH_CHUNK,
    work: async (entries) => {
      for (const group of groupsOf(entries, GROUP_ITEMS)) for (const entry of await applyGroup(deps, campaign, group, now)) totals = addEntry(totals, entry);
    },
    checkpoint: async (after) => {
      current = withPhase({ ...current, runTotals: totals }, { ...phase, after }, now);
      await deps.campaigns.saveCampaign(current);
    },
  });
  if (!result.done) return current;
  // The removals are read back before anyone is told (verify-revocations.ts).
  const next = withPhase({ ...current, runTotals: totals }, { name: 'VERIFY' }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

/** Entries of a group applied at once: their directory changes overlap, each entry's in order. */
const ENTRY_CONCURRENCY = 4;
/** Items a group of entries holds at most (unless one entry holds more): memory follows the group, not the chunk. */
export const GROUP_ITEMS = 2_500;

/** Consecutive entries of a chunk, by their item counts: a group closes before it would pass `maxItems`. */
export function groupsOf<T extends Pick<Entry, 'itemCount'>>(entries: readonly T[], maxItems: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let items = 0;
  for (const entry of entries) {
    if (group.length > 0 && items + entry.itemCount > maxItems) {
      groups.push(group);
      group = [];
      items = 0;
    }
    group.push(entry);
    items += entry.itemCount;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * One group of a chunk's entries: each entry to apply has its directory changes made (applyChanges),
 * then the group's revocations and applied marks are written in batches, then each entry is saved
 * (conditionally: approvers and administrators write entries too), then one record of the group's
 * application is appended to the run's chain, built from what was saved. Returns the group's
 * entries as they now are, for the run's totals.
 *
 * A kill at any point repeats the chunk: a removal made and not marked is made again (removing an
 * absent assignment is no change), an item marked is skipped, an entry saved is not applied again,
 * and the record, keyed by the group's first and last entries, is appended once.
 */
async function applyGroup(deps: FinishDeps, campaign: Campaign, listed: readonly Entry[], now: Date): Promise<Entry[]> {
  // Read consistently: the listing (an index) may lag the entries.
  const loaded = await mapLimit(listed, ENTRY_CONCURRENCY, (l) => deps.campaigns.getEntryWithItems(l.id));
  const applied = await mapLimit(loaded, ENTRY_CONCURRENCY, async (l) =>
    l && APPLICABLE_STATES.includes(l.entry.state) ? { ...l, ...(await applyChanges(deps, campaign, l.entry, l.items, now)) } : undefined,
  );
  const changed = applied.filter((a) => a !== undefined);
  await deps.campaigns.saveAppliedChanges({ items: changed.flatMap((a) => a.marked), revocations: changed.flatMap((a) => a.revocations) });
  const at = now.toISOString();
  const saved = await mapLimit(applied, ENTRY_CONCURRENCY, async (a, i) => {
    if (!a) return loaded[i];
    const entry = appliedEntry(a.entry, a, now);
    await deps.campaigns.saveEntry(entry);
    return { entry, items: withMarks(a.items, [...a.marked, ...a.handedOver]) };
  });
  // Entries applied now, and those a killed run applied and may not have recorded (a repeated chunk has the same key).
  const events = saved.flatMap((s) => (s && APPLIED_STATES.includes(s.entry.state) ? applicationEvents(campaign, s.entry, s.items) : []));
  await appendRecord(deps.audit, campaignRecord(campaign, auditKey.apply(campaign, listed[0]!.id, listed[listed.length - 1]!.id), at, events));
  return listed.map((l, i) => saved[i]?.entry ?? l);
}

/** The entry once its changes are applied: FINISHED, or FAILED.APPLIED.CHANGES naming each change refused; closed now if it was open. */
function appliedEntry(entry: Entry, { stats, failures }: Pick<AppliedChanges, 'stats' | 'failures'>, now: Date): Entry {
  const at = now.toISOString();
  const failed = failures.length > 0;
  return withEntryChange(entry, now, {
    state: failed ? 'FAILED.APPLIED.CHANGES' : 'FINISHED',
    endDate: at,
    closedAt: entry.closedAt ?? at,
    stats,
    error: failed ? `changes failed to apply: ${failures.join('; ')}` : undefined,
  });
}

/** The items as loaded, with the marks written over them. */
function withMarks(items: readonly Item[], marked: readonly Item[]): Item[] {
  const byId = new Map(marked.map((item) => [item.id, item]));
  return items.map((item) => byId.get(item.id) ?? item);
}

/**
 * A later controller run's retry of the entries whose changes the directory refused at the finish
 * (docs/reference/campaigns.md step 4, FAILED.APPLIED.CHANGES). The campaign stays SUCCEEDED (Campaign End named the
 * failed entries); an entry becomes FINISHED once every change went through. Each removal made now
 * tells its user with an Assignment Reject of its own (the finish's one-per-user notice went out
 * already), keyed by the assignment, so that no retry tells twice.
 */
export async function retryFailedChanges(deps: FinishDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  let changed = false;
  let stillFailing = 0;
  for await (const page of deps.campaigns.listEntries(campaign.runId)) {
    for (const entry of page) {
      // Saved by a retry killed before the campaign's new totals: its record may be missing (recorded once: same key).
      const unsettled = entry.updatedAt > campaign.updatedAt;
      if (entry.state !== 'FAILED.APPLIED.CHANGES') {
        if (unsettled && APPLIED_STATES.includes(entry.state)) await recordApplication(deps, campaign, entry.id);
        continue;
      }
      const applied = await retryEntry(deps, campaign, entry, now);
      if (applied?.changed) changed = true;
      else if (applied && applied.entry.updatedAt > campaign.updatedAt) await recordApplication(deps, campaign, entry.id);
      if (applied?.entry.state === 'FAILED.APPLIED.CHANGES') stillFailing += 1;
    }
  }
  // Unchanged, unless an entry changed now or in a run killed before it saved the new totals.
  if (!changed && stillFailing === (campaign.stats?.entriesByState['FAILED.APPLIED.CHANGES'] ?? 0)) return campaign;
  const { stats } = await runSummary(deps.campaigns, campaign);
  const next = withLateApplication(campaign, stats, now);
  await deps.campaigns.saveCampaign(next);
  deps.log.info('failed changes retried', { campaignId: campaign.id, stillFailing: stats.entriesByState['FAILED.APPLIED.CHANGES'] ?? 0 });
  return next;
}

/**
 * A retry's pass over one entry whose changes the directory refused: its changes made, each removal's
 * Assignment Reject queued, its marks and revocations written, the entry saved and its application
 * recorded. Returns the entry as it now is, and whether this call changed it.
 */
async function retryEntry(deps: FinishDeps, campaign: Campaign, listed: Entry, now: Date): Promise<{ entry: Entry; changed: boolean } | undefined> {
  const loaded = await deps.campaigns.getEntryWithItems(listed.id);
  if (!loaded) return undefined;
  const { entry, items } = loaded;
  // The listing may lag: act on the entry as it is now.
  if (entry.state !== 'FAILED.APPLIED.CHANGES') return { entry, changed: false };
  const changes = await applyChanges(deps, campaign, entry, items, now);
  const { marked } = changes;
  // Read back as the finish's VERIFY reads its removals: one still present joins the daily re-checks.
  const revocations = await readBackRevocations(deps.directory, changes.revocations, now);
  // An archived run's notifications stay under the campaign it came from.
  const origin = liveCampaignOf(campaign);
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, origin, now);
  // Recorded and queued before the items are marked applied: a killed retry finds the record and the notices already there.
  if (revocations.length > 0) await recordRetryRemovals(deps, campaign, origin, notifier, entry, revocations, now);
  await deps.campaigns.saveAppliedChanges({ items: marked, revocations });
  const next = appliedEntry(entry, changes, now);
  // A retry the directory refuses again changes nothing: re-running the controller stays a no-op.
  if (next.state === entry.state && next.error === entry.error && sameStats(changes.stats, entry.stats)) return { entry, changed: false };
  await deps.campaigns.saveEntry(next);
  await recordApplication(deps, campaign, entry.id);
  return { entry: next, changed: true };
}

/**
 * A retry's removals, read back: their record (what was found, and a Revocation Unverified to the
 * owner when one is still present, keyed by the entry and its version: the finish's one per run may
 * have gone out already), then each user's Assignment Reject of its own queued with it. The record's
 * key is the entry's version before the retry saves it, so a retry killed before that save finds it
 * and writes none.
 */
async function recordRetryRemovals(deps: FinishDeps, campaign: Campaign, origin: Campaign, notifier: CampaignNotifier, entry: Entry, revocations: Revocation[], now: Date): Promise<void> {
  const at = now.toISOString();
  const rejects = await Promise.all(revocations.map((r) => lateRejectNotice(notifier, origin, r)));
  const still = revocations.filter((r) => r.verification?.status === 'STILL_PRESENT');
  const unverified: Notification[] = [];
  if (still.length > 0) {
    const stillPresent = still.slice(0, STILL_PRESENT_LISTED).map(stillPresentLine);
    unverified.push(
      await notifier.composeFor('REVOCATION_UNVERIFIED', notificationKey.retryRevocationUnverified(origin, entry), origin.ownerId, {
        stillPresent,
        stillPresentCount: still.length,
        verifiedCount: revocations.length,
      }),
    );
  }
  // The Assignment Rejects are recorded with the entry's application (applicationEvents), as before.
  const events = [revocationsVerified(revocations, undefined, CONTROLLER_ACTOR, at), ...notificationsQueued(unverified, CONTROLLER_ACTOR, at)];
  await recordThenChange(deps, campaignRecord(campaign, auditKey.verifyRetry(campaign, entry), at, events), () => deps.outbox.enqueue([...rejects, ...unverified]));
}

/** What applying an entry's decisions did, before its marks and revocations are written. */
interface AppliedChanges {
  stats: EntryStats;
  /** Changes the directory (or a workflow) refused: `<itemId>: <reason>`; retried by later runs. */
  failures: string[];
  /** Items with their new `applied` mark, to be written whole (saveAppliedChanges). */
  marked: Item[];
  /** Items a hand-over marked already (saveItemApplied), as written: for the record only. */
  handedOver: Item[];
  revocations: Revocation[];
}

/**
 * Makes one entry's directory changes (removals, modifications, hand-overs to approval workflows)
 * and says what to write for them; writes only the hand-overs' marks (their workflow is the
 * engine's to update, so their mark is changed alone). Items applied by an earlier pass (a killed
 * run, or the part of a retry that went through) are skipped, so a re-run repeats no directory
 * change and no revocation.
 */
async function applyChanges(deps: FinishDeps, campaign: Campaign, entry: Entry, items: readonly Item[], now: Date): Promise<AppliedChanges> {
  // An archived run's revocations stay under the campaign it came from.
  const origin = liveCampaignOf(campaign);
  let stats = emptyStats();
  const failures: string[] = [];
  const marked: Item[] = [];
  const handedOver: Item[] = [];
  const revocations: Revocation[] = [];
  const at = now.toISOString();
  const mark = (item: Item, applied: NonNullable<Item['applied']>) => marked.push({ ...item, applied });
  // Read once, and only for an entry with an item to hand over.
  let config: Promise<ReapprovalConfig> | undefined;
  const reapprovalConfig = () => (config ??= deps.directory.getReapprovalConfig().then((c) => c ?? DEFAULT_REAPPROVAL_CONFIG));
  // Blast-radius guard (docs/reference/guards.md): the protection of every item this pass would remove or hand over, read as it is now.
  const protectionOf = await loadProtections(
    deps.directory,
    items.filter((item) => !isForwarded(entry, item) && !item.applied && mayRemove(planItem(item, entry, campaign.revocation))),
  );
  for (const item of items) {
    // Approved here and handed to the next stage: that stage's decision is applied there.
    if (isForwarded(entry, item)) continue;
    const plan = planItem(item, entry, campaign.revocation);
    stats = countPlan(stats, plan);
    // Kept by the guard in an earlier pass: neither removed nor handed over.
    if (item.applied?.action === 'KEPT_BY_GUARD') stats = keptByGuardStats(stats, plan);
    // An earlier pass found nothing to hand over (the assignment was gone or not MANUAL): kept.
    else if (plan.change === 'WORKFLOW' && item.applied && item.applied.action !== 'HANDED_OVER') stats = { ...stats, handedOver: stats.handedOver - 1 };
    if (plan.change === 'NONE' || item.applied) continue;
    // A protected user or privilege: nothing is removed, and no workflow is asked whether to remove it.
    const protection = mayRemove(plan) ? protectionOf(item.userId, item.privilegeId) : undefined;
    if (protection) {
      stats = keptByGuardStats(stats, plan);
      mark(item, { action: 'KEPT_BY_GUARD', at, reason: describeProtection(protection) });
      continue;
    }
    if (plan.change === 'WORKFLOW') {
      const purpose: ApprovalPurpose = { kind: 'CAMPAIGN', campaignId: origin.id, runId: campaign.runId, entryId: entry.id, itemId: item.id, reason: plan.reason };
      let run: ApprovalRun | undefined;
      try {
        run = await handOver(deps, purpose, item, reapprovalConfig, now);
      } catch (error) {
        // Refused (an unknown workflow, a refused start): recorded, retried by later runs. A failed call is no refusal: the run fails.
        if (!(error instanceof DomainError)) throw error;
        deps.log.error('handing an item to its approval workflow failed', { entryId: entry.id, itemId: item.id, error: String(error) });
        failures.push(`${item.id}: ${error instanceof Error ? error.message : String(error)}`);
        // Not handed over (yet): counted when a retry hands it over.
        stats = { ...stats, handedOver: stats.handedOver - 1 };
        continue;
      }
      if (!run) {
        deps.log.warn('assignment is gone or no longer MANUAL: nothing to hand over; left as it is', { entryId: entry.id, itemId: item.id });
        stats = { ...stats, handedOver: stats.handedOver - 1 };
        mark(item, { action: 'KEPT', at });
        continue;
      }
      // Once recorded, the item's workflow is the engine's to update (with the outcome): not overwritten
      // here, even by a finish that read the item before the engine (a concurrent or resumed run) wrote it.
      const workflow = item.workflow ?? itemWorkflowOf(run);
      if (!item.workflow) await deps.campaigns.saveItemWorkflow(entry.id, item.id, workflow, { onlyIfAbsent: true });
      const applied = { action: 'HANDED_OVER' as const, at };
      await deps.campaigns.saveItemApplied(entry.id, item.id, applied);
      handedOver.push({ ...item, workflow, applied });
      continue;
    }
    try {
      if (plan.change === 'REMOVE' && (await deps.directory.removeAssignment(item.userId, item.privilegeId)) === 'NOT_MANUAL') {
        // It became rule-based or inherited meanwhile: not ours to remove (docs/reference/directory.md).
        deps.log.warn('assignment is no longer MANUAL; left as it is', { entryId: entry.id, itemId: item.id });
        stats = { ...stats, revoked: stats.revoked - 1 };
        continue;
      }
      if (plan.change === 'MODIFY') {
        await deps.directory.modifyAssignment(item.userId, item.privilegeId, { endDate: plan.endDate, parameters: plan.parameters });
      }
    } catch (error) {
      // The directory refused the change (a DomainError, RefusedChangeError for a connected source):
      // recorded on the entry and retried by later runs. Any other failure (a throttled or
      // unavailable table) is not the directory's answer: the run fails, and the next one applies
      // what is left (an applied item is marked, so none is applied twice).
      if (!(error instanceof DomainError)) throw error;
      deps.log.error('applying a decision failed', { entryId: entry.id, itemId: item.id, error: String(error) });
      failures.push(`${item.id}: ${error instanceof Error ? error.message : String(error)}`);
      // Not removed (yet): counted when a retry removes it.
      if (plan.change === 'REMOVE') stats = { ...stats, revoked: stats.revoked - 1 };
      continue;
    }
    if (plan.change === 'REMOVE') {
      revocations.push({
        runId: campaign.runId,
        campaignId: origin.id,
        userId: item.userId,
        privilegeId: item.privilegeId,
        ...(item.privilegeName ? { privilegeName: item.privilegeName } : {}),
        entryId: entry.id,
        itemId: item.id,
        reason: plan.reason,
        at,
      });
    }
    mark(item, { action: plan.change === 'REMOVE' ? 'REMOVED' : 'MODIFIED', at });
  }
  return { stats, failures, marked, handedOver, revocations };
}

/**
 * The record of an entry's application, written once the entry is saved and built from what was
 * saved (its state, totals and error, its items' applied marks), never from what one attempt saw:
 * a directory call that failed in a run killed before its save must not be recorded as the outcome
 * when the next run applies it. A run killed between the save and the record is caught up by the
 * next (applyDecisions, retryFailedChanges): the same saved entry gives the same record and key.
 */
async function recordApplication(deps: FinishDeps, campaign: Campaign, entryId: string): Promise<void> {
  const loaded = await deps.campaigns.getEntryWithItems(entryId);
  if (!loaded || !APPLIED_STATES.includes(loaded.entry.state)) return;
  const { entry, items } = loaded;
  await appendRecord(deps.audit, entryRecord(entry, auditKey.entry(entry), entry.updatedAt, applicationEvents(campaign, entry, items)));
}

/** An entry whose decisions were applied (all of them, or some refused by the directory). */
const APPLIED_STATES: Entry['state'][] = ['FINISHED', 'FAILED.APPLIED.CHANGES'];

/**
 * An entry's application as saved: each item's outcome (ITEM_APPLIED, ASSIGNMENT_REVOKED,
 * ITEM_HANDED_OVER), the Assignment Reject each removal made after the campaign ended (a retry)
 * queued, and the entry's state with its totals and the changes refused.
 */
function applicationEvents(campaign: Campaign, entry: Entry, items: Item[]): AuditEvent[] {
  const at = entry.updatedAt;
  const applied = appliedItemsOf(entry, items).map((item) => {
    const plan = planItem(item, entry, campaign.revocation);
    return { item, outcome: outcomeOf(item, plan, entry.error), category: plan.category };
  });
  // The finish tells each user once (closeCampaign); a removal a later run made, with a notice of its own.
  const late = campaign.endDate ? applied.filter((a) => a.outcome.action === 'REMOVED' && a.item.applied!.at > campaign.endDate!).map((a) => a.item) : [];
  const origin = liveCampaignOf(campaign);
  const notices = late.map((i) => ({ key: notificationKey.lateAssignmentReject(origin, i.userId, i.privilegeId), kind: 'ASSIGNMENT_REJECT' as const, recipientId: i.userId }));
  return [
    ...itemsApplied(entry, applied, CONTROLLER_ACTOR, at),
    ...notificationsQueued(notices, CONTROLLER_ACTOR, at),
    entryStateChanged(undefined, entry, CONTROLLER_ACTOR, at, { applied: true, stats: entry.stats, error: entry.error }),
  ];
}

/** What applying an item did, as the item and its entry record it. */
function outcomeOf(item: Item, plan: ReturnType<typeof planItem>, error: string | undefined): ItemOutcome {
  const reason = plan.change === 'REMOVE' || plan.change === 'WORKFLOW' ? plan.reason : 'REJECTED';
  switch (item.applied?.action) {
    case 'REMOVED':
      return { action: 'REMOVED', reason };
    case 'HANDED_OVER':
      return { action: 'HANDED_OVER', approvalId: item.workflow?.approvalId, workflowId: item.workflow?.workflowId, reason };
    case 'MODIFIED':
      return { action: 'MODIFIED', ...(plan.change === 'MODIFY' && plan.endDate !== undefined ? { endDate: plan.endDate } : {}), ...(plan.change === 'MODIFY' && plan.parameters ? { parameters: plan.parameters } : {}) };
    case 'KEPT':
      return plan.change === 'WORKFLOW' ? { action: 'KEPT', note: 'nothing to hand over: the assignment was gone or no longer MANUAL' } : { action: 'KEPT' };
    case 'KEPT_BY_GUARD':
      return { action: 'KEPT_BY_GUARD', reason, guard: item.applied.reason ?? 'protected user or privilege' };
  }
  if (plan.change === 'NONE') return { action: 'KEPT' };
  // Refused by the directory (named in the entry's error; a later run retries it), else left as it is: no longer MANUAL.
  if (error?.includes(`${item.id}: `)) return { action: 'FAILED', error: 'refused (see the entry\'s error); retried by later runs' };
  return { action: 'NOT_MANUAL', error: 'the assignment is no longer MANUAL; left as it is' };
}

/**
 * The run `purpose` hands the item to: the one a killed pass started, else a new one over the
 * assignment as it is now. Undefined when there is nothing to hand over (the assignment is gone,
 * or no longer MANUAL: not ours to decide). Throws when the privilege or its workflow is missing
 * (the entry fails, and a later controller run retries it: workflows may be loaded meanwhile).
 */
async function handOver(
  deps: FinishDeps,
  purpose: ApprovalPurpose,
  item: Item,
  reapprovalConfig: () => Promise<ReapprovalConfig>,
  now: Date,
): Promise<ApprovalRun | undefined> {
  // Looked for first: a run that ended at once (nobody to approve, a REJECT rule) may have removed the assignment.
  const { id, run: started } = await findApprovalRun(deps.approvals, purpose, item.userId, item.privilegeId);
  if (started) return started;
  const assignment = await deps.directory.getAssignment(item.userId, item.privilegeId);
  if (!assignment || assignment.origin !== 'MANUAL') return undefined;
  const privilege = await deps.directory.getPrivilege(item.privilegeId);
  if (!privilege) throw new NotFoundError('privilege', item.privilegeId);
  const workflow = await resolveWorkflow(deps.directory, privilege, 'CAMPAIGN');
  return startApprovalRun(deps, { purpose, assignment, privilege, workflow, freeId: id }, await reapprovalConfig(), now, CONTROLLER_ACTOR);
}

const sameStats = (a: EntryStats, b: EntryStats | undefined) =>
  b !== undefined && (Object.keys(a) as (keyof EntryStats)[]).every((k) => a[k] === b[k]);

async function lateRejectNotice(notifier: CampaignNotifier, campaign: Campaign, r: Revocation) {
  const revoked = [revokedLine(r)];
  return notifier.composeFor('ASSIGNMENT_REJECT', notificationKey.lateAssignmentReject(campaign, r.userId, r.privilegeId), r.userId, {
    revoked,
    revokedCount: 1,
  });
}

/**
 * One Assignment Reject per user who lost access, then Campaign End, then SUCCEEDED. The run's
 * revocations are read in key order, so each user's come together: a user's notice is queued once
 * their last revocation is read, a chunk of users at a time (their record, their notices, then the
 * cursor saved). Memory holds one chunk of users, never the run. Returns the campaign still in
 * NOTIFY_REJECTS when the budget ran out with users left.
 */
export async function closeCampaign(deps: FinishDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  const at = now.toISOString();
  let current = campaign;
  const result = await forEachChunk<Revocation[]>({
    pages: (after) => byUser(deps.campaigns.listRevocations(campaign.runId, after === undefined ? {} : { after })),
    keyOf: (revocations) => revocationCursor(revocations[revocations.length - 1]!),
    after: campaign.phase.name === 'NOTIFY_REJECTS' ? campaign.phase.after : undefined,
    budget: deps.budget ?? UNLIMITED_BUDGET,
    chunkSize: deps.chunkSize ?? FINISH_CHUNK,
    // The notices are queued with the cursor's save (checkpoint): their record comes before both.
    work: async () => {},
    checkpoint: async (after, users) => {
      await notifier.prefetch(users.map((revocations) => revocations[0]!.userId));
      const notices = users.map((revocations) => rejectNotice(notifier, campaign, revocations));
      const told = (current.phase.name === 'NOTIFY_REJECTS' ? (current.phase.told ?? 0) : 0) + users.length;
      const next = withPhase(current, { name: 'NOTIFY_REJECTS', after, told }, now);
      const events = notificationsQueued(
        notices.map((n) => ({ key: n.key, kind: n.kind, recipientId: n.recipientId })),
        CONTROLLER_ACTOR,
        at,
      );
      current = await recordThenChange(deps, campaignRecord(next, auditKey.rejects(next), at, events), async () => {
        await deps.outbox.enqueue(notices);
        await deps.campaigns.saveCampaign(next);
        return next;
      });
    },
  });
  if (!result.done) return current;

  const { stats, failedEntries } = current.runTotals?.runId === campaign.runId ? current.runTotals : await countRun(deps.campaigns, campaign);
  const succeeded = markSucceeded({ ...current, runTotals: undefined }, stats, now);
  const endNotifier = new CampaignNotifier(deps.directory, deps.portalUrl, succeeded, now);
  const end = await endNotifier.composeFor('CAMPAIGN_END', notificationKey.campaignEnd(campaign), campaign.ownerId, {
    entryCount: stats.entries,
    itemCount: stats.items,
    // The template says these are entries whose changes could not be applied: not FAILED.PREPARE ones.
    failedEntryCount: stats.entriesByState['FAILED.APPLIED.CHANGES'] ?? 0,
    failedEntries: failedEntries.slice(0, MAX_FAILED_ENTRIES_LISTED),
    stats,
  });
  const events = [
    ...notificationsQueued([end], CONTROLLER_ACTOR, at),
    campaignStateChanged(campaign.state, succeeded, CONTROLLER_ACTOR, at, { endDate: succeeded.endDate, statusExpirationDate: succeeded.statusExpirationDate, stats }),
  ];
  return recordThenChange(deps, campaignRecord(succeeded, auditKey.campaign(succeeded), at, events), async () => {
    await deps.outbox.enqueue([end]);
    await deps.campaigns.saveCampaign(succeeded);
    return succeeded;
  });
}

/** The user's Assignment Reject: every privilege the run removed from them. */
function rejectNotice(notifier: CampaignNotifier, campaign: Campaign, revocations: Revocation[]) {
  const userId = revocations[0]!.userId;
  const revoked = revocations.map(revokedLine);
  return notifier.compose('ASSIGNMENT_REJECT', notificationKey.assignmentReject(campaign, userId), userId, { revoked, revokedCount: revoked.length });
}

/**
 * One removal as the user's notice lists it. VERIFY read the directory back before the notices are
 * composed: a removal found still present is told as requested, not as done (`foundStillPresent`).
 */
const revokedLine = (r: Revocation) => ({
  privilegeId: r.privilegeId,
  privilegeName: r.privilegeName ?? r.privilegeId,
  reason: REVOCATION_REASON_TEXT[r.reason],
  foundStillPresent: r.verification?.status === 'STILL_PRESENT',
});

/**
 * Revocations listed by user then privilege, as lists of whole users: a user's list is yielded once
 * the next user's first revocation (or the end) shows it is complete. Holds one page and one user.
 */
async function* byUser(pages: Pages<Revocation>): Pages<Revocation[]> {
  let user: Revocation[] = [];
  for await (const page of pages) {
    const complete: Revocation[][] = [];
    for (const r of page) {
      if (user.length > 0 && user[0]!.userId !== r.userId) {
        complete.push(user);
        user = [];
      }
      user.push(r);
    }
    if (complete.length > 0) yield complete;
  }
  if (user.length > 0) yield [user];
}

/**
 * The run's totals read from its entries: for a run that reached NOTIFY_REJECTS without totals
 * (applied before they were kept), and for the retry of failed changes.
 */
async function countRun(campaigns: CampaignStore, campaign: Campaign): Promise<RunTotals> {
  const { stats, failedEntries } = await runSummary(campaigns, campaign);
  return {
    runId: campaign.runId,
    stats,
    failedEntries: failedEntries.slice(0, MAX_FAILED_ENTRIES_LISTED).map((e) => ({ entryId: e.id, subjectName: e.subjectName, error: e.error ?? 'changes failed to apply' })),
  };
}

export async function campaignStats(campaigns: CampaignStore, campaign: Campaign): Promise<CampaignStats> {
  return (await runSummary(campaigns, campaign)).stats;
}

/** The run's totals, and its entries whose changes failed to apply (for Campaign End). */
async function runSummary(campaigns: CampaignStore, campaign: Campaign): Promise<{ stats: CampaignStats; failedEntries: Entry[] }> {
  let totals = emptyStats();
  const entriesByState: CampaignStats['entriesByState'] = {};
  const failedEntries: Entry[] = [];
  let entries = 0;
  let items = 0;
  for await (const page of campaigns.listEntries(campaign.runId)) {
    for (const listed of page) {
      // The index may lag the entries just applied; the entry itself is read consistently.
      const e = (await campaigns.getEntry(listed.id)) ?? listed;
      entries += 1;
      // Later stages see the same assignments again: count each once, at stage 1.
      if (e.stage === 1) items += e.itemCount;
      entriesByState[e.state] = (entriesByState[e.state] ?? 0) + 1;
      if (e.state === 'FAILED.APPLIED.CHANGES') failedEntries.push(e);
      if (e.stats) totals = addStats(totals, e.stats);
    }
  }
  return { stats: { ...totals, entries, items, entriesByState }, failedEntries };
}
