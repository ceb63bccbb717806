// Wires the controller's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoCampaignStore } from '../shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../shared/adapters/dynamo/dynamo-outbox.js';
import { LambdaHookInvoker } from '../shared/adapters/lambda-hook-invoker.js';
import { SesMailer } from '../shared/adapters/ses-mailer.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { ControllerDeps } from '../shared/use-cases/campaign-controller.js';
import type { Log } from '../shared/use-cases/ports.js';
import type { ControllerEnvironment } from './environment.js';

/** Everything a run needs but its business clock, which each event sets. */
export type ControllerDependencies = Omit<ControllerDeps, 'clock'>;

/**
 * The deployed wiring. `overrides` replace dependencies: the local runtime passes its own hook
 * invoker (which also runs `file:` modules), so that no local code is bundled into the function.
 */
export function buildControllerDependencies(
  env: ControllerEnvironment,
  log: Log,
  overrides: Partial<ControllerDependencies> = {},
): ControllerDependencies {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    campaigns: new DynamoCampaignStore({ doc, tableName: env.campaignTable }),
    outbox: new DynamoOutbox({ doc, tableName: env.campaignTable }),
    mailer: new SesMailer({
      // Without throwOnRequestTimeout the SDK only warns and a hung endpoint hangs the run.
      client: new SESv2Client({ requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true } }),
      fromAddress: env.senderAddress,
      configurationSetName: env.sesConfigurationSet,
    }),
    // On AWS hooks are Lambda functions (the client connects only when a campaign names one).
    hooks: new LambdaHookInvoker(new LambdaClient({})),
    wallClock: systemClock,
    log,
    settings: { portalUrl: env.approverPortalUrl, leaseSeconds: env.leaseSeconds },
    ...overrides,
  };
}
