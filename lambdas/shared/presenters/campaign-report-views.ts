// A campaign report as CSV (RFC 4180, spreadsheet-safe), one self-contained HTML page (charts as
// inline SVG), or JSON (docs/reference/reports.md). The page's charts are drawn by the ChartDrawer it
// is given (vega in process: campaign-report-charts.ts), so that this module carries no charting library.
import { stringify } from 'csv-stringify/sync';
import type { CampaignReport, ReportFormat, ReportRow, ReportTotals } from '../domain/reports/campaign-report.js';
import { describeThresholds, formatPercent, formatSeconds } from '../domain/reports/reviewer-analytics.js';
import { chartDataOf, type ChartDrawer } from './report-chart-data.js';

// ---------------------------------------------------------------------------------------------
// CSV

/** The CSV's columns, in order: the header row names them, and each row is one item of one stage. */
export const CSV_COLUMNS = [
  ['campaign_id', (_r, report) => report.campaign.id],
  ['run_id', (_r, report) => report.campaign.runId],
  ['stage', (r) => r.stage],
  ['entry_id', (r) => r.entryId],
  ['entry_state', (r) => r.entryState],
  ['subject_id', (r) => r.subjectId],
  ['subject_name', (r) => r.subjectName],
  ['approver_ids', (r) => r.approverIds.join(';')],
  ['due_date', (r) => r.dueDate],
  ['item_id', (r) => r.itemId],
  ['user_id', (r) => r.userId],
  ['user_name', (r) => r.userName],
  ['privilege_id', (r) => r.privilegeId],
  ['privilege_name', (r) => r.privilegeName],
  ['privilege_risk', (r) => r.privilegeRisk],
  ['decision', (r) => r.decision],
  ['decided_by', (r) => r.decidedBy],
  ['decided_at', (r) => r.decidedAt],
  ['comment', (r) => r.comment],
  ['modified_end_date', (r) => (r.modifiedEndDate === null ? 'none' : r.modifiedEndDate)],
  ['modified_parameters', (r) => (r.modifiedParameters ? JSON.stringify(r.modifiedParameters) : undefined)],
  ['decision_after_close', (r) => (r.decisionAfterClose ? 'true' : undefined)],
  ['counted', (r) => String(r.counted)],
  ['result', (r) => r.result],
  ['outcome', (r) => r.outcome],
  ['applied_action', (r) => r.appliedAction],
  ['applied_at', (r) => r.appliedAt],
  ['applied_error', (r) => r.appliedError],
  ['applied_reason', (r) => r.appliedReason],
  ['verification', (r) => r.verification],
  ['verified_at', (r) => r.verifiedAt],
  ['verified_origin', (r) => r.verifiedOrigin],
  ['workflow_approval_id', (r) => r.workflowApprovalId],
  ['workflow_state', (r) => r.workflowState],
  ['workflow_outcome_by', (r) => r.workflowOutcomeBy],
  ['workflow_outcome_at', (r) => r.workflowOutcomeAt],
  ['workflow_applied_action', (r) => r.workflowAppliedAction],
] as const satisfies readonly (readonly [string, (row: ReportRow, report: CampaignReport) => string | number | undefined])[];

/**
 * A cell a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage return)
 * gets a leading apostrophe, so that it is shown as text and never evaluated (CSV injection).
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, a quote or a line break. */
export function renderReportCsv(report: CampaignReport): string {
  const header = CSV_COLUMNS.map(([name]) => name);
  const records = report.rows.map((row) =>
    CSV_COLUMNS.map(([, cell]) => {
      const value: string | number | undefined = cell(row, report);
      return value === undefined ? '' : spreadsheetSafe(String(value));
    }),
  );
  return stringify([header, ...records], { record_delimiter: 'windows' });
}

// ---------------------------------------------------------------------------------------------
// JSON

