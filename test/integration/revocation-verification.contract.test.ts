// The campaign store's side of revocation verification, one contract run against the in-memory store
// and the Dynamo adapter on a real engine (dynalite, or DynamoDB Local with
// IDGOV_TEST_ENGINE=dynamodb-local): a run's revocations listed from a cursor by key, their read-back
// recorded, and the sparse index of those still present (nothing else of any run) by next check.
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import type { Revocation, RevocationVerification } from '../../lambdas/shared/domain/model.js';
import { revocationCursor } from '../../lambdas/shared/use-cases/chunked.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import type { CampaignStore, Pages } from '../../lambdas/shared/use-cases/ports.js';
import { useEngine } from '../support/engine.js';

/** Small pages, so that every list crosses page boundaries. */
const PAGE_SIZE = 3;
const engine = useEngine();

const implementations: { name: string; make: () => Promise<CampaignStore> }[] = [
  { name: 'in-memory', make: async () => new InMemoryCampaignStore({ pageSize: PAGE_SIZE }) },
  {
    name: `dynamo on ${engine.kind}`,
    make: async () => {
      const { doc, names } = await engine.freshTables();
      return new DynamoCampaignStore({ doc, tableName: names.campaign, pageSize: PAGE_SIZE, batch: { baseDelayMs: 1 } });
    },
  },
];

const T0 = '2026-07-15T01:00:00.000Z';
const revocation = (userId: string, privilegeId: string, runId = 'c-test#1', verification?: RevocationVerification): Revocation => ({
  runId,
  campaignId: runId.split('#')[0]!,
  userId,
  privilegeId,
  privilegeName: `Privilege ${privilegeId}`,
  entryId: `e-${userId}`,
  itemId: privilegeId,
  reason: 'REJECTED',
  at: T0,
  ...(verification ? { verification } : {}),
});
const stillPresent = (nextCheckAt: string, since = T0): RevocationVerification => ({ status: 'STILL_PRESENT', at: since, since, nextCheckAt });
const absent: RevocationVerification = { status: 'ABSENT', at: T0 };
const keys = (revocations: Revocation[]) => revocations.map((r) => `${r.runId} ${revocationCursor(r)}`);
/** The sizes of the pages a listing yields (DynamoDB may end a full last page with an empty one: left out). */
const pageSizes = async <T>(pages: Pages<T>) => {
  const sizes: number[] = [];
  for await (const page of pages) if (page.length > 0) sizes.push(page.length);
  return sizes;
};

