// Certification entries and items: deterministic ids, preparation, and the pure transitions of an
// entry during the run (docs/reference/campaigns.md, steps 2 and 3).
import { createHash } from 'node:crypto';
import { HOUR_MS, DAY_MS } from './campaign-schedule.js';
import type { Campaign, Entry, EntryState, Item, Origin, PreparedCounts, Privilege, StagePlan, SubjectKind, Substitution, User } from './model.js';

export const shortHash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * Same run, stage and subject give the same id, so a re-run of preparation overwrites, never
 * duplicates. Entries of every run share one key space, and two subjects with one id would share
 * an entry: 24 hex digits (96 bits) keep that out of reach at any number of entries, where 12 gave
 * about one chance in 560 at a million. An existing run's entries are named with the length the
 * run was created with: entryIdOf.
 */
export const entryIdFor = (runId: string, stage: number, subjectId: string, digits: number = ENTRY_ID_DIGITS) =>
  `e-${shortHash(`${runId}|${stage}|${subjectId}`, digits)}`;

/** The length of the entry ids of runs created from now on (Campaign.entryIdDigits). */
export const ENTRY_ID_DIGITS = 24;
/** The length of the entry ids of runs created before ids grew (Campaign.entryIdDigits absent). */
const LEGACY_ENTRY_ID_DIGITS = 12;

/** An entry id of `campaign`'s run, as long as the run's others: 12 digits for a run created before ids grew. */
export const entryIdOf = (campaign: Pick<Campaign, 'runId' | 'entryIdDigits'>, stage: number, subjectId: string) =>
  entryIdFor(campaign.runId, stage, subjectId, campaign.entryIdDigits ?? LEGACY_ENTRY_ID_DIGITS);

/** Within an entry an item is named by the other side of the assignment: the privilege for a USER
 * entry, the user for a PRIVILEGE entry. */
export const itemIdFor = (kind: SubjectKind, userId: string, privilegeId: string) => (kind === 'USER' ? privilegeId : userId);

export interface CertifiableAssignment {
  user: Pick<User, 'id' | 'displayName' | 'managerId'>;
  privilege: Pick<Privilege, 'id' | 'name' | 'riskLevel'>;
  origin?: Origin;
  endDate?: string;
  parameters?: Record<string, string>;
  /** When it was first granted; shown when it was never approved since. */
  grantedAt?: string;
  approvedAt?: string;
  approvedBy?: string;
}

export interface EntryDraft {
  campaign: Campaign;
  subject: { id: string; name: string };
  stage: number;
  approverIds: string[];
  assignments: CertifiableAssignment[];
  now: Date;
  /** What the id is derived from when a subject has several entries in a stage (default: the subject id). */
  entryKey?: string;
  /** Default: the campaign's due date. */
  dueDate?: string;
  plan?: StagePlan[];
  substitutions?: Substitution[];
  /** Later stages carry the earlier stages' items instead of fresh assignments. */
  carriedItems?: Item[];
}

/** An entry without an approver fails preparation; one with nothing to certify runs and closes at the end. */
export function buildEntry(draft: EntryDraft): { entry: Entry; items: Item[] } {
  const { campaign, subject, now } = draft;
  const id = entryIdOf(campaign, draft.stage, draft.entryKey ?? subject.id);
  const at = now.toISOString();
  const approverIds = [...new Set(draft.approverIds)];
  const carried = (draft.carriedItems ?? []).map((item): Item => {
    const { decision: _decision, applied: _applied, ...rest } = item;
    return { ...rest, entryId: id };
  });
  const items: Item[] = carried.concat(draft.assignments.map((a) => ({
    entryId: id,
    id: itemIdFor(campaign.kind, a.user.id, a.privilege.id),
    userId: a.user.id,
    privilegeId: a.privilege.id,
    userName: a.user.displayName,
    privilegeName: a.privilege.name,
    ...(a.privilege.riskLevel ? { privilegeRisk: a.privilege.riskLevel } : {}),
    ...(a.origin ? { origin: a.origin } : {}),
    ...(a.endDate ? { endDate: a.endDate } : {}),
    ...(a.parameters ? { parameters: a.parameters } : {}),
    // The last approval (grant, campaign or re-approval), else when it was first granted.
    ...((a.approvedAt ?? a.grantedAt) ? { grantedAt: a.approvedAt ?? a.grantedAt } : {}),
    ...(a.approvedBy ? { grantedBy: a.approvedBy } : {}),
  })));
  const entry: Entry = {
    id,
    campaignId: campaign.id,
    runId: campaign.runId,
    subjectKind: campaign.kind,
    subjectId: subject.id,
    subjectName: subject.name,
    stage: draft.stage,
    state: approverIds.length === 0 ? 'FAILED.PREPARE' : 'RUNNING',
    approverIds,
    dueDate: draft.dueDate ?? campaign.dueDate!,
    itemCount: items.length,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...(draft.plan && draft.plan.length > 1 ? { plan: draft.plan } : {}),
    ...(draft.substitutions?.length ? { substitutions: draft.substitutions } : {}),
    ...(approverIds.length === 0 ? { error: 'no approver found', closedAt: at } : {}),
  };
  return { entry, items };
}

