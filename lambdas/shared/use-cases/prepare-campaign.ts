// docs/reference/campaigns.md, step 2 (Prepare): select subjects, collect their manual assignments, limit resources,
// find approvers, and write one entry per subject in chunks. After each chunk the campaign saves
// the last subject written, so a killed run resumes there (the directory listing starts after it,
// by key); a half-written chunk is rewritten with the same deterministic keys. A chunk starts only
// while the time budget lasts (docs/reference/scale.md): an invocation that runs out leaves the
// campaign in PREPARE with its cursor, and a continuation carries on.
import { withPhase } from '../domain/campaign-lifecycle.js';
import { addDays } from '../domain/campaign-schedule.js';
import { buildEntry, countPrepared, type CertifiableAssignment } from '../domain/entries.js';
import { groupEntryKey, splitSelfReview } from '../domain/review-groups.js';
import type { Campaign, CampaignLog, Entry, Item, Notification } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { auditKey, campaignRecord, CONTROLLER_ACTOR, entryCreated, notificationsQueued } from '../domain/audit/events.js';
import type { AuditEvent } from '../domain/audit/model.js';
import { recordThenChange, type AuditDeps } from './audit-trail.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { collect, readAhead } from './concurrency.js';
import { UNLIMITED_BUDGET, type CampaignStore, type TimeBudget } from './ports.js';
import { selectWork, usesHooks, type SelectionDeps, type SubjectWork } from './select-subjects.js';

export interface PrepareDeps extends SelectionDeps, AuditDeps {
  campaigns: CampaignStore;
  portalUrl: string;
  /** Checked between chunks; default unlimited. */
  budget?: TimeBudget;
  /** Chunk bounds (default PREPARE_CHUNK): tests and benchmarks make them small to force many chunks. */
  chunk?: Partial<PrepareChunk>;
}

/** A chunk ends at whichever bound it reaches first. */
export interface PrepareChunk {
  subjects: number;
  items: number;
}

/** Large enough to fill write batches, small enough to resume cheaply and to finish well within a budget's margin. */
export const PREPARE_CHUNK: PrepareChunk = { subjects: 1_000, items: 10_000 };

/**
 * Writes the campaign's entries. Without hooks, selection streams and each chunk is written as it
 * comes; when the budget is spent (checked between chunks, after the first) the campaign is saved in
 * PREPARE with its cursor and returned as it is: the caller's continuation resumes it. With hooks,
 * every hook answers before anything is written, so a failing hook leaves nothing half-written: it
 * surfaces as a HookError and the campaign fails preparation; the budget then does not split the
 * writing (a resumed chunk would call the hooks again).
 */
