// MetricsSink over Powertools Metrics: CloudWatch embedded metric format (EMF) lines on stdout,
// which Lambda's log delivery turns into custom metrics (namespace METRICS_NAMESPACE). Metrics
// without dimensions share one EMF record; each metric with dimensions is its own single-metric
// record, so that its dimensions never attach to the others.
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../config/tables.js';
import { ValidationError } from '../domain/errors.js';
import type { MetricDatum, MetricsSink } from '../use-cases/ports.js';

const UNITS = { Count: MetricUnit.Count, Percent: MetricUnit.Percent, None: MetricUnit.NoUnit } as const;

export const createMetrics = (): Metrics => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export class PowertoolsMetricsSink implements MetricsSink {
  constructor(private readonly metrics: Metrics = createMetrics()) {}

  async publish(data: MetricDatum[]): Promise<void> {
    // All or nothing: a bad datum is refused before any metric is emitted.
    data.forEach(validate);
    for (const datum of data) {
      const dimensions = Object.entries(datum.dimensions ?? {});
      if (dimensions.length === 0) {
        this.metrics.addMetric(datum.name, UNITS[datum.unit], datum.value);
        continue;
      }
      const single = this.metrics.singleMetric();
      for (const [name, value] of dimensions) single.addDimension(name, value);
      // A single-metric instance emits its record at once.
      single.addMetric(datum.name, UNITS[datum.unit], datum.value);
    }
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}

function validate(datum: MetricDatum, i: number): void {
  if (typeof datum.name !== 'string' || !datum.name.trim() || datum.name.length > 255) {
    throw new ValidationError('must be a name of 1 to 255 characters', `metrics[${i}].name`);
  }
  if (!Object.hasOwn(UNITS, datum.unit)) throw new ValidationError(`must be one of ${Object.keys(UNITS).join(', ')}`, `metrics[${i}].unit`);
  if (typeof datum.value !== 'number' || !Number.isFinite(datum.value)) throw new ValidationError('must be a finite number', `metrics[${i}].value`);
  for (const [name, value] of Object.entries(datum.dimensions ?? {})) {
    if (!name.trim() || typeof value !== 'string' || !value.trim()) {
      throw new ValidationError('dimension names and values must be non-empty strings', `metrics[${i}].dimensions.${name}`);
    }
  }
}
