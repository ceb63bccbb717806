// What every store over one table holds and does alike: the client, the table, batch tuning, the
// query page size, a consistent read of one record, and a write over the version before it.
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import { isConditionFailure, type BatchRetryOptions, type DynamoRecord } from './document-client.js';
import { toEntity } from './records.js';

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
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return output.Item ? toEntity<T>(output.Item) : undefined;
  }

  /** The caller already incremented the version: the stored one must be the one before. */
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
      if (isConditionFailure(error)) throw new ConflictError(`${what} is not at version ${version - 1} any more (or is gone)`);
      throw error;
    }
  }
}