export async function prepareCampaign(deps: PrepareDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  const after = campaign.phase.name === 'PREPARE' ? campaign.phase.afterSubjectId : undefined;
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  await notifier.prefetch([campaign.ownerId]);

  const budget = usesHooks(campaign) ? UNLIMITED_BUDGET : (deps.budget ?? UNLIMITED_BUDGET);
  const bounds = { ...PREPARE_CHUNK, ...deps.chunk };
  let current = campaign;

  const selected = selectWork(deps, campaign, now, after);
  const pages = usesHooks(campaign) ? [await collect(selected)] : selected;
  // While a chunk is written the next is planned (entries built, approvers resolved) and the one
  // after it read, so that neither the engine nor this process waits on the other (up to three
  // chunks in memory). Chunks are still written one at a time and in order, each recorded before
  // its writes and checkpointed after them; the budget is checked once the chunk before is written
  // (never before the first). A chunk that exists shows that more follow, so a campaign whose
  // budget ends at its last chunk is finished, not left for a continuation with nothing to do.
  let writing: Promise<void> | undefined;
  try {
    for await (const work of readAhead(chunksOf(pages, bounds))) {
      const chunk = await planChunk(deps, current, work, notifier, now);
      await writing;
      if (writing && !budget.hasTimeLeft()) return current;
      writing = writeChunk(deps, current, chunk);
      // Handled here as well: it may fail while the next chunk is read or planned, before it is awaited.
      writing.catch(() => undefined);
      current = chunk.next;
    }
    await writing;
  } finally {
    // However the loop ended, no write is left running when this returns or throws.
    await writing?.catch(() => undefined);
  }
  const next = withPhase(current, { name: 'ANNOUNCE', prepared: countPrepared(preparedSoFar(current), []) }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

/** The subjects' work in chunks: each ends at the first bound it reaches (the last may be smaller). */
async function* chunksOf(pages: AsyncIterable<SubjectWork[]> | Iterable<SubjectWork[]>, bounds: PrepareChunk): AsyncGenerator<SubjectWork[]> {
  let pending: SubjectWork[] = [];
  let pendingItems = 0;
  for await (const works of pages) {
    for (const work of works) {
      pending.push(work);
      pendingItems += work.assignments.length;
      if (pendingItems >= bounds.items || pending.length >= bounds.subjects) {
        yield pending;
        pending = [];
        pendingItems = 0;
      }
    }
  }
  if (pending.length > 0) yield pending;
}

/** A chunk's records, its audit events and the campaign with its checkpoint after it: everything but the writes. */
interface PlannedChunk {
  batch: { entry: Entry; items: Item[] }[];
  notifications: Notification[];
  events: AuditEvent[];
  checkpoint: string;
  next: Campaign;
  at: string;
}

async function planChunk(deps: PrepareDeps, campaign: Campaign, work: SubjectWork[], notifier: CampaignNotifier, now: Date): Promise<PlannedChunk> {
  const batch: { entry: Entry; items: Item[] }[] = [];
  const notifications: Notification[] = [];
  const logs: CampaignLog[] = [];
  const at = now.toISOString();
  const events: AuditEvent[] = [];
  const nextUp = await nextUpResolver(notifier, campaign, holdersOf(work));
  for (const w of work) {
    const stage = w.plan[0];
    const groups = splitSelfReview(
      campaign.kind,
      stage?.approverIds ?? [],
      w.assignments,
      (a) => ({ userId: a.user.id, privilegeId: a.privilege.id }),
      nextUp,
    );
    for (const group of groups) {
      const built = buildEntry({
        campaign,
        subject: w.subject,
        entryKey: groupEntryKey(w.subject.id, group.key),
        stage: 1,
        approverIds: group.approverIds,
        assignments: group.members,
        plan: w.plan,
        substitutions: group.substitutions,
        dueDate: w.plan.length > 1 && stage?.periodDays ? addDays(campaign.startDate, stage.periodDays) : undefined,
        now,
      });
      batch.push(built);
      const notices = entryNotifications(notifier, campaign, built.entry);
      notifications.push(...notices);
      events.push(entryCreated(built.entry, built.items, CONTROLLER_ACTOR, at), ...notificationsQueued(notices, CONTROLLER_ACTOR, at));
      if (group.substitutions.length > 0) {
        logs.push({
          at: now.toISOString(),
          level: 'INFO',
          message: `self-review: ${group.substitutions[0]!.from}'s own access in ${w.subject.id} goes to ${group.substitutions[0]!.to} (${group.members.length} item(s), entry ${built.entry.id})`,
        });
      }
    }
  }
  // The counts move with the checkpoint: a chunk rewritten after a kill was not counted yet.
  const prepared = countPrepared(preparedSoFar(campaign), batch.map((b) => b.entry));
  const checkpoint = work[work.length - 1]!.subject.id;
  const next = withPhase(
    { ...campaign, logs: withCappedSelfReviewLogs(campaign.logs, logs, now) },
    { name: 'PREPARE', afterSubjectId: checkpoint, prepared },
    now,
  );
  return { batch, notifications, events, checkpoint, next, at };
}

/** One record per chunk, before its entries: a chunk rewritten after a kill finds it (same checkpoint, same version). */
async function writeChunk(deps: PrepareDeps, campaign: Campaign, chunk: PlannedChunk): Promise<void> {
  await recordThenChange(deps, campaignRecord(campaign, auditKey.prepare(chunk.next, chunk.checkpoint), chunk.at, chunk.events), async () => {
    await deps.campaigns.putEntriesWithItems(chunk.batch, chunk.notifications);
    await deps.campaigns.saveCampaign(chunk.next);
  });
}

const preparedSoFar = (c: Campaign) => (c.phase.name === 'PREPARE' ? c.phase.prepared : undefined);

/**
 * No Approver to the owner for an entry without one. A running entry's approvers are told by their
 * stage's Approval Start, one per approver (use-cases/announce-stage.ts), not here.
 */
export function entryNotifications(notifier: CampaignNotifier, campaign: Campaign, entry: Entry): Notification[] {
  if (entry.state !== 'FAILED.PREPARE') return [];
  const extras = { subjectName: entry.subjectName, itemCount: entry.itemCount, stage: entry.stage, dueDate: entry.dueDate };
  return [notifier.compose('NO_APPROVER', notificationKey.noApprover(entry.id), campaign.ownerId, extras, entry.id)];
}

/**
 * Who takes over access an approver holds when no other approver of the stage can: the holder's
 * active manager, else the campaign owner (docs/reference/campaigns.md).
 */
export async function nextUpResolver(
  notifier: CampaignNotifier,
  campaign: Campaign,
  holders: Iterable<Pick<CertifiableAssignment['user'], 'id' | 'managerId'>>,
): Promise<(userId: string) => string | undefined> {
  const managerOf = new Map<string, string | undefined>();
  for (const holder of holders) managerOf.set(holder.id, holder.managerId);
  await notifier.prefetch([...managerOf.values()].filter((m): m is string => m !== undefined));
  return (userId) => {
    const managerId = managerOf.get(userId);
    const manager = managerId ? notifier.known(managerId) : undefined;
    if (manager && manager.status === 'ACTIVE' && manager.id !== userId) return manager.id;
    return campaign.ownerId !== userId ? campaign.ownerId : undefined;
  };
}

/** The holders of a chunk's assignments, for nextUpResolver. */
export const holdersOf = (work: { assignments: CertifiableAssignment[] }[]) => work.flatMap((w) => w.assignments.map((a) => a.user));

/** The campaign record must stay far below DynamoDB's 400 KB: past a cap, substitutions stay on their entries only. */
const MAX_SELF_REVIEW_LOGS = 50;

function withCappedSelfReviewLogs(existing: CampaignLog[], added: CampaignLog[], now: Date): CampaignLog[] {
  const logged = existing.filter((l) => l.message.startsWith('self-review:')).length;
  const room = Math.max(0, MAX_SELF_REVIEW_LOGS - logged);
  const kept = added.slice(0, room);
  if (added.length > room && logged + kept.length === MAX_SELF_REVIEW_LOGS) {
    kept.push({ at: now.toISOString(), level: 'INFO', message: 'self-review: further substitutions are recorded on their entries only' });
  }
  return [...existing, ...kept];
}
