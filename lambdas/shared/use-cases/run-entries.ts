// SPEC 2, step 3 (Run): reminders and expiry of the entries of a RUNNING campaign. Every
// notification is recorded before the entry change that implies it, so a killed run re-records
// nothing (same key) and still makes the change.
import { buildEntry, closeDueEntry, nextRunningEntryStep, openItems, withEntryChange, withReminderSlot } from '../domain/entries.js';
import type { Campaign, Entry, Item } from '../domain/model.js';
import { groupEntryKey, splitSelfReview } from '../domain/review-groups.js';
import { awaitsNextStage, forwardedItems, nextStagePlan, stageDueDate } from '../domain/stages.js';
import { notificationKey } from '../domain/notifications.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { mapLimit } from './concurrency.js';
import { entryNotifications } from './prepare-campaign.js';
import type { CampaignStore, DirectoryStore, Outbox } from './ports.js';

export interface RunEntriesDeps {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  outbox: Outbox;
  portalUrl: string;
}

export interface RunEntriesResult {
  /** Entries still open with a due date in the future: the campaign cannot finish yet. */
  stillOpen: number;
  expired: number;
  reminded: number;
}

export async function runEntries(deps: RunEntriesDeps, campaign: Campaign, now: Date): Promise<RunEntriesResult> {
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  const result: RunEntriesResult = { stillOpen: 0, expired: 0, reminded: 0 };
  for await (const page of deps.campaigns.listEntries(campaign.runId)) {
    await mapLimit(page, 8, async (entry) => {
      const step = nextRunningEntryStep(entry, campaign.reminders, now);
      if (step.action === 'CLOSE_DUE') {
        const closed = await closeEntry(deps, notifier, entry, now);
        if (closed?.state === 'FAILED.EXPIRED') result.expired += 1;
        if (closed && awaitsNextStage(closed)) result.stillOpen += await startNextStage(deps, notifier, campaign, closed, now);
      } else if (awaitsNextStage(entry)) {
        result.stillOpen += await startNextStage(deps, notifier, campaign, entry, now);
      } else if (step.action === 'REMIND') {
        await remind(deps, notifier, entry, step.slot, now);
        result.reminded += 1;
        result.stillOpen += 1;
      } else if (entry.state === 'RUNNING' && entry.itemCount > 0) {
        result.stillOpen += 1;
      }
    });
  }
  return result;
}

async function closeEntry(deps: RunEntriesDeps, notifier: CampaignNotifier, entry: Entry, now: Date): Promise<Entry | undefined> {
  const loaded = await deps.campaigns.getEntryWithItems(entry.id);
  if (!loaded) return undefined;
  const { next, timedOut } = closeDueEntry(loaded.entry, loaded.items, now);
  if (timedOut) {
    const open = openItems(loaded.entry, loaded.items).length;
    await notifier.prefetch(entry.approverIds);
    await deps.outbox.enqueue(
      entry.approverIds.map((approverId) =>
        notifier.compose(
          'APPROVAL_TIMEOUT',
          notificationKey.approvalTimeout(entry.id, approverId),
          approverId,
          { subjectName: entry.subjectName, itemCount: entry.itemCount, openItemCount: open, stage: entry.stage, dueDate: entry.dueDate },
          entry.id,
        ),
      ),
    );
  }
  await deps.campaigns.saveEntry(next);
  return next;
}

/**
 * Hands what a closed stage approved to the next stage's approvers (split again so nobody reviews
 * their own access), then marks the closed entry as advanced. A next-stage entry that already
 * exists (a killed run wrote it) is never rewritten: its approvers may have decided already.
 * Returns how many new entries have open work.
 */
async function startNextStage(deps: RunEntriesDeps, notifier: CampaignNotifier, campaign: Campaign, entry: Entry, now: Date): Promise<number> {
  const loaded = await deps.campaigns.getEntryWithItems(entry.id);
  const plan = nextStagePlan(entry);
  if (!loaded || !plan) return 0;
  const carried = forwardedItems(loaded.entry, loaded.items);
  const stage = entry.stage + 1;
  const holders = await deps.directory.getUsers(carried.map((i) => i.userId));
  await notifier.prefetch([...plan.approverIds, ...[...holders.values()].flatMap((u) => (u.managerId ? [u.managerId] : []))]);
  const nextUp = (userId: string) => {
    const manager = notifier.known(holders.get(userId)?.managerId ?? '');
    if (manager?.status === 'ACTIVE' && manager.id !== userId) return manager.id;
    return campaign.ownerId !== userId ? campaign.ownerId : undefined;
  };
  const groups = carried.length === 0 ? [] : splitSelfReview(campaign.kind, plan.approverIds, carried, (i: Item) => i, nextUp);
  const created: string[] = [];
  let open = 0;
  for (const group of groups) {
    const built = buildEntry({
      campaign,
      subject: { id: entry.subjectId, name: entry.subjectName },
      entryKey: groupEntryKey(`${entry.subjectId}|after:${entry.id}`, group.key),
      stage,
      approverIds: group.approverIds,
      assignments: [],
      carriedItems: group.members,
      plan: entry.plan,
      substitutions: group.substitutions,
      dueDate: stageDueDate(campaign, plan, now),
      now,
    });
    created.push(built.entry.id);
    if (built.entry.state === 'RUNNING') open += 1;
    if (await deps.campaigns.getEntry(built.entry.id)) continue;
    await deps.campaigns.putEntriesWithItems([built], entryNotifications(notifier, campaign, built.entry));
  }
  await deps.campaigns.saveEntry(withEntryChange(loaded.entry, now, { advancedAt: now.toISOString(), nextEntryIds: created }));
  return open;
}

async function remind(deps: RunEntriesDeps, notifier: CampaignNotifier, entry: Entry, slot: number, now: Date): Promise<void> {
  const loaded = await deps.campaigns.getEntryWithItems(entry.id);
  const open = loaded ? openItems(loaded.entry, loaded.items).length : entry.itemCount;
  await notifier.prefetch(entry.approverIds);
  await deps.outbox.enqueue(
    entry.approverIds.map((approverId) =>
      notifier.compose(
        'APPROVAL_REMIND',
        notificationKey.approvalRemind(entry.id, slot, approverId),
        approverId,
        { subjectName: entry.subjectName, itemCount: entry.itemCount, openItemCount: open, stage: entry.stage, dueDate: entry.dueDate },
        entry.id,
      ),
    ),
  );
  await deps.campaigns.saveEntry(withReminderSlot(entry, slot, now));
}
