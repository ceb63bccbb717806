// The continuation of a chunked job on AWS (docs/reference/scale.md): the function invokes itself
// asynchronously (InvocationType Event), by the ARN it was invoked under, with the continuation
// event. Lambda queues the event and answers at once; its own retries and the function's failure
// destination apply to it as to any asynchronous invocation.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Continuation, InvocationContext } from './job-handler.js';

export class LambdaSelfInvocation implements Continuation {
  constructor(private readonly client: LambdaClient) {}

  async start(event: { now: string; continuation: number; cursor?: unknown }, context?: InvocationContext): Promise<void> {
    const functionArn = context?.invokedFunctionArn;
    if (!functionArn) throw new Error('cannot continue: the invocation context names no function ARN (invokedFunctionArn)');
    const output = await this.client.send(
      new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    // An asynchronous invocation is accepted with 202; anything else did not queue the event.
    if (output.StatusCode !== 202) throw new Error(`the continuation of ${functionArn} was not queued (status ${output.StatusCode ?? 'none'})`);
  }
}
