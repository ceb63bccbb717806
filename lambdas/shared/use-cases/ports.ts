// The ports the use cases depend on. Adapters (DynamoDB, SES, in-memory) implement them;
// use cases never import an adapter.
import type {
  Assignment,
  Campaign,
  CampaignState,
  Decision,
  Entry,
  Item,
  Notification,
  Privilege,
  Revocation,
  User,
} from '../domain/model.js';

export interface Clock {
  now(): Date;
}

/** A page-at-a-time stream; adapters implement it over paginated queries. */
export type Pages<T> = AsyncIterable<T[]>;

export interface DirectoryStore {
  putUsers(users: User[]): Promise<void>;
  putPrivileges(privileges: Privilege[]): Promise<void>;
  putAssignments(assignments: Assignment[]): Promise<void>;

  getUser(id: string): Promise<User | undefined>;
  /** Missing ids are absent from the result. */
  getUsers(ids: string[]): Promise<Map<string, User>>;
  getPrivilege(id: string): Promise<Privilege | undefined>;
  getPrivileges(ids: string[]): Promise<Map<string, Privilege>>;
  /**
   * The user with this email address, compared case-insensitively (how the approver API names its
   * caller). Undefined when nobody, or more than one user, has it: an ambiguous address identifies nobody.
   */
  findUserByEmail(email: string): Promise<User | undefined>;

  /** Every user, in id order, a page at a time. */
  listUsers(): Pages<User>;
  /** Every privilege, in id order, a page at a time. */
  listPrivileges(): Pages<Privilege>;
  /** All assignments of one user (every origin), in privilege id order. */
  listAssignmentsOfUser(userId: string): Promise<Assignment[]>;
  /** Holders of a privilege with the given origin, in user id order. */
  listHoldersOfPrivilege(privilegeId: string, origin?: Assignment['origin']): Pages<Assignment>;

  /**
   * Removes a MANUAL assignment (docs/reference/directory.md: rule-based and inherited ones are never touched).
   * Idempotent: an absent assignment counts as REMOVED; one whose origin is not MANUAL (any more)
   * is left alone and answers NOT_MANUAL.
   */
  removeAssignment(userId: string, privilegeId: string): Promise<'REMOVED' | 'NOT_MANUAL'>;
  /**
   * endDate null removes the end date; parameters are merged, and a null value removes that
   * parameter. No-op if the assignment is gone or not MANUAL.
   */
  modifyAssignment(
    userId: string,
    privilegeId: string,
    change: { endDate?: string | null; parameters?: Record<string, string | null> },
  ): Promise<void>;
}

export interface CampaignStore {
  /** Fails with ConflictError if the id exists. */
  createCampaign(campaign: Campaign): Promise<void>;
  getCampaign(id: string): Promise<Campaign | undefined>;
  /**
   * Writes the campaign if its stored version is `campaign.version - 1` (the caller increments).
   * Fails with ConflictError otherwise.
   */
  saveCampaign(campaign: Campaign): Promise<void>;
  /** Campaigns in a state; with `dueBy`, only those whose next action time is at or before it. */
  listCampaigns(state: CampaignState, dueBy?: string): Pages<Campaign>;

  /**
   * Writes new entries with their items in batches: items, approver records and notifications
   * first, entry records last. An entry that already exists is complete (and may have decisions):
   * it is left as it is, so a re-run of the same preparation chunk writes only what is missing.
   * Notifications already recorded are skipped.
   */
  putEntriesWithItems(batch: { entry: Entry; items: Item[] }[], notifications?: Notification[]): Promise<void>;
  /**
   * Creates one entry that may already exist (a killed run wrote it): its items and approver
   * records first, the entry record last and only if absent. An entry that exists is therefore
   * complete, and nobody can have decided items of one that does not. False if it existed.
   */
  createEntry(entry: Entry, items: Item[]): Promise<boolean>;
  getEntry(entryId: string): Promise<Entry | undefined>;
  /** Entry and all its items in one paginated query. */
  getEntryWithItems(entryId: string): Promise<{ entry: Entry; items: Item[] } | undefined>;
  listEntries(runId: string): Pages<Entry>;
  /** Same rule as saveCampaign: conditional on `entry.version - 1`. */
  saveEntry(entry: Entry): Promise<void>;
  /** Open entries where the user is an approver (RUNNING), by due date. */
  listTasks(approverId: string): Promise<Entry[]>;

