import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  JOB_DIMENSION,
  type OperationsMetricName,
  RISK_LEVEL_DIMENSION,
  SERVICE_DIMENSION,
} from '../../lambdas/shared/config/metrics.js';
import { METRICS_NAMESPACE } from '../../lambdas/shared/config/tables.js';

export interface OperationsMetricOptions {
  /** @default one day: the daily-operations job emits each metric once a day */
  readonly period?: Duration;
  /** @default Maximum */
  readonly statistic?: string;
  /** For UsersAtRisk: the risk level. */
  readonly riskLevel?: string;
  /** For HeartbeatAgeHours: the job name. */
  readonly job?: string;
  /** For graphs. @default the metric name */
  readonly label?: string;
}

/**
 * A custom metric of daily operations (lambdas/shared/config/metrics.ts) as the daily-operations job
 * emits it: namespace METRICS_NAMESPACE, the `service` dimension Powertools adds, RiskLevel for
 * UsersAtRisk and Job for HeartbeatAgeHours.
 */
export function operationsMetric(name: OperationsMetricName, options: OperationsMetricOptions = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: {
      ...SERVICE_DIMENSION,
      ...(options.riskLevel ? { [RISK_LEVEL_DIMENSION]: options.riskLevel } : {}),
      ...(options.job ? { [JOB_DIMENSION]: options.job } : {}),
    },
    period: options.period ?? Duration.days(1),
    statistic: options.statistic ?? 'Maximum',
    // An alarm on a labelled metric becomes a metric-math alarm: labels are for graphs only.
    label: options.label,
  });
}
