// The daily report's figures (docs/reference/operations.md, "The daily report"): certification
// status, risk, health from measured components and heartbeats, the compliance score with its
// formula, and recommendations. Pure: the use case reads the stores and hands the values in.
import { addDays, utcDate } from './dates.js';
import { lastExpectedRun, describeSchedule } from './job-schedule.js';
import { ENTRY_STATES, type Entry, type EntryState, type Revocation } from './model.js';
import type {
  DailyReport,
  HealthComponent,
  JobHeartbeat,
  JobName,
  JobRun,
  JobSchedule,
  OperationsConfig,
  RiskSummary,
  UnverifiedRevocation,
} from './operations.js';
import { LIST_CAP } from './operations.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Days of certification activity the compliance score counts, today included. */
export const CERTIFICATION_DAYS = 30;
/** How far back the report looks for a risk summary when today's is missing. */
export const RISK_LOOKBACK_DAYS = 7;

/** Rounded to one decimal, as every percentage of the report. */
export const roundOne = (value: number): number => Math.round(value * 10) / 10;

/** An entry counts as certified (decided) once its approvers finished it. */
export const isCertified = (state: EntryState): boolean => state === 'APPROVAL.FINISHED' || state === 'FINISHED';

/** The report's date and window: the 24 hours before `now`, [now − 24 h, now). */
export function reportWindow(now: Date): { date: string; from: Date; to: Date } {
  return { date: utcDate(now), from: new Date(now.getTime() - 24 * HOUR_MS), to: now };
}

/** The CERTIFICATION_DAYS dates ending with `today`, oldest first. */
export function certificationDates(today: string): string[] {
  return Array.from({ length: CERTIFICATION_DAYS }, (_, i) => addDays(today, i - CERTIFICATION_DAYS + 1));
}

/** Entries of the running campaigns, counted a page at a time. */
export interface EntryTally {
  entriesByState: Record<EntryState, number>;
  entries: number;
  overdue: number;
}

export function emptyEntryTally(): EntryTally {
  return { entriesByState: Object.fromEntries(ENTRY_STATES.map((s) => [s, 0])) as Record<EntryState, number>, entries: 0, overdue: 0 };
}

/** Counts a page of entries (in place): by state, and overdue (RUNNING past its due date, or FAILED.EXPIRED). */
export function tallyEntries(tally: EntryTally, entries: readonly Entry[], now: Date): EntryTally {
  for (const entry of entries) {
    tally.entriesByState[entry.state] += 1;
    tally.entries += 1;
    if ((entry.state === 'RUNNING' && Date.parse(entry.dueDate) < now.getTime()) || entry.state === 'FAILED.EXPIRED') tally.overdue += 1;
  }
  return tally;
}

/**
 * The certification section. completionRate = certified entries ÷ all entries of the running
 * campaigns × 100, one decimal; with no entry at all it is 100 (nothing is waiting).
 */
export function certificationStatus(tally: EntryTally, entriesDecided24h: number, activeCampaigns: number): DailyReport['certification'] {
  const certified = tally.entriesByState['APPROVAL.FINISHED'] + tally.entriesByState.FINISHED;
  return {
    entriesByState: { ...tally.entriesByState },
    entriesDecided24h,
    completionRate: tally.entries === 0 ? 100 : roundOne((certified / tally.entries) * 100),
    overdueEntries: tally.overdue,
    activeCampaigns,
  };
}

/** Removals still present, counted a page at a time (the unverified index); `list` keeps the first LIST_CAP. */
export interface UnverifiedTally {
  stillPresent: number;
  foundInWindow: number;
  list: UnverifiedRevocation[];
}

export const emptyUnverifiedTally = (): UnverifiedTally => ({ stillPresent: 0, foundInWindow: 0, list: [] });

/** Counts a page of still-present revocations (in place); `from` starts the report's window. */
export function tallyUnverified(tally: UnverifiedTally, revocations: readonly Revocation[], from: Date): UnverifiedTally {
  for (const r of revocations) {
    if (r.verification?.status !== 'STILL_PRESENT') continue;
    const since = r.verification.since ?? r.verification.at;
    tally.stillPresent += 1;
    if (Date.parse(since) >= from.getTime()) tally.foundInWindow += 1;
    tally.list.push({ campaignId: r.campaignId, runId: r.runId, userId: r.userId, privilegeId: r.privilegeId, since });
    // The longest present first, kept to the cap as the pages go by.
    if (tally.list.length >= 2 * LIST_CAP) tally.list = tally.list.sort(bySince).slice(0, LIST_CAP);
  }
  return tally;
}

