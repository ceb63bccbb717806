// The campaign controller Lambda: recognises the schedule's event, builds its dependencies once per
// container, and runs one controller pass at the event's time.
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { isoInstant, parseInput } from '../shared/domain/schemas.js';
import { runCampaignController, type ControllerReport } from '../shared/use-cases/campaign-controller.js';
import { buildControllerDependencies, type ControllerDependencies } from './dependencies.js';
import { readControllerEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** An EventBridge "Scheduled Event"; its `time` is the "now" of the run. */
const scheduledEvent = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: isoInstant,
});

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => ControllerDependencies | Promise<ControllerDependencies>) {
  let dependencies: ControllerDependencies | undefined;
  return async (event: unknown): Promise<ControllerReport> => {
    const { time } = parseInput(scheduledEvent, event, 'event');
    dependencies ??= await build();
    return runCampaignController({ ...dependencies, clock: { now: () => new Date(time) } });
  };
}

/**
 * The deployed wiring: environment read and dependencies built at the first event. `overrides`
 * replace dependencies (the local runtime passes its hook invoker; tests and tools their ports).
 */
export function createHandlerFromEnvironment(overrides: Partial<ControllerDependencies> = {}) {
  return createHandler(() => buildControllerDependencies(readControllerEnvironment(), logger, overrides));
}

export const handler = createHandlerFromEnvironment();
