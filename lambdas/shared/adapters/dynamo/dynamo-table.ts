// What every store over one table holds and does alike: the client, the table, batch tuning, the
// query page size, a consistent read of one record, and a write over the version before it.
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import { batchWrite, isConditionFailure, isStoredAsWritten, queryAll, type BatchRetryOptions, type DynamoRecord } from './document-client.js';
import { APPROVER_PREFIX, toEntity } from './records.js';

export interface DynamoStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Batch retry tuning (tests make backoff instant). */
  batch?: BatchRetryOptions;
  /** Query Limit: small pages let tests cross page boundaries; DynamoDB's 1 MB pages otherwise. */
  pageSize?: number;
}

export abstract class DynamoTable {
  protected readonly doc: DynamoDBDocumentClient;
  protected readonly tableName: string;
  protected readonly batch: BatchRetryOptions;
  protected readonly limit: { Limit?: number };

  constructor(options: DynamoStoreOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.batch = options.batch ?? {};
    this.limit = options.pageSize ? { Limit: options.pageSize } : {};
  }

  protected async get<T>(key: DynamoRecord): Promise<T | undefined> {
    const item = await this.readStored(key);
    return item ? toEntity<T>(item) : undefined;
  }

  /** The stored record as it is (storage attributes included), read consistently. */
  protected async readStored(key: DynamoRecord): Promise<DynamoRecord | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return output.Item;
  }

  /**
   * The caller already incremented the version: the stored one must be the one before. A failed
   * condition is a conflict unless the stored record is this very one (the SDK retried a put whose
   * answer was lost after it was applied).
   */
  protected async putVersioned(record: DynamoRecord, version: number, what: string): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': version - 1 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (isStoredAsWritten(await this.readStored({ PK: record.PK, SK: record.SK }), record)) return;
      throw new ConflictError(`${what} is not at version ${version - 1} any more (or is gone)`);
    }
  }

  /**
   * A versioned record whose 2nd.. approvers are pointer records under its partition (entries,
   * approval runs): new pointers first, the record (version-checked), then the stale pointers
   * removed, each only if an older version wrote it (`versionAttribute` on the pointer). A crash in
   * between leaves only extra pointers, which the task listings check against the record.
   */
  protected async saveWithPointers(record: DynamoRecord, version: number, what: string, pointers: DynamoRecord[], versionAttribute: string): Promise<void> {
    if (pointers.length > 0) await batchWrite(this.doc, this.tableName, pointers.map((Item) => ({ PutRequest: { Item } })), this.batch);
    await this.putVersioned(record, version, what);

    const wanted = new Set(pointers.map((p) => p.SK));
    const existing = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': record.PK, ':prefix': APPROVER_PREFIX },
      ProjectionExpression: 'PK, SK',
      ConsistentRead: true,
    });
    for (const stale of existing.filter((r) => !wanted.has(r.SK as string))) {
      await this.doc
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { PK: stale.PK, SK: stale.SK },
            ConditionExpression: 'attribute_not_exists(#pointerVersion) OR #pointerVersion < :version',
            ExpressionAttributeNames: { '#pointerVersion': versionAttribute },
            ExpressionAttributeValues: { ':version': version },
          }),
        )
        .catch(ignoreConditionFailure);
    }
  }
}

/** For writes whose condition failing means "already done" or "not ours to change". */
export function ignoreConditionFailure(error: unknown): void {
  if (!isConditionFailure(error)) throw error;
}
