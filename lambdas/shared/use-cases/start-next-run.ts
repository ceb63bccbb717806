// The one way a finished run is archived and the next run begins, for the recurrence (docs/reference/campaigns.md step 6)
// and the administrator's restart alike: the archive first, then the campaign as its next run.
import { ConflictError } from '../domain/errors.js';
import type { Campaign } from '../domain/model.js';
import type { CampaignStore } from './ports.js';

export async function startNextRun(campaigns: CampaignStore, run: { archive: Campaign; next: Campaign }): Promise<Campaign> {
  try {
    await campaigns.createCampaign(run.archive);
  } catch (error) {
    // Archived by an attempt that was killed before it saved the next run.
    if (!(error instanceof ConflictError)) throw error;
  }
  await campaigns.saveCampaign(run.next);
  return run.next;
}
