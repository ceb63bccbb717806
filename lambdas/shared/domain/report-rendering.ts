// The daily report and the weekly summary as a mail and a topic message (docs/reference/operations.md,
// "Delivery"): a one-line subject, plain text, and self-contained HTML (inline styles, no external
// resource; every value HTML-escaped by Mustache's {{ }}). Pure.
import Mustache from 'mustache';
import { highRiskUsersOf } from './daily-report.js';
import { LIST_CAP, type DailyReport, type WeeklySummary } from './operations.js';

export interface RenderedReport {
  subject: string;
  text: string;
  html: string;
}

const plain = { escape: (value: unknown) => String(value) };
const html = { escape: Mustache.escape };

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** "idgov daily operations 2026-12-01: COMPLIANT 85, HEALTHY" */
export const dailySubject = (r: DailyReport): string =>
  oneLine(`idgov daily operations ${r.date}: ${r.compliance.status} ${r.compliance.score}, ${r.health.status}`);

/** "idgov weekly summary 2026-11-25 to 2026-12-01: COMPLIANT 85, HEALTHY" */
export const weeklySubject = (s: WeeklySummary): string =>
  oneLine(
    `idgov weekly summary ${s.dates[0] ?? s.date} to ${s.date}: ${
      s.latest ? `${s.latest.complianceStatus} ${s.latest.complianceScore}, ${s.latest.healthStatus}` : 'no daily report'
    }`,
  );

