// The risk assessment job (docs/reference/operations.md, "The risk assessment job"): every user of
// the directory assessed by the risk rules, one assessment per user per day stored for the trend,
// each user's riskLevel updated, and the day's summary written last. Resumable: a checkpoint after
// each page of users lets a killed run continue where it stopped.
import { randomUUID } from 'node:crypto';
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
 * Assesses every user for the UTC date of `now`, in rounds: a round starts by recording itself on
 * the date's checkpoint, stamps each assessment it stores with its id, and ends with the summary
 * of the assessments it stamped, so that a user deleted since an earlier round is not counted.
 *
 * - A date whose round was left unfinished resumes that round after the last user of the last
 *   completed page. Users come in id order: a user added meanwhile with an id before the
 *   checkpoint is not in this round (nor in its summary); the next round assesses them (the next
 *   day's, or a re-run of the date once this one is done).
 * - A date already finished is assessed again in a new round, from the start (the directory may
 *   have changed since); its assessments and summary are replaced: one assessment per user and
 *   date, whatever the number of runs.
 */
export async function assessRisk(deps: AssessRiskDeps, config: OperationsConfig): Promise<AssessRiskResult> {
  const { directory, operations, log } = deps;
  const now = deps.clock.now();
  const date = utcDate(now);
  const retention = config.risk.retentionDays;

  const progress = await operations.getAssessmentProgress(date);
  // A checkpoint without a round (written before rounds existed) cannot say which assessments are its own: start again.
  const resumed = progress !== undefined && !progress.done && progress.round !== undefined;
  const round = resumed ? progress.round! : randomUUID();
  const resumeAfter = resumed ? progress.afterUserId : undefined;
  if (resumed) log.info('resuming the risk assessment', { date, afterUserId: resumeAfter });
  else {
    if (progress?.done) log.info('the risk assessment of this date is done: assessing again, replacing it', { date });
    await operations.putAssessmentProgress(date, { done: false, round }, retention);
  }

  // Privileges are few and shared by many users: each is read once per run.
  const privileges = new Map<string, Privilege | undefined>();
  for await (const page of directory.listUsers()) {
    // Users come in id order: those up to the checkpoint were assessed by the killed run.
    const users = resumeAfter === undefined ? page : page.filter((u) => u.id > resumeAfter);
    if (users.length === 0) continue;
    const assessments = (await assessPage(users, directory, privileges, config, date, now)).map((a) => ({ ...a, round }));
    await operations.putAssessments(assessments, retention);
    await mapLimit(assessments, ASSESS_CONCURRENCY, (a) =>
      directory.setRiskLevel(a.userId, {
        riskLevel: a.level,
        computedRiskLevel: a.computedLevel,
        riskAssessedAt: a.assessedAt,
        ...(a.declaredLevel ? { declaredRiskLevel: a.declaredLevel } : {}),
      }),
    );
    await operations.putAssessmentProgress(date, { afterUserId: users[users.length - 1]!.id, done: false, round }, retention);
  }

  // The summary counts this round's assessments as stored, so a resumed round counts every user
  // once, and a user an earlier round assessed but who is gone now is not counted.
  const summary = emptyRiskSummary(date, now);
  for await (const page of operations.listAssessments(date)) for (const a of page) if (a.round === round) addToRiskSummary(summary, a);
  await operations.putRiskSummary(summary, retention);
  const last = await operations.getAssessmentProgress(date);
  await operations.putAssessmentProgress(date, { ...(last?.afterUserId ? { afterUserId: last.afterUserId } : {}), done: true, round }, retention);
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
