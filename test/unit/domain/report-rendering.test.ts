// The daily report and weekly summary as mail: a one-line subject, plain text that is not
// HTML-escaped, and self-contained HTML in which every value is escaped.
import { describe, expect, it } from 'vitest';
import { composeDailyReport, emptyEntryTally, overallHealth, tallyEntries } from '../../../lambdas/shared/domain/daily-report.js';
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