describe.each(implementations)('revocation verification store contract: $name', ({ make }) => {
  let store: CampaignStore;
  beforeEach(async () => {
    store = await make();
  });

  it('lists a run from a cursor by key: after a revocation, whether or not it still exists, across pages', async () => {
    const users = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e'];
    for (const userId of users) for (const privilegeId of ['p-1', 'p-2']) await store.saveAppliedChanges({ revocations: [revocation(userId, privilegeId)] });
    await store.saveAppliedChanges({ revocations: [revocation('u-a', 'p-1', 'c-test#2')] });

    const all = await collect(store.listRevocations('c-test#1'));
    expect(all.map(revocationCursor)).toEqual(users.flatMap((u) => [`${u}#p-1`, `${u}#p-2`]));
    expect((await collect(store.listRevocations('c-test#1', { after: 'u-b#p-2' }))).map(revocationCursor)).toEqual([
      'u-c#p-1',
      'u-c#p-2',
      'u-d#p-1',
      'u-d#p-2',
      'u-e#p-1',
      'u-e#p-2',
    ]);
    // A cursor between keys (that revocation is gone): from the next one.
    expect((await collect(store.listRevocations('c-test#1', { after: 'u-c#p-15' }))).map(revocationCursor)).toEqual(['u-c#p-2', 'u-d#p-1', 'u-d#p-2', 'u-e#p-1', 'u-e#p-2']);
    expect(await collect(store.listRevocations('c-test#1', { after: 'u-e#p-2' }))).toEqual([]);
    expect(await pageSizes(store.listRevocations('c-test#1', { after: 'u-a#p-1' }))).toEqual([3, 3, 3]);
  });

  it('records each revocation with its verification, read back as it was written', async () => {
    await store.saveAppliedChanges({ revocations: [revocation('u-a', 'p-1')] });
    await store.saveAppliedChanges({ revocations: [revocation('u-b', 'p-1')] });
    const checked = [revocation('u-a', 'p-1', 'c-test#1', absent), revocation('u-b', 'p-1', 'c-test#1', { status: 'ABSENT', at: T0, origin: 'RULE' })];
    await store.saveRevocationVerifications(checked);
    expect(await collect(store.listRevocations('c-test#1'))).toEqual(checked);
    await store.saveRevocationVerifications([]);
    expect(await collect(store.listRevocations('c-test#1'))).toEqual(checked);
  });

  it('holds only the still-present ones in the unverified index, by next check across runs, due ones with dueBy', async () => {
    const rows = [
      revocation('u-a', 'p-1', 'c-test#1', stillPresent('2026-07-16T03:00:00.000Z')),
      revocation('u-b', 'p-1', 'c-test#1', absent),
      revocation('u-c', 'p-1', 'c-test#1'),
      revocation('u-a', 'p-2', 'c-other#3', stillPresent('2026-07-16T01:00:00.000Z')),
      revocation('u-d', 'p-9', 'c-test#1', stillPresent('2026-07-18T00:00:00.000Z')),
      revocation('u-e', 'p-9', 'c-test#1', stillPresent('2026-07-16T03:00:00.000Z')),
    ];
    for (const r of rows) await store.saveAppliedChanges({ revocations: [revocation(r.userId, r.privilegeId, r.runId)] });
    await store.saveRevocationVerifications(rows);

    expect(keys(await collect(store.listUnverifiedRevocations()))).toEqual([
      'c-other#3 u-a#p-2',
      'c-test#1 u-a#p-1',
      'c-test#1 u-e#p-9',
      'c-test#1 u-d#p-9',
    ]);
    expect(await pageSizes(store.listUnverifiedRevocations())).toEqual([3, 1]);
    expect((await collect(store.listUnverifiedRevocations())).find((r) => r.userId === 'u-d')).toEqual(rows[4]);
    // Due at or before the instant given, whatever the rest of the key.
    expect(keys(await collect(store.listUnverifiedRevocations('2026-07-16T03:00:00.000Z')))).toEqual(['c-other#3 u-a#p-2', 'c-test#1 u-a#p-1', 'c-test#1 u-e#p-9']);
    expect(await collect(store.listUnverifiedRevocations('2026-07-16T00:59:59.999Z'))).toEqual([]);
  });

  it('moves a re-checked one along the index, drops one found gone, and loses them all with their run', async () => {
    await store.saveRevocationVerifications([
      revocation('u-a', 'p-1', 'c-test#1', stillPresent('2026-07-16T01:00:00.000Z')),
      revocation('u-b', 'p-1', 'c-test#1', stillPresent('2026-07-16T01:00:00.000Z')),
      revocation('u-c', 'p-1', 'c-test#2', stillPresent('2026-07-16T01:00:00.000Z')),
    ]);
    await store.saveRevocationVerifications([
      revocation('u-a', 'p-1', 'c-test#1', { ...stillPresent('2026-07-17T01:00:00.000Z'), at: '2026-07-16T01:00:00.000Z' }),
      revocation('u-b', 'p-1', 'c-test#1', { status: 'ABSENT', at: '2026-07-16T01:00:00.000Z' }),
    ]);
    expect(keys(await collect(store.listUnverifiedRevocations('2026-07-16T23:00:00.000Z')))).toEqual(['c-test#2 u-c#p-1']);
    expect(keys(await collect(store.listUnverifiedRevocations()))).toEqual(['c-test#2 u-c#p-1', 'c-test#1 u-a#p-1']);

    expect(await store.deleteRun('c-test#1')).toBe(true);
    expect(keys(await collect(store.listUnverifiedRevocations()))).toEqual(['c-test#2 u-c#p-1']);
    expect(await collect(store.listRevocations('c-test#1'))).toEqual([]);
  });
});
