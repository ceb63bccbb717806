// instrumentWrites on a real client whose HTTP layer is a stub: the middleware must see the real
// command pipeline (a mocked `send` would bypass it).
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentWrites } from '../../../scripts/support/instrument-writes.js';

/** Answers every request with an empty JSON body and records the operation it was for. */
function stubbedClient() {
  const operations: string[] = [];
  const requestHandler = {
    handle: async (request: { headers: Record<string, string> }) => {
      operations.push(request.headers['x-amz-target']!.split('.')[1]!);
      const body = operations.at(-1) === 'BatchWriteItem' ? '{"UnprocessedItems":{}}' : '{}';
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
  };
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler,
  });
  return { doc: DynamoDBDocumentClient.from(client), client, operations };
}

const key = { PK: 'A', SK: 'B' };
const put = () => new PutCommand({ TableName: 't', Item: { ...key, n: 1 } });

describe('instrumentWrites', () => {
  let stub: ReturnType<typeof stubbedClient>;
  beforeEach(() => {
    stub = stubbedClient();
  });

  it('reports each successful write request by operation, and no read', async () => {
    const writes: string[] = [];
    instrumentWrites(stub.doc, (name) => writes.push(name));
    await stub.doc.send(put());
    await stub.doc.send(new UpdateCommand({ TableName: 't', Key: key, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } }));
    await stub.doc.send(new DeleteCommand({ TableName: 't', Key: key }));
    await stub.doc.send(new BatchWriteCommand({ RequestItems: { t: [{ PutRequest: { Item: key } }] } }));
    await stub.doc.send(new GetCommand({ TableName: 't', Key: key }));
    await stub.doc.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'A' } }));

    expect(writes).toEqual(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
    expect(stub.operations).toHaveLength(6);
  });

  it('counts writes made through the low-level client too (the stack is shared)', async () => {
    let count = 0;
    instrumentWrites(stub.client, () => count++);
    await stub.doc.send(put());
    expect(count).toBe(1);
  });

  it('a throwing hook fails that write and stops every later write before it is sent', async () => {
    let writes = 0;
    const uninstall = instrumentWrites(stub.doc, () => {
      writes += 1;
      if (writes === 2) throw new Error('killed after write 2');
    });
    await stub.doc.send(put());
    await expect(stub.doc.send(put())).rejects.toThrow('killed after write 2');
    await expect(stub.doc.send(new DeleteCommand({ TableName: 't', Key: key }))).rejects.toThrow('killed after write 2');
    // Reads still work: a test inspects the state the "dead" process left.
    await stub.doc.send(new GetCommand({ TableName: 't', Key: key }));
    expect(stub.operations).toEqual(['PutItem', 'PutItem', 'GetItem']);

    uninstall();
    await stub.doc.send(put());
    expect(stub.operations.at(-1)).toBe('PutItem');
    expect(writes).toBe(2);
  });

  it('a failed write is not reported', async () => {
    const writes: string[] = [];
    const failing = new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode: 400,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([
              Buffer.from('{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}'),
            ]),
          },
        }),
      },
    });
    const doc = DynamoDBDocumentClient.from(failing);
    instrumentWrites(doc, (name) => writes.push(name));
    await expect(doc.send(put())).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(writes).toEqual([]);
  });
});
