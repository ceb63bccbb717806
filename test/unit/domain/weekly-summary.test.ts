// The weekly summary: figures with first/last/min/max and trend over the days that have a report,
// and the week's notable events (missing reports, degraded health, compliance changes, new
// conflicts and orphaned access).
import { describe, expect, it } from 'vitest';
import { complianceScore } from '../../../lambdas/shared/domain/daily-report.js';
import { DEFAULT_OPERATIONS_CONFIG, type DailyReport } from '../../../lambdas/shared/domain/operations.js';
import { summarizeWeek, trendOf, weekDates } from '../../../lambdas/shared/domain/weekly-summary.js';

const GENERATED = new Date('2026-11-30T09:00:00.000Z');

/** A daily report with the figures a test sets: completion, compliance inputs, high-risk users, health, risk lists. */
function aReport(
  date: string,
  f: { completion?: number; certifications?: number; high?: number; degraded?: string[]; conflicts?: [string, string, string][]; orphans?: string[] } = {},
): DailyReport {
  const high = f.high ?? 0;
  const conflicts = (f.conflicts ?? []).map(([userId, a, b]) => ({ userId, privileges: [a, b] as [string, string] }));
  const orphans = (f.orphans ?? []).map((userId) => ({ userId, assignments: [{ privilegeId: 'p-x', origin: 'MANUAL' }] }));
  const components = [
    { name: 'table:campaigns', status: 'HEALTHY' as const },
    ...(f.degraded ?? []).map((name) => ({ name, status: 'DEGRADED' as const, reason: 'broken' })),
  ];
  return {
    date,
    generatedAt: `${date}T08:00:00.000Z`,
    window: { from: '', to: '' },
    certification: {
      entriesByState: { RUNNING: 4 },
      entriesDecided24h: 2,
      completionRate: f.completion ?? 50,
      overdueEntries: 0,
      activeCampaigns: 1,
    },
    risk: {
      assessedOn: date,
      usersByLevel: { LOW: 10 - high, MEDIUM: 0, HIGH: high, CRITICAL: 0 },
      highRiskShare: high * 10,
      sodConflicts: conflicts.length,
      orphanedAccess: orphans.length,
      sodConflictList: conflicts,
      orphanedAccessList: orphans,
    },
    health: { status: f.degraded?.length ? 'DEGRADED' : 'HEALTHY', source: 'local', components },
    compliance: complianceScore(DEFAULT_OPERATIONS_CONFIG.compliance, f.certifications ?? 25, high),
    recommendations: [],
  };
}

describe('weekDates', () => {
  it('are the seven dates ending on the date, oldest first', () => {
    expect(weekDates('2026-11-30')).toEqual(['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']);
  });
});

describe('trendOf', () => {
  it.each([
    [1, 2, 'up'],
    [2, 1, 'down'],
    [3, 3, 'flat'],
  ])('%i → %i is %s', (first, last, trend) => expect(trendOf(first, last)).toBe(trend));
});

describe('summarizeWeek', () => {
  // Completion by day (11-26 and 11-28 missing): 40, 70, 30, 60, 55 → first 40, last 55, min 30, max 70, up.
  // High-risk users: 0, 0, 6, 6, 6; certifications: 25, 25, 25, 9, 9. Compliance: 25 and 0 → 100 (11-24, 11-25);
  // 25 and 6 → 100 − 15 = 85 (11-27); 9 and 6 → 100 − 20 − 15 = 65 (11-29, 11-30): NON_COMPLIANT from 11-29.
  const reports = [
    aReport('2026-11-24', { completion: 40 }),
    aReport('2026-11-25', { completion: 70, conflicts: [['u-a', 'p-1', 'p-2']] }),
    aReport('2026-11-27', { completion: 30, high: 6, degraded: ['heartbeat:risk-assessment'], conflicts: [['u-a', 'p-2', 'p-1'], ['u-b', 'p-1', 'p-2']] }),
    aReport('2026-11-29', { completion: 60, high: 6, certifications: 9, orphans: ['u-gone'], conflicts: [['u-b', 'p-1', 'p-2']] }),
    aReport('2026-11-30', { completion: 55, high: 6, certifications: 9, orphans: ['u-gone'] }),
    aReport('2026-11-23', { completion: 99 }), // outside the week: ignored
  ];
  const summary = summarizeWeek('2026-11-30', reports, GENERATED);
  const figure = (name: string) => summary.figures.find((f) => f.name === name);

  it('names the week and the days without a daily report', () => {
    expect(summary.date).toBe('2026-11-30');
    expect(summary.generatedAt).toBe(GENERATED.toISOString());
    expect(summary.dates).toEqual(weekDates('2026-11-30'));
    expect(summary.missingDates).toEqual(['2026-11-26', '2026-11-28']);
  });

  it('follows each figure over the days with a report', () => {
    expect(figure('completionRate')).toEqual({ name: 'completionRate', first: 40, last: 55, min: 30, max: 70, trend: 'up' });
    expect(figure('highRiskUsers')).toEqual({ name: 'highRiskUsers', first: 0, last: 6, min: 0, max: 6, trend: 'up' });
    expect(figure('complianceScore')).toEqual({ name: 'complianceScore', first: 100, last: 65, min: 65, max: 100, trend: 'down' });
    expect(figure('activeCampaigns')).toMatchObject({ first: 1, last: 1, trend: 'flat' });
    expect(figure('orphanedAccess')).toMatchObject({ first: 0, last: 1, trend: 'up' });
  });

  it('lists the notable events by date', () => {
    expect(summary.notableEvents).toEqual([
      { date: '2026-11-25', text: 'New segregation-of-duties conflict(s): u-a: p-1 + p-2.' },
      { date: '2026-11-26', text: 'No daily report for 2026-11-26.' },
      { date: '2026-11-27', text: 'Health DEGRADED: heartbeat:risk-assessment.' },
      // u-a's pair is the same one in the other order: only u-b's is new.
      { date: '2026-11-27', text: 'New segregation-of-duties conflict(s): u-b: p-1 + p-2.' },
      { date: '2026-11-28', text: 'No daily report for 2026-11-28.' },
      { date: '2026-11-29', text: 'Compliance went from COMPLIANT (85) to NON_COMPLIANT (65).' },
      { date: '2026-11-29', text: 'New orphaned access (disabled users holding access): u-gone.' },
    ]);
  });

  it('gives the latest report’s compliance and health', () => {
    expect(summary.latest).toEqual({ date: '2026-11-30', complianceScore: 65, complianceStatus: 'NON_COMPLIANT', healthStatus: 'HEALTHY' });
  });

  it('notes a rise in conflicts the capped lists cannot name', () => {
    const before = aReport('2026-11-29', { conflicts: [['u-a', 'p-1', 'p-2']] });
    const after = aReport('2026-11-30', { conflicts: [['u-a', 'p-1', 'p-2']] });
    after.risk.sodConflicts = 80;
    expect(summarizeWeek('2026-11-30', [before, after], GENERATED).notableEvents.filter((e) => e.date === '2026-11-30')).toEqual([
      { date: '2026-11-30', text: 'Segregation-of-duties conflicts rose from 1 to 80.' },
    ]);
  });

  it('a week without any daily report has no figures, seven missing days and no latest', () => {
    const empty = summarizeWeek('2026-11-30', [], GENERATED);
    expect(empty.figures).toEqual([]);
    expect(empty.missingDates).toEqual(empty.dates);
    expect(empty.notableEvents).toHaveLength(7);
    expect(empty.latest).toBeUndefined();
  });
});
