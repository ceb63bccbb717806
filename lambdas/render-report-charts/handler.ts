// The render-report-charts Lambda: draws a campaign report's two charts (decisions per day and per
// approver) as inline SVG with vega, for the archive-evidence function (LambdaChartDrawer), which
// lays out the page around them. It reads and writes nothing: the chart data in, the SVG out.
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { drawReportCharts } from '../shared/presenters/campaign-report-charts.js';
import type { ChartDrawer } from '../shared/presenters/report-chart-data.js';
import { parseReportChartsEvent } from './event.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a drawer (tests may give their own). */
export function createHandler(draw: ChartDrawer = drawReportCharts) {
  return async (event: unknown) => {
    const data = parseReportChartsEvent(event);
    const charts = await draw(data);
    logger.info('report charts drawn', { dayRows: data.overTime.length, approverRows: data.perApprover.length });
    return charts;
  };
}

export const handler = createHandler();