/** `counts` (none yet: zeros) plus the entries of one prepared chunk. */
export function countPrepared(counts: PreparedCounts | undefined, entries: readonly Entry[]): PreparedCounts {
  const next = { ...(counts ?? { entries: 0, items: 0, failedEntries: 0 }) };
  for (const entry of entries) {
    next.entries += 1;
    if (entry.state === 'FAILED.PREPARE') next.failedEntries += 1;
    else next.items += entry.itemCount;
  }
  return next;
}

/** Default approvers (docs/reference/campaigns.md): the manager of a USER subject, the owners of a PRIVILEGE subject;
 * only people present and active in the directory. */
export function defaultApproverIds(
  kind: SubjectKind,
  subject: { managerId?: string; ownerIds?: string[] },
  people: Map<string, User>,
): string[] {
  const candidates = kind === 'USER' ? (subject.managerId ? [subject.managerId] : []) : (subject.ownerIds ?? []);
  return candidates.filter((id) => people.get(id)?.status === 'ACTIVE');
}

const touch = (entry: Entry, now: Date, patch: Partial<Entry>): Entry => ({
  ...entry,
  ...patch,
  version: entry.version + 1,
  updatedAt: now.toISOString(),
});

/** A decision made after the entry closed does not count. */
export const isDecided = (item: Item, entry: Pick<Entry, 'closedAt'>): boolean =>
  item.decision !== undefined && (entry.closedAt === undefined || item.decision.decidedAt <= entry.closedAt);

export const openItems = (entry: Entry, items: Item[]) => items.filter((i) => !isDecided(i, entry));

export type RunningEntryStep = { action: 'NONE' } | { action: 'CLOSE_DUE' } | { action: 'REMIND'; slot: number };

/** What the controller owes a RUNNING entry at `now`. Needs no item reads. */
export function nextRunningEntryStep(
  entry: Entry,
  reminders: Campaign['reminders'],
  now: Date,
): RunningEntryStep {
  if (entry.state !== 'RUNNING' || entry.itemCount === 0) return { action: 'NONE' };
  const t = now.getTime();
  const due = Date.parse(entry.dueDate);
  if (t >= due) return { action: 'CLOSE_DUE' };
  if (!reminders) return { action: 'NONE' };
  const interval = reminders.intervalHours * HOUR_MS;
  const windowStart = due - reminders.daysBeforeDue * DAY_MS;
  // No reminder on the heels of Approval Start.
  if (t < windowStart || t < Date.parse(entry.createdAt) + interval) return { action: 'NONE' };
  // Slots count from the entry's creation, so a moved due date never reuses a sent slot.
  const slot = Math.floor((windowStart - Date.parse(entry.createdAt)) / interval) + Math.floor((t - windowStart) / interval);
  return (entry.lastReminderSlot ?? -1) < slot ? { action: 'REMIND', slot } : { action: 'NONE' };
}

/** A due entry: decided in full → APPROVAL.FINISHED, otherwise FAILED.EXPIRED (Approval Timeout). */
export function closeDueEntry(entry: Entry, items: Item[], now: Date): { next: Entry; timedOut: boolean } {
  const allDecided = openItems(entry, items).length === 0;
  const state: EntryState = allDecided ? 'APPROVAL.FINISHED' : 'FAILED.EXPIRED';
  return { next: touch(entry, now, { state, closedAt: now.toISOString() }), timedOut: !allDecided };
}

/** After a decision: the entry is finished when nothing is left open. */
export function finishIfAllDecided(entry: Entry, items: Item[], now: Date): Entry | undefined {
  if (entry.state !== 'RUNNING' || items.length === 0 || openItems(entry, items).length > 0) return undefined;
  return touch(entry, now, { state: 'APPROVAL.FINISHED', closedAt: now.toISOString() });
}

export const withReminderSlot = (entry: Entry, slot: number, now: Date) => touch(entry, now, { lastReminderSlot: slot });

/**
 * When the entry's current reminder slot began: slots are `intervalHours` long from the start of its
 * reminder window (its due date less `daysBeforeDue`), so entries sharing a due date share them. Keys
 * an approver's one Approval Remind for the slot. Meaningful once the window has begun.
 */
export function reminderSlotStart(entry: Pick<Entry, 'dueDate'>, reminders: NonNullable<Campaign['reminders']>, now: Date): string {
  const interval = reminders.intervalHours * HOUR_MS;
  const windowStart = Date.parse(entry.dueDate) - reminders.daysBeforeDue * DAY_MS;
  return new Date(windowStart + Math.max(0, Math.floor((now.getTime() - windowStart) / interval)) * interval).toISOString();
}

export const withEntryChange = touch;

/** Entries that still await their decisions being applied at the campaign's finish. */
export const APPLICABLE_STATES: EntryState[] = ['RUNNING', 'APPROVAL.FINISHED', 'FAILED.EXPIRED'];
