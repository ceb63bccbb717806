// SPEC 2, step 4 (Finish): apply every entry's decisions, tell each user who lost access once,
// then close the campaign. Directory changes are idempotent (remove, set) and every record has a
// deterministic key, so a re-run after a kill repeats no revocation and no notification.
import { APPLICABLE_STATES, withEntryChange } from '../domain/entries.js';
import { isForwarded } from '../domain/stages.js';
import { addStats, countPlan, emptyStats, planItem } from '../domain/application.js';
import { markSucceeded, withPhase } from '../domain/campaign-lifecycle.js';
import type { Campaign, CampaignStats, Entry, Revocation } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { REVOCATION_REASON_TEXT } from '../domain/templates.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { chunk } from './concurrency.js';
import type { CampaignStore, DirectoryStore, Log, Outbox } from './ports.js';

export interface FinishDeps {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  outbox: Outbox;
  portalUrl: string;
  log: Log;
}

export async function applyDecisions(deps: FinishDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  for await (const page of deps.campaigns.listEntries(campaign.runId)) {
    for (const entry of page) {
      if (APPLICABLE_STATES.includes(entry.state)) await applyEntry(deps, campaign, entry, now);
    }
  }
  const next = withPhase(campaign, { name: 'NOTIFY_REJECTS' }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

async function applyEntry(deps: FinishDeps, campaign: Campaign, listed: Entry, now: Date): Promise<void> {
  const loaded = await deps.campaigns.getEntryWithItems(listed.id);
  if (!loaded) return;
  const { entry, items } = loaded;
  let stats = emptyStats();
  const failures: string[] = [];
  const at = now.toISOString();
  for (const item of items) {
    // Approved here and handed to the next stage: that stage's decision is applied there.
    if (isForwarded(entry, item)) continue;
    const plan = planItem(item, entry, campaign.revocation);
    stats = countPlan(stats, plan);
    if (plan.change === 'NONE') continue;
    try {
      if (plan.change === 'REMOVE' && (await deps.directory.removeAssignment(item.userId, item.privilegeId)) === 'NOT_MANUAL') {
        // It became rule-based or inherited meanwhile: not ours to remove (SPEC 1).
        deps.log.warn('assignment is no longer MANUAL; left as it is', { entryId: entry.id, itemId: item.id });
        stats = { ...stats, revoked: stats.revoked - 1 };
        continue;
      }
      if (plan.change === 'MODIFY') {
        await deps.directory.modifyAssignment(item.userId, item.privilegeId, { endDate: plan.endDate, parameters: plan.parameters });
      }
    } catch (error) {
      deps.log.error('applying a decision failed', { entryId: entry.id, itemId: item.id, error: String(error) });
      failures.push(`${item.id}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (plan.change === 'REMOVE') {
      await deps.campaigns.putRevocation({
        runId: campaign.runId,
        campaignId: campaign.id,
        userId: item.userId,
        privilegeId: item.privilegeId,
        ...(item.privilegeName ? { privilegeName: item.privilegeName } : {}),
        entryId: entry.id,
        itemId: item.id,
        reason: plan.reason,
        at,
      });
    }
    await deps.campaigns.saveItemApplied(entry.id, item.id, { action: plan.change === 'REMOVE' ? 'REMOVED' : 'MODIFIED', at });
  }
  await deps.campaigns.saveEntry(
    withEntryChange(entry, now, {
      state: failures.length ? 'FAILED.APPLIED.CHANGES' : 'FINISHED',
      endDate: at,
      closedAt: entry.closedAt ?? at,
      stats,
      ...(failures.length ? { error: `changes failed to apply: ${failures.join('; ')}` } : {}),
    }),
  );
}

/** One Assignment Reject per user who lost access, then Campaign End, then SUCCEEDED. */
export async function closeCampaign(deps: FinishDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  const byUser = new Map<string, Revocation[]>();
  for await (const page of deps.campaigns.listRevocations(campaign.runId)) {
    for (const r of page) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
  }
  for (const users of chunk([...byUser.keys()], 100)) {
    await notifier.prefetch(users);
    await deps.outbox.enqueue(
      users.map((userId) => {
        const revoked = byUser.get(userId)!.map((r) => ({ privilegeId: r.privilegeId, privilegeName: r.privilegeName ?? r.privilegeId, reason: REVOCATION_REASON_TEXT[r.reason] }));
        return notifier.compose('ASSIGNMENT_REJECT', notificationKey.assignmentReject(campaign, userId), userId, {
          revoked,
          revokedCount: revoked.length,
        });
      }),
    );
  }

  const stats = await campaignStats(deps.campaigns, campaign);
  const succeeded = markSucceeded(campaign, stats, now);
  const endNotifier = new CampaignNotifier(deps.directory, deps.portalUrl, succeeded, now);
  await deps.outbox.enqueue([
    await endNotifier.composeFor('CAMPAIGN_END', notificationKey.campaignEnd(campaign), campaign.ownerId, {
      entryCount: stats.entries,
      itemCount: stats.items,
      // The template says these are entries whose changes could not be applied: not FAILED.PREPARE ones.
      failedEntryCount: stats.entriesByState['FAILED.APPLIED.CHANGES'] ?? 0,
      stats,
    }),
  ]);
  await deps.campaigns.saveCampaign(succeeded);
  return succeeded;
}

export async function campaignStats(campaigns: CampaignStore, campaign: Campaign): Promise<CampaignStats> {
  let totals = emptyStats();
  const entriesByState: CampaignStats['entriesByState'] = {};
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
      if (e.stats) totals = addStats(totals, e.stats);
    }
  }
  return { ...totals, entries, items, entriesByState };
}
