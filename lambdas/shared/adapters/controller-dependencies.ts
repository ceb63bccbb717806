// Wires the controller's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ControllerDeps } from '../use-cases/campaign-controller.js';
import type { HookInvoker, Log } from '../use-cases/ports.js';
import { createDocumentClient } from './dynamo/document-client.js';
import { DynamoCampaignStore } from './dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from './dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from './dynamo/dynamo-outbox.js';
import type { ControllerEnvironment } from './environment.js';
import { LambdaHookInvoker } from './lambda-hook-invoker.js';
import { SesMailer } from './ses-mailer.js';

export const systemClock = { now: () => new Date() };

export async function buildControllerDependencies(env: ControllerEnvironment, log: Log): Promise<Omit<ControllerDeps, 'clock'>> {
  const doc = createDocumentClient({});
  return {
    hooks: await hookInvoker(env),
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    mailer: new SesMailer({
      // Without throwOnRequestTimeout the SDK only warns and a hung endpoint hangs the run.
      client: new SESv2Client({ requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true } }),
      fromAddress: env.senderAddress,
      configurationSetName: env.sesConfigurationSet,
    }),
    wallClock: systemClock,
    log,
    settings: { portalUrl: env.approverPortalUrl, leaseSeconds: env.leaseSeconds },
  };
}

/** On AWS hooks are Lambda functions; the local runtime also runs `file:` modules. */
async function hookInvoker(env: ControllerEnvironment): Promise<HookInvoker> {
  if (!env.localFileHooks) return new LambdaHookInvoker(new LambdaClient({}));
  const { createHookInvoker } = await import('../../../src/local/file-hook-invoker.js');
  return createHookInvoker();
}
