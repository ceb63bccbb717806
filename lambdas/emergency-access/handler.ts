// The emergency access removal Lambda: recognises its event, builds its dependencies once per
// container, and removes every manual assignment of the user at once, each removal recorded with
// who asked, why, and the request (this invocation) that removed it.
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { InvocationContext } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { emergencyRevoke } from '../shared/use-cases/emergency-revoke.js';
import { buildEmergencyAccessDependencies, type EmergencyAccessDependencies } from './dependencies.js';
import { readEmergencyAccessEnvironment } from './environment.js';
import { parseEmergencyAccessEvent } from './event.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => EmergencyAccessDependencies | Promise<EmergencyAccessDependencies>) {
  let dependencies: EmergencyAccessDependencies | undefined;
  return async (event: unknown, context?: InvocationContext) => {
    // A bad event is refused before anything is built, read or removed.
    const { userId, reason, requestedBy, requestRef } = parseEmergencyAccessEvent(event);
    const deps = (dependencies ??= await build());
    // Lambda retries an asynchronous invocation with the same request id: its removals are the same request.
    const requestId = context?.awsRequestId ?? randomUUID();
    const result = await emergencyRevoke(deps, { userId, reason, by: requestedBy, requestId, ...(requestRef ? { requestRef } : {}) });
    deps.log.info('emergency access removal', { userId, requestedBy, requestRef, requestId, removed: result.removed.length, alreadyRecorded: result.alreadyRecorded });
    return result;
  };
}

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<EmergencyAccessDependencies> = {}) =>
  buildEmergencyAccessDependencies(readEmergencyAccessEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<EmergencyAccessDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
