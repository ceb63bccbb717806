// One synchronous Lambda invocation with a JSON event and a JSON answer: the hook invoker and the
// admin CLI's controller invocation both call a function this way, and each words its own failures;
// the evidence archiver and chart drawer call the product's own functions and check their answer.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type * as z from 'zod';

/** What the function answered. A refused or failed call (throttled, not found, aborted) throws the SDK's error. */
export type JsonInvocation =
  /** The function returned; `payload` is its result, parsed from `text`. */
  | { status: 'answered'; payload: unknown; text: string }
  /** The function threw (Handled) or Lambda stopped it (Unhandled: timeout, out of memory). */
  | {
      status: 'function-error';
      /** Lambda's FunctionError, e.g. `Unhandled`. */
      functionError: string;
      /** From Lambda's `{ errorType, errorMessage }` body, when the payload is one. */
      errorType?: string;
      errorMessage?: string;
      /** The payload as text (possibly empty). */
      text: string;
    }
  /** The function returned something that is not JSON (or nothing). */
  | { status: 'not-json'; text: string };

export async function invokeJson(
  client: LambdaClient,
  functionName: string,
  event: unknown,
  options: { abortSignal?: AbortSignal } = {},
): Promise<JsonInvocation> {
  const output = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
    options.abortSignal ? { abortSignal: options.abortSignal } : undefined,
  );
  const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
  if (output.FunctionError) return { status: 'function-error', functionError: output.FunctionError, ...errorBody(text), text };
  try {
    return { status: 'answered', payload: JSON.parse(text) as unknown, text };
  } catch {
    return { status: 'not-json', text };
  }
}

/** `errorType` and `errorMessage` of Lambda's error payload, those that are strings. */
function errorBody(text: string): { errorType?: string; errorMessage?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const { errorType, errorMessage } = body as { errorType?: unknown; errorMessage?: unknown };
  return {
    ...(typeof errorType === 'string' ? { errorType } : {}),
    ...(typeof errorMessage === 'string' ? { errorMessage } : {}),
  };
}

/**
 * Invokes one of the product's own functions and answers its result, checked against `answer`. A
 * function error, a payload that is not JSON or an answer of another shape throws, saying `what` was
 * called and what went wrong (the function's errorType and errorMessage, or the answer's first problem).
 */
export async function invokeForAnswer<T>(
  client: LambdaClient,
  functionName: string,
  event: unknown,
  answer: z.ZodType<T>,
  what: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<T> {
  const invocation = await invokeJson(client, functionName, event, options);
  if (invocation.status === 'function-error') {
    const { functionError, errorType, errorMessage, text } = invocation;
    const reason = errorMessage
      ? `${errorType && errorType !== 'Error' ? `${errorType}: ` : ''}${errorMessage}`
      : `function error (${functionError})${text ? `: ${text.slice(0, 200)}` : ''}`;
    throw new Error(`${what} failed: ${reason}`);
  }
  if (invocation.status === 'not-json') throw new Error(`${what} answered with a payload that is not JSON: ${invocation.text.slice(0, 200) || '(empty)'}`);
  const parsed = answer.safeParse(invocation.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${what} answered an unexpected ${invocation.text.slice(0, 200)} (${issue.path.join('.') || 'answer'}: ${issue.message})`);
  }
  return parsed.data;
}
