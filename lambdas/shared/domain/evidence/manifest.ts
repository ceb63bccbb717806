// An evidence pack's manifest (docs/reference/evidence.md): each file's SHA-256, the audit chain's
// head, and who signed it. manifest.json is signed; manifest.sig holds the signature (base64).
export const EVIDENCE_FILES = {
  csv: 'report.csv',
  html: 'report.html',
  json: 'report.json',
  log: 'audit-log.jsonl',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
} as const;

export const SIGNING_ALGORITHM = 'RSASSA_PKCS1_V1_5_SHA_256';

export interface EvidenceManifest {
  format: 'idgov-evidence/1';
  campaignId: string;
  campaignName: string;
  runId: string;
  /** The instant the pack describes (deterministic for a settled run, so a re-run writes the same bytes). */
  asOf: string;
  files: { name: string; sha256: string; bytes: number }[];
  chain: { chainId: string; records: number; headSeq: number; headHash: string };
  signature: { algorithm: typeof SIGNING_ALGORITHM; keyId: string; publicKeySha256: string };
}

/** Set on a campaign once its pack is archived: cleanup deletes nothing before. */
export interface ArchivedEvidence {
  prefix: string;
  location: string;
  archivedAt: string;
  headSeq: number;
  headHash: string;
  manifestSha256: string;
}
