import 'aws-sdk-client-mock-vitest/extend';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoOperationsStore } from '../../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { NotFoundError } from '../../../lambdas/shared/domain/errors.js';
import { DEFAULT_OPERATIONS_CONFIG, JOB_NAMES, type DailyReport, type JobRun, type RiskAssessment } from '../../../lambdas/shared/domain/operations.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = createDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const TABLE = 'operations';
const store = new DynamoOperationsStore({ doc, tableName: TABLE, batch: { sleep: async () => {} } });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const run: JobRun = {
  job: 'daily-operations',
  runId: 'run-1',
  scheduledFor: '2026-07-01T08:00:00.000Z',
  startedAt: '2026-07-01T08:00:01.000Z',
  outcome: 'RUNNING',
};
const assessment: RiskAssessment = {
  date: '2026-07-01',
  userId: 'u-alice',
  userStatus: 'ACTIVE',
  computedLevel: 'HIGH',
  level: 'HIGH',
  reasons: [],
  privilegeCount: 1,
  highRiskPrivilegeCount: 1,
  sodConflicts: [],
  assessedAt: '2026-07-01T07:30:00.000Z',
};
const report = { date: '2026-07-01', generatedAt: '2026-07-01T08:00:02.000Z' } as DailyReport;
const epoch = (iso: string) => Date.parse(iso) / 1000;

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
  ddb.on(BatchWriteCommand).resolves({});
});

