// The local state the CLI and the demo work on. Three ways to reach DynamoDB:
//  - embedded (default): dynalite in-process, persisted under $IDGOV_HOME/db (default ./.idgov);
//  - endpoint: any DynamoDB API endpoint (e.g. DynamoDB Local); tables are created if missing;
//  - aws: a deployed stack, its outputs from a `cdk deploy --outputs-file` JSON or DescribeStacks.
// Job commands go through the Lambda handler itself (invokeJob), with the environment the deployed
// function gets, pointed at the local endpoints; on AWS they invoke the deployed function.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoAuditLog } from '../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV, OPERATIONS_TABLE } from '../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { Notification } from '../../lambdas/shared/domain/model.js';
import { getCampaignOrThrow, listAllCampaigns } from '../../lambdas/shared/use-cases/campaign-admin.js';
import type { AuditLog, EvidenceArchive, EvidenceSigner, Pages } from '../../lambdas/shared/use-cases/ports.js';
import type { Deployment } from '../aws/deployment.js';
import { createTables, LOCAL_CREDENTIALS, LOCAL_REGION, startEmbeddedEngine } from './engine.js';
import { deployedEvidence, localEvidence } from './evidence-runtime.js';

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
  /** The audit log (append-only). */
  audit: string;
}

export interface Runtime {
  mode: RuntimeMode;
  home: string;
  /** Where captured local mail is appended, one JSON object a line. */
  mailboxPath: string;
  /** Where the local jobs' messages to the operations topic are appended, one JSON object a line. */
  topicPath: string;
  /** Where the local jobs' custom metrics are appended, one JSON object a line. */
  metricsPath: string;
  tables: TableNames;
  /** The DynamoDB endpoint (absent for aws: the SDK's own). */
  dynamoEndpoint?: string;
  /** aws only: the deployed stacks' outputs (function names, topic ARNs, ...). */
  deployment?: Deployment;
  doc: DynamoDBDocumentClient;
  directory: DynamoDirectoryStore;
  campaigns: DynamoCampaignStore;
  outbox: DynamoOutbox;
  operations: DynamoOperationsStore;
  /** Approval runs (re-approvals and campaign hand-overs), on the campaign table. */
  approvals: DynamoApprovalStore;
  /** The audit log (docs/reference/audit-log.md): what the CLI records, and what `idgov audit` reads. */
  auditLog: AuditLog;
  /** Where evidence packs are archived: $IDGOV_HOME/evidence/ locally, the deployment's reports bucket on AWS. */
  evidenceArchive: EvidenceArchive;
  /** What signs evidence manifests: the key pair under $IDGOV_HOME/keys locally, the deployment's KMS key on AWS. */
  evidenceSigner: EvidenceSigner;
  close(): Promise<void>;
}

export function resolveHome(home?: string): string {
  return resolve(home ?? process.env.IDGOV_HOME ?? '.idgov');
}

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const home = resolveHome(options.home);
  const files = { mailboxPath: join(home, 'mailbox.jsonl'), topicPath: join(home, 'operations-topic.jsonl'), metricsPath: join(home, 'metrics.jsonl') };
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
    return assemble({ mode: 'aws', home, ...files, tables, deployment, doc, close: async () => doc.destroy() });
  }

  useLocalAwsEnvironment();
  const tables: TableNames = {
    directory: DIRECTORY_TABLE.localName,
    campaign: CAMPAIGN_TABLE.localName,
    operations: OPERATIONS_TABLE.localName,
    audit: AUDIT_TABLE.localName,
  };
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
    ...files,
    tables,
    dynamoEndpoint: endpoint,
    doc,
    close: async () => {
      doc.destroy();
      await stopEngine();
    },
  });
}

function assemble(base: Omit<Runtime, 'directory' | 'campaigns' | 'outbox' | 'operations' | 'approvals' | 'auditLog' | 'evidenceArchive' | 'evidenceSigner'>): Runtime {
  return {
    ...base,
    ...(base.mode === 'aws' ? deployedEvidence(base.deployment!) : localEvidence(base.home)),
    directory: new DynamoDirectoryStore({ doc: base.doc, tableName: base.tables.directory }),
    campaigns: new DynamoCampaignStore({ doc: base.doc, tableName: base.tables.campaign }),
    outbox: new DynamoOutbox({ doc: base.doc, tableName: base.tables.campaign }),
    operations: new DynamoOperationsStore({ doc: base.doc, tableName: base.tables.operations }),
    approvals: new DynamoApprovalStore({ doc: base.doc, tableName: base.tables.campaign }),
    auditLog: new DynamoAuditLog(base.doc, base.tables.audit),
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

/** The port `idgov api serve` listens on by default, serving the approver API and the portal. */
export const LOCAL_PORTAL_PORT = 8787;

/**
 * The link base of the approver portal in notifications composed locally, when APPROVER_PORTAL_URL
 * is not set: where `idgov api serve` (and `npm start -- --keep-open`) serve the portal by default,
 * so that a mail's `/entries/<id>` and `/tasks` links open it.
 */
export const LOCAL_PORTAL_URL = `http://127.0.0.1:${LOCAL_PORTAL_PORT}`;

/**
 * The approver portal's base URL for the links in notifications the CLI composes (Approval Start of
 * a rescue or a reassignment). On AWS, the deployment's: the deployed controller sends them, and its
 * links must be the ones its own mails carry (the portal URL of the deployment, an output of the
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
