// Health measured on AWS: each monitored function's Errors and Throttles and each dead-letter
// queue's depth over the report's window, from CloudWatch GetMetricData (at most 500 queries a
// call, every page of NextToken read), plus the tables' reachability. A metric with no datapoint in
// the window measured 0: Lambda publishes Errors and Throttles only when the function ran, and SQS
// publishes nothing for a queue nobody touched. Errors and throttles are summed over the window as
// one period; a queue's depth is read in DEPTH_PERIOD_SECONDS periods, so that its latest value
// ("now") is known besides the window's maximum.
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ValidationError } from '../domain/errors.js';
import type { HealthComponent } from '../domain/operations.js';
import type { HealthProbe } from '../use-cases/ports.js';
import { chunk } from '../use-cases/concurrency.js';
import type { TableReachability } from './dynamo/dynamo-table-probe.js';

/** GetMetricData's limit of queries per request. */
export const MAX_QUERIES_PER_CALL = 500;
/** The period of a queue's depth readings (SQS publishes every minute or five). */
export const DEPTH_PERIOD_SECONDS = 300;
/** Longest error text a reason carries. */
export const ERROR_TEXT_MAX = 200;

export interface CloudWatchHealthProbeOptions {
  cloudwatch: CloudWatchClient;
  /** Job (the component is `function:<job>`) → Lambda function name. */
  functions: Record<string, string>;
  /** Job (the component is `queue:<job>`) → dead-letter queue name. */
  queues: Record<string, string>;
  tables: TableReachability;
}

type Measure = 'errors' | 'throttles' | 'depth';

interface Query {
  id: string;
  component: string;
  measure: Measure;
  namespace: 'AWS/Lambda' | 'AWS/SQS';
  metricName: string;
  dimension: { Name: 'FunctionName' | 'QueueName'; Value: string };
  stat: 'Sum' | 'Maximum';
}

interface Reading {
  values: number[];
  /** Each value's time (epoch ms), when CloudWatch gave one. */
  times: (number | undefined)[];
  /** Why the metric could not be read (CloudWatch's status, or the request's error). */
  failure?: string;
}

/** The window as one period: its length in whole minutes (CloudWatch periods are multiples of 60 s). */
export const periodSeconds = (from: Date, to: Date): number => Math.max(60, Math.round((to.getTime() - from.getTime()) / 60_000) * 60);

export class CloudWatchHealthProbe implements HealthProbe {
  readonly source = 'cloudwatch' as const;
  private readonly cloudwatch: CloudWatchClient;
  private readonly functions: [string, string][];
  private readonly queues: [string, string][];
  private readonly tables: TableReachability;

  constructor(options: CloudWatchHealthProbeOptions) {
    this.cloudwatch = options.cloudwatch;
    this.functions = Object.entries(options.functions);
    this.queues = Object.entries(options.queues);
    this.tables = options.tables;
  }

  async measure(from: Date, to: Date): Promise<HealthComponent[]> {
    if (!(to.getTime() > from.getTime())) throw new ValidationError('must be after from', 'to');
    const queries = this.queries();
    const [readings, tables] = await Promise.all([this.read(queries, from, to), this.tables.check()]);
    const window = `from ${from.toISOString()} to ${to.toISOString()}`;
    const byComponent = new Map<string, Map<Measure, Reading>>();
    for (const query of queries) {
      const measures = byComponent.get(query.component) ?? new Map<Measure, Reading>();
      measures.set(query.measure, readings.get(query.id)!);
      byComponent.set(query.component, measures);
    }

    const functions = this.functions.map(([job, functionName]): HealthComponent => {
      const name = `function:${job}`;
      const errors = byComponent.get(name)!.get('errors')!;
      const throttles = byComponent.get(name)!.get('throttles')!;
      const failure = errors.failure ?? throttles.failure;
      if (failure) return unreadable(name, `function ${functionName}`, failure);
      const details = { errors: sum(errors.values), throttles: sum(throttles.values) };
      if (details.errors === 0 && details.throttles === 0) return { name, status: 'HEALTHY', details };
      return {
        name,
        status: 'DEGRADED',
        reason: `function ${functionName} had ${count(details.errors, 'error')} and ${count(details.throttles, 'throttle')} ${window}`,
        details,
      };
    });
    const queues = this.queues.map(([job, queueName]): HealthComponent => {
      const name = `queue:${job}`;
      const depth = byComponent.get(name)!.get('depth')!;
      if (depth.failure) return unreadable(name, `dead-letter queue ${queueName}`, depth.failure);
      const max = depth.values.length ? Math.max(...depth.values) : 0;
      if (max === 0) return { name, status: 'HEALTHY', details: { depth: 0, latestDepth: 0 } };
      // Messages reached the queue in the window: DEGRADED even if someone has drained it since.
      const latest = latestOf(depth);
      return {
        name,
        status: 'DEGRADED',
        reason: `dead-letter queue ${queueName} holds ${count(latest, 'message')} now (at most ${max} ${window})`,
        details: { depth: max, latestDepth: latest },
      };
    });
    return [...functions, ...queues, ...tables];
  }

