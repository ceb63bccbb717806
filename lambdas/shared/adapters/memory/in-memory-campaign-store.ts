// CampaignStore in memory, with the Dynamo adapter's semantics (version conditions, orderings,
// leases), for fast use-case tests. Shares an InMemoryOutbox for the bulk preparation path.
import { nextActionAt } from '../../domain/campaign-schedule.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Campaign, CampaignState, Decision, Entry, Item, ItemWorkflow, Notification, Revocation } from '../../domain/model.js';
import type { CampaignStore, Lease, LeaseHolder, ListFrom, Pages, RecordRemoval } from '../../use-cases/ports.js';
import { InMemoryOutbox } from './in-memory-outbox.js';
import { DEFAULT_PAGE_SIZE, afterKey, byKey, inPages, stored, type InMemoryOptions } from './pages.js';

export interface InMemoryCampaignStoreOptions extends InMemoryOptions {
  /** Where putEntriesWithItems records notifications; pass the outbox the use case also gets. */
  outbox?: InMemoryOutbox;
}

const isOpenTask = (e: Entry) => e.state === 'RUNNING' && e.approverIds.length > 0;
/** GSI1SK (`<stage>#<subjectId>`), then the table key (`ENTRY#<id>`), as DynamoDB orders an index's ties. */
const entryListingKey = (e: Entry) => `${String(e.stage).padStart(3, '0')}#${e.subjectId}\u0000${e.id}`;

/** A listing that fails when read, as a query with a bad start key does. */
async function* failing<T>(error: Error): AsyncGenerator<T[]> {
  throw error;
}

export class InMemoryCampaignStore implements CampaignStore {
  readonly outbox: InMemoryOutbox;
  private readonly campaigns = new Map<string, Campaign>();
  private readonly entries = new Map<string, Entry>();
  private readonly items = new Map<string, Map<string, Item>>();
  private readonly revocations = new Map<string, Map<string, Revocation>>();
  private readonly leases = new Map<string, Lease>();
  /** TTL-stamped records (entry ids, run revocation keys) and their expiry: out of the listings, still read by id. */
  private readonly stamped = new Map<string, number>();
  private readonly pageSize: number;

  constructor(options: InMemoryCampaignStoreOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.outbox = options.outbox ?? new InMemoryOutbox(options);
  }

  async createCampaign(campaign: Campaign): Promise<void> {
    if (this.campaigns.has(campaign.id)) throw new ConflictError(`campaign ${campaign.id} already exists`);
    this.campaigns.set(campaign.id, stored(campaign));
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const campaign = this.campaigns.get(id);
    return campaign && stored(campaign);
  }

  async saveCampaign(campaign: Campaign): Promise<void> {
    expectVersion(this.campaigns.get(campaign.id), campaign.version, `campaign ${campaign.id}`);
    this.campaigns.set(campaign.id, stored(campaign));
  }

  listCampaigns(state: CampaignState, dueBy?: string): Pages<Campaign> {
    const sortKey = (c: Campaign) => `${nextActionAt(c)}#${c.id}`;
    const due = [...this.campaigns.values()]
      .filter((c) => c.state === state && (dueBy === undefined || sortKey(c) <= `${dueBy}#\uffff`))
      .sort(byKey(sortKey));
    return inPages(due, this.pageSize);
  }

  listCampaignsByOwner(ownerId: string): Pages<Campaign> {
    const sortKey = (c: Campaign) => `${c.createdAt}#${c.id}`;
    const owned = [...this.campaigns.values()].filter((c) => c.ownerId === ownerId && !c.archived).sort(byKey(sortKey)).reverse();
    return inPages(owned, this.pageSize);
  }

  /** Overwrites entries and items; notifications already recorded are left as they are. */
  async putEntriesWithItems(batch: { entry: Entry; items: Item[] }[], notifications: Notification[] = []): Promise<void> {
    for (const { entry, items } of batch) {
      if (this.entries.has(entry.id)) continue; // complete, and possibly decided since
      this.entries.set(entry.id, stored(entry));
      const entryItems = this.itemsOf(entry.id);
      for (const item of items) entryItems.set(item.id, stored({ ...item, entryId: entry.id }));
    }
    for (const n of notifications) this.outbox.recordIfAbsent(n);
  }

