// `idgov campaign apply-preview ID [--now D]` (docs/reference/guards.md): exactly what applying a
// running campaign's decisions would remove, modify, hand over and keep, item by item and why, with
// the totals and the revocation cap's verdict. Planned with the finish's own rules (planItem and the
// blast-radius guard, use-cases/apply-guard.ts), so the preview and the finish cannot disagree. Reads only.
import { addApplyCounts, capVerdict, countAction, emptyApplyCounts, type CapVerdict } from '../domain/blast-radius.js';
import { APPLICABLE_STATES } from '../domain/entries.js';
import { ClosedError, NotFoundError } from '../domain/errors.js';
import type { ApplyConfirmation, ApplyCounts, Campaign, RevocationSettings } from '../domain/model.js';
import { planEntry, type PlannedItem } from './apply-guard.js';
import type { CampaignStore, DirectoryStore } from './ports.js';

export interface ApplyPreview {
  campaignId: string;
  runId: string;
  name: string;
  ownerId: string;
  phase: Campaign['phase']['name'];
  /** The instant the preview applies at: entries still open are taken to close then. */
  asOf: string;
  dueDate?: string;
  revocation: RevocationSettings;
  /** Entries still open to decisions, planned as if they closed at `asOf` (their undecided items uncertified). */
  openEntries: number;
  /** Entries applied already (an APPLY phase under way): not planned again. */
  appliedEntries: number;
  totals: ApplyCounts;
  cap: CapVerdict & {
    /** AWAIT_CONFIRMATION: waiting since, and the counts the owner was told. */
    awaitingSince?: string;
    awaitingCounts?: ApplyCounts;
    /** APPLY after a confirmation: who confirmed, when, and the counts they saw. */
    confirmed?: ApplyConfirmation;
  };
  items: PlannedItem[];
}

export async function previewApply(
  deps: { campaigns: Pick<CampaignStore, 'getCampaign' | 'listEntries' | 'getEntryWithItems'>; directory: Pick<DirectoryStore, 'getUsers' | 'getPrivileges'> },
  campaignId: string,
  now: Date,
): Promise<ApplyPreview> {
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  if (campaign.state !== 'RUNNING') {
    const why =
      campaign.state === 'PREPARING'
        ? 'it has no entries yet'
        : campaign.state === 'SUCCEEDED'
          ? 'its decisions were applied: see its report (idgov report campaign)'
          : 'its decisions will never be applied';
    throw new ClosedError(`campaign ${campaignId} is ${campaign.state}: only a RUNNING campaign can be previewed; ${why}`);
  }
  const items: PlannedItem[] = [];
  let totals = emptyApplyCounts();
  let openEntries = 0;
  let appliedEntries = 0;
  for await (const page of deps.campaigns.listEntries(campaign.runId)) {
    for (const listed of page) {
      const loaded = await deps.campaigns.getEntryWithItems(listed.id);
      if (!loaded) continue;
      const { entry } = loaded;
      if (!APPLICABLE_STATES.includes(entry.state)) {
        if (entry.state === 'FINISHED' || entry.state === 'FAILED.APPLIED.CHANGES') appliedEntries += 1;
        continue;
      }
      // An entry with nothing to certify stays RUNNING until the end: nothing of it is open to a decision.
      if (entry.state === 'RUNNING' && loaded.items.length > 0) openEntries += 1;
      const planned = await planEntry(deps.directory, campaign, entry, loaded.items, now);
      items.push(...planned);
      totals = addApplyCounts(totals, planned.reduce((counts, p) => countAction(counts, p.action), emptyApplyCounts()));
    }
  }
  const phase = campaign.phase;
  return {
    campaignId: campaign.id,
    runId: campaign.runId,
    name: campaign.name,
    ownerId: campaign.ownerId,
    phase: phase.name,
    asOf: now.toISOString(),
    ...(campaign.dueDate ? { dueDate: campaign.dueDate } : {}),
    revocation: campaign.revocation,
    openEntries,
    appliedEntries,
    totals,
    cap: {
      ...capVerdict(totals, campaign),
      ...(phase.name === 'AWAIT_CONFIRMATION' ? { awaitingSince: phase.since, awaitingCounts: phase.counts } : {}),
      ...(phase.name === 'APPLY' && phase.confirmed ? { confirmed: phase.confirmed } : {}),
    },
    items: items.sort((a, b) => a.userId.localeCompare(b.userId) || a.privilegeId.localeCompare(b.privilegeId) || a.entryId.localeCompare(b.entryId)),
  };
}