  private queries(): Query[] {
    const queries: Omit<Query, 'id'>[] = [];
    for (const [job, functionName] of this.functions) {
      for (const [measure, metricName] of [
        ['errors', 'Errors'],
        ['throttles', 'Throttles'],
      ] as const) {
        queries.push({
          component: `function:${job}`,
          measure,
          namespace: 'AWS/Lambda',
          metricName,
          dimension: { Name: 'FunctionName', Value: functionName },
          stat: 'Sum',
        });
      }
    }
    for (const [job, queueName] of this.queues) {
      queries.push({
        component: `queue:${job}`,
        measure: 'depth',
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimension: { Name: 'QueueName', Value: queueName },
        stat: 'Maximum',
      });
    }
    // Ids must start with a lower-case letter.
    return queries.map((query, i) => ({ ...query, id: `m${i}` }));
  }

  /** Every query's values over the window, the pages of each call merged by id. */
  private async read(queries: Query[], from: Date, to: Date): Promise<Map<string, Reading>> {
    const readings = new Map<string, Reading>(queries.map((q) => [q.id, { values: [], times: [] }]));
    const period = periodSeconds(from, to);
    for (const part of chunk(queries, MAX_QUERIES_PER_CALL)) {
      const metricDataQueries: MetricDataQuery[] = part.map((q) => ({
        Id: q.id,
        MetricStat: {
          Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions: [q.dimension] },
          Period: q.measure === 'depth' ? Math.min(period, DEPTH_PERIOD_SECONDS) : period,
          Stat: q.stat,
        },
        ReturnData: true,
      }));
      try {
        let nextToken: string | undefined;
        do {
          const output = await this.cloudwatch.send(
            new GetMetricDataCommand({
              MetricDataQueries: metricDataQueries,
              StartTime: from,
              EndTime: to,
              ScanBy: 'TimestampDescending',
              NextToken: nextToken,
            }),
          );
          for (const result of output.MetricDataResults ?? []) {
            const reading = result.Id ? readings.get(result.Id) : undefined;
            if (!reading) continue;
            const values = result.Values ?? [];
            reading.values.push(...values);
            reading.times.push(...values.map((_, i) => result.Timestamps?.[i]?.getTime()));
            if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
              const messages = (result.Messages ?? []).map((m) => m.Value ?? m.Code).filter(Boolean);
              reading.failure = truncate([`CloudWatch answered ${result.StatusCode}`, ...messages].join(': '));
            }
          }
          nextToken = output.NextToken;
        } while (nextToken);
      } catch (error) {
        // Not knowing is not healthy: each metric of the call is reported unreadable, with the reason.
        const failure = `GetMetricData failed: ${error instanceof Error ? truncate(`${error.name}: ${error.message}`) : truncate(String(error))}`;
        for (const q of part) readings.get(q.id)!.failure = failure;
      }
    }
    return readings;
  }
}

/**
 * The latest value: the one with the latest timestamp; without timestamps, the first one read
 * (values come newest first, TimestampDescending, across pages).
 */
function latestOf(reading: Reading): number {
  let latest = 0;
  for (let i = 1; i < reading.values.length; i++) {
    if ((reading.times[i] ?? -Infinity) > (reading.times[latest] ?? -Infinity)) latest = i;
  }
  return reading.values[latest] ?? 0;
}

/** At most ERROR_TEXT_MAX characters, an ellipsis marking a cut. */
export const truncate = (text: string): string => (text.length <= ERROR_TEXT_MAX ? text : `${text.slice(0, ERROR_TEXT_MAX - 1)}…`);

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const unreadable = (name: string, what: string, failure: string): HealthComponent => ({
  name,
  status: 'DEGRADED',
  reason: `the metrics of ${what} could not be read (${failure})`,
  details: { error: failure },
});
