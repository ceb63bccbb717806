// The approver API's environment (set by lib/constructs/approver-api.ts and AppFunction).
import { readEnvironment, STORES_AND_PORTAL_ENVIRONMENT } from '../shared/adapters/environment.js';

const APPROVER_API_ENVIRONMENT = STORES_AND_PORTAL_ENVIRONMENT;

export type ApproverApiEnvironment = ReturnType<typeof readApproverApiEnvironment>;

export function readApproverApiEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(APPROVER_API_ENVIRONMENT, env);
}
