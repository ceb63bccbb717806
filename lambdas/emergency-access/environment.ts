// The emergency access removal's environment (set by its construct and AppFunction).
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment } from '../shared/adapters/environment.js';

const EMERGENCY_ACCESS_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  operationsTable: { variable: ENV.operationsTable, schema: z.string() },
  /** Each request is recorded in the audit log's admin chain. */
  auditTable: { variable: ENV.auditTable, schema: z.string() },
};

export type EmergencyAccessEnvironment = ReturnType<typeof readEmergencyAccessEnvironment>;

export function readEmergencyAccessEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(EMERGENCY_ACCESS_ENVIRONMENT, env);
}
