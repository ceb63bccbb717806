// The write capacity DynamoDB charges for a table's secondary indexes, which the embedded engine does
// not report: each write request's item is read before and after it (on a client of its own, not
// metered), and every index of the table (lambdas/shared/config/tables.ts) is charged by DynamoDB's
// rules: one write to put an item into an index or to update its projection, one to delete it, two
// when its index key changes; each write one unit per started kilobyte of the index entry (the whole
// item for the ALL projection of the global indexes, the keys for the KEYS_ONLY local ones).
// Not product code, so it lives outside lambdas/.
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ITEM_PREFIX } from '../../lambdas/shared/adapters/dynamo/records.js';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, OPERATIONS_TABLE, type TableDefinition } from '../../lambdas/shared/config/tables.js';

type Item = Record<string, AttributeValue>;
interface WriteTarget {
  table: string;
  key: Item;
}

export interface IndexWrites {
  /** Index write units since the meter started, all tables. */
  readonly units: number;
  /** The same units by the record's `entity` (or its table's name when it has none). */
  readonly byEntity: Readonly<Record<string, number>>;
  /**
   * The table's own write units by record, by DynamoDB's rule (a unit per started kilobyte of the
   * larger of the item before and after, at least one): a breakdown for the reader, the total the
   * engine reports stays the figure.
   */
  readonly tableByEntity: Readonly<Record<string, number>>;
  reset(): void;
  stop(): void;
}

let instrumentations = 0;

/**
 * Meters the index writes of every write request `client` sends to a table of `tableNames`
 * (definitionsByName), reading items through a client of its own at `endpoint`.
 */
export function meterIndexWrites(client: DynamoDBClient | DynamoDBDocumentClient, endpoint: string | undefined, tableNames: Record<string, TableDefinition>): IndexWrites {
  const reader = new DynamoDBClient({ ...(endpoint ? { endpoint } : {}) });
  const name = `idgovIndexWrites${++instrumentations}`;
  let units = 0;
  let byEntity: Record<string, number> = {};
  let tableByEntity: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const targets = writeTargets(context.commandName ?? '', args.input as Record<string, unknown>, tableNames);
      if (targets.length === 0) return next(args);
      const before = await readAll(reader, targets);
      const result = await next(args);
      const unprocessed = unprocessedKeys(result.output as Record<string, unknown>);
      const after = await readAll(reader, targets);
      targets.forEach((target, i) => {
        if (unprocessed.has(keyId(target))) return;
        const entity = (after[i] ?? before[i])?.entity?.S ?? (target.key.SK?.S?.startsWith(ITEM_PREFIX) ? 'item' : target.table);
        tableByEntity[entity] = (tableByEntity[entity] ?? 0) + Math.max(kilobytesOrOne(before[i]), kilobytesOrOne(after[i]));
        const charged = indexUnits(tableNames[target.table]!, before[i], after[i]);
        if (charged === 0) return;
        units += charged;
        byEntity[entity] = (byEntity[entity] ?? 0) + charged;
      });
      return result;
    },
    // At the build step the document client has marshalled the input: keys are AttributeValues.
    { step: 'build', name },
  );
  return {
    get units() {
      return units;
    },
    get byEntity() {
      return byEntity;
    },
    get tableByEntity() {
      return tableByEntity;
    },
    reset() {
      units = 0;
      byEntity = {};
      tableByEntity = {};
    },
    stop() {
      client.middlewareStack.remove(name);
      reader.destroy();
    },
  };
}

/** The local runtime's tables by name (`runtime.tables`: `{ campaign: 'idgov-campaigns', ... }`) to their definitions. */
export function definitionsByName(names: { directory: string; campaign: string; operations: string; audit: string }): Record<string, TableDefinition> {
  return {
    [names.directory]: DIRECTORY_TABLE,
    [names.campaign]: CAMPAIGN_TABLE,
    [names.operations]: OPERATIONS_TABLE,
    [names.audit]: AUDIT_TABLE,
  };
}