function dailyView(r: DailyReport) {
  const more = (count: number, shown: number) => (count > shown ? count - shown : 0);
  return {
    ...r,
    subject: dailySubject(r),
    states: Object.entries(r.certification.entriesByState).map(([state, count]) => ({ state, count })),
    levels: (['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const).map((level) => ({ level, count: r.risk.usersByLevel[level] })),
    highRiskUsers: highRiskUsersOf(r.risk),
    assessedOn: r.risk.assessedOn ?? 'no assessment found',
    conflicts: r.risk.sodConflictList.slice(0, LIST_CAP).map((c) => ({ ...c, first: c.privileges[0], second: c.privileges[1] })),
    moreConflicts: more(r.risk.sodConflicts, Math.min(r.risk.sodConflictList.length, LIST_CAP)),
    orphans: r.risk.orphanedAccessList.slice(0, LIST_CAP).map((o) => ({
      userId: o.userId,
      privileges:
        o.assignments.map((a) => `${a.privilegeId} (${a.origin})`).join(', ') +
        ((o.assignmentCount ?? 0) > o.assignments.length ? `, and ${o.assignmentCount! - o.assignments.length} more` : ''),
    })),
    moreOrphans: more(r.risk.orphanedAccess, Math.min(r.risk.orphanedAccessList.length, LIST_CAP)),
    healthy: r.health.status === 'HEALTHY',
    compliant: r.compliance.status === 'COMPLIANT',
    components: r.health.components.map((c) => ({ ...c, degraded: c.status !== 'HEALTHY' })),
    stillPresent: (r.revocations?.stillPresentList ?? []).slice(0, LIST_CAP),
    moreStillPresent: r.revocations ? more(r.revocations.stillPresent, Math.min(r.revocations.stillPresentList.length, LIST_CAP)) : 0,
  };
}

const DAILY_TEXT = `{{subject}}
Window: {{window.from}} to {{window.to}}

COMPLIANCE: {{compliance.status}}, score {{compliance.score}}
  Certifications in the last 30 days: {{compliance.certificationsLast30Days}}
  HIGH/CRITICAL users: {{compliance.highRiskUsers}}
  Formula: {{compliance.formula}}
{{#compliance.deductions}}
  -{{points}}: {{reason}}
{{/compliance.deductions}}

CERTIFICATION
  Active campaigns: {{certification.activeCampaigns}}
  Entries decided in the last 24 hours: {{certification.entriesDecided24h}}
  Completion rate: {{certification.completionRate}}%
  Overdue entries: {{certification.overdueEntries}}
  Entries by state:
{{#states}}
    {{state}}: {{count}}
{{/states}}

RISK (assessment of {{assessedOn}})
  Users by level:{{#levels}} {{level}} {{count}};{{/levels}}
  Share at HIGH/CRITICAL: {{risk.highRiskShare}}%
  Segregation-of-duties conflicts: {{risk.sodConflicts}}
{{#conflicts}}
    {{userId}}: {{first}} + {{second}}{{#reason}} ({{reason}}){{/reason}}
{{/conflicts}}
{{#moreConflicts}}
    ... and {{moreConflicts}} more
{{/moreConflicts}}
  Orphaned access (disabled users holding access): {{risk.orphanedAccess}}
{{#orphans}}
    {{userId}}: {{privileges}}
{{/orphans}}
{{#moreOrphans}}
    ... and {{moreOrphans}} more
{{/moreOrphans}}

{{#revocations}}
REVOCATION VERIFICATION
  Removals still present in the directory: {{stillPresent}} (first found in the window: {{foundInWindow}})
{{/revocations}}
{{#stillPresent}}
    {{userId}}: {{privilegeId}} (campaign {{campaignId}}, since {{since}})
{{/stillPresent}}
{{#moreStillPresent}}
    ... and {{moreStillPresent}} more
{{/moreStillPresent}}
{{#revocations}}

{{/revocations}}
HEALTH: {{health.status}} (source: {{health.source}})
{{#components}}
  [{{status}}] {{name}}{{#reason}}: {{reason}}{{/reason}}
{{/components}}

RECOMMENDATIONS
{{#recommendations}}
  [{{severity}}] {{text}}
{{/recommendations}}
`;

const STYLE = {
  body: 'font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1a1a1a;max-width:760px;margin:0 auto;padding:16px',
  table: 'border-collapse:collapse;margin:4px 0 12px 0',
  cell: 'border:1px solid #c8c8c8;padding:4px 8px;text-align:left',
  good: 'color:#0a6b2b;font-weight:bold',
  bad: 'color:#b00020;font-weight:bold',
};

const DAILY_HTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{subject}}</title></head>
<body style="${STYLE.body}">
<h1 style="font-size:20px">idgov daily operations {{date}}</h1>
<p>Window: {{window.from}} to {{window.to}}</p>
<h2 style="font-size:16px">Compliance: <span style="{{#compliant}}${STYLE.good}{{/compliant}}{{^compliant}}${STYLE.bad}{{/compliant}}">{{compliance.status}}</span>, score {{compliance.score}}</h2>
<p>Certifications in the last 30 days: {{compliance.certificationsLast30Days}}; HIGH/CRITICAL users: {{compliance.highRiskUsers}}</p>
<p>Formula: {{compliance.formula}}</p>
{{#compliance.deductions.length}}
<ul>
{{#compliance.deductions}}
<li>&minus;{{points}}: {{reason}}</li>
{{/compliance.deductions}}
</ul>
{{/compliance.deductions.length}}
<h2 style="font-size:16px">Certification</h2>
<table style="${STYLE.table}">
<tr><th style="${STYLE.cell}">Active campaigns</th><td style="${STYLE.cell}">{{certification.activeCampaigns}}</td></tr>
<tr><th style="${STYLE.cell}">Entries decided in the last 24 hours</th><td style="${STYLE.cell}">{{certification.entriesDecided24h}}</td></tr>
<tr><th style="${STYLE.cell}">Completion rate</th><td style="${STYLE.cell}">{{certification.completionRate}}%</td></tr>
<tr><th style="${STYLE.cell}">Overdue entries</th><td style="${STYLE.cell}">{{certification.overdueEntries}}</td></tr>
{{#states}}
<tr><th style="${STYLE.cell}">Entries {{state}}</th><td style="${STYLE.cell}">{{count}}</td></tr>
{{/states}}
</table>
<h2 style="font-size:16px">Risk (assessment of {{assessedOn}})</h2>
<table style="${STYLE.table}">
{{#levels}}
<tr><th style="${STYLE.cell}">Users {{level}}</th><td style="${STYLE.cell}">{{count}}</td></tr>
{{/levels}}
<tr><th style="${STYLE.cell}">Share at HIGH/CRITICAL</th><td style="${STYLE.cell}">{{risk.highRiskShare}}%</td></tr>
<tr><th style="${STYLE.cell}">Segregation-of-duties conflicts</th><td style="${STYLE.cell}">{{risk.sodConflicts}}</td></tr>
<tr><th style="${STYLE.cell}">Orphaned access</th><td style="${STYLE.cell}">{{risk.orphanedAccess}}</td></tr>
</table>
{{#conflicts.length}}
<p>Conflicts:</p>
<ul>
{{#conflicts}}
<li>{{userId}}: {{first}} + {{second}}{{#reason}} ({{reason}}){{/reason}}</li>
{{/conflicts}}
{{#moreConflicts}}
<li>and {{moreConflicts}} more</li>
{{/moreConflicts}}
</ul>
{{/conflicts.length}}
{{#orphans.length}}
<p>Orphaned access:</p>
<ul>
{{#orphans}}
<li>{{userId}}: {{privileges}}</li>
{{/orphans}}
{{#moreOrphans}}
<li>and {{moreOrphans}} more</li>
{{/moreOrphans}}
</ul>
{{/orphans.length}}
{{#revocations}}
<h2 style="font-size:16px">Revocation verification</h2>
<table style="${STYLE.table}">
<tr><th style="${STYLE.cell}">Removals still present in the directory</th><td style="${STYLE.cell}">{{stillPresent}}</td></tr>
<tr><th style="${STYLE.cell}">First found in the window</th><td style="${STYLE.cell}">{{foundInWindow}}</td></tr>
</table>
{{/revocations}}
{{#stillPresent.length}}
<ul>
{{#stillPresent}}
<li>{{userId}}: {{privilegeId}} (campaign {{campaignId}}, since {{since}})</li>
{{/stillPresent}}
{{#moreStillPresent}}
<li>and {{moreStillPresent}} more</li>
{{/moreStillPresent}}
</ul>
{{/stillPresent.length}}
<h2 style="font-size:16px">Health: <span style="{{#healthy}}${STYLE.good}{{/healthy}}{{^healthy}}${STYLE.bad}{{/healthy}}">{{health.status}}</span> (source: {{health.source}})</h2>
<table style="${STYLE.table}">
<tr><th style="${STYLE.cell}">Component</th><th style="${STYLE.cell}">Status</th><th style="${STYLE.cell}">Reason</th></tr>
{{#components}}
<tr><td style="${STYLE.cell}">{{name}}</td><td style="${STYLE.cell}{{#degraded}};${STYLE.bad}{{/degraded}}">{{status}}</td><td style="${STYLE.cell}">{{reason}}</td></tr>
{{/components}}
</table>
<h2 style="font-size:16px">Recommendations</h2>
<ul>
{{#recommendations}}
<li><strong>{{severity}}</strong>: {{text}}</li>
{{/recommendations}}
</ul>
</body>
</html>
`;

/** The daily report as subject, plain text and HTML. */
export function renderDailyReport(report: DailyReport): RenderedReport {
  const view = dailyView(report);
  return {
    subject: view.subject,
    text: Mustache.render(DAILY_TEXT, view, undefined, plain),
    html: Mustache.render(DAILY_HTML, view, undefined, html),
  };
}

function weeklyView(s: WeeklySummary) {
  return {
    ...s,
    subject: weeklySubject(s),
    from: s.dates[0] ?? s.date,
    missing: s.missingDates.join(', '),
    hasFigures: s.figures.length > 0,
    hasEvents: s.notableEvents.length > 0,
    figureRows: s.figures.map((f) => ({ ...f, arrow: f.trend === 'up' ? '↑' : f.trend === 'down' ? '↓' : '→' })),
  };
}

const WEEKLY_TEXT = `{{subject}}
Days: {{from}} to {{date}}{{#missingDates.length}}; without a daily report: {{missing}}{{/missingDates.length}}
{{#latest}}
Latest ({{date}}): compliance {{complianceStatus}} {{complianceScore}}, health {{healthStatus}}
{{/latest}}

FIGURES (first -> last, min..max, trend)
{{#figureRows}}
  {{name}}: {{first}} -> {{last}}, {{min}}..{{max}}, {{trend}}
{{/figureRows}}
{{^hasFigures}}
  No daily report this week.
{{/hasFigures}}

NOTABLE EVENTS
{{#notableEvents}}
  {{date}}: {{text}}
{{/notableEvents}}
{{^hasEvents}}
  None.
{{/hasEvents}}
`;

const WEEKLY_HTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{subject}}</title></head>
<body style="${STYLE.body}">
<h1 style="font-size:20px">idgov weekly summary {{from}} to {{date}}</h1>
{{#latest}}
<p>Latest ({{date}}): compliance <strong>{{complianceStatus}} {{complianceScore}}</strong>, health <strong>{{healthStatus}}</strong></p>
{{/latest}}
{{#missingDates.length}}
<p>Days without a daily report: {{missing}}</p>
{{/missingDates.length}}
<h2 style="font-size:16px">Figures</h2>
{{#hasFigures}}
<table style="${STYLE.table}">
<tr><th style="${STYLE.cell}">Figure</th><th style="${STYLE.cell}">First</th><th style="${STYLE.cell}">Last</th><th style="${STYLE.cell}">Min</th><th style="${STYLE.cell}">Max</th><th style="${STYLE.cell}">Trend</th></tr>
{{#figureRows}}
<tr><td style="${STYLE.cell}">{{name}}</td><td style="${STYLE.cell}">{{first}}</td><td style="${STYLE.cell}">{{last}}</td><td style="${STYLE.cell}">{{min}}</td><td style="${STYLE.cell}">{{max}}</td><td style="${STYLE.cell}">{{arrow}} {{trend}}</td></tr>
{{/figureRows}}
</table>
{{/hasFigures}}
{{^hasFigures}}
<p>No daily report this week.</p>
{{/hasFigures}}
<h2 style="font-size:16px">Notable events</h2>
{{#hasEvents}}
<ul>
{{#notableEvents}}
<li>{{date}}: {{text}}</li>
{{/notableEvents}}
</ul>
{{/hasEvents}}
{{^hasEvents}}
<p>None.</p>
{{/hasEvents}}
</body>
</html>
`;

/** The weekly summary as subject, plain text and HTML. */
export function renderWeeklySummary(summary: WeeklySummary): RenderedReport {
  const view = weeklyView(summary);
  return {
    subject: view.subject,
    text: Mustache.render(WEEKLY_TEXT, view, undefined, plain),
    html: Mustache.render(WEEKLY_HTML, view, undefined, html),
  };
}
