// The re-approval side of the Dynamo adapters, command by command: each transition is one
// conditional UpdateItem that writes the state's GSI1 key with it, a load reads before it writes,
// and approval runs keep their approver pointers as entries do.
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
import { DynamoApprovalStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { assignmentRecord, privilegeRecord } from '../../../lambdas/shared/adapters/dynamo/records.js';
import { DEFAULT_WORKFLOW, type ApprovalRun } from '../../../lambdas/shared/domain/approvals/model.js';
import { ConflictError } from '../../../lambdas/shared/domain/errors.js';
import { aPrivilege, anAssignment } from '../../support/fixtures.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const directory = new DynamoDirectoryStore({ doc, tableName: 'directory', batch: { sleep: async () => {} } });
const approvals = new DynamoApprovalStore({ doc, tableName: 'campaigns', batch: { sleep: async () => {} } });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const KEY = { PK: 'USER#u-1', SK: 'ASSIGN#p-1' };

beforeEach(() => ddb.reset());

describe('records', () => {
  it("an assignment's GSI1 follows its re-approval state, MANUAL only and never while one runs", () => {
    const a = anAssignment({ userId: 'u-1', privilegeId: 'p-1' });
    expect(assignmentRecord(a)).toMatchObject({ GSI1PK: 'REAPPROVAL#AWAIT#p-1', GSI1SK: 'u-1', GSI2PK: 'PRIV#p-1', GSI2SK: 'MANUAL#u-1' });
    expect(assignmentRecord({ ...a, reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-09-29T00:00:00.000Z' })).toMatchObject({
      GSI1PK: 'REAPPROVAL#DUE',
      GSI1SK: '2026-09-29T00:00:00.000Z#u-1#p-1',
    });
    expect(assignmentRecord({ ...a, reapprovalMode: 'SCHEDULED' })).toMatchObject({ GSI1PK: 'REAPPROVAL#SCHEDULED', GSI1SK: '0000-00-00#u-1#p-1' });
    expect(assignmentRecord({ ...a, reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' })).toMatchObject({ GSI1SK: '2026-09-01#u-1#p-1' });
    for (const other of [{ ...a, origin: 'RULE' as const }, { ...a, reapprovalMode: 'SCHEDULED' as const, reapproval: { approvalId: 'a-1', startedAt: 'x' } }]) {
      expect(assignmentRecord(other)).not.toHaveProperty('GSI1PK');
      expect(assignmentRecord(other)).not.toHaveProperty('GSI1SK');
    }
  });

  it('a privilege is in the flagged index only with re-approval settings', () => {
    expect(privilegeRecord(aPrivilege({ id: 'p-1', reapproval: { mode: 'SCHEDULED' } }))).toMatchObject({ GSI2PK: 'REAPPROVAL#PRIVILEGES', GSI2SK: 'p-1' });
    expect(privilegeRecord(aPrivilege({ id: 'p-1' }))).not.toHaveProperty('GSI2PK');
  });
});

describe('DynamoDirectoryStore transitions', () => {
  it('markReapprovalStarted is one update on condition of the state read, that leaves every index', async () => {
    ddb.on(UpdateCommand).resolves({});
    const running = { approvalId: 'a-1', startedAt: '2026-09-29T06:00:00.000Z' };
    expect(await directory.markReapprovalStarted('u-1', 'p-1', { mode: 'CONTINUOUS', nextReapprovalAt: '2026-09-29T00:00:00.000Z' }, running)).toBe(true);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'directory',
      Key: KEY,
      UpdateExpression: 'SET #running = :running REMOVE #gsi1pk, #gsi1sk',
      ConditionExpression: '#origin = :manual AND attribute_not_exists(#running) AND #mode = :mode AND #next = :expected',
      ExpressionAttributeNames: { '#origin': 'origin', '#mode': 'reapprovalMode', '#next': 'nextReapprovalAt', '#running': 'reapproval', '#gsi1pk': 'GSI1PK', '#gsi1sk': 'GSI1SK' },
      ExpressionAttributeValues: { ':manual': 'MANUAL', ':running': running, ':mode': 'CONTINUOUS', ':expected': '2026-09-29T00:00:00.000Z' },
    });
  });

  it('completeReapproval writes the approval, the round and the SCHEDULED index key on condition of the run, and leaves the mode', async () => {
    ddb.on(UpdateCommand).resolves({});
    await directory.completeReapproval('u-1', 'p-1', 'a-1', { approvedAt: 'T', approvedBy: 'u-owner', mode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: KEY,
      UpdateExpression: 'SET #approvedAt = :approvedAt, #approvedBy = :approvedBy, #round = :round, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk REMOVE #running',
      ConditionExpression: '#origin = :manual AND #running.#approvalId = :approvalId',
      ExpressionAttributeValues: {
        ':manual': 'MANUAL',
        ':approvedAt': 'T',
        ':approvedBy': 'u-owner',
        ':approvalId': 'a-1',
        ':round': '2026-09-01',
        ':gsi1pk': 'REAPPROVAL#SCHEDULED',
        ':gsi1sk': '2026-09-01#u-1#p-1',
      },
    });
  });

  it('completeReapproval without an approval (a rejection the blast-radius guard kept) leaves the approval on record as it is', async () => {
    ddb.on(UpdateCommand).resolves({});
    await directory.completeReapproval('u-1', 'p-1', 'a-1', { mode: 'CONTINUOUS', nextReapprovalAt: '2026-09-01T00:00:00.000Z' });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: KEY,
      UpdateExpression: 'SET #next = :next, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk REMOVE #running',
      ConditionExpression: '#origin = :manual AND #running.#approvalId = :approvalId',
      ExpressionAttributeValues: {
        ':manual': 'MANUAL',
        ':approvalId': 'a-1',
        ':next': '2026-09-01T00:00:00.000Z',
        ':gsi1pk': 'REAPPROVAL#DUE',
        ':gsi1sk': '2026-09-01T00:00:00.000Z#u-1#p-1',
      },
    });
  });

  it('a failed condition is false; any other error passes through', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).rejectsOnce(new Error('ProvisionedThroughputExceededException'));
    expect(await directory.resetReapproval('u-1', 'p-1')).toBe(false);
    await expect(directory.resetReapproval('u-1', 'p-1')).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'SET #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk REMOVE #mode',
      ConditionExpression: '#origin = :manual AND attribute_exists(#mode) AND attribute_not_exists(#running)',
      ExpressionAttributeValues: { ':manual': 'MANUAL', ':gsi1pk': 'REAPPROVAL#AWAIT#p-1', ':gsi1sk': 'u-1' },
    });
  });

  it('initializeReapproval SCHEDULED reads only when a kept last round makes the first condition fail, and writes on condition it is still that round', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetCommand).resolves({ Item: { ...KEY, userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', lastReapprovalRound: '2026-03-01' } });
    expect(await directory.initializeReapproval('u-1', 'p-1', { mode: 'SCHEDULED' })).toBe(true);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 1, {
      ConditionExpression: '#origin = :manual AND attribute_not_exists(#mode) AND attribute_not_exists(#running) AND attribute_not_exists(#round)',
      ExpressionAttributeValues: { ':manual': 'MANUAL', ':mode': 'SCHEDULED', ':gsi1pk': 'REAPPROVAL#SCHEDULED', ':gsi1sk': '0000-00-00#u-1#p-1' },
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: KEY, ConsistentRead: true });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      ConditionExpression: '#origin = :manual AND attribute_not_exists(#mode) AND attribute_not_exists(#running) AND #round = :round',
      ExpressionAttributeValues: { ':manual': 'MANUAL', ':mode': 'SCHEDULED', ':round': '2026-03-01', ':gsi1pk': 'REAPPROVAL#SCHEDULED', ':gsi1sk': '2026-03-01#u-1#p-1' },
    });

    // Not awaiting (or no round to blame): false after the read, no second write.
    ddb.reset();
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { ...KEY, userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-03-01' } });
    expect(await directory.initializeReapproval('u-1', 'p-1', { mode: 'SCHEDULED' })).toBe(false);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it('recordApproval moves the date of a CONTINUOUS assignment that runs nothing, and otherwise records the approval alone', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    expect(await directory.recordApproval('u-1', 'p-1', { approvedAt: 'T', approvedBy: 'u-m', nextReapprovalAt: '2026-12-01T00:00:00.000Z' })).toBe(true);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 1, {
      UpdateExpression: 'SET #approvedAt = :approvedAt, #approvedBy = :approvedBy, #next = :next, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk',
      ConditionExpression: '#origin = :manual AND #mode = :continuous AND attribute_not_exists(#running)',
    });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      UpdateExpression: 'SET #approvedAt = :approvedAt, #approvedBy = :approvedBy',
      ConditionExpression: '#origin = :manual',
      ExpressionAttributeNames: { '#origin': 'origin', '#approvedAt': 'approvedAt', '#approvedBy': 'approvedBy' },
      ExpressionAttributeValues: { ':manual': 'MANUAL', ':approvedAt': 'T', ':approvedBy': 'u-m' },
    });
  });

  it('putAssignments reads the stored state consistently, batch-writes the new assignments and puts each stored one on condition of what it read', async () => {
    const stored = { ...KEY, reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-09-29T00:00:00.000Z', approvedAt: '2026-07-01T00:00:00.000Z', approvedBy: 'u-owner' };
    ddb.on(BatchGetCommand).resolves({ Responses: { directory: [stored] } });
    ddb.on(BatchWriteCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    await directory.putAssignments([
      anAssignment({ userId: 'u-1', privilegeId: 'p-1', approvedAt: '2026-01-01T00:00:00.000Z', approvedBy: 'u-boss' }),
      anAssignment({ userId: 'u-2', privilegeId: 'p-1' }),
    ]);
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        directory: expect.objectContaining({
          Keys: [KEY, { PK: 'USER#u-2', SK: 'ASSIGN#p-1' }],
          ConsistentRead: true,
          ProjectionExpression: '#a0, #a1, #a2, #a3, #a4, #a5, #a6, #a7',
        }),
      },
    });
    const batched = ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems!.directory!.map((r) => r.PutRequest!.Item);
    expect(batched).toHaveLength(1);
    expect(batched[0]).toMatchObject({ PK: 'USER#u-2', GSI1PK: 'REAPPROVAL#AWAIT#p-1', GSI1SK: 'u-2' });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        ...KEY,
        approvedAt: '2026-07-01T00:00:00.000Z',
        approvedBy: 'u-owner',
        reapprovalMode: 'CONTINUOUS',
        GSI1PK: 'REAPPROVAL#DUE',
        GSI1SK: '2026-09-29T00:00:00.000Z#u-1#p-1',
      }),
      ConditionExpression:
        'attribute_exists(#pk) AND #mode = :mode AND #next = :next AND attribute_not_exists(#round) AND #approvedAt = :approvedAt AND attribute_not_exists(#running)',
      ExpressionAttributeNames: {
        '#pk': 'PK',
        '#mode': 'reapprovalMode',
        '#next': 'nextReapprovalAt',
        '#round': 'lastReapprovalRound',
        '#approvedAt': 'approvedAt',
        '#running': 'reapproval',
      },
      ExpressionAttributeValues: { ':mode': 'CONTINUOUS', ':next': '2026-09-29T00:00:00.000Z', ':approvedAt': '2026-07-01T00:00:00.000Z' },
    });
  });

  it('putAssignments reads an assignment again and merges again when a transition came between its read and its write', async () => {
    const running = { ...KEY, origin: 'MANUAL', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-09-29T00:00:00.000Z', reapproval: { approvalId: 'a-1', startedAt: 'S' } };
    ddb.on(BatchGetCommand).resolves({ Responses: { directory: [running] } });
    // A decision completed the run in between: the first put's condition fails.
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    const completed = { ...KEY, userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-12-28T00:00:00.000Z', approvedAt: '2026-09-30T00:00:00.000Z', approvedBy: 'u-owner' };
    ddb.on(GetCommand).resolves({ Item: completed });
    await directory.putAssignments([anAssignment({ userId: 'u-1', privilegeId: 'p-1', endDate: '2027-01-01T00:00:00.000Z' })]);

    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatchObject({ ConditionExpression: expect.stringContaining('#running.#approvalId = :approvalId'), ExpressionAttributeValues: expect.objectContaining({ ':approvalId': 'a-1' }) });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: KEY, ConsistentRead: true });
    expect(puts[1]!.Item).toMatchObject({ endDate: '2027-01-01T00:00:00.000Z', approvedAt: '2026-09-30T00:00:00.000Z', nextReapprovalAt: '2026-12-28T00:00:00.000Z', GSI1PK: 'REAPPROVAL#DUE' });
    expect(puts[1]!.Item).not.toHaveProperty('reapproval');
    expect(puts[1]).toMatchObject({ ConditionExpression: expect.stringContaining('attribute_not_exists(#running)') });
    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
  });

  it('putAssignments gives up with a ConflictError after five failed conditions, and passes other errors through', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { directory: [{ ...KEY, reapprovalMode: 'SCHEDULED' }] } });
    ddb.on(GetCommand).resolves({ Item: { ...KEY, origin: 'MANUAL', reapprovalMode: 'SCHEDULED' } });
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(directory.putAssignments([anAssignment({ userId: 'u-1', privilegeId: 'p-1' })])).rejects.toBeInstanceOf(ConflictError);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 5);
    ddb.on(PutCommand).rejects(new Error('InternalServerError'));
    await expect(directory.putAssignments([anAssignment({ userId: 'u-1', privilegeId: 'p-1' })])).rejects.toThrow('InternalServerError');
  });

  it('putRound is an UpdateItem (no PutItem) that keeps the first startedAt', async () => {
    ddb.on(UpdateCommand).resolves({});
    await directory.putRound({ date: '2026-09-01', startedAt: 'S', started: 3, completedAt: 'C' });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'REAPPROVAL#ROUND', SK: '2026-09-01' },
      UpdateExpression: 'SET #f0 = :f0, #f1 = if_not_exists(#f1, :f1), #f2 = :f2, #f3 = :f3, #f4 = :f4',
      ExpressionAttributeNames: { '#f0': 'date', '#f1': 'startedAt', '#f2': 'started', '#f3': 'completedAt', '#f4': 'entity' },
      ExpressionAttributeValues: { ':f0': '2026-09-01', ':f1': 'S', ':f2': 3, ':f3': 'C', ':f4': 'reapproval-round' },
    });
  });
});

