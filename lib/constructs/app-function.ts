import { fileURLToPath } from 'node:url';
import { Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  AUDIT_TABLE,
  ENV,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  type TableDefinition,
} from '../../lambdas/shared/config/tables.js';

/**
 * What a function may do on a table: `RO` read; `RW` read and write; `READ_UPDATE` read and
 * UpdateItem only (change attributes of items, never put or delete one); or exactly the DynamoDB
 * actions listed (`{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] }`).
 */
export type TableAccess = 'RO' | 'RW' | 'READ_UPDATE' | { readonly actions: readonly DynamoDbAction[] };

/**
 * Context flag that replaces esbuild bundling with a tiny inline handler, so that template and
 * cdk-nag tests synthesize in milliseconds. Never set it for a deployment.
 */
export const SKIP_BUNDLING_CONTEXT = 'idgov:skipBundling';

/** Node runtime of every function: the newest one aws-cdk-lib knows, which AwsSolutions-L1 requires. */
export const APP_RUNTIME = Runtime.NODEJS_24_X;

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// No Scan: every read is a key or index query (house rule), and IAM holds that line.
export const DYNAMODB_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
] as const;
export const DYNAMODB_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;
export type DynamoDbAction = (typeof DYNAMODB_READ_ACTIONS)[number] | (typeof DYNAMODB_WRITE_ACTIONS)[number];

/** The DynamoDB actions of an access mode, sorted. */
export function dynamoDbActionsOf(access: TableAccess): DynamoDbAction[] {
  const actions: readonly DynamoDbAction[] =
    access === 'RO'
      ? DYNAMODB_READ_ACTIONS
      : access === 'RW'
        ? [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS]
        : access === 'READ_UPDATE'
          ? [...DYNAMODB_READ_ACTIONS, 'dynamodb:UpdateItem']
          : access.actions;
  return [...new Set(actions)].sort();
}

/**
 * The audit log's only access: append (PutItem, on condition that the record's key is free) and
 * read (GetItem, Query, on the table and its ByEventKey index). Never UpdateItem or DeleteItem, nor
 * BatchWriteItem, which can delete: a written record cannot be changed or removed by the product.
 */
export const AUDIT_APPEND_ACCESS: TableAccess = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'] };

/** Lets `fn` append to and read the audit log (AUDIT_APPEND_ACCESS), and sets AUDIT_TABLE_NAME. */
export function grantAuditAppend(fn: AppFunction, auditTable: ITable): void {
  fn.bindTable(auditTable, AUDIT_TABLE, AUDIT_APPEND_ACCESS);
}

// What DynamoDB asks KMS on the caller's behalf for a customer-managed table key.
export const KMS_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
export const KMS_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

export interface AppFunctionProps {
  /** Handler module, relative to the repository root, e.g. `lambdas/campaign-controller/handler.ts`. */
  readonly entry: string;
  readonly description?: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 512 MB */
  readonly memorySize?: number;
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Record<string, string>;
  /** @default one year */
  readonly logRetention?: RetentionDays;
}

/**
 * Where a function may send email from: the sender address (verified in SES as an address or
 * through its domain) and an optional configuration set.
 */
export interface EmailSender {
  /** The From address; the function may send as this address only. */
  readonly address: string;
  /** Configuration set name, or the empty string for none. */
  readonly configurationSetName: string;
  /**
   * ARN of the configuration set, to authorize alongside the identity. May be a conditional
   * token that resolves to AWS::NoValue when there is no configuration set.
   */
  readonly configurationSetArn?: string;
}

/**
 * A Node.js Lambda function with every product default: newest runtime, arm64, JSON logs into
 * an explicit log group, active X-Ray tracing, ESM bundle built by the local esbuild, and a role
 * with no managed policy. Table access only through `bindTable`, email only through
 * `bindEmailSender`, so that a grant and the environment variable naming it never drift apart.
 */
