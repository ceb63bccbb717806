// What an administrator does to campaigns and entries (docs/reference/cli.md): create, read, change due dates and
// states, restart a finished campaign, name the approver of an entry that failed preparation. Each
// change is one conditional write; a concurrent change is a ConflictError, never lost.
import { randomBytes } from 'node:crypto';
import { adminRestart, adminSetDueDate, adminSetRecurrence, adminSetState, withLog } from '../domain/campaign-lifecycle.js';
import { openItems, withEntryChange } from '../domain/entries.js';
import { ClosedError, ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Campaign, CampaignLog, CampaignState, Entry, EntryState, Item, Notification } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { nameApprover, repeatedRescue, rescueLogMessage } from '../domain/reassignment.js';
import { CAMPAIGN_STATES, ENTRY_STATES } from '../domain/model.js';
import { isoInstant, parseInput } from '../domain/schemas.js';
import { campaignFromDefinition } from './campaign-definition.js';
import { collect } from './concurrency.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { activeApprover, announceThenSave } from './entry-handover.js';
import {
  auditKey,
  campaignCreated,
  campaignDefinitionChanged,
  campaignDueDateChanged,
  campaignRecord,
  campaignStateChanged,
  definitionOf,
  entryDueDateChanged,
  entryReassigned,
  entryRecord,
  entryStateChanged,
  notificationsQueued,
} from '../domain/audit/events.js';
import { userActor, type AuditEvent } from '../domain/audit/model.js';
import { recordAfter } from './audit-trail.js';
import type { AuditLog, CampaignStore, DirectoryStore, Outbox } from './ports.js';
import { startNextRun } from './start-next-run.js';

export const newCampaignId = () => `c-${randomBytes(5).toString('hex')}`;

/** What the administrator's campaign changes need: the store, and the audit log each change is recorded in once made. */
export interface CampaignAdminDeps {
  campaigns: CampaignStore;
  audit: AuditLog;
}

/** Validates the file (field-level errors), copies the default templates, stores it PREPARING. */
export async function createCampaign(deps: CampaignAdminDeps, definition: unknown, now: Date, id = newCampaignId(), by = 'idgov-cli'): Promise<Campaign> {
  const campaign = campaignFromDefinition(definition, id, now);
  await deps.campaigns.createCampaign(campaign);
  const at = now.toISOString();
  await recordAfter(deps.audit, campaignRecord(campaign, auditKey.created(campaign), at, [campaignCreated(campaign, userActor(by), at)]));
  return campaign;
}

/**
 * Replaces the definition of a campaign that has not started preparing (PREPARING, or
 * FAILED.PREPARED, which the owner fixes and then sets back to PREPARING). Id, run, logs and state
 * stay; the templates stay too unless the file gives notifications of its own.
 */
export async function updateCampaign(deps: CampaignAdminDeps, id: string, definition: unknown, now: Date, by: string): Promise<Campaign> {
  const { campaigns } = deps;
  const original = await getCampaignOrThrow(campaigns, id);
  const replaced = campaignFromDefinition(definition, id, now);
  const notStarted = original.state === 'FAILED.PREPARED' || (original.state === 'PREPARING' && original.phase.name === 'START');
  if (original.archived || !notStarted) {
    throw new ClosedError(`campaign ${id} is ${original.archived ? 'an archived run' : `${original.state} (${original.phase.name})`}; only a campaign that has not started preparing can take a new definition`);
  }
  if (await hasEntries(campaigns, original.runId)) throw new ClosedError(`campaign ${id} already has entries; its definition can no longer change`);
  const givesTemplates = typeof definition === 'object' && definition !== null && 'notifications' in definition;
  const updated: Campaign = {
    ...replaced,
    state: original.state,
    version: original.version + 1,
    run: original.run,
    runId: original.runId,
    templates: givesTemplates ? replaced.templates : original.templates,
    logs: [...original.logs, { at: now.toISOString(), level: 'INFO', message: `definition replaced by ${by}` }],
    // A controller run that read the old definition may have recorded a Prepare Error for the next
    // attempt before losing the race to this write: a new definition gets Prepare Errors of its own.
    prepareAttempt: original.prepareAttempt + 1,
    createdAt: original.createdAt,
  };
  await campaigns.saveCampaign(updated);
  const at = now.toISOString();
  await recordAfter(
    deps.audit,
    campaignRecord(updated, auditKey.campaignChange(updated), at, [
      campaignDefinitionChanged(updated, userActor(by), at, { definition: definitionOf(updated), previous: definitionOf(original) }),
    ]),
  );
  return updated;
}

