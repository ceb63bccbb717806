import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, CloudWatchServiceException, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchHealthProbe, periodSeconds } from '../../../lambdas/shared/adapters/cloudwatch-health-probe.js';
import { createDocumentClient } from '../../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoTableProbe, LocalHealthProbe, type TableReachability } from '../../../lambdas/shared/adapters/dynamo/dynamo-table-probe.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { HealthComponent } from '../../../lambdas/shared/domain/operations.js';

const cloudwatch = mockClient(CloudWatchClient);
const ddb = mockClient(DynamoDBDocumentClient);
const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const doc = createDocumentClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

const FROM = new Date('2026-07-01T08:00:00.000Z');
const TO = new Date('2026-07-02T08:00:00.000Z');
const healthyTables: TableReachability = { check: async () => [{ name: 'table:campaigns', status: 'HEALTHY' }] };

/** The id of the query for a metric of a dimension value, from the request that carried it. */
function idOf(input: GetMetricDataCommandInput, metricName: string, dimensionValue: string): string {
  const query = input.MetricDataQueries!.find(
    (q) => q.MetricStat?.Metric?.MetricName === metricName && q.MetricStat.Metric.Dimensions?.[0]?.Value === dimensionValue,
  );
  if (!query) throw new Error(`no query for ${metricName} of ${dimensionValue}`);
  return query.Id!;
}

beforeEach(() => {
  cloudwatch.reset();
  ddb.reset();
});

