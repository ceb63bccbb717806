// The render-report-charts function's event: the rows of a campaign report's two charts, as
// chartDataOf computes them (lambdas/shared/presenters/report-chart-data.ts) and LambdaChartDrawer
// sends them. A missing, malformed or unknown field is refused, naming it, before anything is drawn.
import * as z from 'zod';
import { MAX_CHART_APPROVERS, type ReportChartData } from '../shared/presenters/report-chart-data.js';
import { parseInput } from '../shared/domain/schemas.js';

const outcome = z.enum(['APPROVE', 'REJECT', 'MODIFY']);
const count = z.number().int('must be a whole number').nonnegative('must not be negative');

/** Days with decisions, three rows a day: more than a century of daily decisions is not a campaign. */
const MAX_DAY_ROWS = 3 * 36_600;

const reportChartsEvent = z.strictObject({
  overTime: z.array(z.strictObject({ date: z.iso.date('must be a date (YYYY-MM-DD)'), outcome, count })).max(MAX_DAY_ROWS),
  overTimeWidth: z.number().int('must be a whole number').min(1).max(4096),
  perApprover: z
    .array(
      z.strictObject({
        approver: z.string().min(1, 'must not be empty').max(1024),
        rank: z.number().int('must be a whole number').min(0).max(MAX_CHART_APPROVERS - 1),
        outcome,
        count,
      }),
    )
    .max(3 * MAX_CHART_APPROVERS),
  approversLeftOut: count,
}) satisfies z.ZodType<ReportChartData>;

export const parseReportChartsEvent = (event: unknown): ReportChartData => parseInput(reportChartsEvent, event, 'event');
