// The one source of truth for table names, key schemas, indexes and environment variable names.
// The CDK constructs, the Lambda handlers and the local runtime all import this module.

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableDefinition {
  /** Construct id in the stateful stack, and the table name in the local engine. */
  id: string;
  localName: string;
  envVar: string;
  partitionKey: string;
  sortKey: string;
  indexes: IndexDefinition[];
  ttlAttribute: string;
}

const GSI1: IndexDefinition = { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' };
const GSI2: IndexDefinition = { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' };

/**
 * Directory: users, privileges, assignments.
 *   user        PK=USER#<id>   SK=#PROFILE          GSI1 USERS / <id>
 *                                                   GSI2 EMAIL#<lower-cased email> / <id> (caller lookup)
 *   privilege   PK=PRIV#<id>   SK=#PROFILE          GSI1 PRIVILEGES / <id>
 *   assignment  PK=USER#<uid>  SK=ASSIGN#<pid>      GSI2 PRIV#<pid> / <origin>#<uid>
 */
export const DIRECTORY_TABLE: TableDefinition = {
  id: 'DirectoryTable',
  localName: 'idgov-directory',
  envVar: 'DIRECTORY_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [GSI1, GSI2],
  ttlAttribute: 'expiresAt',
};

/**
 * Campaigns, entries, items, outbox, revocations and leases.
 *   campaign    PK=CAMPAIGN#<id>  SK=#META               GSI1 CSTATE#<state> / <nextActionAt>#<id>
 *   entry       PK=ENTRY#<id>     SK=#ENTRY              GSI1 RUN#<runId> / <stage>#<subjectId>
 *                                                         GSI2 APPROVER#<first approver> / <dueDate>#<id> (while RUNNING)
 *   approver+   PK=ENTRY#<id>     SK=APPROVER#<userId>   GSI2 APPROVER#<userId> / <dueDate>#<id> (2nd.. approvers)
 *   item        PK=ENTRY#<id>     SK=ITEM#<itemId>
 *   revocation  PK=RUN#<runId>    SK=REVOKED#<userId>#<privilegeId>
 *   outbox      PK=OUTBOX#<campaignId> SK=<runId>|<key>  GSI1 OUTBOX#PENDING / <createdAt>#<key> (while unsent)
 *   lease       PK=LEASE#<name>   SK=#LEASE
 */
export const CAMPAIGN_TABLE: TableDefinition = {
  id: 'CampaignTable',
  localName: 'idgov-campaigns',
  envVar: 'CAMPAIGN_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [GSI1, GSI2],
  ttlAttribute: 'expiresAt',
};

export const TABLES = [DIRECTORY_TABLE, CAMPAIGN_TABLE] as const;

/** Environment variables the functions read, besides the table names above. */
export const ENV = {
  directoryTable: DIRECTORY_TABLE.envVar,
  campaignTable: CAMPAIGN_TABLE.envVar,
  senderAddress: 'SENDER_ADDRESS',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  approverPortalUrl: 'APPROVER_PORTAL_URL',
  leaseSeconds: 'CONTROLLER_LEASE_SECONDS',
} as const;

export const SERVICE_NAME = 'idgov';
export const METRICS_NAMESPACE = 'IdentityGovernance';