async function hasEntries(campaigns: CampaignStore, runId: string): Promise<boolean> {
  for await (const page of campaigns.listEntries(runId)) if (page.length > 0) return true;
  return false;
}

export async function getCampaignOrThrow(campaigns: CampaignStore, id: string): Promise<Campaign> {
  const campaign = await campaigns.getCampaign(id);
  if (!campaign) throw new NotFoundError('campaign', id);
  return campaign;
}

export async function listAllCampaigns(campaigns: CampaignStore): Promise<Campaign[]> {
  const all: Campaign[] = [];
  for (const state of CAMPAIGN_STATES) all.push(...(await collect(campaigns.listCampaigns(state))));
  return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export interface CampaignView {
  campaign: Campaign;
  entries: { entry: Entry; items: Item[] }[];
}

export async function showCampaign(campaigns: CampaignStore, id: string): Promise<CampaignView> {
  const campaign = await getCampaignOrThrow(campaigns, id);
  const entries: CampaignView['entries'] = [];
  for await (const page of campaigns.listEntries(campaign.runId)) {
    for (const entry of page) {
      const loaded = await campaigns.getEntryWithItems(entry.id);
      if (loaded) entries.push(loaded);
    }
  }
  return { campaign, entries };
}

export interface CampaignChange {
  state?: string;
  dueDate?: string;
  /** A number of days, or null to clear the recurrence. */
  recurrenceDays?: number | null;
  /** Restart of a SUCCEEDED campaign (state PREPARING): the new run's start (default: now). */
  start?: string;
}

export async function changeCampaign(deps: CampaignAdminDeps, id: string, change: CampaignChange, now: Date, by: string): Promise<Campaign> {
  const { campaigns } = deps;
  if (change.state === undefined && change.dueDate === undefined && change.recurrenceDays === undefined) {
    throw new ValidationError(
      change.start !== undefined ? 'only applies when restarting a SUCCEEDED campaign (state PREPARING)' : 'give a state, a due date or a recurrence to change',
      change.start !== undefined ? 'start' : 'change',
    );
  }
  const state = change.state !== undefined ? parseCampaignState(change.state) : undefined;
  const original = await getCampaignOrThrow(campaigns, id);
  // PREPARING from a finished (or deleted, or archived) run is a restart: the domain says which may.
  const restarting = state === 'PREPARING' && (original.state === 'SUCCEEDED' || original.state === 'DELETED' || original.archived === true);
  if (change.start !== undefined && !restarting) {
    throw new ValidationError(`only applies when restarting a SUCCEEDED campaign (state PREPARING); campaign ${id} is ${original.state}`, 'start');
  }
  const oldDueDate = original.dueDate;
  let campaign = original;
  let archive: Campaign | undefined;
  if (restarting) {
    const start = change.start !== undefined ? parseInput(isoInstant, change.start, 'start') : now.toISOString();
    ({ archive, next: campaign } = adminRestart(original, now, by, start));
  }
  // On a restart, a due date or recurrence given with it applies to the new run.
  if (change.dueDate !== undefined) campaign = adminSetDueDate(campaign, parseInput(isoInstant, change.dueDate, 'dueDate'), now, by);
  if (change.recurrenceDays !== undefined) {
    if (change.recurrenceDays !== null && !(Number.isInteger(change.recurrenceDays) && change.recurrenceDays > 0)) {
      throw new ValidationError('must be a positive whole number of days', 'recurrence');
    }
    campaign = adminSetRecurrence(campaign, change.recurrenceDays ?? undefined, now, by);
  }
  if (state !== undefined && !restarting) campaign = adminSetState(campaign, state, now, by);
  // One write, conditional on the version that was read (after the archive, on a restart).
  const toSave = { ...campaign, version: original.version + 1 };
  const at = now.toISOString();
  const actor = userActor(by);
  if (archive) return startNextRun(deps, { archive, next: toSave }, { actor, at, job: false, reason: 'RESTART' });
  await campaigns.saveCampaign(toSave);
  const events: AuditEvent[] = [];
  if (change.dueDate !== undefined) events.push(campaignDueDateChanged(toSave, oldDueDate, actor, at));
  if (change.recurrenceDays !== undefined) events.push(campaignDefinitionChanged(toSave, actor, at, { recurrence: toSave.recurrence ?? null }));
  if (state !== undefined) events.push(campaignStateChanged(original.state, toSave, actor, at));
  // Entries that followed the campaign's due date follow the new one.
  if (change.dueDate !== undefined && toSave.state === 'RUNNING' && oldDueDate) {
    for await (const page of campaigns.listEntries(toSave.runId)) {
      for (const entry of page) {
        if (entry.state === 'RUNNING' && entry.dueDate === oldDueDate) {
          const moved = withEntryChange(entry, now, { dueDate: toSave.dueDate! });
          await campaigns.saveEntry(moved);
          events.push(entryDueDateChanged(moved, oldDueDate, actor, at));
        }
      }
    }
  }
  await recordAfter(deps.audit, campaignRecord(toSave, auditKey.campaignChange(toSave), at, events));
  return toSave;
}

function parseCampaignState(state: string): CampaignState {
  if (!(CAMPAIGN_STATES as readonly string[]).includes(state)) {
    throw new ValidationError(`unknown state ${state}; one of ${CAMPAIGN_STATES.join(', ')}`, 'state');
  }
  return state as CampaignState;
}

/** Entry changes an administrator may make: reopen an expired entry, expire a running one. */
const ENTRY_ADMIN_TRANSITIONS: Partial<Record<EntryState, EntryState[]>> = {
  RUNNING: ['FAILED.EXPIRED'],
  'FAILED.EXPIRED': ['RUNNING'],
  'APPROVAL.FINISHED': ['RUNNING'],
};

export interface EntryChange {
  state?: string;
  dueDate?: string;
  /** Who makes the change, for the campaign log. */
  by?: string;
}

/**
 * The administrator changes the state or due date of one entry. The entry is saved first, then the
 * campaign log says who did what: the same command run again (after a kill between the two) saves
 * the same entry and writes the line it had not, never a second one.
 */
export async function changeEntry(deps: CampaignAdminDeps, entryId: string, change: EntryChange, now: Date): Promise<Entry> {
  const { campaigns } = deps;
  if (change.state === undefined && change.dueDate === undefined) throw new ValidationError('give a state or a due date to change', 'change');
  const entry = await campaigns.getEntry(entryId);
  if (!entry) throw new NotFoundError('entry', entryId);
  const campaign = await getCampaignOrThrow(campaigns, entry.campaignId);
  if (campaign.state !== 'RUNNING' || campaign.runId !== entry.runId || campaign.phase.name !== 'DONE') {
    throw new ClosedError(`entry ${entryId} belongs to a campaign run that is not running (${campaign.state})`);
  }
  const patch: Partial<Entry> = {};
  if (change.dueDate !== undefined) {
    const dueDate = parseInput(isoInstant, change.dueDate, 'dueDate');
    if (dueDate <= now.toISOString() && (change.state ?? entry.state) === 'RUNNING') {
      throw new ValidationError(`must be in the future to keep the entry open`, 'dueDate');
    }
    if (campaign.statusExpirationDate && dueDate >= campaign.statusExpirationDate) {
      throw new ValidationError(`must be before the campaign's status expiration date, ${campaign.statusExpirationDate}`, 'dueDate');
    }
    patch.dueDate = dueDate;
  }
  if (change.state !== undefined && change.state !== entry.state) {
    if (!(ENTRY_STATES as readonly string[]).includes(change.state)) {
      throw new ValidationError(`unknown state ${change.state}; one of ${ENTRY_STATES.join(', ')}`, 'state');
    }
    const allowed = ENTRY_ADMIN_TRANSITIONS[entry.state] ?? [];
    if (!allowed.includes(change.state as EntryState)) {
      throw new ValidationError(`cannot change ${entry.state} to ${change.state}; allowed: ${allowed.join(', ') || 'none'}`, 'state');
    }
    patch.state = change.state as EntryState;
    if (patch.state === 'RUNNING' && entry.advancedAt) {
      throw new ClosedError(`entry ${entryId} already handed its approved items to stage ${entry.stage + 1}; reopen that stage's entries instead`);
    }
    if (patch.state === 'RUNNING') {
      patch.closedAt = undefined;
      if ((patch.dueDate ?? entry.dueDate) <= now.toISOString()) {
        throw new ValidationError('reopening needs a due date in the future (--due-date)', 'dueDate');
      }
    } else {
      patch.closedAt = now.toISOString();
    }
  }
  const next = withEntryChange(entry, now, patch);
  await campaigns.saveEntry(next);
  // Only what the command asked for, so that the line of a re-run is the same line.
  const changes = [
    ...(change.state !== undefined ? [`state ${next.state}`] : []),
    ...(change.dueDate !== undefined ? [`due date ${next.dueDate}`] : []),
  ];
  const by = change.by ?? 'idgov-cli';
  const at = now.toISOString();
  await appendCampaignLog(campaigns, campaign.id, { at, level: 'INFO', message: `entry ${entry.id} set to ${changes.join(', ')} by ${by} at ${at}` }, now);
  const events: AuditEvent[] = [];
  if (next.state !== entry.state) events.push(entryStateChanged(entry.state, next, userActor(by), at));
  if (change.dueDate !== undefined) events.push(entryDueDateChanged(next, entry.dueDate, userActor(by), at));
  await recordAfter(deps.audit, entryRecord(next, auditKey.entryChange(next), at, events));
  return next;
}

export interface NameApproverDeps {
  campaigns: CampaignStore;
  directory: DirectoryStore;
  outbox: Outbox;
  /** The rescue is recorded here once made (a repeated rescue finds its record). */
  audit: AuditLog;
  /** Base URL of the approver portal, for the notification's link. */
  portalUrl: string;
}

export interface NameApproverRequest {
  entryId: string;
  approverId: string;
  /** Optional due date (raw input); default: see rescueDueDate in the domain. */
  dueDate?: string;
  /** The administrator, as the campaign log and the entry record name them. */
  by: string;
}

export interface NameApproverResult {
  entry: Entry;
  notification: Pick<Notification, 'key' | 'kind' | 'recipientId' | 'status'>;
}

/**
 * Rescues an entry that failed preparation (FAILED.PREPARE: nobody could be found to certify it):
 * the administrator names its approver, who gets Approval Start; the entry runs with its own due
 * date. Recorded in the entry (a reassignment from nobody) and in the campaign log. The notice is
 * recorded before the entry changes (same key on a retry, so it is never sent twice), the log line
 * after it. Run again, the same rescue finishes what a crash or a failed log write left undone (the
 * log line) and answers the same; one naming someone else is refused.
 */
export async function nameEntryApprover(deps: NameApproverDeps, request: NameApproverRequest, now: Date): Promise<NameApproverResult> {
  const dueDate = request.dueDate !== undefined ? parseInput(isoInstant, request.dueDate, 'dueDate') : undefined;
  const loaded = await deps.campaigns.getEntryWithItems(request.entryId);
  if (!loaded) throw new NotFoundError('entry', request.entryId);
  const { entry, items } = loaded;
  const campaign = await getCampaignOrThrow(deps.campaigns, entry.campaignId);
  const repeated = repeatedRescue(entry, request.approverId, dueDate);
  if ((entry.state === 'FAILED.PREPARE' || repeated) && (campaign.state !== 'RUNNING' || campaign.runId !== entry.runId || campaign.phase.name !== 'DONE')) {
    throw new ClosedError(`entry ${entry.id} belongs to a campaign run that is not running (${campaign.state}); it can no longer be given an approver`);
  }
  const next = repeated
    ? entry
    : nameApprover(entry, {
        approverId: request.approverId,
        by: request.by,
        now,
        dueDate,
        holderIds: items.map((i) => i.userId),
        campaign,
      });
  const rescue = next.reassignments!.at(-1)!;
  const approverId = rescue.to;

  // The notice quotes the entry's own due date.
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  if (!repeated) notifier.remember([await activeApprover(deps.directory, approverId, 'approver')]);
  const notification = await notifier.composeFor(
    'APPROVAL_START',
    notificationKey.approvalStart(entry.id, approverId),
    approverId,
    { subjectName: entry.subjectName, entryCount: 1, itemCount: entry.itemCount, openItemCount: openItems(next, items).length, stage: entry.stage, dueDate: next.dueDate },
    entry.id,
  );
  // Run again, the notice is recorded already: it came before the entry.
  if (!repeated) await announceThenSave(deps, notification, next);
  const line = rescueLogMessage(next, rescue);
  try {
    await appendCampaignLog(deps.campaigns, campaign.id, { at: rescue.at, level: 'INFO', message: line }, now);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    throw new ConflictError(
      `entry ${entry.id} is RUNNING with approver ${approverId}, but the campaign log could not record who named it (${error.message}); run the same command again to record it`,
    );
  }
  const actor = userActor(request.by);
  await recordAfter(
    deps.audit,
    entryRecord(next, auditKey.rescue(next), rescue.at, [
      entryReassigned(next, rescue, actor),
      entryStateChanged('FAILED.PREPARE', next, actor, rescue.at),
      ...notificationsQueued([notification], actor, rescue.at),
    ]),
  );
  return { entry: next, notification: { key: notification.key, kind: notification.kind, recipientId: notification.recipientId, status: notification.status } };
}

/**
 * The controller may save the campaign meanwhile (a phase change): read again and append. A line
 * the campaign log holds already (a rescue run again) is not written twice.
 */
async function appendCampaignLog(campaigns: CampaignStore, id: string, log: CampaignLog, now: Date): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const campaign = await getCampaignOrThrow(campaigns, id);
    if (campaign.logs.some((l) => l.message === log.message)) return;
    try {
      await campaigns.saveCampaign(withLog(campaign, log, now));
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 2) throw error;
    }
  }
}
