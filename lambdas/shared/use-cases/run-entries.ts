// SPEC 2, step 3 (Run): reminders and expiry of the entries of a RUNNING campaign. Every
// notification is recorded before the entry change that implies it, so a killed run re-records
// nothing (same key) and still makes the change.
import { closeDueEntry, nextRunningEntryStep, openItems, withReminderSlot } from '../domain/entries.js';
import type { Campaign, Entry } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { mapLimit } from './concurrency.js';
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
        if (await closeEntry(deps, notifier, entry, now)) result.expired += 1;
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

async function closeEntry(deps: RunEntriesDeps, notifier: CampaignNotifier, entry: Entry, now: Date): Promise<boolean> {
  const loaded = await deps.campaigns.getEntryWithItems(entry.id);
  if (!loaded) return false;
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
          { subjectName: entry.subjectName, itemCount: entry.itemCount, openItemCount: open, stage: entry.stage },
          entry.id,
        ),
      ),
    );
  }
  await deps.campaigns.saveEntry(next);
  return timedOut;
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
        { subjectName: entry.subjectName, itemCount: entry.itemCount, openItemCount: open, stage: entry.stage },
        entry.id,
      ),
    ),
  );
  await deps.campaigns.saveEntry(withReminderSlot(entry, slot, now));
}
