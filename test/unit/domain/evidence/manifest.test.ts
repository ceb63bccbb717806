// The pack's layout and canonical bytes (lambdas/shared/domain/evidence/manifest.ts): prefixes that
// cannot leave their folder, audit-log.jsonl that parses back to the same records (or names its bad
// line), and a manifest whose bytes do not depend on the order its fields were written in.
import { describe, expect, it } from 'vitest';
import { canonicalJson, sealRecord } from '../../../../lambdas/shared/domain/audit/chain.js';
import type { AuditRecord } from '../../../../lambdas/shared/domain/audit/model.js';
import {
  archiveKey,
  auditLogJsonl,
  chainHead,
  evidencePrefix,
  manifestJson,
  parseAuditLogJsonl,
  parseManifest,
  parseSignature,
  signatureText,
  type EvidenceManifest,
} from '../../../../lambdas/shared/domain/evidence/manifest.js';

function chain(n: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let i = 1; i <= n; i++) {
    records.push(
      sealRecord(
        { chainId: 'run:c-1#1', eventKey: `k${i}`, at: `2026-07-0${i}T00:00:00.000Z`, events: [{ type: 'ITEM_DECIDED', at: '2026-07-01T00:00:00.000Z', actor: 'user:u1', data: { n: i, note: 'ü "quoted"\n' } }] },
        records.at(-1),
      ),
    );
  }
  return records;
}

const manifest = (): EvidenceManifest => ({
  format: 'idgov-evidence/1',
  campaignId: 'c-1',
  campaignName: 'Finance',
  runId: 'c-1#1',
  asOf: '2026-08-01T00:00:00.000Z',
  files: [{ name: 'report.csv', sha256: 'a'.repeat(64), bytes: 10 }],
  chain: { chainId: 'run:c-1#1', records: 2, headSeq: 2, headHash: 'b'.repeat(64) },
  signature: { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256', keyId: 'local:0123456789abcdef', publicKeySha256: 'c'.repeat(64) },
});

describe('evidencePrefix', () => {
  it('is evidence/<campaign>/<run>, keeping the # of run ids', () => {
    expect(evidencePrefix('c-1a2b', 'c-1a2b#3')).toBe('evidence/c-1a2b/c-1a2b#3');
  });

  it.each([
    ['a/b', 'evidence/a%2Fb/r'],
    ['..', 'evidence/%2E%2E/r'],
    ['.', 'evidence/%2E/r'],
    ['x y', 'evidence/x%20y/r'],
  ])('escapes %j so that it stays one folder', (id, prefix) => {
    expect(evidencePrefix(id, 'r')).toBe(prefix);
    expect(() => archiveKey(prefix, 'report.csv')).not.toThrow();
  });

  it('refuses an empty id, naming it', () => {
    expect(() => evidencePrefix('c-1', '')).toThrow('runId: must not be empty');
  });
});

describe('archiveKey', () => {
  it.each([['evidence/../x'], ['/evidence/c'], ['evidence//c'], ['evidence/.']])('refuses the prefix %j', (prefix) => {
    expect(() => archiveKey(prefix, 'report.csv')).toThrow(/^prefix: /);
  });

  it.each([['../report.csv'], ['a/b'], ['..'], ['']])('refuses the name %j', (name) => {
    expect(() => archiveKey('evidence/c/r', name)).toThrow(/^name: /);
  });
});

describe('audit-log.jsonl', () => {
  it('holds one canonical record a line and parses back to the same records', () => {
    const records = chain(3);
    const text = auditLogJsonl(records);
    expect(text.split('\n')).toEqual([...records.map((r) => canonicalJson(r)), '']);
    expect(parseAuditLogJsonl(text)).toEqual({ ok: true, records });
  });

  it('is empty for an empty chain, whose head is the genesis hash', () => {
    expect(auditLogJsonl([])).toBe('');
    expect(parseAuditLogJsonl('')).toEqual({ ok: true, records: [] });
    expect(chainHead('run:c-1#1', [])).toEqual({ chainId: 'run:c-1#1', records: 0, headSeq: 0, headHash: '0'.repeat(64) });
  });

  it('names the line that is not JSON, not a record, or cut', () => {
    const [first, second] = auditLogJsonl(chain(2)).split('\n');
    expect(parseAuditLogJsonl(`${first}\n{oops\n`)).toEqual({ ok: false, line: 2, problem: 'is not JSON' });
    expect(parseAuditLogJsonl(`${first}\n{"seq":"2"}\n`)).toMatchObject({ ok: false, line: 2, problem: expect.stringMatching(/^is not an audit record \(/) });
    expect(parseAuditLogJsonl(`${first}\n${second}`)).toMatchObject({ ok: false, line: 2, problem: expect.stringMatching(/cut/) });
  });

  it('says where the chain ends', () => {
    const records = chain(2);
    expect(chainHead('run:c-1#1', records)).toEqual({ chainId: 'run:c-1#1', records: 2, headSeq: 2, headHash: records[1]!.hash });
  });
});

describe('manifest.json', () => {
  it('has the same bytes whatever the order its fields were written in', () => {
    const reordered = Object.fromEntries(Object.entries(manifest()).reverse()) as unknown as EvidenceManifest;
    expect(manifestJson(reordered)).toBe(manifestJson(manifest()));
    expect(manifestJson(manifest())).toMatch(/^\{\n {2}"asOf": "2026-08-01T00:00:00.000Z",\n {2}"campaignId"/);
    expect(manifestJson(manifest()).endsWith('}\n')).toBe(true);
  });

  it('parses back to the manifest', () => {
    expect(parseManifest(manifestJson(manifest()))).toEqual(manifest());
  });

  it.each([
    ['not JSON', 'nope', /^manifest\.json: is not JSON/],
    ['a bad hash', manifestJson({ ...manifest(), files: [{ name: 'report.csv', sha256: 'XYZ', bytes: 1 }] }), /^manifest\.json: files\.0\.sha256: must be 64 lower-case hex digits/],
    ['another format', manifestJson({ ...manifest(), format: 'other/1' as never }), /^manifest\.json: format: /],
    ['an unknown field', JSON.stringify({ ...manifest(), extra: 1 }), /^manifest\.json: /],
  ])('refuses %s, naming the field', (_case, text, message) => {
    expect(() => parseManifest(text)).toThrow(message);
  });
});

describe('manifest.sig', () => {
  it('is base64 and a newline, and reads back', () => {
    const signature = new Uint8Array([0, 1, 2, 250, 251, 252]);
    expect(signatureText(signature)).toBe('AAEC+vv8\n');
    expect(parseSignature(signatureText(signature))).toEqual(signature);
  });

  it.each([['not base64!'], ['abc'], ['']])('refuses %j', (text) => {
    expect(parseSignature(text)).toBeUndefined();
  });
});