  async createEntry(entry: Entry, items: Item[]): Promise<boolean> {
    if (this.entries.has(entry.id)) return false;
    await this.putEntriesWithItems([{ entry, items }]);
    return true;
  }

  async getEntry(entryId: string): Promise<Entry | undefined> {
    const entry = this.entries.get(entryId);
    return entry && stored(entry);
  }

  async getEntryWithItems(entryId: string): Promise<{ entry: Entry; items: Item[] } | undefined> {
    const entry = this.entries.get(entryId);
    if (!entry) return undefined;
    const items = [...(this.items.get(entryId)?.values() ?? [])].sort(byKey((i) => i.id)).map(stored);
    return { entry: stored(entry), items };
  }

  /** In the Dynamo adapter's index order: stage and subject, then (between an entry's review groups) the entry's key. */
  listEntries(runId: string, from: ListFrom = {}): Pages<Entry> {
    const entries = [...this.entries.values()].filter((e) => e.runId === runId && !this.stamped.has(e.id)).sort(byKey(entryListingKey));
    if (from.after === undefined) return inPages(entries, this.pageSize);
    const at = entries.findIndex((e) => e.id === from.after);
    if (at < 0) return failing(new NotFoundError(`entry of run ${runId} to list after`, from.after, 'after'));
    return inPages(entries.slice(at + 1), this.pageSize);
  }

  listEntriesClosedBetween(from: string, to: string): Pages<Entry> {
    const entries = [...this.entries.values()]
      .filter((e) => e.state !== 'RUNNING' && e.closedAt !== undefined && e.closedAt >= from && e.closedAt < to && !this.stamped.has(e.id))
      .sort(byKey((e) => `${e.closedAt}#${e.id}`));
    return inPages(entries, this.pageSize);
  }

  async saveEntry(entry: Entry): Promise<void> {
    expectVersion(this.entries.get(entry.id), entry.version, `entry ${entry.id}`);
    this.entries.set(entry.id, stored(entry));
  }

  async listTasks(approverId: string): Promise<Entry[]> {
    return [...this.entries.values()]
      .filter((e) => isOpenTask(e) && e.approverIds.includes(approverId) && !this.stamped.has(e.id))
      .sort(byKey((e) => `${e.dueDate}#${e.id}`))
      .map(stored);
  }

  async saveItemDecision(entryId: string, itemId: string, decision: Decision): Promise<void> {
    this.changeItem(entryId, itemId, (item) => ({ ...item, decision }));
  }

  async saveItemApplied(entryId: string, itemId: string, applied: NonNullable<Item['applied']>): Promise<void> {
    this.changeItem(entryId, itemId, (item) => ({ ...item, applied }));
  }

  /** A no-op when the item is gone, as the port says (unlike a decision, which needs its item). */
  async saveItemWorkflow(entryId: string, itemId: string, workflow: ItemWorkflow, options: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    const item = this.items.get(entryId)?.get(itemId);
    if (!item || (options.onlyIfAbsent && item.workflow !== undefined)) return;
    this.changeItem(entryId, itemId, (item) => ({ ...item, workflow }));
  }

  async saveAppliedChanges(changes: { items?: readonly Item[]; revocations?: readonly Revocation[] }): Promise<void> {
    for (const revocation of changes.revocations ?? []) this.storeRevocation(revocation);
    // Written whole, as DynamoDB's put does: present or not.
    for (const item of changes.items ?? []) this.itemsOf(item.entryId).set(item.id, stored(item));
  }

  /** The entry's items by id, an empty map kept for it if it has none. */
  private itemsOf(entryId: string): Map<string, Item> {
    let items = this.items.get(entryId);
    if (!items) this.items.set(entryId, (items = new Map<string, Item>()));
    return items;
  }

  private storeRevocation(revocation: Revocation): void {
    const ofRun = this.revocations.get(revocation.runId) ?? new Map<string, Revocation>();
    ofRun.set(`${revocation.userId}#${revocation.privilegeId}`, stored(revocation));
    this.revocations.set(revocation.runId, ofRun);
  }

