// The local runtime's evidence archive and signing key (src/local/local-evidence-archive.ts,
// local-key-signer.ts): files written once and never replaced, a killed write never visible under
// the final name, and one RSA key pair per $IDGOV_HOME, private key 0600, made once even when two
// processes start together.
import { constants, createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalEvidenceArchive } from '../../../src/local/local-evidence-archive.js';
import { LocalKeySigner, readLocalPublicKey } from '../../../src/local/local-key-signer.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'idgov-evidence-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const PREFIX = 'evidence/c-1/c-1#1';
const bytes = (text: string) => new TextEncoder().encode(text);

describe('LocalEvidenceArchive', () => {
  it('writes $IDGOV_HOME/evidence/<campaign>/<run>/<file>, read-only, and never replaces it', async () => {
    const archive = new LocalEvidenceArchive(home);
    expect(await archive.putIfAbsent(PREFIX, { name: 'report.csv', content: bytes('first') })).toBe(true);
    expect(await archive.putIfAbsent(PREFIX, { name: 'report.csv', content: bytes('second') })).toBe(false);
    const path = join(home, 'evidence', 'c-1', 'c-1#1', 'report.csv');
    expect(await readFile(path, 'utf8')).toBe('first');
    expect((await stat(path)).mode & 0o777).toBe(0o444);
    expect(await archive.get(PREFIX, 'report.csv')).toEqual(bytes('first'));
    expect(await archive.get(PREFIX, 'report.html')).toBeUndefined();
    expect(archive.describe(PREFIX)).toBe(`${join(home, 'evidence', 'c-1', 'c-1#1')}/`);
  });

  it('of two writers at once, lets one win and leaves no temporary file', async () => {
    const archive = new LocalEvidenceArchive(home);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((text) => archive.putIfAbsent(PREFIX, { name: 'manifest.json', content: bytes(text) })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(['a', 'b', 'c', 'd']).toContain(await readFile(join(home, PREFIX, 'manifest.json'), 'utf8'));
    expect(await readdir(join(home, PREFIX))).toEqual(['manifest.json']);
  });

  it('never shows what a killed write left: its temporary file is not the file, and is removed by the next write', async () => {
    const archive = new LocalEvidenceArchive(home);
    await archive.putIfAbsent(PREFIX, { name: 'report.json', content: bytes('{}') });
    // A write killed after its temporary file, before the link, by a process that is gone.
    await writeFile(join(home, PREFIX, '.report.csv.2147483646.0d5c.tmp'), 'half a fi');
    expect(await archive.get(PREFIX, 'report.csv')).toBeUndefined();
    expect(await archive.putIfAbsent(PREFIX, { name: 'report.csv', content: bytes('whole') })).toBe(true);
    expect((await readdir(join(home, PREFIX))).sort()).toEqual(['report.csv', 'report.json']);
  });

  it('refuses a prefix or name that would leave its folder', async () => {
    const archive = new LocalEvidenceArchive(home);
    await expect(archive.putIfAbsent('evidence/../../etc', { name: 'x', content: bytes('') })).rejects.toThrow(/^prefix: /);
    await expect(archive.get(PREFIX, '../secret')).rejects.toThrow(/^name: /);
  });
});

describe('LocalKeySigner', () => {
  it('makes an RSA 2048 key pair at its first use: the private key 0600, the public key beside it', async () => {
    const signer = LocalKeySigner.forHome(home);
    expect(await readLocalPublicKey(home)).toBeUndefined();
    const pem = await signer.publicKeyPem();
    expect((await stat(join(home, 'keys', 'evidence-signing.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(home, 'keys', 'evidence-signing.pub.pem'), 'utf8')).toBe(pem);
    expect(createPublicKey(pem).asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    expect(await readLocalPublicKey(home)).toBe(pem);
    expect(await signer.keyId()).toMatch(/^local:[0-9a-f]{16}$/);
  });

  it('signs RSASSA_PKCS1_V1_5_SHA_256, deterministically, with the same key in every process', async () => {
    const message = bytes('manifest');
    const first = await LocalKeySigner.forHome(home).sign(message);
    const again = LocalKeySigner.forHome(home);
    expect(await again.sign(message)).toEqual(first);
    expect(verify('sha256', message, { key: await again.publicKeyPem(), padding: constants.RSA_PKCS1_PADDING }, first)).toBe(true);
  });

  it('ends with one key when several start at once', async () => {
    const signers = [1, 2, 3].map(() => LocalKeySigner.forHome(home));
    const keys = await Promise.all(signers.map((s) => s.publicKeyPem()));
    expect(new Set(keys).size).toBe(1);
    expect((await readdir(join(home, 'keys'))).sort()).toEqual(['evidence-signing.pem', 'evidence-signing.pub.pem']);
  });

  it('writes a lost public key again, and refuses one that is not the private key\'s', async () => {
    const pem = await LocalKeySigner.forHome(home).publicKeyPem();
    await rm(join(home, 'keys', 'evidence-signing.pub.pem'));
    expect(await readLocalPublicKey(home)).toBe(pem);
    await rm(join(home, 'keys', 'evidence-signing.pub.pem'));
    const other = await mkdtemp(join(tmpdir(), 'idgov-other-'));
    await writeFile(join(home, 'keys', 'evidence-signing.pub.pem'), await LocalKeySigner.forHome(other).publicKeyPem());
    await rm(other, { recursive: true, force: true });
    await expect(LocalKeySigner.forHome(home).keyId()).rejects.toThrow(/evidence-signing\.pub\.pem is not the public key of .*evidence-signing\.pem/);
  });
});
