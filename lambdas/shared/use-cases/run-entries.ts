// docs/reference/campaigns.md, step 3 (Run): reminders and expiry of the entries of a RUNNING campaign. Every
// notification is recorded before the entry change that implies it, so a killed run re-records
// nothing (same key) and still makes the change. Reminders go per approver: the pass collects the
// entries due one, then each approver gets one Approval Remind per reminder slot (its key), and only
// then are the entries' slots spent.
import { buildEntry, closeDueEntry, nextRunningEntryStep, openItems, reminderSlotStart, withEntryChange, withReminderSlot } from '../domain/entries.js';
import type { Campaign, Entry, Item, Notification } from '../domain/model.js';
import { groupEntryKey, splitSelfReview } from '../domain/review-groups.js';
import { awaitsNextStage, forwardedItems, nextStagePlan, stageDueDate } from '../domain/stages.js';
import { notificationKey } from '../domain/notifications.js';
import { auditKey, campaignRecord, CONTROLLER_ACTOR, entryCreated, entryRecord, entryStateChanged, notificationsQueued } from '../domain/audit/events.js';
import { ConflictError } from '../domain/errors.js';
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
  /** Approval Reminds this pass recorded: one per approver and reminder slot (one a killed run queued already counts again). */
  reminded: number;
}

export async function runEntries(deps: RunEntriesDeps, campaign: Campaign, now: Date): Promise<RunEntriesResult> {
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  const result: RunEntriesResult = { stillOpen: 0, expired: 0, reminded: 0 };
  // Later-stage entries not announced yet: written by this pass (its batch: the first one's id), or
  // by a pass killed before it announced them. Their approvers get one Approval Start per batch.
  const pass: NextStagePass = { marked: [] };
  const reminders: PassReminders = { byApprover: new Map(), due: [] };
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
        await collectReminder(deps, campaign, entry, now, reminders);
        result.stillOpen += 1;
      } else if (entry.state === 'RUNNING' && entry.itemCount > 0) {
        result.stillOpen += 1;
      }
    });
  }
  await announceLaterStages(deps, campaign, pass.marked, now);
  result.reminded = await remindApprovers(deps, notifier, campaign, reminders, now);
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

/** An entry due a reminder: only what spending its slot needs (the notices keep their own totals). */
interface DueReminder {
  entryId: string;
  slot: number;
}

/** What one approver's reminder for one reminder slot says, summed over their entries due it. */
interface ApproverReminder {
  approverId: string;
  slotStart: string;
  entryCount: number;
  itemCount: number;
  openItemCount: number;
  dueDate: string;
  stages: Set<number>;
  /** The entry, while there is only one. */
  only?: { id: string; subjectName: string };
}

/** The reminders a pass owes: per approver and slot start, and the entries whose slots they spend. */
interface PassReminders {
  byApprover: Map<string, ApproverReminder>;
  due: DueReminder[];
}

/**
 * Adds the entry to its approvers' reminders if it is due one as it is now; one with nothing open
 * has its slot spent here (nothing to remind of).
 */
async function collectReminder(deps: RunEntriesDeps, campaign: Campaign, listed: Entry, now: Date, reminders: PassReminders): Promise<void> {
  const loaded = await deps.campaigns.getEntryWithItems(listed.id);
  if (!loaded || !campaign.reminders) return;
  // The listing may lag a reassignment or a due-date change: remind whoever holds the entry now, if it is still due, for its slot now.
  const entry = loaded.entry;
  const step = nextRunningEntryStep(entry, campaign.reminders, now);
  if (step.action !== 'REMIND') return;
  const { slot } = step;
  const open = openItems(entry, loaded.items).length;
  // Everything decided (an entry the administrator reopened for a second look): nothing to remind of.
  if (open === 0) {
    await spendSlot(deps, { entryId: entry.id, slot }, now);
    return;
  }
  const slotStart = reminderSlotStart(entry, campaign.reminders, now);
  for (const approverId of new Set(entry.approverIds)) {
    const key = `${slotStart}|${approverId}`;
    const r = reminders.byApprover.get(key);
    if (!r) {
      reminders.byApprover.set(key, { approverId, slotStart, entryCount: 1, itemCount: entry.itemCount, openItemCount: open, dueDate: entry.dueDate, stages: new Set([entry.stage]), only: { id: entry.id, subjectName: entry.subjectName } });
      continue;
    }
    r.entryCount += 1;
    r.itemCount += entry.itemCount;
    r.openItemCount += open;
    if (entry.dueDate < r.dueDate) r.dueDate = entry.dueDate;
    r.stages.add(entry.stage);
    r.only = undefined;
  }
  reminders.due.push({ entryId: entry.id, slot });
}

/**
 * One Approval Remind per approver and slot start (entries sharing a due date share their slots),
 * recorded, then queued; then each entry's slot is spent. The key comes from the entries' slots, not
 * from the run's clock: a run killed in between and re-run, in the same slot, queues the same keys
 * (nothing twice), and a new key means a new slot, when a reminder is due again anyway. An entry
 * that comes due later in a slot whose notice its approver got already is only marked. Returns the
 * notices recorded (one per approver and slot).
 */
async function remindApprovers(deps: RunEntriesDeps, notifier: CampaignNotifier, campaign: Campaign, reminders: PassReminders, now: Date): Promise<number> {
  // Every entry collected is in its approvers' totals: nothing due, nothing to remind of.
  if (reminders.due.length === 0) return 0;
  await notifier.prefetch([...new Set([...reminders.byApprover.values()].map((r) => r.approverId))]);
  const at = now.toISOString();
  for (const reminder of reminders.byApprover.values()) {
    const notice = approverReminder(notifier, campaign, reminder);
    const record = campaignRecord(campaign, auditKey.remind(campaign, reminder.slotStart, reminder.approverId), at, notificationsQueued([notice], CONTROLLER_ACTOR, at));
    await recordThenChange(deps, record, () => deps.outbox.enqueue([notice]));
  }
  await mapLimit(reminders.due, 8, (d) => spendSlot(deps, d, now));
  return reminders.byApprover.size;
}

/**
 * What an approver's reminder says: how many reviews and open assignments, the earliest due date; a
 * single review is named and linked, several link the approver's tasks.
 */
function approverReminder(notifier: CampaignNotifier, campaign: Campaign, r: ApproverReminder): Notification {
  return notifier.compose(
    'APPROVAL_REMIND',
    notificationKey.approverRemind(campaign, r.slotStart, r.approverId),
    r.approverId,
    {
      // About no single entry when there are several: the template's subject section is off, and the mail links the approver's tasks.
      subjectName: r.only?.subjectName ?? '',
      entryCount: r.entryCount,
      itemCount: r.itemCount,
      openItemCount: r.openItemCount,
      ...(r.stages.size === 1 ? { stage: [...r.stages][0]! } : {}),
      dueDate: r.dueDate,
    },
    r.only?.id,
  );
}

/**
 * The entry's reminder slot spent, read again (only ids and slots are kept through the pass). One no
 * longer running, or spent already, is left alone; an approver who saved a decision meanwhile wins,
 * and the next pass marks it (the same key: nothing sent twice).
 */
async function spendSlot(deps: RunEntriesDeps, { entryId, slot }: DueReminder, now: Date): Promise<void> {
  const entry = await deps.campaigns.getEntry(entryId);
  if (!entry || entry.state !== 'RUNNING' || (entry.lastReminderSlot ?? -1) >= slot) return;
  try {
    await deps.campaigns.saveEntry(withReminderSlot(entry, slot, now));
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
