// The daily report and weekly summary as mail: a one-line subject, plain text that is not
// HTML-escaped, and self-contained HTML in which every value is escaped.
import { describe, expect, it } from 'vitest';
import { composeDailyReport, emptyEntryTally, emptyUnverifiedTally, overallHealth, tallyEntries, tallyUnverified } from '../../../lambdas/shared/domain/daily-report.js';
import type { Revocation } from '../../../lambdas/shared/domain/model.js';
import { DEFAULT_OPERATIONS_CONFIG, LIST_CAP, type RiskSummary } from '../../../lambdas/shared/domain/operations.js';
import { renderDailyReport, renderWeeklySummary } from '../../../lambdas/shared/domain/report-rendering.js';
import { summarizeWeek } from '../../../lambdas/shared/domain/weekly-summary.js';
import { anEntry } from '../../support/fixtures.js';

const NOW = new Date('2026-12-01T08:00:00.000Z');
const SUMMARY: RiskSummary = {
  date: '2026-12-01',
  assessedAt: '2026-12-01T07:30:00.000Z',
  users: 10,
  usersByLevel: { LOW: 7, MEDIUM: 1, HIGH: 1, CRITICAL: 1 },
  sodConflicts: 60,
  sodConflictList: Array.from({ length: LIST_CAP }, (_, i) => ({ userId: `u-${i}`, privileges: ['p-a', 'p-b'] as [string, string] })),
  orphanedAccess: 1,
  orphanedAccessList: [
    { userId: 'u-<script>alert(1)</script>', assignments: [{ privilegeId: 'p-"quoted"&co', origin: 'MANUAL' }] },
    { userId: 'u-many', assignments: [{ privilegeId: 'p-a', origin: 'MANUAL' }, { privilegeId: 'p-b', origin: 'RULE' }], assignmentCount: 9000 },
  ],
};

function aReport(health = overallHealth('local', [{ name: 'table:campaigns', status: 'HEALTHY' }])) {
  const tally = tallyEntries(emptyEntryTally(), [anEntry({ id: 'e1', state: 'FINISHED' }), anEntry({ id: 'e2', state: 'RUNNING' })], NOW);
  return composeDailyReport({ now: NOW, tally, entriesDecided24h: 1, activeCampaigns: 1, certificationsLast30Days: 15, riskSummary: SUMMARY, health }, DEFAULT_OPERATIONS_CONFIG);
}