function writeTargets(commandName: string, input: Record<string, unknown>, tables: Record<string, TableDefinition>): WriteTarget[] {
  const table = input.TableName as string | undefined;
  const keyOf = (t: string, item: Item): Item => {
    const d = tables[t]!;
    return { [d.partitionKey]: item[d.partitionKey]!, [d.sortKey]: item[d.sortKey]! };
  };
  switch (commandName) {
    case 'PutItemCommand':
      return table && tables[table] ? [{ table, key: keyOf(table, input.Item as Item) }] : [];
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return table && tables[table] ? [{ table, key: input.Key as Item }] : [];
    case 'BatchWriteItemCommand': {
      const requests = input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>;
      return Object.entries(requests).flatMap(([t, list]) =>
        tables[t] ? list.map((r) => ({ table: t, key: r.PutRequest ? keyOf(t, r.PutRequest.Item) : r.DeleteRequest!.Key })) : [],
      );
    }
    default:
      return [];
  }
}

/** The targets' items as stored now (absent: undefined), in order: one GetItem, or BatchGetItem for a batch. */
async function readAll(reader: DynamoDBClient, targets: WriteTarget[]): Promise<(Item | undefined)[]> {
  if (targets.length === 1) {
    const output = await reader.send(new GetItemCommand({ TableName: targets[0]!.table, Key: targets[0]!.key, ConsistentRead: true }));
    return [output.Item];
  }
  const found = new Map<string, Item>();
  let pending: Record<string, { Keys: Item[]; ConsistentRead: boolean }> = {};
  for (const t of targets) (pending[t.table] ??= { Keys: [], ConsistentRead: true }).Keys.push(t.key);
  while (Object.keys(pending).length > 0) {
    const output = await reader.send(new BatchGetItemCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(output.Responses ?? {})) {
      for (const item of items) found.set(keyId({ table, key: { PK: item.PK!, SK: item.SK! } }), item);
    }
    pending = (output.UnprocessedKeys ?? {}) as typeof pending;
  }
  return targets.map((t) => found.get(keyId(t)));
}

const keyId = (t: WriteTarget) => `${t.table}\u0000${JSON.stringify(Object.entries(t.key).sort(([a], [b]) => a.localeCompare(b)))}`;

function unprocessedKeys(output: Record<string, unknown>): Set<string> {
  const unprocessed = (output.UnprocessedItems ?? {}) as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>;
  const keys = new Set<string>();
  for (const [table, list] of Object.entries(unprocessed)) {
    for (const r of list) {
      const item = r.PutRequest?.Item ?? r.DeleteRequest!.Key;
      keys.add(keyId({ table, key: { PK: item.PK!, SK: item.SK! } }));
    }
  }
  return keys;
}

/** DynamoDB's index write units for one item going from `before` to `after` (either may be absent). */
export function indexUnits(table: TableDefinition, before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  const global = table.indexes.map((i) => ({ keys: [i.partitionKey, i.sortKey], entry: (item: Item) => item }));
  const local = (table.localIndexes ?? []).map((i) => ({
    keys: [table.partitionKey, i.sortKey],
    entry: (item: Item) => pick(item, [table.partitionKey, table.sortKey, i.sortKey]),
  }));
  for (const index of [...global, ...local]) {
    const was = before && index.keys.every((k) => before[k] !== undefined) ? index.entry(before) : undefined;
    const is = after && index.keys.every((k) => after[k] !== undefined) ? index.entry(after) : undefined;
    if (!was && !is) continue;
    if (!was) units += kilobytes(is!);
    else if (!is) units += kilobytes(was);
    else if (index.keys.some((k) => !sameValue(was[k], is[k]))) units += kilobytes(was) + kilobytes(is);
    else if (!sameValue({ M: was }, { M: is })) units += Math.max(kilobytes(was), kilobytes(is));
  }
  return units;
}

const pick = (item: Item, names: string[]): Item => Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]!]));
const kilobytesOrOne = (item: Item | undefined) => (item ? kilobytes(item) : 1);
const kilobytes = (item: Item) => Math.max(1, Math.ceil(itemSize(item) / 1024));
const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined) => canonical(a) === canonical(b);
const canonical = (value: unknown): string =>
  value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)
    ? `{${Object.keys(value)
        .sort()
        .map((k) => `${k}:${canonical((value as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : Array.isArray(value)
      ? `[${value.map(canonical).join(',')}]`
      : JSON.stringify(value instanceof Uint8Array ? [...value] : value);

/** An item's size as DynamoDB counts it: attribute names and values, in bytes. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((s, v) => s + Buffer.byteLength(v), 0);
  if (value.NS) return value.NS.reduce((s, v) => s + valueSize({ N: v }), 0);
  if (value.BS) return value.BS.reduce((s, v) => s + v.length, 0);
  if (value.L) return 3 + value.L.reduce((s, v) => s + 1 + valueSize(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((s, [k, v]) => s + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  return 0;
}
