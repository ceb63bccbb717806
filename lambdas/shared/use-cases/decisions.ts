// Approvers' work (docs/reference/campaigns.md step 3, docs/approver-api.md): list open tasks, decide items. Only the entry's current
// approver may decide, only while the entry and its campaign run; every refusal changes nothing.
import { missingRemovedParameter } from '../domain/application.js';
import { finishIfAllDecided, isDecided } from '../domain/entries.js';
import { ClosedError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Decision, Entry, Item } from '../domain/model.js';
import { decisionInputSchema, parseInput, type DecisionInput } from '../domain/schemas.js';
import { auditKey, entryRecord, entryStateChanged, itemsDecided } from '../domain/audit/events.js';
import { userActor, type AuditEvent } from '../domain/audit/model.js';
import { recordAfter } from './audit-trail.js';
import type { AuditLog, CampaignStore } from './ports.js';

/** What deciding needs: the campaign store, and the audit log the decisions are recorded in once saved. */
export interface DecideDeps {
  campaigns: CampaignStore;
  audit: AuditLog;
}

export interface Task {
  entry: Entry;
  campaignName: string;
  openItems: Item[];
  items: Item[];
}

export async function listTasks(campaigns: CampaignStore, approverId: string): Promise<Task[]> {
  const tasks: Task[] = [];
  const names = new Map<string, string>();
  for (const listed of await campaigns.listTasks(approverId)) {
    const loaded = await campaigns.getEntryWithItems(listed.id);
    if (!loaded || loaded.entry.state !== 'RUNNING' || !loaded.entry.approverIds.includes(approverId)) continue;
    if (!names.has(loaded.entry.campaignId)) {
      names.set(loaded.entry.campaignId, (await campaigns.getCampaign(loaded.entry.campaignId))?.name ?? loaded.entry.campaignId);
    }
    tasks.push({
      entry: loaded.entry,
      campaignName: names.get(loaded.entry.campaignId)!,
      items: loaded.items,
      openItems: loaded.items.filter((i) => !isDecided(i, loaded.entry)),
    });
  }
  return tasks;
}

export interface DecideRequest {
  entryId: string;
  actorId: string;
  decisions?: unknown[];
  /** Bulk: one outcome for every item still open in the entry (optionally only one privilege's). */
  all?: { outcome: unknown; comment?: unknown; privilegeId?: string };
}

export interface DecideResult {
  entry: Entry;
  decided: string[];
  finished: boolean;
}

/**
 * Records decisions on items of one entry. Everything is validated before anything is written;
 * when the last open item is decided the entry becomes APPROVAL.FINISHED (if a crash leaves it
 * RUNNING with everything decided, the controller finishes it at the due date).
 */