export class AppFunction extends NodejsFunction {
  /** The execution role: no managed policy, only the grants made through this class and CDK's. */
  readonly serviceRole: Role;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const skipBundling = isTruthy(scope.node.tryGetContext(SKIP_BUNDLING_CONTEXT));
    // The role and log group must exist before the function does, hence siblings of it.
    const serviceRole = new Role(scope, `${id}ServiceRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
    });

    super(scope, id, {
      entry: `${PROJECT_ROOT}${props.entry}`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      ...(skipBundling
        ? { code: Code.fromInline('exports.handler = async () => undefined;'), handler: 'index.handler' }
        : { handler: 'handler' }),
      description: props.description,
      runtime: APP_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: serviceRole,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...(skipBundling ? {} : { NODE_OPTIONS: '--enable-source-maps' }),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        // Class and function names survive minification: a log says ValidationError, not Bt.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // Bundled CommonJS dependencies call require(); ESM has none unless we make one.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // Bundle the SDK too: the deployed code runs the SDK version the tests ran.
        bundleAwsSDK: true,
      },
    });
    this.serviceRole = serviceRole;
    logGroup.grants.write(serviceRole);

    Validations.of(serviceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement CDK adds for active tracing uses Resource "*": xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords support no resource-level permissions. Infra tests assert that no other ' +
        'action of a function role is on "*" but the daily-operations job\'s cloudwatch:GetMetricData, ' +
        'acknowledged on its policy.',
    });
  }

  /**
   * Lets this function do what `access` says (TableAccess) on the table built from `definition`,
   * including its indexes and its KMS key (encrypting too when any write action is granted), and
   * sets the environment variable that names it. On the audit log, nothing beyond
   * AUDIT_APPEND_ACCESS is granted: use grantAuditAppend.
   */
  bindTable(table: ITable, definition: TableDefinition, access: TableAccess): void {
    const actions = dynamoDbActionsOf(access);
    if (actions.length === 0) throw new Error(`${this.node.path}: bindTable ${definition.id} grants no action`);
    const beyondAppend = actions.filter((action) => !dynamoDbActionsOf(AUDIT_APPEND_ACCESS).includes(action));
    if (definition.id === AUDIT_TABLE.id && beyondAppend.length > 0) {
      throw new Error(`${this.node.path}: the audit log is append-only (grantAuditAppend); refusing ${beyondAppend.join(', ')}`);
    }
    this.addEnvironment(definition.envVar, table.tableName);
    const writes = actions.some((action) => (DYNAMODB_WRITE_ACTIONS as readonly string[]).includes(action));
    Grant.addToPrincipal({
      grantee: this,
      actions,
      resourceArns: tableAndIndexArns(table, definition),
    });
    if (table.encryptionKey) {
      Grant.addToPrincipal({
        grantee: this,
        actions: writes ? [...KMS_READ_ACTIONS, ...KMS_WRITE_ACTIONS] : KMS_READ_ACTIONS,
        resourceArns: [table.encryptionKey.keyArn],
        // The key is usable through DynamoDB only, not to decrypt arbitrary ciphertext.
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
        },
      });
    }
  }

  /**
   * Lets this function publish to `topic` (sns:Publish on that topic only) and sets `envVar` to its
   * ARN. For a topic encrypted with a customer-managed key, also the two KMS actions SNS asks on a
   * publisher's behalf, kms:GenerateDataKey and kms:Decrypt, on that key and through SNS only
   * (`topic.grantPublish` would grant kms:GenerateDataKey* on the key for any use).
   */
  bindTopic(topic: ITopic, envVar: string): void {
    this.addEnvironment(envVar, topic.topicArn);
    Grant.addToPrincipal({ grantee: this, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
    if (topic.masterKey) {
      Grant.addToPrincipal({
        grantee: this,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resourceArns: [topic.masterKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
      });
    }
  }

  /**
   * Lets this function send email as `sender.address` only, and sets SENDER_ADDRESS and
   * SES_CONFIGURATION_SET. SES authorizes a send against the address identity, or against the
   * domain identity when only the domain is verified; both are named, and the From address is
   * pinned by the `ses:FromAddress` condition.
   */
  bindEmailSender(sender: EmailSender): void {
    this.addEnvironment(ENV.senderAddress, sender.address);
    this.addEnvironment(ENV.sesConfigurationSet, sender.configurationSetName);
    const stack = Stack.of(this);
    const identityArn = (identity: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    Grant.addToPrincipal({
      grantee: this,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [
        identityArn(sender.address),
        identityArn(emailDomain(sender.address)),
        ...(sender.configurationSetArn ? [sender.configurationSetArn] : []),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': sender.address } },
    });
  }
}

/** The ARNs of a table and of each of its global and local indexes. */
export function tableAndIndexArns(table: ITable, definition: TableDefinition): string[] {
  const indexNames = [...definition.indexes, ...(definition.localIndexes ?? [])].map((index) => index.indexName);
  return [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)];
}

function isTruthy(value: unknown): boolean {
  return value === true || value === 'true';
}

function emailDomain(address: string): string {
  if (Token.isUnresolved(address)) return Fn.select(1, Fn.split('@', address));
  const domain = address.split('@')[1];
  if (!domain) throw new Error(`sender address "${address}" has no domain`);
  return domain;
}
