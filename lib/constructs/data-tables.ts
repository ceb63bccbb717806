import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
  type Attribute,
} from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  AUDIT_TABLE,
  CAMPAIGN_TABLE,
  DIRECTORY_TABLE,
  OPERATIONS_TABLE,
  TABLES,
  type TableDefinition,
} from '../../lambdas/shared/config/tables.js';

// Every key attribute holds a composite string such as `USER#<id>` or `<dueDate>#<id>`.
const stringAttribute = (name: string): Attribute => ({ name, type: AttributeType.STRING });

/**
 * The product's DynamoDB tables, built from the table definitions in `tables.ts` so that key
 * names, index names and the TTL attribute are written once for CDK, handlers and local engine.
 *
 * `Table` (AWS::DynamoDB::Table) rather than `TableV2` (AWS::DynamoDB::GlobalTable): TableV2 with a
 * customer-managed key cannot be synthesized in an environment-agnostic stack
 * (ReplicaSpecificationCannotRenderedRegion), and cdk-nag's point-in-time-recovery rule
 * (AwsSolutions-DDB3) only inspects AWS::DynamoDB::Table. The product runs in one region.
 */
export class DataTables extends Construct {
  /** Customer-managed key for every table, rotated yearly. */
  readonly key: Key;
  readonly directoryTable: Table;
  readonly campaignTable: Table;
  /** Daily operations: configuration, risk assessments, job runs and heartbeats, reports, removals. */
  readonly operationsTable: Table;
  /** The audit log: append-only (functions get PutItem and reads only), nothing expires. */
  readonly auditTable: Table;
  private readonly byId = new Map<string, Table>();

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new Key(this, 'TableKey', {
      description: 'Encrypts the identity-governance directory, campaign, operations and audit tables',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const definition of TABLES) {
      this.byId.set(definition.id, this.buildTable(definition));
    }
    this.directoryTable = this.tableFor(DIRECTORY_TABLE);
    this.campaignTable = this.tableFor(CAMPAIGN_TABLE);
    this.operationsTable = this.tableFor(OPERATIONS_TABLE);
    this.auditTable = this.tableFor(AUDIT_TABLE);
  }

  /** The table built from `definition`; throws for a definition this construct did not build. */
  tableFor(definition: TableDefinition): Table {
    const table = this.byId.get(definition.id);
    if (!table) throw new Error(`DataTables has no table for definition ${definition.id}`);
    return table;
  }

  private buildTable(definition: TableDefinition): Table {
    const table = new Table(this, definition.id, {
      partitionKey: stringAttribute(definition.partitionKey),
      sortKey: stringAttribute(definition.sortKey),
      // Absent for the audit log: its records never expire.
      timeToLiveAttribute: definition.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      // Certification history is audit evidence: never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringAttribute(index.partitionKey),
        sortKey: stringAttribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
    // A local index answers strongly consistent queries (the audit log's once-per-eventKey check);
    // the keys are all such a check needs.
    for (const index of definition.localIndexes ?? []) {
      table.addLocalSecondaryIndex({
        indexName: index.indexName,
        sortKey: stringAttribute(index.sortKey),
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
    return table;
  }
}
