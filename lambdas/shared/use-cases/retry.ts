// Retries of a write that must not be left undone by a passing failure (a throttled or failing
// table that the client's own retries did not outlast): the bookkeeping after a mail or a report
// left, which, undone, would have the next run send it again.
import { DomainError } from '../domain/errors.js';

export interface RetryOptions {
  /**
   * Tries, the first included. @default 16: a mail that is out must not be sent again because its
   * bookkeeping met a burst of throttling; against an outage that outlasts them (each try being the
   * client's own retries with backoff, a minute or so), the run fails and the mail may go twice.
   */
  attempts?: number;
  /**
   * The wait before the second try is up to this (jittered), doubling each time. @default 0: each
   * try is a call whose client already retries with backoff (the AWS SDK's standard strategy).
   */
  baseDelayMs?: number;
  /** Injected by tests so that the waits cost no time. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `work()`, tried again after a failure that is not an answer: a DomainError (a conflict, a
 * refusal, a validation) is rethrown at once, as is the last try's error.
 */
export async function retryPassingFailures<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 16;
  const baseDelayMs = options.baseDelayMs ?? 0;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError || attempt >= attempts) throw error;
      if (baseDelayMs > 0) await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
