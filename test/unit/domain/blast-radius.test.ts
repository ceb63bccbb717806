import { describe, expect, it } from 'vitest';
import type { ItemPlan } from '../../../lambdas/shared/domain/application.js';
import {
  addApplyCounts,
  capVerdict,
  countAction,
  describeProtection,
  emptyApplyCounts,
  exceedsCap,
  guardedAction,
  maxRemovalShareOf,
  mayRemove,
  protectionLookup,
  protectionOf,
  removalShare,
  type ApplyAction,
  type Protection,
} from '../../../lambdas/shared/domain/blast-radius.js';
import { DEFAULT_MAX_REMOVAL_SHARE, type ApplyCounts } from '../../../lambdas/shared/domain/model.js';

const breakGlass = { id: 'u-bg', protected: { reason: 'break-glass account' } };
const plainUser = { id: 'u1' };
const lastAdmin = { id: 'p-root', protected: { reason: 'last administrator role' } };
const plainPrivilege = { id: 'p-wiki' };

const REMOVE: ItemPlan = { category: 'rejected', change: 'REMOVE', reason: 'REJECTED' };
const HAND_OVER: ItemPlan = { category: 'uncertified', change: 'WORKFLOW', reason: 'UNCERTIFIED' };
const MODIFY: ItemPlan = { category: 'modified', change: 'MODIFY', endDate: '2026-12-31T00:00:00.000Z' };
const KEEP: ItemPlan = { category: 'approved', change: 'NONE' };
const KEPT_REJECTED: ItemPlan = { category: 'rejected', change: 'NONE' };

describe('protectionOf', () => {
  it('is nothing when neither the user nor the privilege is protected, or either is unknown', () => {
    expect(protectionOf(plainUser, plainPrivilege)).toBeUndefined();
    expect(protectionOf(undefined, undefined)).toBeUndefined();
    expect(protectionOf(undefined, plainPrivilege)).toBeUndefined();
  });

  it('names the protected user, or else the protected privilege, with the reason', () => {
    expect(protectionOf(breakGlass, plainPrivilege)).toEqual({ kind: 'USER', id: 'u-bg', reason: 'break-glass account' });
    expect(protectionOf(plainUser, lastAdmin)).toEqual({ kind: 'PRIVILEGE', id: 'p-root', reason: 'last administrator role' });
    expect(protectionOf(undefined, lastAdmin)).toEqual({ kind: 'PRIVILEGE', id: 'p-root', reason: 'last administrator role' });
    // Both: the user's protection is named (either one alone would keep it).
    expect(protectionOf(breakGlass, lastAdmin)?.kind).toBe('USER');
  });

  it('says it in words', () => {
    expect(describeProtection({ kind: 'USER', id: 'u-bg', reason: 'break-glass account' })).toBe('protected user u-bg: break-glass account');
    expect(describeProtection({ kind: 'PRIVILEGE', id: 'p-root', reason: 'last administrator role' })).toBe('protected privilege p-root: last administrator role');
  });

  it('looks a batch up by ids', () => {
    const lookup = protectionLookup(new Map([['u-bg', breakGlass], ['u1', plainUser]]), new Map([['p-root', lastAdmin]]));
    expect(lookup('u1', 'p-root')?.id).toBe('p-root');
    expect(lookup('u-bg', 'p-gone')?.id).toBe('u-bg');
    expect(lookup('u1', 'p-gone')).toBeUndefined();
  });
});

