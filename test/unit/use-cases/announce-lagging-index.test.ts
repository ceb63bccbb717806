// On DynamoDB the run's entry listing is an index filled after the writes, and stage 1 is announced
// right after the last entry is written: a listing that lags must not leave an approver untold
// (use-cases/announce-stage.ts, walkAgain).
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../lambdas/shared/domain/model.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import type { ListFrom, Pages } from '../../../lambdas/shared/use-cases/ports.js';
import { controllerRunner, inMemoryWorld, type InMemoryWorld } from '../../support/in-memory-world.js';
import { day, highRiskUserCampaign } from '../../support/small-org.js';

/**
 * The Finance department: u1 and u2 (manager m1), u4 (manager m2), u6 (no manager: no approver),
 * m1 and m2 (nothing to certify; manager admin). m2's only review is u4's.
 */
async function financeCampaign(world: InMemoryWorld) {
  await createCampaign(world, highRiskUserCampaign({ subjects: { filter: '(department=Finance)' } }), new Date(day(-1)), 'c-1');
}

/** The listing of entries leaves out u4's while `lagging()` says so. */
function lagOn(world: InMemoryWorld, lagging: () => boolean) {
  const listEntries = world.campaigns.listEntries.bind(world.campaigns);
  world.campaigns.listEntries = async function* (runId: string, from?: ListFrom): Pages<Entry> {
    const hide = lagging();
    for await (const page of listEntries(runId, from)) yield hide ? page.filter((e) => e.subjectId !== 'u4') : page;
  };
}

const approvalStarts = async (world: InMemoryWorld) =>
  (await collect(world.outbox.listByCampaign('c-1'))).filter((n) => n.kind === 'APPROVAL_START').map((n) => n.recipientId).sort();

describe('announcing stage 1 over a listing that lags', () => {
  it('walks the run again, after a pause, until it shows every prepared entry: every approver is told, once', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    let lagsLeft = 2;
    lagOn(world, () => lagsLeft-- > 0);
    const pauses: number[] = [];

    const report = await controllerRunner(world, { sleep: async (ms) => void pauses.push(ms) })(day(0, 1));

    expect(report.errors).toEqual([]);
    // Two short walks, each followed by a longer pause, then one that showed all six entries.
    expect(pauses).toEqual([1_000, 2_000]);
    expect(await approvalStarts(world)).toEqual(['admin', 'm1', 'm2']);
    const campaign = (await world.campaigns.getCampaign('c-1'))!;
    expect(campaign.state).toBe('RUNNING');
    const starts = (await collect(world.outbox.listByCampaign('c-1'))).filter((n) => n.kind === 'CAMPAIGN_START');
    expect(starts).toHaveLength(1);
  });

  it('never starts the campaign while the listing stays short, and completes once it catches up, telling nobody twice', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    let caughtUp = false;
    lagOn(world, () => !caughtUp);
    const run = controllerRunner(world, { sleep: async () => {} });

    await run(day(0, 1));
    const waiting = (await world.campaigns.getCampaign('c-1'))!;
    expect(waiting.state).toBe('PREPARING');
    expect(waiting.phase).toMatchObject({ name: 'ANNOUNCE', prepared: { entries: 6 } });
    expect((waiting.phase as { relisted?: number }).relisted).toBeGreaterThan(0);
    // Everyone the short listing showed is told already; m2, whose review it hid, not yet.
    expect(await approvalStarts(world)).toEqual(['admin', 'm1']);
    expect((await collect(world.outbox.listByCampaign('c-1'))).some((n) => n.kind === 'CAMPAIGN_START')).toBe(false);

    caughtUp = true;
    await run(day(0, 2));
    expect((await world.campaigns.getCampaign('c-1'))!.state).toBe('RUNNING');
    expect(await approvalStarts(world)).toEqual(['admin', 'm1', 'm2']);
  });
});
