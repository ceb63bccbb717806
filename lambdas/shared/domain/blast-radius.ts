// Blast-radius guards (docs/reference/guards.md): protected users and privileges that no campaign,
// re-approval or emergency removal ever removes, and the per-campaign revocation cap above which a
// campaign waits for its owner's confirmation before anything is removed. Pure.
import type { ItemPlan } from './application.js';
import { DEFAULT_MAX_REMOVAL_SHARE, type ApplyCounts, type GuardSettings, type Privilege, type ProtectionMark, type User } from './model.js';

/** What protects an assignment: its user (checked first) or its privilege, and why. */
export interface Protection {
  kind: 'USER' | 'PRIVILEGE';
  id: string;
  reason: string;
}

/** The protection of an assignment of `privilege` to `user`, if either is protected; either may be unknown (gone from the directory). */
export function protectionOf(
  user: { id: string; protected?: ProtectionMark } | undefined,
  privilege: { id: string; protected?: ProtectionMark } | undefined,
): Protection | undefined {
  if (user?.protected) return { kind: 'USER', id: user.id, reason: user.protected.reason };
  if (privilege?.protected) return { kind: 'PRIVILEGE', id: privilege.id, reason: privilege.protected.reason };
  return undefined;
}

/** "protected user u-breakglass: break-glass account": the guard's reason, as reports, audit records and removal records say it. */
export const describeProtection = (p: Protection): string => `protected ${p.kind === 'USER' ? 'user' : 'privilege'} ${p.id}: ${p.reason}`;

/** Looks protection up by user and privilege id (as loaded for a batch of assignments). */
export function protectionLookup(users: ReadonlyMap<string, Pick<User, 'id' | 'protected'>>, privileges: ReadonlyMap<string, Pick<Privilege, 'id' | 'protected'>>) {
  return (userId: string, privilegeId: string): Protection | undefined => protectionOf(users.get(userId), privileges.get(privilegeId));
}

/**
 * What applying an item does, guard included:
 * - REMOVE, MODIFY, HAND_OVER (a `WORKFLOW` revocation) and KEEP follow the decision and the revocation settings;
 * - KEPT_BY_GUARD: the settings would remove it, or hand it to a workflow whose only question is
 *   whether to remove it, but the user or the privilege is protected: nothing is started or removed.
 * A modification of a protected assignment is applied: it changes the grant (an end date, a
 * parameter), it does not remove it.
 */
export type ApplyAction = 'REMOVE' | 'MODIFY' | 'HAND_OVER' | 'KEEP' | 'KEPT_BY_GUARD';

export const APPLY_ACTIONS: readonly ApplyAction[] = ['REMOVE', 'MODIFY', 'HAND_OVER', 'KEEP', 'KEPT_BY_GUARD'];

/** Whether a plan would take the assignment away (now, or through a hand-over): only those need the guard's look-up. */
export const mayRemove = (plan: ItemPlan): boolean => plan.change === 'REMOVE' || plan.change === 'WORKFLOW';

export function guardedAction(plan: ItemPlan, protection: Protection | undefined): ApplyAction {
  if (mayRemove(plan) && protection) return 'KEPT_BY_GUARD';
  switch (plan.change) {
    case 'REMOVE':
      return 'REMOVE';
    case 'WORKFLOW':
      return 'HAND_OVER';
    case 'MODIFY':
      return 'MODIFY';
    case 'NONE':
      return 'KEEP';
  }
}

export const emptyApplyCounts = (): ApplyCounts => ({ items: 0, remove: 0, modify: 0, handOver: 0, keep: 0, keptByGuard: 0 });

const COUNTED: Record<ApplyAction, keyof Omit<ApplyCounts, 'items'>> = {
  REMOVE: 'remove',
  MODIFY: 'modify',
  HAND_OVER: 'handOver',
  KEEP: 'keep',
  KEPT_BY_GUARD: 'keptByGuard',
};

export function countAction(counts: ApplyCounts, action: ApplyAction): ApplyCounts {
  const field = COUNTED[action];
  return { ...counts, items: counts.items + 1, [field]: counts[field] + 1 };
}

export const addApplyCounts = (a: ApplyCounts, b: ApplyCounts): ApplyCounts => ({
  items: a.items + b.items,
  remove: a.remove + b.remove,
  modify: a.modify + b.modify,
  handOver: a.handOver + b.handOver,
  keep: a.keep + b.keep,
  keptByGuard: a.keptByGuard + b.keptByGuard,
});

/** The campaign's cap: the share of its items applying may remove without the owner's confirmation. */
export const maxRemovalShareOf = (campaign: { guard?: GuardSettings }): number => campaign.guard?.maxRemovalShare ?? DEFAULT_MAX_REMOVAL_SHARE;

/** The share of the items applying would remove (0 for a run with no items). */
export const removalShare = (counts: ApplyCounts): number => (counts.items === 0 ? 0 : counts.remove / counts.items);

/**
 * Over the cap: the removals are more than `maxRemovalShare` of the items. Only immediate removals
 * count: a hand-over asks people first, and what the guard keeps is not removed.
 */
export const exceedsCap = (counts: ApplyCounts, campaign: { guard?: GuardSettings }): boolean => removalShare(counts) > maxRemovalShareOf(campaign);

export interface CapVerdict {
  maxRemovalShare: number;
  removalShare: number;
  /** The most items that may be removed without confirmation. */
  maxRemovals: number;
  exceeded: boolean;
}

export function capVerdict(counts: ApplyCounts, campaign: { guard?: GuardSettings }): CapVerdict {
  const max = maxRemovalShareOf(campaign);
  return { maxRemovalShare: max, removalShare: removalShare(counts), maxRemovals: Math.floor(counts.items * max + 1e-9), exceeded: exceedsCap(counts, campaign) };
}