function aRun(overrides: Partial<ApprovalRun> = {}): ApprovalRun {
  return {
    id: 'a-1',
    purpose: { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: '2026-07-01T00:00:00.000Z' },
    userId: 'u-alice',
    privilegeId: 'p-admin',
    workflow: DEFAULT_WORKFLOW,
    stepIndex: 0,
    escalated: false,
    approverIds: ['u-a', 'u-b'],
    stepStartedAt: '2026-07-01T00:00:00.000Z',
    dueDate: '2026-07-15T00:00:00.000Z',
    state: 'RUNNING',
    history: [],
    nextActionAt: '2026-07-12T00:00:00.000Z',
    createdAt: '2026-07-01T00:00:00.000Z',
    updatedAt: '2026-07-01T00:00:00.000Z',
    version: 3,
    ...overrides,
  };
}

describe('DynamoApprovalStore', () => {
  it('saveApproval writes the new pointers, then the run on its version, then removes pointers older versions wrote', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [{ PK: 'APPROVAL#a-1', SK: 'APPROVER#u-b' }, { PK: 'APPROVAL#a-1', SK: 'APPROVER#u-old' }] });
    ddb.on(DeleteCommand).resolves({});
    await approvals.saveApproval(aRun());

    const pointer = ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems!.campaigns![0]!.PutRequest!.Item;
    expect(pointer).toEqual({
      PK: 'APPROVAL#a-1',
      SK: 'APPROVER#u-b',
      entity: 'approval-approver',
      approvalId: 'a-1',
      userId: 'u-b',
      approvalVersion: 3,
      GSI2PK: 'APPROVER#u-b',
      GSI2SK: '2026-07-15T00:00:00.000Z#a-1',
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        PK: 'APPROVAL#a-1',
        SK: '#APPROVAL',
        entity: 'approval',
        GSI1PK: 'APPROVALS#OPEN',
        GSI1SK: '2026-07-12T00:00:00.000Z#a-1',
        GSI2PK: 'APPROVER#u-a',
        GSI2SK: '2026-07-15T00:00:00.000Z#a-1',
      }),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeValues: { ':expected': 2 },
    });
    expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { PK: 'APPROVAL#a-1', SK: 'APPROVER#u-old' },
      ConditionExpression: 'attribute_not_exists(#pointerVersion) OR #pointerVersion < :version',
      ExpressionAttributeNames: { '#pointerVersion': 'approvalVersion' },
      ExpressionAttributeValues: { ':version': 3 },
    });
  });

  it('a settled run has no task index and no pointers; a lost version race is a ConflictError that removes nothing', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    const { nextActionAt: _none, ...settled } = aRun({ state: 'APPROVED' });
    await expect(approvals.saveApproval(settled)).rejects.toBeInstanceOf(ConflictError);
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    for (const attribute of ['GSI1PK', 'GSI2PK']) expect(item).not.toHaveProperty(attribute);
    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('listApprovalsNeedingAction bounds GSI1SK just past every id of that instant', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    for await (const _page of approvals.listApprovalsNeedingAction('2026-07-12T00:00:00.000Z')) break;
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :by',
      ExpressionAttributeValues: { ':pk': 'APPROVALS#OPEN', ':by': '2026-07-12T00:00:00.000Z~' },
    });
  });
});

