// A campaign report as CSV (RFC 4180, spreadsheet-safe), one self-contained HTML page (charts as
// inline SVG), or JSON (docs/reference/reports.md).
import type { CampaignReport, ReportFormat } from '../domain/reports/campaign-report.js';

export function renderReportCsv(_report: CampaignReport): string {
  throw new Error('renderReportCsv: not implemented yet');
}

export async function renderReportHtml(_report: CampaignReport): Promise<string> {
  throw new Error('renderReportHtml: not implemented yet');
}

/** Stable, pretty JSON: the pack's report.json, from which an archived run's report is rebuilt. */
export function renderReportJson(report: CampaignReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function renderReport(report: CampaignReport, format: ReportFormat): Promise<string> {
  if (format === 'csv') return renderReportCsv(report);
  if (format === 'html') return renderReportHtml(report);
  return renderReportJson(report);
}
