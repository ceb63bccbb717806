// The deployed campaign controller, run by invoking its Lambda function: the job runs in AWS with the
// function's own role, never in the CLI with the operator's credentials. Synchronous
// (RequestResponse) with the manual event: `{ "now": "<ISO instant>" }` for a given instant, `{}` for
// the function's own clock; the answer is the function's ControllerReport.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { invokeJson, type JsonInvocation } from '../../lambdas/shared/adapters/lambda-invoke.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { RemoteCallError, setupHint } from './remote-call-error.js';

const count = z.number().int().nonnegative();

/** What the handler answers (lambdas/shared/use-cases/campaign-controller.ts), checked before it is printed. */
const controllerReport = z.looseObject({
  now: z.string(),
  status: z.enum(['COMPLETED', 'SKIPPED']),
  reason: z.string().optional(),
  transitions: z.array(z.looseObject({ campaignId: z.string(), from: z.string(), to: z.string() })),
  errors: z.array(z.looseObject({ campaignId: z.string(), message: z.string() })),
  dispatch: z.looseObject({ sent: count, failed: count, retrying: count, skipped: count }).optional(),
});

export class ControllerFunction {
  private readonly client: LambdaClient;
  private readonly ownsClient: boolean;

  /**
   * `client` defaults to one for the SDK's default region and credentials. The SDK's standard
   * retries apply (throttling, 5xx, network): running the controller again is safe, its steps are
   * idempotent and its lease keeps runs single.
   */
  constructor(
    readonly functionName: string,
    client?: LambdaClient,
  ) {
    this.client = client ?? new LambdaClient({});
    this.ownsClient = !client;
  }

  /**
   * One controller run: at `now` if given (the manual event `{ "now": … }`), else at the function's
   * own clock (the event `{}`); throws a RemoteCallError that says what went wrong and what to do.
   */
  async run(now?: Date): Promise<ControllerReport> {
    const name = this.functionName;
    let answer: JsonInvocation;
    try {
      answer = await invokeJson(this.client, name, now ? { now: now.toISOString() } : {});
    } catch (error) {
      throw invokeFailure(name, error);
    } finally {
      if (this.ownsClient) this.client.destroy();
    }

    if (answer.status === 'function-error') {
      throw new RemoteCallError(`the controller function ${name} failed: ${functionError(answer)}`);
    }
    if (answer.status === 'not-json') {
      throw new RemoteCallError(`the controller function ${name} answered with something that is not JSON: ${quote(answer.text)}`);
    }
    const report = controllerReport.safeParse(answer.payload);
    if (!report.success) {
      const issue = report.error.issues[0];
      throw new RemoteCallError(
        `the controller function ${name} answered with something that is not a controller report ` +
          `(${issue?.path.join('.') || 'answer'}: ${issue?.message}): ${quote(answer.text)}`,
      );
    }
    return report.data as ControllerReport;
  }
}

/** `<errorType>: <errorMessage>` from Lambda's error payload, or the payload itself if it is not one. */
function functionError({ functionError: kind, errorType, errorMessage, text }: Extract<JsonInvocation, { status: 'function-error' }>): string {
  if (errorMessage !== undefined) return errorType !== undefined ? `${errorType}: ${errorMessage}` : errorMessage;
  // Not Lambda's { errorType, errorMessage }: quote what there is.
  return `${kind} error: ${quote(text)}`;
}

function invokeFailure(name: string, error: unknown): Error {
  const { name: errorName, message } = error as Error;
  if (errorName === 'TooManyRequestsException') {
    return new RemoteCallError(
      `the controller function ${name} was throttled (${message}), also after the SDK's retries: ` +
        'another run probably holds its concurrency (the hourly schedule, or another operator). ' +
        'Wait a few minutes and run it again; the next scheduled run does the same work.',
      { cause: error },
    );
  }
  if (errorName === 'ResourceNotFoundException') {
    return new RemoteCallError(
      `the controller function ${name} does not exist (${message}): check the region (AWS_REGION) and that the outputs are those of the current deployment`,
      { cause: error },
    );
  }
  return new RemoteCallError(`cannot invoke the controller function ${name}: ${errorName}: ${message}${setupHint(error as Error)}`, { cause: error });
}

const quote = (text: string): string => (text ? text.slice(0, 300) : '(empty)');
