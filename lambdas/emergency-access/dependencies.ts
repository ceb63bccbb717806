// Wires the emergency access removal's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoAuditLog } from '../shared/adapters/dynamo/dynamo-audit-log.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { AuditLog, Clock, DirectoryStore, Log, OperationsStore } from '../shared/use-cases/ports.js';
import type { EmergencyAccessEnvironment } from './environment.js';

export interface EmergencyAccessDependencies {
  directory: DirectoryStore;
  /** Where each removal is recorded, with who and why. */
  operations: OperationsStore;
  /** Each request is recorded in the audit log's admin chain once its removals are made. */
  audit: AuditLog;
  /** A removal happens now: the wall clock, not a business time. */
  clock: Clock;
  log: Log;
}

/** The deployed wiring; `overrides` replace dependencies (tests pass their ports). */
export function buildEmergencyAccessDependencies(
  env: EmergencyAccessEnvironment,
  log: Log,
  overrides: Partial<EmergencyAccessDependencies> = {},
): EmergencyAccessDependencies {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    operations: new DynamoOperationsStore({ doc, tableName: env.operationsTable }),
    audit: new DynamoAuditLog(doc, env.auditTable),
    clock: systemClock,
    log,
    ...overrides,
  };
}
