// Sums the read capacity DynamoDB reports for the read requests a client makes: used by the daily
// report benchmark. Not product code, so it lives outside lambdas/.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { meterCommands } from './capacity-meter.js';

const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

export interface ReadCapacity {
  /** Capacity units consumed by every read request since the meter started. */
  readonly units: number;
  /** Items read: what each Query or Scan examined (ScannedCount), each GetItem found, each BatchGetItem returned. */
  readonly items: number;
  /** Read requests by command name (`Query`, `Scan`, ...). */
  readonly requests: Readonly<Record<string, number>>;
  reset(): void;
  stop(): void;
}

/**
 * Asks DynamoDB for the consumed capacity of every read request (ReturnConsumedCapacity TOTAL)
 * and adds it up, with DynamoDB's minimum charge per request.
 */
export function meterReadCapacity(client: DynamoDBClient | DynamoDBDocumentClient): ReadCapacity {
  let units = 0;
  let items = 0;
  const meter = meterCommands(client, 'Read', READ_COMMANDS, (input, output, reported) => {
    // DynamoDB charges every read at least one 4 KB unit (half of one when eventually consistent),
    // even when nothing is found; the embedded engine reports 0 then.
    units += Math.max(reported, input.ConsistentRead ? 1 : 0.5);
    items += itemsIn(output as ReadOutput);
  });
  return {
    get units() {
      return units;
    },
    get items() {
      return items;
    },
    get requests() {
      return meter.requests;
    },
    reset() {
      units = 0;
      items = 0;
      meter.resetRequests();
    },
    stop: () => meter.stop(),
  };
}

interface ReadOutput {
  Item?: unknown;
  Count?: number;
  ScannedCount?: number;
  Responses?: Record<string, unknown[]>;
}

function itemsIn(output: ReadOutput): number {
  if (output.Responses) return Object.values(output.Responses).reduce((sum, found) => sum + found.length, 0);
  if (output.ScannedCount !== undefined || output.Count !== undefined) return output.ScannedCount ?? output.Count ?? 0;
  return output.Item ? 1 : 0;
}
