// The campaign controller Lambda: recognises the schedule's event, builds its dependencies once per
// container, and runs one controller pass at the event's time.
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { buildControllerDependencies } from '../shared/adapters/controller-dependencies.js';
import { readControllerEnvironment } from '../shared/adapters/environment.js';
import { isoInstant, parseInput } from '../shared/domain/schemas.js';
import { runCampaignController, type ControllerDeps, type ControllerReport } from '../shared/use-cases/campaign-controller.js';

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
  return async (event: unknown): Promise<ControllerReport> => {
    const { time } = parseInput(scheduledEvent, event, 'event');
    dependencies ??= await build();
    return runCampaignController({ ...dependencies, clock: { now: () => new Date(time) } });
  };
}

export const handler = createHandler(() => buildControllerDependencies(readControllerEnvironment(), logger));