export async function decide(deps: DecideDeps, request: DecideRequest, now: Date): Promise<DecideResult> {
  const { campaigns } = deps;
  const loaded = await campaigns.getEntryWithItems(request.entryId);
  if (!loaded) throw new NotFoundError('entry', request.entryId);
  const { entry, items } = loaded;
  // Who may decide comes first: nobody else learns anything about the entry's items.
  if (!entry.approverIds.includes(request.actorId)) {
    throw new ForbiddenError(`${request.actorId} is not an approver of entry ${entry.id}`);
  }
  // Then whether anything may be decided at all: a closed entry is closed whatever the request says.
  const campaign = await campaigns.getCampaign(entry.campaignId);
  if (entry.state !== 'RUNNING' || !campaign || campaign.state !== 'RUNNING' || campaign.runId !== entry.runId || campaign.phase.name !== 'DONE') {
    throw new ClosedError(`entry ${entry.id} is ${entry.state}${campaign && campaign.state !== 'RUNNING' ? ` in a ${campaign.state} campaign` : ''}; decisions are closed`);
  }
  if (now.toISOString() >= entry.dueDate) throw new ClosedError(`entry ${entry.id} was due ${entry.dueDate}; decisions are closed`);
  const raw = request.all ? bulkDecisions(entry, items, request.all) : (request.decisions ?? []);
  if (raw.length === 0) {
    throw new ValidationError(request.all ? 'no open item matches' : 'at least one decision is required', request.all ? 'all' : 'decisions');
  }
  const inputs: DecisionInput[] = raw.map((d, i) => parseInput(decisionInputSchema, d, raw.length > 1 ? `decisions.${i}` : undefined));
  const byId = new Map(items.map((i) => [i.id, i]));
  const seen = new Set<string>();
  inputs.forEach((d, i) => {
    const field = inputs.length > 1 ? `decisions.${i}.itemId` : 'itemId';
    if (!byId.has(d.itemId)) throw new ValidationError(`entry ${entry.id} has no item ${d.itemId}`, field);
    if (seen.has(d.itemId)) throw new ValidationError(`item ${d.itemId} is decided twice in one request`, field);
    seen.add(d.itemId);
    // An end date already past would remove the access at once under the name of a modification.
    if (d.outcome === 'MODIFY' && typeof d.endDate === 'string' && Date.parse(d.endDate) <= now.getTime()) {
      throw new ValidationError(
        `the new end date ${d.endDate} is not in the future (now is ${now.toISOString()}): reject the assignment to remove it now`,
        `${inputs.length > 1 ? `decisions.${i}.` : ''}endDate`,
      );
    }
    const missing = missingRemovedParameter(byId.get(d.itemId)!, d.parameters);
    if (missing !== undefined) {
      throw new ValidationError(`item ${d.itemId} has no parameter ${missing} to remove`, `${inputs.length > 1 ? `decisions.${i}.` : ''}parameters.${missing}`);
    }
  });

  const at = now.toISOString();
  const decided: Parameters<typeof itemsDecided>[1][number][] = [];
  for (const d of inputs) {
    const decision: Decision = {
      outcome: d.outcome,
      ...(d.endDate !== undefined ? { endDate: d.endDate } : {}),
      ...(d.parameters ? { parameters: d.parameters } : {}),
      ...(d.comment ? { comment: d.comment } : {}),
      decidedBy: request.actorId,
      decidedAt: at,
    };
    await campaigns.saveItemDecision(entry.id, d.itemId, decision);
    byId.set(d.itemId, { ...byId.get(d.itemId)!, decision });
    decided.push({ item: byId.get(d.itemId)!, decision });
  }

  const events: AuditEvent[] = [itemsDecided(entry, decided)];
  const finished = finishIfAllDecided(entry, [...byId.values()], now);
  if (finished) {
    try {
      await campaigns.saveEntry(finished);
      events.push(entryStateChanged(entry.state, finished, userActor(request.actorId), at, { reason: 'every item decided' }));
    } catch (error) {
      // Someone else closed or changed the entry meanwhile; the controller reconciles at the due date.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  // One record per request, once saved (a refused request records nothing).
  const itemIds = inputs.map((d) => d.itemId);
  await recordAfter(deps.audit, entryRecord(entry, auditKey.decide(entry.id, at, itemIds), at, events));
  return { entry: finished ?? entry, decided: itemIds, finished: finished !== undefined };
}

/** APPROVE or REJECT every open item (of one privilege, if given); MODIFY is per item by nature. */
function bulkDecisions(entry: Entry, items: Item[], all: NonNullable<DecideRequest['all']>): unknown[] {
  if (all.outcome !== 'APPROVE' && all.outcome !== 'REJECT') {
    throw new ValidationError('a bulk decision is APPROVE or REJECT', 'outcome');
  }
  return items
    .filter((i) => !isDecided(i, entry) && (all.privilegeId === undefined || i.privilegeId === all.privilegeId))
    .map((i) => ({ itemId: i.id, outcome: all.outcome, ...(all.comment !== undefined ? { comment: all.comment } : {}) }));
}

/** Bulk across an approver's open tasks: one outcome for every open item of one privilege. */
export async function decideForPrivilege(
  deps: DecideDeps,
  request: { actorId: string; privilegeId: string; outcome: unknown; comment?: unknown },
  now: Date,
): Promise<DecideResult[]> {
  const results: DecideResult[] = [];
  for (const task of await listTasks(deps.campaigns, request.actorId)) {
    if (!task.openItems.some((i) => i.privilegeId === request.privilegeId)) continue;
    results.push(
      await decide(deps, { entryId: task.entry.id, actorId: request.actorId, all: { outcome: request.outcome, comment: request.comment, privilegeId: request.privilegeId } }, now),
    );
  }
  if (results.length === 0) throw new ValidationError(`no open item of ${request.privilegeId} in the tasks of ${request.actorId}`, 'privilegeId');
  return results;
}