const bySince = (a: UnverifiedRevocation, b: UnverifiedRevocation) =>
  a.since < b.since ? -1 : a.since > b.since ? 1 : `${a.runId}#${a.userId}#${a.privilegeId}` < `${b.runId}#${b.userId}#${b.privilegeId}` ? -1 : 1;

export const revocationsSection = (tally: UnverifiedTally): NonNullable<DailyReport['revocations']> => ({
  stillPresent: tally.stillPresent,
  foundInWindow: tally.foundInWindow,
  stillPresentList: [...tally.list].sort(bySince).slice(0, LIST_CAP),
});

/** The risk section from the day's (or the latest) risk summary; none → zeros, `assessedOn` absent. */
export function riskSection(summary: RiskSummary | undefined): DailyReport['risk'] {
  const usersByLevel = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0, ...summary?.usersByLevel };
  const users = summary?.users ?? 0;
  const high = usersByLevel.HIGH + usersByLevel.CRITICAL;
  return {
    ...(summary ? { assessedOn: summary.date } : {}),
    usersByLevel,
    highRiskShare: users === 0 ? 0 : roundOne((high / users) * 100),
    sodConflicts: summary?.sodConflicts ?? 0,
    orphanedAccess: summary?.orphanedAccess ?? 0,
    sodConflictList: summary?.sodConflictList ?? [],
    orphanedAccessList: summary?.orphanedAccessList ?? [],
  };
}

export const highRiskUsersOf = (risk: Pick<DailyReport['risk'], 'usersByLevel'>): number => risk.usersByLevel.HIGH + risk.usersByLevel.CRITICAL;

/** The compliance formula in words, with the configured numbers. */
export function complianceFormula(compliance: OperationsConfig['compliance']): string {
  const certification = compliance.certificationRules.map((r) => `fewer than ${r.below} → −${r.penalty}`).join(', else ');
  const highRisk = compliance.highRiskUserRules.map((r) => `more than ${r.above} → −${r.penalty}`).join(', else ');
  return [
    'score = 100 − certification penalty − high-risk penalty, floor 0.',
    `Certifications in the last ${CERTIFICATION_DAYS} days: ${certification || 'no penalty'}.`,
    `HIGH/CRITICAL users: ${highRisk || 'no penalty'}.`,
    `COMPLIANT at ${compliance.compliantAt} or above.`,
  ].join(' ');
}

/**
 * The compliance score: 100, minus the first certification rule that matches (fewer than `below`
 * certifications), minus the first high-risk rule that matches (more than `above` HIGH/CRITICAL
 * users), never below 0; COMPLIANT at `compliantAt` or above.
 */
export function complianceScore(
  compliance: OperationsConfig['compliance'],
  certificationsLast30Days: number,
  highRiskUsers: number,
): DailyReport['compliance'] {
  const deductions: { reason: string; points: number }[] = [];
  const certificationRule = compliance.certificationRules.find((r) => certificationsLast30Days < r.below);
  if (certificationRule) {
    deductions.push({
      reason: `${certificationsLast30Days} certifications in the last ${CERTIFICATION_DAYS} days, fewer than ${certificationRule.below}`,
      points: certificationRule.penalty,
    });
  }
  const highRiskRule = compliance.highRiskUserRules.find((r) => highRiskUsers > r.above);
  if (highRiskRule) {
    deductions.push({ reason: `${highRiskUsers} HIGH/CRITICAL users, more than ${highRiskRule.above}`, points: highRiskRule.penalty });
  }
  const score = Math.max(0, roundOne(100 - deductions.reduce((sum, d) => sum + d.points, 0)));
  return {
    score,
    status: score >= compliance.compliantAt ? 'COMPLIANT' : 'NON_COMPLIANT',
    certificationsLast30Days,
    highRiskUsers,
    formula: complianceFormula(compliance),
    deductions,
  };
}

/** Runs a heartbeat check reads back when the heartbeat's latest completed run is later than the report. */
export const HEARTBEAT_LOOKBACK_RUNS = 50;

const isCompleted = (run: JobRun) => run.outcome === 'SUCCEEDED' || run.outcome === 'SKIPPED';

/**
 * The heartbeat as evidence at `now`. The heartbeat keeps the completed run of the latest business
 * time, so a run made for a later `now` (a simulation, a mistaken `--now`) would hide a broken
 * schedule for good: such a run is no evidence. In its place comes the latest completed run of
 * `recentRuns` (the job's latest runs, newest first) whose business time is not after `now`.
 * `needsRecentRuns` tells whether the caller has to read them.
 */
