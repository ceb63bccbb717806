// A deployed function the admin CLI runs by invoking it: the scheduled jobs (the campaign controller,
// the risk assessment, the daily report, the weekly summary, the re-approval jobs) and the emergency
// access removal. The
// work runs in AWS with the function's own role, never in the CLI with the operator's credentials.
// Synchronous (RequestResponse) with a JSON event; the answer is checked before it is printed, and
// every failure is one RemoteCallError saying what went wrong and what to do.
import { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { invokeJson, type JsonInvocation } from '../../lambdas/shared/adapters/lambda-invoke.js';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import type { EmergencyRevokeResult } from '../../lambdas/shared/use-cases/emergency-revoke.js';
import type { Deployment } from './deployment.js';
import { RemoteCallError, setupHint } from './remote-call-error.js';

export interface DeployedFunctionOptions<T> {
  /** How messages name it: `the <label> function <name>`. */
  label: string;
  functionName: string;
  /** What it answers, and how to call that in a message ("a controller report"). */
  answer: { schema: z.ZodType<T>; is: string };
  /** Said after "was throttled (…), also after the SDK's retries: ". */
  throttled: string;
  /** @default a client for the SDK's default region and credentials */
  client?: LambdaClient;
}

/**
 * One deployed function. The SDK's standard retries apply (throttling, 5xx, network): every function
 * invoked this way is idempotent (a job run again does the same work; a removal is recorded once).
 */
export class DeployedFunction<T> {
  private readonly client: LambdaClient;
  private readonly ownsClient: boolean;

  constructor(private readonly options: DeployedFunctionOptions<T>) {
    this.client = options.client ?? new LambdaClient({});
    this.ownsClient = !options.client;
  }

  get functionName(): string {
    return this.options.functionName;
  }

  /** Invokes the function with `event`; resolves to its checked answer. */
  async invoke(event: unknown): Promise<T> {
    const { functionName: name, answer: expected } = this.options;
    const what = `the ${this.options.label} function ${name}`;
    let answer: JsonInvocation;
    try {
      answer = await invokeJson(this.client, name, event);
    } catch (error) {
      throw this.invokeFailure(what, error);
    } finally {
      if (this.ownsClient) this.client.destroy();
    }

    if (answer.status === 'function-error') throw new RemoteCallError(`${what} failed: ${functionError(answer)}`);
    if (answer.status === 'not-json') throw new RemoteCallError(`${what} answered with something that is not JSON: ${quote(answer.text)}`);
    const parsed = expected.schema.safeParse(answer.payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RemoteCallError(
        `${what} answered with something that is not ${expected.is} (${issue?.path.join('.') || 'answer'}: ${issue?.message}): ${quote(answer.text)}`,
      );
    }
    return parsed.data;
  }

  private invokeFailure(what: string, error: unknown): Error {
    const { name: errorName, message } = error as Error;
    if (errorName === 'TooManyRequestsException') {
      return new RemoteCallError(`${what} was throttled (${message}), also after the SDK's retries: ${this.options.throttled}`, { cause: error });
    }
    if (errorName === 'ResourceNotFoundException') {
      return new RemoteCallError(
        `${what} does not exist (${message}): check the region (AWS_REGION) and that the outputs are those of the current deployment`,
        { cause: error },
      );
    }
    return new RemoteCallError(`cannot invoke ${what}: ${errorName}: ${message}${setupHint(error as Error)}`, { cause: error });
  }
}

/** `<errorType>: <errorMessage>` from Lambda's error payload, or the payload itself if it is not one. */
function functionError({ functionError: kind, errorType, errorMessage, text }: Extract<JsonInvocation, { status: 'function-error' }>): string {
  if (errorMessage !== undefined) return errorType !== undefined ? `${errorType}: ${errorMessage}` : errorMessage;
  // Not Lambda's { errorType, errorMessage }: quote what there is.
  return `${kind} error: ${quote(text)}`;
}

const quote = (text: string): string => (text ? text.slice(0, 300) : '(empty)');

const count = z.number().int().nonnegative();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** What each job's handler answers (its use case's result), checked loosely: enough to print it. */
export const JOB_ANSWERS = {
  'campaign-controller': {
    is: 'a controller report',
    schema: z.looseObject({
      now: z.string(),
      status: z.enum(['COMPLETED', 'SKIPPED']),
      reason: z.string().optional(),
      transitions: z.array(z.looseObject({ campaignId: z.string(), from: z.string(), to: z.string() })),
      errors: z.array(z.looseObject({ campaignId: z.string(), message: z.string() })),
      dispatch: z.looseObject({ sent: count, failed: count, retrying: count, skipped: count }).optional(),
    }),
  },
  'risk-assessment': {
    is: 'a risk assessment result',
    schema: z.looseObject({ date, users: count, usersByLevel: z.record(z.string(), count), sodConflicts: count, orphanedAccess: count }),
  },
  'daily-operations': {
    is: 'a daily operations result',
    schema: z.looseObject({ report: z.looseObject({ date }), delivered: z.array(z.string()) }),
  },
  'weekly-summary': {
    is: 'a weekly summary result',
    schema: z.looseObject({ summary: z.looseObject({ date }), delivered: z.array(z.string()) }),
  },
  'initialize-reapproval': {
    is: 'a re-approval initialization result',
    schema: z.looseObject({ privileges: count, initialized: count, continuous: count, scheduled: count, reset: count.optional() }),
  },
  'start-reapproval': {
    is: 'a re-approval start result',
    schema: z.looseObject({
      started: z.looseObject({ continuous: count, scheduled: count }),
      round: z.looseObject({ date, completed: z.boolean() }).optional(),
      reset: count,
      failed: count,
      progressed: count,
      approved: count,
      rejected: count,
      escalated: count,
      reminded: count,
      dispatch: z.looseObject({ sent: count, failed: count, retrying: count, skipped: count }),
    }),
  },
} as const;

