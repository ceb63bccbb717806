// `idgov evidence export|verify|public-key` in-process: the local runtime is a fake over in-memory
// stores holding a DELETED run, and the reports are the test stubs (the reports' own tests cover
// them); test/integration/cli-evidence.test.ts runs `idgov evidence verify` as a user does.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryEvidenceArchive, InMemoryKeySigner } from '../../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { evidencePrefix, PACK_FILES } from '../../../lambdas/shared/domain/evidence/manifest.js';
import type { CampaignReport } from '../../../lambdas/shared/domain/reports/campaign-report.js';
import { buildEvidencePack, publicKeySha256, type EvidenceReports } from '../../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { runCli } from '../../../src/cli/main.js';
import { LocalKeySigner } from '../../../src/local/local-key-signer.js';
import { settledRun, stubReports } from '../../support/evidence.js';

const fake = vi.hoisted(() => ({ runtime: undefined as unknown, reports: undefined as unknown as EvidenceReports }));

// The factories only delegate (importing the stubs here would wait on the modules being mocked).
vi.mock('../../../lambdas/shared/use-cases/reports/campaign-report.js', () => ({
  buildCampaignReport: (...args: Parameters<EvidenceReports['build']>) => fake.reports.build(...args),
}));
vi.mock('../../../lambdas/shared/presenters/campaign-report-views.js', () => ({
  renderReportCsv: (report: CampaignReport) => fake.reports.csv(report),
  renderReportHtml: (report: CampaignReport) => fake.reports.html(report),
  renderReportJson: (report: CampaignReport) => fake.reports.json(report),
}));
vi.mock('../../../src/local/runtime.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src/local/runtime.js')>()),
  openRuntime: async () => fake.runtime,
}));

let home: string;
let out: string;
let run: Awaited<ReturnType<typeof settledRun>>;
let archive: InMemoryEvidenceArchive;

beforeEach(async () => {
  fake.reports = stubReports;
  home = await mkdtemp(join(tmpdir(), 'idgov-evidence-cli-'));
  out = join(home, 'pack');
  vi.stubEnv('IDGOV_HOME', home);
  vi.stubEnv('IDGOV_DEBUG', '');
  run = await settledRun();
  archive = new InMemoryEvidenceArchive();
  fake.runtime = runtime('embedded', LocalKeySigner.forHome(home));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(home, { recursive: true, force: true });
});

function runtime(mode: 'embedded' | 'aws', evidenceSigner: unknown) {
  return { mode, home, ...run, auditLog: run.audit, directory: { getUsers: async () => new Map() }, evidenceArchive: archive, evidenceSigner, close: async () => {} };
}

async function idgov(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(['node', 'idgov', ...args]), stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

describe('idgov evidence export', () => {
  it("writes a run's pack, signed with the local key, and says what it holds", async () => {
    const result = await idgov('evidence', 'export', 'c-test', '--out', out);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^evidence of campaign c-test run c-test#1 as of 2026-08-20T00:00:00.000Z written to ${out}\n  built from the run's records\n  3 audit records, head seq 3 [0-9a-f]{64}\n  signed by local:[0-9a-f]{16}\n$`));
    expect((await readdir(out)).sort()).toEqual([...PACK_FILES].sort());
    expect(await idgov('evidence', 'verify', out)).toMatchObject({ code: 0 });
  });

  it('refuses a folder that holds pack files already, changing nothing', async () => {
    await writeFile(join(home, 'report.csv'), 'mine');
    const result = await idgov('evidence', 'export', 'c-test', '--out', home);
    expect(result).toMatchObject({ code: 2, stderr: `idgov: out: ${join(home, 'report.csv')} exists: export into an empty folder\n` });
    expect(await readFile(join(home, 'report.csv'), 'utf8')).toBe('mine');
    expect(await readdir(home)).not.toContain('manifest.json');
  });

  it('refuses a campaign that does not exist', async () => {
    expect(await idgov('evidence', 'export', 'c-nope', '--out', out)).toMatchObject({ code: 2, stderr: 'idgov: campaign c-nope not found\n' });
  });

  it("exports a cleaned-up run's pack from the archive, as the controller stored it", async () => {
    const signer = new InMemoryKeySigner('controller');
    const prefix = evidencePrefix('c-test', 'c-test#1');
    const stored = await buildEvidencePack({ ...run, signer, reports: stubReports }, 'c-test', new Date('2026-09-01T00:00:00.000Z'));
    for (const file of stored) await archive.putIfAbsent(prefix, file);
    const campaign = (await run.campaigns.getCampaign('c-test'))!;
    await run.campaigns.saveCampaign({ ...campaign, version: 8, cleanedAt: '2026-09-01T00:00:00.000Z', evidence: { prefix, location: archive.describe(prefix), archivedAt: '2026-09-01T00:00:00.000Z', headSeq: 3, headHash: 'h', manifestSha256: 'm' } });
    await run.campaigns.deleteRun('c-test#1');
    fake.runtime = runtime('embedded', signer);

    const result = await idgov('evidence', 'export', 'c-test', '--out', out, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ source: 'ARCHIVE', archive: `memory:${prefix}/`, campaignId: 'c-test', runId: 'c-test#1', keyId: await signer.keyId(), verified: true });
    for (const file of stored) expect(new Uint8Array(await readFile(join(out, file.name)))).toEqual(file.content);
  });

  it('signs a live pack from a deployment with the local key (only the controller signs with KMS), and says how to verify it', async () => {
    fake.runtime = runtime('aws', new InMemoryKeySigner('kms'));
    const result = await idgov('--aws', 'evidence', 'export', 'c-test', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`signed by ${await LocalKeySigner.forHome(home).keyId()}`);
    expect(result.stderr).toBe(`signed with the local key ${await LocalKeySigner.forHome(home).keyId()} (only the controller signs with the KMS key): verify with --public-key ${join(home, 'keys', 'evidence-signing.pub.pem')}\n`);
  });
});

