// HookInvoker over AWS Lambda: a synchronous (RequestResponse) invocation with the request as the
// JSON event, and the function's JSON result as the answer. The controller's role may invoke only
// the functions named in the stack's HookFunctionArns parameter (lib/constructs/campaign-controller.ts).
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { LAMBDA_FUNCTION_ARN } from '../domain/hook-contracts.js';
import type { HookInvoker } from '../use-cases/ports.js';

export class LambdaHookInvoker implements HookInvoker {
  constructor(private readonly client: LambdaClient) {}

  async invoke(ref: string, request: unknown, options: { timeoutMs: number }): Promise<unknown> {
    // Only a full function ARN: a bare name would resolve in whatever account and region the
    // controller runs in, which a campaign file should not depend on.
    if (!LAMBDA_FUNCTION_ARN.test(ref)) {
      throw new Error(
        `"${ref}" is not a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>])`,
      );
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), options.timeoutMs);
    let output;
    try {
      output = await this.client.send(
        new InvokeCommand({
          FunctionName: ref,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      if (abort.signal.aborted) throw timeoutError(options.timeoutMs, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }

    const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
    if (output.FunctionError) throw new Error(functionErrorMessage(output.FunctionError, text));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`answered with a payload that is not JSON: ${text.slice(0, 200) || '(empty)'}`);
    }
  }
}

/** The hook threw (Handled) or Lambda stopped it (Unhandled: timeout, out of memory): its errorMessage. */
function functionErrorMessage(functionError: string, payload: string): string {
  try {
    const body = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof body.errorMessage === 'string' && body.errorMessage) {
      // The type says more than "Error" only for Lambda's own stops, e.g. Sandbox.Timedout.
      const type = typeof body.errorType === 'string' && body.errorType !== 'Error' ? body.errorType : '';
      return type ? `${type}: ${body.errorMessage}` : body.errorMessage;
    }
  } catch {
    // Not the usual { errorType, errorMessage } body: quote what there is.
  }
  return `function error (${functionError})${payload ? `: ${payload.slice(0, 200)}` : ''}`;
}

function timeoutError(timeoutMs: number, cause: unknown): Error {
  const error = new Error(`no answer within ${timeoutMs} ms`, { cause });
  error.name = 'TimeoutError';
  return error;
}
