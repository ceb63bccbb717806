// Sums the write capacity DynamoDB reports for the write requests a client makes: used by the audit
// log benchmark. Not product code, so it lives outside lambdas/.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
let instrumentations = 0;

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
 * it (the embedded engine reports table capacity only). The middleware sits on the low-level
 * client's stack, which a DocumentClient shares.
 */
export function meterWriteCapacity(client: DynamoDBClient | DynamoDBDocumentClient): WriteCapacity {
  const name = `idgovWriteCapacity${++instrumentations}`;
  let units = 0;
  let requests: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      if (!WRITE_COMMANDS.has(commandName)) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      for (const part of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) units += part.CapacityUnits ?? 0;
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
    get requests() {
      return requests;
    },
    reset() {
      units = 0;
      requests = {};
    },
    stop() {
      client.middlewareStack.remove(name);
    },
  };
}