/** A scheduled job's deployed function, by name (see jobFunction). */
export function namedJobFunction(job: JobName, functionName: string, client?: LambdaClient) {
  const deployed = new DeployedFunction({
    label: job === 'campaign-controller' ? 'controller' : job,
    functionName,
    answer: JOB_ANSWERS[job] as { schema: z.ZodType<unknown>; is: string },
    throttled:
      job === 'campaign-controller'
        ? 'another run probably holds its concurrency (the hourly schedule, or another operator). ' +
          'Wait a few minutes and run it again; the next scheduled run does the same work.'
        : 'another run probably holds its concurrency (its schedule, or another operator). Wait a few minutes and run it again.',
    ...(client ? { client } : {}),
  });
  return { functionName, run: (now?: Date): Promise<unknown> => deployed.invoke(now ? { now: now.toISOString() } : {}) };
}

/**
 * The deployment's function of a scheduled job: `run(now)` invokes it with the manual event
 * `{ "now": ISO }`, or `{}` (the function's own clock) without `now`.
 */
export const jobFunction = (deployment: Deployment, job: JobName, client?: LambdaClient) =>
  namedJobFunction(job, deployment.jobFunctionName(job), client);

/** What the emergency-access function answers: the emergencyRevoke use case's result. */
const removal = z.looseObject({
  userId: z.string(),
  privilegeId: z.string(),
  origin: z.literal('MANUAL'),
  removedAt: z.string(),
  removedBy: z.string(),
  reason: z.string(),
  requestId: z.string(),
  status: z.enum(['REMOVING', 'REMOVED', 'NOT_REMOVED']),
});
const emergencyRevokeAnswer = z.looseObject({ userId: z.string(), removed: z.array(removal), alreadyRecorded: count, notRemoved: z.array(removal) });

/**
 * The deployment's emergency-access function: `revoke` invokes it with its event
 * `{ "userId", "reason", "requestedBy" }` (the SSM emergency access document sends the same).
 */
export function emergencyAccessFunction(deployment: Deployment, client?: LambdaClient) {
  const deployed = new DeployedFunction({
    label: 'emergency-access',
    functionName: deployment.emergencyAccessFunctionName,
    answer: { is: 'an emergency revoke result', schema: emergencyRevokeAnswer },
    throttled: 'another removal probably holds its concurrency. Wait a moment and run it again: what it removed is recorded once.',
    ...(client ? { client } : {}),
  });
  return {
    functionName: deployed.functionName,
    revoke: async (request: { userId: string; reason: string; by: string }) =>
      (await deployed.invoke({ userId: request.userId, reason: request.reason, requestedBy: request.by })) as EmergencyRevokeResult,
  };
}
