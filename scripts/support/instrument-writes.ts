// Counts (and can interrupt) the DynamoDB write requests a client makes: used by the prepare
// benchmark to count write requests and by its test. Not product code, so it lives outside lambdas/.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
let instrumentations = 0;

/**
 * Calls `onWrite('PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem')` after each write
 * request that succeeded (SDK retries of one request count once). The middleware sits on the
 * low-level client's stack, which a DocumentClient shares. If `onWrite` throws, that write's caller
 * gets the error and every later write through this client fails with it before being sent, as if
 * the process had died there (writes already in flight still land). Returns an uninstaller.
 */
export function instrumentWrites(
  client: DynamoDBClient | DynamoDBDocumentClient,
  onWrite: (commandName: string) => void,
): () => void {
  const name = `idgovInstrumentWrites${++instrumentations}`;
  let failure: { error: unknown } | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      if (!WRITE_COMMANDS.has(commandName)) return next(args);
      if (failure) throw failure.error;
      const result = await next(args);
      try {
        onWrite(commandName.replace(/Command$/, ''));
      } catch (error) {
        failure ??= { error };
        throw error;
      }
      return result;
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}
