// Wires the risk assessment's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import type { JobDependencies } from '../shared/adapters/job-handler.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { DirectoryStore, Log } from '../shared/use-cases/ports.js';
import type { RiskAssessmentEnvironment } from './environment.js';

/** Everything a run needs but its business clock, which each event sets. */
export interface RiskAssessmentDependencies extends JobDependencies {
  directory: DirectoryStore;
  log: Log;
}

/** The deployed wiring; `overrides` replace dependencies (tests pass their ports). */
export function buildRiskAssessmentDependencies(
  env: RiskAssessmentEnvironment,
  log: Log,
  overrides: Partial<RiskAssessmentDependencies> = {},
): RiskAssessmentDependencies {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    operations: new DynamoOperationsStore({ doc, tableName: env.operationsTable }),
    wallClock: systemClock,
    log,
    ...overrides,
  };
}
