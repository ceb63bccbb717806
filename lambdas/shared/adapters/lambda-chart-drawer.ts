// A ChartDrawer over AWS Lambda: the archive-evidence function has the report page's two charts drawn
// by the render-report-charts function (vega), synchronously (RequestResponse), so that neither
// function's bundle passes 1 MiB. The chart data is bounded (report-chart-data.ts), whatever the
// campaign's size; the answer is checked before it goes into the page.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import type { ReportChartData, ReportCharts } from '../presenters/report-chart-data.js';
import { invokeForAnswer } from './lambda-invoke.js';

/** How long the archiver waits for the charts: the function's timeout (1 minute) and a margin. */
export const REPORT_CHARTS_WAIT_MS = 75_000;

const svg = z.string().regex(/^<svg[\s>]/, 'must be an SVG element').optional();
const chartsAnswer = z.strictObject({
  decisionsOverTime: svg,
  decisionsPerApprover: svg,
  approversLeftOut: z.number().int().nonnegative(),
});

export class LambdaChartDrawer {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {
    if (!functionName.trim()) throw new Error('LambdaChartDrawer needs the render-report-charts function name');
  }

  /** A ChartDrawer: `(data) => drawer.draw(data)`. */
  async draw(data: ReportChartData): Promise<ReportCharts> {
    const charts = await invokeForAnswer(this.client, this.functionName, data, chartsAnswer, `the render-report-charts function ${this.functionName}`);
    // What the page expects of the data it sent: a chart for rows, none without.
    if ((data.overTime.length > 0) !== (charts.decisionsOverTime !== undefined) || (data.perApprover.length > 0) !== (charts.decisionsPerApprover !== undefined)) {
      throw new Error(`the render-report-charts function ${this.functionName} answered charts that do not match the data it was sent`);
    }
    return {
      ...(charts.decisionsOverTime !== undefined ? { decisionsOverTime: charts.decisionsOverTime } : {}),
      ...(charts.decisionsPerApprover !== undefined ? { decisionsPerApprover: charts.decisionsPerApprover } : {}),
      approversLeftOut: charts.approversLeftOut,
    };
  }
}
