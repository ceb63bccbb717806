// The local state the CLI and the demo work on. Three ways to reach DynamoDB:
//  - embedded (default): dynalite in-process, persisted under $IDGOV_HOME/db (default ./.idgov);
//  - endpoint: any DynamoDB API endpoint (e.g. DynamoDB Local); tables are created if missing;
//  - aws: a deployed stack, its outputs from a `cdk deploy --outputs-file` JSON or DescribeStacks.
// Job commands go through the Lambda handler itself (invokeController), with the environment the
// deployed function gets, pointed at the local endpoints; on AWS they invoke the deployed function.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV, OPERATIONS_TABLE } from '../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { Notification } from '../../lambdas/shared/domain/model.js';
import { getCampaignOrThrow, listAllCampaigns } from '../../lambdas/shared/use-cases/campaign-admin.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import type { Pages } from '../../lambdas/shared/use-cases/ports.js';
import type { Deployment } from '../aws/deployment.js';
import { createTables, LOCAL_CREDENTIALS, LOCAL_REGION, startEmbeddedEngine } from './engine.js';
import type { SesEmulator } from './ses-emulator.js';

export type RuntimeMode = 'embedded' | 'endpoint' | 'aws';

export interface RuntimeOptions {
  /** State folder; default $IDGOV_HOME, else ./.idgov. */
  home?: string;
  /** A DynamoDB endpoint to use instead of the embedded engine. */
  endpoint?: string;
  /** A deployed stack. */
  aws?: boolean;
  /** With aws: the outputs file of `cdk deploy --outputs-file`; without it the stacks' outputs are read with DescribeStacks. */
  outputs?: string;
  /** With aws: the stacks are `<stackPrefix>Stateful` and `<stackPrefix>Stateless` (default `IdGov`). */
  stackPrefix?: string;
  /** With aws and no outputs file: the client that reads the stacks (tests inject a mocked one). */
  cloudFormation?: CloudFormationClient;
  /** Embedded engine without persistence (benchmarks, throwaway demos). */
  inMemory?: boolean;
}

export interface TableNames {
  directory: string;
  campaign: string;
  operations: string;
}

export interface Runtime {
  mode: RuntimeMode;
  home: string;
  /** Where captured local mail is appended, one JSON object a line. */
  mailboxPath: string;
  tables: TableNames;
  /** The DynamoDB endpoint (absent for aws: the SDK's own). */
  dynamoEndpoint?: string;
  /** aws only: the deployed stacks' outputs (function names, topic ARNs, ...). */
  deployment?: Deployment;
  doc: DynamoDBDocumentClient;
  directory: DynamoDirectoryStore;
  campaigns: DynamoCampaignStore;
  outbox: DynamoOutbox;
  close(): Promise<void>;
}

const FAKE_ACCOUNT = '000000000000';

export function resolveHome(home?: string): string {
  return resolve(home ?? process.env.IDGOV_HOME ?? '.idgov');
}

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const home = resolveHome(options.home);
  const mailboxPath = join(home, 'mailbox.jsonl');
  if (options.aws) {
    // Loaded on demand, like the SES emulator: local commands never load the CloudFormation and Lambda clients.
    const { readDeployment } = await import('../aws/deployment.js');
    const deployment = await readDeployment({
      outputsFile: options.outputs,
      stackPrefix: options.stackPrefix,
      cloudFormation: options.cloudFormation,
    });
    const tables = deployment.tables;
    const doc = createDocumentClient({});
    return assemble({ mode: 'aws', home, mailboxPath, tables, deployment, doc, close: async () => doc.destroy() });
  }

  useLocalAwsEnvironment();
  const tables: TableNames = { directory: DIRECTORY_TABLE.localName, campaign: CAMPAIGN_TABLE.localName, operations: OPERATIONS_TABLE.localName };
  let endpoint = options.endpoint;
  let stopEngine = async () => {};
  if (!endpoint) {
    let engine: Awaited<ReturnType<typeof startEmbeddedEngine>>;
    if (options.inMemory) {
      engine = await startEmbeddedEngine();
    } else {
      const path = join(home, 'db');
      await mkdir(path, { recursive: true });
      engine = await startEmbeddedEngine({ path });
    }
    endpoint = engine.endpoint;
    stopEngine = () => engine.stop();
  } else if (!/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ValidationError(`must be an http(s) URL, got "${endpoint}"`, 'endpoint');
  }
  const doc = createDocumentClient({ endpoint });
  try {
    await createTables(doc, tables);
  } catch (error) {
    doc.destroy();
    await stopEngine();
    throw options.endpoint ? new Error(`cannot use the DynamoDB endpoint ${endpoint}: ${(error as Error).message}`) : error;
  }
  return assemble({
    mode: options.endpoint ? 'endpoint' : 'embedded',
    home,
    mailboxPath,
    tables,
    dynamoEndpoint: endpoint,
    doc,
    close: async () => {
      doc.destroy();
      await stopEngine();
    },
  });
}

