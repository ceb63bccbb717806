// CampaignStore on the campaign table (key design in config/tables.ts). Campaigns and entries are
// written under an optimistic version condition; bulk preparation goes through BatchWriteItem only.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { utcDaysBetween } from '../../domain/dates.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Campaign, CampaignState, Decision, Entry, Item, ItemWorkflow, Notification, Revocation } from '../../domain/model.js';
import type { CampaignStore, Lease, LeaseHolder, ListFrom, Pages, RecordRemoval } from '../../use-cases/ports.js';
import { mapLimit } from '../../use-cases/concurrency.js';
import {
  batchGet,
  batchWrite,
  deleteRequest,
  isConditionFailure,
  isStoredAsWritten,
  queryAll,
  queryPages,
  type DynamoRecord,
  type WriteRequest,
} from './document-client.js';
import { DynamoTable, ignoreConditionFailure } from './dynamo-table.js';
import {
  ENTRY_SK,
  approverPk,
  approverPointerRecords,
  closedDayPk,
  campaignKey,
  campaignOwnerPk,
  campaignRecord,
  campaignStatePk,
  entryKey,
  entryPk,
  entryRecord,
  isOpenTask,
  itemKey,
  itemRecord,
  isItemRecord,
  toItem,
  leaseKey,
  leaseRecord,
  notificationRecord,
  outboxKey,
  revocationCursorKey,
  revocationRecord,
  runPk,
  taskSortKey,
  toEntity,
  removalRequest,
  toLease,
  UNVERIFIED_GSI2PK,
} from './records.js';

const put = (Item: DynamoRecord): WriteRequest => ({ PutRequest: { Item } });

/** Entry partitions read at once by a cleanup chunk. */
const PARTITION_READS = 8;


