// What every audit log (DynamoDB and in memory) accepts: a record it can hash, store and give back
// byte for byte. Checked before anything is written, so bad input changes nothing. And what a log
// says of a stored record it cannot give back.
import { ValidationError } from '../errors.js';
import { canonicalJson } from './chain.js';
import { AUDIT_EVENT_TYPES, type AuditAppend, type AuditEvent } from './model.js';

/**
 * The largest record, in bytes of its canonical JSON: a DynamoDB item holds at most 400 KB, and the
 * stored item carries its key and index attributes besides. A step with more to say writes several
 * records.
 */
export const MAX_AUDIT_RECORD_BYTES = 350_000;

export const MAX_EVENT_KEY_BYTES = 1024;

const CHAIN_ID = /^(run:.+|privilege:.+|admin)$/;
const ACTOR = /^(user|job):.+$/;
const EVENT_TYPES: ReadonlySet<string> = new Set(AUDIT_EVENT_TYPES);

/**
 * The draft as it will be hashed and stored, or a ValidationError naming the first bad field:
 * events are JSON values only (no undefined in arrays, no Date, Map or class instance, no NaN or
 * Infinity); object members that are undefined are left out, as canonical JSON leaves them out.
 */
export function checkAuditAppend(draft: AuditAppend): AuditAppend {
  if (typeof draft.chainId !== 'string' || !CHAIN_ID.test(draft.chainId)) {
    throw new ValidationError(`must be run:<runId>, privilege:<privilegeId> or admin, got ${JSON.stringify(draft.chainId)}`, 'chainId');
  }
  nonEmptyString(draft.eventKey, 'eventKey');
  // It is the sort key of the once-per-eventKey index, which DynamoDB caps at 1024 bytes.
  if (Buffer.byteLength(draft.eventKey, 'utf8') > MAX_EVENT_KEY_BYTES) {
    throw new ValidationError(`must be at most ${MAX_EVENT_KEY_BYTES} bytes, got ${Buffer.byteLength(draft.eventKey, 'utf8')}`, 'eventKey');
  }
  nonEmptyString(draft.at, 'at');
  if (draft.campaignId !== undefined) nonEmptyString(draft.campaignId, 'campaignId');
  if (!Array.isArray(draft.events) || draft.events.length === 0) throw new ValidationError('must hold at least one event', 'events');
  draft.events.forEach((event, i) => checkEvent(event, `events[${i}]`));

  const normalized: AuditAppend = {
    chainId: draft.chainId,
    eventKey: draft.eventKey,
    at: draft.at,
    ...(draft.campaignId !== undefined ? { campaignId: draft.campaignId } : {}),
    events: JSON.parse(canonicalJson(draft.events)) as AuditEvent[],
  };
  // The record adds seq (12 digits at most), prevHash and hash (64 hex each) to this.
  const bytes = Buffer.byteLength(canonicalJson(normalized), 'utf8') + 200;
  if (bytes > MAX_AUDIT_RECORD_BYTES) {
    throw new ValidationError(
      `the record would be ${bytes} bytes of canonical JSON, over the ${MAX_AUDIT_RECORD_BYTES} one record may hold; write its events as several records`,
      'events',
    );
  }
  return normalized;
}

/**
 * A stored record that is not a record any more: an attribute missing or of the wrong type, or
 * events that are not JSON (changed in its table behind the log's back).
 */
export class UnreadableAuditRecordError extends Error {
  constructor(
    readonly chainId: string,
    readonly seq: number | undefined,
    readonly detail: string,
  ) {
    super(`audit record ${seq ?? '?'} of chain ${chainId} cannot be read (it was changed in the table): ${detail}`);
    this.name = 'UnreadableAuditRecordError';
  }
}

/** A range of sequence numbers: whole numbers from 1, `fromSeq` not after `toSeq`. */
export function checkSeqRange(options: { fromSeq?: number; toSeq?: number }): { fromSeq: number; toSeq: number | undefined } {
  for (const field of ['fromSeq', 'toSeq'] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new ValidationError(`must be a whole number from 1, got ${String(value)}`, field);
    }
  }
  const fromSeq = options.fromSeq ?? 1;
  if (options.toSeq !== undefined && options.toSeq < fromSeq) {
    throw new ValidationError(`must not be before fromSeq ${fromSeq}, got ${options.toSeq}`, 'toSeq');
  }
  return { fromSeq, toSeq: options.toSeq };
}

function checkEvent(event: AuditEvent, field: string): void {
  if (event === null || typeof event !== 'object') throw new ValidationError('must be an event object', field);
  if (!EVENT_TYPES.has(event.type)) throw new ValidationError(`is not an audit event type: ${JSON.stringify(event.type)}`, `${field}.type`);
  nonEmptyString(event.at, `${field}.at`);
  if (typeof event.actor !== 'string' || !ACTOR.test(event.actor)) {
    throw new ValidationError(`must be user:<id> or job:<name>, got ${JSON.stringify(event.actor)}`, `${field}.actor`);
  }
  if (!isPlainObject(event.data)) throw new ValidationError('must be an object of JSON values', `${field}.data`);
  checkJson(event.data, `${field}.data`);
}

function checkJson(value: unknown, field: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`must be a finite number, got ${value}`, field);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((element, i) => {
      if (element === undefined) throw new ValidationError('must not be undefined (JSON has no such value)', `${field}[${i}]`);
      checkJson(element, `${field}[${i}]`);
    });
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, member] of Object.entries(value)) if (member !== undefined) checkJson(member, `${field}.${key}`);
    return;
  }
  const kind = value === undefined ? 'undefined' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new ValidationError(`must be a JSON value, got ${kind}`, field);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function nonEmptyString(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(`must be a non-empty string, got ${JSON.stringify(value)}`, field);
}
