// An evidence pack's manifest (docs/reference/evidence.md): each file's SHA-256, the audit chain's
// head, and who signed it. manifest.json is signed; manifest.sig holds the signature (base64).
// Pure: the pack's file layout, its canonical bytes, and parsing them back.
import * as z from 'zod';
import { canonicalJson, sha256Hex } from '../audit/chain.js';
import { GENESIS_HASH, type AuditRecord } from '../audit/model.js';
import { ValidationError } from '../errors.js';

export const EVIDENCE_FILES = {
  csv: 'report.csv',
  html: 'report.html',
  json: 'report.json',
  log: 'audit-log.jsonl',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
} as const;

export const SIGNING_ALGORITHM = 'RSASSA_PKCS1_V1_5_SHA_256';

export const EVIDENCE_FORMAT = 'idgov-evidence/1';

/**
 * The files the manifest lists, in the order a pack is written: the audit log first (the chain head
 * the rest describes), report.json next (the report the CSV and HTML are rendered from), and the
 * manifest and its signature after all of them, so a pack with a manifest is complete.
 */
export const CONTENT_FILES = [EVIDENCE_FILES.log, EVIDENCE_FILES.json, EVIDENCE_FILES.csv, EVIDENCE_FILES.html] as const;

/** Every file of a pack, in the order it is written. */
export const PACK_FILES = [...CONTENT_FILES, EVIDENCE_FILES.manifest, EVIDENCE_FILES.signature] as const;

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

/**
 * Where a run's pack is archived: `evidence/<campaignId>/<runId>` (an S3 key prefix, or a folder
 * under $IDGOV_HOME). Ids are path segments: `#` (run ids) stays readable; `/`, `..` and the like
 * are escaped, so no id can reach outside its folder.
 */
export function evidencePrefix(campaignId: string, runId: string): string {
  return `evidence/${pathSegment(campaignId, 'campaignId')}/${pathSegment(runId, 'runId')}`;
}

function pathSegment(value: string, field: string): string {
  if (!value) throw new ValidationError('must not be empty', field);
  const encoded = encodeURIComponent(value).replace(/%23/g, '#');
  return encoded === '.' || encoded === '..' ? encoded.replace(/\./g, '%2E') : encoded;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export const textBytes = (text: string): Uint8Array => utf8.encode(text);

/** UTF-8 text of a file, or undefined when it is not valid UTF-8. */
export function bytesText(bytes: Uint8Array): string | undefined {
  try {
    return fromUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** audit-log.jsonl: each record's canonical JSON on a line of its own, in chain order (empty for an empty chain). */
export function auditLogJsonl(records: readonly AuditRecord[]): string {
  return records.map((record) => `${canonicalJson(record)}\n`).join('');
}

const auditRecordSchema = z.looseObject({
  chainId: z.string(),
  eventKey: z.string(),
  at: z.string(),
  seq: z.number().int().positive(),
  prevHash: z.string(),
  hash: z.string(),
  events: z.array(z.unknown()),
});

export type ParsedAuditLog = { ok: true; records: AuditRecord[] } | { ok: false; line: number; problem: string };

/** Parses audit-log.jsonl back into records; the first line that is not a record is named (1-based). */
export function parseAuditLogJsonl(text: string): ParsedAuditLog {
  if (text === '') return { ok: true, records: [] };
  if (!text.endsWith('\n')) return { ok: false, line: text.split('\n').length, problem: 'the last line does not end with a newline (the file was cut)' };
  const records: AuditRecord[] = [];
  const lines = text.slice(0, -1).split('\n');
  for (const [index, line] of lines.entries()) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { ok: false, line: index + 1, problem: 'is not JSON' };
    }
    const parsed = auditRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, line: index + 1, problem: `is not an audit record (${issue.path.join('.') || 'record'}: ${issue.message})` };
    }
    records.push(parsed.data as unknown as AuditRecord);
  }
  return { ok: true, records };
}

/** What the manifest says of a chain given in order (an empty chain: no records, head GENESIS_HASH). */
export function chainHead(chainId: string, records: readonly AuditRecord[]): EvidenceManifest['chain'] {
  const head = records.at(-1);
  return { chainId, records: records.length, headSeq: head?.seq ?? 0, headHash: head?.hash ?? GENESIS_HASH };
}

export const describeFile = (name: string, content: Uint8Array): EvidenceManifest['files'][number] => ({
  name,
  sha256: sha256Hex(content),
  bytes: content.byteLength,
});

/** manifest.json: keys sorted at every level, two-space indented, one final newline; the same manifest always gives the same bytes. */
export function manifestJson(manifest: EvidenceManifest): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 2)}\n`;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

const manifestSchema = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  campaignId: z.string().min(1),
  campaignName: z.string(),
  runId: z.string().min(1),
  asOf: z.string(),
  files: z.array(z.strictObject({ name: z.string().min(1), sha256: hex64, bytes: z.number().int().nonnegative() })),
  chain: z.strictObject({
    chainId: z.string().min(1),
    records: z.number().int().nonnegative(),
    headSeq: z.number().int().nonnegative(),
    headHash: hex64,
  }),
  signature: z.strictObject({ algorithm: z.literal(SIGNING_ALGORITHM), keyId: z.string().min(1), publicKeySha256: hex64 }),
});

/** manifest.json parsed and checked; a ValidationError names the field (`manifest.json: files.2.sha256: ...`). */
export function parseManifest(text: string): EvidenceManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`is not JSON (${(error as Error).message})`, EVIDENCE_FILES.manifest);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [EVIDENCE_FILES.manifest, issue.path.join('.')].filter(Boolean).join(': ');
    throw new ValidationError(issue.message, field);
  }
  return parsed.data;
}

/** manifest.sig: the signature, base64, and a newline. */
export const signatureText = (signature: Uint8Array): string => `${Buffer.from(signature).toString('base64')}\n`;

/** The signature bytes of manifest.sig, or undefined when it is not base64. */
export function parseSignature(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(trimmed, 'base64'));
}

/**
 * `<prefix>/<name>`: the key (S3) or relative path (local) of a pack file. Refuses a prefix or name
 * that could leave its folder (empty, `.` or `..` segments, a name with a slash, a leading slash).
 */
export function archiveKey(prefix: string, name: string): string {
  const segments = prefix.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) throw new ValidationError(`is not a relative path of plain segments: "${prefix}"`, 'prefix');
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') throw new ValidationError(`is not a plain file name: "${name}"`, 'name');
  return `${prefix}/${name}`;
}

/** The media type a pack file is stored with. */
export function mediaTypeOf(name: string): string {
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.jsonl')) return 'application/x-ndjson';
  return 'text/plain; charset=utf-8';
}