describe('CloudWatchHealthProbe', () => {
  const probe = () =>
    new CloudWatchHealthProbe({
      cloudwatch: client,
      functions: { 'campaign-controller': 'idgov-controller', 'daily-operations': 'idgov-daily' },
      queues: { 'campaign-controller': 'idgov-controller-dlq' },
      tables: healthyTables,
    });

  it('asks for Errors and Throttles (Sum) per function over the window as one period, and the DLQ depth (Maximum) every 5 minutes, newest first', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await probe().measure(FROM, TO);

    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: FROM,
      EndTime: TO,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'm0',
          MetricStat: {
            Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'idgov-controller' }] },
            Period: 86_400,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
        {
          Id: 'm1',
          MetricStat: {
            Metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: 'idgov-controller' }] },
            Period: 86_400,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
        expect.objectContaining({ Id: 'm2' }),
        expect.objectContaining({ Id: 'm3' }),
        {
          Id: 'm4',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Dimensions: [{ Name: 'QueueName', Value: 'idgov-controller-dlq' }],
            },
            Period: 300,
            Stat: 'Maximum',
          },
          ReturnData: true,
        },
      ],
    });
  });

  it('reports every component HEALTHY with zeros when CloudWatch has no datapoints, and the tables after them', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: ['m0', 'm1', 'm2', 'm3', 'm4'].map((Id) => ({ Id, Values: [], Timestamps: [], StatusCode: 'Complete' })),
    });

    expect(await probe().measure(FROM, TO)).toEqual<HealthComponent[]>([
      { name: 'function:campaign-controller', status: 'HEALTHY', details: { errors: 0, throttles: 0 } },
      { name: 'function:daily-operations', status: 'HEALTHY', details: { errors: 0, throttles: 0 } },
      { name: 'queue:campaign-controller', status: 'HEALTHY', details: { depth: 0, latestDepth: 0 } },
      { name: 'table:campaigns', status: 'HEALTHY' },
    ]);
    expect(probe().source).toBe('cloudwatch');
  });

  it('a function with errors or throttles, and a DLQ holding messages, are DEGRADED with the counts, across NextToken pages', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const errors = idOf(input, 'Errors', 'idgov-daily');
      const throttles = idOf(input, 'Throttles', 'idgov-controller');
      const depth = idOf(input, 'ApproximateNumberOfMessagesVisible', 'idgov-controller-dlq');
      if (!input.NextToken) {
        return {
          MetricDataResults: [
            { Id: errors, Values: [2], StatusCode: 'PartialData' },
            // Newest first: 1 message at 07:55, 4 at 07:50.
            { Id: depth, Values: [1, 4], Timestamps: [new Date('2026-07-02T07:55:00.000Z'), new Date('2026-07-02T07:50:00.000Z')], StatusCode: 'PartialData' },
          ],
          NextToken: 'page-2',
        };
      }
      return {
        MetricDataResults: [
          { Id: errors, Values: [1], StatusCode: 'Complete' },
          { Id: throttles, Values: [1], StatusCode: 'Complete' },
          { Id: depth, Values: [2], Timestamps: [new Date('2026-07-01T09:00:00.000Z')], StatusCode: 'Complete' },
        ],
      };
    });

    const components = await probe().measure(FROM, TO);

    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cloudwatch).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page-2' });
    expect(components).toEqual<HealthComponent[]>([
      {
        name: 'function:campaign-controller',
        status: 'DEGRADED',
        reason: 'function idgov-controller had 0 errors and 1 throttle from 2026-07-01T08:00:00.000Z to 2026-07-02T08:00:00.000Z',
        details: { errors: 0, throttles: 1 },
      },
      {
        name: 'function:daily-operations',
        status: 'DEGRADED',
        reason: 'function idgov-daily had 3 errors and 0 throttles from 2026-07-01T08:00:00.000Z to 2026-07-02T08:00:00.000Z',
        details: { errors: 3, throttles: 0 },
      },
      {
        name: 'queue:campaign-controller',
        status: 'DEGRADED',
        reason: 'dead-letter queue idgov-controller-dlq holds 1 message now (at most 4 from 2026-07-01T08:00:00.000Z to 2026-07-02T08:00:00.000Z)',
        details: { depth: 4, latestDepth: 1 },
      },
      { name: 'table:campaigns', status: 'HEALTHY' },
    ]);
  });

  it('a DLQ that held messages in the window and is empty now stays DEGRADED, saying it holds none now', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: [
        {
          Id: idOf(input, 'ApproximateNumberOfMessagesVisible', 'idgov-controller-dlq'),
          Values: [0, 0, 3],
          Timestamps: [new Date('2026-07-02T07:55:00.000Z'), new Date('2026-07-02T07:50:00.000Z'), new Date('2026-07-01T12:00:00.000Z')],
          StatusCode: 'Complete',
        },
      ],
    }));
    const queue = (await probe().measure(FROM, TO)).find((c) => c.name === 'queue:campaign-controller');
    expect(queue).toEqual({
      name: 'queue:campaign-controller',
      status: 'DEGRADED',
      reason: 'dead-letter queue idgov-controller-dlq holds 0 messages now (at most 3 from 2026-07-01T08:00:00.000Z to 2026-07-02T08:00:00.000Z)',
      details: { depth: 3, latestDepth: 0 },
    });
  });

  it('splits more than 500 queries into calls of at most 500 and reads every answer', async () => {
    const functions = Object.fromEntries(Array.from({ length: 260 }, (_, i) => [`job-${i}`, `fn-${i}`]));
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.filter((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value === 'fn-259').map((q) => ({
        Id: q.Id,
        Values: [q.MetricStat?.Metric?.MetricName === 'Errors' ? 7 : 0],
      })),
    }));
    const components = await new CloudWatchHealthProbe({ cloudwatch: client, functions, queues: {}, tables: { check: async () => [] } }).measure(FROM, TO);

    const sizes = cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries!.length);
    expect(sizes).toEqual([500, 20]);
    const ids = cloudwatch.commandCalls(GetMetricDataCommand).flatMap((call) => call.args[0].input.MetricDataQueries!.map((q) => q.Id));
    expect(new Set(ids).size).toBe(520);
    expect(components).toHaveLength(260);
    expect(components.filter((c) => c.status === 'DEGRADED')).toEqual([expect.objectContaining({ name: 'function:job-259', details: { errors: 7, throttles: 0 } })]);
  });

  it('a metric CloudWatch could not read, or a failed call, is DEGRADED with the reason: never assumed healthy', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'm0', Values: [], StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'not authorized' }] },
        { Id: 'm1', Values: [], StatusCode: 'Complete' },
      ],
    });
    const [controller, daily] = await probe().measure(FROM, TO);
    expect(controller).toEqual({
      name: 'function:campaign-controller',
      status: 'DEGRADED',
      reason: 'the metrics of function idgov-controller could not be read (CloudWatch answered Forbidden: not authorized)',
      details: { error: 'CloudWatch answered Forbidden: not authorized' },
    });
    expect(daily!.status).toBe('HEALTHY');

    cloudwatch.on(GetMetricDataCommand).rejects(
      new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'denied' }),
    );
    const failed = await probe().measure(FROM, TO);
    expect(failed.slice(0, 3).map((c) => [c.name, c.status, c.reason])).toEqual([
      ['function:campaign-controller', 'DEGRADED', 'the metrics of function idgov-controller could not be read (GetMetricData failed: AccessDenied: denied)'],
      ['function:daily-operations', 'DEGRADED', 'the metrics of function idgov-daily could not be read (GetMetricData failed: AccessDenied: denied)'],
      ['queue:campaign-controller', 'DEGRADED', 'the metrics of dead-letter queue idgov-controller-dlq could not be read (GetMetricData failed: AccessDenied: denied)'],
    ]);
    expect(failed[3]).toEqual({ name: 'table:campaigns', status: 'HEALTHY' });
  });

  it('cuts an error message to 200 characters in the reason', async () => {
    const message = `User: arn:aws:sts::123456789012:assumed-role/idgov-daily/x is not authorized to perform: cloudwatch:GetMetricData ${'x'.repeat(400)}`;
    cloudwatch.on(GetMetricDataCommand).rejects(new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message }));
    const [controller] = await probe().measure(FROM, TO);
    const error = (controller!.details as { error: string }).error;
    expect(error).toBe(`GetMetricData failed: ${`AccessDenied: ${message}`.slice(0, 199)}…`);
    expect(error.length).toBe('GetMetricData failed: '.length + 200);
    expect(controller!.reason).toContain('is not authorized to perform: cloudwatch:GetMetricData');
  });

  it('refuses an empty window, naming `to`', async () => {
    await expect(probe().measure(TO, TO)).rejects.toThrow(ValidationError);
    await expect(probe().measure(TO, FROM)).rejects.toThrow('to: must be after from');
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });

  it('periodSeconds is the window length rounded to whole minutes, at least one', () => {
    expect(periodSeconds(FROM, TO)).toBe(86_400);
    expect(periodSeconds(FROM, new Date(FROM.getTime() + 89_000))).toBe(60);
    expect(periodSeconds(FROM, new Date(FROM.getTime() + 91_000))).toBe(120);
    expect(periodSeconds(FROM, new Date(FROM.getTime() + 10_000))).toBe(60);
  });
});

