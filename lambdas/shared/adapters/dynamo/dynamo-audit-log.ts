// The audit log in its own table (docs/reference/audit-log.md): one partition per chain, one item
// per record under its 12-digit sequence number, written once with PutItem and never updated or
// deleted (the functions' IAM allows nothing else). The local index ByEventKey makes the
// once-per-eventKey check a strongly consistent key lookup.
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_TABLE } from '../../config/tables.js';
import { checkAuditAppend, checkSeqRange, UnreadableAuditRecordError } from '../../domain/audit/append-rules.js';
import { canonicalJson, sealRecord } from '../../domain/audit/chain.js';
import type { AuditAppend, AuditChainId, AuditEvent, AuditRecord } from '../../domain/audit/model.js';
import { ConflictError } from '../../domain/errors.js';
import type { AuditLog, Pages } from '../../use-cases/ports.js';
import { isConditionFailure, queryPages, type DynamoRecord } from './document-client.js';
import { DynamoTable } from './dynamo-table.js';

export const auditChainPk = (chainId: string) => `CHAIN#${chainId}`;
/** 12 digits: string order is number order up to a trillion records a chain. */
export const auditSeqSk = (seq: number) => String(seq).padStart(12, '0');
const BY_EVENT_KEY = AUDIT_TABLE.localIndexes![0]!.indexName;

/**
 * The item of a record: its fields as attributes, and its events as their canonical JSON (a string),
 * so that the stored bytes are the hashed bytes (a DynamoDB map would renumber, reorder or drop
 * what canonical JSON keeps).
 */
export function auditItem(record: AuditRecord): DynamoRecord {
  return {
    PK: auditChainPk(record.chainId),
    SK: auditSeqSk(record.seq),
    chainId: record.chainId,
    seq: record.seq,
    eventKey: record.eventKey,
    at: record.at,
    ...(record.campaignId !== undefined ? { campaignId: record.campaignId } : {}),
    events: canonicalJson(record.events),
    prevHash: record.prevHash,
    hash: record.hash,
  };
}

export function auditRecordOf(item: DynamoRecord): AuditRecord {
  const chainId = String(item.chainId ?? String(item.PK ?? '').replace(/^CHAIN#/, ''));
  const seq = typeof item.seq === 'number' ? item.seq : Number(item.SK);
  const bad = (detail: string) => new UnreadableAuditRecordError(chainId, Number.isFinite(seq) ? seq : undefined, detail);
  for (const name of ['chainId', 'eventKey', 'at', 'events', 'prevHash', 'hash'] as const) {
    if (typeof item[name] !== 'string') throw bad(`${name} is not a string`);
  }
  if (typeof item.seq !== 'number') throw bad('seq is not a number');
  if (item.campaignId !== undefined && typeof item.campaignId !== 'string') throw bad('campaignId is not a string');
  let events: AuditEvent[];
  try {
    events = JSON.parse(item.events as string) as AuditEvent[];
  } catch {
    throw bad('events is not JSON');
  }
  return {
    chainId: item.chainId as AuditChainId,
    eventKey: item.eventKey as string,
    at: item.at as string,
    ...(item.campaignId !== undefined ? { campaignId: item.campaignId as string } : {}),
    events,
    seq: item.seq,
    prevHash: item.prevHash as string,
    hash: item.hash as string,
  };
}

export interface DynamoAuditLogOptions {
  /** Query Limit of listRecords: small pages let tests cross page boundaries; DynamoDB's 1 MB pages otherwise. */
  pageSize?: number;
  /** Appends tried, the first included, while other writers take the next number first. @default 25 */
  maxAttempts?: number;
  /** Waits between attempts (jittered); injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DynamoAuditLog extends DynamoTable implements AuditLog {
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: DynamoAuditLogOptions = {}) {
    super({ doc: client, tableName, pageSize: options.pageSize });
    this.maxAttempts = options.maxAttempts ?? 25;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * (1) The chain's head, read consistently; (2) the record of `eventKey`, looked up consistently
   * in ByEventKey: if there, it is returned and nothing is written; (3) PutItem of seq head+1 on
   * condition that no item has its key. A writer that lost that number to another starts again
   * from (1). The head is read before the key is looked up so that two writers of one eventKey can
   * never both write it: a record written after the look-up takes a number after the head read, the
   * one this writer's put then conflicts with (directly, or through the records in between).
   */
  async append(draft: AuditAppend): Promise<AuditRecord> {
    const checked = checkAuditAppend(draft);
    const pk = auditChainPk(checked.chainId);
    for (let attempt = 1; ; attempt++) {
      const head = await this.tip(checked.chainId);
      const existing = await this.recordOfEventKey(pk, checked.eventKey);
      if (existing) return existing;
      const record = sealRecord(checked, head);
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: auditItem(record),
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return record;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      if (attempt >= this.maxAttempts) {
        throw new ConflictError(
          `audit log ${checked.chainId}: could not append ${checked.eventKey} in ${attempt} attempts (other writers kept taking the next sequence number)`,
        );
      }
      // Writers that collided spread out instead of colliding again in step.
      await this.sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
  }

  async *listRecords(chainId: AuditChainId, options: { fromSeq?: number; toSeq?: number } = {}): Pages<AuditRecord> {
    const { fromSeq, toSeq } = checkSeqRange(options);
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': auditChainPk(chainId), ':from': auditSeqSk(fromSeq), ':to': auditSeqSk(toSeq ?? 999_999_999_999) },
      ConsistentRead: true,
    });
    for await (const page of pages) {
      if (page.length > 0) yield page.map(auditRecordOf);
    }
  }

  async head(chainId: AuditChainId): Promise<AuditRecord | undefined> {
    const item = await this.lastRecord(chainId);
    return item ? auditRecordOf(item) : undefined;
  }

  /**
   * What sealing the next record needs of the last one: its number and hash, not its events (a
   * preparation chunk's record holds every item id, so reading it whole on each append doubled the
   * bytes a chunk moves).
   */
  private async tip(chainId: AuditChainId): Promise<Pick<AuditRecord, 'seq' | 'hash'> | undefined> {
    const item = await this.lastRecord(chainId, { ProjectionExpression: 'seq, #hash', ExpressionAttributeNames: { '#hash': 'hash' } });
    if (!item) return undefined;
    if (typeof item.seq !== 'number' || typeof item.hash !== 'string') {
      throw new UnreadableAuditRecordError(chainId, typeof item.seq === 'number' ? item.seq : undefined, 'seq is not a number or hash is not a string');
    }
    return { seq: item.seq, hash: item.hash };
  }

  /** The chain's last record as stored (consistent), or the attributes `projection` names of it. */
  private async lastRecord(chainId: AuditChainId, projection: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } = {}) {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': auditChainPk(chainId) },
        ...projection,
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Items?.[0];
  }

  /** The record written for `eventKey` in the chain (KEYS_ONLY index, then the item), or undefined. */
  private async recordOfEventKey(pk: string, eventKey: string): Promise<AuditRecord | undefined> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_EVENT_KEY,
        KeyConditionExpression: 'PK = :pk AND eventKey = :eventKey',
        ExpressionAttributeValues: { ':pk': pk, ':eventKey': eventKey },
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const found = Items?.[0];
    if (!found) return undefined;
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: found.PK, SK: found.SK }, ConsistentRead: true }),
    );
    // The index answers with what the table holds (strongly consistent): the item is there.
    if (!Item) throw new Error(`audit log: ${pk} ${String(found.SK)} is in ${BY_EVENT_KEY} but not in the table`);
    return auditRecordOf(Item);
  }
}
