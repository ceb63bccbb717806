// What the campaign report's two charts draw (docs/reference/reports.md, "HTML"): the rows of the
// decisions per UTC day and per approver, computed from the report without the charting library. The
// page is laid out without it too, so that what draws the charts can run elsewhere: vega in process
// (campaign-report-charts.ts), or the render-report-charts function on AWS, whose answer is the same.
import type { CampaignReport } from '../domain/reports/campaign-report.js';

/** The per-approver chart shows at most this many approvers (most decisions first); the table lists all. */
export const MAX_CHART_APPROVERS = 40;
/** Days between the first and the last decision are drawn one bar each, up to this span; beyond, only days with decisions. */
const MAX_FILLED_DAYS = 400;
const DAY_MS = 86_400_000;

export type ChartOutcome = 'APPROVE' | 'REJECT' | 'MODIFY';

/** The rows of both charts: bounded (days, and at most MAX_CHART_APPROVERS approvers), whatever the campaign's size. */
export interface ReportChartData {
  /** Decisions per UTC day by outcome; empty when there is no decision yet. */
  overTime: { date: string; outcome: ChartOutcome; count: number }[];
  /** The width of that chart, in pixels. */
  overTimeWidth: number;
  /** Decisions per approver by outcome, `rank` 0 for the approver with the most; empty when there is no decision yet. */
  perApprover: { approver: string; rank: number; outcome: ChartOutcome; count: number }[];
  /** How many approvers the per-approver chart leaves out. */
  approversLeftOut: number;
}

export interface ReportCharts {
  /** undefined: no decision yet. */
  decisionsOverTime?: string;
  decisionsPerApprover?: string;
  /** How many approvers the per-approver chart leaves out. */
  approversLeftOut: number;
}

/** Draws the charts of `data` as inline SVG. */
export type ChartDrawer = (data: ReportChartData) => Promise<ReportCharts>;

export function chartDataOf(report: Pick<CampaignReport, 'decisionsPerDay' | 'reviewers'>): ReportChartData {
  const days = filledDays(report.decisionsPerDay);
  const overTime = days.flatMap((d) => [
    { date: d.date, outcome: 'APPROVE' as const, count: d.approved },
    { date: d.date, outcome: 'REJECT' as const, count: d.rejected },
    { date: d.date, outcome: 'MODIFY' as const, count: d.modified },
  ]);
  const approvers = [...report.reviewers]
    .sort((a, b) => b.itemsDecided - a.itemsDecided || (a.approverId < b.approverId ? -1 : a.approverId > b.approverId ? 1 : 0))
    .slice(0, MAX_CHART_APPROVERS);
  const perApprover = approvers.flatMap((r, rank) => {
    const approver = r.approverName ? `${r.approverName} (${r.approverId})` : r.approverId;
    return [
      { approver, rank, outcome: 'APPROVE' as const, count: r.approved },
      { approver, rank, outcome: 'REJECT' as const, count: r.rejected },
      { approver, rank, outcome: 'MODIFY' as const, count: r.modified },
    ];
  });
  return {
    overTime,
    overTimeWidth: Math.min(720, Math.max(240, days.length * 18)),
    perApprover,
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