  saveItemDecision(entryId: string, itemId: string, decision: Decision): Promise<void>;
  saveItemApplied(entryId: string, itemId: string, applied: NonNullable<Item['applied']>): Promise<void>;

  putRevocation(revocation: Revocation): Promise<void>;
  listRevocations(runId: string): Pages<Revocation>;

  /** Removes the run's entries, items and revocations; resumable. Returns true when nothing is left. */
  deleteRun(runId: string): Promise<boolean>;

  /**
   * Takes the named lease if free or expired (wall-clock times), recording who holds it. Returns
   * false if someone else holds it.
   */
  acquireLease(name: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): Promise<boolean>;
  /** The lease as stored (expired or not), read consistently; undefined when nobody holds it. */
  getLease(name: string): Promise<Lease | undefined>;
  /**
   * Takes the lease from `previousOwner`, whose holder is known to be gone (or the operator says
   * so): conditional on the lease still being theirs (or free, or expired), so that of two runs
   * taking over the same lease only one wins. False if it changed hands meanwhile.
   */
  takeOverLease(name: string, previousOwner: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
}

/**
 * Who holds a lease, recorded with it: a run that finds the lease held can say by whom, and the
 * local runtime can tell whether that process is gone. On AWS, the invocation.
 */
export type LeaseHolder =
  | { kind: 'local'; pid: number; hostname: string; startedAt: string }
  | { kind: 'lambda'; requestId?: string; logStream?: string };

export interface Lease {
  name: string;
  /** The run that holds it (each run's id is new). */
  owner: string;
  /** Absent on a lease written before holders were recorded. */
  holder?: LeaseHolder;
  acquiredAt?: string;
  expiresAt: string;
}

export interface Outbox {
  /**
   * Records notifications that are not recorded yet (conditional on the key); existing keys are
   * left as they are. Returns the keys that were new.
   */
  enqueue(notifications: Notification[]): Promise<string[]>;
  /** Unsent notifications (PENDING, or SENDING with an expired claim), oldest first. */
  listDispatchable(now: Date): Pages<Notification>;
  /** Marks SENDING if still dispatchable; false if someone else took it or it was sent. */
  claim(notification: Notification, owner: string, now: Date, claimSeconds: number): Promise<boolean>;
  markSent(notification: Notification, messageId: string, at: Date): Promise<void>;
  /** Back to PENDING for a retry, or FAILED after too many attempts. */
  markFailed(notification: Notification, error: string, final: boolean): Promise<void>;
  /** Never to be sent (its campaign was cancelled or failed): SKIPPED with the reason, out of the dispatch index. */
  markSkipped(notification: Notification, reason: string): Promise<void>;
  /**
   * Sends claimed by a run that is gone (its lease was taken over) go back to PENDING at once
   * instead of when their claims expire. Returns how many.
   */
  releaseClaims(owner: string): Promise<number>;
  /** Every run's notifications of a campaign (archived runs stay under the campaign they came from). */
  listByCampaign(campaignId: string): Pages<Notification>;
  /** One run's notifications. */
  listByRun(campaignId: string, runId: string): Pages<Notification>;
  /**
   * The run's cleanup: removes its settled notifications (SENT, SKIPPED, FAILED) and leaves the
   * unsent ones for dispatch. True when none is left; resumable.
   */
  deleteRun(campaignId: string, runId: string): Promise<boolean>;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  body: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** Structured log sink; Powertools Logger satisfies it. */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Calls a campaign hook named by reference (a Lambda function ARN on AWS, `file:<path>` locally)
 * and returns its raw answer; the caller validates it against the hook's contract.
 */
export interface HookInvoker {
  invoke(ref: string, request: unknown, options: { timeoutMs: number }): Promise<unknown>;
}
