// The deployed campaign controller, run by invoking its Lambda function (see job-function.ts): the
// job runs in AWS with the function's own role, never in the CLI with the operator's credentials.
// Synchronous (RequestResponse) with the manual event: `{ "now": "<ISO instant>" }` for a given
// instant, `{}` for the function's own clock; the answer is the function's ControllerReport.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { namedJobFunction } from './job-function.js';

export class ControllerFunction {
  private readonly deployed: ReturnType<typeof namedJobFunction>;

  /**
   * `client` defaults to one for the SDK's default region and credentials. The SDK's standard
   * retries apply (throttling, 5xx, network): running the controller again is safe, its steps are
   * idempotent and its lease keeps runs single.
   */
  constructor(
    readonly functionName: string,
    client?: LambdaClient,
  ) {
    this.deployed = namedJobFunction('campaign-controller', functionName, client);
  }

  /**
   * One controller run: at `now` if given (the manual event `{ "now": … }`), else at the function's
   * own clock (the event `{}`); throws a RemoteCallError that says what went wrong and what to do.
   */
  async run(now?: Date): Promise<ControllerReport> {
    return (await this.deployed.run(now)) as ControllerReport;
  }
}