export function heartbeatAsOf(heartbeat: JobHeartbeat | undefined, now: Date, recentRuns: readonly JobRun[] = []): JobHeartbeat | undefined {
  if (!heartbeat || !needsRecentRuns(heartbeat, now)) return heartbeat;
  const evidence = recentRuns
    .filter((r) => isCompleted(r) && Date.parse(r.scheduledFor) <= now.getTime())
    .reduce<JobRun | undefined>((latest, r) => (!latest || r.scheduledFor > latest.scheduledFor ? r : latest), undefined);
  const { lastCompleted: _later, ...rest } = heartbeat;
  return evidence ? { ...rest, lastCompleted: evidence } : rest;
}

export const needsRecentRuns = (heartbeat: JobHeartbeat | undefined, now: Date): boolean =>
  heartbeat?.lastCompleted !== undefined && Date.parse(heartbeat.lastCompleted.scheduledFor) > now.getTime();

/**
 * A job's heartbeat as a health component. The run the schedule expected is the latest scheduled
 * time at least `graceMinutes` before `now` (a run gets that long to complete). The job is
 * DEGRADED when its latest completed run (by business time, `scheduledFor`) is older than that,
 * or when it never completed one, unless that expected time is before `since` (the deployment, or
 * the installation the first job run recorded): nothing was due yet.
 */
export function heartbeatComponent(
  job: JobName,
  heartbeat: JobHeartbeat | undefined,
  schedule: JobSchedule,
  now: Date,
  graceMinutes: number,
  deployedAt?: Date,
  since: 'deployment' | 'installation' = 'deployment',
): HealthComponent {
  const name = `heartbeat:${job}`;
  const expected = lastExpectedRun(schedule, new Date(now.getTime() - graceMinutes * MINUTE_MS));
  const completed = heartbeat?.lastCompleted;
  const lastRun = heartbeat?.lastRun;
  const details: Record<string, unknown> = {
    schedule: describeSchedule(schedule),
    expectedBy: expected.toISOString(),
    ...(completed ? { lastCompleted: completed.scheduledFor } : {}),
    ...(lastRun ? { lastRun: { scheduledFor: lastRun.scheduledFor, outcome: lastRun.outcome, ...(lastRun.error ? { error: lastRun.error } : {}) } } : {}),
  };
  if (completed && Date.parse(completed.scheduledFor) >= expected.getTime()) return { name, status: 'HEALTHY', details };
  if (!completed && deployedAt && expected.getTime() < deployedAt.getTime()) {
    return { name, status: 'HEALTHY', reason: `${job} is not due yet since ${since} at ${deployedAt.toISOString()}`, details };
  }
  const failed = lastRun && lastRun.outcome === 'FAILED' ? `; its latest run (${lastRun.scheduledFor}) FAILED${lastRun.error ? `: ${lastRun.error}` : ''}` : '';
  const reason = completed
    ? `${job} has not completed a run since ${completed.scheduledFor}; its schedule (${describeSchedule(schedule)}) expected one at ${expected.toISOString()}`
    : `${job} never ran to completion; its schedule (${describeSchedule(schedule)}) expected a run at ${expected.toISOString()}`;
  return { name, status: 'DEGRADED', reason: reason + failed, details };
}

/** The health section: DEGRADED if any component is. */
export function overallHealth(source: DailyReport['health']['source'], components: HealthComponent[]): DailyReport['health'] {
  return { status: components.some((c) => c.status === 'DEGRADED') ? 'DEGRADED' : 'HEALTHY', source, components };
}

const SEVERITY_ORDER = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const;

/**
 * Recommendations in plain words, the most severe first; none applies → one INFO "no action needed".
 * `today` tells whether the risk section is today's assessment.
 */
