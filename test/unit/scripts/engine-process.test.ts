// The benchmark's out-of-process engine: it must serve the DynamoDB API from a process other than
// this one (so the benchmark's heap is the controller's alone) and end when asked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngineProcess } from '../../../scripts/support/engine-process.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startEngineProcess', () => {
  const folder = mkdtempSync(join(tmpdir(), 'idgov-engine-process-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('serves the DynamoDB API from a child process with its tables in the folder, and stops with it', async () => {
    const engine = await startEngineProcess({ path: join(folder, 'db') });
    const client = new DynamoDBClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      expect(engine.pid).not.toBe(process.pid);
      expect(alive(engine.pid)).toBe(true);
      await client.send(
        new CreateTableCommand({
          TableName: 'probe',
          AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['probe']);
      expect(engine.peakRssMb()).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await engine.stop();
    }
    expect(alive(engine.pid)).toBe(false);
  }, 60_000);
});
