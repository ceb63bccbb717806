// docs/reference/campaigns.md, step 3 (Run): reminders and expiry of the entries of a RUNNING campaign. Every
// notification is recorded before the entry change that implies it, so a killed run re-records
// nothing (same key) and still makes the change.
import { buildEntry, closeDueEntry, nextRunningEntryStep, openItems, withEntryChange, withReminderSlot } from '../domain/entries.js';
import type { Campaign, Entry, Item, Notification } from '../domain/model.js';
import { groupEntryKey, splitSelfReview } from '../domain/review-groups.js';
import { awaitsNextStage, forwardedItems, nextStagePlan, stageDueDate } from '../domain/stages.js';
import { notificationKey } from '../domain/notifications.js';
import { auditKey, CONTROLLER_ACTOR, entryCreated, entryRecord, entryStateChanged, notificationsQueued } from '../domain/audit/events.js';
import { recordThenChange, type AuditDeps } from './audit-trail.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { mapLimit } from './concurrency.js';
import { announceLaterStages } from './announce-stage.js';
import { entryNotifications, nextUpResolver } from './prepare-campaign.js';
import type { CampaignStore, DirectoryStore, Outbox } from './ports.js';

export interface RunEntriesDeps extends AuditDeps {
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
  // Later-stage entries not announced yet: written by this pass (its batch: the first one's id), or
  // by a pass killed before it announced them. Their approvers get one Approval Start per batch.
  const pass: NextStagePass = { marked: [] };
  for await (const page of deps.campaigns.listEntries(campaign.runId)) {
    pass.marked.push(...page.filter((e) => e.announceBatch !== undefined && e.state === 'RUNNING'));
    await mapLimit(page, 8, async (entry) => {
      const step = nextRunningEntryStep(entry, campaign.reminders, now);
      if (step.action === 'CLOSE_DUE') {
        const closed = await closeEntry(deps, notifier, entry, now);
        if (closed?.state === 'FAILED.EXPIRED') result.expired += 1;
        if (closed && awaitsNextStage(closed)) result.stillOpen += await startNextStage(deps, notifier, campaign, closed, now, pass);
      } else if (awaitsNextStage(entry)) {
        result.stillOpen += await startNextStage(deps, notifier, campaign, entry, now, pass);
      } else if (step.action === 'REMIND') {
        if (await remind(deps, notifier, entry, step.slot, now)) result.reminded += 1;
        result.stillOpen += 1;
      } else if (entry.state === 'RUNNING' && entry.itemCount > 0) {
        result.stillOpen += 1;
      }
    });
  }
  await announceLaterStages(deps, campaign, pass.marked, now);
  return result;
}

/** What one pass's stage hand-overs share: the batch their new entries are announced in, and the entries to announce. */
interface NextStagePass {
  batch?: string;
  marked: Entry[];
}

async function closeEntry(deps: RunEntriesDeps, notifier: CampaignNotifier, entry: Entry, now: Date): Promise<Entry | undefined> {
  const loaded = await deps.campaigns.getEntryWithItems(entry.id);
  if (!loaded) return undefined;
  // The listing may lag a reassignment or a due-date change: act on the entry as it is now.
  const current = loaded.entry;
  if (current.state !== 'RUNNING' || now.toISOString() < current.dueDate) return undefined;
  const { next, timedOut } = closeDueEntry(current, loaded.items, now);
  const open = openItems(current, loaded.items).length;
  let notices: Notification[] = [];
  if (timedOut) {
    await notifier.prefetch(current.approverIds);
    notices = current.approverIds.map((approverId) =>
      notifier.compose(
        'APPROVAL_TIMEOUT',
        notificationKey.approvalTimeout(entry.id, approverId),
        approverId,
        { subjectName: entry.subjectName, itemCount: entry.itemCount, openItemCount: open, stage: entry.stage, dueDate: entry.dueDate },
        entry.id,
      ),
    );
  }
  const at = now.toISOString();
  const events = [
    entryStateChanged(current.state, next, CONTROLLER_ACTOR, at, { dueDate: current.dueDate, openItems: open }),
    ...notificationsQueued(notices, CONTROLLER_ACTOR, at),
  ];
  await recordThenChange(deps, entryRecord(next, auditKey.entry(next), at, events), async () => {
    if (notices.length > 0) await deps.outbox.enqueue(notices);
    await deps.campaigns.saveEntry(next);
  });
  return next;
}

/**
 * Hands what a closed stage approved to the next stage's approvers (split again so nobody reviews
 * their own access), then marks the closed entry as advanced. A next-stage entry that already
 * exists (a killed run wrote it) is never rewritten: its approvers may have decided already.
 * Returns how many new entries have open work.
 */
