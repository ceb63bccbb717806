// Evidence packs (docs/reference/evidence.md): build one for a campaign run, and verify one offline.
import { constants, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { sha256Hex, verifyChain } from '../../domain/audit/chain.js';
import { runChain, type AuditRecord } from '../../domain/audit/model.js';
import { ValidationError } from '../../domain/errors.js';
import {
  auditLogJsonl,
  bytesText,
  chainHead,
  CONTENT_FILES,
  describeFile,
  EVIDENCE_FILES,
  EVIDENCE_FORMAT,
  manifestJson,
  PACK_FILES,
  parseAuditLogJsonl,
  parseManifest,
  parseSignature,
  SIGNING_ALGORITHM,
  signatureText,
  textBytes,
  type EvidenceManifest,
} from '../../domain/evidence/manifest.js';
import type { Campaign } from '../../domain/model.js';
import type { CampaignReport } from '../../domain/reports/campaign-report.js';
import { renderReportCsv, renderReportHtml, renderReportJson } from '../../presenters/campaign-report-views.js';
import { getCampaignOrThrow } from '../campaign-admin.js';
import { collect } from '../concurrency.js';
import type { EvidenceFile } from '../ports.js';
import type { ApprovalStore, AuditLog, CampaignStore, DirectoryStore, EvidenceArchive, EvidenceSigner } from '../ports.js';
import { buildCampaignReport, type CampaignReportDeps, type CampaignReportOptions } from '../reports/campaign-report.js';

/** How a pack gets its report and renders it: the reports use case and views, unless a caller (a test) gives its own. */
export interface EvidenceReports {
  build(deps: CampaignReportDeps, campaignId: string, options: CampaignReportOptions): Promise<CampaignReport>;
  csv(report: CampaignReport): string | Promise<string>;
  html(report: CampaignReport): string | Promise<string>;
  json(report: CampaignReport): string;
}

export const DEFAULT_EVIDENCE_REPORTS: EvidenceReports = {
  build: buildCampaignReport,
  csv: renderReportCsv,
  html: renderReportHtml,
  json: renderReportJson,
};

export interface EvidencePackDeps {
  campaigns: CampaignStore;
  approvals: ApprovalStore;
  audit: AuditLog;
  signer: EvidenceSigner;
  directory?: Pick<DirectoryStore, 'getUsers'>;
  /** A cleaned-up run's pack is read back from here. */
  archive?: EvidenceArchive;
  /** @default DEFAULT_EVIDENCE_REPORTS */
  reports?: EvidenceReports;
}

/**
 * Writes one file of a pack and answers the bytes that are there afterwards: what it was given, or,
 * in an archive that already held the file (a re-run after a kill), what the archive holds.
 */
export type PackWriter = (file: EvidenceFile) => Promise<Uint8Array>;

/**
 * The pack's files (report.csv, report.html, report.json, audit-log.jsonl, manifest.json, manifest.sig):
 * a run with archived evidence (`campaign.evidence`, e.g. one cleaned up) is read back from the
 * archive as it was stored; any other is built from its records as of `now`, or, for a DELETED run,
 * as of its last recorded instant (the same bytes the controller archives).
 */
export async function buildEvidencePack(deps: EvidencePackDeps, campaignId: string, now: Date): Promise<EvidenceFile[]> {
  const campaign = await getCampaignOrThrow(deps.campaigns, campaignId);
  if (campaign.evidence) {
    if (!deps.archive) throw new Error(`campaign ${campaignId}: its evidence is archived at ${campaign.evidence.location}, and no archive was given to read it`);
    return readArchivedPack(deps.archive, campaign.evidence.prefix);
  }
  const files = await writeEvidencePack(deps, campaign, now, async (file) => file.content);
  return PACK_FILES.map((name) => ({ name, content: files.get(name)! }));
}

/** Every file of an archived pack; a missing one is an error naming it and where. */
export async function readArchivedPack(archive: EvidenceArchive, prefix: string): Promise<EvidenceFile[]> {
  const files: EvidenceFile[] = [];
  for (const name of PACK_FILES) {
    const content = await archive.get(prefix, name);
    if (!content) throw new Error(`${name} is missing from the archived evidence at ${archive.describe(prefix)}`);
    files.push({ name, content });
  }
  return files;
}

/**
 * Writes a run's pack file by file, in PACK_FILES order, through `write`, and returns what was
 * written. Each step builds on what `write` answers, not on what it was given: the chain head on the
 * stored audit log, the CSV and HTML on the stored report.json, the signature on the stored
 * manifest. So a re-run over an archive a killed run left half-written completes that same pack,
 * and finds a complete one complete.
 */
export async function writeEvidencePack(deps: EvidencePackDeps, campaign: Campaign, now: Date, write: PackWriter): Promise<Map<string, Uint8Array>> {
  const reports = deps.reports ?? DEFAULT_EVIDENCE_REPORTS;
  const files = new Map<string, Uint8Array>();
  const put = async (name: string, content: Uint8Array) => {
    const stored = await write({ name, content });
    files.set(name, stored);
    return stored;
  };

  const chainId = runChain(campaign.runId);
  const head = await deps.audit.head(chainId);
  const records = head ? await collect(deps.audit.listRecords(chainId, { toSeq: head.seq })) : [];
  const logText = bytesText(await put(EVIDENCE_FILES.log, textBytes(auditLogJsonl(records))));
  const storedLog = logText === undefined ? ({ ok: false, line: 1, problem: 'is not UTF-8 text' } as const) : parseAuditLogJsonl(logText);
  if (!storedLog.ok) throw new Error(`${EVIDENCE_FILES.log} of run ${campaign.runId}: line ${storedLog.line} ${storedLog.problem}`);

  const asOf = packInstant(campaign, storedLog.records, now);
  const built = await reports.build(
    { campaigns: deps.campaigns, approvals: deps.approvals, directory: deps.directory, archive: deps.archive },
    campaign.id,
    { now: new Date(asOf) },
  );
  const storedJson = bytesText(await put(EVIDENCE_FILES.json, textBytes(reports.json(built))));
  const report = JSON.parse(storedJson ?? 'null') as CampaignReport | null;
  if (!report?.campaign) throw new Error(`${EVIDENCE_FILES.json} of run ${campaign.runId} is not a campaign report`);
  await put(EVIDENCE_FILES.csv, textBytes(await reports.csv(report)));
  await put(EVIDENCE_FILES.html, textBytes(await reports.html(report)));

  const publicKey = await deps.signer.publicKeyPem();
  const manifest: EvidenceManifest = {
    format: EVIDENCE_FORMAT,
    campaignId: campaign.id,
    campaignName: campaign.name,
    runId: campaign.runId,
    asOf: report.asOf,
    files: CONTENT_FILES.map((name) => describeFile(name, files.get(name)!)),
    chain: chainHead(chainId, storedLog.records),
    signature: { algorithm: SIGNING_ALGORITHM, keyId: await deps.signer.keyId(), publicKeySha256: publicKeySha256(publicKey) },
  };
  const storedManifest = await put(EVIDENCE_FILES.manifest, textBytes(manifestJson(manifest)));
  await put(EVIDENCE_FILES.signature, textBytes(signatureText(await deps.signer.sign(storedManifest))));
  return files;
}

/**
 * The instant a pack describes. A DELETED run is settled: nothing but its cleanup happens to it any
 * more, so its pack is as of the later of its last recorded event and its last change, both fixed
 * (a re-run writes the same bytes). Any other run is described as of `now`.
 */
export function packInstant(campaign: Campaign, records: readonly AuditRecord[], now: Date): string {
  if (campaign.state !== 'DELETED') return now.toISOString();
  const lastRecorded = records.at(-1)?.at;
  return lastRecorded && lastRecorded > campaign.updatedAt ? lastRecorded : campaign.updatedAt;
}

/** SHA-256 (hex) of a public key's SPKI DER: what a manifest names its key by. */
export function publicKeySha256(publicKeyPem: string): string {
  return sha256Hex(new Uint8Array(parsePublicKey(publicKeyPem).export({ type: 'spki', format: 'der' })));
}

/** An RSA public key from PEM (SPKI or PKCS#1), or a ValidationError. */
export function parsePublicKey(pem: string, field = 'publicKey'): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new ValidationError(`is not a PEM public key (${(error as Error).message})`, field);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new ValidationError(`must be an RSA key, got ${key.asymmetricKeyType ?? 'another kind'}`, field);
  return key;
}

