// The campaign report's two charts (docs/reference/reports.md, "HTML"): decisions per UTC day and
// decisions per approver, rendered to SVG in Node by vega (no canvas, no network) from the vega specs
// compiled from scripts/charts/chart-specs.ts (vega-lite). The SVG is inlined in the report page,
// which therefore loads nothing. What they draw is computed in report-chart-data.ts.
import * as vega from 'vega';
import { decisionsOverTime, decisionsPerApprover } from './charts/compiled-specs.js';
import type { ReportChartData, ReportCharts } from './report-chart-data.js';

/** The charts of `data` (report-chart-data.ts, chartDataOf), drawn in this process: a ChartDrawer. */
export async function drawReportCharts(data: ReportChartData): Promise<ReportCharts> {
  return {
    ...(data.overTime.length > 0 ? { decisionsOverTime: await toSvg(decisionsOverTime, data.overTime, { width: data.overTimeWidth }) } : {}),
    ...(data.perApprover.length > 0 ? { decisionsPerApprover: await toSvg(decisionsPerApprover, data.perApprover) } : {}),
    approversLeftOut: data.approversLeftOut,
  };
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
