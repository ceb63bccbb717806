// An item's record leaves out what its key says (records.ts itemRecord); reading it back must give
// the item as it was, for either kind of entry, and records written before the slimming (every field,
// an `entity` attribute) must read the same.
import { describe, expect, it } from 'vitest';
import { isItemRecord, itemRecord, toItem } from '../../../lambdas/shared/adapters/dynamo/records.js';
import { aDecision, anItem } from '../../support/fixtures.js';

describe('item records', () => {
  it('a USER entry item: the privilege it names is only in the key, and it reads back whole', () => {
    const item = anItem({ entryId: 'e-1', id: 'p-9', userId: 'u-1', privilegeId: 'p-9', decision: aDecision() });
    const record = itemRecord(item);
    expect(record).toMatchObject({ PK: 'ENTRY#e-1', SK: 'ITEM#p-9', userId: 'u-1' });
    expect(record).not.toHaveProperty('entryId');
    expect(record).not.toHaveProperty('id');
    expect(record).not.toHaveProperty('privilegeId');
    expect(toItem(record)).toEqual(item);
  });

  it('a PRIVILEGE entry item: the user it names is only in the key, and it reads back whole', () => {
    const item = anItem({ entryId: 'e-2', id: 'u-7', userId: 'u-7', privilegeId: 'p-1' });
    const record = itemRecord(item);
    expect(record).not.toHaveProperty('userId');
    expect(record).toMatchObject({ SK: 'ITEM#u-7', privilegeId: 'p-1' });
    expect(toItem(record)).toEqual(item);
  });

  it('a record of the earlier shape (ids and entity stored) reads as the same item', () => {
    const item = anItem({ entryId: 'e-3', id: 'p-2', userId: 'u-2', privilegeId: 'p-2' });
    const earlier = { ...item, PK: 'ENTRY#e-3', SK: 'ITEM#p-2', entity: 'item' };
    expect(toItem(earlier)).toEqual(item);
  });

  it('an entry partition is told apart by sort key: items, not the entry or its approver pointers', () => {
    expect([{ SK: 'ITEM#p-1' }, { SK: '#ENTRY' }, { SK: 'APPROVER#u-1' }].map(isItemRecord)).toEqual([true, false, false]);
  });
});