export function recommendationsFor(
  report: Pick<DailyReport, 'certification' | 'risk' | 'health' | 'compliance' | 'revocations'>,
  config: OperationsConfig,
  today: string,
): DailyReport['recommendations'] {
  const out: DailyReport['recommendations'] = [];
  const { certification, risk, health, compliance } = report;
  const threshold = config.certification.completionRateThreshold;
  if (certification.completionRate < threshold) {
    out.push({
      severity: 'WARNING',
      text: `Completion rate is ${certification.completionRate}%, below ${threshold}%: send reminders to the approvers of the ${certification.entriesByState.RUNNING ?? 0} open entries.`,
    });
  }
  const highRisk = highRiskUsersOf(risk);
  if (highRisk > config.recommendations.highRiskUsersAbove) {
    out.push({
      severity: 'CRITICAL',
      text: `${highRisk} users are at HIGH or CRITICAL risk (more than ${config.recommendations.highRiskUsersAbove}): review their access and remediate now.`,
    });
  }
  if (health.status !== 'HEALTHY') {
    const degraded = health.components.filter((c) => c.status !== 'HEALTHY');
    out.push({
      severity: 'CRITICAL',
      text: `Health is ${health.status}: check ${degraded.map((c) => (c.reason ? `${c.name} (${c.reason})` : c.name)).join('; ')}.`,
    });
  }
  if (compliance.score < config.compliance.compliantAt) {
    out.push({
      severity: 'WARNING',
      text: `Compliance score ${compliance.score} is below ${config.compliance.compliantAt}: review the certification and risk processes.`,
    });
  }
  if (risk.sodConflicts > 0) {
    const pairs = risk.sodConflictList.slice(0, 5).map((c) => `${c.userId}: ${c.privileges[0]} + ${c.privileges[1]}`);
    const more = risk.sodConflicts > pairs.length ? `, and ${risk.sodConflicts - pairs.length} more` : '';
    out.push({
      severity: 'CRITICAL',
      text: `${risk.sodConflicts} segregation-of-duties conflict(s) (${pairs.join('; ')}${more}): remove one privilege of each pair.`,
    });
  }
  if (risk.orphanedAccess > 0) {
    const users = risk.orphanedAccessList.slice(0, 5).map((o) => o.userId);
    const more = risk.orphanedAccess > users.length ? `, and ${risk.orphanedAccess - users.length} more` : '';
    out.push({
      severity: 'CRITICAL',
      text: `${risk.orphanedAccess} disabled user(s) still hold access (${users.join(', ')}${more}): remove it; \`idgov emergency revoke --user U --reason TEXT\` removes a user's manual assignments at once.`,
    });
  }
  const stillPresent = report.revocations?.stillPresent ?? 0;
  if (stillPresent > 0) {
    const shown = report.revocations!.stillPresentList.slice(0, 5).map((r) => `${r.userId}: ${r.privilegeId} (campaign ${r.campaignId})`);
    const more = stillPresent > shown.length ? `, and ${stillPresent - shown.length} more` : '';
    out.push({
      severity: 'CRITICAL',
      text: `${stillPresent} assignment(s) that campaigns removed are still in the directory (${shown.join('; ')}${more}): the directory accepted the removals but did not make them; remove them by hand and check the directory connector. Each campaign's report lists its own.`,
    });
  }
  if (risk.assessedOn === undefined) {
    out.push({
      severity: 'WARNING',
      text: `No risk assessment in the last ${RISK_LOOKBACK_DAYS} days: the risk figures are empty; run the risk-assessment job.`,
    });
  } else if (risk.assessedOn !== today) {
    out.push({
      severity: 'WARNING',
      text: `The latest risk assessment is from ${risk.assessedOn}, not today: the risk figures may be stale; run the risk-assessment job.`,
    });
  }
  if (out.length === 0) out.push({ severity: 'INFO', text: 'No action needed.' });
  return out.map((r, i) => ({ r, i })).sort((a, b) => SEVERITY_ORDER[a.r.severity] - SEVERITY_ORDER[b.r.severity] || a.i - b.i).map(({ r }) => r);
}

/** What the use case measured; composeDailyReport turns it into the report. */
export interface DailyFigures {
  now: Date;
  tally: EntryTally;
  entriesDecided24h: number;
  activeCampaigns: number;
  certificationsLast30Days: number;
  riskSummary: RiskSummary | undefined;
  health: DailyReport['health'];
  /** Removals still present (absent: the section is left out). */
  unverified?: UnverifiedTally;
}

export function composeDailyReport(figures: DailyFigures, config: OperationsConfig): DailyReport {
  const window = reportWindow(figures.now);
  const certification = certificationStatus(figures.tally, figures.entriesDecided24h, figures.activeCampaigns);
  const risk = riskSection(figures.riskSummary);
  const compliance = complianceScore(config.compliance, figures.certificationsLast30Days, highRiskUsersOf(risk));
  const revocations = figures.unverified ? revocationsSection(figures.unverified) : undefined;
  const sections = { certification, risk, health: figures.health, ...(revocations ? { revocations } : {}), compliance };
  return {
    date: window.date,
    generatedAt: figures.now.toISOString(),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    ...sections,
    recommendations: recommendationsFor(sections, config, window.date),
  };
}