export class DynamoCampaignStore extends DynamoTable implements CampaignStore {
  async createCampaign(campaign: Campaign): Promise<void> {
    const record = campaignRecord(campaign);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // This very record: the SDK retried a put that was applied but whose answer was lost.
      if (isStoredAsWritten(await this.readStored(campaignKey(campaign.id)), record)) return;
      throw new ConflictError(`campaign ${campaign.id} already exists`);
    }
  }

  getCampaign(id: string): Promise<Campaign | undefined> {
    return this.get<Campaign>(campaignKey(id));
  }

  async saveCampaign(campaign: Campaign): Promise<void> {
    await this.putVersioned(campaignRecord(campaign), campaign.version, `campaign ${campaign.id}`);
  }

  async *listCampaigns(state: CampaignState, dueBy?: string): Pages<Campaign> {
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: dueBy ? 'GSI1PK = :pk AND GSI1SK <= :due' : 'GSI1PK = :pk',
      // GSI1SK is `<nextActionAt>#<id>`: every id sorts below \uffff, so this keeps nextActionAt <= dueBy.
      ExpressionAttributeValues: { ':pk': campaignStatePk(state), ...(dueBy ? { ':due': `${dueBy}#\uffff` } : {}) },
    });
    for await (const page of pages) yield page.map((r) => toEntity<Campaign>(r));
  }

  async *listCampaignsByOwner(ownerId: string): Pages<Campaign> {
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': campaignOwnerPk(ownerId) },
      ScanIndexForward: false,
    });
    // An archived run has no GSI2 keys; the filter only guards against a record written otherwise.
    for await (const page of pages) yield page.filter((r) => r.entity === 'campaign' && !r.archived).map((r) => toEntity<Campaign>(r));
  }

  /**
   * One stream of full 25-record batches across entries, items, approver pointers and
   * notifications. Notifications already recorded are left as they are (a re-run must not turn a
   * SENT one back to PENDING): their keys are read first, since BatchWriteItem has no conditions.
   */
  async putEntriesWithItems(batch: { entry: Entry; items: Item[] }[], notifications: Notification[] = []): Promise<void> {
    // An entry record is written after its items, so one that exists is complete and may already
    // carry decisions: a re-run of the chunk leaves it alone.
    const present = await batchGet(this.doc, this.tableName, batch.map(({ entry }) => entryKey(entry.id)), {
      ...this.batch,
      consistentRead: true,
      attributes: ['PK', 'SK'],
    });
    const written = new Set(present.map((r) => String(r.PK)));
    const fresh = batch.filter(({ entry }) => !written.has(entryKey(entry.id).PK));
    const first: WriteRequest[] = [];
    for (const { entry, items } of fresh) {
      first.push(...approverPointerRecords(entry).map(put), ...items.map((item) => put(itemRecord({ ...item, entryId: entry.id }))));
    }
    if (notifications.length > 0) {
      const existing = await batchGet(
        this.doc,
        this.tableName,
        notifications.map((n) => outboxKey(n)),
        { ...this.batch, consistentRead: true, attributes: ['PK', 'SK'] },
      );
      // Recorded ones are skipped, and of a key repeated here the first counts (as with enqueue).
      const taken = new Set(existing.map((r) => `${r.PK}\n${r.SK}`));
      for (const n of notifications) {
        const { PK, SK } = outboxKey(n);
        if (taken.has(`${PK}\n${SK}`)) continue;
        taken.add(`${PK}\n${SK}`);
        first.push(put(notificationRecord(n)));
      }
    }
    // Both passes are packed into full batches; the entries' pass only starts once the first landed.
    await batchWrite(this.doc, this.tableName, first, this.batch);
    await batchWrite(this.doc, this.tableName, fresh.map(({ entry }) => put(entryRecord(entry))), this.batch);
  }

  async createEntry(entry: Entry, items: Item[]): Promise<boolean> {
    if (await this.getEntry(entry.id)) return false;
    const requests = [...approverPointerRecords(entry).map(put), ...items.map((item) => put(itemRecord({ ...item, entryId: entry.id })))];
    await batchWrite(this.doc, this.tableName, requests, this.batch);
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: entryRecord(entry), ConditionExpression: 'attribute_not_exists(PK)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  getEntry(entryId: string): Promise<Entry | undefined> {
    return this.get<Entry>(entryKey(entryId));
  }

  async getEntryWithItems(entryId: string): Promise<{ entry: Entry; items: Item[] } | undefined> {
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': entryPk(entryId) },
      ConsistentRead: true,
    });
    const entry = records.find((r) => r.SK === ENTRY_SK);
    if (!entry) return undefined;
    return { entry: toEntity<Entry>(entry), items: records.filter(isItemRecord).map(toItem) };
  }

  /**
   * `after`: an entry's index key is not derived from its id (stage and subject), so the entry is
   * read (one consistent read) for the ExclusiveStartKey: its table and GSI1 keys.
   */
  async *listEntries(runId: string, from: ListFrom = {}): Pages<Entry> {
    const start = from.after === undefined ? undefined : await this.entryListingKey(runId, from.after);
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': runPk(runId) },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for await (const page of pages) yield page.map((r) => toEntity<Entry>(r));
  }

  private async entryListingKey(runId: string, entryId: string): Promise<DynamoRecord> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: entryKey(entryId), ConsistentRead: true, ProjectionExpression: 'PK, SK, GSI1PK, GSI1SK' }),
    );
    const record = output.Item;
    if (!record || record.GSI1PK !== runPk(runId)) throw new NotFoundError(`entry of run ${runId} to list after`, entryId, 'after');
    return { PK: record.PK, SK: record.SK, GSI1PK: record.GSI1PK, GSI1SK: record.GSI1SK };
  }

  async *listEntriesClosedBetween(from: string, to: string): Pages<Entry> {
    for (const day of utcDaysBetween(from, to)) {
      const pages = queryPages(this.doc, {
        TableName: this.tableName,
        ...this.limit,
        IndexName: 'GSI2',
        // Sort keys are `<closedAt>#<id>`: from `from` inclusive to `to` exclusive.
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': closedDayPk(day), ':from': from, ':to': to },
      });
      for await (const page of pages) {
        const entries = page.map((r) => toEntity<Entry>(r)).filter((e) => e.closedAt !== undefined && e.closedAt < to);
        if (entries.length > 0) yield entries;
      }
    }
  }

  /**
   * The entry record is the truth; approver pointers follow it. New pointers are written before the
   * entry and stale ones removed after, so a crash in between leaves only extra pointers, which
   * listTasks checks against the entry. A pointer is removed only if an older version wrote it.
   */
  async saveEntry(entry: Entry): Promise<void> {
    await this.saveWithPointers(entryRecord(entry), entry.version, `entry ${entry.id}`, approverPointerRecords(entry), 'entryVersion');
  }

  async listTasks(approverId: string): Promise<Entry[]> {
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': approverPk(approverId) },
    });
    const entries = new Map<string, Entry>();
    for (const r of records.filter((r) => r.entity === 'entry')) entries.set(r.id as string, toEntity<Entry>(r));
    const pointed = [...new Set(records.filter((r) => r.entity === 'approver').map((r) => r.entryId as string))].filter(
      (id) => !entries.has(id),
    );
    if (pointed.length > 0) {
      const fetched = await batchGet(this.doc, this.tableName, pointed.map(entryKey), { ...this.batch, consistentRead: true });
      for (const r of fetched) entries.set(r.id as string, toEntity<Entry>(r));
    }
    // Index entries can trail the table and pointers can be stale: keep what the entry itself says.
    return [...entries.values()]
      .filter((e) => isOpenTask(e) && e.approverIds.includes(approverId))
      .sort((a, b) => (taskSortKey(a) < taskSortKey(b) ? -1 : taskSortKey(a) > taskSortKey(b) ? 1 : 0));
  }

  async saveItemDecision(entryId: string, itemId: string, decision: Decision): Promise<void> {
    await this.updateItemAttribute(entryId, itemId, 'decision', decision);
  }

  async saveItemApplied(entryId: string, itemId: string, applied: NonNullable<Item['applied']>): Promise<void> {
    await this.updateItemAttribute(entryId, itemId, 'applied', applied);
  }

  /**
   * A no-op when the item is gone (its run deleted meanwhile), or with `onlyIfAbsent` when it has a
   * workflow already: the update's condition fails quietly.
   */
  async saveItemWorkflow(entryId: string, itemId: string, workflow: ItemWorkflow, options: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    await this.updateItemAttribute(entryId, itemId, 'workflow', workflow, options.onlyIfAbsent ? 'attribute_not_exists(#value)' : undefined).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  }

  /** The revocations first, the marks once they are all written: batches go in parallel, so in one call a mark could land without its revocation. */
  async saveAppliedChanges(changes: { items?: readonly Item[]; revocations?: readonly Revocation[] }): Promise<void> {
    const revocations = (changes.revocations ?? []).map((r) => put(revocationRecord(r)));
    if (revocations.length > 0) await batchWrite(this.doc, this.tableName, revocations, this.batch);
    const items = (changes.items ?? []).map((item) => put(itemRecord(item)));
    if (items.length > 0) await batchWrite(this.doc, this.tableName, items, this.batch);
  }

  /** `after` names the key itself (revocationCursor): the listing resumes there even if that revocation is gone. */
  async *listRevocations(runId: string, from: ListFrom = {}): Pages<Revocation> {
    const start = from.after === undefined ? {} : { ExclusiveStartKey: revocationCursorKey(runId, from.after) };
    for await (const page of queryPages(this.doc, { ...this.revocationQuery(runId), ...start })) yield page.map((r) => toEntity<Revocation>(r));
  }

  /** Whole records in batches (25 a request): the verification, and the unverified index with it. */
  async saveRevocationVerifications(revocations: Revocation[]): Promise<void> {
    await batchWrite(this.doc, this.tableName, revocations.map((r) => put(revocationRecord(r))), this.batch);
  }

  async *listUnverifiedRevocations(dueBy?: string): Pages<Revocation> {
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI2',
      KeyConditionExpression: dueBy ? 'GSI2PK = :pk AND GSI2SK <= :due' : 'GSI2PK = :pk',
      // GSI2SK is `<nextCheckAt>#<run>#...`: every suffix sorts below \uffff, so this keeps nextCheckAt <= dueBy.
      ExpressionAttributeValues: { ':pk': UNVERIFIED_GSI2PK, ...(dueBy ? { ':due': `${dueBy}#\uffff` } : {}) },
    });
    for await (const page of pages) yield page.map((r) => toEntity<Revocation>(r));
  }

  /**
   * Everything under each entry goes before the entry record, which is how the next run finds
   * what is left if this one dies half-way; revocations go last.
   */
  async deleteRun(runId: string): Promise<boolean> {
    const entryPages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': runPk(runId) },
      ProjectionExpression: 'PK, SK',
    });
    for await (const entries of entryPages) {
      const children: DynamoRecord[] = [];
      for (const entry of entries) {
        const records = await queryAll(this.doc, {
          TableName: this.tableName,
          ...this.limit,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': entry.PK },
          ProjectionExpression: 'PK, SK',
          ConsistentRead: true,
        });
        children.push(...records.filter((r) => r.SK !== ENTRY_SK));
      }
      await batchWrite(this.doc, this.tableName, children.map(deleteRequest), this.batch);
      await batchWrite(this.doc, this.tableName, entries.map(deleteRequest), this.batch);
    }
    for await (const revocations of queryPages(this.doc, { ...this.revocationQuery(runId), ProjectionExpression: 'PK, SK' })) {
      await batchWrite(this.doc, this.tableName, revocations.map(deleteRequest), this.batch);
    }
    return true;
  }

  /**
   * Each entry's partition read consistently (its record, items and pointers), then everything under
   * the entries, then the entries: a cleanup killed in between finds the rest through the listing.
   * TTL: each record rewritten as read with the TTL attribute and no index keys (one write, as a delete).
   */
  async removeEntries(entries: Entry[], removal: RecordRemoval): Promise<void> {
    const partitions = await mapLimit(entries, PARTITION_READS, (entry) =>
      queryAll(this.doc, {
        TableName: this.tableName,
        ...this.limit,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': entryPk(entry.id) },
        ...(removal.mode === 'DELETE' ? { ProjectionExpression: 'PK, SK' } : {}),
        ConsistentRead: true,
      }),
    );
    const records = partitions.flat();
    const write = (rs: DynamoRecord[]) => batchWrite(this.doc, this.tableName, rs.map((r) => removalRequest(r, removal)).filter((w) => w !== undefined), this.batch);
    await write(records.filter((r) => r.SK !== ENTRY_SK));
    await write(records.filter((r) => r.SK === ENTRY_SK));
  }

  /** TTL: rewritten as listed (a revocation is not changed once written) with the TTL attribute. */
  async removeRevocations(revocations: Revocation[], removal: RecordRemoval): Promise<void> {
    const records = revocations.map((r) => ({ ...revocationRecord(r), ...r }) as DynamoRecord);
    await batchWrite(this.doc, this.tableName, records.map((r) => removalRequest(r, removal)).filter((w) => w !== undefined), this.batch);
  }

  acquireLease(name: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): Promise<boolean> {
    return this.putLease(leaseRecord(name, owner, now, ttlSeconds, holder), now, owner);
  }

  async getLease(name: string): Promise<Lease | undefined> {
    const record = await this.get<DynamoRecord>(leaseKey(name));
    return record && toLease(record);
  }

  takeOverLease(name: string, previousOwner: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): Promise<boolean> {
    return this.putLease(leaseRecord(name, owner, now, ttlSeconds, holder), now, previousOwner);
  }

  /** Free, expired, or held by `holdingOwner` (its owner renewing, or the one being taken over). */
  private async putLease(record: DynamoRecord, now: Date, holdingOwner: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(PK) OR leaseExpiresAtMs < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now.getTime(), ':owner': holdingOwner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.doc
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: leaseKey(name),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  private revocationQuery(runId: string) {
    return {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': runPk(runId), ':prefix': 'REVOKED#' },
    };
  }

  /** `also`: a further condition; its failure is reported like a missing item's (NotFoundError). */
  private async updateItemAttribute(entryId: string, itemId: string, name: 'decision' | 'applied' | 'workflow', value: unknown, also?: string) {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey(entryId, itemId),
          UpdateExpression: 'SET #value = :value',
          ConditionExpression: also ? `attribute_exists(PK) AND ${also}` : 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#value': name },
          ExpressionAttributeValues: { ':value': value },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError('Item', `${entryId}/${itemId}`);
      throw error;
    }
  }
}

