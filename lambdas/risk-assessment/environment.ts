// The risk assessment's environment (set by lib/constructs/operations-jobs.ts and AppFunction).
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment } from '../shared/adapters/environment.js';

const RISK_ASSESSMENT_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  operationsTable: { variable: ENV.operationsTable, schema: z.string() },
};

export type RiskAssessmentEnvironment = ReturnType<typeof readRiskAssessmentEnvironment>;

export function readRiskAssessmentEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(RISK_ASSESSMENT_ENVIRONMENT, env);
}
