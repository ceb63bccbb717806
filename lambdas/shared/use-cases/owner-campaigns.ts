// What the approver portal shows a campaign owner and who the caller is to it: the campaigns they
// own with the progress of each one's current run, one campaign in full, and whether the caller has
// tasks or campaigns at all (GET /me). Reads only.
import { campaignProgress, progressFromStats, type CampaignProgress, type ProgressSummary } from '../domain/campaign-progress.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Campaign, Entry } from '../domain/model.js';
import { collect } from './concurrency.js';
import type { ApprovalStore, CampaignStore } from './ports.js';

export interface OwnedCampaign {
  campaign: Campaign;
  progress: ProgressSummary;
}

/**
 * The campaigns `ownerId` owns (archived runs left out), newest first, each with its current run's
 * counts. A finished run whose stats were recorded is counted from them (its entries may be gone);
 * any other reads its run's entries.
 */
export async function listOwnedCampaigns(campaigns: CampaignStore, ownerId: string, now: Date): Promise<OwnedCampaign[]> {
  const owned: OwnedCampaign[] = [];
  for await (const page of campaigns.listCampaignsByOwner(ownerId)) {
    for (const campaign of page) {
      if (campaign.archived) continue;
      const progress = finishedStats(campaign) ?? campaignProgress(campaign, await collect(campaigns.listEntries(campaign.runId)), now);
      const { entriesByState, entries, overdueEntries, completion } = progress;
      owned.push({ campaign, progress: { entriesByState, entries, overdueEntries, completion } });
    }
  }
  return owned;
}

/**
 * One campaign for its owner, with every entry of its current run. NotFoundError (naming `id`) if
 * there is no such campaign; ForbiddenError for anyone but its owner.
 */
export async function readCampaignProgressAs(
  campaigns: CampaignStore,
  campaignId: string,
  userId: string,
  now: Date,
): Promise<{ campaign: Campaign; progress: CampaignProgress }> {
  const campaign = await campaigns.getCampaign(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId, 'id');
  if (campaign.ownerId !== userId) throw new ForbiddenError(`${userId} is not the owner of campaign ${campaignId}`);
  const entries: Entry[] = await collect(campaigns.listEntries(campaign.runId));
  const progress = campaignProgress(campaign, entries, now);
  // Cleaned up: the run's counts survive in its stats.
  const stats = entries.length === 0 ? finishedStats(campaign) : undefined;
  return { campaign, progress: stats ? { ...progress, ...stats } : progress };
}

/** The caller has open work: a RUNNING entry or approval run where they are a current approver. */
export async function hasOpenTasks(campaigns: CampaignStore, approvals: ApprovalStore, userId: string): Promise<boolean> {
  const [entries, runs] = await Promise.all([campaigns.listTasks(userId), approvals.listApprovalTasks(userId)]);
  return (
    entries.some((e) => e.state === 'RUNNING' && e.approverIds.includes(userId)) ||
    runs.some((r) => r.state === 'RUNNING' && r.approverIds.includes(userId))
  );
}

/** The caller owns a campaign that is not an archived run: the first page answers it. */
export async function ownsCampaigns(campaigns: CampaignStore, userId: string): Promise<boolean> {
  for await (const page of campaigns.listCampaignsByOwner(userId)) {
    if (page.some((c) => !c.archived)) return true;
  }
  return false;
}

function finishedStats(campaign: Campaign): ProgressSummary | undefined {
  if (!campaign.stats || campaign.state === 'RUNNING' || campaign.state === 'PREPARING') return undefined;
  return progressFromStats(campaign.stats);
}
