// Revocation verification over the in-memory stores (docs/reference/campaigns.md, "Revocation
// verification"): the VERIFY phase reads every removal of the run back, chunk by chunk with its
// cursor, records what it found on each revocation, tells the owner once about those still present
// and moves on; a run killed after any write ends, once re-run, as a clean run does; later runs
// re-check the still-present ones once a day until they are gone.
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { runChain } from '../../../lambdas/shared/domain/audit/model.js';
import { markSucceeded, nextRunWithArchive } from '../../../lambdas/shared/domain/campaign-lifecycle.js';
import type { Campaign, CampaignStats, Revocation } from '../../../lambdas/shared/domain/model.js';
import { buildTemplates } from '../../../lambdas/shared/domain/templates.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { silentLog, type TimeBudget } from '../../../lambdas/shared/use-cases/ports.js';
import { recheckStillPresent, verifyRevocations, type VerifyDeps } from '../../../lambdas/shared/use-cases/verify-revocations.js';
import { verificationOf } from '../../../lambdas/shared/domain/revocation-verification.js';
import { aCampaign, anAssignment, aPrivilege, aUser, CAMPAIGN_ID, DUE, OWNER_ID } from '../../support/fixtures.js';

const RUN_ID = `${CAMPAIGN_ID}#1`;
const NOW = new Date('2026-07-15T01:00:00.000Z');
const LATER = (days: number, hours = 0) => new Date(NOW.getTime() + days * 86_400_000 + hours * 3_600_000);
const USERS = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-f', 'u-g'];

const revocation = (userId: string, privilegeId = 'p-git'): Revocation => ({
  runId: RUN_ID,
  campaignId: CAMPAIGN_ID,
  userId,
  privilegeId,
  privilegeName: 'Git',
  entryId: `e-${userId}`,
  itemId: privilegeId,
  reason: 'REJECTED',
  at: DUE,
});

/**
 * A run that removed p-git from seven users: u-b's removal was not made (still MANUAL in the
 * directory), u-d's p-git is held again through a RULE, the others are gone.
 */
async function world() {
  const directory = new InMemoryDirectoryStore({ pageSize: 3 });
  await directory.putUsers([aUser({ id: OWNER_ID, displayName: 'Olga Owner' }), ...USERS.map((id) => aUser({ id }))]);
  await directory.putPrivileges([aPrivilege({ id: 'p-git', name: 'Git' })]);
  await directory.putAssignments([anAssignment({ userId: 'u-b', privilegeId: 'p-git' }), anAssignment({ userId: 'u-d', privilegeId: 'p-git', origin: 'RULE' })]);
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox, pageSize: 3 });
  const campaign = aCampaign({ state: 'RUNNING', dueDate: DUE, phase: { name: 'VERIFY' }, templates: buildTemplates(), version: 5 });
  await campaigns.createCampaign(campaign);
  for (const userId of USERS) await campaigns.saveAppliedChanges({ revocations: [revocation(userId)] });
  const audit = new InMemoryAuditLog();
  const reads: string[] = [];
  const getAssignment = directory.getAssignment.bind(directory);
  directory.getAssignment = async (userId, privilegeId) => {
    reads.push(userId);
    return getAssignment(userId, privilegeId);
  };
  const deps: VerifyDeps = { campaigns, directory, outbox, audit, portalUrl: 'https://idgov.example.com', log: silentLog, verifyChunkSize: 3 };
  return { deps, directory, campaigns, outbox, audit, campaign, reads };
}
type World = Awaited<ReturnType<typeof world>>;

const stored = async (w: World) => (await w.campaigns.getCampaign(CAMPAIGN_ID))!;
const revocations = async (w: World) => collect(w.campaigns.listRevocations(RUN_ID));
const statusOf = async (w: World) => Object.fromEntries((await revocations(w)).map((r) => [r.userId, r.verification?.status]));
const eventsOf = (w: World) => w.audit.events(runChain(RUN_ID));
/** A budget that lets `chunks` chunks run, then says time is up (checked after each chunk). */
const budgetOf = (chunks: number): TimeBudget => {
  let left = chunks;
  return { hasTimeLeft: () => --left > 0, remainingMs: () => left };
};

/** The VERIFY phase to its end, from wherever the campaign stands. */
async function verify(w: World, now = NOW): Promise<Campaign> {
  let campaign = await stored(w);
  for (let i = 0; campaign.phase.name === 'VERIFY' && i < 20; i++) campaign = await verifyRevocations(w.deps, campaign, now);
  return campaign;
}

