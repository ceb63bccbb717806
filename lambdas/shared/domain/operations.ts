// Daily operations vocabulary (docs/reference/operations.md): the risk assessment, the scheduled
// jobs and their heartbeats, the daily report and the weekly summary. Pure types and defaults.
import type { RiskLevel } from './model.js';
import type { RubberStampThresholds } from './reports/campaign-report.js';
import { DEFAULT_RUBBER_STAMP_THRESHOLDS } from './reports/reviewer-analytics.js';

/** The product's scheduled jobs; each records a heartbeat per run. */
export const JOB_NAMES = [
  'campaign-controller',
  'risk-assessment',
  'daily-operations',
  'weekly-summary',
  'initialize-reapproval',
  'start-reapproval',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/**
 * When a job should run, in UTC: `hourly` (any minute, at least once an hour), `daily` at hh:mm,
 * or `weekly` on a weekday (0 = Sunday .. 6 = Saturday) at hh:mm.
 */
export type JobSchedule =
  | { kind: 'hourly' }
  | { kind: 'daily'; hour: number; minute: number }
  | { kind: 'weekly'; weekday: number; hour: number; minute: number };

/** Everything an operator tunes without a code change (`idgov config load FILE`). */
export interface OperationsConfig {
  version: 1;
  risk: {
    /** Holding more than this many HIGH/CRITICAL privileges raises the user's level by one. */
    maxHighRiskPrivileges: number;
    /** Privilege id pairs that must not be held together (segregation of duties): CRITICAL. */
    toxicCombinations: { privileges: [string, string]; reason?: string }[];
    /** Days an assessment is kept (TTL) for the trend. */
    retentionDays: number;
  };
  certification: {
    /** Completion rate below this (percent) → a recommendation to send reminders. */
    completionRateThreshold: number;
  };
  compliance: {
    /** Score at or above which the status is COMPLIANT. */
    compliantAt: number;
    /** Certifications in the last 30 days: fewer than `below` subtracts `penalty`; first matching rule wins. */
    certificationRules: { below: number; penalty: number }[];
    /** HIGH/CRITICAL users: more than `above` subtracts `penalty`; first matching rule wins. */
    highRiskUserRules: { above: number; penalty: number }[];
  };
  recommendations: {
    /** More HIGH/CRITICAL users than this → review and remediate now. */
    highRiskUsersAbove: number;
  };
  health: {
    /** Minutes after a scheduled time before a run that has not completed counts as missed. */
    heartbeatGraceMinutes: number;
  };
  schedules: Record<JobName, JobSchedule>;
  /** Operations recipients of the daily report and weekly summary (email addresses). */
  recipients: string[];
  /** Days a daily or weekly report is kept. */
  reportRetentionDays: number;
  /** When campaign reports flag a reviewer as a rubber stamp (docs/reference/reports.md). */
  reviewerAnalytics: RubberStampThresholds;
}

export const DEFAULT_OPERATIONS_CONFIG: OperationsConfig = {
  version: 1,
  risk: { maxHighRiskPrivileges: 3, toxicCombinations: [], retentionDays: 400 },
  certification: { completionRateThreshold: 80 },
  compliance: {
    compliantAt: 80,
    certificationRules: [
      { below: 10, penalty: 20 },
      { below: 20, penalty: 10 },
    ],
    highRiskUserRules: [
      { above: 10, penalty: 30 },
      { above: 5, penalty: 15 },
      { above: 0, penalty: 5 },
    ],
  },
  recommendations: { highRiskUsersAbove: 5 },
  health: { heartbeatGraceMinutes: 90 },
  schedules: {
    'campaign-controller': { kind: 'hourly' },
    'risk-assessment': { kind: 'daily', hour: 7, minute: 30 },
    'daily-operations': { kind: 'daily', hour: 8, minute: 0 },
    'weekly-summary': { kind: 'weekly', weekday: 1, hour: 9, minute: 0 },
    // Re-approval: initialize first, so that an assignment flagged the day before starts the same morning.
    'initialize-reapproval': { kind: 'daily', hour: 5, minute: 0 },
    'start-reapproval': { kind: 'daily', hour: 6, minute: 0 },
  },
  recipients: [],
  reportRetentionDays: 400,
  reviewerAnalytics: DEFAULT_RUBBER_STAMP_THRESHOLDS,
};

/** One user's assessment on one day (UTC date). */
export interface RiskAssessment {
  date: string;
  userId: string;
  userStatus: 'ACTIVE' | 'DISABLED';
  /** The level the rules computed from the user's access. */
  computedLevel: RiskLevel;
  /** The level declared in the directory file, if any. */
  declaredLevel?: RiskLevel;
  /** What the user's `riskLevel` became: the higher of declared and computed. */
  level: RiskLevel;
  /** Why: one plain sentence per rule that applied. */
  reasons: string[];
  privilegeCount: number;
  highRiskPrivilegeCount: number;
  /** The toxic pairs held: the first LIST_CAP (`sodConflictCount` counts them all). */
  sodConflicts: SodConflict[];
  /** Every toxic pair held (absent on assessments stored before lists were capped: `sodConflicts.length`). */
  sodConflictCount?: number;
  /** Set for a DISABLED user who still holds access. */
  orphanedAccess?: OrphanedAccess;
  assessedAt: string;
  /**
   * The round of the date's assessment that wrote it (the assessment job sets it): a date assessed
   * again starts a new round, and its summary counts only that round's assessments.
   */
  round?: string;
}

export interface SodConflict {
  userId: string;
  privileges: [string, string];
  reason?: string;
}

export interface OrphanedAccess {
  userId: string;
  /** The first ORPHANED_ASSIGNMENTS_CAP assignments held, the highest risk first (records stay under DynamoDB's item size). */
  assignments: { privilegeId: string; origin: string }[];
  /** Every assignment held (absent on records stored before the list was capped: `assignments.length`). */
  assignmentCount?: number;
}

/** What one day's assessment found, written once the last user is assessed. */
export interface RiskSummary {
  date: string;
  assessedAt: string;
  users: number;
  usersByLevel: Record<RiskLevel, number>;
  /** Lists are capped (LIST_CAP entries, LIST_CHARS_CAP characters) with the full counts beside them. */
  sodConflicts: number;
  sodConflictList: SodConflict[];
  orphanedAccess: number;
  orphanedAccessList: OrphanedAccess[];
}

/** Longest list a report or summary carries; the counts are always complete. */
export const LIST_CAP = 50;
/**
 * Most characters (as JSON) each list of a summary or report carries, whatever LIST_CAP allows:
 * with ids at their longest (256 characters) both lists still fit in one DynamoDB item (400 KB).
 */
export const LIST_CHARS_CAP = 100_000;
/** Assignments an orphaned access lists per user; `assignmentCount` counts them all. */
export const ORPHANED_ASSIGNMENTS_CAP = 20;

export type JobOutcome = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

/** One run of a scheduled job: written at its start, completed at its end. */
export interface JobRun {
  job: JobName;
  runId: string;
  /** The run's business time ("now" of the event) — what schedules are compared with. */
  scheduledFor: string;
  /** Wall-clock start and end. */
  startedAt: string;
  endedAt?: string;
  outcome: JobOutcome;
  error?: string;
  /** Small job-specific result (counts), for the operator. */
  summary?: Record<string, unknown>;
}

/** The latest runs of a job, kept on one record the health check reads. */
export interface JobHeartbeat {
  job: JobName;
  lastRun?: JobRun;
  /** The latest run that ended SUCCEEDED or SKIPPED. */
  lastCompleted?: JobRun;
}

export type HealthStatus = 'HEALTHY' | 'DEGRADED';

export interface HealthComponent {
  /** e.g. `function:campaign-controller`, `queue:daily-operations`, `table:campaigns`, `heartbeat:risk-assessment` */
  name: string;
  status: HealthStatus;
  /** Plain words; present when DEGRADED, and may explain a HEALTHY one. */
  reason?: string;
  /** Measured values (errors, throttles, depth, last run ...). */
  details?: Record<string, unknown>;
}

export interface DailyReport {
  /** The UTC date the report is for. */
  date: string;
  generatedAt: string;
  window: { from: string; to: string };
  certification: {
    entriesByState: Record<string, number>;
    entriesDecided24h: number;
    /** 0–100, one decimal. */
    completionRate: number;
    overdueEntries: number;
    activeCampaigns: number;
  };
  risk: {
    /** Date of the assessment used (today's, or the latest one, named). */
    assessedOn?: string;
    usersByLevel: Record<RiskLevel, number>;
    /** 0–100, one decimal. */
    highRiskShare: number;
    sodConflicts: number;
    orphanedAccess: number;
    sodConflictList: SodConflict[];
    orphanedAccessList: OrphanedAccess[];
  };
  health: { status: HealthStatus; source: 'local' | 'cloudwatch'; components: HealthComponent[] };
  /**
   * Revocation verification: assignments campaigns removed that the directory still holds (the
   * unverified index as of the report). Absent from reports stored before it existed.
   */
  revocations?: {
    stillPresent: number;
    /** Of those, first found still present in the report's window. */
    foundInWindow: number;
    /** The first LIST_CAP, the longest present first. */
    stillPresentList: UnverifiedRevocation[];
  };
  compliance: {
    score: number;
    status: 'COMPLIANT' | 'NON_COMPLIANT';
    certificationsLast30Days: number;
    highRiskUsers: number;
    /** The formula in words, with the configured thresholds, and each deduction applied. */
    formula: string;
    deductions: { reason: string; points: number }[];
  };
  recommendations: { severity: 'INFO' | 'WARNING' | 'CRITICAL'; text: string }[];
}

/** A campaign's removal found still present in the directory, since when. */
export interface UnverifiedRevocation {
  campaignId: string;
  runId: string;
  userId: string;
  privilegeId: string;
  since: string;
}

export type Trend = 'up' | 'down' | 'flat';

export interface WeeklySummary {
  /** The date the summary is for (its last day). */
  date: string;
  generatedAt: string;
  /** The dates of the seven days, oldest first; `missingDates` lists those without a daily report. */
  dates: string[];
  missingDates: string[];
  /** Each figure: first and last value in the week, min, max and the trend. */
  figures: { name: string; first: number; last: number; min: number; max: number; trend: Trend }[];
  notableEvents: { date: string; text: string }[];
  /** Compliance and health of the latest daily report of the week. */
  latest?: { date: string; complianceScore: number; complianceStatus: string; healthStatus: HealthStatus };
}
