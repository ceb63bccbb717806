// The render-report-charts function: its event is chart data as chartDataOf computes it (strict:
// anything else is refused naming the field), and it answers the same SVG as drawing in process.
import { describe, expect, it } from 'vitest';
import { parseReportChartsEvent } from '../../../lambdas/render-report-charts/event.js';
import { createHandler } from '../../../lambdas/render-report-charts/handler.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { drawReportCharts } from '../../../lambdas/shared/presenters/campaign-report-charts.js';
import { chartDataOf, type ReportChartData } from '../../../lambdas/shared/presenters/report-chart-data.js';

const data: ReportChartData = chartDataOf({
  decisionsPerDay: [
    { date: '2026-07-02', approved: 3, rejected: 1, modified: 0 },
    { date: '2026-07-04', approved: 1, rejected: 0, modified: 1 },
  ],
  reviewers: [{ approverId: 'm1', approverName: 'Mia', itemsDecided: 6, approved: 4, rejected: 1, modified: 1 }] as never,
});

function refusal(event: unknown): string[] {
  try {
    parseReportChartsEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
  }
  throw new Error(`accepted ${JSON.stringify(event)}`);
}

describe('the render-report-charts event', () => {
  it('takes what chartDataOf computes, as it is', () => {
    expect(data.overTime).toHaveLength(9);
    expect(parseReportChartsEvent(JSON.parse(JSON.stringify(data)))).toEqual(data);
  });

  it.each([
    [{ ...data, overTime: [{ date: '2026-13-01', outcome: 'APPROVE', count: 1 }] }, ['event.overTime.0.date: must be a date (YYYY-MM-DD)']],
    [{ ...data, perApprover: [{ approver: 'Mia (m1)', rank: 0, outcome: 'MAYBE', count: 1 }] }, ['event.perApprover.0.outcome: Invalid option: expected one of "APPROVE"|"REJECT"|"MODIFY"']],
    [{ ...data, approversLeftOut: -1 }, ['event.approversLeftOut: must not be negative']],
    [{ ...data, title: 'x' }, ['event.title: unknown field']],
  ])('refuses %j naming the field', (event, issues) => {
    expect(refusal(event)).toEqual(issues);
  });
});

describe('the render-report-charts handler', () => {
  it('answers the SVG of both charts, the same as drawn in process', async () => {
    const charts = await createHandler()(JSON.parse(JSON.stringify(data)));
    expect(charts.decisionsOverTime).toMatch(/^<svg /);
    expect(charts.decisionsPerApprover).toContain('Mia (m1)');
    expect(charts).toEqual(await drawReportCharts(data));
  });

  it('draws no chart without decisions', async () => {
    expect(await createHandler()(chartDataOf({ decisionsPerDay: [], reviewers: [] }))).toEqual({ approversLeftOut: 0 });
  });
});
