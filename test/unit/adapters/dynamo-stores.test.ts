import 'aws-sdk-client-mock-vitest/extend';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoCampaignStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { ConflictError, NotFoundError } from '../../../lambdas/shared/domain/errors.js';
import type { Notification } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, aDecision, anEntry, anItem } from '../../support/fixtures.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const TABLE = 'campaigns';
const store = new DynamoCampaignStore({ doc, tableName: TABLE, batch: { sleep: async () => {} } });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('DynamoCampaignStore', () => {
  it('saveCampaign writes the campaign record, in its state and its owner index, on condition of the previous version', async () => {
    ddb.on(PutCommand).resolves({});
    const campaign = aCampaign({ id: 'c-1', version: 4, state: 'PREPARING', startDate: '2026-07-01T00:00:00.000Z' });
    await store.saveCampaign(campaign);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: {
        ...campaign,
        PK: 'CAMPAIGN#c-1',
        SK: '#META',
        entity: 'campaign',
        GSI1PK: 'CSTATE#PREPARING',
        GSI1SK: '2026-07-01T00:00:00.000Z#c-1',
        GSI2PK: `OWNER#${campaign.ownerId}`,
        GSI2SK: `${campaign.createdAt}#c-1`,
      },
      ConditionExpression: '#version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
    });
  });

  it('a failed version condition on saveCampaign or saveEntry, or an existing id on createCampaign, is a ConflictError', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    // What another writer stored: not the record this write would have put (read back to tell).
    ddb.on(GetCommand).resolves({ Item: { PK: 'CAMPAIGN#c-1', SK: '#META', version: 2, name: 'another writer' } });
    await expect(store.saveCampaign(aCampaign({ version: 2 }))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.createCampaign(aCampaign())).rejects.toBeInstanceOf(ConflictError);
    await expect(store.saveEntry(anEntry({ version: 2 }))).rejects.toBeInstanceOf(ConflictError);
    // A lost race leaves the approver pointers of the winner alone.
    expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it('other DynamoDB errors pass through unchanged', async () => {
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(store.saveCampaign(aCampaign({ version: 2 }))).rejects.toThrow('ProvisionedThroughputExceededException');
  });

  it('saveEntry of an entry that left RUNNING drops its task index and its approver pointers', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [{ PK: 'ENTRY#e-1', SK: 'APPROVER#u-b' }] });
    ddb.on(DeleteCommand).resolves({});
    const entry = anEntry({ id: 'e-1', approverIds: ['u-a', 'u-b'], state: 'APPROVAL.FINISHED', version: 3 });
    await store.saveEntry(entry);

    const written = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(written).toMatchObject({ PK: 'ENTRY#e-1', SK: '#ENTRY', GSI1PK: `RUN#${entry.runId}`, GSI1SK: '001#u-alice' });
    expect(written).not.toHaveProperty('GSI2PK');
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { PK: 'ENTRY#e-1', SK: 'APPROVER#u-b' },
      ExpressionAttributeValues: { ':version': 3 },
    });
  });

  it('saveItemDecision on a missing item is a NotFoundError', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.saveItemDecision('e-1', 'p-1', aDecision())).rejects.toBeInstanceOf(NotFoundError);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: { PK: 'ENTRY#e-1', SK: 'ITEM#p-1' }, ConditionExpression: 'attribute_exists(PK)' });
  });

  it('acquireLease answers false when someone else holds it', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(store.acquireLease('controller', 'run-2', new Date('2026-07-01T00:00:00.000Z'), 60)).resolves.toBe(false);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ PK: 'LEASE#controller', SK: '#LEASE', owner: 'run-2', leaseExpiresAtMs: Date.parse('2026-07-01T00:01:00.000Z') }),
    });
  });

  it('takeOverLease writes the new holder on condition that the lease is still the gone run\'s (or free, or expired)', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    const holder = { kind: 'local' as const, pid: 7, hostname: 'laptop', startedAt: '2026-07-01T00:00:00.000Z' };
    await expect(store.takeOverLease('controller', 'run-gone', 'run-2', new Date('2026-07-01T00:00:00.000Z'), 60, holder)).resolves.toBe(false);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: { PK: 'LEASE#controller', SK: '#LEASE', entity: 'lease', name: 'controller', owner: 'run-2', holder, acquiredAt: '2026-07-01T00:00:00.000Z', leaseExpiresAtMs: Date.parse('2026-07-01T00:01:00.000Z') },
      ConditionExpression: 'attribute_not_exists(PK) OR leaseExpiresAtMs < :now OR #owner = :owner',
      ExpressionAttributeValues: { ':now': Date.parse('2026-07-01T00:00:00.000Z'), ':owner': 'run-gone' },
    });
  });

  it('createCampaign of an archived run leaves it out of the owner index', async () => {
    ddb.on(PutCommand).resolves({});
    await store.createCampaign(aCampaign({ id: 'c-1-r1', archived: true, archivedFrom: 'c-1' }));
    const written = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(written).toMatchObject({ PK: 'CAMPAIGN#c-1-r1', GSI1PK: 'CSTATE#PREPARING' });
    expect(written).not.toHaveProperty('GSI2PK');
    expect(written).not.toHaveProperty('GSI2SK');
  });

  it("listCampaignsByOwner queries the owner's partition of GSI2, newest first, and keeps campaign records only", async () => {
    const live = { ...aCampaign({ id: 'c-2' }), PK: 'CAMPAIGN#c-2', SK: '#META', entity: 'campaign', GSI2PK: 'OWNER#u-owner', GSI2SK: 'x' };
    ddb.on(QueryCommand).resolves({ Items: [live, { PK: 'X', SK: 'Y', entity: 'entry', id: 'e-1' }, { ...live, id: 'c-1-r1', archived: true }] });
    const pages = [];
    for await (const page of store.listCampaignsByOwner('u-owner')) pages.push(page);
    expect(pages.flat().map((c) => c.id)).toEqual(['c-2']);
    expect(pages.flat()[0]).not.toHaveProperty('GSI2PK');
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': 'OWNER#u-owner' },
      ScanIndexForward: false,
    });
  });

  it('listCampaigns with dueBy bounds GSI1SK just past every id of that instant', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    for await (const _ of store.listCampaigns('PREPARING', '2026-07-01T00:00:00.000Z'));
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :due',
      ExpressionAttributeValues: { ':pk': 'CSTATE#PREPARING', ':due': '2026-07-01T00:00:00.000Z#\uffff' },
    });
  });

  it('putEntriesWithItems packs entries, pointers, items and new notifications into full batches', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const existing = { PK: 'OUTBOX#c-test', SK: 'c-test#1|N#e-0' };
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [existing] } });
    const batch = [0, 1, 2].map((e) => {
      const entry = anEntry({ id: `e-${e}`, approverIds: e === 0 ? ['u-a', 'u-b'] : ['u-a'], itemCount: 30 });
      return { entry, items: Array.from({ length: 30 }, (_, i) => anItem({ entryId: entry.id, id: `p-${i}`, privilegeId: `p-${i}` })) };
    });
    const notifications = [0, 1, 2].map(
      (e): Notification => ({
        key: `N#e-${e}`,
        kind: 'APPROVAL_START',
        campaignId: 'c-test',
        runId: 'c-test#1',
        recipientId: 'u-a',
        subject: 's',
        body: 'b',
        status: 'PENDING',
        createdAt: '2026-07-01T00:00:00.000Z',
        attempts: 0,
      }),
    );
    await store.putEntriesWithItems(batch, notifications);

    // 1 pointer + 90 items + 2 new notifications = 93 records first, then the 3 entries: 5 requests.
    const sizes = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems![TABLE]!.length);
    expect(sizes).toEqual([25, 25, 25, 18, 3]);
    const last = ddb.commandCalls(BatchWriteCommand).at(-1)!.args[0].input.RequestItems![TABLE]!;
    expect(last.map((r) => r.PutRequest!.Item!.entity)).toEqual(['entry', 'entry', 'entry']);
    const written = ddb.commandCalls(BatchWriteCommand).flatMap((c) => c.args[0].input.RequestItems![TABLE]!.map((r) => r.PutRequest!.Item!));
    expect(written.filter((r) => r.entity === 'notification').map((r) => r.SK)).toEqual(['c-test#1|N#e-1', 'c-test#1|N#e-2']);
    expect(written.find((r) => r.SK === 'c-test#1|N#e-1')).toMatchObject({ GSI1PK: 'OUTBOX#PENDING', GSI1SK: '2026-07-01T00:00:00.000Z#N#e-1' });
    expect(written.find((r) => r.SK === 'APPROVER#u-b')).toMatchObject({ PK: 'ENTRY#e-0', GSI2PK: 'APPROVER#u-b' });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
  });
});

