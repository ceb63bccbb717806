// The weekly summary's environment (set by lib/constructs/operations-jobs.ts and AppFunction).
import { JOB_SCHEDULES_ENVIRONMENT, readEnvironment, REPORT_DELIVERY_ENVIRONMENT } from '../shared/adapters/environment.js';

const WEEKLY_SUMMARY_ENVIRONMENT = { ...REPORT_DELIVERY_ENVIRONMENT, ...JOB_SCHEDULES_ENVIRONMENT };

export type WeeklySummaryEnvironment = ReturnType<typeof readWeeklySummaryEnvironment>;

export function readWeeklySummaryEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(WEEKLY_SUMMARY_ENVIRONMENT, env);
}
