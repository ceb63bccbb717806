// The daily report and the weekly summary as JSON contracts: what `idgov report … --json`, the
// jobs' answers and the stored records hold. Strict, so a field added to the types without its
// schema fails the tests; JSON Schemas are generated from these into docs/reports/.
import * as z from 'zod';
import type { DailyReport, WeeklySummary } from './operations.js';

const isoInstant = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();
const count = z.number().int().nonnegative();
const percent = z.number().min(0).max(100);
const riskLevels = z.strictObject({ LOW: count, MEDIUM: count, HIGH: count, CRITICAL: count });
const healthStatus = z.enum(['HEALTHY', 'DEGRADED']);

const sodConflict = z.strictObject({
  userId: z.string(),
  privileges: z.tuple([z.string(), z.string()]),
  reason: z.string().optional(),
});

const orphanedAccess = z.strictObject({
  userId: z.string(),
  assignments: z.array(z.strictObject({ privilegeId: z.string(), origin: z.string() })),
  assignmentCount: count.optional(),
});

const healthComponent = z.strictObject({
  name: z.string(),
  status: healthStatus,
  reason: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const dailyReportSchema = z
  .strictObject({
    date: isoDate,
    generatedAt: isoInstant,
    window: z.strictObject({ from: isoInstant, to: isoInstant }),
    certification: z.strictObject({
      entriesByState: z.record(z.string(), count),
      entriesDecided24h: count,
      completionRate: percent,
      overdueEntries: count,
      activeCampaigns: count,
    }),
    risk: z.strictObject({
      assessedOn: isoDate.optional(),
      usersByLevel: riskLevels,
      highRiskShare: percent,
      sodConflicts: count,
      orphanedAccess: count,
      sodConflictList: z.array(sodConflict),
      orphanedAccessList: z.array(orphanedAccess),
    }),
    health: z.strictObject({ status: healthStatus, source: z.enum(['local', 'cloudwatch']), components: z.array(healthComponent) }),
    revocations: z
      .strictObject({
        stillPresent: count,
        foundInWindow: count,
        stillPresentList: z.array(
          z.strictObject({ campaignId: z.string(), runId: z.string(), userId: z.string(), privilegeId: z.string(), since: isoInstant }),
        ),
      })
      .optional(),
    compliance: z.strictObject({
      score: z.number().int().min(0).max(100),
      status: z.enum(['COMPLIANT', 'NON_COMPLIANT']),
      certificationsLast30Days: count,
      highRiskUsers: count,
      formula: z.string(),
      deductions: z.array(z.strictObject({ reason: z.string(), points: z.number().int().nonnegative() })),
    }),
    recommendations: z.array(z.strictObject({ severity: z.enum(['INFO', 'WARNING', 'CRITICAL']), text: z.string() })).min(1),
  })
  .meta({ title: 'idgov daily operations report', description: 'docs/reference/operations.md, "The daily report"' });

export const weeklySummarySchema = z
  .strictObject({
    date: isoDate,
    generatedAt: isoInstant,
    dates: z.array(isoDate).length(7),
    missingDates: z.array(isoDate),
    figures: z.array(
      z.strictObject({
        name: z.string(),
        first: z.number(),
        last: z.number(),
        min: z.number(),
        max: z.number(),
        trend: z.enum(['up', 'down', 'flat']),
      }),
    ),
    notableEvents: z.array(z.strictObject({ date: isoDate, text: z.string() })),
    latest: z
      .strictObject({ date: isoDate, complianceScore: z.number(), complianceStatus: z.string(), healthStatus })
      .optional(),
  })
  .meta({ title: 'idgov weekly summary', description: 'docs/reference/operations.md, "The weekly summary"' });

// Kept in step with the types at compile time: a schema that allows what a type does not fails here.
export const REPORT_SCHEMAS = {
  'daily-report': dailyReportSchema satisfies z.ZodType<DailyReport>,
  'weekly-summary': weeklySummarySchema satisfies z.ZodType<WeeklySummary>,
} as const;
