// The cleanup half of the controller's DELETED step (docs/reference/evidence.md, "Archive before
// cleanup"): once a run's evidence pack is archived and recorded on the campaign, its notifications
// and records are deleted. Apart from archive-evidence.ts, so that the controller, which archives
// through an EvidenceArchiver, does not carry the pack builder and its renderers.
import { jobActor, runChain } from '../../domain/audit/model.js';
import type { Campaign } from '../../domain/model.js';
import type { AuditLog, CampaignStore, Outbox } from '../ports.js';

const CONTROLLER = jobActor('campaign-controller');

/** The partition of a run's notifications: an archived run's stay under the campaign it came from. */
export const outboxCampaignOf = (c: Campaign) => c.archivedFrom ?? c.id;

/**
 * Deletes the run's notifications and records, resumably; true once none is left. Refuses a run
 * whose evidence is not archived: nothing of a run is deleted before its pack exists.
 */
export async function deleteArchivedRun(deps: { campaigns: CampaignStore; outbox: Outbox; audit: AuditLog }, campaign: Campaign, now: Date): Promise<boolean> {
  if (!campaign.evidence) throw new Error(`campaign ${campaign.id}: run ${campaign.runId} has no archived evidence; its records are not deleted`);
  const outboxClear = await deps.outbox.deleteRun(outboxCampaignOf(campaign), campaign.runId);
  const recordsClear = await deps.campaigns.deleteRun(campaign.runId);
  if (!outboxClear || !recordsClear) return false;
  const at = now.toISOString();
  await deps.audit.append({
    chainId: runChain(campaign.runId),
    eventKey: `cleanup:${campaign.runId}`,
    at,
    campaignId: campaign.id,
    events: [{ type: 'CAMPAIGN_CLEANED_UP', at, actor: CONTROLLER, data: { runId: campaign.runId, evidence: campaign.evidence.location } }],
  });
  return true;
}
