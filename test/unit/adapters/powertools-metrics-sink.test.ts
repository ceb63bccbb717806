import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetricsSink } from '../../../lambdas/shared/adapters/powertools-metrics-sink.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';

interface EmfRecord {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let lines: string[];
const saved = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };

beforeEach(() => {
  // Emit for real (the dev mode of Powertools would turn metrics off).
  delete process.env.POWERTOOLS_DEV;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const [name, value] of [['POWERTOOLS_DEV', saved.dev], ['POWERTOOLS_METRICS_DISABLED', saved.disabled]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const records = (): EmfRecord[] => lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EmfRecord);
const metricNames = (r: EmfRecord) => r._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);

describe('PowertoolsMetricsSink', () => {
  it('emits dimension-free metrics in one EMF record in the IdentityGovernance namespace, service idgov', async () => {
    await new PowertoolsMetricsSink().publish([
      { name: 'CompletionRate', unit: 'Percent', value: 62.5 },
      { name: 'OverdueEntries', unit: 'Count', value: 3 },
      { name: 'ComplianceScore', unit: 'None', value: 85 },
    ]);

    const [record, ...rest] = records();
    expect(rest).toEqual([]);
    expect(record!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service']],
        Metrics: [
          { Name: 'CompletionRate', Unit: 'Percent' },
          { Name: 'OverdueEntries', Unit: 'Count' },
          { Name: 'ComplianceScore', Unit: 'None' },
        ],
      },
    ]);
    expect(record).toMatchObject({ service: SERVICE_NAME, CompletionRate: 62.5, OverdueEntries: 3, ComplianceScore: 85 });
  });

  it('emits each metric with dimensions as its own record: its dimensions never reach the others', async () => {
    await new PowertoolsMetricsSink(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME })).publish([
      { name: 'HighRiskUsers', unit: 'Count', value: 2 },
      { name: 'UsersAtRisk', unit: 'Count', value: 5, dimensions: { RiskLevel: 'LOW' } },
      { name: 'UsersAtRisk', unit: 'Count', value: 1, dimensions: { RiskLevel: 'CRITICAL' } },
      { name: 'SodConflicts', unit: 'Count', value: 0 },
    ]);

    const emitted = records();
    expect(emitted).toHaveLength(3);
    const byLevel = emitted.filter((r) => metricNames(r).includes('UsersAtRisk'));
    expect(byLevel.map((r) => [r.RiskLevel, r.UsersAtRisk])).toEqual([
      ['LOW', 5],
      ['CRITICAL', 1],
    ]);
    for (const r of byLevel) {
      expect(r._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'RiskLevel']]);
      expect(metricNames(r)).toEqual(['UsersAtRisk']);
      expect(r._aws.CloudWatchMetrics[0]!.Namespace).toBe(METRICS_NAMESPACE);
    }
    const plain = emitted.find((r) => metricNames(r).includes('HighRiskUsers'))!;
    expect(metricNames(plain)).toEqual(['HighRiskUsers', 'SodConflicts']);
    expect(plain._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(plain).not.toHaveProperty('RiskLevel');
  });

  it('refuses a bad datum, naming it, before emitting anything', async () => {
    const sink = new PowertoolsMetricsSink();
    await expect(
      sink.publish([
        { name: 'OpenEntries', unit: 'Count', value: 4 },
        { name: 'CompletionRate', unit: 'Percent', value: Number.NaN },
      ]),
    ).rejects.toThrow(new ValidationError('must be a finite number', 'metrics[1].value'));
    await expect(sink.publish([{ name: 'UsersAtRisk', unit: 'Count', value: 1, dimensions: { RiskLevel: '' } }])).rejects.toThrow(
      'metrics[0].dimensions.RiskLevel',
    );
    expect(records()).toEqual([]);
    // Nothing was left buffered for a later publish either.
    await sink.publish([{ name: 'OpenEntries', unit: 'Count', value: 1 }]);
    expect(records().map((r) => r.OpenEntries)).toEqual([1]);
  });

  it('publishes nothing (and warns of nothing) for an empty list or one of dimensioned metrics only', async () => {
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    await new PowertoolsMetricsSink().publish([]);
    expect(records()).toEqual([]);
    await new PowertoolsMetricsSink().publish([{ name: 'UsersAtRisk', unit: 'Count', value: 2, dimensions: { RiskLevel: 'HIGH' } }]);
    expect(records()).toHaveLength(1);
    // Powertools warns "No application metrics to publish" when asked to publish an empty buffer.
    expect(errors.join('')).not.toMatch(/No application metrics/);
    new Metrics({ namespace: METRICS_NAMESPACE }).publishStoredMetrics();
    expect(errors.join('')).toMatch(/No application metrics/);
  });
});
