// The audit log on a DynamoDB client of its own: a benchmark meters the campaign tables' client and
// the audit log's apart (each client carries its own instrumentation). Not product code.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoAuditLog } from '../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { AUDIT_TABLE } from '../../lambdas/shared/config/tables.js';
import type { AuditLog } from '../../lambdas/shared/use-cases/ports.js';
import type { Runtime } from '../../src/local/runtime.js';

export function separateAuditLog(runtime: Pick<Runtime, 'dynamoEndpoint'>): { audit: AuditLog; doc: DynamoDBDocumentClient } {
  const doc = createDocumentClient({ endpoint: runtime.dynamoEndpoint });
  return { audit: new DynamoAuditLog(doc, AUDIT_TABLE.localName), doc };
}