  listRevocations(runId: string, from: ListFrom = {}): Pages<Revocation> {
    const ofRun = this.revocations.get(runId) ?? new Map<string, Revocation>();
    const sorted = afterKey([...ofRun.entries()], ([key]) => key, from.after).map(([, r]) => r);
    return inPages(sorted, this.pageSize);
  }

  async saveRevocationVerifications(revocations: Revocation[]): Promise<void> {
    for (const revocation of revocations) this.storeRevocation(revocation);
  }

  listUnverifiedRevocations(dueBy?: string): Pages<Revocation> {
    const checkOf = (r: Revocation) => (r.verification?.status === 'STILL_PRESENT' ? r.verification.nextCheckAt : undefined);
    const sortKey = (r: Revocation) => `${checkOf(r)}#${r.runId}#${r.userId}#${r.privilegeId}`;
    const due = [...this.revocations.values()]
      .flatMap((ofRun) => [...ofRun.values()])
      .filter((r) => checkOf(r) !== undefined && (dueBy === undefined || sortKey(r) <= `${dueBy}#\uffff`))
      .sort(byKey(sortKey));
    return inPages(due, this.pageSize);
  }

  async deleteRun(runId: string): Promise<boolean> {
    for (const entry of [...this.entries.values()]) {
      if (entry.runId !== runId) continue;
      this.items.delete(entry.id);
      this.entries.delete(entry.id);
    }
    this.revocations.delete(runId);
    return true;
  }

  async removeEntries(entries: Entry[], removal: RecordRemoval): Promise<void> {
    for (const { id } of entries) {
      if (removal.mode === 'TTL') {
        if (this.entries.has(id) && !this.stamped.has(id)) this.stamped.set(id, removal.expiresAt);
        continue;
      }
      this.items.delete(id);
      this.entries.delete(id);
      this.stamped.delete(id);
    }
  }

  async removeRevocations(revocations: Revocation[], removal: RecordRemoval): Promise<void> {
    for (const r of revocations) {
      const key = `${r.userId}#${r.privilegeId}`;
      if (removal.mode === 'DELETE') this.revocations.get(r.runId)?.delete(key);
      else if (this.revocations.get(r.runId)?.has(key)) this.stamped.set(`${r.runId}\u0000${key}`, removal.expiresAt);
    }
  }

  /** When a TTL-stamped entry (or revocation: `<runId>\u0000<userId>#<privilegeId>`) expires; undefined if not stamped. */
  expiresAtOf(key: string): number | undefined {
    return this.stamped.get(key);
  }

  async acquireLease(name: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): Promise<boolean> {
    return this.putLease(name, owner, now, ttlSeconds, holder, owner);
  }

  async getLease(name: string): Promise<Lease | undefined> {
    const held = this.leases.get(name);
    return held && structuredClone(held);
  }

  async takeOverLease(name: string, previousOwner: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): Promise<boolean> {
    return this.putLease(name, owner, now, ttlSeconds, holder, previousOwner);
  }

  /** Free, expired, or held by `holdingOwner` (its owner renewing, or the one being taken over). */
  private putLease(name: string, owner: string, now: Date, ttlSeconds: number, holder: LeaseHolder | undefined, holdingOwner: string): boolean {
    const held = this.leases.get(name);
    if (held && Date.parse(held.expiresAt) >= now.getTime() && held.owner !== holdingOwner) return false;
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    this.leases.set(name, { name, owner, ...(holder ? { holder: structuredClone(holder) } : {}), acquiredAt: now.toISOString(), expiresAt });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  private changeItem(entryId: string, itemId: string, fn: (item: Item) => Item): void {
    const item = this.items.get(entryId)?.get(itemId);
    if (!item) throw new NotFoundError('Item', `${entryId}/${itemId}`);
    this.items.get(entryId)!.set(itemId, stored(fn(item)));
  }
}

/** The caller already incremented the version: the stored one must be the one before. */
function expectVersion(current: { version: number } | undefined, version: number, what: string): void {
  if (current?.version !== version - 1) throw new ConflictError(`${what} is not at version ${version - 1} any more (or is gone)`);
}
