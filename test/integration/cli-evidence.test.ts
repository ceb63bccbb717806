// `idgov evidence verify` as an auditor runs it, on packs signed with the local key of the test's
// $IDGOV_HOME: a good pack exits 0; a changed byte (report.csv, a record of audit-log.jsonl with the
// manifest left as is), a removed record and a reordered record each exit 1 naming the file and the
// record, and so do the same packs re-signed with another key, and a good pack checked with the
// wrong key. The documented openssl / sha256sum check holds for a good pack and fails for a bad one.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryKeySigner } from '../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { buildEvidencePack } from '../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { LocalKeySigner } from '../../src/local/local-key-signer.js';
import { runIdgov } from '../support/cli.js';
import { changeByte, changeRecord, removeRecord, resign, settledRun, stubReports, swapRecords, type PackFiles } from '../support/evidence.js';

const sh = promisify(execFile);
const attacker = new InMemoryKeySigner('attacker');
let home: string;
let good: PackFiles;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'idgov-cli-evidence-'));
  const run = await settledRun();
  const files = await buildEvidencePack({ ...run, signer: LocalKeySigner.forHome(home), reports: stubReports }, 'c-test', new Date('2026-09-01T00:00:00.000Z'));
  good = new Map(files.map((f) => [f.name, f.content]));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

let packs = 0;
async function folder(files: PackFiles): Promise<string> {
  const dir = join(home, `pack-${++packs}`);
  await mkdir(dir);
  for (const [name, content] of files) await writeFile(join(dir, name), content);
  return dir;
}

const verify = async (files: PackFiles, ...args: string[]) => runIdgov(home, ['evidence', 'verify', await folder(files), ...args]);

describe('idgov evidence verify', () => {
  it('exits 0 for a good pack, with the local key by default, saying what it checked', async () => {
    const result = await verify(good);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^verified: campaign c-test \(Finance high-risk users\) run c-test#1 as of 2026-08-20T00:00:00.000Z\n/);
    expect(result.stdout).toContain('audit-log.jsonl: chain run:c-test#1 of 3 records verified, head seq 3 ');
  });

  it.each([
    ['a changed byte of report.csv', (f: PackFiles) => changeByte(f, 'report.csv'), /^idgov: evidence does not verify: report\.csv: was changed: /],
    ['a changed record of audit-log.jsonl, the manifest left as is', (f: PackFiles) => changeRecord(f, 2), /^idgov: evidence does not verify: audit-log\.jsonl: was changed: .*; record seq 2 \(line 2\) was changed \(its hash does not match its content\)\n$/],
    ['a removed record', (f: PackFiles) => removeRecord(f, 2), /^idgov: evidence does not verify: audit-log\.jsonl: was changed: .*; record seq 3 \(line 2\) has seq 3 where 2 was expected/],
    ['a reordered record', (f: PackFiles) => swapRecords(f, 2), /^idgov: evidence does not verify: audit-log\.jsonl: was changed: .*; record seq 3 \(line 2\) has seq 3 where 2 was expected/],
  ])('exits 1 for %s, naming the file and record', async (_case, tamper, message) => {
    const result = await verify(tamper(good));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['a changed byte of report.csv', (f: PackFiles) => changeByte(f, 'report.csv')],
    ['a changed record', (f: PackFiles) => changeRecord(f, 2)],
    ['a removed record', (f: PackFiles) => removeRecord(f, 2)],
    ['a reordered record', (f: PackFiles) => swapRecords(f, 2)],
  ])('exits 1 for %s re-signed with another key: the signature fails', async (_case, tamper) => {
    const result = await verify(await resign(tamper(good), attacker));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^idgov: evidence does not verify: manifest\.sig: the signature of manifest\.json does not verify with the given public key \(SPKI SHA-256 [0-9a-f]{64}\); the manifest says it was signed with key attacker:/);
  });

  it('exits 1 for a good pack checked with the wrong public key, and 0 with the right one given', async () => {
    const wrong = join(home, 'wrong.pem');
    await writeFile(wrong, await attacker.publicKeyPem());
    expect(await verify(good, '--public-key', wrong)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^idgov: evidence does not verify: manifest\.sig: /) });
    const right = join(home, 'right.pem');
    expect(await runIdgov(home, ['evidence', 'public-key', '--out', right])).toMatchObject({ code: 0 });
    expect(await runIdgov(join(home, 'elsewhere'), ['evidence', 'verify', await folder(good), '--public-key', right])).toMatchObject({ code: 0 });
  });

  it('prints the verdict as JSON with --json, naming the file and record', async () => {
    const result = await verify(removeRecord(good, 2), '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, file: 'audit-log.jsonl', seq: 3, line: 2 });
  });
});

describe('checking a pack with openssl and sha256sum alone (docs/reference/evidence.md)', () => {
  /** The recipe of the docs, in a POSIX shell: the signature with openssl, then each file's SHA-256 against the manifest. */
  const recipe = async (dir: string, key: string) =>
    sh('sh', [
      '-c',
      `set -e; cd "$1"
base64 -d manifest.sig > /tmp/idgov-manifest-$$.bin
openssl dgst -sha256 -verify "$2" -signature /tmp/idgov-manifest-$$.bin manifest.json
awk -F'"' '/"name":/ { name = $4 } /"sha256":/ { print $4 "  " name }' manifest.json | sha256sum -c -`,
      'recipe',
      dir,
      key,
    ]);

  it('verifies a good pack', async () => {
    const key = LocalKeySigner.forHome(home).publicKeyPath;
    const { stdout } = await recipe(await folder(good), key);
    expect(stdout).toBe('Verified OK\naudit-log.jsonl: OK\nreport.json: OK\nreport.csv: OK\nreport.html: OK\n');
  });

  it('fails for a changed file and for a forged signature', async () => {
    const key = LocalKeySigner.forHome(home).publicKeyPath;
    await expect(recipe(await folder(changeByte(good, 'report.csv')), key)).rejects.toMatchObject({ stdout: expect.stringContaining('report.csv: FAILED') });
    await expect(recipe(await folder(await resign(changeByte(good, 'report.csv'), attacker)), key)).rejects.toMatchObject({ stdout: expect.stringContaining('Verification failure') });
  });
});