export type EvidenceVerification =
  | { ok: true; checked: string[]; manifest: EvidenceManifest }
  | { ok: false; problem: string; file?: string; seq?: number; line?: number };

const fail = (file: string | undefined, problem: string, at: { seq?: number; line?: number } = {}): EvidenceVerification => ({
  ok: false,
  problem: file ? `${file}: ${problem}` : problem,
  ...(file ? { file } : {}),
  ...at,
});

/**
 * Checks a pack offline with the public key alone, in this order, and stops at the first problem,
 * naming its file (and for the chain, the record's seq and line): manifest.json and manifest.sig are
 * there and the signature holds for the key; each listed file is there with its size and SHA-256,
 * and nothing else is; audit-log.jsonl parses, its chain verifies and ends at the manifest's head;
 * report.json is the report of the manifest's campaign run. A bad key is a ValidationError.
 */
export async function verifyEvidencePack(files: ReadonlyMap<string, Uint8Array>, publicKeyPem: string): Promise<EvidenceVerification> {
  const key = parsePublicKey(publicKeyPem);
  const keySha256 = publicKeySha256(publicKeyPem);
  const manifestBytes = files.get(EVIDENCE_FILES.manifest);
  if (!manifestBytes) return fail(EVIDENCE_FILES.manifest, 'is missing');
  const signatureBytes = files.get(EVIDENCE_FILES.signature);
  if (!signatureBytes) return fail(EVIDENCE_FILES.signature, 'is missing');
  const signature = parseSignature(bytesText(signatureBytes) ?? '');
  if (!signature) return fail(EVIDENCE_FILES.signature, 'is not a base64 signature');
  if (!verifySignature('sha256', manifestBytes, { key, padding: constants.RSA_PKCS1_PADDING }, signature)) {
    return fail(EVIDENCE_FILES.signature, `the signature of ${EVIDENCE_FILES.manifest} does not verify with the given public key (SPKI SHA-256 ${keySha256})${namedKey(manifestBytes, keySha256)}`);
  }

  let manifest: EvidenceManifest;
  try {
    manifest = parseManifest(bytesText(manifestBytes) ?? '');
  } catch (error) {
    if (error instanceof ValidationError) return fail(EVIDENCE_FILES.manifest, `is signed but not a manifest (${error.message})`);
    throw error;
  }
  const checked = [`${EVIDENCE_FILES.signature}: ${SIGNING_ALGORITHM} signature of ${EVIDENCE_FILES.manifest} verified with key ${manifest.signature.keyId} (SPKI SHA-256 ${keySha256})`];

  const listed = manifest.files.map((file) => file.name);
  const missingFromManifest = CONTENT_FILES.find((name) => !listed.includes(name));
  if (missingFromManifest) return fail(EVIDENCE_FILES.manifest, `does not list ${missingFromManifest}`);
  const duplicate = listed.find((name, index) => listed.indexOf(name) !== index);
  if (duplicate) return fail(EVIDENCE_FILES.manifest, `lists ${duplicate} twice`);
  for (const entry of manifest.files) {
    const content = files.get(entry.name);
    if (!content) return fail(entry.name, 'is missing (the manifest lists it)');
    if (content.byteLength !== entry.bytes || sha256Hex(content) !== entry.sha256) {
      const changed = `was changed: it has ${content.byteLength} bytes and SHA-256 ${sha256Hex(content)}, the manifest says ${entry.bytes} bytes and ${entry.sha256}`;
      if (entry.name === EVIDENCE_FILES.log) {
        // Name the record, as an auditor needs it: the chain's own check finds the first one that is off.
        const chain = checkChain(content, manifest);
        if (chain) return fail(entry.name, `${changed}; ${chain.problem}`, chain.at);
      }
      return fail(entry.name, changed);
    }
    checked.push(`${entry.name}: ${entry.bytes} bytes, SHA-256 ${entry.sha256}`);
  }
  const expected = new Set<string>([...listed, EVIDENCE_FILES.manifest, EVIDENCE_FILES.signature]);
  const unlisted = [...files.keys()].sort().find((name) => !expected.has(name));
  if (unlisted) return fail(unlisted, 'is not listed in the manifest (a pack holds only the files its manifest lists)');

  const chain = checkChain(files.get(EVIDENCE_FILES.log)!, manifest);
  if (chain) return fail(EVIDENCE_FILES.log, chain.problem, chain.at);
  checked.push(`${EVIDENCE_FILES.log}: chain ${manifest.chain.chainId} of ${manifest.chain.records} records verified, head seq ${manifest.chain.headSeq} ${manifest.chain.headHash}`);

  let report: { campaign?: { id?: unknown; runId?: unknown } } | null;
  try {
    report = JSON.parse(bytesText(files.get(EVIDENCE_FILES.json)!) ?? '') as typeof report;
  } catch {
    return fail(EVIDENCE_FILES.json, 'is not JSON');
  }
  if (report?.campaign?.id !== manifest.campaignId || report.campaign.runId !== manifest.runId) {
    return fail(
      EVIDENCE_FILES.json,
      `is the report of campaign ${String(report?.campaign?.id)} run ${String(report?.campaign?.runId)}, the manifest is of campaign ${manifest.campaignId} run ${manifest.runId}`,
    );
  }
  checked.push(`${EVIDENCE_FILES.json}: report of campaign ${manifest.campaignId} run ${manifest.runId}`);
  return { ok: true, checked, manifest };
}