function assemble(base: Omit<Runtime, 'directory' | 'campaigns' | 'outbox'>): Runtime {
  return {
    ...base,
    directory: new DynamoDirectoryStore({ doc: base.doc, tableName: base.tables.directory }),
    campaigns: new DynamoCampaignStore({ doc: base.doc, tableName: base.tables.campaign }),
    outbox: new DynamoOutbox({ doc: base.doc, tableName: base.tables.campaign }),
  };
}

/**
 * Local engines accept any credentials; set some so the SDK never searches for real ones. Through the
 * environment, so that the handler's clients and ours agree (DynamoDB Local keys data by them).
 */
function useLocalAwsEnvironment(): void {
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION ??= LOCAL_REGION;
}

/** The link base of the approver portal in notifications composed locally, when APPROVER_PORTAL_URL is not set. */
export const LOCAL_PORTAL_URL = 'http://127.0.0.1/approvals';

/**
 * The approver portal's base URL for the links in notifications the CLI composes (Approval Start of
 * a rescue or a reassignment). On AWS, the deployment's: the deployed controller sends them, and its
 * links must be the ones its own mails carry (the stack parameter ApproverPortalUrl, an output of the
 * stateless stack); APPROVER_PORTAL_URL does not apply there. Locally, APPROVER_PORTAL_URL, else
 * LOCAL_PORTAL_URL. Read when a command needs it: commands that compose no mail work with a
 * deployment that lacks the output.
 */
export function approverPortalUrl(runtime: Pick<Runtime, 'mode' | 'deployment'>): string {
  if (runtime.mode === 'aws') {
    if (!runtime.deployment) throw new Error('an aws runtime without its deployment');
    return runtime.deployment.approverPortalUrl;
  }
  return process.env[ENV.approverPortalUrl] || LOCAL_PORTAL_URL;
}

