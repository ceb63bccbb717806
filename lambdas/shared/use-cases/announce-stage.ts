// Approval Start, one per approver and stage (docs/reference/notifications.md), not one per entry: an
// approver with ten entries gets one mail with how many reviews and assignments wait, the due date
// and the link to their tasks.
//
// Stage 1 (campaign ANNOUNCE phase, after every entry is written): the run's entries are walked in
// chunks with a cursor. An approver's entries may span chunks, so their notice is composed in the
// chunk that holds their first entry in a fixed order (stage, subject, entry id), with what their
// task listing holds of the run's stage 1. That first entry is listed exactly once, so exactly one
// chunk composes each approver's notice; its key (run, stage, approver) makes any repetition (a
// chunk redone after a kill, an index that lagged) find the record it already wrote. Nothing is
// recorded per entry: the notice announces every stage-1 entry of its approver by construction.
//
// Later stages (a stage starts entry by entry, whenever a previous stage's entry closes): each new
// entry carries `announceBatch`, the id of the first entry the controller run that wrote it wrote.
// At the end of that run's pass the approvers of the batch get one notice each, keyed by (run, stage,
// approver, batch), and the marks are removed; a run killed in between finds the marked entries on
// its next pass and queues the same keys again (nothing twice); an entry written by a later run is in
// a later batch (entry ids never repeat) and gets a later notice.
import { withEntryChange } from '../domain/entries.js';
import type { Campaign, Entry, Notification } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { auditKey, campaignRecord, CONTROLLER_ACTOR, notificationsQueued } from '../domain/audit/events.js';
import { withLog, withPhase } from '../domain/campaign-lifecycle.js';
import { recordThenChange, type AuditDeps } from './audit-trail.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { entryCursor, forEachChunk } from './chunked.js';
import { mapLimit } from './concurrency.js';
import { ConflictError } from '../domain/errors.js';
import { UNLIMITED_BUDGET, type CampaignStore, type DirectoryStore, type Outbox, type TimeBudget } from './ports.js';

export interface AnnounceDeps extends AuditDeps {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  outbox: Outbox;
  portalUrl: string;
  budget?: TimeBudget;
  /** Entries per chunk (default ANNOUNCE_CHUNK). */
  chunkSize?: number;
  /** How a walk that found the listing short waits before the next (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

export const ANNOUNCE_CHUNK = 500;

/** Approvers' task listings read at once while a chunk is announced. */
const TASK_LISTINGS_AT_ONCE = 8;

/** The order in which an approver's first entry is found: stage, subject, then entry id. */
const orderKey = (e: Pick<Entry, 'stage' | 'subjectId' | 'id'>) => `${String(e.stage).padStart(3, '0')}#${e.subjectId}#${e.id}`;

/**
 * Entries an Approval Start announces: running, with approvers (FAILED.PREPARE ones have none). One
 * with nothing to certify is announced too, as every entry with an approver is (it closes itself at
 * the end); it counts as a review with no assignment.
 */
const announced = (e: Entry) => e.state === 'RUNNING' && e.approverIds.length > 0;

/**
 * The ANNOUNCE phase, a chunk at a time from the phase's cursor, each chunk's notices queued with
 * its cursor. `done` once the listing is exhausted (the caller then queues Campaign Start and marks
 * the campaign RUNNING); otherwise the budget ran out and a continuation resumes after the cursor.
 */
export async function announceStageOne(deps: AnnounceDeps, campaign: Campaign, now: Date): Promise<{ campaign: Campaign; done: boolean }> {
  if (campaign.phase.name !== 'ANNOUNCE') throw new Error(`campaign ${campaign.id} is not announcing (phase ${campaign.phase.name})`);
  const prepared = campaign.phase.prepared;
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  const at = now.toISOString();
  // Each approver's first entry of the run's stage 1 and their counts, as their task listing shows it
  // (cached for this invocation: a few strings and numbers per approver, never their entries).
  const firstOf = new Map<string, { first: string; summary: StageSummary }>();
  let current = campaign;
  let notices: Notification[] = [];
  let listed = campaign.phase.listed ?? 0;
  // A walk begun before entries were counted (no `listed` past its start) is not checked at its end.
  const counting = campaign.phase.listed !== undefined || campaign.phase.after === undefined;
  // Walking again: the approvers told by an earlier walk have their notice queued already, and
  // neither it nor its audit event is repeated.
  const queued = relistedOf(campaign) > 0 ? await queuedKeys(deps.outbox, campaign) : new Set<string>();
  const result = await forEachChunk<Entry>({
    pages: (after) => deps.campaigns.listEntries(campaign.runId, after === undefined ? {} : { after }),
    keyOf: entryCursor,
    after: campaign.phase.after,
    budget: deps.budget ?? UNLIMITED_BUDGET,
    chunkSize: deps.chunkSize ?? ANNOUNCE_CHUNK,
    work: async (chunk) => {
      listed += chunk.filter((e) => e.stage === 1).length;
      const firstHere = new Map<string, string>();
      for (const entry of chunk.filter((e) => e.stage === 1 && announced(e))) {
        for (const approverId of entry.approverIds) {
          const key = orderKey(entry);
          if (!firstHere.has(approverId) || key < firstHere.get(approverId)!) firstHere.set(approverId, key);
        }
      }
      // Queued already (by an earlier walk, or earlier in this one when their task listing lagged).
      const unqueued = [...firstHere].filter(([approverId]) => !queued.has(notificationKey.stageStart(campaign, 1, approverId)));
      // Task listings not read yet in this invocation, a few at a time.
      const unread = unqueued.map(([approverId]) => approverId).filter((approverId) => !firstOf.has(approverId));
      const read = await mapLimit(unread, TASK_LISTINGS_AT_ONCE, (approverId) => stageEntriesOf(deps.campaigns, campaign, approverId, 1));
      unread.forEach((approverId, i) => firstOf.set(approverId, read[i]!));
      const mine: string[] = [];
      for (const [approverId, key] of unqueued) {
        const known = firstOf.get(approverId)!;
        // Their first entry is in this chunk (an index that lags may not show it yet: this chunk's own entries count too).
        if (key <= known.first) mine.push(approverId);
      }
      await notifier.prefetch(mine);
      notices = mine.map((approverId) => stageNotice(notifier, campaign, approverId, 1, firstOf.get(approverId)!.summary));
      for (const n of notices) queued.add(n.key);
    },
    checkpoint: async (after) => {
      const relisted = relistedOf(current);
      const next = withPhase(current, { name: 'ANNOUNCE', prepared, after, listed, ...(relisted ? { relisted } : {}) }, now);
      const events = notificationsQueued(
        notices.map((n) => ({ key: n.key, kind: n.kind, recipientId: n.recipientId })),
        CONTROLLER_ACTOR,
        at,
      );
      current = await recordThenChange(deps, campaignRecord(next, auditKey.announce(next), at, events), async () => {
        if (notices.length > 0) await deps.outbox.enqueue(notices);
        await deps.campaigns.saveCampaign(next);
        return next;
      });
      notices = [];
    },
  });
  if (result.done && counting && listed < prepared.entries) {
    if (relistedOf(current) < MAX_RELISTS) {
      return { campaign: await walkAgain(deps, current, listed, now), done: false };
    }
    return { campaign: await announceShort(deps, current, listed, now), done: true };
  }
  return { campaign: current, done: result.done };
}

/** The run's notifications queued so far (at ANNOUNCE: its Approval Starts and No Approvers), by key. */
async function queuedKeys(outbox: Outbox, campaign: Campaign): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const page of outbox.listByRun(campaign.id, campaign.runId)) for (const n of page) keys.add(n.key);
  return keys;
}

