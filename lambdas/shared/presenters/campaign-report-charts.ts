// The campaign report's two charts (docs/reference/reports.md, "HTML"): decisions per UTC day and
// decisions per approver, rendered to SVG in Node by vega (no canvas, no network) from the vega specs
// compiled from scripts/charts/chart-specs.ts (vega-lite). The SVG is inlined in the report page,
// which therefore loads nothing.
import * as vega from 'vega';
import type { CampaignReport } from '../domain/reports/campaign-report.js';
import { decisionsOverTime, decisionsPerApprover } from './charts/compiled-specs.js';

/** The per-approver chart shows at most this many approvers (most decisions first); the table lists all. */
export const MAX_CHART_APPROVERS = 40;
/** Days between the first and the last decision are drawn one bar each, up to this span; beyond, only days with decisions. */
const MAX_FILLED_DAYS = 400;
const DAY_MS = 86_400_000;

export interface ReportCharts {
  /** undefined: no decision yet. */
  decisionsOverTime?: string;
  decisionsPerApprover?: string;
  /** How many approvers the per-approver chart leaves out. */
  approversLeftOut: number;
}

export async function renderReportCharts(report: CampaignReport): Promise<ReportCharts> {
  const days = filledDays(report.decisionsPerDay);
  const overTime = days.flatMap((d) => [
    { date: d.date, outcome: 'APPROVE', count: d.approved },
    { date: d.date, outcome: 'REJECT', count: d.rejected },
    { date: d.date, outcome: 'MODIFY', count: d.modified },
  ]);
  const approvers = [...report.reviewers]
    .sort((a, b) => b.itemsDecided - a.itemsDecided || (a.approverId < b.approverId ? -1 : a.approverId > b.approverId ? 1 : 0))
    .slice(0, MAX_CHART_APPROVERS);
  const perApprover = approvers.flatMap((r, rank) => {
    const approver = r.approverName ? `${r.approverName} (${r.approverId})` : r.approverId;
    return [
      { approver, rank, outcome: 'APPROVE', count: r.approved },
      { approver, rank, outcome: 'REJECT', count: r.rejected },
      { approver, rank, outcome: 'MODIFY', count: r.modified },
    ];
  });
  return {
    ...(days.length > 0
      ? {
          decisionsOverTime: await toSvg(decisionsOverTime, overTime, { width: Math.min(720, Math.max(240, days.length * 18)) }),
        }
      : {}),
    ...(approvers.length > 0
      ? {
          decisionsPerApprover: await toSvg(decisionsPerApprover, perApprover),
        }
      : {}),
    approversLeftOut: report.reviewers.length - approvers.length,
  };
}

/** Every day from the first decision to the last (zeros where none), unless the span is too long to draw so. */
function filledDays(days: CampaignReport['decisionsPerDay']): CampaignReport['decisionsPerDay'] {
  if (days.length === 0) return [];
  const first = Date.parse(`${days[0]!.date}T00:00:00Z`);
  const last = Date.parse(`${days[days.length - 1]!.date}T00:00:00Z`);
  if ((last - first) / DAY_MS + 1 > MAX_FILLED_DAYS) return days;
  const byDate = new Map(days.map((d) => [d.date, d]));
  const filled: CampaignReport['decisionsPerDay'] = [];
  for (let at = first; at <= last; at += DAY_MS) {
    const date = new Date(at).toISOString().slice(0, 10);
    filled.push(byDate.get(date) ?? { date, approved: 0, rejected: 0, modified: 0 });
  }
  return filled;
}

/**
 * A compiled spec with the rows in its dataset `table` as an SVG string for inlining: the renderer
 * 'none' draws nothing on screen and loads nothing; the namespace declarations (URIs that name, not
 * locations) are dropped, since HTML's parser knows the svg element without them.
 */
async function toSvg(spec: vega.Spec, rows: object[], size: { width?: number } = {}): Promise<string> {
  const withData: vega.Spec = {
    ...spec,
    ...size,
    data: (spec.data ?? []).map((d) => (d.name === 'table' ? { name: 'table', values: rows } : d)),
  };
  const view = new vega.View(vega.parse(withData), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    view.finalize();
  }
}
