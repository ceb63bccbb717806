// Wires the approver API's ports to DynamoDB and reads its environment once, at cold start,
// failing loudly naming every bad variable.
import { z } from 'zod';
import type { ApproverApiDeps } from '../../approver-api/routes.js';
import { ENV } from '../config/tables.js';
import { ValidationError } from '../domain/errors.js';
import type { Log } from '../use-cases/ports.js';
import { createDocumentClient } from './dynamo/document-client.js';
import { DynamoCampaignStore } from './dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from './dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from './dynamo/dynamo-outbox.js';

const approverApiEnvironment = z.object({
  [ENV.directoryTable]: z.string().min(1, 'must be set'),
  [ENV.campaignTable]: z.string().min(1, 'must be set'),
  [ENV.approverPortalUrl]: z.url('must be a URL'),
});

export interface ApproverApiEnvironment {
  directoryTable: string;
  campaignTable: string;
  approverPortalUrl: string;
}

export function readApproverApiEnvironment(env: NodeJS.ProcessEnv = process.env): ApproverApiEnvironment {
  const result = approverApiEnvironment.safeParse(env);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      field: String(issue.path[0]),
      message: issue.code === 'invalid_type' && issue.input === undefined ? 'must be set' : issue.message,
    }));
    throw new ValidationError(`environment: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, undefined, issues);
  }
  const values = result.data;
  return {
    directoryTable: values[ENV.directoryTable],
    campaignTable: values[ENV.campaignTable],
    approverPortalUrl: values[ENV.approverPortalUrl],
  };
}

export function buildApproverApiDependencies(env: ApproverApiEnvironment, log: Log): ApproverApiDeps {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    portalUrl: env.approverPortalUrl,
    log,
  };
}