/** True when `next` is a walk about to begin again: the controller leaves it to the next invocation. */
export const awaitsRelisting = (before: Campaign, next: Campaign) => relistedOf(next) > relistedOf(before);

/** Walks of the run begun again so far (0 outside ANNOUNCE). */
const relistedOf = (c: Campaign) => (c.phase.name === 'ANNOUNCE' ? (c.phase.relisted ?? 0) : 0);

/**
 * The listing of the run's entries is an index that DynamoDB fills after the writes (eventually
 * consistent), and the walk begins right after the last entry is written: it may show fewer entries
 * than preparation wrote, and an approver whose entries were all missing would get no Approval Start.
 * The walk is then begun again from the start, in the next invocation (a continuation) after a pause
 * that grows with each attempt; approvers already told are not told or recorded again. Meanwhile
 * the campaign stays announcing and nothing it queued is sent. After MAX_RELISTS walks (minutes) the
 * listing is taken as it is: see announceShort.
 */
async function walkAgain(deps: AnnounceDeps, campaign: Campaign, listed: number, now: Date): Promise<Campaign> {
  if (campaign.phase.name !== 'ANNOUNCE') return campaign;
  const { prepared } = campaign.phase;
  const relisted = relistedOf(campaign) + 1;
  deps.log?.warn('the listing of the run showed fewer entries than were prepared; announcing from the start again', {
    campaignId: campaign.id,
    listed,
    prepared: prepared.entries,
    relisted,
  });
  // Never past the invocation's budget: out of time, the continuation walks again.
  const pause = Math.min(RELIST_PAUSE_MS * relisted, MAX_RELIST_PAUSE_MS, deps.budget?.remainingMs() ?? Number.POSITIVE_INFINITY);
  if (pause > 0) await (deps.sleep ?? sleep)(pause);
  const next = withPhase(campaign, { name: 'ANNOUNCE', prepared, relisted }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

/**
 * The listing stayed short through every walk: more entries were counted at preparation than the
 * listing shows (an entry overwritten by another with the same id, or an index that stopped
 * following). The campaign runs with what the listing showed, so that one miscount does not hold
 * every approver back for ever; the shortfall is logged as an error and kept in the campaign's log
 * for its owner and the auditors.
 */
async function announceShort(deps: AnnounceDeps, campaign: Campaign, listed: number, now: Date): Promise<Campaign> {
  if (campaign.phase.name !== 'ANNOUNCE') return campaign;
  const message = `announced the ${listed} entries the run's listing showed, of ${campaign.phase.prepared.entries} prepared, after ${MAX_RELISTS + 1} walks; an approver of a missing entry may not have been told`;
  deps.log?.error('the listing of the run stayed short of the entries prepared', { campaignId: campaign.id, listed, prepared: campaign.phase.prepared.entries });
  // Once: a run killed before the campaign is marked running comes back here.
  if (campaign.logs.some((l) => l.message === message)) return campaign;
  const next = withLog(campaign, { at: now.toISOString(), level: 'ERROR', message }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

/** Walks begun again before the listing is taken as it is (21 walks in all, with pauses of 1 to 10 s: about three minutes). */
export const MAX_RELISTS = 20;
const RELIST_PAUSE_MS = 1_000;
const MAX_RELIST_PAUSE_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What an approver's Approval Start for a stage says: how many entries and assignments, and the earliest due date. */
export interface StageSummary {
  entryCount: number;
  itemCount: number;
  dueDate: string;
}

const summarize = (entries: Entry[], fallbackDue: string): StageSummary => ({
  entryCount: entries.length,
  itemCount: entries.reduce((n, e) => n + e.itemCount, 0),
  dueDate: entries.reduce((min, e) => (e.dueDate < min ? e.dueDate : min), entries[0]?.dueDate ?? fallbackDue),
});

/** The approver's running entries of the run's stage, summed up, and the first of them in announce order (only these are kept). */
async function stageEntriesOf(campaigns: CampaignStore, campaign: Campaign, approverId: string, stage: number): Promise<{ first: string; summary: StageSummary }> {
  const entries = (await campaigns.listTasks(approverId)).filter((e) => e.runId === campaign.runId && e.stage === stage && announced(e));
  const first = entries.reduce((min, e) => (orderKey(e) < min ? orderKey(e) : min), '\uffff');
  return { first, summary: summarize(entries, campaign.dueDate ?? '') };
}

/** One approver's Approval Start for their entries of one stage: how many reviews and assignments, the earliest due date, their tasks link. */
export function stageNotice(notifier: CampaignNotifier, campaign: Campaign, approverId: string, stage: number, summary: StageSummary, batch?: string): Notification {
  return notifier.compose('APPROVAL_START', notificationKey.stageStart(campaign, stage, approverId, batch), approverId, {
    // About no single entry: the template's subject section is off, and the mail links the approver's tasks.
    subjectName: '',
    entryCount: summary.entryCount,
    itemCount: summary.itemCount,
    // Everything is open when a stage starts (a next stage's items arrive undecided).
    openItemCount: summary.itemCount,
    stage,
    dueDate: summary.dueDate,
  });
}

/**
 * Later stages: the entries a controller run wrote (marked with their batch) get one Approval Start
 * per approver per (stage, batch); then each mark is removed. `marked`: the run's entries still
 * marked, as listed or just written.
 */
export async function announceLaterStages(deps: AnnounceDeps, campaign: Campaign, marked: Entry[], now: Date): Promise<number> {
  const batches = new Map<string, { stage: number; batch: string; byApprover: Map<string, Entry[]> }>();
  for (const entry of marked) {
    if (!entry.announceBatch || !announced(entry)) continue;
    const id = `${entry.stage}|${entry.announceBatch}`;
    if (!batches.has(id)) batches.set(id, { stage: entry.stage, batch: entry.announceBatch, byApprover: new Map() });
    const { byApprover } = batches.get(id)!;
    for (const approverId of entry.approverIds) {
      const entries = byApprover.get(approverId);
      if (entries) entries.push(entry);
      else byApprover.set(approverId, [entry]);
    }
  }
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  await notifier.prefetch([...batches.values()].flatMap((b) => [...b.byApprover.keys()]));
  const at = now.toISOString();
  let queued = 0;
  // Each batch's notices are recorded and queued before any mark goes: a kill in between queues the same keys again.
  for (const { stage, batch, byApprover } of batches.values()) {
    const notices = [...byApprover].map(([approverId, entries]) => stageNotice(notifier, campaign, approverId, stage, summarize(entries, campaign.dueDate ?? ''), batch));
    const record = campaignRecord(campaign, auditKey.announceBatch(campaign, stage, batch), at, notificationsQueued(notices, CONTROLLER_ACTOR, at));
    await recordThenChange(deps, record, () => deps.outbox.enqueue(notices));
    queued += notices.length;
  }
  for (const entry of marked) {
    const current = await deps.campaigns.getEntry(entry.id);
    if (!current?.announceBatch) continue;
    const { announceBatch: _, ...rest } = current;
    try {
      await deps.campaigns.saveEntry(withEntryChange(rest, now, {}));
    } catch (error) {
      // An approver saved a decision meanwhile: the mark stays, and the next pass queues the same keys (no-ops) and removes it.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return queued;
}