describe('DynamoOperationsStore', () => {
  it('reads only by key (Get, BatchGet, Query) and never scans, whichever method is called', async () => {
    const allowed = new Set(['GetCommand', 'PutCommand', 'UpdateCommand', 'QueryCommand', 'BatchGetCommand', 'BatchWriteCommand']);
    ddb.on(GetCommand).resolves({ Item: { PK: 'REPORT#DAILY', SK: '2026-07-01', report, deliveries: {} } });
    const collect = async <T>(pages: AsyncIterable<T[]>) => {
      for await (const page of pages) void page;
    };

    await store.getConfig();
    await store.putConfig(DEFAULT_OPERATIONS_CONFIG, 'u-ops', new Date('2026-07-01T00:00:00.000Z'));
    await store.getInstallation();
    await store.recordInstallation(new Date('2026-07-01T00:00:00.000Z'));
    await store.putAssessments([assessment], 400);
    await collect(store.listAssessments('2026-07-01'));
    await store.listAssessmentsOfUser('u-alice', '2026-06-01', '2026-07-01');
    await store.getAssessmentProgress('2026-07-01');
    await store.putAssessmentProgress('2026-07-01', { afterUserId: 'u-alice', done: false }, 400);
    await store.putRiskSummary(
      {
        date: '2026-07-01',
        assessedAt: '2026-07-01T07:31:00.000Z',
        users: 1,
        usersByLevel: { LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 0 },
        sodConflicts: 0,
        sodConflictList: [],
        orphanedAccess: 0,
        orphanedAccessList: [],
      },
      400,
    );
    await store.getLatestRiskSummary('2026-07-01', 7);
    await store.startRun(run, 30);
    await store.finishRun({ ...run, outcome: 'SUCCEEDED', endedAt: '2026-07-01T08:00:05.000Z' }, 30);
    await store.getHeartbeats(JOB_NAMES);
    await store.listRuns('daily-operations', 10);
    await store.putReport('daily', report, 400);
    await store.getReport('daily', '2026-07-01');
    await store.getReport('weekly', '2026-07-01');
    await store.listDailyReports('2026-06-25', '2026-07-01');
    const claim = { owner: 'run-1', claimedAt: '2026-07-01T08:00:02.000Z' };
    await store.claimDelivery('daily', '2026-07-01', 'topic', claim, '2026-07-01T07:45:02.000Z');
    await store.recordDelivery('daily', '2026-07-01', 'topic', { ...claim, at: '2026-07-01T08:00:03.000Z', messageId: 'm-1' });
    await store.releaseDelivery('daily', '2026-07-01', 'mail:ops@example.com', 'run-1');
    await store.getDayCounts('2026-06-01', '2026-06-30');
    await store.putDayCount('2026-06-30', 4, 400, new Date('2026-07-01T08:00:00.000Z'));
    await store.recordRemoval({
      userId: 'u-x',
      privilegeId: 'p-x',
      origin: 'MANUAL',
      removedAt: '2026-07-01T12:00:00.000Z',
      removedBy: 'u-ops',
      reason: 'leak',
      requestId: 'r-1',
      status: 'REMOVING',
    });
    await store.completeRemoval({ userId: 'u-x', privilegeId: 'p-x', requestId: 'r-1' }, { status: 'REMOVED', at: '2026-07-01T12:00:01.000Z' });
    await store.listRemovals('u-x');

    const sent = ddb.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(sent.length).toBeGreaterThan(20);
    expect(ddb).toHaveReceivedCommandTimes(ScanCommand, 0);
    expect(sent.filter((name) => !allowed.has(name))).toEqual([]);
    // Every command names the operations table.
    for (const call of ddb.calls()) {
      const input = (call.args[0] as { input: { TableName?: string; RequestItems?: Record<string, unknown> } }).input;
      expect(input.TableName ?? Object.keys(input.RequestItems ?? {})[0]).toBe(TABLE);
    }
  });

  it('getLatestRiskSummary is one Query of the summaries partition, newest first, one record, bounded by the lookback', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ PK: 'RISKSUMMARY', SK: '2026-07-03', entity: 'risk-summary', date: '2026-07-03', users: 3, expiresAt: 1 }] });

    const summary = await store.getLatestRiskSummary('2026-07-05', 7);

    expect(summary).toEqual({ date: '2026-07-03', users: 3 });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'RISKSUMMARY', ':from': '2026-06-28', ':to': '2026-07-05' },
      ScanIndexForward: false,
      Limit: 1,
    });
  });

  it('putAssessments batch-writes one record per user and date, with its index key and TTL', async () => {
    await store.putAssessments([assessment], 30);
    expect(ddb).toHaveReceivedCommandWith(BatchWriteCommand, {
      RequestItems: {
        [TABLE]: [
          {
            PutRequest: {
              Item: {
                ...assessment,
                PK: 'ASSESS#2026-07-01',
                SK: 'USER#u-alice',
                entity: 'assessment',
                GSI1PK: 'ASSESSUSER#u-alice',
                GSI1SK: '2026-07-01',
                expiresAt: epoch('2026-07-31T00:00:00.000Z'),
              },
            },
          },
        ],
      },
    });
  });

  it('startRun puts the run if absent and points lastRun at it unless a later run is there', async () => {
    await store.startRun(run, 14);

    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: { ...run, PK: 'JOB#daily-operations', SK: 'RUN#2026-07-01T08:00:01.000Z#run-1', entity: 'job-run', expiresAt: epoch('2026-07-15T08:00:01.000Z') },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: { PK: 'JOB#daily-operations', SK: '#HEARTBEAT' },
      UpdateExpression: 'SET #entity = :entity, #job = :job, #field = :run, #order = :order',
      ConditionExpression: 'attribute_not_exists(#order) OR #order <= :order',
      ExpressionAttributeNames: { '#entity': 'entity', '#job': 'job', '#field': 'lastRun', '#order': 'lastRunOrder' },
      ExpressionAttributeValues: { ':entity': 'heartbeat', ':job': 'daily-operations', ':run': run, ':order': '2026-07-01T08:00:01.000Z#run-1' },
    });
  });

  it('finishRun updates lastCompleted (ordered by business time) only for SUCCEEDED or SKIPPED; a lost condition is no error', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const succeeded: JobRun = { ...run, outcome: 'SUCCEEDED', endedAt: '2026-07-01T08:00:05.000Z' };
    await store.finishRun(succeeded, 14);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      ExpressionAttributeNames: { '#entity': 'entity', '#job': 'job', '#field': 'lastCompleted', '#order': 'lastCompletedOrder' },
      ExpressionAttributeValues: {
        ':entity': 'heartbeat',
        ':job': 'daily-operations',
        ':run': succeeded,
        ':order': '2026-07-01T08:00:00.000Z#2026-07-01T08:00:01.000Z#run-1',
      },
    });

    ddb.resetHistory();
    await store.finishRun({ ...run, outcome: 'FAILED', endedAt: '2026-07-01T08:00:05.000Z', error: 'boom' }, 14);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { ExpressionAttributeNames: expect.objectContaining({ '#field': 'lastRun' }) });
  });

  it('getHeartbeats reads the heartbeat records of the jobs asked in one BatchGet, consistently', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [{ PK: 'JOB#risk-assessment', SK: '#HEARTBEAT', job: 'risk-assessment', lastRun: run, lastRunOrder: 'x' }] },
    });
    const heartbeats = await store.getHeartbeats(['risk-assessment', 'weekly-summary']);
    expect(heartbeats).toEqual(new Map([['risk-assessment', { job: 'risk-assessment', lastRun: run }]]));
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        [TABLE]: {
          Keys: [
            { PK: 'JOB#risk-assessment', SK: '#HEARTBEAT' },
            { PK: 'JOB#weekly-summary', SK: '#HEARTBEAT' },
          ],
          ConsistentRead: true,
        },
      },
    });
  });

  it('putReport replaces the report and keeps the deliveries already recorded on the record', async () => {
    await store.putReport('daily', report, 90);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: { PK: 'REPORT#DAILY', SK: '2026-07-01' },
      UpdateExpression:
        'SET #entity = :entity, #date = :date, #report = :report, #deliveries = if_not_exists(#deliveries, :none), #expiresAt = :expiresAt',
      ExpressionAttributeValues: {
        ':entity': 'daily-report',
        ':date': '2026-07-01',
        ':report': report,
        ':none': {},
        ':expiresAt': epoch('2026-09-29T00:00:00.000Z'),
      },
    });
  });

  it('claimDelivery sets a SENDING claim only if the target is free or its claim is stale; false when not, NotFoundError when no report is stored', async () => {
    const claim = { owner: 'run-1', claimedAt: '2026-07-06T09:00:00.000Z' };
    await expect(store.claimDelivery('weekly', '2026-07-06', 'mail:ops@example.com', claim, '2026-07-06T08:45:00.000Z')).resolves.toBe(true);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'REPORT#WEEKLY', SK: '2026-07-06' },
      UpdateExpression: 'SET #deliveries.#target = :state',
      ConditionExpression:
        'attribute_exists(#deliveries) AND (attribute_not_exists(#deliveries.#target) OR ' +
        '(#deliveries.#target.#status = :sending AND #deliveries.#target.#claimedAt < :staleBefore))',
      ExpressionAttributeNames: { '#deliveries': 'deliveries', '#target': 'mail:ops@example.com', '#status': 'status', '#claimedAt': 'claimedAt' },
      ExpressionAttributeValues: { ':state': { status: 'SENDING', ...claim }, ':sending': 'SENDING', ':staleBefore': '2026-07-06T08:45:00.000Z' },
    });

    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { PK: 'REPORT#WEEKLY', SK: '2026-07-06', deliveries: { 'mail:ops@example.com': { status: 'SENDING', owner: 'run-0' } } } });
    await expect(store.claimDelivery('weekly', '2026-07-06', 'mail:ops@example.com', claim, '2026-07-06T08:45:00.000Z')).resolves.toBe(false);

    ddb.on(GetCommand).resolves({});
    await expect(store.claimDelivery('weekly', '2026-07-06', 'mail:ops@example.com', claim, '2026-07-06T08:45:00.000Z')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('recordDelivery and releaseDelivery act only on the claim of their owner', async () => {
    const sent = { owner: 'run-1', claimedAt: '2026-07-06T09:00:00.000Z', at: '2026-07-06T09:00:01.000Z', messageId: 'ses-1' };
    await expect(store.recordDelivery('weekly', '2026-07-06', 'topic', sent)).resolves.toBe(true);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'SET #deliveries.#target = :state',
      ConditionExpression: '#deliveries.#target.#status = :sending AND #deliveries.#target.#owner = :owner',
      ExpressionAttributeNames: { '#deliveries': 'deliveries', '#target': 'topic', '#status': 'status', '#owner': 'owner' },
      ExpressionAttributeValues: { ':state': { status: 'SENT', ...sent }, ':sending': 'SENDING', ':owner': 'run-1' },
    });
    await store.releaseDelivery('weekly', '2026-07-06', 'topic', 'run-1');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'REMOVE #deliveries.#target',
      ConditionExpression: '#deliveries.#target.#status = :sending AND #deliveries.#target.#owner = :owner',
      ExpressionAttributeValues: { ':sending': 'SENDING', ':owner': 'run-1' },
    });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { PK: 'REPORT#WEEKLY', SK: '2026-07-06', deliveries: {} } });
    await expect(store.recordDelivery('weekly', '2026-07-06', 'topic', sent)).resolves.toBe(false);
    await expect(store.releaseDelivery('weekly', '2026-07-06', 'topic', 'run-1')).resolves.toBeUndefined();
  });

  it('listDailyReports and getDayCounts query one partition between two dates', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ PK: 'DAYCOUNT', SK: '2026-06-02', date: '2026-06-02', certified: 5 }] });
    expect(await store.getDayCounts('2026-06-01', '2026-06-30')).toEqual(new Map([['2026-06-02', 5]]));
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'DAYCOUNT', ':from': '2026-06-01', ':to': '2026-06-30' },
    });

    ddb.on(QueryCommand).resolves({ Items: [{ report }] });
    expect(await store.listDailyReports('2026-06-25', '2026-07-01')).toEqual([report]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExpressionAttributeValues: { ':pk': 'REPORT#DAILY', ':from': '2026-06-25', ':to': '2026-07-01' },
    });
  });

  it('recordRemoval is a conditional put keyed by privilege and request: a second one answers false', async () => {
    const removal = {
      userId: 'u-x',
      privilegeId: 'p-x',
      origin: 'MANUAL' as const,
      approvedAt: '2026-05-01T00:00:00.000Z',
      removedAt: '2026-07-01T12:00:00.000Z',
      removedBy: 'u-ops',
      reason: 'leak',
      requestId: 'r-1',
      status: 'REMOVING' as const,
    };
    await expect(store.recordRemoval(removal)).resolves.toBe(true);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: {
        ...removal,
        PK: 'REMOVAL#u-x',
        SK: 'p-x#r-1',
        entity: 'removal',
        GSI1PK: 'REMOVALS',
        GSI1SK: '2026-07-01T12:00:00.000Z#u-x',
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(store.recordRemoval(removal)).resolves.toBe(false);
  });

  it('completeRemoval updates a pending record only: false when completed already, NotFoundError when absent', async () => {
    const ref = { userId: 'u-x', privilegeId: 'p-x', requestId: 'r-1' };
    await expect(store.completeRemoval(ref, { status: 'NOT_REMOVED', at: '2026-07-01T12:00:01.000Z', notRemovedReason: 'rule' })).resolves.toBe(true);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: 'REMOVAL#u-x', SK: 'p-x#r-1' },
      UpdateExpression: 'SET #status = :status, completedAt = :at, notRemovedReason = :why',
      ConditionExpression: 'attribute_exists(PK) AND #status = :removing',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'NOT_REMOVED', ':at': '2026-07-01T12:00:01.000Z', ':removing': 'REMOVING', ':why': 'rule' },
    });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { PK: 'REMOVAL#u-x', SK: 'p-x#r-1', status: 'REMOVED' } });
    await expect(store.completeRemoval(ref, { status: 'REMOVED', at: '2026-07-01T12:00:02.000Z' })).resolves.toBe(false);
    ddb.on(GetCommand).resolves({});
    await expect(store.completeRemoval(ref, { status: 'REMOVED', at: '2026-07-01T12:00:02.000Z' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