describe('guardedAction', () => {
  const guard: Protection = { kind: 'USER', id: 'u-bg', reason: 'break-glass account' };

  it.each<[string, ItemPlan, ApplyAction, ApplyAction]>([
    ['a removal', REMOVE, 'REMOVE', 'KEPT_BY_GUARD'],
    ['a hand-over (its workflow only decides whether to remove)', HAND_OVER, 'HAND_OVER', 'KEPT_BY_GUARD'],
    ['a modification (it changes the grant, it does not remove it)', MODIFY, 'MODIFY', 'MODIFY'],
    ['an approval', KEEP, 'KEEP', 'KEEP'],
    ['a rejection the settings keep', KEPT_REJECTED, 'KEEP', 'KEEP'],
  ])('%s: unprotected %s, protected %s', (_what, plan, unprotected, guarded) => {
    expect(guardedAction(plan, undefined)).toBe(unprotected);
    expect(guardedAction(plan, guard)).toBe(guarded);
  });

  it('looks protection up only for what may remove', () => {
    expect([REMOVE, HAND_OVER, MODIFY, KEEP, KEPT_REJECTED].map(mayRemove)).toEqual([true, true, false, false, false]);
  });
});

describe('apply counts', () => {
  it('counts each item once, in its action', () => {
    const actions: ApplyAction[] = ['REMOVE', 'REMOVE', 'MODIFY', 'HAND_OVER', 'KEEP', 'KEEP', 'KEEP', 'KEPT_BY_GUARD'];
    const counts = actions.reduce(countAction, emptyApplyCounts());
    expect(counts).toEqual({ items: 8, remove: 2, modify: 1, handOver: 1, keep: 3, keptByGuard: 1 });
    expect(addApplyCounts(counts, counts)).toEqual({ items: 16, remove: 4, modify: 2, handOver: 2, keep: 6, keptByGuard: 2 });
  });
});

describe('the revocation cap', () => {
  const counts = (remove: number, items: number): ApplyCounts => ({ ...emptyApplyCounts(), items, remove, keep: items - remove });

  it('defaults to 20 % of the items', () => {
    expect(DEFAULT_MAX_REMOVAL_SHARE).toBe(0.2);
    expect(maxRemovalShareOf({})).toBe(0.2);
    expect(maxRemovalShareOf({ guard: {} })).toBe(0.2);
    expect(maxRemovalShareOf({ guard: { maxRemovalShare: 0.5 } })).toBe(0.5);
    expect(maxRemovalShareOf({ guard: { maxRemovalShare: 0 } })).toBe(0);
  });

  it('is exceeded only by more than the share: exactly the share passes', () => {
    expect(exceedsCap(counts(20, 100), {})).toBe(false);
    expect(exceedsCap(counts(21, 100), {})).toBe(true);
    expect(exceedsCap(counts(1, 5), {})).toBe(false);
    expect(exceedsCap(counts(2, 5), {})).toBe(true);
  });

  it('counts only immediate removals: hand-overs and what the guard keeps are not removed', () => {
    const handedOver: ApplyCounts = { items: 10, remove: 2, modify: 0, handOver: 5, keep: 0, keptByGuard: 3 };
    expect(removalShare(handedOver)).toBe(0.2);
    expect(exceedsCap(handedOver, {})).toBe(false);
  });

  it('0 confirms every removal, 1 none; a run with no items removes nothing', () => {
    expect(exceedsCap(counts(1, 1000), { guard: { maxRemovalShare: 0 } })).toBe(true);
    expect(exceedsCap(counts(0, 1000), { guard: { maxRemovalShare: 0 } })).toBe(false);
    expect(exceedsCap(counts(1000, 1000), { guard: { maxRemovalShare: 1 } })).toBe(false);
    expect(removalShare(emptyApplyCounts())).toBe(0);
    expect(exceedsCap(emptyApplyCounts(), { guard: { maxRemovalShare: 0 } })).toBe(false);
  });

  it('gives its verdict with the most removals allowed without confirmation', () => {
    expect(capVerdict(counts(3, 5), {})).toEqual({ maxRemovalShare: 0.2, removalShare: 0.6, maxRemovals: 1, exceeded: true });
    expect(capVerdict(counts(29, 100), { guard: { maxRemovalShare: 0.29 } })).toEqual({ maxRemovalShare: 0.29, removalShare: 0.29, maxRemovals: 29, exceeded: false });
    expect(capVerdict(counts(0, 3), { guard: { maxRemovalShare: 0.1 } })).toMatchObject({ maxRemovals: 0, exceeded: false });
  });
});
