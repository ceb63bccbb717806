// meterWriteCapacity on a real client whose HTTP layer is a stub that answers with consumed
// capacity: the middleware must ask for it on writes, add it up (one object or a list), and leave
// reads alone.
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { meterWriteCapacity } from '../../../scripts/support/write-capacity.js';

const ANSWERS: Record<string, unknown> = {
  PutItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 3 } },
  UpdateItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } },
  DeleteItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 2 } },
  BatchWriteItem: { UnprocessedItems: {}, ConsumedCapacity: [{ TableName: 't', CapacityUnits: 25 }, { TableName: 'u', CapacityUnits: 4 }] },
  GetItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 } },
};

function stubbedClient() {
  const bodies: { operation: string; body: Record<string, unknown> }[] = [];
  const requestHandler = {
    handle: async (request: { headers: Record<string, string>; body: string }) => {
      const operation = request.headers['x-amz-target']!.split('.')[1]!;
      bodies.push({ operation, body: JSON.parse(request.body) as Record<string, unknown> });
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(ANSWERS[operation] ?? {}))]),
        },
      };
    },
  };
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler });
  return { doc: DynamoDBDocumentClient.from(client), bodies };
}

describe('meterWriteCapacity', () => {
  it('asks every write for its consumed capacity and sums it, by command; reads are not counted', async () => {
    const { doc, bodies } = stubbedClient();
    const meter = meterWriteCapacity(doc);
    await doc.send(new PutCommand({ TableName: 't', Item: { PK: 'a', SK: 'b' } }));
    await doc.send(new UpdateCommand({ TableName: 't', Key: { PK: 'a', SK: 'b' }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': 1 } }));
    await doc.send(new DeleteCommand({ TableName: 't', Key: { PK: 'a', SK: 'b' } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { t: [{ PutRequest: { Item: { PK: 'a', SK: 'c' } } }] } }));
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'a', SK: 'b' } }));

    expect(meter.units).toBe(3 + 1 + 2 + 25 + 4);
    expect(meter.requests).toEqual({ PutItem: 1, UpdateItem: 1, DeleteItem: 1, BatchWriteItem: 1 });
    expect(bodies.filter((b) => b.operation !== 'GetItem').map((b) => b.body.ReturnConsumedCapacity)).toEqual(['TOTAL', 'TOTAL', 'TOTAL', 'TOTAL']);
    expect(bodies.find((b) => b.operation === 'GetItem')!.body.ReturnConsumedCapacity).toBeUndefined();
  });

  it('starts again from zero when reset, and counts nothing once stopped', async () => {
    const { doc } = stubbedClient();
    const meter = meterWriteCapacity(doc);
    await doc.send(new PutCommand({ TableName: 't', Item: { PK: 'a', SK: 'b' } }));
    meter.reset();
    expect([meter.units, meter.requests]).toEqual([0, {}]);
    meter.stop();
    await doc.send(new PutCommand({ TableName: 't', Item: { PK: 'a', SK: 'b' } }));
    expect(meter.units).toBe(0);
  });
});
