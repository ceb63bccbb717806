// Sums the read capacity DynamoDB reports for the read requests a client makes: used by the daily
// report benchmark. Not product code, so it lives outside lambdas/.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);
let instrumentations = 0;

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
 * and adds it up, with DynamoDB's minimum charge per request. The middleware sits on the low-level client's stack, which a DocumentClient
 * shares, so every store over that client is measured.
 */
export function meterReadCapacity(client: DynamoDBClient | DynamoDBDocumentClient): ReadCapacity {
  const name = `idgovReadCapacity${++instrumentations}`;
  let units = 0;
  let items = 0;
  let requests: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      if (!READ_COMMANDS.has(commandName)) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string; ConsistentRead?: boolean };
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      let reported = 0;
      for (const part of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) reported += part.CapacityUnits ?? 0;
      // DynamoDB charges every read at least one 4 KB unit (half of one when eventually consistent),
      // even when nothing is found; the embedded engine reports 0 then.
      units += Math.max(reported, input.ConsistentRead ? 1 : 0.5);
      items += itemsIn(result.output as ReadOutput);
      const short = commandName.replace(/Command$/, '');
      requests[short] = (requests[short] ?? 0) + 1;
      return result;
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return {
    get units() {
      return units;
    },
    get items() {
      return items;
    },
    get requests() {
      return requests;
    },
    reset() {
      units = 0;
      items = 0;
      requests = {};
    },
    stop() {
      client.middlewareStack.remove(name);
    },
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
