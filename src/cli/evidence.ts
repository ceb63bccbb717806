// `idgov evidence export|verify|public-key` (docs/reference/evidence.md): a campaign run's signed
// evidence pack written to a folder, a folder's pack checked offline with the public key alone, and
// the public key exported for auditors.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { drawChartsOnDemand } from '../local/report-charts.js';
import { EVIDENCE_FILES, parseManifest } from '../../lambdas/shared/domain/evidence/manifest.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { getCampaignOrThrow } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { buildEvidencePack, evidenceReports, parsePublicKey, publicKeySha256, verifyEvidencePack, type EvidenceVerification } from '../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import type { EvidenceFile, EvidenceSigner } from '../../lambdas/shared/use-cases/ports.js';
import { LocalKeySigner, readLocalPublicKey } from '../local/local-key-signer.js';
import { resolveHome, type Runtime } from '../local/runtime.js';
import { CheckFailedError, note, out, outJson, resolveNow, withRuntime, type GlobalOptions } from './context.js';

export function registerEvidenceCommands(program: Command): void {
  const evidence = program.command('evidence').description("a campaign run's signed evidence pack: export it, verify it offline, export the public key");

  evidence
    .command('export')
    .description(
      "write a campaign run's evidence pack (report.csv, report.html, report.json, audit-log.jsonl, manifest.json, manifest.sig) " +
        'to a folder: a cleaned-up run\'s as archived, any other built now',
    )
    .argument('<id>', 'campaign id (an archived run by its own id, e.g. c-1a2b3c4d5e-r1)')
    .requiredOption('--out <dir>', 'the folder to write to (created if missing; must not hold pack files already)')
    .option('--now <iso>', 'the instant a live pack describes (default: now; a DELETED run is always described as of its end)')
    .option('--json', 'print what was written as JSON')
    .action(async (id: string, options: { out: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const dir = resolve(options.out);
      const exported = await withRuntime(command, async (runtime) => {
        const campaign = await getCampaignOrThrow(runtime.campaigns, id);
        // Only the archive-evidence function signs with the KMS key; a live pack exported from a deployment is signed with the local key.
        const signer = runtime.mode === 'aws' && !campaign.evidence ? LocalKeySigner.forHome(runtime.home) : runtime.evidenceSigner;
        const files = await buildEvidencePack(
          { campaigns: runtime.campaigns, approvals: runtime.approvals, audit: runtime.auditLog, signer, directory: runtime.directory, archive: runtime.evidenceArchive, reports: evidenceReports(drawChartsOnDemand) },
          id,
          now,
        );
        await writePack(dir, files);
        const publicKey = campaign.evidence ? await runtime.evidenceSigner.publicKeyPem() : await signer.publicKeyPem();
        return { source: campaign.evidence ? ('ARCHIVE' as const) : ('LIVE' as const), location: campaign.evidence?.location, files, publicKey, localKey: signer instanceof LocalKeySigner ? signer : undefined };
      });
      const verification = await verifyEvidencePack(new Map(exported.files.map((f) => [f.name, f.content])), exported.publicKey);
      const manifest = parseManifest(new TextDecoder().decode(exported.files.find((f) => f.name === EVIDENCE_FILES.manifest)!.content));
      const view = {
        dir,
        source: exported.source,
        ...(exported.location ? { archive: exported.location } : {}),
        campaignId: manifest.campaignId,
        runId: manifest.runId,
        asOf: manifest.asOf,
        files: manifest.files,
        chain: manifest.chain,
        keyId: manifest.signature.keyId,
        verified: verification.ok,
      };
      if (options.json) outJson(view);
      else {
        out(`evidence of campaign ${manifest.campaignId} run ${manifest.runId} as of ${manifest.asOf} written to ${dir}`);
        out(`  ${exported.source === 'ARCHIVE' ? `from the archive at ${exported.location}` : 'built from the run\'s records'}`);
        out(`  ${manifest.chain.records} audit records, head seq ${manifest.chain.headSeq} ${manifest.chain.headHash}`);
        out(`  signed by ${manifest.signature.keyId}`);
      }
      if (exported.localKey && runtimeIsAws(command)) {
        note(`signed with the local key ${manifest.signature.keyId} (only the controller signs with the KMS key): verify with --public-key ${exported.localKey.publicKeyPath}`);
      }
      if (!verification.ok) throw new CheckFailedError(`the exported evidence does not verify: ${verification.problem}`);
    });

  evidence
    .command('verify')
    .description('check an evidence pack offline: the signature, every file, the audit chain and its head; exit 0 when all hold, 1 naming the first that does not')
    .argument('<dir>', 'the folder holding the pack')
    .option('--public-key <file>', "the signer's public key, PEM (default: the local key under $IDGOV_HOME/keys; with --aws, the deployment's KMS key)")
    .option('--json', 'print the verification as JSON')
    .action(async (dir: string, options: { publicKey?: string; json?: boolean }, command: Command) => {
      const files = await readPack(resolve(dir));
      const publicKey = await verificationKey(command, options.publicKey);
      const verification = await verifyEvidencePack(files, publicKey);
      if (options.json) outJson(verificationView(verification));
      if (!verification.ok) throw new CheckFailedError(`evidence does not verify: ${verification.problem}`);
      if (options.json) return;
      const { manifest } = verification;
      out(`verified: campaign ${manifest.campaignId} (${manifest.campaignName}) run ${manifest.runId} as of ${manifest.asOf}`);
      for (const line of verification.checked) out(`  ${line}`);
    });

  evidence
    .command('public-key')
    .description("write the public key that verifies evidence packs (PEM): the local key under $IDGOV_HOME/keys (made if missing), or with --aws the deployment's KMS key")
    .requiredOption('--out <file>', 'where to write the PEM')
    .option('--json', 'print the key id and fingerprint as JSON')
    .action(async (options: { out: string; json?: boolean }, command: Command) => {
      const path = resolve(options.out);
      const key = runtimeIsAws(command)
        ? await withRuntime(command, (runtime) => describeKey(runtime.evidenceSigner))
        : await describeKey(LocalKeySigner.forHome(resolveHome()));
      const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (existing !== undefined && existing !== key.pem) throw new ValidationError(`${path} exists and holds something else; give another file`, 'out');
      await writeFile(path, key.pem, { flag: existing === undefined ? 'wx' : 'w' });
      const view = { keyId: key.keyId, publicKeySha256: publicKeySha256(key.pem), file: path };
      if (options.json) return outJson(view);
      out(`public key of ${view.keyId} (SPKI SHA-256 ${view.publicKeySha256}) written to ${path}`);
    });
}

const runtimeIsAws = (command: Command) => command.optsWithGlobals<GlobalOptions>().aws === true;

async function describeKey(signer: EvidenceSigner) {
  return { keyId: await signer.keyId(), pem: await signer.publicKeyPem() };
}

/** The key to verify with: the file given, else the deployment's KMS key (--aws), else the local key. */
async function verificationKey(command: Command, file: string | undefined): Promise<string> {
  if (file !== undefined) {
    const pem = await readFile(resolve(file), 'utf8').catch((error: Error) => {
      throw new ValidationError(`cannot read ${file} (${error.message})`, 'public-key');
    });
    parsePublicKey(pem, 'public-key');
    return pem;
  }
  if (runtimeIsAws(command)) return withRuntime(command, (runtime: Runtime) => runtime.evidenceSigner.publicKeyPem());
  const home = resolveHome();
  const local = await readLocalPublicKey(home);
  if (local === undefined) {
    throw new ValidationError(
      `no local evidence key under ${join(home, 'keys')}: give the signer's key with --public-key FILE (for a deployment's packs: idgov --aws evidence public-key --out key.pem)`,
      'public-key',
    );
  }
  return local;
}

/** Every entry of the folder: files with their bytes; anything else (a folder) as an empty entry, so that verify names it. */
async function readPack(dir: string): Promise<Map<string, Uint8Array>> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: Error) => {
    throw new ValidationError(`cannot read the folder ${dir} (${error.message})`, 'dir');
  });
  const files = new Map<string, Uint8Array>();
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    files.set(entry.isFile() ? entry.name : `${entry.name}/`, entry.isFile() ? new Uint8Array(await readFile(join(dir, entry.name))) : new Uint8Array());
  }
  return files;
}

/** Writes the pack's files; refuses (changing nothing) a folder that holds any of them already. */
async function writePack(dir: string, files: EvidenceFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const present = new Set(await readdir(dir));
  const clash = files.find((f) => present.has(f.name));
  if (clash) throw new ValidationError(`${join(dir, clash.name)} exists: export into an empty folder`, 'out');
  for (const file of files) await writeFile(join(dir, file.name), file.content, { flag: 'wx' });
}

function verificationView(verification: EvidenceVerification) {
  if (!verification.ok) return verification;
  const { manifest, checked } = verification;
  return { ok: true, campaignId: manifest.campaignId, runId: manifest.runId, asOf: manifest.asOf, keyId: manifest.signature.keyId, chain: manifest.chain, checked };
}
