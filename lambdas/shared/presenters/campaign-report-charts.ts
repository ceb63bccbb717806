// The campaign report's two charts (docs/reference/reports.md, "HTML"), drawn with vega-lite and
// rendered to SVG in Node (no canvas, no network): decisions per UTC day and decisions per approver.
// The SVG is inlined in the report page, which therefore loads nothing.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { CampaignReport } from '../domain/reports/campaign-report.js';

/** The same colour for an outcome in both charts. */
const OUTCOME_COLOURS = { APPROVE: '#2e7d32', REJECT: '#c62828', MODIFY: '#ef8f00' } as const;
const OUTCOMES = Object.keys(OUTCOME_COLOURS) as (keyof typeof OUTCOME_COLOURS)[];

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
  const perApprover = approvers.flatMap((r) => {
    const approver = r.approverName ? `${r.approverName} (${r.approverId})` : r.approverId;
    return [
      { approver, outcome: 'APPROVE', count: r.approved },
      { approver, outcome: 'REJECT', count: r.rejected },
      { approver, outcome: 'MODIFY', count: r.modified },
    ];
  });
  return {
    ...(days.length > 0
      ? {
          decisionsOverTime: await toSvg({
            description: 'Decisions per UTC day, by outcome',
            width: Math.min(720, Math.max(240, days.length * 18)),
            height: 220,
            data: { values: overTime },
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'date', type: 'ordinal', title: 'UTC day', sort: null, axis: { labelAngle: -45, labelOverlap: true } },
              y: { field: 'count', type: 'quantitative', title: 'decisions', stack: 'zero', axis: { tickMinStep: 1 } },
              color: outcomeColour,
              order: { field: 'outcome', sort: 'descending' },
            },
          }),
        }
      : {}),
    ...(approvers.length > 0
      ? {
          decisionsPerApprover: await toSvg({
            description: 'Decisions per approver, by outcome',
            width: 480,
            height: { step: 22 },
            data: { values: perApprover },
            mark: { type: 'bar' },
            encoding: {
              y: { field: 'approver', type: 'nominal', title: null, sort: approvers.map((r) => (r.approverName ? `${r.approverName} (${r.approverId})` : r.approverId)) },
              x: { field: 'count', type: 'quantitative', title: 'decisions', stack: 'zero', axis: { tickMinStep: 1 } },
              color: outcomeColour,
              order: { field: 'outcome', sort: 'descending' },
            },
          }),
        }
      : {}),
    approversLeftOut: report.reviewers.length - approvers.length,
  };
}

const outcomeColour = {
  field: 'outcome',
  type: 'nominal',
  title: 'outcome',
  scale: { domain: OUTCOMES, range: OUTCOMES.map((o) => OUTCOME_COLOURS[o]) },
} as const;

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
 * A vega-lite spec as an SVG string for inlining: the renderer 'none' draws nothing on screen and
 * loads nothing; the namespace declarations (URIs that name, not locations) are dropped, since
 * HTML's parser knows the svg element without them.
 */
async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile({ ...spec, background: 'white', config: { font: 'sans-serif', legend: { orient: 'bottom' } } } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    view.finalize();
  }
}
