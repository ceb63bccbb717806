// The one source of truth for table names, key schemas, indexes and environment variable names.
// The CDK constructs, the Lambda handlers and the local runtime all import this module.

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

/** A local secondary index: same partition key, another sort key, and strongly consistent queries. */
export interface LocalIndexDefinition {
  indexName: string;
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
  localIndexes?: LocalIndexDefinition[];
  /** Absent: nothing expires (the audit log). */
  ttlAttribute?: string;
}

const GSI1: IndexDefinition = { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' };
const GSI2: IndexDefinition = { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' };

/**
 * Directory: users, privileges, assignments.
 *   user        PK=USER#<id>   SK=#PROFILE          GSI1 USERS / <id>
 *                                                   GSI2 EMAIL#<lower-cased email> / <id> (caller lookup)
 *   privilege   PK=PRIV#<id>   SK=#PROFILE          GSI1 PRIVILEGES / <id>
 *   assignment  PK=USER#<uid>  SK=ASSIGN#<pid>      GSI2 PRIV#<pid> / <origin>#<uid>
 *                                                   GSI1 (MANUAL only, by re-approval state; none while one runs):
 *                                                     REAPPROVAL#AWAIT#<pid> / <uid>                 no state yet
 *                                                     REAPPROVAL#DUE / <nextReapprovalAt>#<uid>#<pid>  CONTINUOUS
 *                                                     REAPPROVAL#SCHEDULED / <lastRound|0000-00-00>#<uid>#<pid>  SCHEDULED
 *   flagged     privilege with re-approval settings: GSI2 REAPPROVAL#PRIVILEGES / <pid>
 *   workflow    PK=WORKFLOW#<id>    SK=#WORKFLOW     GSI1 WORKFLOWS / <id>
 *   config      PK=CONFIG#reapproval SK=#CONFIG      (domain-wide scheduled date, reminders)
 *   round       PK=REAPPROVAL#ROUND  SK=<date>       (a scheduled round: started, completed)
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
 *                                                         GSI2 OWNER#<ownerId> / <createdAt>#<id> (not on archived runs;
 *                                                           the owner's campaigns, newest first: the approver portal)
 *   entry       PK=ENTRY#<id>     SK=#ENTRY              GSI1 RUN#<runId> / <stage>#<subjectId>
 *                                                         GSI2 APPROVER#<first approver> / <dueDate>#<id> (while RUNNING)
 *   approver+   PK=ENTRY#<id>     SK=APPROVER#<userId>   GSI2 APPROVER#<userId> / <dueDate>#<id> (2nd.. approvers)
 *   item        PK=ENTRY#<id>     SK=ITEM#<itemId>         (no entity attribute; the ids the key holds are not repeated)
 *   revocation  PK=RUN#<runId>    SK=REVOKED#<userId>#<privilegeId>
 *                                                         GSI2 UNVERIFIED / <nextCheckAt>#<runId>#<userId>#<privilegeId>
 *                                                           (only while found still present in the directory: re-checked
 *                                                           daily, counted by the daily report)
 *   outbox      PK=OUTBOX#<campaignId> SK=<runId>|<key>  GSI1 OUTBOX#PENDING / <createdAt>#<key> (while unsent)
 *   lease       PK=LEASE#<name>   SK=#LEASE
 *   approval    PK=APPROVAL#<id>  SK=#APPROVAL         GSI1 APPROVALS#OPEN / <nextActionAt>#<id> (until its outcome is applied)
 *                                                      GSI2 APPROVER#<first approver> / <dueDate>#<id> (while RUNNING)
 *   approver+   PK=APPROVAL#<id>  SK=APPROVER#<userId> GSI2 APPROVER#<userId> / <dueDate>#<id> (2nd.. approvers; entity approval-approver)
 *   closed entry (not RUNNING, closedAt set): GSI2 CLOSED#<closing UTC date> / <closedAt>#<id>
 *               (the daily report's "entries closed in the window"; GSI2 is free once an entry is closed)
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

/**
 * Daily operations: configuration, risk assessments, job runs and heartbeats, reports, removals.
 *   config       PK=CONFIG#operations  SK=#CONFIG
 *   installation PK=CONFIG#installation SK=#INSTALLATION  (written once, by the first job run)
 *   assessment   PK=ASSESS#<date>      SK=USER#<userId>      GSI1 ASSESSUSER#<userId> / <date>   (TTL)
 *   progress     PK=ASSESS#<date>      SK=#PROGRESS          (resumable assessment checkpoint)  (TTL)
 *   risk summary PK=RISKSUMMARY        SK=<date>                                                 (TTL)
 *   job run      PK=JOB#<job>          SK=RUN#<startedAt>#<runId>                                (TTL)
 *   heartbeat    PK=JOB#<job>          SK=#HEARTBEAT
 *   daily report PK=REPORT#DAILY       SK=<date>                                                 (TTL)
 *   weekly       PK=REPORT#WEEKLY      SK=<date>                                                 (TTL)
 *   day counts   PK=DAYCOUNT           SK=<date>            (entries certified per closing day)  (TTL)
 *   removal      PK=REMOVAL#<userId>   SK=<privilegeId>#<requestId>  GSI1 REMOVALS / <at>#<userId>
 */
export const OPERATIONS_TABLE: TableDefinition = {
  id: 'OperationsTable',
  localName: 'idgov-operations',
  envVar: 'OPERATIONS_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [GSI1],
  ttlAttribute: 'expiresAt',
};

/**
 * The audit log (docs/reference/audit-log.md): append-only, never updated or deleted (IAM grants
 * PutItem and reads only), no TTL.
 *   record   PK=CHAIN#<chainId>  SK=<seq, 12 digits>   LSI ByEventKey: eventKey (KEYS_ONLY; the
 *            once-per-eventKey check, strongly consistent)
 */
export const AUDIT_TABLE: TableDefinition = {
  id: 'AuditTable',
  localName: 'idgov-audit',
  envVar: 'AUDIT_TABLE_NAME',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [],
  localIndexes: [{ indexName: 'ByEventKey', sortKey: 'eventKey' }],
};

export const TABLES = [DIRECTORY_TABLE, CAMPAIGN_TABLE, OPERATIONS_TABLE, AUDIT_TABLE] as const;

/** Environment variables the functions read, besides the table names above. */
export const ENV = {
  directoryTable: DIRECTORY_TABLE.envVar,
  campaignTable: CAMPAIGN_TABLE.envVar,
  operationsTable: OPERATIONS_TABLE.envVar,
  auditTable: AUDIT_TABLE.envVar,
  /** The reports bucket (S3 Object Lock): evidence packs archived before a run's cleanup. */
  reportsBucket: 'REPORTS_BUCKET_NAME',
  /** The asymmetric KMS key (RSA_2048, SIGN_VERIFY) that signs evidence manifests. */
  evidenceKeyId: 'EVIDENCE_KEY_ID',
  /** The archive-evidence function, which the controller invokes to archive a run's evidence pack before its cleanup. */
  archiveEvidenceFunction: 'ARCHIVE_EVIDENCE_FUNCTION_NAME',
  /** The render-report-charts function, which draws the charts of the report page in a pack the archive-evidence function builds. */
  reportChartsFunction: 'REPORT_CHARTS_FUNCTION_NAME',
  /** SNS topic the daily report and weekly summary are published to. */
  operationsTopicArn: 'OPERATIONS_TOPIC_ARN',
  /** Comma-separated email addresses of the operations recipients. */
  operationsRecipients: 'OPERATIONS_RECIPIENTS',
  /** JSON map of job name → function name (health: errors and throttles per function). */
  monitoredFunctions: 'MONITORED_FUNCTIONS',
  /** JSON map of job name → dead-letter queue name (health: queue depth). */
  monitoredQueues: 'MONITORED_QUEUES',
  /** JSON object of job name → its deployed schedule (CDK context idgov:schedules): what the heartbeat check expects. */
  jobSchedules: 'JOB_SCHEDULES',
  senderAddress: 'SENDER_ADDRESS',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  approverPortalUrl: 'APPROVER_PORTAL_URL',
  leaseSeconds: 'CONTROLLER_LEASE_SECONDS',
  /**
   * How the controller removes a deleted run's records: `TTL` (it stamps the campaign table's
   * ttlAttribute and DynamoDB deletes them; set on AWS) or `DELETE` (it deletes them; the default,
   * for engines without TTL). docs/reference/scale.md.
   */
  campaignCleanup: 'CAMPAIGN_CLEANUP',
} as const;

export const SERVICE_NAME = 'idgov';
export const METRICS_NAMESPACE = 'IdentityGovernance';
