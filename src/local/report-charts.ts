// The report's charts drawn in this process, with vega loaded at the first chart: every `idgov`
// command starts a process, and most never draw one.
import type { ChartDrawer } from '../../lambdas/shared/presenters/report-chart-data.js';

export const drawChartsOnDemand: ChartDrawer = async (data) =>
  (await import('../../lambdas/shared/presenters/campaign-report-charts.js')).drawReportCharts(data);
