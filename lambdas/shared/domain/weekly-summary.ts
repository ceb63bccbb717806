// The weekly summary (docs/reference/operations.md, "The weekly summary"): the seven daily reports
// ending on a date, each figure with its trend, and the week's notable events. Pure.
import { addDays } from './dates.js';
import { highRiskUsersOf } from './daily-report.js';
import type { DailyReport, OrphanedAccess, SodConflict, Trend, WeeklySummary } from './operations.js';

export const WEEK_DAYS = 7;

/** The figures a summary follows, by name, read from each daily report. */
export const WEEKLY_FIGURES: { name: string; of: (r: DailyReport) => number }[] = [
  { name: 'completionRate', of: (r) => r.certification.completionRate },
  { name: 'entriesDecided24h', of: (r) => r.certification.entriesDecided24h },
  { name: 'openEntries', of: (r) => r.certification.entriesByState.RUNNING ?? 0 },
  { name: 'overdueEntries', of: (r) => r.certification.overdueEntries },
  { name: 'activeCampaigns', of: (r) => r.certification.activeCampaigns },
  { name: 'highRiskUsers', of: (r) => highRiskUsersOf(r.risk) },
  { name: 'highRiskShare', of: (r) => r.risk.highRiskShare },
  { name: 'sodConflicts', of: (r) => r.risk.sodConflicts },
  { name: 'orphanedAccess', of: (r) => r.risk.orphanedAccess },
  { name: 'certificationsLast30Days', of: (r) => r.compliance.certificationsLast30Days },
  { name: 'complianceScore', of: (r) => r.compliance.score },
];

/** The seven dates ending with `date`, oldest first. */
export const weekDates = (date: string): string[] => Array.from({ length: WEEK_DAYS }, (_, i) => addDays(date, i - WEEK_DAYS + 1));

/** The last value against the first: up, down or flat. */
export const trendOf = (first: number, last: number): Trend => (last > first ? 'up' : last < first ? 'down' : 'flat');

const conflictKey = (c: SodConflict) => `${c.userId}\n${[...c.privileges].sort().join('\n')}`;
const orphanKey = (o: OrphanedAccess) => o.userId;

/**
 * Summarises the week ending on `date` from its daily reports (others are ignored). Figures run
 * over the days that have a report, oldest first; a week without any report has no figures.
 * Notable events: each day without a report, each day health was DEGRADED, each change of
 * compliance status, and SoD conflicts or orphaned access not in the previous report of the week.
 */
export function summarizeWeek(date: string, reports: readonly DailyReport[], generatedAt: Date): WeeklySummary {
  const dates = weekDates(date);
  const byDate = new Map(reports.filter((r) => dates.includes(r.date)).map((r) => [r.date, r]));
  const week = dates.flatMap((d) => (byDate.has(d) ? [byDate.get(d)!] : []));
  const missingDates = dates.filter((d) => !byDate.has(d));

  const figures = week.length === 0 ? [] : WEEKLY_FIGURES.map(({ name, of }) => {
    const values = week.map(of);
    const first = values[0]!;
    const last = values[values.length - 1]!;
    return { name, first, last, min: Math.min(...values), max: Math.max(...values), trend: trendOf(first, last) };
  });

  const notableEvents: WeeklySummary['notableEvents'] = missingDates.map((d) => ({ date: d, text: `No daily report for ${d}.` }));
  week.forEach((report, i) => {
    const previous = i > 0 ? week[i - 1] : undefined;
    if (report.health.status === 'DEGRADED') {
      const degraded = report.health.components.filter((c) => c.status === 'DEGRADED').map((c) => c.name);
      notableEvents.push({ date: report.date, text: `Health DEGRADED: ${degraded.join(', ') || 'no component named'}.` });
    }
    if (!previous) return;
    if (previous.compliance.status !== report.compliance.status) {
      notableEvents.push({
        date: report.date,
        text: `Compliance went from ${previous.compliance.status} (${previous.compliance.score}) to ${report.compliance.status} (${report.compliance.score}).`,
      });
    }
    const known = new Set(previous.risk.sodConflictList.map(conflictKey));
    const newConflicts = report.risk.sodConflictList.filter((c) => !known.has(conflictKey(c)));
    if (newConflicts.length > 0) {
      const list = newConflicts.map((c) => `${c.userId}: ${c.privileges[0]} + ${c.privileges[1]}`).join('; ');
      notableEvents.push({ date: report.date, text: `New segregation-of-duties conflict(s): ${list}.` });
    } else if (report.risk.sodConflicts > previous.risk.sodConflicts) {
      notableEvents.push({ date: report.date, text: `Segregation-of-duties conflicts rose from ${previous.risk.sodConflicts} to ${report.risk.sodConflicts}.` });
    }
    const orphaned = new Set(previous.risk.orphanedAccessList.map(orphanKey));
    const newOrphans = report.risk.orphanedAccessList.filter((o) => !orphaned.has(orphanKey(o)));
    if (newOrphans.length > 0) {
      notableEvents.push({ date: report.date, text: `New orphaned access (disabled users holding access): ${newOrphans.map(orphanKey).join(', ')}.` });
    } else if (report.risk.orphanedAccess > previous.risk.orphanedAccess) {
      notableEvents.push({ date: report.date, text: `Orphaned access rose from ${previous.risk.orphanedAccess} to ${report.risk.orphanedAccess} users.` });
    }
  });
  notableEvents.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  const latest = week[week.length - 1];
  return {
    date,
    generatedAt: generatedAt.toISOString(),
    dates,
    missingDates,
    figures,
    notableEvents,
    ...(latest
      ? {
          latest: {
            date: latest.date,
            complianceScore: latest.compliance.score,
            complianceStatus: latest.compliance.status,
            healthStatus: latest.health.status,
          },
        }
      : {}),
  };
}
