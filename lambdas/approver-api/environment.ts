// The approver API's environment (set by lib/constructs/approver-api.ts and AppFunction).
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment } from '../shared/adapters/environment.js';

const APPROVER_API_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  campaignTable: { variable: ENV.campaignTable, schema: z.string() },
  approverPortalUrl: { variable: ENV.approverPortalUrl, schema: z.url('must be a URL') },
};

export type ApproverApiEnvironment = ReturnType<typeof readApproverApiEnvironment>;

export function readApproverApiEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(APPROVER_API_ENVIRONMENT, env);
}
