// Downstream approval (docs/reference/campaigns.md, "Approvers"; docs/reference/campaigns.md): stage n+1 starts when stage n is finished or
// expired and sees only what the earlier stages approved; an assignment stays only if no stage
// rejected it.
import { addDays } from './campaign-schedule.js';
import { isDecided } from './entries.js';
import type { Campaign, Decision, Entry, Item, StagePlan } from './model.js';

const passes = (d: Decision | undefined) => d !== undefined && (d.outcome === 'APPROVE' || d.outcome === 'MODIFY');

export const nextStagePlan = (entry: Entry): StagePlan | undefined => entry.plan?.[entry.stage];

/** A closed entry whose next stage has not been started yet. */
export const awaitsNextStage = (entry: Entry): boolean =>
  (entry.state === 'APPROVAL.FINISHED' || entry.state === 'FAILED.EXPIRED') && !entry.advancedAt && nextStagePlan(entry) !== undefined;

/** Approved (or modified) before the stage closed: handed on, with the decision kept as history. */
export function forwardedItems(entry: Entry, items: Item[]): Item[] {
  return items
    .filter((i) => isDecided(i, entry) && passes(i.decision))
    .map((i) => ({ ...i, priorDecisions: [...(i.priorDecisions ?? []), i.decision!] }));
}

/** Whether applying this entry leaves the item to a later stage. */
export const isForwarded = (entry: Entry, item: Item) => entry.advancedAt !== undefined && (entry.nextEntryIds?.length ?? 0) > 0 && isDecided(item, entry) && passes(item.decision);

export const stageDueDate = (campaign: Campaign, plan: StagePlan, now: Date) =>
  addDays(now.toISOString(), plan.periodDays ?? campaign.approvalPeriodDays ?? 14);

/**
 * The decision that counts when the decisions are applied: the last stage's, except that an
 * approval keeps the latest modification an earlier stage made.
 */
export function effectiveDecision(item: Item): Decision | undefined {
  const last = item.decision;
  if (!last || last.outcome !== 'APPROVE') return last;
  const modified = [...(item.priorDecisions ?? [])].reverse().find((d) => d.outcome === 'MODIFY');
  return modified ? { ...last, outcome: 'MODIFY', endDate: modified.endDate, parameters: modified.parameters } : last;
}
