// The start-reapproval job's environment (set by lib/constructs/reapproval-jobs.ts and AppFunction):
// the directory and campaign tables (approval runs and their outbox live in the latter), the
// operations table for its runs, the portal its mails link to, and the sender of those mails.
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment, STORES_AND_PORTAL_ENVIRONMENT } from '../shared/adapters/environment.js';

const START_REAPPROVAL_ENVIRONMENT = {
  ...STORES_AND_PORTAL_ENVIRONMENT,
  /** Each run's record and heartbeat (the daily report's health check reads them). */
  operationsTable: { variable: ENV.operationsTable, schema: z.string() },
  senderAddress: { variable: ENV.senderAddress, schema: z.email('must be an email address') },
  sesConfigurationSet: { variable: ENV.sesConfigurationSet, schema: z.string().optional() },
};

export type StartReapprovalEnvironment = ReturnType<typeof readStartReapprovalEnvironment>;

export function readStartReapprovalEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(START_REAPPROVAL_ENVIRONMENT, env);
}
