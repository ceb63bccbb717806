// Evidence outlives the operational data (docs/reference/evidence.md, "Archive before cleanup"): the
// controller's DELETED step archives a run's evidence pack, records that on the campaign, and only
// then deletes the run's records. Each step is idempotent, so a run killed after any write is
// completed by the next one with the same pack.
import { sha256Hex } from '../../domain/audit/chain.js';
import { jobActor, runChain } from '../../domain/audit/model.js';
import { EVIDENCE_FILES, evidencePrefix, type ArchivedEvidence } from '../../domain/evidence/manifest.js';
import type { Campaign } from '../../domain/model.js';
import { isUnsent } from '../../domain/notifications.js';
import type { ApprovalStore, AuditLog, CampaignStore, DirectoryStore, EvidenceArchive, EvidenceSigner, Outbox } from '../ports.js';
import { verifyEvidencePack, writeEvidencePack, type EvidenceReports } from './evidence-pack.js';

/** Where the controller archives evidence packs and what signs them. */
export interface EvidenceDeps {
  archive: EvidenceArchive;
  signer: EvidenceSigner;
  /** @default the reports use case and views (tests give their own) */
  reports?: EvidenceReports;
}

export interface ArchiveEvidenceDeps {
  campaigns: CampaignStore;
  approvals: ApprovalStore;
  outbox: Outbox;
  audit: AuditLog;
  directory?: Pick<DirectoryStore, 'getUsers'>;
  evidence: EvidenceDeps;
}

const CONTROLLER = jobActor('campaign-controller');

/** The partition of a run's notifications: an archived run's stay under the campaign it came from. */
const outboxCampaignOf = (c: Campaign) => c.archivedFrom ?? c.id;

/**
 * Archives a DELETED run's evidence pack and records it in the run's chain (EVIDENCE_ARCHIVED,
 * eventKey `evidence:<runId>`). Undefined while a notification of the run is still unsent: its
 * sending is part of the record, so the pack waits for the dispatch (which runs after the steps)
 * and a later run archives it. Files are written absent-only, the manifest and its signature last,
 * and the stored pack must verify with the signer's public key before anything is recorded.
 */
export async function archiveRunEvidence(deps: ArchiveEvidenceDeps, campaign: Campaign, now: Date): Promise<ArchivedEvidence | undefined> {
  if (!(await outboxSettled(deps.outbox, campaign))) return undefined;
  const { archive, signer } = deps.evidence;
  const prefix = evidencePrefix(campaign.id, campaign.runId);
  const location = archive.describe(prefix);
  const files = await writeEvidencePack({ ...deps, signer, archive, reports: deps.evidence.reports }, campaign, now, async (file) => {
    if (await archive.putIfAbsent(prefix, file)) return file.content;
    // Written by a run that was killed: the archive keeps what it holds, and the pack builds on that.
    const stored = await archive.get(prefix, file.name);
    if (!stored) throw new Error(`${file.name} at ${location} exists but cannot be read back`);
    return stored;
  });
  const verification = await verifyEvidencePack(files, await signer.publicKeyPem());
  if (!verification.ok) throw new Error(`the evidence pack at ${location} does not verify (${verification.problem}); run ${campaign.runId} is not cleaned up`);

  const { chain } = verification.manifest;
  const manifestSha256 = sha256Hex(files.get(EVIDENCE_FILES.manifest)!);
  const at = now.toISOString();
  const record = await deps.audit.append({
    chainId: runChain(campaign.runId),
    eventKey: `evidence:${campaign.runId}`,
    at,
    campaignId: campaign.id,
    events: [
      {
        type: 'EVIDENCE_ARCHIVED',
        at,
        actor: CONTROLLER,
        data: { prefix, location, headSeq: chain.headSeq, headHash: chain.headHash, manifestSha256, keyId: verification.manifest.signature.keyId },
      },
    ],
  });
  // A re-run finds the record of the run it completes: the campaign says when that was.
  return { prefix, location, archivedAt: record.at, headSeq: chain.headSeq, headHash: chain.headHash, manifestSha256 };
}

/**
 * Deletes the run's notifications and records, resumably; true once none is left. Refuses a run
 * whose evidence is not archived: nothing of a run is deleted before its pack exists.
 */
export async function deleteArchivedRun(deps: Pick<ArchiveEvidenceDeps, 'campaigns' | 'outbox' | 'audit'>, campaign: Campaign, now: Date): Promise<boolean> {
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

/** No notification of the run is PENDING or SENDING (read only: the cleanup deletes them later). */
async function outboxSettled(outbox: Outbox, campaign: Campaign): Promise<boolean> {
  for await (const page of outbox.listByRun(outboxCampaignOf(campaign), campaign.runId)) {
    if (page.some((n) => isUnsent(n.status))) return false;
  }
  return true;
}
