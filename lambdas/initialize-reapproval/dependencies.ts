// Wires the initialize-reapproval job's ports to AWS (or to whatever endpoints AWS_ENDPOINT_URL_* name locally).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { REQUEST_HANDLER } from '../shared/adapters/aws-clients.js';
import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';
import { DynamoDirectoryStore } from '../shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../shared/adapters/dynamo/dynamo-operations-store.js';
import type { JobDependencies } from '../shared/adapters/job-handler.js';
import { LambdaSelfInvocation } from '../shared/adapters/lambda-continuation.js';
import { systemClock } from '../shared/adapters/system-clock.js';
import type { InitializeReapprovalDeps } from '../shared/use-cases/approvals/initialize-reapproval.js';
import type { Log } from '../shared/use-cases/ports.js';
import type { InitializeReapprovalEnvironment } from './environment.js';

/** Everything a run needs but its business time, which each event sets; and where runs are recorded. */
export type InitializeReapprovalDependencies = InitializeReapprovalDeps & JobDependencies;

/** The deployed wiring; `overrides` replace dependencies (tests pass their ports). */
export function buildInitializeReapprovalDependencies(
  env: InitializeReapprovalEnvironment,
  log: Log,
  overrides: Partial<InitializeReapprovalDependencies> = {},
): InitializeReapprovalDependencies {
  const doc = createDocumentClient({});
  return {
    directory: new DynamoDirectoryStore({ doc, tableName: env.directoryTable }),
    operations: new DynamoOperationsStore({ doc, tableName: env.operationsTable }),
    wallClock: systemClock,
    // Out of time, the run continues in an asynchronous invocation of this function (the local runtime overrides it with undefined: it loops).
    continuation: new LambdaSelfInvocation(new LambdaClient({ requestHandler: REQUEST_HANDLER })),
    log,
    ...overrides,
  };
}