/** The chain problem of an audit log against its manifest: the record (seq, 1-based line) and why. */
function checkChain(content: Uint8Array, manifest: EvidenceManifest): { problem: string; at: { seq?: number; line?: number } } | undefined {
  const text = bytesText(content);
  if (text === undefined) return { problem: 'is not UTF-8 text', at: {} };
  const parsed = parseAuditLogJsonl(text);
  if (!parsed.ok) return { problem: `line ${parsed.line} ${parsed.problem}`, at: { line: parsed.line } };
  const broken = verifyChain(parsed.records, manifest.chain.chainId);
  if (broken) return { problem: `record seq ${broken.seq} (line ${broken.index + 1}) ${broken.reason}`, at: { seq: broken.seq, line: broken.index + 1 } };
  const head = chainHead(manifest.chain.chainId, parsed.records);
  if (head.records !== manifest.chain.records || head.headSeq !== manifest.chain.headSeq || head.headHash !== manifest.chain.headHash) {
    return {
      problem: `the chain ends at seq ${head.headSeq} (${head.records} records, hash ${head.headHash}); the manifest says seq ${manifest.chain.headSeq} (${manifest.chain.records} records, hash ${manifest.chain.headHash}): records were removed or added at the end`,
      at: { seq: head.headSeq, line: head.records },
    };
  }
  return undefined;
}

/** Which key the (unverified) manifest says signed it, when that is not the key given: a hint for the auditor. */
function namedKey(manifestBytes: Uint8Array, keySha256: string): string {
  try {
    const { signature } = parseManifest(bytesText(manifestBytes) ?? '');
    return signature.publicKeySha256 === keySha256 ? '' : `; the manifest says it was signed with key ${signature.keyId} (SPKI SHA-256 ${signature.publicKeySha256})`;
  } catch {
    return '';
  }
}
