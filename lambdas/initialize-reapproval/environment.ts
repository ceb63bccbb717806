// The initialize-reapproval job's environment (set by lib/constructs/reapproval-jobs.ts and AppFunction).
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment } from '../shared/adapters/environment.js';

const INITIALIZE_REAPPROVAL_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  /** Each run's record and heartbeat (the daily report's health check reads them). */
  operationsTable: { variable: ENV.operationsTable, schema: z.string() },
};

export type InitializeReapprovalEnvironment = ReturnType<typeof readInitializeReapprovalEnvironment>;

export function readInitializeReapprovalEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(INITIALIZE_REAPPROVAL_ENVIRONMENT, env);
}
