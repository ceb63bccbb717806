// A chunked job's continuation on AWS: an asynchronous invocation (InvocationType Event) of the job's
// own function. Lambda queues the event and answers 202 at once; the follow-up invocation gets the
// function's asynchronous settings (retries, maximum event age, the dead-letter queue), as a
// scheduled run does. Chosen over a queue: nothing to provision but one ARN-scoped permission, and
// the continuation carries its whole state (business time, count, cursor) in its event.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ContinuationEvent } from './job-event.js';
import type { ContinuationSender } from './job-handler.js';

export class LambdaContinuationSender implements ContinuationSender {
  constructor(private readonly client: LambdaClient) {}

  async send(functionArn: string, event: ContinuationEvent): Promise<void> {
    const output = await this.client.send(
      new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    if (output.StatusCode !== 202) throw new Error(`the continuation of ${event.continuation.job} was not queued (status ${output.StatusCode ?? 'none'})`);
  }
}
