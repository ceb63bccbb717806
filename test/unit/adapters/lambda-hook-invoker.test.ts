import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient, LambdaServiceException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaHookInvoker } from '../../../lambdas/shared/adapters/lambda-hook-invoker.js';
import { HookError, callHook } from '../../../lambdas/shared/use-cases/call-hook.js';
import type { FindSubjectsRequest } from '../../../lambdas/shared/domain/hook-contracts.js';

const lambda = mockClient(LambdaClient);
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:find-subjects';
const request: FindSubjectsRequest = {
  version: 1,
  hook: 'findSubjects',
  campaign: {
    id: 'c-fin',
    name: 'Finance high-risk users',
    kind: 'USER',
    ownerId: 'admin',
    startDate: '2026-07-01T00:00:00.000Z',
    dueDate: '2026-07-15T00:00:00.000Z',
  },
  now: '2026-07-01T01:00:00.000Z',
};

const payload = (text: string) => new TextEncoder().encode(text) as unknown as InvokeCommandOutput['Payload'];
const invoker = () => new LambdaHookInvoker(new LambdaClient({ region: 'eu-west-1' }));

describe('LambdaHookInvoker', () => {
  beforeEach(() => lambda.reset());

  it('invokes the function synchronously with the request as JSON and returns its JSON answer', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"version":1,"subjectIds":["u1","u4"]}') });

    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).resolves.toEqual({ version: 1, subjectIds: ['u1', 'u4'] });

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: ARN, InvocationType: 'RequestResponse' });
    const sent = lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(sent))).toEqual(request);
  });

  it('invokes a qualified ARN (alias or version) as given', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"version":1,"subjectIds":[]}') });
    await invoker().invoke(`${ARN}:prod`, request, { timeoutMs: 5_000 });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: `${ARN}:prod` });
  });

  it("throws the function's errorMessage when the hook threw", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorType":"Error","errorMessage":"HR directory unavailable (503)","trace":["Error: ..."]}'),
    });
    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).rejects.toThrow(/^HR directory unavailable \(503\)$/);
  });

  it("names Lambda's own stop, such as the function's timeout", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds"}'),
    });
    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).rejects.toThrow(
      'Sandbox.Timedout: Task timed out after 3.00 seconds',
    );
  });

  it('throws on a function error without the usual error body', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload('killed') });
    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).rejects.toThrow('function error (Unhandled): killed');
  });

  it('throws on a payload that is not JSON', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('<html>oops</html>') });
    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).rejects.toThrow(
      'answered with a payload that is not JSON: <html>oops</html>',
    );
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).rejects.toThrow('not JSON: (empty)');
  });

  it('propagates a refused invocation (e.g. not allowed by the stack)', async () => {
    lambda.on(InvokeCommand).rejects(
      new LambdaServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized to perform: lambda:InvokeFunction',
      }),
    );
    await expect(invoker().invoke(ARN, request, { timeoutMs: 5_000 })).rejects.toThrow(/not authorized/);
  });

  it.each([
    'find-subjects',
    'file:./hooks/find-subjects.mjs',
    'arn:aws:lambda:eu-west-1:123456789012:layer:find-subjects:1',
    'arn:aws:states:eu-west-1:123456789012:stateMachine:find-subjects',
  ])('refuses %s without calling Lambda', async (ref) => {
    await expect(invoker().invoke(ref, request, { timeoutMs: 5_000 })).rejects.toThrow('is not a Lambda function ARN');
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it('becomes a contract-naming HookError through callHook when the answer is wrong', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"version":1,"subjects":["u1"]}') });
    const failure = await callHook(invoker(), 'findSubjects', ARN, request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HookError);
    expect((failure as HookError).message).toBe(
      `findSubjects hook ${ARN} answered outside the contract: subjectIds: Invalid input: expected array, received undefined; subjects: unknown field`,
    );
  });
});

describe('LambdaHookInvoker deadline', () => {
  it('aborts the invocation when the timeout passes and reports it as a timeout', async () => {
    lambda.restore();
    let aborted = false;
    // A real client whose HTTP handler never answers until the SDK aborts the request.
    const client = new LambdaClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
      requestHandler: {
        handle: (_request: unknown, options?: { abortSignal?: AbortSignal }) =>
          new Promise((_, reject) => {
            options?.abortSignal?.addEventListener('abort', () => {
              aborted = true;
              reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
            });
          }),
      },
    });
    const failure = await new LambdaHookInvoker(client).invoke(ARN, request, { timeoutMs: 20 }).catch((error: unknown) => error);
    expect(aborted).toBe(true);
    expect(failure).toMatchObject({ name: 'TimeoutError', message: 'no answer within 20 ms' });
  });
});
