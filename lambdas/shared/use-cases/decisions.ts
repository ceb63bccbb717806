// Approvers' work (SPEC 2 step 3, SPEC 3): list open tasks, decide items. Only the entry's current
// approver may decide, only while the entry and its campaign run; every refusal changes nothing.
import { finishIfAllDecided, isDecided } from '../domain/entries.js';
import { ClosedError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Decision, Entry, Item } from '../domain/model.js';
import { decisionInputSchema, parseInput, type DecisionInput } from '../domain/schemas.js';
import type { CampaignStore } from './ports.js';

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
  decisions: unknown[];
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
export async function decide(campaigns: CampaignStore, request: DecideRequest, now: Date): Promise<DecideResult> {
  if (request.decisions.length === 0) throw new ValidationError('at least one decision is required', 'decisions');
  const inputs: DecisionInput[] = request.decisions.map((d, i) =>
    parseInput(decisionInputSchema, d, request.decisions.length > 1 ? `decisions.${i}` : undefined),
  );
  const loaded = await campaigns.getEntryWithItems(request.entryId);
  if (!loaded) throw new NotFoundError('entry', request.entryId);
  const { entry, items } = loaded;
  const campaign = await campaigns.getCampaign(entry.campaignId);
  if (!entry.approverIds.includes(request.actorId)) {
    throw new ForbiddenError(`${request.actorId} is not an approver of entry ${entry.id} (approvers: ${entry.approverIds.join(', ') || 'none'})`);
  }
  if (entry.state !== 'RUNNING' || !campaign || campaign.state !== 'RUNNING' || campaign.runId !== entry.runId || campaign.phase.name !== 'DONE') {
    throw new ClosedError(`entry ${entry.id} is ${entry.state}${campaign && campaign.state !== 'RUNNING' ? ` in a ${campaign.state} campaign` : ''}; decisions are closed`);
  }
  if (now.toISOString() >= entry.dueDate) throw new ClosedError(`entry ${entry.id} was due ${entry.dueDate}; decisions are closed`);
  const byId = new Map(items.map((i) => [i.id, i]));
  const seen = new Set<string>();
  inputs.forEach((d, i) => {
    const field = request.decisions.length > 1 ? `decisions.${i}.itemId` : 'itemId';
    if (!byId.has(d.itemId)) throw new ValidationError(`entry ${entry.id} has no item ${d.itemId}`, field);
    if (seen.has(d.itemId)) throw new ValidationError(`item ${d.itemId} is decided twice in one request`, field);
    seen.add(d.itemId);
  });

  const at = now.toISOString();
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
  }

  const finished = finishIfAllDecided(entry, [...byId.values()], now);
  if (finished) {
    try {
      await campaigns.saveEntry(finished);
    } catch (error) {
      // Someone else closed or changed the entry meanwhile; the controller reconciles at the due date.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return { entry: finished ?? entry, decided: inputs.map((d) => d.itemId), finished: finished !== undefined };
}
