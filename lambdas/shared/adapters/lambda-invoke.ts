// One synchronous Lambda invocation with a JSON event and a JSON answer: the hook invoker and the
// admin CLI's controller invocation both call a function this way, and each words its own failures.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

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
