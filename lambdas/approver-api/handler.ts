// The approver API Lambda (API Gateway HTTP API, JWT authorizer): builds its dependencies once per
// container and hands each request to the routes, with the caller taken from the validated JWT.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { errorResponse, type ApiResponse } from '../shared/adapters/http/http-api.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { Clock, Log } from '../shared/use-cases/ports.js';
import { buildApproverApiDependencies } from './dependencies.js';
import { readApproverApiEnvironment } from './environment.js';
import { callerFromJwt, handleApproverRequest, type ApproverApiDeps } from './routes.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => ApproverApiDeps, clock: Clock = systemClock, log: Log = logger) {
  let dependencies: ApproverApiDeps | undefined;
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<ApiResponse> => {
    try {
      dependencies ??= build();
    } catch (error) {
      // A configuration error is the operator's, never the client's: 500, with the cause in the log.
      return errorResponse(new Error(`cannot start: ${error instanceof Error ? error.message : String(error)}`), log);
    }
    return handleApproverRequest(event, { ...dependencies, resolveCaller: callerFromJwt, now: clock.now() });
  };
}

export const handler = createHandler(() => buildApproverApiDependencies(readApproverApiEnvironment(), logger));
