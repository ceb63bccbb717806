import 'aws-sdk-client-mock-vitest/extend';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoAuditLog, auditItem } from '../../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { sealRecord } from '../../../lambdas/shared/domain/audit/chain.js';
import { GENESIS_HASH, type AuditAppend } from '../../../lambdas/shared/domain/audit/model.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const TABLE = 'audit';
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const noSleep = async () => {};

const draft: AuditAppend = {
  chainId: 'run:c-1#1',
  eventKey: 'entry:e-1:v2',
  at: '2026-07-01T09:00:00.000Z',
  campaignId: 'c-1',
  events: [{ type: 'ENTRY_STATE_CHANGED', at: '2026-07-01T09:00:00.000Z', actor: 'job:campaign-controller', data: { entryId: 'e-1', from: 'PENDING', to: 'RUNNING' } }],
};
const HEAD_QUERY = {
  TableName: TABLE,
  KeyConditionExpression: 'PK = :pk',
  ExpressionAttributeValues: { ':pk': 'CHAIN#run:c-1#1' },
  ScanIndexForward: false,
  Limit: 1,
  ConsistentRead: true,
};
const EVENT_KEY_QUERY = {
  TableName: TABLE,
  IndexName: 'ByEventKey',
  KeyConditionExpression: 'PK = :pk AND eventKey = :eventKey',
  ExpressionAttributeValues: { ':pk': 'CHAIN#run:c-1#1', ':eventKey': 'entry:e-1:v2' },
  Limit: 1,
  ConsistentRead: true,
};

beforeEach(() => ddb.reset());

/** The commands sent, in order (a Query named by what it reads). */
const sentInOrder = () =>
  ddb.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: { IndexName?: string } };
    const name = command.constructor.name.replace(/Command$/, '');
    return name === 'Query' ? `Query ${command.input.IndexName ?? 'head'}` : name;
  });

describe('DynamoAuditLog', () => {
  it('append reads the head (its number and hash only), looks the eventKey up in ByEventKey, both consistently, and puts seq head+1 on condition that it is free', async () => {
    const head = sealRecord({ ...draft, eventKey: 'before' }, undefined);
    ddb.on(QueryCommand, { IndexName: 'ByEventKey' }).resolves({ Items: [] });
    ddb.on(QueryCommand, { ScanIndexForward: false }).resolves({ Items: [auditItem(head)] });
    ddb.on(PutCommand).resolves({});

    const record = await new DynamoAuditLog(doc, TABLE).append(draft);

    expect(record).toMatchObject({ seq: 2, prevHash: head.hash });
    // The head first, then the eventKey: a rival's record of the same key is either found or conflicts.
    expect(sentInOrder()).toEqual(['Query head', 'Query ByEventKey', 'Put']);
    // Of the head, only its number and hash: not its events (a large record would be read on every append).
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, { ...HEAD_QUERY, ProjectionExpression: 'seq, #hash', ExpressionAttributeNames: { '#hash': 'hash' } });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, EVENT_KEY_QUERY);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: auditItem(record),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(auditItem(record)).toMatchObject({ PK: 'CHAIN#run:c-1#1', SK: '000000000002', seq: 2, eventKey: 'entry:e-1:v2' });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it('an eventKey already in the chain: the stored record is read and returned, nothing is written', async () => {
    const stored = sealRecord(draft, undefined);
    ddb.on(QueryCommand, { ScanIndexForward: false }).resolves({ Items: [auditItem(stored)] });
    ddb.on(QueryCommand, { IndexName: 'ByEventKey' }).resolves({ Items: [{ PK: 'CHAIN#run:c-1#1', SK: '000000000001', eventKey: draft.eventKey }] });
    ddb.on(GetCommand).resolves({ Item: auditItem(stored) });

    expect(await new DynamoAuditLog(doc, TABLE).append({ ...draft, at: '2030-01-01T00:00:00.000Z' })).toEqual(stored);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { PK: 'CHAIN#run:c-1#1', SK: '000000000001' }, ConsistentRead: true });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  it('a lost number starts again from the head; it never updates, deletes or batch-writes', async () => {
    const rival = sealRecord({ ...draft, eventKey: 'rival' }, undefined);
    ddb.on(QueryCommand, { IndexName: 'ByEventKey' }).resolves({ Items: [] });
    ddb.on(QueryCommand, { ScanIndexForward: false }).resolvesOnce({ Items: [] }).resolves({ Items: [auditItem(rival)] });
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});

    const record = await new DynamoAuditLog(doc, TABLE, { sleep: noSleep }).append(draft);

    expect(record).toMatchObject({ seq: 2, prevHash: rival.hash });
    expect(sentInOrder()).toEqual(['Query head', 'Query ByEventKey', 'Put', 'Query head', 'Query ByEventKey', 'Put']);
    expect(ddb).toHaveReceivedNthCommandWith(PutCommand, 1, { Item: expect.objectContaining({ SK: '000000000001', prevHash: GENESIS_HASH }) });
    expect(ddb).toHaveReceivedNthCommandWith(PutCommand, 2, { Item: expect.objectContaining({ SK: '000000000002', prevHash: rival.hash }) });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
  });

  it('listRecords queries the key range of seq numbers, consistently, page by page', async () => {
    const first = sealRecord(draft, undefined);
    ddb.on(QueryCommand).resolvesOnce({ Items: [auditItem(first)], LastEvaluatedKey: { PK: 'x', SK: 'y' } }).resolves({ Items: [] });
    const pages = [];
    for await (const page of new DynamoAuditLog(doc, TABLE, { pageSize: 1 }).listRecords('run:c-1#1', { fromSeq: 1, toSeq: 20 })) pages.push(page);
    expect(pages).toEqual([[first]]);
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      TableName: TABLE,
      Limit: 1,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'CHAIN#run:c-1#1', ':from': '000000000001', ':to': '000000000020' },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, { ExclusiveStartKey: { PK: 'x', SK: 'y' } });
  });

  it('a stored item whose events are not JSON any more is named, with its chain and seq', async () => {
    const broken = { ...auditItem(sealRecord(draft, undefined)), events: '[{"type":' };
    ddb.on(QueryCommand).resolves({ Items: [broken] });
    await expect(new DynamoAuditLog(doc, TABLE).head('run:c-1#1')).rejects.toThrow(/audit record 1 of chain run:c-1#1 cannot be read \(it was changed in the table\): events is not JSON/);
  });
});
