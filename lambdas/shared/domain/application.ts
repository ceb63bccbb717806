// docs/reference/campaigns.md, step 4 (Finish): what applying an item's decision does, per the revocation settings.
import type { ApprovalRun } from './approvals/model.js';
import type { Entry, EntryStats, Item, ItemWorkflow, RevocationAction, RevocationSettings, Revocation } from './model.js';
import { isDecided } from './entries.js';
import { effectiveDecision } from './stages.js';

export type ItemCategory = 'approved' | 'rejected' | 'modified' | 'uncertified';

export type ItemPlan =
  | { category: ItemCategory; change: 'NONE' }
  | { category: ItemCategory; change: 'REMOVE'; reason: Revocation['reason'] }
  | { category: 'modified'; change: 'MODIFY'; endDate?: string | null; parameters?: Record<string, string | null> }
  /**
   * Handed to the privilege's approval workflow: the assignment stays as it is (a modification is
   * not applied) until the run approves (kept) or rejects (removed) it.
   */
  | { category: Exclude<ItemCategory, 'approved'>; change: 'WORKFLOW'; reason: Revocation['reason'] };

/** Only the decision recorded before the entry closed counts; no decision is "uncertified". */
export function planItem(item: Item, entry: Pick<Entry, 'closedAt'>, revocation: RevocationSettings): ItemPlan {
  if (!isDecided(item, entry)) return planned(revocation.uncertified, 'uncertified', 'UNCERTIFIED', { category: 'uncertified', change: 'NONE' });
  const decision = effectiveDecision(item)!;
  switch (decision.outcome) {
    case 'APPROVE':
      return { category: 'approved', change: 'NONE' };
    case 'REJECT':
      return planned(revocation.rejected, 'rejected', 'REJECTED', { category: 'rejected', change: 'NONE' });
    case 'MODIFY':
      return planned(revocation.modified, 'modified', 'MODIFIED', {
        category: 'modified',
        change: 'MODIFY',
        ...(decision.endDate !== undefined ? { endDate: decision.endDate } : {}),
        ...(decision.parameters ? { parameters: decision.parameters } : {}),
      });
  }
}

/** What a category's setting plans: REMOVE and WORKFLOW the same for every category, KEEP what the category keeps. */
function planned(action: RevocationAction, category: Exclude<ItemCategory, 'approved'>, reason: Revocation['reason'], keep: ItemPlan): ItemPlan {
  if (action === 'REMOVE') return { category, change: 'REMOVE', reason };
  if (action === 'WORKFLOW') return { category, change: 'WORKFLOW', reason };
  return keep;
}

/** What a campaign item records of the run it was handed to: as the run is now (it may have ended at its start). */
export function itemWorkflowOf(run: ApprovalRun): ItemWorkflow {
  return {
    approvalId: run.id,
    workflowId: run.workflow.id,
    startedAt: run.createdAt,
    state: run.state,
    ...(run.outcome ? { outcomeAt: run.outcome.at } : {}),
    ...(run.outcome?.by ? { outcomeBy: run.outcome.by } : {}),
    ...(run.applied ? { appliedAction: run.applied.action } : {}),
  };
}

/** The role parameters an approver sees on an item: as granted, with earlier stages' modifications. */
export function parametersSeen(item: Pick<Item, 'parameters' | 'priorDecisions'>): Record<string, string> {
  const seen: Record<string, string> = { ...item.parameters };
  for (const decision of item.priorDecisions ?? []) {
    if (decision.outcome !== 'MODIFY') continue;
    for (const [name, value] of Object.entries(decision.parameters ?? {})) {
      if (value === null) delete seen[name];
      else seen[name] = value;
    }
  }
  return seen;
}

/**
 * The parameters a modification removes (null values) must be there to remove: a typo in a name
 * would otherwise be recorded as a change that changes nothing. Returns the first name that is not.
 */
export function missingRemovedParameter(item: Pick<Item, 'parameters' | 'priorDecisions'>, parameters: Record<string, string | null> | undefined): string | undefined {
  const seen = parametersSeen(item);
  return Object.entries(parameters ?? {}).find(([name, value]) => value === null && !(name in seen))?.[0];
}

export const emptyStats = (): EntryStats => ({ approved: 0, rejected: 0, modified: 0, uncertified: 0, revoked: 0, handedOver: 0 });

export function countPlan(stats: EntryStats, plan: ItemPlan): EntryStats {
  const next = { ...stats, [plan.category]: stats[plan.category] + 1 };
  if (plan.change === 'REMOVE') next.revoked += 1;
  if (plan.change === 'WORKFLOW') next.handedOver += 1;
  return next;
}

/** An item the plan would remove or hand over, kept by the blast-radius guard: counted kept, not revoked nor handed over. */
export function keptByGuardStats(stats: EntryStats, plan: ItemPlan): EntryStats {
  return {
    ...stats,
    ...(plan.change === 'REMOVE' ? { revoked: stats.revoked - 1 } : {}),
    ...(plan.change === 'WORKFLOW' ? { handedOver: stats.handedOver - 1 } : {}),
    keptByGuard: (stats.keptByGuard ?? 0) + 1,
  };
}

export const addStats = (a: EntryStats, b: EntryStats): EntryStats => {
  // Present only where the guard kept something: totals of runs without it read as they always did.
  const keptByGuard = (a.keptByGuard ?? 0) + (b.keptByGuard ?? 0);
  return {
    approved: a.approved + b.approved,
    rejected: a.rejected + b.rejected,
    modified: a.modified + b.modified,
    uncertified: a.uncertified + b.uncertified,
    revoked: a.revoked + b.revoked,
    // Entries applied before hand-overs existed have no count of them.
    handedOver: (a.handedOver ?? 0) + (b.handedOver ?? 0),
    ...(keptByGuard > 0 ? { keptByGuard } : {}),
  };
};