/** The event an EventBridge schedule rule delivers; its `time` is the controller's "now". */
export function scheduledEvent(now: Date, region = process.env.AWS_REGION ?? LOCAL_REGION, account = FAKE_ACCOUNT) {
  const iso = now.toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    // EventBridge writes whole seconds; keep milliseconds only when there are some.
    time: iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso,
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/idgov-campaign-controller-schedule`],
    detail: {},
  };
}

/**
 * The environment the deployed controller function gets, pointed at the local endpoints. Set before
 * the handler's first call: it reads its environment once, like a Lambda container.
 */
export function applyControllerEnvironment(runtime: Runtime, sesEndpoint?: string): void {
  // On AWS the deployed function runs the job (invokeController): never in-process with our credentials.
  if (runtime.mode === 'aws') throw new Error('the controller runs in-process only on a local engine');
  process.env[ENV.directoryTable] = runtime.tables.directory;
  process.env[ENV.campaignTable] = runtime.tables.campaign;
  process.env[ENV.senderAddress] ??= 'idgov@example.com';
  process.env[ENV.approverPortalUrl] ??= LOCAL_PORTAL_URL;
  // A lease whose process is gone is taken over at once; one of another machine's run expires after 5 minutes, not 16.
  process.env[ENV.leaseSeconds] ??= '300';
  if (runtime.dynamoEndpoint) process.env.AWS_ENDPOINT_URL_DYNAMODB = runtime.dynamoEndpoint;
  if (sesEndpoint) process.env.AWS_ENDPOINT_URL_SESV2 = sesEndpoint;
}

export type ControllerHandler = (event: unknown) => Promise<ControllerReport>;

export interface LocalControllerOptions {
  /** `controller run --take-over-lease`: take the lease whoever holds it. */
  takeOverLease?: boolean;
}

/**
 * The controller handler as the Lambda builds it: the same `createHandler` over the same wiring from
 * the environment (so set that first: it is read at the first event, like a Lambda container's),
 * plus what only the local runtime knows: its hook invoker also runs `file:` modules, this process
 * holds the lease, and a holder process of this machine that is gone frees it at once. Imported on
 * demand: the handler brings the AWS clients, which only job commands need.
 */
export async function loadControllerHandler(options: LocalControllerOptions = {}): Promise<ControllerHandler> {
  const { createHandler, buildDependencies } = await import('../../lambdas/campaign-controller/handler.js');
  const { createHookInvoker } = await import('./file-hook-invoker.js');
  const { localLease } = await import('./lease-holder.js');
  return createHandler(async () => localLease(options)(await buildDependencies({ hooks: createHookInvoker() })));
}

/** Appends what the SES emulator captured since the last flush to the mailbox file. */
export class MailCapture {
  private flushed = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly emulator: SesEmulator,
    readonly mailboxPath: string,
  ) {}

  /** Returns how many messages were appended. One flush at a time, so that none is written twice. */
  flush(context: { now: Date }): Promise<number> {
    const flushed = this.queue.then(() => this.flushNow(context));
    this.queue = flushed.catch(() => undefined);
    return flushed;
  }

  private async flushNow(context: { now: Date }): Promise<number> {
    const all = await this.emulator.mailbox();
    const fresh = all.slice(this.flushed);
    this.flushed = all.length;
    if (fresh.length === 0) return 0;
    const lines = fresh.map((m) =>
      JSON.stringify({
        simulatedAt: context.now.toISOString(),
        messageId: m.messageId,
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html !== undefined ? { html: m.html } : {}),
      }),
    );
    await appendFile(this.mailboxPath, `${lines.join('\n')}\n`);
    return fresh.length;
  }
}

export interface ControllerInvocation {
  report: ControllerReport;
  /** Local runs: mail captured by the SES emulator and where it was written. */
  mail?: { captured: number; mailbox: string };
}

/**
 * One controller run at `now`: on AWS, the deployed function invoked with the manual event (the job
 * runs with the function's role, not the operator's credentials; without `now`, at the function's
 * own clock, not this machine's); locally, the handler as EventBridge would trigger it (without
 * `now`, at the wall clock), with an SES emulator for the run.
 */
export async function invokeController(runtime: Runtime, now: Date | undefined, options: LocalControllerOptions = {}): Promise<ControllerInvocation> {
  if (runtime.mode === 'aws') {
    if (options.takeOverLease) throw new ValidationError('only for local runs; on AWS a lease frees itself when it expires', 'take-over-lease');
    if (!runtime.deployment) throw new Error('an aws runtime without its deployment');
    const { ControllerFunction } = await import('../aws/controller-function.js');
    return { report: await new ControllerFunction(runtime.deployment.controllerFunctionName).run(now) };
  }
  return invokeLocalController(runtime, now ?? new Date(), options);
}

async function invokeLocalController(runtime: Runtime, now: Date, options: LocalControllerOptions): Promise<ControllerInvocation> {
  // Loaded on demand: the emulator's web stack is the heaviest import, and only job commands send mail.
  const { startSesEmulator } = await import('./ses-emulator.js');
  await mkdir(runtime.home, { recursive: true });
  // Each mail is in the mailbox file before SES answers the send, as a real mail service holds
  // what it accepted: a run killed after a send leaves its mail there, marked SENT or not.
  const mail: { capture?: MailCapture } = {};
  const emulator = await startSesEmulator({ beforeAnswer: async () => void (await mail.capture?.flush({ now })) });
  const capture = (mail.capture = new MailCapture(emulator, runtime.mailboxPath));
  try {
    applyControllerEnvironment(runtime, emulator.endpoint);
    const handler = await loadControllerHandler(options);
    let report: ControllerReport;
    try {
      report = await handler(scheduledEvent(now));
    } finally {
      // Mail sent before a failure was sent: record it either way.
      await capture.flush({ now });
    }
    const captured = (await emulator.mailbox()).length;
    return { report, mail: { captured, mailbox: runtime.mailboxPath } };
  } finally {
    await emulator.stop();
  }
}

/**
 * Every recorded notification, oldest first: of all campaigns, of every run of one campaign, or of
 * the one run an archived id stands for (its notifications stay under the campaign it came from).
 */
export async function readOutbox(runtime: Pick<Runtime, 'campaigns' | 'outbox'>, campaignId?: string): Promise<Notification[]> {
  const pages: Pages<Notification>[] = [];
  if (campaignId) {
    const campaign = await getCampaignOrThrow(runtime.campaigns, campaignId);
    pages.push(
      campaign.archived
        ? runtime.outbox.listByRun(campaign.archivedFrom ?? campaign.id, campaign.runId)
        : runtime.outbox.listByCampaign(campaign.id),
    );
  } else {
    const partitions = new Set((await listAllCampaigns(runtime.campaigns)).map((c) => c.archivedFrom ?? c.id));
    for (const id of partitions) pages.push(runtime.outbox.listByCampaign(id));
  }
  const notifications: Notification[] = [];
  for (const source of pages) for await (const page of source) notifications.push(...page);
  return notifications.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
}
