// The risk rules (docs/reference/operations.md, "Risk of a user"): one user's computed risk from the
// access they hold, how it combines with the declared level, and the day's summary. Pure.
import { RISK_LEVELS, riskRank, type Assignment, type Privilege, type RiskLevel, type User } from './model.js';
import { LIST_CAP, LIST_CHARS_CAP, ORPHANED_ASSIGNMENTS_CAP, type OperationsConfig, type RiskAssessment, type RiskSummary, type SodConflict } from './operations.js';

export { ORPHANED_ASSIGNMENTS_CAP };

const higher = (a: RiskLevel, b: RiskLevel | undefined): RiskLevel => (b !== undefined && riskRank(b) > riskRank(a) ? b : a);
const raised = (level: RiskLevel): RiskLevel => RISK_LEVELS[Math.min(riskRank(level) + 1, RISK_LEVELS.length - 1)]!;
export const isHighRisk = (level: RiskLevel | undefined): boolean => level === 'HIGH' || level === 'CRITICAL';

/**
 * The level declared in the directory file: a user loaded and never assessed carries it in
 * `riskLevel`; once assessed, `riskLevel` is the combined level and the declared one is kept in
 * `declaredRiskLevel` (absent: none was declared).
 */
export const declaredLevelOf = (user: User): RiskLevel | undefined => (user.riskAssessedAt ? user.declaredRiskLevel : user.riskLevel);

/**
 * Assesses one user from all their assignments (any origin) and the privileges they name:
 * - the highest risk level of the privileges held (a privilege without one, or missing from the
 *   directory, counts LOW; nothing held is LOW);
 * - more than `maxHighRiskPrivileges` HIGH/CRITICAL privileges raises it one level;
 * - holding both privileges of a toxic combination makes it CRITICAL, each pair listed;
 * - a DISABLED user holding anything is listed as orphaned access (the level is computed as usual).
 * The user's level is then the higher of the declared and the computed one.
 * Lists are capped with their full counts beside them (LIST_CAP conflicts, ORPHANED_ASSIGNMENTS_CAP
 * assignments, the highest risk first), so that a user holding thousands of privileges still makes
 * an assessment that fits in one DynamoDB item.
 */
