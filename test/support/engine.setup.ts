// vitest globalSetup: for the files on DynamoDB Local (IDGOV_TEST_ENGINE=dynamodb-local, or the project
// dynamodb-local of `npm test`), one DynamoDB Local for the whole run, which every file's useEngine()
// shares (inject('dynamodbLocalEndpoint')): each file still gets tables of its own (names with a
// random prefix), and the run starts Java once instead of once per file (a cold JVM costs ~3 s of
// CPU to start and runs slower until its JIT has warmed up). The suites that start an engine of
// their own (the CLI workspace, local-engine) still do. IDGOV_TEST_SHARED_ENGINE=0 gives every file
// a DynamoDB Local of its own again.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../src/local/engine.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared DynamoDB Local, for the files on DynamoDB Local only. */
    dynamodbLocalEndpoint?: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // The project's own environment (the dynamodb-local project sets it), else the run's.
  const kind = project.config.env?.IDGOV_TEST_ENGINE ?? process.env.IDGOV_TEST_ENGINE;
  if (kind !== 'dynamodb-local' || process.env.IDGOV_TEST_SHARED_ENGINE === '0') return undefined;
  const engine = await startDynamoDbLocal();
  project.provide('dynamodbLocalEndpoint', engine.endpoint);
  return () => engine.stop();
}
