import 'aws-sdk-client-mock-vitest/extend';
import {
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  ResourceNotFoundException,
  TooManyRequestsException,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ControllerReport } from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { ControllerFunction } from '../../../src/aws/controller-function.js';
import { RemoteCallError } from '../../../src/aws/remote-call-error.js';

const lambda = mockClient(LambdaClient);
const NAME = 'IdGovStateless-CampaignControllerFunction56EF78-AbC123456789';
const NOW = new Date('2026-07-01T09:30:00.000Z');

const payload = (text: string) => new TextEncoder().encode(text) as unknown as InvokeCommandOutput['Payload'];
const controller = () => new ControllerFunction(NAME, new LambdaClient({ region: 'eu-west-1' }));

const REPORT: ControllerReport = {
  status: 'COMPLETED',
  now: NOW.toISOString(),
  transitions: [{ campaignId: 'c-fin', from: 'PREPARING', to: 'RUNNING' }],
  errors: [{ campaignId: 'c-hr', message: 'findApprovers hook failed' }],
  dispatch: { sent: 12, failed: 0, retrying: 1, skipped: 0 },
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: Error) => error,
  );
}

describe('ControllerFunction', () => {
  beforeEach(() => lambda.reset());

  it('invokes the function synchronously with the manual event and returns its report', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });

    await expect(controller().run(NOW)).resolves.toEqual(REPORT);

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toEqual({ FunctionName: NAME, InvocationType: 'RequestResponse', Payload: expect.any(Uint8Array) });
    expect(new TextDecoder().decode(input.Payload as Uint8Array)).toBe('{"now":"2026-07-01T09:30:00.000Z"}');
  });

  it("invokes with {} when no instant is given: the function runs at its own clock", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(REPORT)) });
    await expect(controller().run()).resolves.toEqual(REPORT);
    expect(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array)).toBe('{}');
  });

  it('returns a SKIPPED report with its reason as is', async () => {
    const skipped = { status: 'SKIPPED', reason: 'another controller run holds the lease', now: NOW.toISOString(), transitions: [], errors: [] };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(skipped)) });
    await expect(controller().run(NOW)).resolves.toEqual(skipped);
  });

  it("reports the function's error as `<errorType>: <errorMessage>`", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorType":"ValidationError","errorMessage":"event: now: must be an ISO 8601 date","trace":["ValidationError: ..."]}'),
    });
    const error = await failure(controller().run(NOW));
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error.message).toBe(`the controller function ${NAME} failed: ValidationError: event: now: must be an ISO 8601 date`);
  });

  it("reports Lambda's own stop (a timeout: no errorType) and an error payload of another shape", async () => {
    lambda.on(InvokeCommand).resolvesOnce({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorMessage":"2026-07-01T09:40:00.000Z 5f0e Task timed out after 600.00 seconds"}'),
    }).resolvesOnce({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload('out of memory') });
    await expect(controller().run(NOW)).rejects.toThrow(`the controller function ${NAME} failed: 2026-07-01T09:40:00.000Z 5f0e Task timed out after 600.00 seconds`);
    await expect(controller().run(NOW)).rejects.toThrow(`the controller function ${NAME} failed: Unhandled error: out of memory`);
  });

  it('says a throttled invoke was throttled and what to do', async () => {
    lambda.on(InvokeCommand).rejects(
      new TooManyRequestsException({
        message: 'Rate Exceeded.',
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    const error = await failure(controller().run(NOW));
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error.message).toBe(
      `the controller function ${NAME} was throttled (Rate Exceeded.), also after the SDK's retries: another run probably holds its ` +
        'concurrency (the hourly schedule, or another operator). Wait a few minutes and run it again; the next scheduled run does the same work.',
    );
  });

  it('refuses an answer that is not JSON, or not a controller report', async () => {
    lambda.on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: payload('<html>502 Bad Gateway</html>') })
      .resolvesOnce({ StatusCode: 200, Payload: payload('null') })
      .resolvesOnce({ StatusCode: 200, Payload: payload('{"now":"2026-07-01T09:30:00.000Z","status":"DONE","transitions":[],"errors":[]}') });
    await expect(controller().run(NOW)).rejects.toThrow(
      `the controller function ${NAME} answered with something that is not JSON: <html>502 Bad Gateway</html>`,
    );
    await expect(controller().run(NOW)).rejects.toThrow(/^the controller function .* answered with something that is not a controller report \(answer: .*\): null$/);
    await expect(controller().run(NOW)).rejects.toThrow(/not a controller report \(status: .*\): \{"now"/);
  });

  it('names a function that does not exist, and a refusal to invoke it with the policy to attach', async () => {
    lambda.on(InvokeCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: `Function not found: arn:aws:lambda:eu-west-1:123456789012:function:${NAME}`, $metadata: {} }))
      .rejectsOnce(
        new LambdaServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform: lambda:InvokeFunction', $metadata: {} }),
      );
    await expect(controller().run(NOW)).rejects.toThrow(
      `the controller function ${NAME} does not exist (Function not found: arn:aws:lambda:eu-west-1:123456789012:function:${NAME}): check the region (AWS_REGION)`,
    );
    await expect(controller().run(NOW)).rejects.toThrow(
      `cannot invoke the controller function ${NAME}: AccessDeniedException: not authorized to perform: lambda:InvokeFunction (attach the deployment's administrators policy`,
    );
  });
});