export function assessUser(
  user: User,
  assignments: readonly Assignment[],
  privileges: ReadonlyMap<string, Privilege>,
  config: OperationsConfig,
  date: string,
  now: Date,
): RiskAssessment {
  const held = [...new Map(assignments.filter((a) => a.userId === user.id).map((a) => [a.privilegeId, a])).values()];
  const levelOf = (privilegeId: string): RiskLevel => privileges.get(privilegeId)?.riskLevel ?? 'LOW';
  const reasons: string[] = [];

  let computed: RiskLevel = 'LOW';
  let highest: string | undefined;
  for (const a of held) {
    if (riskRank(levelOf(a.privilegeId)) > riskRank(computed)) {
      computed = levelOf(a.privilegeId);
      highest = a.privilegeId;
    }
  }
  if (highest) reasons.push(`holds ${highest}, a ${computed} privilege (the highest held)`);
  else if (held.length === 0) reasons.push('holds no privilege');
  else reasons.push(`holds ${held.length} privilege(s), none above LOW`);

  const highRisk = held.filter((a) => isHighRisk(levelOf(a.privilegeId)));
  const max = config.risk.maxHighRiskPrivileges;
  if (highRisk.length > max) {
    const before = computed;
    computed = raised(computed);
    reasons.push(`holds ${highRisk.length} HIGH/CRITICAL privileges, more than ${max}: raised from ${before} to ${computed}`);
  }

  const heldIds = new Set(held.map((a) => a.privilegeId));
  const toxic = config.risk.toxicCombinations.filter(({ privileges: [a, b] }) => heldIds.has(a) && heldIds.has(b));
  const sodConflicts: SodConflict[] = toxic
    .slice(0, LIST_CAP)
    .map(({ privileges: pair, reason }) => ({ userId: user.id, privileges: [pair[0], pair[1]], ...(reason ? { reason } : {}) }));
  for (const conflict of sodConflicts) {
    reasons.push(
      `holds both ${conflict.privileges[0]} and ${conflict.privileges[1]}, a toxic combination${conflict.reason ? ` (${conflict.reason})` : ''}: CRITICAL`,
    );
  }
  if (toxic.length > sodConflicts.length) reasons.push(`and ${toxic.length - sodConflicts.length} more toxic combination(s): CRITICAL`);
  if (toxic.length > 0) computed = 'CRITICAL';

  const orphaned = user.status === 'DISABLED' && held.length > 0;
  if (orphaned) reasons.push(`is DISABLED and still holds ${held.length} assignment(s): orphaned access`);
  // The highest risk first (stable: in privilege id order within a level).
  const listedOrphaned = orphaned
    ? held
        .map((a, i) => ({ a, i }))
        .sort((x, y) => riskRank(levelOf(y.a.privilegeId)) - riskRank(levelOf(x.a.privilegeId)) || x.i - y.i)
        .slice(0, ORPHANED_ASSIGNMENTS_CAP)
        .map(({ a }) => ({ privilegeId: a.privilegeId, origin: a.origin }))
    : [];

  const declared = declaredLevelOf(user);
  const level = higher(computed, declared);
  if (declared && riskRank(declared) > riskRank(computed)) reasons.push(`declared ${declared}, above the computed ${computed}: ${declared} kept`);

  return {
    date,
    userId: user.id,
    userStatus: user.status,
    computedLevel: computed,
    ...(declared ? { declaredLevel: declared } : {}),
    level,
    reasons,
    privilegeCount: held.length,
    highRiskPrivilegeCount: highRisk.length,
    sodConflicts,
    sodConflictCount: toxic.length,
    ...(orphaned ? { orphanedAccess: { userId: user.id, assignments: listedOrphaned, assignmentCount: held.length } } : {}),
    assessedAt: now.toISOString(),
  };
}

/** An empty summary of a day, to fold the day's assessments into (addToRiskSummary). */
export function emptyRiskSummary(date: string, assessedAt: Date): RiskSummary {
  return {
    date,
    assessedAt: assessedAt.toISOString(),
    users: 0,
    usersByLevel: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
    sodConflicts: 0,
    sodConflictList: [],
    orphanedAccess: 0,
    orphanedAccessList: [],
  };
}

/**
 * Counts one assessment into the summary (in place). Counts are complete; each list keeps its first
 * entries, at most LIST_CAP of them and LIST_CHARS_CAP characters (as JSON), so that the summary
 * and the report that copies its lists fit in one DynamoDB item whatever the ids' lengths.
 */
export function addToRiskSummary(summary: RiskSummary, assessment: RiskAssessment): RiskSummary {
  summary.users += 1;
  summary.usersByLevel[assessment.level] += 1;
  summary.sodConflicts += assessment.sodConflictCount ?? assessment.sodConflicts.length;
  for (const conflict of assessment.sodConflicts) appendCapped(summary.sodConflictList, conflict);
  if (assessment.orphanedAccess) {
    summary.orphanedAccess += 1;
    appendCapped(summary.orphanedAccessList, assessment.orphanedAccess);
  }
  return summary;
}

/** Each list's size as JSON, and whether it is closed: measured once, then kept up to date as it grows. */
const listSizes = new WeakMap<unknown[], { chars: number; closed: boolean }>();

/**
 * Appends unless the list is full: LIST_CAP entries, or the item would take it past LIST_CHARS_CAP
 * characters. A full list stays closed, so that it always holds the first entries.
 */
function appendCapped<T>(list: T[], item: T): void {
  let size = listSizes.get(list);
  if (!size) listSizes.set(list, (size = { chars: JSON.stringify(list).length, closed: false }));
  if (size.closed) return;
  const chars = JSON.stringify(item).length + 1;
  if (list.length >= LIST_CAP || size.chars + chars > LIST_CHARS_CAP) {
    size.closed = true;
    return;
  }
  list.push(item);
  size.chars += chars;
}
