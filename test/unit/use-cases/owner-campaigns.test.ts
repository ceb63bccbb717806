// What the approver portal reads for campaign owners and for GET /me (use-cases/owner-campaigns.ts),
// on the in-memory stores: the owner's campaigns and their counts, one campaign for its owner only,
// and whether the caller has open work or campaigns.
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryApprovalStore } from '../../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { ForbiddenError, NotFoundError } from '../../../lambdas/shared/domain/errors.js';
import type { Campaign } from '../../../lambdas/shared/domain/model.js';
import { hasOpenTasks, listOwnedCampaigns, ownsCampaigns, readCampaignProgressAs } from '../../../lambdas/shared/use-cases/owner-campaigns.js';
import { sampleRun } from '../../support/approval-run.js';
import { aCampaign, anEntry, anItem, at, DUE } from '../../support/fixtures.js';

const NOW = at('2026-07-10T00:00:00.000Z');
const running: Campaign = aCampaign({ id: 'c-run', state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, createdAt: '2026-06-02T00:00:00.000Z' });
// Finished, its entries cleaned up since: only its stats tell how it went.
const finished: Campaign = aCampaign({
  id: 'c-done',
  state: 'DELETED',
  createdAt: '2026-06-01T00:00:00.000Z',
  stats: { entries: 4, items: 6, entriesByState: { FINISHED: 3, 'FAILED.APPLIED.CHANGES': 1 }, approved: 4, rejected: 1, modified: 0, uncertified: 1, revoked: 2, handedOver: 0 },
});
const archived: Campaign = aCampaign({ id: 'c-run-r1', archived: true, archivedFrom: 'c-run', createdAt: '2026-06-03T00:00:00.000Z' });

let campaigns: InMemoryCampaignStore;
beforeEach(async () => {
  campaigns = new InMemoryCampaignStore({ pageSize: 1 });
  for (const c of [running, finished, archived]) await campaigns.createCampaign(c);
  await campaigns.putEntriesWithItems([
    { entry: anEntry({ id: 'e-1', runId: running.runId, approverIds: ['u-m1'], dueDate: '2026-07-08T00:00:00.000Z' }), items: [anItem({ entryId: 'e-1' })] },
    { entry: anEntry({ id: 'e-2', runId: running.runId, approverIds: ['u-m2'], state: 'APPROVAL.FINISHED' }), items: [anItem({ entryId: 'e-2' })] },
    // Another run's entry never counts.
    { entry: anEntry({ id: 'e-9', runId: 'c-run#0', approverIds: ['u-m1'] }), items: [] },
  ]);
});

describe('listOwnedCampaigns', () => {
  it("lists the owner's campaigns newest first, without archived runs, counting a running one from its entries and a finished one from its stats", async () => {
    const owned = await listOwnedCampaigns(campaigns, running.ownerId, NOW);
    expect(owned.map((o) => [o.campaign.id, o.progress])).toEqual([
      ['c-run', { entriesByState: { RUNNING: 1, 'APPROVAL.FINISHED': 1 }, entries: 2, overdueEntries: 1, completion: 0.5 }],
      ['c-done', { entriesByState: { FINISHED: 3, 'FAILED.APPLIED.CHANGES': 1 }, entries: 4, overdueEntries: 0, completion: 1 }],
    ]);
    expect(await listOwnedCampaigns(campaigns, 'u-m1', NOW)).toEqual([]);
  });
});

describe('readCampaignProgressAs', () => {
  it("gives the owner the current run's progress and entries", async () => {
    const { campaign, progress } = await readCampaignProgressAs(campaigns, 'c-run', running.ownerId, NOW);
    expect(campaign.id).toBe('c-run');
    expect(progress.entryList.map((e) => e.entry.id)).toEqual(['e-1', 'e-2']);
    expect(progress.approvers.map((a) => a.approverId)).toEqual(['u-m1', 'u-m2']);
  });

  it('falls back to the stats of a run whose entries were cleaned up', async () => {
    const { progress } = await readCampaignProgressAs(campaigns, 'c-done', running.ownerId, NOW);
    expect(progress).toMatchObject({ entries: 4, completion: 1, entryList: [], approvers: [] });
  });

  it('refuses anyone but the owner, and names the id of a campaign that does not exist', async () => {
    await expect(readCampaignProgressAs(campaigns, 'c-run', 'u-m1', NOW)).rejects.toThrow(new ForbiddenError('u-m1 is not the owner of campaign c-run'));
    const missing = await readCampaignProgressAs(campaigns, 'c-nope', running.ownerId, NOW).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ message: 'campaign c-nope not found', field: 'id' });
  });
});

describe('hasOpenTasks and ownsCampaigns', () => {
  it('finds open entries and approval runs of the caller only', async () => {
    const approvals = new InMemoryApprovalStore();
    expect(await hasOpenTasks(campaigns, approvals, 'u-m1')).toBe(true);
    expect(await hasOpenTasks(campaigns, approvals, 'u-m2')).toBe(false);
    expect(await hasOpenTasks(campaigns, approvals, 'owner1')).toBe(false);
    await approvals.createApproval(sampleRun());
    expect(await hasOpenTasks(campaigns, approvals, 'owner1')).toBe(true);
  });

  it('counts a campaign owned, but not an archived run alone', async () => {
    expect(await ownsCampaigns(campaigns, running.ownerId)).toBe(true);
    const only = new InMemoryCampaignStore();
    await only.createCampaign({ ...archived, ownerId: 'u-past' });
    expect(await ownsCampaigns(only, 'u-past')).toBe(false);
    expect(await ownsCampaigns(only, 'u-nobody')).toBe(false);
  });
});
