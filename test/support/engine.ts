// The DynamoDB engine integration tests run on: dynalite by default, AWS's DynamoDB Local with
// IDGOV_TEST_ENGINE=dynamodb-local. One engine per test file (on DynamoDB Local, the run's one
// engine that test/support/engine.setup.ts starts); tables are fresh per call, with names of the
// file's own, so tests neither see nor disturb each other's records.
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDocumentClient } from '../../lambdas/shared/adapters/dynamo/document-client.js';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  createTables,
  startDynamoDbLocal,
  startEmbeddedEngine,
  type CreatedTables,
  type LocalEngine,
} from '../../src/local/engine.js';

export type EngineKind = 'dynalite' | 'dynamodb-local';

export interface TestEngine {
  readonly kind: EngineKind;
  /** Available inside tests and hooks (after the file's beforeAll). */
  readonly endpoint: string;
  /** A document client of the engine, shared by the file. */
  readonly doc: DynamoDBDocumentClient;
  /** A new set of tables with unique names and a new client of its own (free to instrument). */
  freshTables(): Promise<{ doc: DynamoDBDocumentClient; names: CreatedTables }>;
}

export function testEngineKind(): EngineKind {
  const kind = process.env.IDGOV_TEST_ENGINE ?? 'dynalite';
  if (kind !== 'dynalite' && kind !== 'dynamodb-local') {
    throw new Error(`IDGOV_TEST_ENGINE must be "dynalite" or "dynamodb-local", got "${kind}"`);
  }
  return kind;
}

/** A client of a local engine; the fake region and credentials are set here, not read from the environment. */
export const localDocumentClient = (endpoint: string) =>
  createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

/** The run's DynamoDB Local (test/support/engine.setup.ts), which the files share: stopped by the run, not by a file. */
function sharedDynamoDbLocal(): LocalEngine | undefined {
  const endpoint = inject('dynamodbLocalEndpoint');
  return endpoint ? { endpoint, stop: async () => {} } : undefined;
}

export function useEngine(): TestEngine {
  const kind = testEngineKind();
  let engine: LocalEngine | undefined;
  let shared: DynamoDBDocumentClient | undefined;
  const clients: DynamoDBDocumentClient[] = [];
  const prefix = `t${randomBytes(4).toString('hex')}`;
  let tables = 0;

  beforeAll(async () => {
    engine = kind === 'dynamodb-local' ? sharedDynamoDbLocal() ?? (await startDynamoDbLocal()) : await startEmbeddedEngine();
    shared = localDocumentClient(engine.endpoint);
    clients.push(shared);
  }, 120_000);

  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await engine?.stop();
  });

  const started = () => {
    if (!engine || !shared) throw new Error('useEngine(): the engine starts in beforeAll; use it inside tests or hooks');
    return { engine, shared };
  };

  return {
    kind,
    get endpoint() {
      return started().engine.endpoint;
    },
    get doc() {
      return started().shared;
    },
    async freshTables() {
      const { engine: running } = started();
      const n = ++tables;
      const doc = localDocumentClient(running.endpoint);
      clients.push(doc);
      const names = await createTables(doc, {
        directory: `${prefix}-${n}-directory`,
        campaign: `${prefix}-${n}-campaign`,
        operations: `${prefix}-${n}-operations`,
        audit: `${prefix}-${n}-audit`,
      });
      return { doc, names };
    },
  };
}