describe('the VERIFY phase', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('records on each revocation what the directory holds: absent, still present, or granted by a rule since (absent as a manual grant)', async () => {
    const next = await verify(w);
    expect(await statusOf(w)).toEqual({ 'u-a': 'ABSENT', 'u-b': 'STILL_PRESENT', 'u-c': 'ABSENT', 'u-d': 'ABSENT', 'u-e': 'ABSENT', 'u-f': 'ABSENT', 'u-g': 'ABSENT' });
    const byUser = Object.fromEntries((await revocations(w)).map((r) => [r.userId, r.verification]));
    expect(byUser['u-b']).toEqual({ status: 'STILL_PRESENT', at: NOW.toISOString(), since: NOW.toISOString(), nextCheckAt: LATER(1).toISOString() });
    expect(byUser['u-d']).toEqual({ status: 'ABSENT', at: NOW.toISOString(), origin: 'RULE' });
    expect(byUser['u-a']).toEqual({ status: 'ABSENT', at: NOW.toISOString() });
    expect(next.phase).toEqual({ name: 'NOTIFY_REJECTS' });
    expect(next.verification).toEqual({ at: NOW.toISOString(), verified: 7, stillPresent: 1, notManual: 1 });
    expect(await stored(w)).toEqual(next);
    // Only the still-present one is in the unverified index.
    expect((await collect(w.campaigns.listUnverifiedRevocations())).map((r) => r.userId)).toEqual(['u-b']);
  });

  it('tells the owner once, listing what is still present with the count, and logs each chunk and the end in the run chain', async () => {
    await verify(w);
    const notices = await collect(w.outbox.listByRun(CAMPAIGN_ID, RUN_ID));
    expect(notices.map((n) => [n.kind, n.recipientId, n.key])).toEqual([['REVOCATION_UNVERIFIED', OWNER_ID, `${RUN_ID}|REVOCATION_UNVERIFIED`]]);
    const [notice] = notices;
    expect(notice!.status).toBe('PENDING');
    expect(notice!.subject).toBe('Access still present after the review "Finance high-risk users"');
    expect(notice!.body).toContain('Hello Olga Owner,');
    expect(notice!.body).toContain('Removals still present: 1 of 7 checked\n- u-b: Git (p-git)\n');

    const events = eventsOf(w);
    const chunks = events.filter((e) => e.type === 'REVOCATIONS_VERIFIED');
    expect(chunks.map((e) => [e.data.after, e.data.verified, e.data.absent])).toEqual([
      [null, 3, 2],
      ['u-c#p-git', 3, 3],
      ['u-f#p-git', 1, 1],
    ]);
    expect(chunks[0]!.data.stillPresent).toEqual([{ userId: 'u-b', privilegeId: 'p-git', entryId: 'e-u-b', itemId: 'p-git' }]);
    expect(chunks[1]!.data.notManual).toEqual([{ userId: 'u-d', privilegeId: 'p-git', entryId: 'e-u-d', itemId: 'p-git', origin: 'RULE' }]);
    expect(events.filter((e) => e.type === 'VERIFICATION_COMPLETED').map((e) => e.data)).toEqual([
      { campaignId: CAMPAIGN_ID, runId: RUN_ID, verified: 7, stillPresent: 1, notManual: 1 },
    ]);
    expect(events.filter((e) => e.type === 'NOTIFICATION_QUEUED').map((e) => e.data.kind)).toEqual(['REVOCATION_UNVERIFIED']);
  });

  it('tells nobody and logs only the chunks when every removal is gone', async () => {
    await w.directory.removeAssignment('u-b', 'p-git');
    const next = await verify(w);
    expect(next.verification).toMatchObject({ verified: 7, stillPresent: 0 });
    expect(await collect(w.outbox.listByRun(CAMPAIGN_ID, RUN_ID))).toEqual([]);
    expect(await collect(w.campaigns.listUnverifiedRevocations())).toEqual([]);
  });

  it('moves a run that removed nothing straight on, with no record', async () => {
    const empty = aCampaign({ id: 'c-empty', state: 'RUNNING', dueDate: DUE, phase: { name: 'VERIFY' } });
    await w.campaigns.createCampaign(empty);
    const next = await verifyRevocations(w.deps, empty, NOW);
    expect(next.phase).toEqual({ name: 'NOTIFY_REJECTS' });
    expect(next.verification).toEqual({ at: NOW.toISOString(), verified: 0, stillPresent: 0, notManual: 0 });
    expect(w.audit.events(runChain('c-empty#1'))).toEqual([]);
    expect(w.reads).toEqual([]);
  });

  it('stops at a chunk checkpoint when the budget is spent, and resumes after its cursor without reading anything twice', async () => {
    const first = await verifyRevocations({ ...w.deps, budget: budgetOf(1) }, await stored(w), NOW);
    expect(first.phase).toEqual({ name: 'VERIFY', after: 'u-c#p-git', verified: 3, stillPresent: 1, notManual: 0, sample: [{ userId: 'u-b', privilegeId: 'p-git', privilegeName: 'Git' }] });
    expect(w.reads).toEqual(['u-a', 'u-b', 'u-c']);
    expect(await statusOf(w)).toMatchObject({ 'u-c': 'ABSENT', 'u-d': undefined });

    const second = await verifyRevocations({ ...w.deps, budget: budgetOf(1) }, first, NOW);
    expect(second.phase).toMatchObject({ name: 'VERIFY', after: 'u-f#p-git', verified: 6, notManual: 1 });
    const last = await verifyRevocations({ ...w.deps, budget: budgetOf(1) }, second, NOW);
    expect(last.phase.name).toBe('NOTIFY_REJECTS');
    expect(w.reads).toEqual(USERS);
    expect(last.verification).toMatchObject({ verified: 7, stillPresent: 1, notManual: 1 });
  });

  it('keeps the first still-present ones for the notice, at most 20, and counts them all', async () => {
    const many = Array.from({ length: 25 }, (_, i) => `u-x${String(i).padStart(2, '0')}`);
    await w.directory.putAssignments(many.map((userId) => anAssignment({ userId, privilegeId: 'p-git' })));
    for (const userId of many) await w.campaigns.saveAppliedChanges({ revocations: [revocation(userId)] });
    await verify(w);
    const [notice] = await collect(w.outbox.listByRun(CAMPAIGN_ID, RUN_ID));
    expect(notice!.body).toContain('Removals still present: 26 of 32 checked\n');
    expect(notice!.body.match(/^- /gm)).toHaveLength(20);
    expect(notice!.body).toContain('- u-b: Git (p-git)\n- u-x00: Git (p-git)\n');
  });
});