describe('idgov evidence verify', () => {
  it('needs a key: without --public-key and without a local key it refuses, naming the option', async () => {
    await idgov('evidence', 'export', 'c-test', '--out', out);
    await rm(join(home, 'keys'), { recursive: true });
    const result = await idgov('evidence', 'verify', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^idgov: public-key: no local evidence key under .*keys: give the signer's key with --public-key FILE/);
  });

  it('refuses a --public-key file that is not a key, and a folder that does not exist', async () => {
    await writeFile(join(home, 'key.pem'), 'hello');
    await idgov('evidence', 'export', 'c-test', '--out', out);
    expect(await idgov('evidence', 'verify', out, '--public-key', join(home, 'key.pem'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/^idgov: public-key: is not a PEM public key/) });
    expect(await idgov('evidence', 'verify', join(home, 'nowhere'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/^idgov: dir: cannot read the folder /) });
  });

  it('names a sub-folder as a file the manifest does not list', async () => {
    await idgov('evidence', 'export', 'c-test', '--out', out);
    await mkdir(join(out, 'extra'));
    expect(await idgov('evidence', 'verify', out)).toMatchObject({ code: 1, stderr: 'idgov: evidence does not verify: extra/: is not listed in the manifest (a pack holds only the files its manifest lists)\n' });
  });
});

describe('idgov evidence public-key', () => {
  it('writes the local key (made if missing), and will not overwrite another file', async () => {
    const path = join(home, 'auditor.pem');
    const result = await idgov('evidence', 'public-key', '--out', path, '--json');
    const signer = LocalKeySigner.forHome(home);
    expect(JSON.parse(result.stdout)).toEqual({ keyId: await signer.keyId(), publicKeySha256: publicKeySha256(await signer.publicKeyPem()), file: path });
    expect(await readFile(path, 'utf8')).toBe(await signer.publicKeyPem());
    expect(await idgov('evidence', 'public-key', '--out', path)).toMatchObject({ code: 0 });
    await writeFile(path, 'something else');
    expect(await idgov('evidence', 'public-key', '--out', path)).toMatchObject({ code: 2, stderr: `idgov: out: ${path} exists and holds something else; give another file\n` });
  });

  it("with --aws, writes the deployment's key", async () => {
    const kms = new InMemoryKeySigner('arn:aws:kms:eu-west-1:123456789012:key/k');
    fake.runtime = runtime('aws', kms);
    const path = join(home, 'kms.pem');
    const result = await idgov('evidence', 'public-key', '--aws', '--out', path);
    expect(result.stdout).toBe(`public key of ${await kms.keyId()} (SPKI SHA-256 ${publicKeySha256(await kms.publicKeyPem())}) written to ${path}\n`);
    expect(await readFile(path, 'utf8')).toBe(await kms.publicKeyPem());
  });
});
