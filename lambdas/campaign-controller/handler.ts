// The campaign controller Lambda: recognises the schedule's event, builds its dependencies once per
// container, and runs one controller pass at the event's time.
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { buildControllerDependencies } from '../shared/adapters/controller-dependencies.js';
import { readControllerEnvironment } from '../shared/adapters/environment.js';
import { isoInstant, parseInput } from '../shared/domain/schemas.js';
import { runCampaignController, type ControllerReport } from '../shared/use-cases/campaign-controller.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** An EventBridge "Scheduled Event"; its `time` is the "now" of the run. */
const scheduledEvent = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: isoInstant,
});

let dependencies: ReturnType<typeof buildControllerDependencies> | undefined;

export const handler = async (event: unknown): Promise<ControllerReport> => {
  const { time } = parseInput(scheduledEvent, event, 'event');
  dependencies ??= buildControllerDependencies(readControllerEnvironment(), logger);
  return runCampaignController({ ...dependencies, clock: { now: () => new Date(time) } });
};
