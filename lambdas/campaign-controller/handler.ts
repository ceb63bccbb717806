// The campaign controller Lambda: recognises its event (scheduled, or a manual test event), builds
// its dependencies once per container, and runs one controller pass at the event's time.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { runCampaignController, type ControllerReport } from '../shared/use-cases/campaign-controller.js';
import type { LeaseHolder } from '../shared/use-cases/ports.js';
import { buildControllerDependencies, type ControllerDependencies } from './dependencies.js';
import { readControllerEnvironment } from './environment.js';
import { requestedTime } from './event.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

type InvocationContext = Partial<Pick<Context, 'awsRequestId' | 'logStreamName'>>;

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => ControllerDependencies | Promise<ControllerDependencies>) {
  let dependencies: ControllerDependencies | undefined;
  return async (event: unknown, context?: InvocationContext): Promise<ControllerReport> => {
    const requested = requestedTime(event);
    dependencies ??= await build();
    // `{}` runs at the current time, read once: the whole run sees one instant, as with a schedule.
    const now = requested ?? dependencies.wallClock.now();
    // The dependencies may name another lease holder (the local runtime names its process).
    return runCampaignController({ leaseHolder: invocationOf(context), ...dependencies, clock: { now: () => new Date(now) } });
  };
}

/** The lease names the invocation that holds it, so that an operator can find its log. */
const invocationOf = (context?: InvocationContext): LeaseHolder => ({
  kind: 'lambda',
  ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
  ...(context?.logStreamName ? { logStream: context.logStreamName } : {}),
});

/**
 * The deployed wiring: environment read and dependencies built at the first event. `overrides`
 * replace dependencies (the local runtime passes its hook invoker and lease holder; tests their ports).
 */
export const buildDependencies = (overrides: Partial<ControllerDependencies> = {}) =>
  buildControllerDependencies(readControllerEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<ControllerDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