describe('listings that resume past a position: the position as the ExclusiveStartKey, the same key condition', () => {
  const first = async (pages: AsyncIterable<unknown>) => {
    for await (const _page of pages) break;
  };
  beforeEach(() => void ddb.on(QueryCommand).resolves({ Items: [] }));

  it('the due index: past that assignment\'s date and ids, with its table key', async () => {
    await first(directory.listDueAssignments('2026-07-12T06:00:00.000Z', { after: { at: '2026-07-01T00:00:00.000Z', userId: 'u-1', privilegeId: 'p-1' } }));
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :by',
      ExclusiveStartKey: { ...KEY, GSI1PK: 'REAPPROVAL#DUE', GSI1SK: '2026-07-01T00:00:00.000Z#u-1#p-1' },
    });
    await expect(first(directory.listDueAssignments('2026-07-12T06:00:00.000Z', { after: { userId: 'u-1', privilegeId: 'p-1' } }))).rejects.toThrow(/date \(at\)/);
  });

  it('a round: past the last round (none: 0000-00-00) and ids', async () => {
    await first(directory.listScheduledAssignments('2026-09-01', { after: { userId: 'u-1', privilegeId: 'p-1' } }));
    await first(directory.listScheduledAssignments('2026-09-01', { after: { at: '2026-03-01', userId: 'u-1', privilegeId: 'p-1' } }));
    const starts = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey);
    expect(starts).toEqual([
      { ...KEY, GSI1PK: 'REAPPROVAL#SCHEDULED', GSI1SK: '0000-00-00#u-1#p-1' },
      { ...KEY, GSI1PK: 'REAPPROVAL#SCHEDULED', GSI1SK: '2026-03-01#u-1#p-1' },
    ]);
  });

  it('the runs needing action, the flagged privileges and a privilege\'s holders', async () => {
    await first(approvals.listApprovalsNeedingAction('2026-07-12T00:00:00.000Z', { after: { nextActionAt: '2026-07-10T00:00:00.000Z', id: 'a-1' } }));
    await first(directory.listFlaggedPrivileges({ after: 'p-1' }));
    await first(directory.listHoldersOfPrivilege('p-1', 'MANUAL', { after: 'u-1' }));
    const starts = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey);
    expect(starts).toEqual([
      { PK: 'APPROVAL#a-1', SK: '#APPROVAL', GSI1PK: 'APPROVALS#OPEN', GSI1SK: '2026-07-10T00:00:00.000Z#a-1' },
      { PK: 'PRIV#p-1', SK: '#PROFILE', GSI2PK: 'REAPPROVAL#PRIVILEGES', GSI2SK: 'p-1' },
      { ...KEY, GSI2PK: 'PRIV#p-1', GSI2SK: 'MANUAL#u-1' },
    ]);
    expect(() => directory.listHoldersOfPrivilege('p-1', undefined, { after: 'u-1' })).toThrow(/needs the origin/);
  });
});

describe('DynamoCampaignStore.saveItemWorkflow', () => {
  const campaigns = new DynamoCampaignStore({ doc, tableName: 'campaigns' });
  const workflow = { approvalId: 'a-1', workflowId: 'default', startedAt: 'T', state: 'RUNNING' as const };

  it('updates an existing item only, and a gone item is a no-op; other errors pass through', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).rejectsOnce(new Error('InternalServerError'));
    await expect(campaigns.saveItemWorkflow('e-1', 'p-1', workflow)).resolves.toBeUndefined();
    await expect(campaigns.saveItemWorkflow('e-1', 'p-1', workflow)).rejects.toThrow('InternalServerError');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'ENTRY#e-1', SK: 'ITEM#p-1' },
      UpdateExpression: 'SET #value = :value',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#value': 'workflow' },
      ExpressionAttributeValues: { ':value': workflow },
    });
  });
});
