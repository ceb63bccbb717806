// Blast-radius guards at the campaign's finish (docs/reference/guards.md): what applying a run's
// decisions would do, item by item (planned with the same planItem the finish applies, and the
// directory's protected users and privileges), the GUARD phase that counts it before anything is
// applied, and the owner's confirmation of a campaign over its revocation cap.
import { planItem, type ItemCategory, type ItemPlan } from '../domain/application.js';
import {
  addApplyCounts,
  capVerdict,
  countAction,
  describeProtection,
  emptyApplyCounts,
  guardedAction,
  maxRemovalShareOf,
  mayRemove,
  protectionLookup,
  type ApplyAction,
  type Protection,
} from '../domain/blast-radius.js';
import { withPhase } from '../domain/campaign-lifecycle.js';
import { APPLICABLE_STATES, isDecided } from '../domain/entries.js';
import { ClosedError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { ApplyConfirmation, ApplyCounts, Campaign, CampaignPhase, DecisionOutcome, Entry, Item, RevocationAction } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { effectiveDecision, isForwarded } from '../domain/stages.js';
import { applyConfirmed, applyGuardChecked, auditKey, campaignRecord, CONTROLLER_ACTOR, notificationsQueued } from '../domain/audit/events.js';
import { userActor } from '../domain/audit/model.js';
import { recordAfter, recordThenChange, type AuditDeps } from './audit-trail.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { entryCursor, forEachChunk } from './chunked.js';
import { UNLIMITED_BUDGET, type CampaignStore, type DirectoryStore, type Outbox, type TimeBudget } from './ports.js';

/** Reads the protection of a batch of assignments: one batch read of their users, one of their privileges. */
export async function loadProtections(
  directory: Pick<DirectoryStore, 'getUsers' | 'getPrivileges'>,
  assignments: readonly { userId: string; privilegeId: string }[],
): Promise<(userId: string, privilegeId: string) => Protection | undefined> {
  if (assignments.length === 0) return () => undefined;
  const [users, privileges] = await Promise.all([
    directory.getUsers([...new Set(assignments.map((a) => a.userId))]),
    directory.getPrivileges([...new Set(assignments.map((a) => a.privilegeId))]),
  ]);
  return protectionLookup(users, privileges);
}

/** One item as applying would treat it, and why. */
export interface PlannedItem {
  entryId: string;
  itemId: string;
  userId: string;
  userName?: string;
  privilegeId: string;
  privilegeName?: string;
  /** What counts: the decision (`approved`, `rejected`, `modified`) or none (`uncertified`). */
  category: ItemCategory;
  decision?: DecisionOutcome;
  decidedBy?: string;
  /** The campaign's revocation setting for the category (absent for an approved item: it is kept whatever the settings). */
  revocation?: RevocationAction;
  action: ApplyAction;
  /** KEPT_BY_GUARD: what protects it. */
  protection?: Protection;
  /** MODIFY: what changes. */
  endDate?: string | null;
  parameters?: Record<string, string | null>;
  /** In words: why this action. */
  why: string;
}

/**
 * What applying one entry would do to each item it applies (an item a later stage decides is left
 * to that stage's entry). `closesAt`: for an entry still open, the instant it is taken to close
 * (decisions recorded after it do not count, the rest is uncertified); a closed entry keeps its own.
 */
export async function planEntry(
  directory: Pick<DirectoryStore, 'getUsers' | 'getPrivileges'>,
  campaign: Pick<Campaign, 'revocation'>,
  entry: Entry,
  items: readonly Item[],
  closesAt?: Date,
): Promise<PlannedItem[]> {
  const closed = { closedAt: entry.closedAt ?? closesAt?.toISOString() };
  const planned = items.filter((item) => !isForwarded(entry, item)).map((item) => ({ item, plan: planItem(item, closed, campaign.revocation) }));
  const protectionOf = await loadProtections(
    directory,
    planned.filter((p) => mayRemove(p.plan)).map((p) => p.item),
  );
  return planned.map(({ item, plan }) => {
    const protection = mayRemove(plan) ? protectionOf(item.userId, item.privilegeId) : undefined;
    const action = guardedAction(plan, protection);
    const decision = isDecided(item, closed) ? effectiveDecision(item) : undefined;
    const revocation = plan.category === 'approved' ? undefined : campaign.revocation[plan.category];
    return {
      entryId: entry.id,
      itemId: item.id,
      userId: item.userId,
      ...(item.userName ? { userName: item.userName } : {}),
      privilegeId: item.privilegeId,
      ...(item.privilegeName ? { privilegeName: item.privilegeName } : {}),
      category: plan.category,
      ...(decision ? { decision: decision.outcome, decidedBy: decision.decidedBy } : {}),
      ...(revocation ? { revocation } : {}),
      action,
      ...(protection ? { protection } : {}),
      ...(plan.change === 'MODIFY' && plan.endDate !== undefined ? { endDate: plan.endDate } : {}),
      ...(plan.change === 'MODIFY' && plan.parameters ? { parameters: plan.parameters } : {}),
      why: whyOf(plan, action, revocation, decision?.decidedBy, protection),
    };
  });
}

function whyOf(plan: ItemPlan, action: ApplyAction, revocation: RevocationAction | undefined, decidedBy: string | undefined, protection: Protection | undefined): string {
  const decided = plan.category === 'uncertified' ? 'not certified by the due date' : `${plan.category} by ${decidedBy ?? 'the approver'}`;
  const setting = revocation ? `; revocation.${plan.category} ${revocation}` : '';
  if (action === 'KEPT_BY_GUARD') return `${decided}${setting}, but ${describeProtection(protection!)}`;
  if (action === 'KEEP' && plan.category === 'approved') return decided;
  return `${decided}${setting}`;
}

/** What applying one entry would do, counted (the GUARD phase's per-entry work; chunks sum it). */
export async function countEntry(deps: { directory: Pick<DirectoryStore, 'getUsers' | 'getPrivileges'>; campaigns: Pick<CampaignStore, 'getEntryWithItems'> }, campaign: Campaign, listed: Entry): Promise<ApplyCounts> {
  // As the finish will find it: read again (the listing may lag), and only an entry it applies.
  const loaded = await deps.campaigns.getEntryWithItems(listed.id);
  if (!loaded || !APPLICABLE_STATES.includes(loaded.entry.state)) return emptyApplyCounts();
  const planned = await planEntry(deps.directory, campaign, loaded.entry, loaded.items);
  return planned.reduce((counts, p) => countAction(counts, p.action), emptyApplyCounts());
}

export interface GuardDeps extends AuditDeps {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  outbox: Outbox;
  portalUrl: string;
  /** Checked between chunks; default unlimited. */
  budget?: TimeBudget;
  /** Entries per chunk; default GUARD_CHUNK. */
  chunkSize?: number;
}

/** Entries counted per chunk (each is read with its items, and its removals' users and privileges looked up). */
export const GUARD_CHUNK = 100;

/**
 * The GUARD phase: counts what applying would do, entry by entry in time-budgeted chunks, saving
 * after each chunk the last entry counted and the counts so far on the phase (a resumed run counts
 * each chunk once); once every entry is counted, under the campaign's cap it moves to APPLY, over
 * it to AWAIT_CONFIRMATION with an Apply Confirmation notice to the owner. Nothing is removed here.
 * Returns the campaign still in GUARD when the budget ran out with entries left.
 */
export async function guardCampaign(deps: GuardDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  const phase: Extract<CampaignPhase, { name: 'GUARD' }> = campaign.phase.name === 'GUARD' ? campaign.phase : { name: 'GUARD' };
  // The counts saved with the cursor: a phase with no cursor yet counts from nothing.
  let counted = phase.after !== undefined && phase.counted ? phase.counted : emptyApplyCounts();
  let entriesCounted = phase.after !== undefined ? (phase.entries ?? 0) : 0;
  let current = campaign;
  const result = await forEachChunk({
    pages: (after) => deps.campaigns.listEntries(campaign.runId, after === undefined ? {} : { after }),
    keyOf: entryCursor,
    after: phase.after,
    budget: deps.budget ?? UNLIMITED_BUDGET,
    chunkSize: deps.chunkSize ?? GUARD_CHUNK,
    work: async (entries) => {
      for (const entry of entries) counted = addApplyCounts(counted, await countEntry(deps, campaign, entry));
      entriesCounted += entries.length;
    },
    checkpoint: async (after) => {
      current = withPhase(current, { name: 'GUARD', after, counted, entries: entriesCounted }, now);
      await deps.campaigns.saveCampaign(current);
    },
  });
  if (!result.done) return current;
  return concludeGuard(deps, current, counted, now);
}

/** The GUARD phase's verdict on the whole run's counts: APPLY, or AWAIT_CONFIRMATION and the owner told. */
export async function concludeGuard(deps: GuardDeps, campaign: Campaign, counts: ApplyCounts, now: Date): Promise<Campaign> {
  const at = now.toISOString();
  const verdict = capVerdict(counts, campaign);
  const checked = applyGuardChecked(campaign, counts, verdict, CONTROLLER_ACTOR, at);
  if (!verdict.exceeded) {
    const next = withPhase(campaign, { name: 'APPLY' }, now);
    return recordThenChange(deps, campaignRecord(next, auditKey.campaign(next), at, [checked]), async () => {
      await deps.campaigns.saveCampaign(next);
      return next;
    });
  }
  const next = withPhase(campaign, { name: 'AWAIT_CONFIRMATION', counts, since: at }, now);
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  const notice = await notifier.composeFor('APPLY_CONFIRMATION', notificationKey.applyConfirmation(campaign), campaign.ownerId, {
    applyCounts: counts,
    removalPercent: percent(verdict.removalShare),
    maxRemovalPercent: percent(verdict.maxRemovalShare),
  });
  return recordThenChange(deps, campaignRecord(next, auditKey.campaign(next), at, [checked, ...notificationsQueued([notice], CONTROLLER_ACTOR, at)]), async () => {
    await deps.outbox.enqueue([notice]);
    await deps.campaigns.saveCampaign(next);
    return next;
  });
}

/** 0.4567 → "45.7"; whole numbers without decimals ("20"). */
export const percent = (share: number): string => String(Math.round(share * 1000) / 10);

export interface ConfirmApplyDeps extends AuditDeps {
  campaigns: CampaignStore;
}

/**
 * `idgov campaign confirm-apply ID`: the owner (or an administrator) confirms applying a campaign
 * that waits over its cap (AWAIT_CONFIRMATION); it moves to APPLY with the confirmation (who, when,
 * the counts they confirmed), and the next controller run applies it. Recorded once saved (a
 * request), once per run: confirming a campaign already confirmed changes nothing and writes the
 * record a confirmation killed before it had not.
 */
export async function confirmApply(deps: ConfirmApplyDeps, campaignId: string, by: string, now: Date): Promise<Campaign> {
  const who = by.trim();
  if (!who) throw new ValidationError('must not be empty: say who confirms', 'by');
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  return confirmCampaign(deps, campaign, who, now);
}

/** confirmApply once the campaign is read and `who` checked. */
async function confirmCampaign(deps: ConfirmApplyDeps, campaign: Campaign, who: string, now: Date): Promise<Campaign> {
  const campaignId = campaign.id;
  if (campaign.state === 'RUNNING' && campaign.phase.name === 'APPLY' && campaign.phase.confirmed) {
    await record(deps, campaign, campaign.phase.confirmed);
    return campaign;
  }
  if (campaign.state !== 'RUNNING' || campaign.phase.name !== 'AWAIT_CONFIRMATION') {
    const where = campaign.state === 'RUNNING' ? `RUNNING (phase ${campaign.phase.name})` : campaign.state;
    throw new ClosedError(`campaign ${campaignId} is ${where}: only a campaign waiting for confirmation (phase AWAIT_CONFIRMATION) can be confirmed`);
  }
  const confirmation: ApplyConfirmation = { by: who, at: now.toISOString(), counts: campaign.phase.counts };
  const next = withPhase(campaign, { name: 'APPLY', confirmed: confirmation }, now);
  await deps.campaigns.saveCampaign(next);
  await record(deps, next, confirmation);
  return next;
}

/**
 * The portal's confirmation (POST /campaigns/{id}/confirm-apply): by the campaign's owner only, and
 * of the removals they were shown: `remove` must be the count the campaign waits on (a page loaded
 * before another run's guard must not confirm that run). NotFoundError naming `id`, ForbiddenError
 * for anyone else, ValidationError naming `remove` for another count; then as confirmApply.
 */
export async function confirmApplyAsOwner(deps: ConfirmApplyDeps, campaignId: string, ownerId: string, remove: number, now: Date): Promise<Campaign> {
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId, 'id');
  if (campaign.ownerId !== ownerId) throw new ForbiddenError(`${ownerId} is not the owner of campaign ${campaignId}: only its owner confirms it here`);
  const waiting = campaign.state === 'RUNNING' && campaign.phase.name === 'AWAIT_CONFIRMATION' ? campaign.phase.counts : undefined;
  const confirmed = campaign.state === 'RUNNING' && campaign.phase.name === 'APPLY' ? campaign.phase.confirmed?.counts : undefined;
  const counts = waiting ?? confirmed;
  if (counts && counts.remove !== remove) {
    throw new ValidationError(`the campaign waits to remove ${counts.remove} of ${counts.items} items, not ${remove}: reload it and confirm what it shows`, 'remove');
  }
  return confirmCampaign(deps, campaign, ownerId, now);
}

const record = (deps: ConfirmApplyDeps, campaign: Campaign, confirmation: ApplyConfirmation) =>
  recordAfter(
    deps.audit,
    campaignRecord(campaign, auditKey.confirmApply(campaign), confirmation.at, [applyConfirmed(campaign, confirmation, maxRemovalShareOf(campaign), userActor(confirmation.by))]),
  );