/** Every write the VERIFY phase makes, counted; the k-th throws instead of writing, as a kill there would. */
function killAtWrite(w: World, k: number): { writes(): number } {
  let writes = 0;
  const wrap = <T extends object>(target: T, method: keyof T) => {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (target as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      writes += 1;
      if (writes === k) throw new Error(`killed at write ${k} (injected)`);
      return original(...args);
    };
  };
  wrap(w.campaigns, 'saveCampaign');
  wrap(w.campaigns, 'saveRevocationVerifications');
  wrap(w.outbox, 'enqueue');
  wrap(w.audit, 'append');
  return { writes: () => writes };
}

describe('the VERIFY phase killed after any write', () => {
  it('ends, once run again, in the state of a clean run: each revocation read once per chunk at most, one notice, no record twice', async () => {
    const clean = await world();
    const counter = killAtWrite(clean, 0);
    await verify(clean);
    const total = counter.writes();
    const expected = { campaign: await stored(clean), revocations: await revocations(clean), outbox: await collect(clean.outbox.listByRun(CAMPAIGN_ID, RUN_ID)), events: eventsOf(clean) };
    expect(total).toBeGreaterThan(8);

    for (let k = 1; k <= total; k++) {
      const w = await world();
      killAtWrite(w, k);
      await expect(verify(w)).rejects.toThrow(`killed at write ${k}`);
      await verify(w);
      expect(await stored(w), `killed at write ${k}`).toEqual(expected.campaign);
      expect(await revocations(w), `killed at write ${k}`).toEqual(expected.revocations);
      expect(await collect(w.outbox.listByRun(CAMPAIGN_ID, RUN_ID)), `killed at write ${k}`).toEqual(expected.outbox);
      expect(eventsOf(w), `killed at write ${k}`).toEqual(expected.events);
      // A chunk killed after its revocations were recorded is not read back again.
      expect(w.reads.length, `killed at write ${k}`).toBeLessThanOrEqual(USERS.length + 3);
    }
  });
});

