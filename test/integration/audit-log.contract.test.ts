// One contract for the AuditLog port, run against the in-memory log the use-case tests rely on and
// against DynamoAuditLog on a real engine (dynalite, or DynamoDB Local with
// IDGOV_TEST_ENGINE=dynamodb-local): numbering, linking, once per eventKey (also under concurrent
// writers), ranges and pages, the head, and records that read back to the bytes they were hashed from.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoAuditLog, auditChainPk, auditSeqSk } from '../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { MAX_AUDIT_RECORD_BYTES } from '../../lambdas/shared/domain/audit/append-rules.js';
import { canonicalJson, recordHash, verifyChain } from '../../lambdas/shared/domain/audit/chain.js';
import { GENESIS_HASH, jobActor, runChain, userActor, type AuditAppend, type AuditChainId, type AuditEvent } from '../../lambdas/shared/domain/audit/model.js';
import { ConflictError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { AuditLog, Pages } from '../../lambdas/shared/use-cases/ports.js';
import { localDocumentClient, useEngine } from '../support/engine.js';

/** Small Dynamo pages, so that listings cross page boundaries. */
const PAGE_SIZE = 25;
const engine = useEngine();

interface Subject {
  log: AuditLog;
  /** The Dynamo suite's table and client, to read and change items behind the log's back. */
  table?: { doc: DynamoDBDocumentClient; name: string };
}

const implementations: { name: string; make: () => Promise<Subject> }[] = [
  { name: 'in-memory', make: async () => ({ log: new InMemoryAuditLog() }) },
  {
    name: `dynamo on ${engine.kind}`,
    make: async () => {
      const { doc, names } = await engine.freshTables();
      return { log: new DynamoAuditLog(doc, names.audit, { pageSize: PAGE_SIZE }), table: { doc, name: names.audit } };
    },
  },
];

async function pages<T>(stream: Pages<T>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of stream) all.push(page);
  return all;
}
const collect = async <T>(stream: Pages<T>): Promise<T[]> => (await pages(stream)).flat();

const T0 = Date.parse('2026-07-01T09:00:00.000Z');
const at = (second: number) => new Date(T0 + second * 1000).toISOString();
const CHAIN: AuditChainId = runChain('c-1#1');

function anEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return { type: 'ITEM_DECIDED', at: at(0), actor: userActor('u-manager'), data: { entryId: 'e-1', itemId: 'i-1', outcome: 'APPROVED' }, ...overrides };
}
function anAppend(eventKey: string, overrides: Partial<AuditAppend> = {}): AuditAppend {
  return { chainId: CHAIN, eventKey, at: at(0), campaignId: 'c-1', events: [anEvent()], ...overrides };
}

