// The campaign controller Lambda: recognises the schedule's event, builds its dependencies once per
// container, and runs one controller pass at the event's time.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { buildControllerDependencies } from '../shared/adapters/controller-dependencies.js';
import { readControllerEnvironment } from '../shared/adapters/environment.js';
import { isoInstant, parseInput } from '../shared/domain/schemas.js';
import { runCampaignController, type ControllerDeps, type ControllerReport } from '../shared/use-cases/campaign-controller.js';
import type { LeaseHolder } from '../shared/use-cases/ports.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** An EventBridge "Scheduled Event"; its `time` is the "now" of the run. */
const scheduledEvent = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: isoInstant,
});

type Dependencies = Omit<ControllerDeps, 'clock'>;

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => Dependencies | Promise<Dependencies>) {
  let dependencies: Dependencies | undefined;
  return async (event: unknown, context?: Partial<Pick<Context, 'awsRequestId' | 'logStreamName'>>): Promise<ControllerReport> => {
    const { time } = parseInput(scheduledEvent, event, 'event');
    dependencies ??= await build();
    return runCampaignController({ leaseHolder: invocationOf(context), ...dependencies, clock: { now: () => new Date(time) } });
  };
}

/** The lease names the invocation that holds it, so that an operator can find its log. */
const invocationOf = (context?: Partial<Pick<Context, 'awsRequestId' | 'logStreamName'>>): LeaseHolder => ({
  kind: 'lambda',
  ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
  ...(context?.logStreamName ? { logStream: context.logStreamName } : {}),
});

/** The deployed function's dependencies, from its environment (the local runtime adds its own). */
export const buildDependencies = () => buildControllerDependencies(readControllerEnvironment(), logger);

export const handler = createHandler(buildDependencies);