describe('DynamoTableProbe and LocalHealthProbe', () => {
  it('reads the sentinel key of each table: an answer is HEALTHY, an error DEGRADED with its name', async () => {
    ddb.on(GetCommand, { TableName: 'idgov-campaigns' }).resolves({});
    ddb.on(GetCommand, { TableName: 'idgov-operations' }).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    const tables = new DynamoTableProbe({ doc, tables: { campaigns: 'idgov-campaigns', operations: 'idgov-operations' } });

    const components = await new LocalHealthProbe({ tables }).measure();

    expect(components).toEqual<HealthComponent[]>([
      { name: 'table:campaigns', status: 'HEALTHY', details: { tableName: 'idgov-campaigns' } },
      {
        name: 'table:operations',
        status: 'DEGRADED',
        reason: 'table idgov-operations could not be read: ResourceNotFoundException',
        details: { tableName: 'idgov-operations', error: 'ResourceNotFoundException' },
      },
    ]);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'idgov-campaigns', Key: { PK: '#HEALTH', SK: '#HEALTH' } });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'idgov-operations', Key: { PK: '#HEALTH', SK: '#HEALTH' } });
    expect(new LocalHealthProbe({ tables }).source).toBe('local');
  });

  it('CloudWatchHealthProbe reports the table probe\'s components as measured', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    ddb.on(GetCommand).resolves({});
    const tables = new DynamoTableProbe({ doc, tables: { directory: 'idgov-directory' } });
    const components = await new CloudWatchHealthProbe({ cloudwatch: client, functions: {}, queues: {}, tables }).measure(FROM, TO);
    expect(components).toEqual([{ name: 'table:directory', status: 'HEALTHY', details: { tableName: 'idgov-directory' } }]);
    // Nothing to ask CloudWatch about: no call.
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });
});
