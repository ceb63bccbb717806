// Evidence outlives the operational data (docs/reference/evidence.md, "Archive before cleanup"): the
// controller's DELETED step archives a run's evidence pack (through an EvidenceArchiver: this module
// in process, or the archive-evidence function on AWS), records that on the campaign, and only then
// deletes the run's records (delete-archived-run.ts). Each step is idempotent, so a run killed after
// any write is completed by the next one with the same pack.
import { sha256Hex } from '../../domain/audit/chain.js';
import { jobActor, runChain } from '../../domain/audit/model.js';
import { ConflictError } from '../../domain/errors.js';
import { EVIDENCE_FILES, evidencePrefix, type ArchivedEvidence } from '../../domain/evidence/manifest.js';
import type { Campaign } from '../../domain/model.js';
import { isUnsent } from '../../domain/notifications.js';
import { getCampaignOrThrow } from '../campaign-admin.js';
import type { ApprovalStore, AuditLog, CampaignStore, DirectoryStore, EvidenceArchive, EvidenceArchiver, EvidenceSigner, Outbox } from '../ports.js';
import { outboxCampaignOf } from './delete-archived-run.js';
import { verifyEvidencePack, writeEvidencePack, type EvidenceReports } from './evidence-pack.js';

/** Where evidence packs are archived and what signs them. */
export interface EvidenceDeps {
  archive: EvidenceArchive;
  signer: EvidenceSigner;
  /** The report and its renderings: evidenceReports (the page's charts drawn in process or by the render-report-charts function), or a test's own. */
  reports: EvidenceReports;
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

/** No notification of the run is PENDING or SENDING (read only: the cleanup deletes them later). */
async function outboxSettled(outbox: Outbox, campaign: Campaign): Promise<boolean> {
  for await (const page of outbox.listByRun(outboxCampaignOf(campaign), campaign.runId)) {
    if (page.some((n) => isUnsent(n.status))) return false;
  }
  return true;
}

/** The EvidenceArchiver of the local runtime and the tests: archiveRunEvidence in this process. */
export class InProcessEvidenceArchiver implements EvidenceArchiver {
  constructor(private readonly deps: ArchiveEvidenceDeps) {}

  archiveRun(campaign: Campaign, now: Date): Promise<ArchivedEvidence | undefined> {
    return archiveRunEvidence(this.deps, campaign, now);
  }
}

export interface ArchiveCampaignRequest {
  campaignId: string;
  /** The run the caller means: refused if the campaign has moved on to another (a stale request). */
  runId?: string;
  /** The instant recorded with EVIDENCE_ARCHIVED (the controller's business time). */
  now: Date;
}

/**
 * The archive-evidence function's use case: archives the campaign's DELETED run, read from the store
 * (archiveRunEvidence). A run whose evidence the campaign already records answers that record; a
 * campaign in any other state than DELETED, or on another run than `runId`, is refused and nothing is
 * written.
 */
export async function archiveCampaignEvidence(deps: ArchiveEvidenceDeps, request: ArchiveCampaignRequest): Promise<ArchivedEvidence | undefined> {
  const campaign = await getCampaignOrThrow(deps.campaigns, request.campaignId);
  if (request.runId !== undefined && campaign.runId !== request.runId) {
    throw new ConflictError(`campaign ${campaign.id} is on run ${campaign.runId}, not ${request.runId}: nothing archived`);
  }
  if (campaign.state !== 'DELETED') {
    throw new ConflictError(
      `campaign ${campaign.id} is ${campaign.state}: a run's evidence is archived once it is DELETED (idgov evidence export writes a pack of any run)`,
    );
  }
  if (campaign.evidence) return campaign.evidence;
  return archiveRunEvidence(deps, campaign, request.now);
}
