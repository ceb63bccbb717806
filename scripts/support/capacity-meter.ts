// What the read and write capacity meters share: middleware on a client's stack that asks DynamoDB
// for the consumed capacity of some commands (ReturnConsumedCapacity TOTAL), counts those requests by
// name, and hands each answer to the meter. The low-level client's stack is shared by a DocumentClient,
// so every store over that client is measured. Not product code, so it lives outside lambdas/.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let instrumentations = 0;

type Consumed = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

export interface CommandMeter {
  /** Metered requests by command name (`Query`, `PutItem`, ...). */
  readonly requests: Readonly<Record<string, number>>;
  resetRequests(): void;
  stop(): void;
}

export function meterCommands(
  client: DynamoDBClient | DynamoDBDocumentClient,
  kind: string,
  commands: ReadonlySet<string>,
  measure: (input: Record<string, unknown>, output: Record<string, unknown>, reportedUnits: number) => void,
): CommandMeter {
  const name = `idgov${kind}Capacity${++instrumentations}`;
  let requests: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      if (!commands.has(commandName)) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as Record<string, unknown>;
      const consumed = output.ConsumedCapacity as Consumed;
      let reported = 0;
      for (const part of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) reported += part.CapacityUnits ?? 0;
      measure(input, output, reported);
      const short = commandName.replace(/Command$/, '');
      requests[short] = (requests[short] ?? 0) + 1;
      return result;
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return {
    get requests() {
      return requests;
    },
    resetRequests() {
      requests = {};
    },
    stop() {
      client.middlewareStack.remove(name);
    },
  };
}