describe.each(implementations)('AuditLog contract: $name', ({ make }) => {
  it('numbers the records of a chain 1, 2, 3, links each to the one before and hashes it', async () => {
    const { log } = await make();
    expect(await log.head(CHAIN)).toBeUndefined();
    const first = await log.append(anAppend('decide:e-1:a', { events: [anEvent({ at: at(1) })] }));
    const second = await log.append(anAppend('decide:e-1:b', { at: at(2) }));
    const third = await log.append(anAppend('entry:e-1:v3', { at: at(3), events: [anEvent({ type: 'ENTRY_STATE_CHANGED', actor: jobActor('campaign-controller'), data: { entryId: 'e-1', from: 'RUNNING', to: 'DONE' } })] }));

    expect([first.seq, second.seq, third.seq]).toEqual([1, 2, 3]);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(third.prevHash).toBe(second.hash);
    for (const record of [first, second, third]) expect(record.hash).toBe(recordHash(record));
    expect(first).toMatchObject({ chainId: CHAIN, eventKey: 'decide:e-1:a', campaignId: 'c-1', at: at(0) });

    const stored = await collect(log.listRecords(CHAIN));
    expect(stored).toEqual([first, second, third]);
    expect(verifyChain(stored, CHAIN)).toBeUndefined();
    expect(await log.head(CHAIN)).toEqual(third);
  });

  it('keeps chains apart: each is numbered from 1 and lists only its own records', async () => {
    const { log } = await make();
    await log.append(anAppend('a'));
    await log.append(anAppend('b'));
    const other = await log.append(anAppend('a', { chainId: 'privilege:p-payments', campaignId: undefined }));
    const admin = await log.append(anAppend('load:1', { chainId: 'admin', campaignId: undefined, events: [anEvent({ type: 'DIRECTORY_LOADED', data: { users: 3 } })] }));
    // The same eventKey in another chain is another record.
    expect(other).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, chainId: 'privilege:p-payments' });
    expect(other).not.toHaveProperty('campaignId');
    expect(admin.seq).toBe(1);
    expect((await collect(log.listRecords('privilege:p-payments'))).map((r) => r.eventKey)).toEqual(['a']);
    expect((await collect(log.listRecords(CHAIN))).map((r) => r.seq)).toEqual([1, 2]);
    expect(await collect(log.listRecords('run:nothing-here'))).toEqual([]);
    expect(await log.head('run:nothing-here')).toBeUndefined();
  });

  it('writes an eventKey once: a second append (a re-run) returns the first record and writes nothing', async () => {
    const { log } = await make();
    const first = await log.append(anAppend('entry:e-1:v2'));
    await log.append(anAppend('entry:e-2:v2'));
    const again = await log.append(anAppend('entry:e-1:v2', { at: at(99), events: [anEvent({ data: { different: true } })] }));
    expect(again).toEqual(first);
    const stored = await collect(log.listRecords(CHAIN));
    expect(stored.map((r) => r.eventKey)).toEqual(['entry:e-1:v2', 'entry:e-2:v2']);
    expect((await log.head(CHAIN))?.seq).toBe(2);
  });

  it('10 concurrent appends to one chain are numbered 1..10 without gaps or duplicates, and the chain verifies', async () => {
    const { log } = await make();
    const appended = await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(anAppend(`concurrent:${i}`, { at: at(i) }))));
    expect(appended.map((r) => r.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const stored = await collect(log.listRecords(CHAIN));
    expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stored.map((r) => r.eventKey).sort()).toEqual(appended.map((r) => r.eventKey).sort());
    expect(new Set(stored.map((r) => r.eventKey)).size).toBe(10);
    expect(verifyChain(stored, CHAIN)).toBeUndefined();
    // What each writer was given is what the chain holds.
    expect(stored).toEqual(expect.arrayContaining(appended));
  });

  it('the same eventKey appended by 6 writers at once is written once, and every writer gets that record', async () => {
    const { log } = await make();
    await log.append(anAppend('before'));
    const writers = [
      ...Array.from({ length: 6 }, (_, i) => log.append(anAppend('sent:n-1', { at: at(i) }))),
      ...Array.from({ length: 3 }, (_, i) => log.append(anAppend(`other:${i}`))),
    ];
    const results = await Promise.all(writers);
    const sent = results.slice(0, 6);
    for (const record of sent) expect(record).toEqual(sent[0]);
    const stored = await collect(log.listRecords(CHAIN));
    expect(stored.filter((r) => r.eventKey === 'sent:n-1')).toEqual([sent[0]]);
    expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyChain(stored, CHAIN)).toBeUndefined();
  });

  it('lists a range of sequence numbers, and more than 100 records in several pages, in order', async () => {
    const { log } = await make();
    for (let i = 1; i <= 130; i++) await log.append(anAppend(`step:${i}`, { at: at(i) }));
    const all = await pages(log.listRecords(CHAIN));
    expect(all.length).toBeGreaterThan(1);
    const records = all.flat();
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
    expect(records.map((r) => r.eventKey)).toEqual(Array.from({ length: 130 }, (_, i) => `step:${i + 1}`));
    expect(verifyChain(records, CHAIN)).toBeUndefined();

    expect((await collect(log.listRecords(CHAIN, { fromSeq: 99, toSeq: 102 }))).map((r) => r.seq)).toEqual([99, 100, 101, 102]);
    expect((await collect(log.listRecords(CHAIN, { fromSeq: 128 }))).map((r) => r.seq)).toEqual([128, 129, 130]);
    expect((await collect(log.listRecords(CHAIN, { toSeq: 3 }))).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect((await collect(log.listRecords(CHAIN, { fromSeq: 7, toSeq: 7 }))).map((r) => r.eventKey)).toEqual(['step:7']);
    expect(await collect(log.listRecords(CHAIN, { fromSeq: 131 }))).toEqual([]);
    expect((await log.head(CHAIN))?.seq).toBe(130);
  });

  it('gives a record back exactly as it was hashed, whatever JSON its events hold', async () => {
    const { log } = await make();
    const data = {
      zeta: 'last key written first',
      comment: 'Überprüft — ok ✓ "quoted" \\ back\nslash',
      empty: '',
      emptyObject: {},
      emptyList: [],
      numbers: [0, -0, 0.1, 1e21, -12.5, 2 ** 53 - 1, 123456789.123456789],
      nested: { b: [true, false, null], a: { deeper: [{ y: 1, x: 2 }] } },
      skipped: undefined,
    };
    const appended = await log.append(anAppend('tricky', { events: [anEvent({ data }), anEvent({ type: 'NOTIFICATION_SENT', data: { key: 'k' } })] }));
    const [stored] = await collect(log.listRecords(CHAIN));
    expect(stored).toEqual(appended);
    expect(recordHash(stored!)).toBe(appended.hash);
    expect(canonicalJson(stored!.events)).toBe(canonicalJson(appended.events));
    expect(stored!.events[0]!.data).not.toHaveProperty('skipped');
    expect(await log.head(CHAIN)).toEqual(appended);
  });

  it('refuses bad input with an error naming the field, and writes nothing', async () => {
    const { log } = await make();
    const refusals: [AuditAppend, string][] = [
      [anAppend('k', { chainId: 'campaign:c-1' as AuditChainId }), 'chainId'],
      [anAppend(''), 'eventKey'],
      [anAppend('k'.repeat(1025)), 'eventKey'],
      [anAppend('k', { at: '' }), 'at'],
      [anAppend('k', { campaignId: '' }), 'campaignId'],
      [anAppend('k', { events: [] }), 'events'],
      [anAppend('k', { events: [anEvent({ type: 'MADE_UP' as AuditEvent['type'] })] }), 'events[0].type'],
      [anAppend('k', { events: [anEvent(), anEvent({ actor: 'u-1' as AuditEvent['actor'] })] }), 'events[1].actor'],
      [anAppend('k', { events: [anEvent({ data: { when: new Date(T0) } })] }), 'events[0].data.when'],
      [anAppend('k', { events: [anEvent({ data: { ratio: Number.NaN } })] }), 'events[0].data.ratio'],
      [anAppend('k', { events: [anEvent({ data: { ids: ['a', undefined] } })] }), 'events[0].data.ids[1]'],
      [anAppend('k', { events: [anEvent({ data: { big: 'x'.repeat(MAX_AUDIT_RECORD_BYTES) } })] }), 'events'],
    ];
    for (const [draft, field] of refusals) {
      const refused = await log.append(draft).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, field).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).field).toBe(field);
      expect((refused as ValidationError).message).toContain(field);
    }
    expect(await log.head(CHAIN)).toBeUndefined();
    expect(await collect(log.listRecords(CHAIN))).toEqual([]);

    await expect(collect(log.listRecords(CHAIN, { fromSeq: 0 }))).rejects.toThrow(/fromSeq: must be a whole number from 1/);
    await expect(collect(log.listRecords(CHAIN, { toSeq: 1.5 }))).rejects.toThrow(/toSeq: must be a whole number from 1/);
    await expect(collect(log.listRecords(CHAIN, { fromSeq: 5, toSeq: 4 }))).rejects.toThrow(/toSeq: must not be before fromSeq 5/);
  });
});

