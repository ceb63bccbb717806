import { describe, expect, it } from 'vitest';
import { GROUP_ITEMS, groupsOf } from '../../../lambdas/shared/use-cases/finish-campaign.js';

const entries = (...counts: number[]) => counts.map((itemCount, i) => ({ id: `e-${i}`, itemCount }));
const ids = (groups: { id: string }[][]) => groups.map((g) => g.map((e) => e.id));

describe('the groups an APPLY chunk is applied in (memory follows the group, not the chunk)', () => {
  it('keeps consecutive entries together up to the item limit, in order', () => {
    expect(ids(groupsOf(entries(10, 10, 10, 10, 10), 25))).toEqual([['e-0', 'e-1'], ['e-2', 'e-3'], ['e-4']]);
    expect(ids(groupsOf(entries(25, 25, 25, 25), 100))).toEqual([['e-0', 'e-1', 'e-2', 'e-3']]);
  });

  it('puts an entry larger than the limit in a group of its own, and never an empty group', () => {
    expect(ids(groupsOf(entries(3, 60, 3, 0, 2), 10))).toEqual([['e-0'], ['e-1'], ['e-2', 'e-3', 'e-4']]);
    expect(groupsOf([], 10)).toEqual([]);
  });

  it('holds a whole default chunk of 25-item entries (100 of them) in one group', () => {
    expect(groupsOf(entries(...Array<number>(100).fill(25)), GROUP_ITEMS)).toHaveLength(1);
    expect(groupsOf(entries(...Array<number>(101).fill(25)), GROUP_ITEMS)).toHaveLength(2);
  });
});
