// The archive-evidence function's ChartDrawer: the render-report-charts function draws the charts of
// the data it is sent; the answer is checked before it goes into the report page.
import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaChartDrawer } from '../../../lambdas/shared/adapters/lambda-chart-drawer.js';
import type { ReportChartData } from '../../../lambdas/shared/presenters/report-chart-data.js';

const lambda = mockClient(LambdaClient);
const FUNCTION = 'IdGovStateless-RenderReportChartsFunction-AbC';
const data: ReportChartData = {
  overTime: [{ date: '2026-07-02', outcome: 'APPROVE', count: 3 }],
  overTimeWidth: 240,
  perApprover: [{ approver: 'Mia (m1)', rank: 0, outcome: 'APPROVE', count: 3 }],
  approversLeftOut: 0,
};
const charts = { decisionsOverTime: '<svg class="marks"></svg>', decisionsPerApprover: '<svg class="marks"></svg>', approversLeftOut: 0 };

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
const drawer = () => new LambdaChartDrawer(new LambdaClient({ region: 'eu-west-1' }), FUNCTION);

describe('LambdaChartDrawer', () => {
  beforeEach(() => lambda.reset());

  it('sends the chart data synchronously and answers the SVG', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(charts) });
    expect(await drawer().draw(data)).toEqual(charts);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FUNCTION, InvocationType: 'RequestResponse' });
    const sent = lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(sent))).toEqual(data);
  });

  it("throws the function's error, naming it", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'ValidationError', errorMessage: 'event.overTimeWidth: Too big' }) });
    await expect(drawer().draw(data)).rejects.toThrow(`the render-report-charts function ${FUNCTION} failed: ValidationError: event.overTimeWidth: Too big`);
  });

  it('refuses what is not SVG, and charts that do not match the data', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ...charts, decisionsOverTime: '<script>alert(1)</script>' }) });
    await expect(drawer().draw(data)).rejects.toThrow(/\(decisionsOverTime: must be an SVG element\)/);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ approversLeftOut: 0 }) });
    await expect(drawer().draw(data)).rejects.toThrow('answered charts that do not match the data it was sent');
  });
});
