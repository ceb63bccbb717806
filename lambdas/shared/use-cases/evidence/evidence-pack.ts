// Evidence packs (docs/reference/evidence.md): build one for a campaign run, and verify one offline.
import type { EvidenceFile } from '../ports.js';
import type { ApprovalStore, AuditLog, CampaignStore, DirectoryStore, EvidenceArchive, EvidenceSigner } from '../ports.js';

export interface EvidencePackDeps {
  campaigns: CampaignStore;
  approvals: ApprovalStore;
  audit: AuditLog;
  signer: EvidenceSigner;
  directory?: Pick<DirectoryStore, 'getUsers'>;
  /** A cleaned-up run's pack is read back from here. */
  archive?: EvidenceArchive;
}

/** The pack's files (report.csv, report.html, report.json, audit-log.jsonl, manifest.json, manifest.sig). */
export async function buildEvidencePack(_deps: EvidencePackDeps, _campaignId: string, _now: Date): Promise<EvidenceFile[]> {
  throw new Error('buildEvidencePack: not implemented yet');
}

export type EvidenceVerification = { ok: true; checked: string[] } | { ok: false; problem: string; file?: string; seq?: number };

/** Checks the signature, every file's SHA-256 and the chain; the first problem names its file or record. */
export async function verifyEvidencePack(_files: ReadonlyMap<string, Uint8Array>, _publicKeyPem: string): Promise<EvidenceVerification> {
  throw new Error('verifyEvidencePack: not implemented yet');
}
