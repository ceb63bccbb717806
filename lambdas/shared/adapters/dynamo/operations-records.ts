// The operations table's key design (lambdas/shared/config/tables.ts, OPERATIONS_TABLE) as code:
// how configuration, assessments, runs, heartbeats, reports, day counts and removals become records.
import { addDays } from '../../domain/dates.js';
import type { JobName, JobRun, RiskAssessment, RiskSummary } from '../../domain/operations.js';
import type { AccessRemoval, ReportKind } from '../../use-cases/ports.js';
import type { DynamoRecord } from './document-client.js';
import { key } from './records.js';

/** Attributes that belong to the storage, not to the entity (the TTL included). */
const STORAGE_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'entity', 'expiresAt'] as const;

export function fromOperationsRecord<T>(record: DynamoRecord): T {
  const entity: DynamoRecord = { ...record };
  for (const name of STORAGE_ATTRIBUTES) delete entity[name];
  return entity as T;
}

const DAY_SECONDS = 86_400;

/** TTL (epoch seconds): `days` after the start of a UTC date. */
export const expiresAfterDate = (date: string, days: number): number => Date.parse(`${addDays(date, days)}T00:00:00.000Z`) / 1000;
/** TTL (epoch seconds): `days` after an instant. */
export const expiresAfterInstant = (at: string, days: number): number => Math.floor(Date.parse(at) / 1000) + days * DAY_SECONDS;

export const configKey = () => key('CONFIG#operations', '#CONFIG');
export const installationKey = () => key('CONFIG#installation', '#INSTALLATION');

// Risk assessments
export const ASSESSMENT_PREFIX = 'USER#';
export const assessmentDayPk = (date: string) => `ASSESS#${date}`;
export const assessmentKey = (date: string, userId: string) => key(assessmentDayPk(date), `${ASSESSMENT_PREFIX}${userId}`);
export const assessmentUserPk = (userId: string) => `ASSESSUSER#${userId}`;
export const progressKey = (date: string) => key(assessmentDayPk(date), '#PROGRESS');

export const assessmentRecord = (assessment: RiskAssessment, retentionDays: number): DynamoRecord => ({
  ...assessment,
  ...assessmentKey(assessment.date, assessment.userId),
  entity: 'assessment',
  GSI1PK: assessmentUserPk(assessment.userId),
  GSI1SK: assessment.date,
  expiresAt: expiresAfterDate(assessment.date, retentionDays),
});

export const RISK_SUMMARY_PK = 'RISKSUMMARY';
export const riskSummaryKey = (date: string) => key(RISK_SUMMARY_PK, date);

export const riskSummaryRecord = (summary: RiskSummary, retentionDays: number): DynamoRecord => ({
  ...summary,
  ...riskSummaryKey(summary.date),
  entity: 'risk-summary',
  expiresAt: expiresAfterDate(summary.date, retentionDays),
});

// Job runs and heartbeats
export const RUN_PREFIX = 'RUN#';
export const jobPk = (job: JobName) => `JOB#${job}`;
export const runKey = (run: Pick<JobRun, 'job' | 'startedAt' | 'runId'>) => key(jobPk(run.job), `${RUN_PREFIX}${run.startedAt}#${run.runId}`);
export const heartbeatKey = (job: JobName) => key(jobPk(job), '#HEARTBEAT');

export const runRecord = (run: JobRun, retentionDays: number): DynamoRecord => ({
  ...run,
  ...runKey(run),
  entity: 'job-run',
  expiresAt: expiresAfterInstant(run.startedAt, retentionDays),
});

/**
 * How heartbeats order runs (string comparison, kept beside the run on the heartbeat record):
 * `lastRun` is the run started last (wall clock); `lastCompleted` is the completed run for the
 * latest business time, so that re-running a job for an earlier date never makes the schedule look
 * missed.
 */
export const lastRunOrder = (run: JobRun) => `${run.startedAt}#${run.runId}`;
export const lastCompletedOrder = (run: JobRun) => `${run.scheduledFor}#${run.startedAt}#${run.runId}`;

// Reports
export const reportPk = (kind: ReportKind) => (kind === 'daily' ? 'REPORT#DAILY' : 'REPORT#WEEKLY');
export const reportKey = (kind: ReportKind, date: string) => key(reportPk(kind), date);

// Day counts
export const DAY_COUNT_PK = 'DAYCOUNT';
export const dayCountKey = (date: string) => key(DAY_COUNT_PK, date);

export const dayCountRecord = (date: string, certified: number, retentionDays: number, countedAt: Date): DynamoRecord => ({
  ...dayCountKey(date),
  entity: 'day-count',
  date,
  certified,
  countedAt: countedAt.toISOString(),
  expiresAt: expiresAfterDate(date, retentionDays),
});

// Emergency access removals
export const REMOVALS_GSI1PK = 'REMOVALS';
export const removalPk = (userId: string) => `REMOVAL#${userId}`;
/** One record per privilege and request: each request that removes an assignment records it apart. */
export const removalKey = (removal: Pick<AccessRemoval, 'userId' | 'privilegeId' | 'requestId'>) =>
  key(removalPk(removal.userId), `${removal.privilegeId}#${removal.requestId}`);

export const removalRecord = (removal: AccessRemoval): DynamoRecord => ({
  ...removal,
  ...removalKey(removal),
  entity: 'removal',
  GSI1PK: REMOVALS_GSI1PK,
  GSI1SK: `${removal.removedAt}#${removal.userId}`,
});
