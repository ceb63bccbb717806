// Outbox in the campaign table: one record per notification key under its campaign and run, listed
// for dispatch through GSI1 (OUTBOX#PENDING) only while unsent, claimed with a conditional update.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../domain/errors.js';
import type { Notification } from '../../domain/model.js';
import type { ListFrom, Outbox, Pages, RecordRemoval } from '../../use-cases/ports.js';
import { batchWrite, deleteRequest, isConditionFailure, queryPages, type DynamoRecord } from './document-client.js';
import { DynamoTable } from './dynamo-table.js';
import { isUnsent } from '../../domain/notifications.js';
import { OUTBOX_PENDING, notificationRecord, outboxKey, outboxPk, outboxRunPrefix, outboxSortKey, removalRequest, toEntity } from './records.js';

/** Conditional puts in flight at once during enqueue. */
const ENQUEUE_CONCURRENCY = 8;

export class DynamoOutbox extends DynamoTable implements Outbox {
  async enqueue(notifications: Notification[]): Promise<string[]> {
    // A key repeated in one call: the first one counts, as if they were written one after another
    // (in parallel, either could land first).
    const seen = new Set<string>();
    const firsts = notifications.filter((n) => {
      const id = `${n.campaignId}\n${n.key}`;
      return !seen.has(id) && seen.add(id);
    });
    const isNew = new Array<boolean>(firsts.length).fill(false);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < firsts.length) {
        const i = next++;
        try {
          isNew[i] = await this.putIfAbsent(firsts[i]!);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENQUEUE_CONCURRENCY, firsts.length) }, worker));
    return firsts.filter((_, i) => isNew[i]).map((n) => n.key);
  }

  async *listDispatchable(now: Date): Pages<Notification> {
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      FilterExpression: '#status = :pending OR (#status = :sending AND claimExpiresAt < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': OUTBOX_PENDING, ':pending': 'PENDING', ':sending': 'SENDING', ':now': now.toISOString() },
    });
    for await (const page of pages) {
      if (page.length > 0) yield page.map((r) => toEntity<Notification>(r));
    }
  }

  /**
   * SENDING for `owner` until `now` + claimSeconds, if unsent and unclaimed (or its claim expired).
   * A failed condition after an applied claim whose answer was lost (the SDK sent it again) finds
   * this very claim stored: that is a claim taken, not one refused.
   */
  async claim(notification: Notification, owner: string, now: Date, claimSeconds: number): Promise<boolean> {
    const expires = new Date(now.getTime() + claimSeconds * 1000).toISOString();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(notification),
          UpdateExpression:
            'SET #status = :sending, claimedBy = :owner, claimExpiresAt = :expires, attempts = if_not_exists(attempts, :zero) + :one',
          ConditionExpression: '#status = :pending OR (#status = :sending AND claimExpiresAt < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':pending': 'PENDING',
            ':owner': owner,
            ':expires': expires,
            ':now': now.toISOString(),
            ':zero': 0,
            ':one': 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const stored = await this.readStored(outboxKey(notification));
      return stored?.status === 'SENDING' && stored.claimedBy === owner && stored.claimExpiresAt === expires;
    }
  }

  async markSent(notification: Notification, messageId: string, at: Date): Promise<void> {
    await this.update(notification, 'SET #status = :sent, sentAt = :at, messageId = :messageId REMOVE GSI1PK, GSI1SK, claimExpiresAt', {
      ':sent': 'SENT',
      ':at': at.toISOString(),
      ':messageId': messageId,
    });
  }

  async markFailed(notification: Notification, error: string, final: boolean): Promise<void> {
    if (final) {
      await this.update(notification, 'SET #status = :failed, lastError = :error REMOVE GSI1PK, GSI1SK, claimExpiresAt', {
        ':failed': 'FAILED',
        ':error': error,
      });
      return;
    }
    // Back in the dispatch index at its original place, so that retries keep the oldest-first order.
    await this.update(
      notification,
      'SET #status = :pending, lastError = :error, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk REMOVE claimExpiresAt',
      { ':pending': 'PENDING', ':error': error, ':gsi1pk': OUTBOX_PENDING, ':gsi1sk': outboxSortKey(notification) },
    );
  }

  async markSkipped(notification: Notification, reason: string): Promise<void> {
    await this.update(notification, 'SET #status = :skipped, lastError = :error REMOVE GSI1PK, GSI1SK, claimExpiresAt', {
      ':skipped': 'SKIPPED',
      ':error': reason,
    });
  }

  async releaseClaims(owner: string): Promise<number> {
    // Unsent notifications only (the sparse dispatch index), not the outbox's history.
    const claimed = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      FilterExpression: '#status = :sending AND claimedBy = :owner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': OUTBOX_PENDING, ':sending': 'SENDING', ':owner': owner },
    });
    let released = 0;
    for await (const page of claimed) {
      for (const record of page) {
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { PK: record.PK, SK: record.SK },
              UpdateExpression: 'SET #status = :pending REMOVE claimExpiresAt',
              ConditionExpression: '#status = :sending AND claimedBy = :owner',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'PENDING', ':sending': 'SENDING', ':owner': owner },
            }),
          );
          released += 1;
        } catch (error) {
          // Settled meanwhile (the index lags the table): nothing to release.
          if (!isConditionFailure(error)) throw error;
        }
      }
    }
    return released;
  }

  async *listByCampaign(campaignId: string): Pages<Notification> {
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': outboxPk(campaignId) },
    });
    for await (const page of pages) yield page.map((r) => toEntity<Notification>(r));
  }

  async *listByRun(campaignId: string, runId: string, from: ListFrom = {}): Pages<Notification> {
    const start = from.after === undefined ? {} : { ExclusiveStartKey: outboxKey({ campaignId, runId, key: from.after }) };
    // Consistent: a walk begun again reads what the walk before it queued (announce-stage.ts).
    for await (const page of queryPages(this.doc, { ...this.runQuery(campaignId, runId), ...start, ConsistentRead: true })) yield page.map((r) => toEntity<Notification>(r));
  }

  /** TTL: rewritten as listed (a settled notification no longer changes) with the TTL attribute. */
  async removeSettled(notifications: Notification[], removal: RecordRemoval): Promise<number> {
    const settled = notifications.filter((n) => !isUnsent(n.status));
    const records = settled.map((n) => ({ ...notificationRecord(n), ...n }) as DynamoRecord);
    await batchWrite(this.doc, this.tableName, records.map((r) => removalRequest(r, removal)).filter((w) => w !== undefined), this.batch);
    return notifications.length - settled.length;
  }

  async deleteRun(campaignId: string, runId: string): Promise<boolean> {
    let unsent = 0;
    const query = { ...this.runQuery(campaignId, runId), ProjectionExpression: 'PK, SK, #status', ExpressionAttributeNames: { '#status': 'status' } };
    for await (const page of queryPages(this.doc, query)) {
      const settled = page.filter((r) => !isUnsent(r.status as Notification['status']));
      unsent += page.length - settled.length;
      await batchWrite(this.doc, this.tableName, settled.map(deleteRequest), this.batch);
    }
    return unsent === 0;
  }

  private runQuery(campaignId: string, runId: string) {
    return {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)',
      ExpressionAttributeValues: { ':pk': outboxPk(campaignId), ':run': outboxRunPrefix(runId) },
    };
  }

  private async putIfAbsent(notification: Notification): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: notificationRecord(notification),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async update(notification: Notification, expression: string, values: DynamoRecord): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(notification),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError('Notification', notification.key);
      throw error;
    }
  }
}
