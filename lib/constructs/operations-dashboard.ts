import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Dashboard,
  GraphWidget,
  type IWidget,
  type Metric,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OPERATIONS_METRICS } from '../../lambdas/shared/config/metrics.js';
import { RISK_LEVELS } from '../../lambdas/shared/domain/model.js';
import { JOB_NAMES } from '../../lambdas/shared/domain/operations.js';
import { operationsMetric } from './operations-metrics.js';

/** The dashboard's name in a deployment with the default stack names. */
export const OPERATIONS_DASHBOARD_NAME = 'IdentityGovernanceOperations';

export interface OperationsDashboardProps {
  /** @default OPERATIONS_DASHBOARD_NAME (dashboard names are unique in an account and region) */
  readonly dashboardName?: string;
  /** Every function of the product, by the name the daily report uses for it. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Every dead-letter queue, by the job it belongs to. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** The approver HTTP API (its 5xx answers are system health too). */
  readonly httpApi: IHttpApi;
  /** Notifications marked FAILED (the controller's metric filter). */
  readonly failedNotifications: Metric;
}

const FULL = 24;
const HALF = 12;
const THIRD = 8;
const HEIGHT = 6;

/**
 * The operations dashboard: certification status (with entries decided and active campaigns), risk
 * distribution over time, system health (errors, throttles and duration per function, dead-letter
 * queue depth, heartbeats and each job's heartbeat age, health) and the KPIs with the compliance
 * score over time. The daily figures are one data point a day (the daily-operations job), drawn per day
 * over four weeks; the service metrics per hour.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const m = OPERATIONS_METRICS;
    const functions = Object.entries(props.functions);
    const hourly = { period: Duration.hours(1) };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? OPERATIONS_DASHBOARD_NAME,
      defaultInterval: Duration.days(28),
      widgets: [
        [heading('Certification status', 'Running campaigns, from the daily operations report (08:00 UTC)')],
        [
          new GraphWidget({
            title: 'Completion rate (%)',
            width: THIRD,
            height: HEIGHT,
            left: [operationsMetric(m.completionRate, { statistic: 'Minimum' })],
            leftYAxis: { min: 0, max: 100 },
          }),
          new GraphWidget({
            title: 'Open and overdue entries',
            width: THIRD,
            height: HEIGHT,
            left: [operationsMetric(m.openEntries), operationsMetric(m.overdueEntries)],
            leftYAxis: { min: 0 },
          }),
          new GraphWidget({
            title: 'Entries decided (24 h) and active campaigns',
            width: THIRD,
            height: HEIGHT,
            left: [operationsMetric(m.entriesDecided), operationsMetric(m.activeCampaigns)],
            leftYAxis: { min: 0 },
          }),
        ],
        [heading('Risk distribution', 'From the daily risk assessment (07:30 UTC)')],
        [
          new GraphWidget({
            title: 'Users by risk level',
            width: HALF,
            height: HEIGHT,
            stacked: true,
            left: RISK_LEVELS.map((level) => operationsMetric(m.usersAtRisk, { riskLevel: level, label: level })),
            leftYAxis: { min: 0 },
          }),
          new GraphWidget({
            title: 'High-risk users, SoD conflicts, orphaned access',
            width: HALF,
            height: HEIGHT,
            left: [operationsMetric(m.highRiskUsers), operationsMetric(m.sodConflicts), operationsMetric(m.orphanedAccess)],
            leftYAxis: { min: 0 },
          }),
        ],
        [heading('System health', 'Per function and queue; heartbeats and health from the daily report')],
        [
          new GraphWidget({
            title: 'Errors per function',
            width: THIRD,
            height: HEIGHT,
            left: functions.map(([name, fn]) => fn.metricErrors({ ...hourly, statistic: 'Sum', label: name })),
            leftYAxis: { min: 0 },
          }),
          new GraphWidget({
            title: 'Throttles per function',
            width: THIRD,
            height: HEIGHT,
            left: functions.map(([name, fn]) => fn.metricThrottles({ ...hourly, statistic: 'Sum', label: name })),
            leftYAxis: { min: 0 },
          }),
          new GraphWidget({
            title: 'Duration per function (p95, ms)',
            width: THIRD,
            height: HEIGHT,
            left: functions.map(([name, fn]) => fn.metricDuration({ ...hourly, statistic: 'p95', label: name })),
            leftYAxis: { min: 0 },
          }),
        ],
        [
          new GraphWidget({
            title: 'Dead-letter queue depth',
            width: THIRD,
            height: HEIGHT,
            left: Object.entries(props.queues).map(([name, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({ ...hourly, statistic: 'Maximum', label: name }),
            ),
            leftYAxis: { min: 0 },
          }),
          new GraphWidget({
            title: 'Missed heartbeats, degraded health, non-compliant, high risk above threshold',
            width: THIRD,
            height: HEIGHT,
            left: [
              operationsMetric(m.missedHeartbeats),
              operationsMetric(m.healthDegraded),
              operationsMetric(m.nonCompliant),
              operationsMetric(m.highRiskUsersAboveThreshold),
            ],
            leftYAxis: { min: 0 },
          }),
          new GraphWidget({
            title: 'Approver API 5xx and failed notifications',
            width: THIRD,
            height: HEIGHT,
            left: [
              props.httpApi.metricServerError({ ...hourly, statistic: 'Sum', label: 'Approver API 5xx' }),
              props.failedNotifications.with({ ...hourly, statistic: 'Sum', label: 'Notifications failed' }),
            ],
            leftYAxis: { min: 0 },
          }),
        ],
        [
          new GraphWidget({
            title: "Hours since each job's last completed run",
            width: FULL,
            height: HEIGHT,
            left: JOB_NAMES.map((job) => operationsMetric(m.heartbeatAgeHours, { job, label: job })),
            leftYAxis: { min: 0 },
          }),
        ],
        [heading('KPIs', 'The latest daily report, and the compliance score over time')],
        [
          new SingleValueWidget({
            title: 'Compliance score, completion rate, high-risk users, overdue entries',
            width: FULL,
            height: 4,
            metrics: [
              operationsMetric(m.complianceScore, { statistic: 'Minimum' }),
              operationsMetric(m.completionRate, { statistic: 'Minimum' }),
              operationsMetric(m.highRiskUsers),
              operationsMetric(m.overdueEntries),
            ],
          }),
        ],
        [
          new GraphWidget({
            title: 'Compliance score over time',
            width: FULL,
            height: HEIGHT,
            left: [operationsMetric(m.complianceScore, { statistic: 'Minimum' })],
            leftYAxis: { min: 0, max: 100 },
          }),
        ],
      ],
    });
  }
}

function heading(title: string, subtitle: string): IWidget {
  return new TextWidget({ markdown: `## ${title}\n${subtitle}`, width: FULL, height: 2 });
}