describe('later re-checks of removals still present', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
    await verify(w);
    w.reads.length = 0;
  });

  it('reads nothing before the next check is due', async () => {
    expect(await recheckStillPresent(w.deps, LATER(0, 23))).toEqual({ rechecked: 0, gone: 0 });
    expect(w.reads).toEqual([]);
  });

  it('checks again a day later: still there, it stays in the index from when it was first found; gone, it leaves it, logged in its run chain', async () => {
    expect(await recheckStillPresent(w.deps, LATER(1))).toEqual({ rechecked: 1, gone: 0 });
    expect(w.reads).toEqual(['u-b']);
    const [still] = await collect(w.campaigns.listUnverifiedRevocations());
    expect(still!.verification).toEqual({ status: 'STILL_PRESENT', at: LATER(1).toISOString(), since: NOW.toISOString(), nextCheckAt: LATER(2).toISOString() });

    await w.directory.removeAssignment('u-b', 'p-git');
    expect(await recheckStillPresent(w.deps, LATER(2, 3))).toEqual({ rechecked: 1, gone: 1 });
    expect(await collect(w.campaigns.listUnverifiedRevocations())).toEqual([]);
    expect((await statusOf(w))['u-b']).toBe('ABSENT');
    const rechecked = eventsOf(w).filter((e) => e.type === 'REVOCATION_RECHECKED');
    expect(rechecked.map((e) => e.data)).toEqual([{ userId: 'u-b', privilegeId: 'p-git', entryId: 'e-u-b', itemId: 'p-git', status: 'ABSENT', stillPresentSince: NOW.toISOString() }]);
    // Nothing is due any more: a later run reads nothing and logs nothing.
    expect(await recheckStillPresent(w.deps, LATER(5))).toEqual({ rechecked: 0, gone: 0 });
    expect(eventsOf(w).filter((e) => e.type === 'REVOCATION_RECHECKED')).toHaveLength(1);
  });

  it('starts no slice once the budget is spent: what is left stays due for the next run', async () => {
    const more = ['u-x1', 'u-x2', 'u-x3', 'u-x4'];
    await w.directory.putAssignments(more.map((userId) => anAssignment({ userId, privilegeId: 'p-git' })));
    await w.campaigns.saveRevocationVerifications(more.map((userId) => ({ ...revocation(userId), verification: verificationOf(anAssignment(), NOW) })));
    expect(await recheckStillPresent({ ...w.deps, budget: budgetOf(0) }, LATER(1))).toEqual({ rechecked: 0, gone: 0 });
    expect(w.reads).toEqual([]);
    // One slice of three, then the budget is spent; the next run does the other two.
    expect(await recheckStillPresent({ ...w.deps, budget: budgetOf(2) }, LATER(1))).toEqual({ rechecked: 3, gone: 0 });
    expect(await recheckStillPresent(w.deps, LATER(1))).toEqual({ rechecked: 2, gone: 0 });
    expect(await collect(w.campaigns.listUnverifiedRevocations(LATER(1).toISOString()))).toEqual([]);
    expect([...w.reads].sort()).toEqual(['u-b', ...more].sort());
  });

  it('a re-check killed between its record and its write records once', async () => {
    await w.directory.removeAssignment('u-b', 'p-git');
    killAtWrite(w, 2);
    await expect(recheckStillPresent(w.deps, LATER(1))).rejects.toThrow('killed at write 2');
    expect(await recheckStillPresent(w.deps, LATER(1, 1))).toEqual({ rechecked: 1, gone: 1 });
    expect(eventsOf(w).filter((e) => e.type === 'REVOCATION_RECHECKED')).toHaveLength(1);
  });
});

describe("the finish's totals", () => {
  it('count the removals still present when the campaign succeeds', () => {
    const stats: CampaignStats = { approved: 1, rejected: 7, modified: 0, uncertified: 0, revoked: 7, handedOver: 0, entries: 7, items: 8, entriesByState: { FINISHED: 7 } };
    const verified = aCampaign({ state: 'RUNNING', phase: { name: 'NOTIFY_REJECTS' }, verification: { at: NOW.toISOString(), verified: 7, stillPresent: 2, notManual: 0 } });
    expect(markSucceeded(verified, stats, NOW).stats).toEqual({ ...stats, stillPresent: 2 });
    // A run that finished its VERIFY before it existed keeps its totals as they are.
    expect(markSucceeded(aCampaign({ state: 'RUNNING' }), stats, NOW).stats).toEqual(stats);
  });

  it('stay with the finished run when it recurs: the archive keeps them, the next run starts without', () => {
    const done = markSucceeded(
      aCampaign({ state: 'RUNNING', recurrence: { intervalDays: 90 }, verification: { at: NOW.toISOString(), verified: 7, stillPresent: 2, notManual: 0 } }),
      { approved: 0, rejected: 7, modified: 0, uncertified: 0, revoked: 7, handedOver: 0, entries: 7, items: 7, entriesByState: { FINISHED: 7 } },
      NOW,
    );
    const { archive, next } = nextRunWithArchive(done, LATER(90));
    expect(archive.verification).toEqual(done.verification);
    expect(archive.stats?.stillPresent).toBe(2);
    expect(next.verification).toBeUndefined();
    expect(next.stats).toBeUndefined();
  });
});
