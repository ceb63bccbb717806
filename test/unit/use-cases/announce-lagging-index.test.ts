// On DynamoDB the run's entry listing is an index filled after the writes, and stage 1 is announced
// right after the last entry is written: a listing that lags must not leave an approver untold
// (use-cases/announce-stage.ts, walkAgain).
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../lambdas/shared/domain/model.js';
import { DEFAULT_TEMPLATES } from '../../../lambdas/shared/domain/templates.js';
import { runChain } from '../../../lambdas/shared/domain/audit/model.js';
import { MAX_RELISTS } from '../../../lambdas/shared/use-cases/announce-stage.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { silentLog, type ListFrom, type Pages } from '../../../lambdas/shared/use-cases/ports.js';
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

const APPROVAL_START_SUBJECT = DEFAULT_TEMPLATES.APPROVAL_START.subject.split('{{')[0]!;

const approvalStarts = async (world: InMemoryWorld) =>
  (await collect(world.outbox.listByCampaign('c-1'))).filter((n) => n.kind === 'APPROVAL_START').map((n) => n.recipientId).sort();

/** Whom the run's audit chain says an Approval Start was queued for, once per record of it. */
async function recordedApprovalStarts(world: InMemoryWorld) {
  const runId = (await world.campaigns.getCampaign('c-1'))!.runId;
  return (await collect(world.audit.listRecords(runChain(runId))))
    .flatMap((r) => r.events)
    .filter((e) => e.type === 'NOTIFICATION_QUEUED')
    .flatMap((e) => (e.data.items as Record<string, unknown>[] | undefined) ?? [e.data])
    .filter((d) => d.kind === 'APPROVAL_START')
    .map((d) => String(d.recipientId))
    .sort();
}

describe('announcing stage 1 over a listing that lags', () => {
  it('walks the run again in the next invocation, after a pause, until it shows every prepared entry; nothing is sent meanwhile, everyone is told once', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    let lagsLeft = 2;
    lagOn(world, () => lagsLeft-- > 0);
    const pauses: number[] = [];
    const sent: string[] = [];
    const run = controllerRunner(world, {
      sleep: async (ms) => void pauses.push(ms),
      mailer: { send: async ({ to, subject }) => (subject.startsWith(APPROVAL_START_SUBJECT) && sent.push(to), { messageId: 'm' }) },
    });

    const first = await run(day(0, 1));
    expect(first.errors).toEqual([]);
    // The walk found the listing short: left for a continuation, and what it queued is held.
    expect(first.continue).toBe(true);
    expect(first.dispatchHeld).toBeDefined();
    expect(sent).toEqual([]);
    expect((await world.campaigns.getCampaign('c-1'))!.phase).toMatchObject({ name: 'ANNOUNCE', relisted: 1 });

    const reports = [first];
    while (reports.at(-1)!.continue && reports.length < 10) {
      reports.push(await run(day(0, 1)));
      if (reports.at(-1)!.continue) expect(sent).toEqual([]);
    }

    // Two short walks, each followed by a longer pause, then one that showed all six entries.
    expect(reports).toHaveLength(3);
    expect(pauses).toEqual([1_000, 2_000]);
    expect((await world.campaigns.getCampaign('c-1'))!.state).toBe('RUNNING');
    expect(await approvalStarts(world)).toEqual(['admin', 'm1', 'm2']);
    // Each notice recorded once in the audit log, though admin's and m1's chunks were walked three times.
    expect(await recordedApprovalStarts(world)).toEqual(['admin', 'm1', 'm2']);
    expect((await collect(world.outbox.listByCampaign('c-1'))).filter((n) => n.kind === 'CAMPAIGN_START')).toHaveLength(1);
    // One Approval Start mail each.
    expect(sent.sort()).toEqual(['admin@example.com', 'm1@example.com', 'm2@example.com']);
  });

  it('takes the listing as it is after MAX_RELISTS walks: the campaign runs, and its log and the controller log say what was missing', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    lagOn(world, () => true);
    const errors: string[] = [];
    const run = controllerRunner(world, {
      sleep: async () => {},
      log: { ...silentLog, error: (message: string) => void errors.push(message) },
    });

    // Each invocation walks once: the first and MAX_RELISTS more walks, then it starts.
    let invocations = 1;
    let report = await run(day(0, 1));
    while (report.continue && invocations < MAX_RELISTS + 5) {
      expect((await world.campaigns.getCampaign('c-1'))!.state).toBe('PREPARING');
      report = await run(day(0, 1));
      invocations += 1;
    }
    expect(invocations).toBe(MAX_RELISTS + 1);

    const campaign = (await world.campaigns.getCampaign('c-1'))!;
    expect(campaign.state).toBe('RUNNING');
    expect(campaign.phase).toMatchObject({ name: 'DONE' });
    expect(campaign.logs.at(-1)).toMatchObject({ level: 'ERROR', message: expect.stringContaining("announced the 5 entries the run's listing showed, of 6 prepared") });
    expect(errors).toContain('the listing of the run stayed short of the entries prepared');
    // The audit chain's start of the run says how many of the prepared entries were announced.
    const runId = campaign.runId;
    const started = (await collect(world.audit.listRecords(runChain(runId)))).flatMap((r) => r.events).find((e) => e.type === 'CAMPAIGN_STATE_CHANGED' && e.data.to === 'RUNNING');
    expect(started?.data).toMatchObject({ prepared: { entries: 6 }, listed: 5 });
    // m2's review was never listed, so m2 was not told: the log above is how the owner learns it.
    expect(await approvalStarts(world)).toEqual(['admin', 'm1']);
    expect(await recordedApprovalStarts(world)).toEqual(['admin', 'm1']);
  });

  it('a listing that catches up between invocations completes the announcement, telling nobody twice', async () => {
    const world = await inMemoryWorld();
    await financeCampaign(world);
    let caughtUp = false;
    lagOn(world, () => !caughtUp);
    const run = controllerRunner(world, { sleep: async () => {} });

    await run(day(0, 1));
    await run(day(0, 1));
    const waiting = (await world.campaigns.getCampaign('c-1'))!;
    expect(waiting.state).toBe('PREPARING');
    expect(waiting.phase).toMatchObject({ name: 'ANNOUNCE', prepared: { entries: 6 }, relisted: 2 });
    // Everyone the short listing showed is queued already; m2, whose review it hid, not yet.
    expect(await approvalStarts(world)).toEqual(['admin', 'm1']);
    expect((await collect(world.outbox.listByCampaign('c-1'))).some((n) => n.kind === 'CAMPAIGN_START')).toBe(false);

    caughtUp = true;
    await run(day(0, 2));
    expect((await world.campaigns.getCampaign('c-1'))!.state).toBe('RUNNING');
    expect(await approvalStarts(world)).toEqual(['admin', 'm1', 'm2']);
    expect(await recordedApprovalStarts(world)).toEqual(['admin', 'm1', 'm2']);
  });
});
