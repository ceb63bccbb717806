// Building and verifying evidence packs (lambdas/shared/use-cases/evidence/evidence-pack.ts) on the
// in-memory stores: a settled run's pack is the same bytes every time; verify holds for a good pack
// and, for each kind of tampering, fails naming the first file or record that does not verify.
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryEvidenceArchive, InMemoryKeySigner } from '../../../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { sha256Hex } from '../../../../lambdas/shared/domain/audit/chain.js';
import { evidencePrefix, manifestJson, PACK_FILES, parseManifest } from '../../../../lambdas/shared/domain/evidence/manifest.js';
import { buildEvidencePack, verifyEvidencePack, writeEvidencePack, type EvidencePackDeps } from '../../../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { changeByte, changeRecord, removeRecord, resign, settledRun, stubReports, swapRecords, testSigner, type PackFiles } from '../../../support/evidence.js';

const attacker = new InMemoryKeySigner('attacker');
const NOW = new Date('2026-09-01T00:00:00.000Z');

let run: Awaited<ReturnType<typeof settledRun>>;
let deps: EvidencePackDeps;
beforeEach(async () => {
  run = await settledRun();
  deps = { ...run, signer: testSigner, reports: stubReports };
});

const asMap = (files: { name: string; content: Uint8Array }[]): PackFiles => new Map(files.map((f) => [f.name, f.content]));
const pack = async () => asMap(await buildEvidencePack(deps, 'c-test', NOW));
const text = (files: PackFiles, name: string) => new TextDecoder().decode(files.get(name));