describe('renderDailyReport', () => {
  const report = aReport();
  const rendered = renderDailyReport(report);

  it('has a subject with the date, compliance and health', () => {
    // 100 − 10 (15 certifications) − 5 (2 HIGH/CRITICAL users) = 85
    expect(rendered.subject).toBe('idgov daily operations 2026-12-01: COMPLIANT 85, HEALTHY');
    const degraded = renderDailyReport(aReport(overallHealth('cloudwatch', [{ name: 'function:x', status: 'DEGRADED', reason: '2 errors' }])));
    expect(degraded.subject).toBe('idgov daily operations 2026-12-01: COMPLIANT 85, DEGRADED');
  });

  it('writes every section in plain text, values as they are', () => {
    for (const line of [
      'COMPLIANCE: COMPLIANT, score 85',
      '  -10: 15 certifications in the last 30 days, fewer than 20',
      '  Completion rate: 50%',
      '    RUNNING: 1',
      '  Users by level: LOW 7; MEDIUM 1; HIGH 1; CRITICAL 1;',
      '  Share at HIGH/CRITICAL: 20%',
      '  Segregation-of-duties conflicts: 60',
      '    ... and 10 more',
      '    u-<script>alert(1)</script>: p-"quoted"&co (MANUAL)',
      '    u-many: p-a (MANUAL), p-b (RULE), and 8998 more',
      'HEALTH: HEALTHY (source: local)',
      '  [HEALTHY] table:campaigns',
    ]) {
      expect(rendered.text.split('\n')).toContain(line);
    }
    expect(rendered.text).toContain(`  [CRITICAL] ${report.recommendations[0]!.text}`);
    expect(rendered.text).not.toContain('&lt;');
  });

  it('writes HTML that needs nothing from outside and escapes every value', () => {
    expect(rendered.html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(rendered.html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(rendered.html).not.toMatch(/\b(src|href)=/i);
    expect(rendered.html).not.toMatch(/https?:\/\//);
    expect(rendered.html).toContain('u-&lt;script&gt;alert(1)&lt;&#x2F;script&gt;');
    expect(rendered.html).toContain('p-&quot;quoted&quot;&amp;co');
    expect(rendered.html).toContain('<title>idgov daily operations 2026-12-01: COMPLIANT 85, HEALTHY</title>');
    expect(rendered.html).toContain('<li>and 10 more</li>');
  });
});

describe('renderDailyReport: revocation verification', () => {
  const removal = (userId: string, since: string): Revocation => ({
    runId: 'c-q#2',
    campaignId: 'c-q',
    userId,
    privilegeId: 'p-<git>',
    entryId: 'e',
    itemId: 'p-git',
    reason: 'REJECTED',
    at: since,
    verification: { status: 'STILL_PRESENT', at: '2026-12-01T07:00:00.000Z', since, nextCheckAt: '2026-12-02T07:00:00.000Z' },
  });
  const withRemovals = (count: number) => {
    const unverified = emptyUnverifiedTally();
    // Given newest first: the report lists the longest present first.
    const page = Array.from({ length: count }, (_, i) => removal(`u-${String(count - i).padStart(3, '0')}`, new Date(NOW.getTime() - (count - i) * 3_600_000).toISOString()));
    tallyUnverified(unverified, page, new Date(NOW.getTime() - 24 * 3_600_000));
    const tally = tallyEntries(emptyEntryTally(), [], NOW);
    return composeDailyReport({ now: NOW, tally, entriesDecided24h: 0, activeCampaigns: 0, certificationsLast30Days: 15, riskSummary: SUMMARY, health: overallHealth('local', []), unverified }, DEFAULT_OPERATIONS_CONFIG);
  };

  it('counts them, those first found in the window, and lists the longest present first, capped', () => {
    const report = withRemovals(LIST_CAP + 5);
    expect(report.revocations!.stillPresent).toBe(LIST_CAP + 5);
    expect(report.revocations!.foundInWindow).toBe(24);
    expect(report.revocations!.stillPresentList).toHaveLength(LIST_CAP);
    expect(report.revocations!.stillPresentList[0]!.userId).toBe(`u-0${LIST_CAP + 5}`);
    const { text, html } = renderDailyReport(report);
    expect(text.split('\n')).toContain(`  Removals still present in the directory: ${LIST_CAP + 5} (first found in the window: 24)`);
    expect(text.split('\n')).toContain('    u-055: p-<git> (campaign c-q, since 2026-11-29T01:00:00.000Z)');
    expect(text.split('\n')).toContain('    ... and 5 more');
    expect(html).toContain('<li>u-055: p-&lt;git&gt; (campaign c-q, since 2026-11-29T01:00:00.000Z)</li>');
    expect(html).toContain('<li>and 5 more</li>');
  });

  it('shows the section with 0 when nothing is left, and leaves it out of a report from before it existed', () => {
    const none = renderDailyReport(withRemovals(0));
    expect(none.text).toContain('REVOCATION VERIFICATION\n  Removals still present in the directory: 0 (first found in the window: 0)\n\nHEALTH');
    expect(withRemovals(0).recommendations.some((r) => r.text.includes('still in the directory'))).toBe(false);
    const older = renderDailyReport(aReport());
    expect(older.text).not.toContain('REVOCATION VERIFICATION');
    expect(older.html).not.toContain('Revocation verification');
  });
});

describe('renderWeeklySummary', () => {
  it('has a subject with the week and the latest compliance and health, and lists figures and events', () => {
    const summary = summarizeWeek('2026-12-01', [aReport()], NOW);
    const rendered = renderWeeklySummary(summary);
    expect(rendered.subject).toBe('idgov weekly summary 2026-11-25 to 2026-12-01: COMPLIANT 85, HEALTHY');
    expect(rendered.text.split('\n')).toContain('  complianceScore: 85 -> 85, 85..85, flat');
    expect(rendered.text.split('\n')).toContain('  2026-11-25: No daily report for 2026-11-25.');
    expect(rendered.html).toContain('<td style="border:1px solid #c8c8c8;padding:4px 8px;text-align:left">complianceScore</td>');
    expect(rendered.html).not.toMatch(/<(script|link|img)\b/i);
  });

  it('says so when the week has no daily report', () => {
    const rendered = renderWeeklySummary(summarizeWeek('2026-12-01', [], NOW));
    expect(rendered.subject).toBe('idgov weekly summary 2026-11-25 to 2026-12-01: no daily report');
    expect(rendered.text).toContain('No daily report this week.');
    expect(rendered.html).toContain('<p>No daily report this week.</p>');
  });
});
