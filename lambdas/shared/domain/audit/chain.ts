// Hash chain over canonical JSON (docs/reference/audit-log.md): a record's hash covers every field
// but itself, including the previous record's hash, so a changed, removed or reordered record breaks
// every link after it.
import { createHash } from 'node:crypto';
import { GENESIS_HASH, type AuditAppend, type AuditRecord } from './model.js';

/**
 * JSON with object keys sorted (recursively), no whitespace, and `undefined` members left out: the
 * same value always gives the same bytes, whatever the order its fields were written in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256Hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

/** The hash a record must carry: over everything but `hash`. */
export function recordHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

/** The next record of a chain whose head is `head` (undefined: the chain is empty). */
export function sealRecord(draft: AuditAppend, head: Pick<AuditRecord, 'seq' | 'hash'> | undefined): AuditRecord {
  const unsealed = { ...draft, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? GENESIS_HASH };
  return { ...unsealed, hash: recordHash(unsealed) };
}

export type ChainProblem = { seq: number; index: number; reason: string };

/**
 * Checks records given in chain order: numbering from 1 without gaps, each one's hash, and each
 * link. Returns the first problem (the record at `index` in the given list), or undefined.
 */
export function verifyChain(records: readonly AuditRecord[], chainId?: string): ChainProblem | undefined {
  let previous: AuditRecord | undefined;
  for (const [index, record] of records.entries()) {
    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (chainId !== undefined && record.chainId !== chainId) return { seq: record.seq, index, reason: `belongs to chain ${record.chainId}, not ${chainId}` };
    if (record.seq !== expectedSeq) return { seq: record.seq, index, reason: `has seq ${record.seq} where ${expectedSeq} was expected (a record is missing or out of order)` };
    if (record.prevHash !== (previous?.hash ?? GENESIS_HASH)) return { seq: record.seq, index, reason: 'does not link to the record before it (prevHash differs)' };
    if (recordHash(record) !== record.hash) return { seq: record.seq, index, reason: 'was changed (its hash does not match its content)' };
    previous = record;
  }
  return undefined;
}
