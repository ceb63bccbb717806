// Preparation plans the next chunk while it writes the one before (use-cases/prepare-campaign.ts):
// the overlap must not change what is written or in which order, a failed write must stop the
// chunks after it, and the budget must still be checked once a chunk is written.
import { describe, expect, it } from 'vitest';
import type { Campaign, Entry, Item, Notification } from '../../../lambdas/shared/domain/model.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import type { TimeBudget } from '../../../lambdas/shared/use-cases/ports.js';
import { controllerRunner, inMemoryWorld, type InMemoryWorld } from '../../support/in-memory-world.js';
import { day, highRiskUserCampaign } from '../../support/small-org.js';

/** One subject a chunk: the Finance department is m1, m2, u1, u2, u4, u6, listed in that order. */
const ONE_SUBJECT_A_CHUNK = { prepare: { subjects: 1, items: 1_000 } };

async function financeCampaign(world: InMemoryWorld) {
  await createCampaign(world, highRiskUserCampaign({ subjects: { filter: '(department=Finance)' } }), new Date(day(-1)), 'c-1');
}

/** The campaign store's chunk writes, logged by the subjects they hold; `gate` may hold one back. */
function logWrites(world: InMemoryWorld, log: string[], gate: (subjects: string) => Promise<void> = async () => {}) {
  const put = world.campaigns.putEntriesWithItems.bind(world.campaigns);
  world.campaigns.putEntriesWithItems = async (batch: { entry: Entry; items: Item[] }[], notifications?: Notification[]) => {
    const subjects = batch.map((b) => b.entry.subjectId).join(',');
    log.push(`write ${subjects}`);
    await gate(subjects);
    await put(batch, notifications);
    log.push(`written ${subjects}`);
  };
  const save = world.campaigns.saveCampaign.bind(world.campaigns);
  world.campaigns.saveCampaign = async (c: Campaign) => {
    await save(c);
    if (c.phase.name === 'PREPARE' && c.phase.afterSubjectId) log.push(`checkpoint ${c.phase.afterSubjectId}`);
  };
}

describe('preparation planning the next chunk while it writes one', () => {
  it('plans the next chunk during a write, yet writes chunk after chunk, each checkpointed before the next starts', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    const log: string[] = [];
    // u4's chunk is the first whose holder's manager is m2: planning it (nextUpResolver, who takes
    // over a reviewer's own access) asks for m2. Selection asks for people too, but ahead of time
    // already, so only the planner's request tells that planning overlaps a write.
    let m2Planned!: () => void;
    const m2 = new Promise<void>((resolve) => (m2Planned = resolve));
    const getUsers = world.directory.getUsers.bind(world.directory);
    world.directory.getUsers = async (ids: string[]) => {
      if (ids.includes('m2') && new Error().stack?.includes('nextUpResolver')) m2Planned();
      return getUsers(ids);
    };
    // u2's write waits for m2 to be fetched, or for half a second if nothing plans meanwhile.
    logWrites(world, log, async (subjects) => {
      if (subjects !== 'u2') return;
      const overlapped = await Promise.race([m2.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
      log.push(overlapped ? 'u4 planned during u2 write' : 'nothing planned during u2 write');
    });

    const report = await controllerRunner(world, { chunks: ONE_SUBJECT_A_CHUNK })(day(0, 1));

    expect(report.errors).toEqual([]);
    expect(log).toEqual([
      ...['m1', 'm2', 'u1'].flatMap((s) => [`write ${s}`, `written ${s}`, `checkpoint ${s}`]),
      'write u2',
      'u4 planned during u2 write',
      'written u2',
      'checkpoint u2',
      ...['u4', 'u6'].flatMap((s) => [`write ${s}`, `written ${s}`, `checkpoint ${s}`]),
    ]);
    const entries = (await collect(world.campaigns.listEntries((await world.campaigns.getCampaign('c-1'))!.runId))).map((e) => e.subjectId);
    expect(entries.sort()).toEqual(['m1', 'm2', 'u1', 'u2', 'u4', 'u6']);
  });

  it('a failed write stops there (even failing while the next chunk is read): no later chunk is written, the checkpoint stays before it, and the next run completes the work', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    const log: string[] = [];
    let failOnce = true;
    logWrites(world, log, async (subjects) => {
      if (subjects === 'u2' && failOnce) {
        failOnce = false;
        throw new Error('the engine went away');
      }
    });
    // Planning u4's chunk asks for m2 slowly: u2's write fails meanwhile, before it is awaited.
    const getUsers = world.directory.getUsers.bind(world.directory);
    world.directory.getUsers = async (ids: string[]) => {
      if (ids.includes('m2') && new Error().stack?.includes('nextUpResolver')) await new Promise((resolve) => setTimeout(resolve, 30));
      return getUsers(ids);
    };
    const run = controllerRunner(world, { chunks: ONE_SUBJECT_A_CHUNK });

    // The run fails (for its caller to retry) once every campaign had its turn.
    await expect(run(day(0, 1))).rejects.toThrow('the engine went away');
    expect(log).toEqual([...['m1', 'm2', 'u1'].flatMap((s) => [`write ${s}`, `written ${s}`, `checkpoint ${s}`]), 'write u2']);
    const stopped = (await world.campaigns.getCampaign('c-1'))!;
    expect(stopped.phase).toMatchObject({ name: 'PREPARE', afterSubjectId: 'u1' });

    log.length = 0;
    expect((await run(day(0, 2))).errors).toEqual([]);
    expect(log.filter((l) => l.startsWith('write '))).toEqual(['write u2', 'write u4', 'write u6']);
    expect((await world.campaigns.getCampaign('c-1'))!.state).toBe('RUNNING');
  });

  it('checks the budget once the chunk before is written: out of time, it stops with that chunk checkpointed and nothing more written', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    const log: string[] = [];
    logWrites(world, log);
    // The time runs out while m2's chunk is written.
    let spent = false;
    const budget: TimeBudget = { hasTimeLeft: () => !spent, remainingMs: () => (spent ? 0 : 60_000) };
    const save = world.campaigns.saveCampaign.bind(world.campaigns);
    world.campaigns.saveCampaign = async (c: Campaign) => {
      await save(c);
      if (c.phase.name === 'PREPARE' && c.phase.afterSubjectId === 'm2') spent = true;
    };

    const report = await controllerRunner(world, { chunks: ONE_SUBJECT_A_CHUNK, budget })(day(0, 1));

    expect(report.errors).toEqual([]);
    expect(log).toEqual(['write m1', 'written m1', 'checkpoint m1', 'write m2', 'written m2', 'checkpoint m2']);
    expect((await world.campaigns.getCampaign('c-1'))!.phase).toMatchObject({ name: 'PREPARE', afterSubjectId: 'm2' });
  });
});