describe('buildEvidencePack', () => {
  it('writes the six files, the audit log as the chain records, and a manifest of the others', async () => {
    const files = await pack();
    expect([...files.keys()]).toEqual([...PACK_FILES]);
    const records = [];
    for await (const page of run.audit.listRecords('run:c-test#1')) records.push(...page);
    expect(text(files, 'audit-log.jsonl').split('\n').slice(0, -1).map((l) => JSON.parse(l))).toEqual(records);
    const manifest = parseManifest(text(files, 'manifest.json'));
    expect(manifest).toMatchObject({
      campaignId: 'c-test',
      runId: 'c-test#1',
      campaignName: 'Finance high-risk users',
      chain: { chainId: 'run:c-test#1', records: 3, headSeq: 3, headHash: records[2]!.hash },
      signature: { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256', keyId: await testSigner.keyId() },
    });
    expect(manifest.files.map((f) => f.name)).toEqual(['audit-log.jsonl', 'report.json', 'report.csv', 'report.html']);
    for (const file of manifest.files) expect(file).toEqual({ name: file.name, sha256: sha256Hex(files.get(file.name)!), bytes: files.get(file.name)!.byteLength });
  });

  it('describes a DELETED run as of its last recorded instant or change, whichever is later: the same bytes at any later time', async () => {
    const first = await pack();
    const later = asMap(await buildEvidencePack(deps, 'c-test', new Date('2027-01-01T00:00:00.000Z')));
    expect(later).toEqual(first);
    // The campaign changed last (2026-08-20), after its last record (2026-08-14).
    expect(parseManifest(text(first, 'manifest.json')).asOf).toBe('2026-08-20T00:00:00.000Z');
    expect(JSON.parse(text(first, 'report.json')).asOf).toBe('2026-08-20T00:00:00.000Z');
  });

  it('describes a running campaign as of now', async () => {
    const running = { ...(await run.campaigns.getCampaign('c-test'))!, state: 'RUNNING' as const, version: 8 };
    await run.campaigns.saveCampaign({ ...running, version: 8 });
    expect(parseManifest(text(await pack(), 'manifest.json')).asOf).toBe(NOW.toISOString());
  });

  it('reads a run whose evidence is archived back from the archive, as stored', async () => {
    const archive = new InMemoryEvidenceArchive();
    const prefix = evidencePrefix('c-test', 'c-test#1');
    const stored = await pack();
    for (const [name, content] of stored) await archive.putIfAbsent(prefix, { name, content });
    const campaign = (await run.campaigns.getCampaign('c-test'))!;
    await run.campaigns.saveCampaign({ ...campaign, version: 8, cleanedAt: '2026-09-01T00:00:00.000Z', evidence: { prefix, location: archive.describe(prefix), archivedAt: NOW.toISOString(), headSeq: 3, headHash: 'x', manifestSha256: 'y' } });
    await run.campaigns.deleteRun('c-test#1');
    expect(asMap(await buildEvidencePack({ ...deps, archive }, 'c-test', NOW))).toEqual(stored);
    await expect(buildEvidencePack(deps, 'c-test', NOW)).rejects.toThrow(/archived at memory:evidence\/c-test\/c-test#1\/, and no archive was given/);
    await expect(buildEvidencePack({ ...deps, archive: new InMemoryEvidenceArchive() }, 'c-test', NOW)).rejects.toThrow('audit-log.jsonl is missing from the archived evidence at memory:evidence/c-test/c-test#1/');
  });

  it('refuses a campaign that does not exist', async () => {
    await expect(buildEvidencePack(deps, 'c-nope', NOW)).rejects.toThrow('campaign c-nope not found');
  });
});

describe('writeEvidencePack over an archive that holds part of a pack already', () => {
  it('builds on what is stored: a longer chain since, and a report made differently, still give the stored pack', async () => {
    const first = await pack();
    const stored = new Map([...first].filter(([name]) => name === 'audit-log.jsonl' || name === 'report.json'));
    // Since then: one more record, and a report builder that would write another report.
    await run.audit.append({ chainId: 'run:c-test#1', eventKey: 'late', at: '2026-08-30T00:00:00.000Z', events: [{ type: 'NOTIFICATION_SENT', at: '2026-08-30T00:00:00.000Z', actor: 'job:campaign-controller', data: { key: 'late' } }] });
    const campaign = (await run.campaigns.getCampaign('c-test'))!;
    const files = await writeEvidencePack({ ...deps, reports: { ...stubReports, build: async () => ({ nonsense: true }) as never } }, campaign, NOW, async (file) => stored.get(file.name) ?? file.content);
    expect(files).toEqual(first);
  });
});

describe('verifyEvidencePack', () => {
  const key = () => testSigner.publicKeyPem();

  it('holds for a good pack, saying what it checked', async () => {
    const verification = await verifyEvidencePack(await pack(), await key());
    expect(verification).toMatchObject({ ok: true });
    expect(verification.ok && verification.checked).toEqual([
      expect.stringMatching(/^manifest\.sig: RSASSA_PKCS1_V1_5_SHA_256 signature of manifest\.json verified with key test:/),
      expect.stringMatching(/^audit-log\.jsonl: \d+ bytes, SHA-256 [0-9a-f]{64}$/),
      expect.stringMatching(/^report\.json: /),
      expect.stringMatching(/^report\.csv: /),
      expect.stringMatching(/^report\.html: /),
      expect.stringMatching(/^audit-log\.jsonl: chain run:c-test#1 of 3 records verified, head seq 3 /),
      'report.json: report of campaign c-test run c-test#1',
    ]);
  });

  it('holds for a pack of an empty chain', async () => {
    await run.campaigns.createCampaign({ ...(await run.campaigns.getCampaign('c-test'))!, id: 'c-empty', runId: 'c-empty#1', version: 1 });
    const files = asMap(await buildEvidencePack(deps, 'c-empty', NOW));
    expect(files.get('audit-log.jsonl')).toEqual(new Uint8Array());
    expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: true });
  });

  it('names report.csv when one byte of it changed', async () => {
    expect(await verifyEvidencePack(changeByte(await pack(), 'report.csv'), await key())).toEqual({
      ok: false,
      file: 'report.csv',
      problem: expect.stringMatching(/^report\.csv: was changed: it has \d+ bytes and SHA-256 [0-9a-f]{64}, the manifest says \d+ bytes and [0-9a-f]{64}$/),
    });
  });

  it.each([
    ['changed', (f: PackFiles) => changeRecord(f, 2), 2, 2, /record seq 2 \(line 2\) was changed \(its hash does not match its content\)/],
    ['removed', (f: PackFiles) => removeRecord(f, 2), 3, 2, /record seq 3 \(line 2\) has seq 3 where 2 was expected/],
    ['reordered', (f: PackFiles) => swapRecords(f, 1), 2, 1, /record seq 2 \(line 1\) has seq 2 where 1 was expected/],
  ])('names audit-log.jsonl and the record when a record was %s (manifest left as is)', async (_case, tamper, seq, line, message) => {
    const verification = await verifyEvidencePack(tamper(await pack()), await key());
    expect(verification).toMatchObject({ ok: false, file: 'audit-log.jsonl', seq, line });
    expect(!verification.ok && verification.problem).toMatch(/^audit-log\.jsonl: was changed: /);
    expect(!verification.ok && verification.problem).toMatch(message);
  });

  it('names the last record when the last records were cut off', async () => {
    const files = removeRecord(await pack(), 3);
    expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: false, file: 'audit-log.jsonl', problem: expect.stringMatching(/the chain ends at seq 2 .* the manifest says seq 3/) });
  });

  it.each([
    ['a changed byte of report.csv', (f: PackFiles) => changeByte(f, 'report.csv')],
    ['a changed record', (f: PackFiles) => changeRecord(f, 2)],
    ['a removed record', (f: PackFiles) => removeRecord(f, 2)],
    ['a reordered record', (f: PackFiles) => swapRecords(f, 1)],
  ])('refuses %s re-signed with another key: the signature fails', async (_case, tamper) => {
    const forged = await resign(tamper(await pack()), attacker);
    // With the attacker's own key the forgery would verify only as far as the chain allows; with the real key not at all.
    expect(await verifyEvidencePack(forged, await key())).toEqual({
      ok: false,
      file: 'manifest.sig',
      problem: expect.stringMatching(/^manifest\.sig: the signature of manifest\.json does not verify with the given public key .*; the manifest says it was signed with key attacker:/),
    });
  });

  it('refuses a good pack checked with the wrong public key', async () => {
    expect(await verifyEvidencePack(await pack(), await attacker.publicKeyPem())).toMatchObject({ ok: false, file: 'manifest.sig' });
  });

  it('refuses a changed manifest, whose signature no longer holds', async () => {
    expect(await verifyEvidencePack(changeByte(await pack(), 'manifest.json'), await key())).toMatchObject({ ok: false, file: 'manifest.sig' });
  });

  it.each([['manifest.json'], ['manifest.sig'], ['report.html']])('names %s when it is missing', async (name) => {
    const files = await pack();
    files.delete(name);
    expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: false, file: name, problem: expect.stringMatching(new RegExp(`^${name.replace('.', '\\.')}: is missing`)) });
  });

  it('names a file the manifest does not list', async () => {
    const files = (await pack()).set('notes.txt', new Uint8Array([1]));
    expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: false, file: 'notes.txt', problem: 'notes.txt: is not listed in the manifest (a pack holds only the files its manifest lists)' });
  });

  it('names manifest.sig when it is not base64', async () => {
    const files = (await pack()).set('manifest.sig', new TextEncoder().encode('%%%\n'));
    expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: false, file: 'manifest.sig', problem: 'manifest.sig: is not a base64 signature' });
  });

  describe('a manifest signed with the right key that does not fit its files (the signer erred)', () => {
    const signedWithTheKey = async (files: PackFiles, change: (m: ReturnType<typeof parseManifest>) => void) => {
      const manifest = parseManifest(text(files, 'manifest.json'));
      change(manifest);
      const bytes = new TextEncoder().encode(manifestJson(manifest));
      files.set('manifest.json', bytes).set('manifest.sig', new TextEncoder().encode(`${Buffer.from(await testSigner.sign(bytes)).toString('base64')}\n`));
      return files;
    };

    it('names report.json when it is the report of another run', async () => {
      const files = await signedWithTheKey(await pack(), (m) => {
        m.runId = 'c-test#2';
      });
      expect(await verifyEvidencePack(files, await key())).toMatchObject({
        ok: false,
        file: 'report.json',
        problem: 'report.json: is the report of campaign c-test run c-test#1, the manifest is of campaign c-test run c-test#2',
      });
    });

    it('names audit-log.jsonl when the chain is not the one the manifest names', async () => {
      const files = await signedWithTheKey(await pack(), (m) => {
        m.chain.chainId = 'run:other#1';
      });
      expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: false, file: 'audit-log.jsonl', seq: 1, line: 1, problem: expect.stringMatching(/belongs to chain run:c-test#1, not run:other#1/) });
    });

    it('names the manifest when it leaves out a file of the pack', async () => {
      const files = await signedWithTheKey(await pack(), (m) => {
        m.files = m.files.filter((f) => f.name !== 'report.html');
      });
      expect(await verifyEvidencePack(files, await key())).toMatchObject({ ok: false, file: 'manifest.json', problem: 'manifest.json: does not list report.html' });
    });
  });

  it('refuses a public key that is not one, naming it', async () => {
    await expect(verifyEvidencePack(await pack(), 'not a key')).rejects.toThrow(/^publicKey: is not a PEM public key/);
  });
});
