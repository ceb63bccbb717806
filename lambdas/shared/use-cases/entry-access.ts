// Who may see a certification entry through the approver API: its current approvers and the owner
// of its campaign.
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Campaign, Entry, Item } from '../domain/model.js';
import type { CampaignStore } from './ports.js';

export interface EntryForCaller {
  entry: Entry;
  items: Item[];
  campaign: Campaign;
}


export async function readEntryAs(campaigns: CampaignStore, entryId: string, userId: string): Promise<EntryForCaller> {
  const loaded = await campaigns.getEntryWithItems(entryId);
  if (!loaded) throw new NotFoundError('entry', entryId);
  const campaign = await campaigns.getCampaign(loaded.entry.campaignId);
  if (!campaign) throw new NotFoundError('campaign', loaded.entry.campaignId);
  if (!loaded.entry.approverIds.includes(userId) && campaign.ownerId !== userId) {
    throw new ForbiddenError(`${userId} is neither a current approver of entry ${entryId} nor the owner of its campaign`);
  }
  return { ...loaded, campaign };
}