/** Stable, pretty JSON: the pack's report.json, from which an archived run's report is rebuilt. */
export function renderReportJson(report: CampaignReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function renderReport(report: CampaignReport, format: ReportFormat, drawCharts: ChartDrawer): Promise<string> {
  if (format === 'csv') return renderReportCsv(report);
  if (format === 'html') return renderReportHtml(report, drawCharts);
  return renderReportJson(report);
}

// ---------------------------------------------------------------------------------------------
// HTML

/** The summary figures, in the order shown; each is `data-total="<key>"` / `id="total-<key>"` on the page. */
export const SUMMARY_FIGURES: readonly { key: keyof ReportTotals; label: string; title: string }[] = [
  { key: 'items', label: 'Assignments certified', title: 'each assignment once, by the latest stage it reached' },
  { key: 'approved', label: 'Approved', title: 'the decision that counts is an approval' },
  { key: 'rejected', label: 'Rejected', title: 'the decision that counts is a rejection' },
  { key: 'modified', label: 'Modified', title: 'the decision that counts is a modification (or an approval of an earlier stage’s modification)' },
  { key: 'expired', label: 'Expired', title: 'never decided, and no longer open to a decision' },
  { key: 'pending', label: 'Pending', title: 'not decided yet; the run is still open' },
  { key: 'revoked', label: 'Revoked', title: 'removed by the run, or by the approval workflow it was handed to' },
  { key: 'kept', label: 'Kept', title: 'left in place (kept, modified, or not ours to remove)' },
  { key: 'handedOver', label: 'Handed over', title: 'handed to the privilege’s approval workflow' },
  { key: 'awaitingWorkflow', label: 'Awaiting workflow', title: 'handed over; the approval run’s outcome is not applied yet' },
  { key: 'changesFailed', label: 'Changes failed', title: 'the directory refused the change; the controller retries it' },
  { key: 'stillPresent', label: 'Still present', title: 'revoked, but found in the directory when it was read back; checked again daily until gone' },
  { key: 'keptByGuard', label: 'Kept by guard', title: 'the decision would remove it, but the user or the privilege is protected (counted in kept too)' },
  { key: 'entries', label: 'Entries', title: 'certification entries of every stage' },
];

/**
 * One page that needs nothing else: styles inline, charts as inline SVG, no script, no link, no
 * image; its Content-Security-Policy forbids loading anything, so nothing leaves the page.
 */
export async function renderReportHtml(report: CampaignReport, drawCharts: ChartDrawer): Promise<string> {
  const charts = await drawCharts(chartDataOf(report));
  const c = report.campaign;
  const title = `${c.name}: campaign report`;
  const runLabel = `run ${c.run}${c.archivedFrom ? ` (archived from ${c.archivedFrom})` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="idgov ${esc(report.format)}">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(c.name)}</h1>
<p class="subtitle">Campaign report of <code>${esc(c.id)}</code>, ${esc(runLabel)}, as of <time datetime="${esc(report.asOf)}">${esc(show(report.asOf))}</time> (${report.source === 'ARCHIVE' ? 'from the archived evidence' : 'from the live records'})</p>
${c.description ? `<p>${esc(c.description)}</p>\n` : ''}<dl class="facts">
${fact('Kind', c.kind)}${fact('Owner', c.ownerId)}${fact('State', c.state)}${fact('Run id', c.runId)}${fact('Start', show(c.startDate))}${fact('Due', show(c.dueDate))}${fact('End', show(c.endDate))}${fact('Status expiration', show(c.statusExpirationDate))}${fact('Revocation', `rejected ${c.revocation.rejected}, modified ${c.revocation.modified}, uncertified ${c.revocation.uncertified}`)}</dl>
</header>
<main>
<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="figures">
${SUMMARY_FIGURES.filter((f) => f.key !== 'keptByGuard' || report.totals.keptByGuard !== undefined).map((f) => `<div class="figure figure-${esc(f.key)}" data-total="${esc(f.key)}" title="${esc(f.title)}"><dt>${esc(f.label)}</dt><dd id="total-${esc(f.key)}">${report.totals[f.key] ?? '–'}</dd></div>`).join('\n')}
</dl>
<p class="note">Each assignment counts once, by its row in the latest stage it reached: approved + rejected + modified + expired + pending = assignments certified. Revoked, kept, awaiting workflow and changes failed count the assignments whose entry was applied. Still present counts the revoked ones found in the directory when it was read back.</p>
</section>
<section id="charts" aria-labelledby="charts-title">
<h2 id="charts-title">Decisions</h2>
<figure id="chart-decisions-over-time" class="chart">
<figcaption>Decisions per UTC day</figcaption>
${charts.decisionsOverTime ?? '<p class="empty">No decision yet.</p>'}
</figure>
<figure id="chart-decisions-per-approver" class="chart">
<figcaption>Decisions per approver${charts.approversLeftOut > 0 ? ` (the ${report.reviewers.length - charts.approversLeftOut} with the most decisions; ${charts.approversLeftOut} more in the table below)` : ''}</figcaption>
${charts.decisionsPerApprover ?? '<p class="empty">No decision yet.</p>'}
</figure>
</section>
${stillPresentSection(report)}${reviewersSection(report)}
${reassignmentsSection(report)}
${itemsSection(report)}
</main>
<footer><p>Format ${esc(report.format)}. Dates are UTC. Definitions of every figure: docs/reference/reports.md of idgov.</p></footer>
</body>
</html>
`;
}

/** The removals found in the directory when it was read back: shown apart, before everything else (nothing when none). */
function stillPresentSection(report: CampaignReport): string {
  const still = report.rows.filter((r) => r.counted && r.verification === 'STILL_PRESENT');
  if (still.length === 0) return '';
  const rows = still.map(
    (r) =>
      `<tr class="still-present"><td>${esc(r.userName ?? r.userId)}<br><code>${esc(r.userId)}</code></td><td>${esc(r.privilegeName ?? r.privilegeId)}<br><code>${esc(r.privilegeId)}</code></td><td>${esc(r.subjectName)} <code>${esc(r.entryId)}</code></td><td>${esc(show(r.appliedAt))}</td><td>${esc(show(r.verifiedAt))}</td></tr>`,
  );
  return `<section id="still-present" aria-labelledby="still-present-title">
<h2 id="still-present-title">Revocations still present</h2>
<p><strong>${still.length === 1 ? '1 assignment the run removed is' : `${still.length} assignments the run removed are`} still in the directory</strong> when read back: the directory accepted the removal but did not make it. Remove ${still.length === 1 ? 'it' : 'them'} by hand or have the connector checked; the controller checks ${still.length === 1 ? 'it' : 'them'} again daily.</p>
${table(['User', 'Privilege', 'Entry', 'Removed', 'Last checked'], rows, '')}
</section>
`;
}

function reviewersSection(report: CampaignReport): string {
  const flagged = report.reviewers.filter((r) => r.rubberStamp).length;
  const rows = report.reviewers.map((r) => {
    const cls = r.rubberStamp ? ' class="rubber-stamp" data-rubber-stamp="true"' : ' data-rubber-stamp="false"';
    return `<tr${cls} data-approver="${esc(r.approverId)}"><td>${esc(r.approverName ? `${r.approverName} (${r.approverId})` : r.approverId)}</td><td class="num">${r.itemsDecided}</td><td class="num">${r.approved}</td><td class="num">${r.rejected}</td><td class="num">${r.modified}</td><td class="num">${formatPercent(r.approveRate)} %</td><td class="num">${r.medianSecondsPerDecision === undefined ? '–' : `${formatSeconds(r.medianSecondsPerDecision)} s`}</td><td class="num">${r.largestBulkDecision}</td><td>${r.rubberStamp ? `<strong>Rubber stamp</strong>: ${esc(r.rubberStampReason ?? '')}` : 'no'}</td></tr>`;
  });
  return `<section id="reviewers" aria-labelledby="reviewers-title">
<h2 id="reviewers-title">Reviewer analytics</h2>
<p>${flagged === 0 ? 'No reviewer is flagged as a rubber stamp' : `<strong>${flagged === 1 ? '1 reviewer is flagged as a rubber stamp' : `${flagged} reviewers are flagged as rubber stamps`}</strong>`} (thresholds: ${esc(describeThresholds(report.thresholds))}; a gap over ${formatSeconds(report.thresholds.sessionBreakMinutes)} min starts a new sitting).</p>
${table(['Approver', 'Items decided', 'Approved', 'Rejected', 'Modified', 'Approve rate', 'Median per decision', 'Largest bulk', 'Rubber stamp'], rows, 'No decision yet.')}
</section>`;
}

function reassignmentsSection(report: CampaignReport): string {
  const rows = report.reassignments.map(
    (r) =>
      `<tr><td>${esc(show(r.at))}</td><td>${r.stage}</td><td>${esc(r.subjectName)} <code>${esc(r.entryId)}</code></td><td>${esc(r.from.join(', '))}</td><td>${esc(r.to)}</td><td>${esc(r.by)}</td><td>${esc(r.justification)}</td><td>${r.dueDate ? `${esc(show(r.previousDueDate))} → ${esc(show(r.dueDate))}` : '–'}</td></tr>`,
  );
  return `<section id="reassignments" aria-labelledby="reassignments-title">
<h2 id="reassignments-title">Reassignments</h2>
${table(['When', 'Stage', 'Entry', 'From', 'To', 'By', 'Justification', 'Due date'], rows, 'No entry was reassigned.')}
</section>`;
}

function itemsSection(report: CampaignReport): string {
  const rows = report.rows.map((r) => {
    const modification = [
      r.modifiedEndDate === null ? 'end date removed' : r.modifiedEndDate ? `end date ${show(r.modifiedEndDate)}` : '',
      ...Object.entries(r.modifiedParameters ?? {}).map(([k, v]) => (v === null ? `${k} removed` : `${k}=${v}`)),
    ].filter(Boolean);
    const workflow = r.workflowApprovalId
      ? `${r.workflowApprovalId} ${r.workflowState ?? ''}${r.workflowOutcomeBy ? ` by ${r.workflowOutcomeBy}` : ''}${r.workflowOutcomeAt ? ` ${show(r.workflowOutcomeAt)}` : ''}${r.workflowAppliedAction ? ` → ${r.workflowAppliedAction}` : ''}`
      : '';
    const verified = r.verification
      ? `<br>${r.verification === 'STILL_PRESENT' ? '<strong>STILL PRESENT</strong>' : `verified absent${r.verifiedOrigin ? ` (now ${esc(r.verifiedOrigin)})` : ''}`} ${esc(show(r.verifiedAt, ''))}`
      : '';
    return `<tr class="${r.counted ? 'counted' : 'history'}${r.verification === 'STILL_PRESENT' ? ' still-present' : ''}"><td class="num">${r.stage}</td><td>${esc(r.subjectName)}<br><code>${esc(r.entryId)}</code> ${esc(r.entryState)}</td><td>${esc(r.userName ?? r.userId)}<br><code>${esc(r.userId)}</code></td><td>${esc(r.privilegeName ?? r.privilegeId)}<br><code>${esc(r.privilegeId)}</code>${r.privilegeRisk ? ` ${esc(r.privilegeRisk)}` : ''}</td><td>${esc(r.approverIds.join(', '))}</td><td>${esc(r.decision ?? '–')}${modification.length ? `<br>${esc(modification.join(', '))}` : ''}${r.decisionAfterClose ? '<br><em>after the entry closed: not counted</em>' : ''}</td><td>${esc(r.decidedBy ?? '')}<br>${esc(show(r.decidedAt, ''))}</td><td class="comment">${esc(r.comment ?? '')}</td><td>${r.counted ? esc(r.result ?? '') : '<em>handed to the next stage</em>'}</td><td>${esc(r.outcome ?? '')}${r.appliedAction ? `<br>${esc(r.appliedAction)} ${esc(show(r.appliedAt, ''))}` : ''}${r.appliedError ? `<br>${esc(r.appliedError)}` : ''}${r.appliedReason ? `<br>${esc(r.appliedReason)}` : ''}${verified}${workflow ? `<br>${esc(workflow)}` : ''}</td></tr>`;
  });
  return `<section id="items" aria-labelledby="items-title">
<h2 id="items-title">Items</h2>
<p class="note">One row per item of every stage. A row in italics is an earlier stage's decision that handed the item to the next stage: shown, not counted.</p>
${table(['Stage', 'Subject / entry', 'User', 'Privilege', 'Approvers', 'Decision', 'Decided by / at', 'Comment', 'Counts as', 'Outcome'], rows, 'No item.')}
</section>`;
}

function table(head: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table>
<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

const fact = (label: string, value: string) => `<div><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>\n`;

/** An instant as people read it: `2026-07-02 10:05:00 UTC` (dates in the JSON and CSV stay ISO 8601). */
function show(iso: string | undefined, none = '–'): string {
  if (!iso) return none;
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: nothing a report holds (names, comments) can become markup. */
export const esc = (value: string): string => value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

const STYLE = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #d0d4d9; --flag: #c62828; --flag-bg: #fdecea; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
.subtitle, .note, footer { color: var(--muted); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 4px 16px; margin: 12px 0; }
dl.facts div { display: flex; gap: 6px; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 0; }
.figure { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 12px; }
.figure dt { color: var(--muted); font-size: 12px; } .figure dd { margin: 0; font-size: 24px; font-weight: 600; }
.figure-revoked dd, .figure-stillPresent dd { color: var(--flag); }
.chart { margin: 12px 0; } .chart figcaption { font-weight: 600; margin-bottom: 4px; } .chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.comment { max-width: 280px; white-space: pre-wrap; overflow-wrap: anywhere; }
tr.history td { color: var(--muted); font-style: italic; }
tr.still-present td { background: var(--flag-bg); }
tr.rubber-stamp td { background: var(--flag-bg); } tr.rubber-stamp td:first-child { border-left: 4px solid var(--flag); }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 32px; font-size: 12px; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10px; }
  h2 { break-after: avoid; }
  .figure, .chart, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 9px; }
  tr.rubber-stamp td { background: var(--flag-bg); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
