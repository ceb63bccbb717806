// Outbox in memory, with the Dynamo adapter's semantics (put-if-absent, claim conditions, order).
import { NotFoundError } from '../../domain/errors.js';
import type { Notification } from '../../domain/model.js';
import { isUnsent } from '../../domain/notifications.js';
import type { ListFrom, Outbox, Pages, RecordRemoval } from '../../use-cases/ports.js';
import { DEFAULT_PAGE_SIZE, afterKey, byKey, inPages, stored, type InMemoryOptions } from './pages.js';

const recordId = (n: Pick<Notification, 'campaignId' | 'key'>) => `${n.campaignId}\n${n.key}`;

export class InMemoryOutbox implements Outbox {
  private readonly records = new Map<string, Notification>();
  /** TTL-stamped notifications (by record id) and their expiry. */
  private readonly expiresAt = new Map<string, number>();
  private readonly pageSize: number;

  constructor(options: InMemoryOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async enqueue(notifications: Notification[]): Promise<string[]> {
    return notifications.filter((n) => this.recordIfAbsent(n)).map((n) => n.key);
  }

  /** The conditional put both enqueue and the campaign store's bulk path use. */
  recordIfAbsent(notification: Notification): boolean {
    if (this.records.has(recordId(notification))) return false;
    this.records.set(recordId(notification), stored(notification));
    return true;
  }

  listDispatchable(now: Date): Pages<Notification> {
    const at = now.toISOString();
    const dispatchable = [...this.records.values()]
      .filter((n) => isDispatchable(n, at))
      .sort(byKey((n) => `${n.createdAt}#${n.key}`));
    return inPages(dispatchable, this.pageSize);
  }

  async claim(notification: Notification, owner: string, now: Date, claimSeconds: number): Promise<boolean> {
    const current = this.records.get(recordId(notification));
    if (!current || !isDispatchable(current, now.toISOString())) return false;
    this.records.set(recordId(notification), {
      ...current,
      status: 'SENDING',
      claimedBy: owner,
      claimExpiresAt: new Date(now.getTime() + claimSeconds * 1000).toISOString(),
      attempts: (current.attempts ?? 0) + 1,
    });
    return true;
  }

  async markSent(notification: Notification, messageId: string, at: Date): Promise<void> {
    this.change(notification, (n) => ({ ...n, status: 'SENT', sentAt: at.toISOString(), messageId }));
  }

  async markFailed(notification: Notification, error: string, final: boolean): Promise<void> {
    this.change(notification, (n) => ({ ...n, status: final ? 'FAILED' : 'PENDING', lastError: error }));
  }

  async markSkipped(notification: Notification, reason: string): Promise<void> {
    this.change(notification, (n) => ({ ...n, status: 'SKIPPED', lastError: reason }));
  }

  async releaseClaims(owner: string): Promise<number> {
    const claimed = [...this.records.values()].filter((n) => n.status === 'SENDING' && n.claimedBy === owner);
    for (const n of claimed) this.change(n, (current) => ({ ...current, status: 'PENDING' }));
    return claimed.length;
  }

  listByCampaign(campaignId: string): Pages<Notification> {
    const records = [...this.records.values()].filter((n) => n.campaignId === campaignId).sort(byKey((n) => `${n.runId}|${n.key}`));
    return inPages(records, this.pageSize);
  }

  listByRun(campaignId: string, runId: string, from: ListFrom = {}): Pages<Notification> {
    const records = [...this.records.values()].filter((n) => n.campaignId === campaignId && n.runId === runId);
    return inPages(afterKey(records, (n) => n.key, from.after), this.pageSize);
  }

  /** TTL: recorded in `expiresAt` (still listed, as on DynamoDB until its TTL removes them). */
  async removeSettled(notifications: Notification[], removal: RecordRemoval): Promise<number> {
    let unsent = 0;
    for (const n of notifications) {
      const current = this.records.get(recordId(n));
      if (!current) continue;
      if (isUnsent(current.status)) unsent += 1;
      else if (removal.mode === 'DELETE') this.records.delete(recordId(n));
      else this.expiresAt.set(recordId(n), this.expiresAt.get(recordId(n)) ?? removal.expiresAt);
    }
    return unsent;
  }

  /** When a TTL-stamped notification expires; undefined if not stamped. */
  expiresAtOf(notification: Pick<Notification, 'campaignId' | 'runId' | 'key'>): number | undefined {
    return this.expiresAt.get(recordId(notification as Notification));
  }

  async deleteRun(campaignId: string, runId: string): Promise<boolean> {
    let unsent = 0;
    for (const [id, n] of this.records) {
      if (n.campaignId !== campaignId || n.runId !== runId) continue;
      if (isUnsent(n.status)) unsent += 1;
      else this.records.delete(id);
    }
    return unsent === 0;
  }

  private change(notification: Notification, fn: (n: Notification) => Notification): void {
    const current = this.records.get(recordId(notification));
    if (!current) throw new NotFoundError('Notification', notification.key);
    const next = fn(current);
    delete next.claimExpiresAt;
    this.records.set(recordId(notification), stored(next));
  }
}

function isDispatchable(n: Notification, at: string): boolean {
  return n.status === 'PENDING' || (n.status === 'SENDING' && n.claimExpiresAt !== undefined && n.claimExpiresAt < at);
}
