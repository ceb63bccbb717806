// The controller's environment (set by lib/constructs/campaign-controller.ts and AppFunction).
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment, STORES_AND_PORTAL_ENVIRONMENT } from '../shared/adapters/environment.js';

const CONTROLLER_ENVIRONMENT = {
  ...STORES_AND_PORTAL_ENVIRONMENT,
  /** Each run's record and heartbeat (the daily report's health check reads them). */
  operationsTable: { variable: ENV.operationsTable, schema: z.string() },
  senderAddress: { variable: ENV.senderAddress, schema: z.email('must be an email address') },
  sesConfigurationSet: { variable: ENV.sesConfigurationSet, schema: z.string().optional() },
  /**
   * The function that archives a run's evidence pack before its cleanup. Required on AWS (the
   * dependencies refuse to start without it, naming the variable); the local runtime archives in process.
   */
  archiveEvidenceFunction: { variable: ENV.archiveEvidenceFunction, schema: z.string().optional() },
  leaseSeconds: {
    variable: ENV.leaseSeconds,
    schema: z.coerce.number().int('must be a whole number').positive('must be positive').default(960),
  },
  /** TTL on AWS (the stack sets it); DELETE where the engine has no TTL (the local runtime). */
  cleanup: {
    variable: ENV.campaignCleanup,
    schema: z.enum(['DELETE', 'TTL'], 'must be DELETE or TTL').default('DELETE'),
  },
};

export type ControllerEnvironment = ReturnType<typeof readControllerEnvironment>;

export function readControllerEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(CONTROLLER_ENVIRONMENT, env);
}
