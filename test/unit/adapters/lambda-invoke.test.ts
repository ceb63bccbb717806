// invokeJson: the one RequestResponse invocation the hook invoker and `idgov --aws controller run`
// share. What it sends, and how it tells an answer, a function error and a payload that is not JSON apart.
import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient, TooManyRequestsException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { invokeJson } from '../../../lambdas/shared/adapters/lambda-invoke.js';

const lambda = mockClient(LambdaClient);
const NAME = 'IdGovStateless-CampaignControllerFunction56EF78-AbC123456789';
const client = () => new LambdaClient({ region: 'eu-west-1' });
const payload = (text: string) => new TextEncoder().encode(text) as unknown as InvokeCommandOutput['Payload'];

describe('invokeJson', () => {
  beforeEach(() => lambda.reset());

  it('invokes synchronously with the event as JSON and returns the parsed answer', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"status":"COMPLETED"}') });

    await expect(invokeJson(client(), NAME, { now: '2026-07-01T00:00:00.000Z' })).resolves.toEqual({
      status: 'answered',
      payload: { status: 'COMPLETED' },
      text: '{"status":"COMPLETED"}',
    });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toEqual({ FunctionName: NAME, InvocationType: 'RequestResponse', Payload: expect.any(Uint8Array) });
    expect(new TextDecoder().decode(input.Payload as Uint8Array)).toBe('{"now":"2026-07-01T00:00:00.000Z"}');
  });

  it("reads Lambda's { errorType, errorMessage } from a function error", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds","trace":[]}'),
    });
    await expect(invokeJson(client(), NAME, {})).resolves.toEqual({
      status: 'function-error',
      functionError: 'Unhandled',
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 3.00 seconds',
      text: '{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds","trace":[]}',
    });
  });

  it('keeps a function error payload of another shape as text only', async () => {
    lambda.on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload('out of memory') })
      .resolvesOnce({ StatusCode: 200, FunctionError: 'Handled', Payload: payload('{"errorType":7,"errorMessage":null}') });
    await expect(invokeJson(client(), NAME, {})).resolves.toEqual({ status: 'function-error', functionError: 'Unhandled', text: 'out of memory' });
    await expect(invokeJson(client(), NAME, {})).resolves.toEqual({
      status: 'function-error',
      functionError: 'Handled',
      text: '{"errorType":7,"errorMessage":null}',
    });
  });

  it('says when the answer is not JSON, or empty', async () => {
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 200, Payload: payload('<html>502</html>') }).resolvesOnce({ StatusCode: 200 });
    await expect(invokeJson(client(), NAME, {})).resolves.toEqual({ status: 'not-json', text: '<html>502</html>' });
    await expect(invokeJson(client(), NAME, {})).resolves.toEqual({ status: 'not-json', text: '' });
  });

  it("throws the SDK's error for a call that failed, and passes the abort signal on", async () => {
    const throttled = new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: { httpStatusCode: 429 } });
    lambda.on(InvokeCommand).rejects(throttled);
    const abort = new AbortController();
    await expect(invokeJson(client(), NAME, {}, { abortSignal: abort.signal })).rejects.toBe(throttled);
    expect((lambda.commandCalls(InvokeCommand)[0]!.args as unknown[])[1]).toEqual({ abortSignal: abort.signal });
  });
});
