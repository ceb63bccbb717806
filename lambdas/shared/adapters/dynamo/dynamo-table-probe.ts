// Table reachability for the health check: one GetItem of a sentinel key per table. The key never
// exists; an answer (empty) proves the table is there and readable with the job's grants, an error
// names why not. Also the local health probe, which has no CloudWatch to ask.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HealthComponent } from '../../domain/operations.js';
import type { HealthProbe } from '../../use-cases/ports.js';

/** The key the probe reads: no record ever has it. */
export const HEALTH_SENTINEL_KEY = { PK: '#HEALTH', SK: '#HEALTH' } as const;

/** Checks the tables a report depends on; one component per table. */
export interface TableReachability {
  check(): Promise<HealthComponent[]>;
}

export interface DynamoTableProbeOptions {
  doc: DynamoDBDocumentClient;
  /** Short name (the component is `table:<name>`) → table name. */
  tables: Record<string, string>;
}

export class DynamoTableProbe implements TableReachability {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tables: [string, string][];

  constructor(options: DynamoTableProbeOptions) {
    this.doc = options.doc;
    this.tables = Object.entries(options.tables);
  }

  check(): Promise<HealthComponent[]> {
    return Promise.all(this.tables.map(([name, tableName]) => this.probe(name, tableName)));
  }

  private async probe(name: string, tableName: string): Promise<HealthComponent> {
    try {
      await this.doc.send(new GetCommand({ TableName: tableName, Key: { ...HEALTH_SENTINEL_KEY } }));
      return { name: `table:${name}`, status: 'HEALTHY', details: { tableName } };
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Error';
      return {
        name: `table:${name}`,
        status: 'DEGRADED',
        reason: `table ${tableName} could not be read: ${errorName}`,
        details: { tableName, error: errorName },
      };
    }
  }
}

/** Health without CloudWatch (the local runtime): the tables only; heartbeats are added by the report. */
export class LocalHealthProbe implements HealthProbe {
  readonly source = 'local' as const;
  private readonly tables: TableReachability;

  constructor(options: { tables: TableReachability }) {
    this.tables = options.tables;
  }

  measure(): Promise<HealthComponent[]> {
    return this.tables.check();
  }
}