describe(`DynamoAuditLog on ${engine.kind}`, () => {
  const dynamo = implementations[1]!;

  it('stores a record under CHAIN#<chainId> / its 12-digit seq, its events as the canonical JSON that was hashed', async () => {
    const { log, table } = await dynamo.make();
    const record = await log.append(anAppend('decide:e-1:x', { events: [anEvent({ data: { b: 1, a: [2, { d: 3, c: 4 }] } })] }));
    const { Item } = await table!.doc.send(new GetCommand({ TableName: table!.name, Key: { PK: auditChainPk(CHAIN), SK: auditSeqSk(1) } }));
    expect(auditSeqSk(1)).toBe('000000000001');
    expect(Item).toEqual({
      PK: 'CHAIN#run:c-1#1',
      SK: '000000000001',
      chainId: CHAIN,
      seq: 1,
      eventKey: 'decide:e-1:x',
      at: at(0),
      campaignId: 'c-1',
      events: canonicalJson(record.events),
      prevHash: GENESIS_HASH,
      hash: record.hash,
    });
    expect(Item!.events).toContain('"data":{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('a record changed in the table no longer verifies, and the records after it still link to the original', async () => {
    const { log, table } = await dynamo.make();
    for (let i = 1; i <= 4; i++) await log.append(anAppend(`step:${i}`));
    const changed = (await collect(log.listRecords(CHAIN)))[1]!.events;
    changed[0]!.data.outcome = 'REJECTED';
    await table!.doc.send(
      new UpdateCommand({
        TableName: table!.name,
        Key: { PK: auditChainPk(CHAIN), SK: auditSeqSk(2) },
        UpdateExpression: 'SET events = :events',
        ExpressionAttributeValues: { ':events': canonicalJson(changed) },
      }),
    );
    expect(verifyChain(await collect(log.listRecords(CHAIN)), CHAIN)).toEqual({ seq: 2, index: 1, reason: 'was changed (its hash does not match its content)' });
  });

  it('gives up after maxAttempts when other writers keep taking the next number, with a ConflictError, having written nothing of its own', async () => {
    const { table } = await dynamo.make();
    const rival = new DynamoAuditLog(engine.doc, table!.name);
    // A client whose every PutItem is preceded by a rival's append: each attempt's number is taken.
    const doc = localDocumentClient(engine.endpoint);
    let rivals = 0;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand') await rival.append(anAppend(`rival:${++rivals}`));
        return next(args);
      },
      { step: 'initialize', name: 'rivalWriter' },
    );
    const slept: number[] = [];
    const log = new DynamoAuditLog(doc, table!.name, { maxAttempts: 3, sleep: async (ms) => void slept.push(ms) });
    try {
      await expect(log.append(anAppend('mine'))).rejects.toThrow(ConflictError);
      await expect(log.append(anAppend('mine'))).rejects.toThrow(/audit log run:c-1#1: could not append mine in 3 attempts/);
      const stored = await collect(rival.listRecords(CHAIN));
      expect(stored.map((r) => r.eventKey)).toEqual(['rival:1', 'rival:2', 'rival:3', 'rival:4', 'rival:5', 'rival:6']);
      expect(verifyChain(stored, CHAIN)).toBeUndefined();
      expect(slept).toHaveLength(4);
    } finally {
      doc.destroy();
    }
  });
});
