// The risk assessment job (docs/reference/operations.md, "The risk assessment job"): every user of
// the directory assessed by the risk rules, one assessment per user per day stored for the trend,
// each user's riskLevel updated, and the day's summary written last. Resumable: a checkpoint after
// each page of users lets a killed run continue where it stopped.
import { utcDate } from '../domain/dates.js';
import type { Privilege, RiskLevel, User } from '../domain/model.js';
import type { OperationsConfig, RiskAssessment } from '../domain/operations.js';
import { addToRiskSummary, assessUser, emptyRiskSummary } from '../domain/risk-rules.js';
import { mapLimit } from './concurrency.js';
import type { Clock, DirectoryStore, Log, OperationsStore } from './ports.js';

/** Users read and written at once within a page. */
export const ASSESS_CONCURRENCY = 8;

export interface AssessRiskDeps {
  directory: DirectoryStore;
  operations: OperationsStore;
  /** Business time: the assessment's date is its UTC date. */
  clock: Clock;
  log: Log;
}

export interface AssessRiskResult {
  date: string;
  /** Users in the day's summary. */
  users: number;
  usersByLevel: Record<RiskLevel, number>;
  sodConflicts: number;
  orphanedAccess: number;
  /** This run continued a killed run of the same date from its checkpoint. */
  resumed: boolean;
}

/**
 * Assesses every user for the UTC date of `now`. A date whose assessment was left unfinished
 * resumes after the last user of the last completed page. A date already finished is assessed
 * again from the start (the directory may have changed since) and its assessments and summary are
 * replaced: one assessment per user and date, whatever the number of runs.
 */
export async function assessRisk(deps: AssessRiskDeps, config: OperationsConfig): Promise<AssessRiskResult> {
  const { directory, operations, log } = deps;
  const now = deps.clock.now();
  const date = utcDate(now);
  const retention = config.risk.retentionDays;

  const progress = await operations.getAssessmentProgress(date);
  const resumeAfter = progress && !progress.done ? progress.afterUserId : undefined;
  const resumed = resumeAfter !== undefined;
  if (resumed) log.info('resuming the risk assessment', { date, afterUserId: resumeAfter });
  else if (progress?.done) {
    log.info('the risk assessment of this date is done: assessing again, replacing it', { date });
    await operations.putAssessmentProgress(date, { done: false }, retention);
  }

  // Privileges are few and shared by many users: each is read once per run.
  const privileges = new Map<string, Privilege | undefined>();
  for await (const page of directory.listUsers()) {
    // Users come in id order: those up to the checkpoint were assessed by the killed run.
    const users = resumeAfter === undefined ? page : page.filter((u) => u.id > resumeAfter);
    if (users.length === 0) continue;
    const assessments = await assessPage(users, directory, privileges, config, date, now);
    await operations.putAssessments(assessments, retention);
    await mapLimit(assessments, ASSESS_CONCURRENCY, (a) =>
      directory.setRiskLevel(a.userId, {
        riskLevel: a.level,
        computedRiskLevel: a.computedLevel,
        riskAssessedAt: a.assessedAt,
        ...(a.declaredLevel ? { declaredRiskLevel: a.declaredLevel } : {}),
      }),
    );
    await operations.putAssessmentProgress(date, { afterUserId: users[users.length - 1]!.id, done: false }, retention);
  }

  // The summary counts what is stored for the date, so a resumed run counts every user once.
  const summary = emptyRiskSummary(date, now);
  for await (const page of operations.listAssessments(date)) for (const a of page) addToRiskSummary(summary, a);
  await operations.putRiskSummary(summary, retention);
  const last = await operations.getAssessmentProgress(date);
  await operations.putAssessmentProgress(date, { ...(last?.afterUserId ? { afterUserId: last.afterUserId } : {}), done: true }, retention);
  log.info('risk assessment done', { date, users: summary.users, usersByLevel: summary.usersByLevel, resumed });

  return {
    date,
    users: summary.users,
    usersByLevel: summary.usersByLevel,
    sodConflicts: summary.sodConflicts,
    orphanedAccess: summary.orphanedAccess,
    resumed,
  };
}

async function assessPage(
  users: User[],
  directory: DirectoryStore,
  privileges: Map<string, Privilege | undefined>,
  config: OperationsConfig,
  date: string,
  now: Date,
): Promise<RiskAssessment[]> {
  const assignments = await mapLimit(users, ASSESS_CONCURRENCY, (u) => directory.listAssignmentsOfUser(u.id));
  const unknown = [...new Set(assignments.flat().map((a) => a.privilegeId))].filter((id) => !privileges.has(id));
  if (unknown.length > 0) {
    const found = await directory.getPrivileges(unknown);
    // A privilege missing from the directory is remembered as absent (it counts LOW).
    for (const id of unknown) privileges.set(id, found.get(id));
  }
  const known = new Map([...privileges].flatMap(([id, p]) => (p ? [[id, p] as const] : [])));
  return users.map((user, i) => assessUser(user, assignments[i]!, known, config, date, now));
}
