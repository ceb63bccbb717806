// HookInvoker over AWS Lambda: a synchronous (RequestResponse) invocation with the request as the
// JSON event, and the function's JSON result as the answer. The controller's role may invoke only
// the functions named in the stack's HookFunctionArns parameter (lib/constructs/campaign-controller.ts).
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LAMBDA_FUNCTION_ARN } from '../domain/hook-contracts.js';
import type { HookInvoker } from '../use-cases/ports.js';
import { invokeJson, type JsonInvocation } from './lambda-invoke.js';

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
    let answer: JsonInvocation;
    try {
      answer = await invokeJson(this.client, ref, request, { abortSignal: abort.signal });
    } catch (error) {
      if (abort.signal.aborted) throw timeoutError(options.timeoutMs, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }

    if (answer.status === 'function-error') throw new Error(functionErrorMessage(answer));
    if (answer.status === 'not-json') throw new Error(`answered with a payload that is not JSON: ${answer.text.slice(0, 200) || '(empty)'}`);
    return answer.payload;
  }
}

/** The hook threw (Handled) or Lambda stopped it (Unhandled: timeout, out of memory): its errorMessage. */
function functionErrorMessage({ functionError, errorType, errorMessage, text }: Extract<JsonInvocation, { status: 'function-error' }>): string {
  if (errorMessage) {
    // The type says more than "Error" only for Lambda's own stops, e.g. Sandbox.Timedout.
    return errorType && errorType !== 'Error' ? `${errorType}: ${errorMessage}` : errorMessage;
  }
  // Not the usual { errorType, errorMessage } body: quote what there is.
  return `function error (${functionError})${text ? `: ${text.slice(0, 200)}` : ''}`;
}

function timeoutError(timeoutMs: number, cause: unknown): Error {
  const error = new Error(`no answer within ${timeoutMs} ms`, { cause });
  error.name = 'TimeoutError';
  return error;
}
