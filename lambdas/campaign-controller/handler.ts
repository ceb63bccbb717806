// The campaign controller Lambda: recognises its event (scheduled, or a manual test event), builds
// its dependencies once per container, and runs one controller pass at the event's time.
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { runCampaignController, type ControllerReport } from '../shared/use-cases/campaign-controller.js';
import { buildControllerDependencies, type ControllerDependencies } from './dependencies.js';
import { readControllerEnvironment } from './environment.js';
import { requestedTime } from './event.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => ControllerDependencies | Promise<ControllerDependencies>) {
  let dependencies: ControllerDependencies | undefined;
  return async (event: unknown): Promise<ControllerReport> => {
    const requested = requestedTime(event);
    dependencies ??= await build();
    // `{}` runs at the current time, read once: the whole run sees one instant, as with a schedule.
    const now = requested ?? dependencies.wallClock.now();
    return runCampaignController({ ...dependencies, clock: { now: () => new Date(now) } });
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
