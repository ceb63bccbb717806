// meterReadCapacity on a real client whose HTTP layer is a stub that answers with consumed
// capacity: the middleware must ask for it on reads, add it up (one object or a list), and leave
// writes alone.
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { meterReadCapacity } from '../../../scripts/support/read-capacity.js';

const ANSWERS: Record<string, unknown> = {
  GetItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 } },
  Query: { Items: [], Count: 0, ConsumedCapacity: { TableName: 't', CapacityUnits: 2.5 } },
  Scan: { Items: [], Count: 0, ConsumedCapacity: { TableName: 't', CapacityUnits: 40 } },
  BatchGetItem: { Responses: {}, UnprocessedKeys: {}, ConsumedCapacity: [{ TableName: 't', CapacityUnits: 1 }, { TableName: 'u', CapacityUnits: 1.5 }] },
  PutItem: { ConsumedCapacity: { TableName: 't', CapacityUnits: 7 } },
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

describe('meterReadCapacity', () => {
  it('asks every read for its consumed capacity and sums it, by command; writes are not counted', async () => {
    const { doc, bodies } = stubbedClient();
    const meter = meterReadCapacity(doc);
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'a', SK: 'b' } }));
    await doc.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': 'a' } }));
    await doc.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ PK: 'a', SK: 'b' }] } } }));
    await doc.send(new ScanCommand({ TableName: 't' }));
    await doc.send(new PutCommand({ TableName: 't', Item: { PK: 'a', SK: 'b' }, ReturnConsumedCapacity: 'TOTAL' }));

    expect(meter.units).toBe(0.5 + 2.5 + 2.5 + 40);
    expect(meter.requests).toEqual({ GetItem: 1, Query: 1, BatchGetItem: 1, Scan: 1 });
    expect(bodies.filter((b) => b.operation !== 'PutItem').map((b) => b.body.ReturnConsumedCapacity)).toEqual(['TOTAL', 'TOTAL', 'TOTAL', 'TOTAL']);
  });

  it("charges an empty read DynamoDB's minimum: half a unit, a whole one when strongly consistent", async () => {
    const { doc } = stubbedClient();
    const meter = meterReadCapacity(doc);
    ANSWERS.Query = { Items: [], Count: 0, ConsumedCapacity: { TableName: 't', CapacityUnits: 0 } };
    try {
      const query = { TableName: 't', KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': 'a' } };
      await doc.send(new QueryCommand(query));
      expect(meter.units).toBe(0.5);
      await doc.send(new QueryCommand({ ...query, ConsistentRead: true }));
      expect(meter.units).toBe(1.5);
    } finally {
      ANSWERS.Query = { Items: [], Count: 0, ConsumedCapacity: { TableName: 't', CapacityUnits: 2.5 } };
    }
  });

  it('starts again from zero on reset and stops measuring on stop', async () => {
    const { doc, bodies } = stubbedClient();
    const meter = meterReadCapacity(doc);
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'a', SK: 'b' } }));
    meter.reset();
    expect(meter.units).toBe(0);
    await doc.send(new ScanCommand({ TableName: 't' }));
    expect(meter.units).toBe(40);
    meter.stop();
    await doc.send(new GetCommand({ TableName: 't', Key: { PK: 'a', SK: 'b' } }));
    expect(meter.units).toBe(40);
    expect(bodies.at(-1)!.body.ReturnConsumedCapacity).toBeUndefined();
  });
});
