// The reports' JSON contracts: the committed JSON Schemas are generated from the zod schemas, and
// the schemas refuse what a report must not hold (the use-case and CLI tests parse real reports).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dailyReportSchema, weeklySummarySchema } from '../../../lambdas/shared/domain/report-schemas.js';
import type { DailyReport } from '../../../lambdas/shared/domain/operations.js';
import { REPORT_SCHEMA_DIR, renderReportSchemas } from '../../../scripts/report-schemas.js';

const report: DailyReport = {
  date: '2026-12-01',
  generatedAt: '2026-12-01T08:00:01.000Z',
  window: { from: '2026-11-30T08:00:00.000Z', to: '2026-12-01T08:00:00.000Z' },
  certification: { entriesByState: { RUNNING: 3, FINISHED: 2 }, entriesDecided24h: 2, completionRate: 40, overdueEntries: 1, activeCampaigns: 1 },
  risk: {
    assessedOn: '2026-12-01',
    usersByLevel: { LOW: 1, MEDIUM: 1, HIGH: 1, CRITICAL: 1 },
    highRiskShare: 50,
    sodConflicts: 1,
    orphanedAccess: 1,
    sodConflictList: [{ userId: 'u1', privileges: ['p1', 'p2'], reason: 'payments' }],
    orphanedAccessList: [{ userId: 'u2', assignments: [{ privilegeId: 'p1', origin: 'MANUAL' }], assignmentCount: 1 }],
  },
  health: { status: 'HEALTHY', source: 'local', components: [{ name: 'table:campaigns', status: 'HEALTHY' }] },
  compliance: { score: 75, status: 'NON_COMPLIANT', certificationsLast30Days: 2, highRiskUsers: 2, formula: 'starts at 100', deductions: [{ reason: 'few certifications', points: 20 }] },
  recommendations: [{ severity: 'WARNING', text: 'send reminders' }],
};

describe('report schemas', () => {
  it('are committed as generated (npm run reports:schemas)', () => {
    for (const [name, text] of renderReportSchemas()) {
      expect(readFileSync(join(REPORT_SCHEMA_DIR, name), 'utf8'), `docs/reports/${name}`).toBe(text);
    }
  });

  it('accept a whole daily report', () => {
    expect(dailyReportSchema.parse(report)).toEqual(report);
  });

  it.each([
    ['an unknown field', { ...report, extra: 1 }, 'extra'],
    ['a completion rate above 100', { ...report, certification: { ...report.certification, completionRate: 101 } }, 'certification.completionRate'],
    ['an unknown health status', { ...report, health: { ...report.health, status: 'OK' } }, 'health.status'],
    ['a report without recommendations', { ...report, recommendations: [] }, 'recommendations'],
    ['a level missing from usersByLevel', { ...report, risk: { ...report.risk, usersByLevel: { LOW: 1, MEDIUM: 1, HIGH: 1 } } }, 'risk.usersByLevel.CRITICAL'],
  ])('refuse a daily report with %s, naming the field', (_what, bad, field) => {
    const result = dailyReportSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => (i.path.length > 0 ? i.path.join('.') : (i as { keys?: string[] }).keys?.join('.')))).toContain(field);
  });

  it('refuse a weekly summary that does not cover seven dates', () => {
    const summary = { date: '2026-11-30', generatedAt: '2026-11-30T09:00:00.000Z', dates: ['2026-11-30'], missingDates: [], figures: [], notableEvents: [] };
    expect(weeklySummarySchema.safeParse(summary).success).toBe(false);
    const dates = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30'];
    expect(weeklySummarySchema.safeParse({ ...summary, dates }).success).toBe(true);
  });
});
