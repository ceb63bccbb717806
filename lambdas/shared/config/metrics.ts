// The custom metrics of daily operations: the one list of their names, units and dimensions. The
// daily-operations job emits them (Powertools Metrics, EMF, namespace METRICS_NAMESPACE); the
// dashboard and the alarms (lib/constructs/operations-dashboard.ts, operations-alarms.ts) read them.
// A name changed here changes both sides.
import { SERVICE_NAME } from './tables.js';

/** Names of the metrics the daily-operations job emits once per run. */
export const OPERATIONS_METRICS = {
  /** Entries decided (certified) in the 24 hours before the report. */
  entriesDecided: 'EntriesDecided',
  /** Campaigns RUNNING at the report. */
  activeCampaigns: 'ActiveCampaigns',
  /** Certification completion rate of the running campaigns, 0–100. */
  completionRate: 'CompletionRate',
  /** Entries of running campaigns still waiting for a decision. */
  openEntries: 'OpenEntries',
  overdueEntries: 'OverdueEntries',
  /** Users at HIGH or CRITICAL. */
  highRiskUsers: 'HighRiskUsers',
  sodConflicts: 'SodConflicts',
  orphanedAccess: 'OrphanedAccess',
  /** 0–100 points. */
  complianceScore: 'ComplianceScore',
  /** 1 when the report is NON_COMPLIANT (score below the configured compliance.compliantAt), else 0. */
  nonCompliant: 'NonCompliant',
  /** 1 when more users are at HIGH or CRITICAL than the configured recommendations.highRiskUsersAbove, else 0. */
  highRiskUsersAboveThreshold: 'HighRiskUsersAboveThreshold',
  /** Users per risk level: one data point per level, dimension RISK_LEVEL_DIMENSION. */
  usersAtRisk: 'UsersAtRisk',
  /** Scheduled jobs whose heartbeat says a run is missing. */
  missedHeartbeats: 'MissedHeartbeats',
  /** 1 when the report's health is DEGRADED, else 0. */
  healthDegraded: 'HealthDegraded',
  /**
   * Hours from each job's latest completed run (its business time) to the report: one data point per
   * job that completed one, dimension JOB_DIMENSION.
   */
  heartbeatAgeHours: 'HeartbeatAgeHours',
} as const;

export type OperationsMetricName = (typeof OPERATIONS_METRICS)[keyof typeof OPERATIONS_METRICS];

/** The unit each metric is emitted with (a score is points out of 100, not a share: None). */
export const OPERATIONS_METRIC_UNITS: Readonly<Record<OperationsMetricName, 'Count' | 'Percent' | 'None'>> = {
  EntriesDecided: 'Count',
  ActiveCampaigns: 'Count',
  CompletionRate: 'Percent',
  OpenEntries: 'Count',
  OverdueEntries: 'Count',
  HighRiskUsers: 'Count',
  SodConflicts: 'Count',
  OrphanedAccess: 'Count',
  ComplianceScore: 'None',
  NonCompliant: 'Count',
  HighRiskUsersAboveThreshold: 'Count',
  UsersAtRisk: 'Count',
  MissedHeartbeats: 'Count',
  HealthDegraded: 'Count',
  HeartbeatAgeHours: 'None',
};

/** The dimension of UsersAtRisk; its values are the risk levels (LOW, MEDIUM, HIGH, CRITICAL). */
export const RISK_LEVEL_DIMENSION = 'RiskLevel';

/** The dimension of HeartbeatAgeHours; its values are the job names (campaign-controller, risk-assessment, …). */
export const JOB_DIMENSION = 'Job';

/**
 * The dimension every metric carries: Powertools Metrics adds `service` (POWERTOOLS_SERVICE_NAME,
 * which every function sets to SERVICE_NAME) to each data point, and CloudWatch identifies a metric
 * by its name and all its dimensions, so the dashboard and the alarms name it too. The emitter keeps
 * this default dimension (it must not clear it).
 */
export const SERVICE_DIMENSION = { service: SERVICE_NAME } as const;
