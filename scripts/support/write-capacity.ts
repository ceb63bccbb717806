// Sums the write capacity DynamoDB reports for the write requests a client makes: used by the audit
// log benchmark. Not product code, so it lives outside lambdas/.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { meterCommands } from './capacity-meter.js';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

export interface WriteCapacity {
  /** Capacity units consumed by every write request since the meter started (table level, as reported). */
  readonly units: number;
  /** Write requests by command name (`PutItem`, `BatchWriteItem`, ...). */
  readonly requests: Readonly<Record<string, number>>;
  reset(): void;
  stop(): void;
}

/**
 * Asks DynamoDB for the consumed capacity of every write request (ReturnConsumedCapacity TOTAL)
 * and adds it up: one unit per started kilobyte of the larger of the item before and after, at
 * least one per item written. What DynamoDB charges besides, for the table's indexes, is not in
 * it (the embedded engine reports table capacity only).
 */
export function meterWriteCapacity(client: DynamoDBClient | DynamoDBDocumentClient): WriteCapacity {
  let units = 0;
  const meter = meterCommands(client, 'Write', WRITE_COMMANDS, (_input, _output, reported) => {
    units += reported;
  });
  return {
    get units() {
      return units;
    },
    get requests() {
      return meter.requests;
    },
    reset() {
      units = 0;
      meter.resetRequests();
    },
    stop: () => meter.stop(),
  };
}
