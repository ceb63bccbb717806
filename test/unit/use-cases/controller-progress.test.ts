// Where the controller's long phases stand (use-cases/controller-progress.ts), reported from each
// chunk's save: the scripted campaign in memory, in chunks of one subject or entry, tells its sink
// how far PREPARE, GUARD, APPLY, VERIFY and NOTIFY_REJECTS went, each count only growing and ending at the run's
// own figures; VERIFY knows its total (the removals the run made). And the CLI's count of a run's
// entries (src/cli/progress-totals.ts), the total GUARD and APPLY do not carry.
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../lambdas/shared/domain/model.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { progressOfCampaign } from '../../../lambdas/shared/use-cases/controller-progress.js';
import type { ProgressEvent } from '../../../lambdas/shared/use-cases/ports.js';
import { controllerRunner, inMemoryWorld } from '../../support/in-memory-world.js';
import { RunEntryTotals } from '../../../src/cli/progress-totals.js';
import { day, highRiskUserCampaign } from '../../support/small-org.js';

async function world() {
  const stores = await inMemoryWorld({ pageSize: 1 });
  await createCampaign(stores, highRiskUserCampaign(), new Date(day(-1)), 'c-1');
  const events: ProgressEvent[] = [];
  const run = controllerRunner(stores, {
    // A chunk per subject or entry: every phase saves (and reports) several times.
    chunks: { prepare: { subjects: 1, items: 1_000 }, entries: 1 },
    progress: (event) => events.push(event),
  });
  return { campaigns: stores.campaigns, events, run };
}

const doneOf = (events: ProgressEvent[], phase: string) => events.filter((e) => e.phase === phase).map((e) => e.done);

describe('the controller reports where its long phases stand', () => {
  it('PREPARE, GUARD, APPLY, VERIFY and NOTIFY_REJECTS: counts that only grow, ending at the run\'s own figures', async () => {
    const { campaigns, events, run } = await world();
    await run(day(0, 1));
    // No decisions: every item is uncertified at the due date, and removed.
    await run(day(14, 1));
    const campaign = (await campaigns.getCampaign('c-1'))!;
    expect(campaign.state).toBe('SUCCEEDED');
    const entries = (await collect(campaigns.listEntries(campaign.runId))).length;
    const revoked = await collect(campaigns.listRevocations(campaign.runId));
    const revocations = revoked.length;
    const usersTold = new Set(revoked.map((r) => r.userId)).size;
    expect(usersTold).toBeGreaterThanOrEqual(2);
    expect(entries).toBeGreaterThanOrEqual(3);
    expect(revocations).toBeGreaterThanOrEqual(3);

    expect(new Set(events.map((e) => e.job))).toEqual(new Set(['campaign-controller']));
    expect(events.every((e) => e.campaignId === 'c-1')).toBe(true);
    // VERIFY reads back 100 removals a chunk (not the controller's chunk size): from 0 to all in one.
    for (const [phase, last, saves] of [['PREPARE', entries, 3], ['GUARD', entries, 3], ['APPLY', entries, 3], ['VERIFY', revocations, 2], ['NOTIFY_REJECTS', usersTold, 2]] as const) {
      const done = doneOf(events, phase);
      expect(done.length, phase).toBeGreaterThanOrEqual(saves);
      expect(done, phase).toEqual([...done].sort((a, b) => a - b));
      expect(done.at(-1), phase).toBe(last);
    }
    // Only VERIFY knows its total from the campaign: the removals the run made, summed while applying.
    expect(events.filter((e) => e.phase === 'VERIFY').every((e) => e.total === revocations)).toBe(true);
    expect(events.filter((e) => e.phase !== 'VERIFY').every((e) => e.total === undefined)).toBe(true);
  });

  it('reports nothing for a phase with nothing to count, nor for an APPLY whose totals count another run; NOTIFY_REJECTS counts users told', () => {
    const base = { id: 'c-1', runId: 'c-1#2' } as Campaign;
    expect(progressOfCampaign({ ...base, phase: { name: 'DONE' } })).toBeUndefined();
    expect(progressOfCampaign({ ...base, phase: { name: 'NOTIFY_REJECTS', after: 'u1#p1', told: 4 } })).toEqual({ job: 'campaign-controller', phase: 'NOTIFY_REJECTS', campaignId: 'c-1', unit: 'users told', done: 4 });
    const stale = { runId: 'c-1#1', stats: { entries: 9 } } as Campaign['runTotals'];
    expect(progressOfCampaign({ ...base, phase: { name: 'APPLY', after: 'e' }, runTotals: stale })).toBeUndefined();
    expect(progressOfCampaign({ ...base, phase: { name: 'PREPARE' } })).toEqual({ job: 'campaign-controller', phase: 'PREPARE', campaignId: 'c-1', unit: 'entries', done: 0 });
  });

  it('CLEANUP: the passes done, of three, whatever its cursor (a DELETE cleanup saves none per chunk)', () => {
    const base = { id: 'c-1', runId: 'c-1#2' } as Campaign;
    const cleanup = (phase: Campaign['phase']) => progressOfCampaign({ ...base, phase });
    expect(cleanup({ name: 'CLEANUP', pass: 'ENTRIES' })).toEqual({ job: 'campaign-controller', phase: 'CLEANUP', campaignId: 'c-1', unit: 'cleanup passes', done: 0, total: 3 });
    expect(cleanup({ name: 'CLEANUP', pass: 'REVOCATIONS', after: 'u1#p1' })).toMatchObject({ done: 1, total: 3 });
    expect(cleanup({ name: 'CLEANUP', pass: 'NOTIFICATIONS', unsent: 2 })).toMatchObject({ done: 2, total: 3 });
  });
});

describe('RunEntryTotals (the CLI\'s count of a run\'s entries)', () => {
  it('adds the run\'s entry count to GUARD and APPLY once counted aside, and leaves other events as they are', async () => {
    const { campaigns, run } = await world();
    await run(day(0, 1));
    const campaign = (await campaigns.getCampaign('c-1'))!;
    const entries = (await collect(campaigns.listEntries(campaign.runId))).length;
    const totals = new RunEntryTotals(campaigns);
    const guard: ProgressEvent = { job: 'campaign-controller', phase: 'GUARD', campaignId: 'c-1', done: 1 };
    // The first event starts the count: not known yet, so no total (the line says it is unknown).
    expect(totals.withTotal(guard)).toEqual(guard);
    await expect.poll(() => totals.withTotal(guard).total).toBe(entries);
    expect(totals.withTotal({ ...guard, phase: 'APPLY', done: 2 })).toEqual({ ...guard, phase: 'APPLY', done: 2, total: entries });
    // A total the event has, another phase, another job: untouched.
    expect(totals.withTotal({ ...guard, total: 99 }).total).toBe(99);
    expect(totals.withTotal({ ...guard, phase: 'PREPARE' }).total).toBeUndefined();
    expect(totals.withTotal({ job: 'start-reapproval', phase: 'APPLY', done: 1 }).total).toBeUndefined();
    await totals.stop();
  });

  it('counts nothing once stopped, and an unknown campaign leaves its total unknown', async () => {
    const { campaigns, run } = await world();
    await run(day(0, 1));
    const totals = new RunEntryTotals(campaigns);
    const missing: ProgressEvent = { job: 'campaign-controller', phase: 'APPLY', campaignId: 'c-gone', done: 1 };
    totals.withTotal(missing);
    await totals.stop();
    expect(totals.withTotal(missing).total).toBeUndefined();
    expect(totals.withTotal({ ...missing, campaignId: 'c-1' }).total).toBeUndefined();
    await totals.stop();
  });
});
