// Placeholder: the audit-store branch provides the DynamoDB audit log.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog } from '../../use-cases/ports.js';

export class DynamoAuditLog implements AuditLog {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  append(): never {
    throw new Error('not implemented');
  }

  listRecords(): never {
    throw new Error('not implemented');
  }

  head(): never {
    throw new Error('not implemented');
  }
}