async function startNextStage(deps: RunEntriesDeps, notifier: CampaignNotifier, campaign: Campaign, entry: Entry, now: Date, pass: NextStagePass): Promise<number> {
  const loaded = await deps.campaigns.getEntryWithItems(entry.id);
  // The listing may lag: decide on the entry as it is now.
  if (!loaded || !awaitsNextStage(loaded.entry)) return 0;
  const current = loaded.entry;
  const plan = nextStagePlan(current)!;
  const carried = forwardedItems(current, loaded.items);
  const stage = current.stage + 1;
  const holders = await deps.directory.getUsers(carried.map((i) => i.userId));
  await notifier.prefetch(plan.approverIds);
  // Approvers were checked when the plan was made; one may have left since.
  const approverIds = plan.approverIds.filter((id) => notifier.known(id)?.status === 'ACTIVE');
  const nextUp = await nextUpResolver(notifier, campaign, holders.values());
  const groups = carried.length === 0 ? [] : splitSelfReview(campaign.kind, approverIds, carried, (i: Item) => i, nextUp);
  const built = groups.map((group) =>
    buildEntry({
      campaign,
      subject: { id: current.subjectId, name: current.subjectName },
      entryKey: groupEntryKey(`${current.subjectId}|after:${current.id}`, group.key),
      stage,
      approverIds: group.approverIds,
      assignments: [],
      carriedItems: group.members,
      plan: current.plan,
      substitutions: group.substitutions,
      dueDate: stageDueDate(campaign, plan, now),
      now,
    }),
  );
  // The pass's batch is the id of the first entry it writes: ids never repeat, so neither do batches.
  for (const b of built) {
    if (b.entry.state !== 'RUNNING' || b.entry.approverIds.length === 0) continue;
    pass.batch ??= b.entry.id;
    b.entry.announceBatch = pass.batch;
  }
  const created = built.map((b) => b.entry.id);
  const open = built.filter((b) => b.entry.state === 'RUNNING').length;
  const at = now.toISOString();
  const advanced = withEntryChange(current, now, { advancedAt: at, nextEntryIds: created });
  const events = built.flatMap((b) => [
    entryCreated(b.entry, b.items, CONTROLLER_ACTOR, at, current.id),
    ...notificationsQueued(entryNotifications(notifier, campaign, b.entry), CONTROLLER_ACTOR, at),
  ]);
  // One record for the stage's hand-over (the next stage's entries and their notices), before any is written.
  await recordThenChange(deps, entryRecord(advanced, auditKey.entry(advanced), at, events), async () => {
    for (const b of built) {
      // An entry record is written last, so one that exists is complete; its approvers may have decided.
      if (await deps.campaigns.getEntry(b.entry.id)) continue;
      const noApprover = entryNotifications(notifier, campaign, b.entry);
      if (noApprover.length > 0) await deps.outbox.enqueue(noApprover);
      await deps.campaigns.createEntry(b.entry, b.items);
      if (b.entry.announceBatch) pass.marked.push(b.entry);
    }
    await deps.campaigns.saveEntry(advanced);
  });
  return open;
}

/** Reminds the approvers of an entry with open items; true if it did. The slot is spent either way. */
async function remind(deps: RunEntriesDeps, notifier: CampaignNotifier, listed: Entry, slot: number, now: Date): Promise<boolean> {
  const loaded = await deps.campaigns.getEntryWithItems(listed.id);
  if (!loaded || loaded.entry.state !== 'RUNNING') return false;
  // The listing may lag a reassignment: remind whoever holds the entry now.
  const entry = loaded.entry;
  const open = openItems(entry, loaded.items).length;
  // Everything decided (an entry the administrator reopened for a second look): nothing to remind of.
  if (open === 0) {
    await deps.campaigns.saveEntry(withReminderSlot(entry, slot, now));
    return false;
  }
  await notifier.prefetch(entry.approverIds);
  const notices = entry.approverIds.map((approverId) =>
    notifier.compose(
      'APPROVAL_REMIND',
      notificationKey.approvalRemind(entry.id, slot, approverId),
      approverId,
      { subjectName: entry.subjectName, itemCount: entry.itemCount, openItemCount: open, stage: entry.stage, dueDate: entry.dueDate },
      entry.id,
    ),
  );
  const next = withReminderSlot(entry, slot, now);
  await recordThenChange(deps, entryRecord(next, auditKey.entry(next), now.toISOString(), notificationsQueued(notices, CONTROLLER_ACTOR, now.toISOString())), async () => {
    await deps.outbox.enqueue(notices);
    await deps.campaigns.saveEntry(next);
  });
  return true;
}