describe('DynamoDirectoryStore', () => {
  const directory = new DynamoDirectoryStore({ doc, tableName: 'directory' });

  it('modifyAssignment of a missing or no longer MANUAL assignment changes nothing', async () => {
    ddb.on(GetCommand).resolvesOnce({}).resolvesOnce({ Item: { PK: 'USER#u-1', SK: 'ASSIGN#p-1', userId: 'u-1', privilegeId: 'p-1', origin: 'RULE' } });
    await directory.modifyAssignment('u-gone', 'p-1', { endDate: null });
    await directory.modifyAssignment('u-1', 'p-1', { parameters: { project: 'apollo' } });
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('modifyAssignment removes a parameter from the map (null) in the same update that sets another', async () => {
    ddb.on(GetCommand).resolves({ Item: { PK: 'USER#u-1', SK: 'ASSIGN#p-1', userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', parameters: { project: 'apollo' } } });
    ddb.on(UpdateCommand).resolves({});
    await directory.modifyAssignment('u-1', 'p-1', { parameters: { project: null, site: 'Lyon' } });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'USER#u-1', SK: 'ASSIGN#p-1' },
      UpdateExpression: 'SET #params.#p1 = :p1 REMOVE #params.#p0',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_type(#params, :map)',
      ExpressionAttributeNames: { '#pk': 'PK', '#params': 'parameters', '#p0': 'project', '#p1': 'site' },
      ExpressionAttributeValues: { ':p1': 'Lyon', ':map': 'M' },
    });
  });

  it('modifyAssignment has nothing to remove from an assignment without parameters, but still sets its end date', async () => {
    ddb.on(GetCommand).resolves({ Item: { PK: 'USER#u-1', SK: 'ASSIGN#p-1', userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL' } });
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    await directory.modifyAssignment('u-1', 'p-1', { parameters: { project: null } });
    // The merge found no map: nothing to remove, and no empty map is created.
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);

    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { PK: 'USER#u-1', SK: 'ASSIGN#p-1', userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL' } });
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    await directory.modifyAssignment('u-1', 'p-1', { endDate: '2026-12-31T00:00:00.000Z', parameters: { project: null } });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      UpdateExpression: 'SET #endDate = :endDate',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#params)',
      ExpressionAttributeNames: { '#pk': 'PK', '#endDate': 'endDate', '#params': 'parameters' },
      ExpressionAttributeValues: { ':endDate': '2026-12-31T00:00:00.000Z' },
    });
  });

  it('removeAssignment deletes only a MANUAL (or absent) assignment', async () => {
    ddb.on(DeleteCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await directory.removeAssignment('u-1', 'p-1')).toBe('REMOVED');
    expect(await directory.removeAssignment('u-1', 'p-rule')).toBe('NOT_MANUAL');
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { PK: 'USER#u-1', SK: 'ASSIGN#p-1' },
      ConditionExpression: 'attribute_not_exists(PK) OR origin = :manual',
      ExpressionAttributeValues: { ':manual': 'MANUAL' },
    });
  });
});

describe('DynamoOutbox', () => {
  const outbox = new DynamoOutbox({ doc, tableName: TABLE });
  const n = (key: string): Notification => ({
    key,
    kind: 'CAMPAIGN_START',
    campaignId: 'c-1',
    runId: 'c-1#1',
    recipientId: 'u-owner',
    subject: 's',
    body: 'b',
    status: 'PENDING',
    createdAt: '2026-07-01T00:00:00.000Z',
    attempts: 0,
  });

  it('enqueue returns only the keys whose conditional put succeeded', async () => {
    ddb.on(PutCommand).callsFake((input) => {
      if (input.Item.key === 'K2') throw conditionFailed();
      return {};
    });
    await expect(outbox.enqueue([n('K1'), n('K2'), n('K3')])).resolves.toEqual(['K1', 'K3']);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(PK)' });
  });

  it("releaseClaims queries the dispatch index for the run's claims and puts each back on condition it is still theirs", async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ PK: 'OUTBOX#c-1', SK: 'c-1#1|K1', ...n('K1'), status: 'SENDING', claimedBy: 'run-gone' }] });
    ddb.on(UpdateCommand).resolves({});
    await expect(outbox.releaseClaims('run-gone')).resolves.toBe(1);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      FilterExpression: '#status = :sending AND claimedBy = :owner',
      ExpressionAttributeValues: { ':pk': 'OUTBOX#PENDING', ':sending': 'SENDING', ':owner': 'run-gone' },
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'OUTBOX#c-1', SK: 'c-1#1|K1' },
      UpdateExpression: 'SET #status = :pending REMOVE claimExpiresAt',
      ConditionExpression: '#status = :sending AND claimedBy = :owner',
    });
  });

  it('claim answers false when the notification is taken or sent', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { status: 'SENDING', claimedBy: 'another runner', claimExpiresAt: '2026-07-01T00:01:00.000Z' } });
    await expect(outbox.claim(n('K1'), 'runner', new Date('2026-07-01T00:00:00.000Z'), 60)).resolves.toBe(false);
    // The claim is read back (consistently) to tell a claim of its own whose answer was lost from another's.
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: 'OUTBOX#c-1', SK: 'c-1#1|K1' }, ConsistentRead: true });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'OUTBOX#c-1', SK: 'c-1#1|K1' },
      ConditionExpression: '#status = :pending OR (#status = :sending AND claimExpiresAt < :now)',
      ExpressionAttributeValues: expect.objectContaining({ ':now': '2026-07-01T00:00:00.000Z', ':expires': '2026-07-01T00:01:00.000Z' }),
    });
  });
});
