// The ports the use cases depend on. Adapters (DynamoDB, SES, in-memory) implement them;
// use cases never import an adapter.
import type {
  Assignment,
  Campaign,
  CampaignState,
  Decision,
  Entry,
  Item,
  ItemWorkflow,
  Notification,
  Privilege,
  Revocation,
  RiskLevel,
  User,
} from '../domain/model.js';
import type {
  ApprovalRun,
  ApprovalWorkflow,
  ReapprovalConfig,
  ReapprovalMode,
  ReapprovalRound,
  RunningReapproval,
} from '../domain/approvals/model.js';
import type {
  DailyReport,
  HealthComponent,
  JobHeartbeat,
  JobName,
  JobRun,
  OperationsConfig,
  RiskAssessment,
  RiskSummary,
  WeeklySummary,
} from '../domain/operations.js';
import type { AuditAppend, AuditChainId, AuditRecord } from '../domain/audit/model.js';
import type { ArchivedEvidence } from '../domain/evidence/manifest.js';

export interface Clock {
  now(): Date;
}

/**
 * How long the current invocation may still work: on Lambda its remaining time less a safety
 * margin, locally a configured budget (`--budget-ms`) or none. Chunked work checks it between
 * chunks, saves its cursor, and leaves the rest to a continuation (docs/reference/scale.md).
 */
export interface TimeBudget {
  /** False once no further chunk should start. */
  hasTimeLeft(): boolean;
  remainingMs(): number;
}

export const UNLIMITED_BUDGET: TimeBudget = { hasTimeLeft: () => true, remainingMs: () => Number.POSITIVE_INFINITY };

/**
 * Long work reports where it stands (the local CLI draws a progress line from it; AWS ignores it).
 * `total` is absent when not known in advance.
 */
export interface ProgressEvent {
  job: string;
  phase: string;
  campaignId?: string;
  done: number;
  total?: number;
  /** What `done` counts, plural: 'entries', 'removals', 'assignments'. */
  unit?: string;
}
export type ProgressSink = (event: ProgressEvent) => void;

/** A page-at-a-time stream; adapters implement it over paginated queries. */
export type Pages<T> = AsyncIterable<T[]>;

/**
 * Where a listing resumes: strictly after the record with this key (a chunk's saved cursor). Adapters
 * turn it into the query's ExclusiveStartKey; they never list from the start and filter.
 */
export interface ListFrom {
  after?: string;
}

/**
 * How a deleted run's records go (docs/reference/scale.md): DELETE removes them; TTL writes the
 * table's TTL attribute (`expiresAt`, epoch seconds) on each, and takes entries out of every index at
 * once, so they leave the listings as deleted ones do; DynamoDB removes the records later, itself.
 */
export type RecordRemoval = { mode: 'DELETE' } | { mode: 'TTL'; expiresAt: number };

export interface DirectoryStore {
  putUsers(users: User[]): Promise<void>;
  putPrivileges(privileges: Privilege[]): Promise<void>;
  /**
   * Creates or replaces assignments (a directory load). Over one already stored it keeps the stored
   * REAPPROVAL_STATE_FIELDS (whatever the caller passes for them) and the later of the stored and
   * the given approvedAt, with that one's approvedBy (docs/reference/reapproval.md).
   */
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

  /** Every user, in id order, a page at a time; with `after` (a user id), those after it. */
  listUsers(from?: ListFrom): Pages<User>;
  /** Every privilege, in id order, a page at a time; with `after` (a privilege id), those after it. */
  listPrivileges(from?: ListFrom): Pages<Privilege>;
  /** All assignments of one user (every origin), in privilege id order. */
  listAssignmentsOfUser(userId: string): Promise<Assignment[]>;
  /**
   * Holders of a privilege with the given origin, in user id order; with `after` (a user id, with an
   * origin), those after that user.
   */
  listHoldersOfPrivilege(privilegeId: string, origin?: Assignment['origin'], from?: ListFrom): Pages<Assignment>;

  /**
   * Removes a MANUAL assignment (docs/reference/directory.md: rule-based and inherited ones are never touched).
   * Idempotent: an absent assignment counts as REMOVED; one whose origin is not MANUAL (any more)
   * is left alone and answers NOT_MANUAL. A directory that refuses the change throws a DomainError
   * (RefusedChangeError); any other error is a failed call, which the caller's run retries.
   */
  removeAssignment(userId: string, privilegeId: string): Promise<'REMOVED' | 'NOT_MANUAL'>;
  /**
   * endDate null removes the end date; parameters are merged, and a null value removes that
   * parameter. No-op if the assignment is gone or not MANUAL. Refusals as removeAssignment's.
   */
  modifyAssignment(
    userId: string,
    privilegeId: string,
    change: { endDate?: string | null; parameters?: Record<string, string | null> },
  ): Promise<void>;

  /**
   * Records a risk assessment on the user: `riskLevel` (what campaign filters read), the computed
   * level, when, and the declared level it was combined with (absent: removed). No-op if the user is gone.
   */
  setRiskLevel(userId: string, change: RiskLevelChange): Promise<void>;
}

/**
 * A user's risk after an assessment. The declared level is the directory file's `riskLevel`: a
 * loaded user record has `riskLevel` and no `riskAssessedAt`, so that is its declared level; an
 * assessed one keeps it in `declaredRiskLevel`.
 */
export interface RiskLevelChange {
  riskLevel: RiskLevel;
  computedRiskLevel: RiskLevel;
  riskAssessedAt: string;
  declaredRiskLevel?: RiskLevel;
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
   * The campaigns `ownerId` owns, newest first (by createdAt, then id), archived runs left out: the
   * approver portal's "My campaigns". An owner change moves the campaign to its new owner's list.
   */
  listCampaignsByOwner(ownerId: string): Pages<Campaign>;

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
  /**
   * The run's entries in listing order (stage, subject), a page at a time; with `after` (an entry id,
   * see entryCursor) from the entry after that one. Fails with NotFoundError if that entry is gone.
   */
  listEntries(runId: string, from?: ListFrom): Pages<Entry>;
  /**
   * Entries that left RUNNING (closedAt) in [from, to), by closing time, through the closed-day
   * index: the cost follows the window's closures, never the history.
   */
  listEntriesClosedBetween(from: string, to: string): Pages<Entry>;
  /** Same rule as saveCampaign: conditional on `entry.version - 1`. */
  saveEntry(entry: Entry): Promise<void>;
  /** Open entries where the user is an approver (RUNNING), by due date. */
  listTasks(approverId: string): Promise<Entry[]>;

  saveItemDecision(entryId: string, itemId: string, decision: Decision): Promise<void>;
  saveItemApplied(entryId: string, itemId: string, applied: NonNullable<Item['applied']>): Promise<void>;
  /**
   * Records (or updates) the approval run a `WORKFLOW` revocation handed the item to. No-op if the
   * item is gone. `onlyIfAbsent`: no-op too if the item has a workflow already (the finish's hand-over
   * record, which must never overwrite the outcome the engine wrote meanwhile).
   */
  saveItemWorkflow(entryId: string, itemId: string, workflow: ItemWorkflow, options?: { onlyIfAbsent?: boolean }): Promise<void>;

  /**
   * What applying a chunk of entries changed, written whole in batches (25 records a request): the
   * run's revocations, then, once they are all written, each item as given with its new `applied`
   * mark (a kill in between leaves a revocation the next pass writes again, never a removal marked
   * without its revocation). Not for an item handed to
   * an approval workflow, whose `workflow` the engine may be writing meanwhile: saveItemApplied
   * changes the mark alone.
   */
  saveAppliedChanges(changes: { items?: readonly Item[]; revocations?: readonly Revocation[] }): Promise<void>;
  /**
   * The run's revocations by user, then privilege (so each user's come together), a page at a time;
   * with `after` (see revocationCursor) from the revocation after that key, whether or not it still exists.
   */
  listRevocations(runId: string, from?: ListFrom): Pages<Revocation>;
  /**
   * Writes each revocation as given, with its `verification` (the VERIFY phase's read-back, or a
   * later re-check), over the stored record the caller read. A STILL_PRESENT one with a
   * `nextCheckAt` is in the sparse unverified index; any other is out of it.
   */
  saveRevocationVerifications(revocations: Revocation[]): Promise<void>;
  /**
   * Revocations found still present (the unverified index: nothing else of any run), by next check,
   * oldest first; with `dueBy`, only those whose `nextCheckAt` is at or before it.
   */
  listUnverifiedRevocations(dueBy?: string): Pages<Revocation>;

  /** Removes the run's entries, items and revocations; resumable. Returns true when nothing is left. */
  deleteRun(runId: string): Promise<boolean>;
  /**
   * A deleted run's cleanup, a chunk at a time: each entry's items and approver pointers, then the
   * entry, deleted or stamped (RecordRemoval). Either way the entries leave listEntries, listTasks
   * and listEntriesClosedBetween; stamped ones are still read by id until the engine removes them.
   */
  removeEntries(entries: Entry[], removal: RecordRemoval): Promise<void>;
  /** Deleted or stamped; stamped ones stay in listRevocations until the engine removes them. */
  removeRevocations(revocations: Revocation[], removal: RecordRemoval): Promise<void>;

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
 * The directory's re-approval side (docs/reference/reapproval.md), on the directory table: workflows,
 * the domain-wide configuration, scheduled rounds, and each flagged MANUAL assignment's re-approval
 * state, kept in a sparse index per state so that each job reads only what it has to work on:
 *   - awaiting initialization, per privilege (every MANUAL assignment with no state: a privilege's
 *     holders wait there, unread, until the privilege is flagged);
 *   - CONTINUOUS, by nextReapprovalAt;
 *   - SCHEDULED, by the last round it was started in;
 *   - running (a re-approval recorded on it): in no index.
 * Every transition is conditional on the state it expects and answers false (changing nothing)
 * when the assignment is gone, not MANUAL, or in another state.
 */
export interface ReapprovalDirectory {
  /** Replaces workflows by id (loadedAt/loadedBy as given). */
  putWorkflows(workflows: ApprovalWorkflow[]): Promise<void>;
  getWorkflow(id: string): Promise<ApprovalWorkflow | undefined>;
  /** Every loaded workflow, in id order (DEFAULT_WORKFLOW is not stored). */
  listWorkflows(): Promise<ApprovalWorkflow[]>;

  /** Undefined: DEFAULT_REAPPROVAL_CONFIG applies. */
  getReapprovalConfig(): Promise<ReapprovalConfig | undefined>;
  putReapprovalConfig(config: ReapprovalConfig): Promise<void>;
  getRound(date: string): Promise<ReapprovalRound | undefined>;
  /**
   * Creates the round's record, or updates it with `started` and a given `completedAt`. The first
   * `startedAt` recorded stays (when the round began), and a recorded `completedAt` is never removed.
   */
  putRound(round: ReapprovalRound): Promise<void>;

  /** One assignment, read consistently. */
  getAssignment(userId: string, privilegeId: string): Promise<Assignment | undefined>;
  /**
   * Privileges with re-approval settings, in id order (a sparse index: never the whole directory);
   * with `after`, those whose id comes after it (a chunked run's cursor).
   */
  listFlaggedPrivileges(options?: ListFrom): Pages<Privilege>;
  /**
   * Records on a flagged privilege the mode its MANUAL holders were initialized for
   * (`reapprovalInitializedFor`). Expects the privilege's settings to still have that mode: false
   * (nothing changed) when a load changed them meanwhile, unflagged it, or it is gone.
   */
  recordReapprovalInitialized(privilegeId: string, mode: ReapprovalMode): Promise<boolean>;
  /** A privilege's MANUAL assignments with no re-approval state (neither dated, scheduled nor running), in user id order. */
  listAwaitingInitialization(privilegeId: string): Pages<Assignment>;
  /**
   * CONTINUOUS assignments whose nextReapprovalAt is at or before `by` and that run nothing, oldest
   * date first (then user, then privilege id); with `after`, those past that position (`at`: its nextReapprovalAt).
   */
  listDueAssignments(by: string, options?: { after?: ReapprovalIndexPosition }): Pages<Assignment>;
  /**
   * SCHEDULED assignments not started in round `round` (lastReapprovalRound absent or earlier) that
   * run nothing, by last round (none first), then user, then privilege id; with `after`, those past
   * that position (`at`: its lastReapprovalRound, absent for none).
   */
  listScheduledAssignments(round: string, options?: { after?: ReapprovalIndexPosition }): Pages<Assignment>;

  /** Awaiting → CONTINUOUS (with its date) or SCHEDULED. Expects: MANUAL, no state. */
  initializeReapproval(userId: string, privilegeId: string, plan: { mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED' }): Promise<boolean>;
  /**
   * CONTINUOUS or SCHEDULED → awaiting initialization (the privilege was unflagged or changed mode;
   * the next initialization decides again). Expects: a mode (false if already awaiting), not running;
   * removes reapprovalMode only: nextReapprovalAt/lastReapprovalRound kept for the record.
   */
  resetReapproval(userId: string, privilegeId: string): Promise<boolean>;
  /**
   * → running. Expects: not running, and still in the state the caller read: the same mode and,
   * CONTINUOUS, the same nextReapprovalAt; SCHEDULED, the same lastReapprovalRound (undefined: none).
   */
  markReapprovalStarted(
    userId: string,
    privilegeId: string,
    expected: { mode: ReapprovalMode; nextReapprovalAt?: string; lastReapprovalRound?: string },
    running: RunningReapproval,
  ): Promise<boolean>;
  /**
   * running (this approvalId) → approved: approvedAt/approvedBy, and CONTINUOUS its next date,
   * SCHEDULED the round it was approved in; removes `reapproval`, leaves reapprovalMode as it is.
   * Without approvedAt/approvedBy (a rejection the blast-radius guard kept) the approval on record
   * stays as it was. Expects: `reapproval.approvalId === approvalId`.
   */
  completeReapproval(
    userId: string,
    privilegeId: string,
    approvalId: string,
    result: { approvedAt?: string; approvedBy?: string } & ({ mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED'; lastReapprovalRound: string }),
  ): Promise<boolean>;
  /**
   * A campaign hand-over's approval: approvedAt/approvedBy on a MANUAL assignment, and a CONTINUOUS
   * one that runs nothing gets `nextReapprovalAt` when given. Expects: MANUAL (true then, whether
   * or not nextReapprovalAt applied).
   */
  recordApproval(userId: string, privilegeId: string, approval: { approvedAt: string; approvedBy: string; nextReapprovalAt?: string }): Promise<boolean>;
}

/**
 * Where a chunked listing of a re-approval index resumes: just past the assignment that stood at this
 * position (its index date, then its ids), whether or not it is still there: starting a re-approval
 * moves the assignment out of the index, and the position stays valid. The DynamoDB adapter makes
 * it the query's ExclusiveStartKey (keys are deterministic from these fields), never a filter.
 */
export interface ReapprovalIndexPosition {
  /** The index date: nextReapprovalAt (due assignments), lastReapprovalRound (a round's; absent: never started). */
  at?: string;
  userId: string;
  privilegeId: string;
}

/** Where a chunked listing of the approval runs needing action resumes: just past this run's place. */
export interface ApprovalRunPosition {
  nextActionAt: string;
  id: string;
}

/** Approval runs (docs/reference/reapproval.md), on the campaign table beside entries. */
export interface ApprovalStore {
  /** Writes a new run (with its approver pointers) if its id is absent; false (nothing written) if it existed. */
  createApproval(run: ApprovalRun): Promise<boolean>;
  /** Read consistently. */
  getApproval(id: string): Promise<ApprovalRun | undefined>;
  /** Conditional on the stored version being `run.version - 1` (the caller increments); ConflictError otherwise. */
  saveApproval(run: ApprovalRun): Promise<void>;
  /** RUNNING runs where the user is a current approver, by due date. */
  listApprovalTasks(approverId: string): Promise<ApprovalRun[]>;
  /**
   * Runs whose nextActionAt is at or before `by`, oldest first (a sparse index on nextActionAt: the
   * engine removes it when the outcome is applied, and settled runs are not in it); with `after`,
   * those past that position.
   */
  listApprovalsNeedingAction(by: string, options?: { after?: ApprovalRunPosition }): Pages<ApprovalRun>;
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
  /** One run's notifications, by key; with `after` (a notification key), from the one after it. */
  listByRun(campaignId: string, runId: string, from?: ListFrom): Pages<Notification>;
  /**
   * A deleted run's cleanup, a chunk at a time: its settled notifications (SENT, SKIPPED, FAILED)
   * deleted or stamped (RecordRemoval); the unsent ones are left for dispatch. Returns how many were unsent.
   */
  removeSettled(notifications: Notification[], removal: RecordRemoval): Promise<number>;
  /**
   * The run's cleanup: removes its settled notifications (SENT, SKIPPED, FAILED) and leaves the
   * unsent ones for dispatch. True when none is left; resumable.
   */
  deleteRun(campaignId: string, runId: string): Promise<boolean>;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  /** Plain text. */
  body: string;
  /** An HTML alternative of the body (reports); notifications are text only. */
  html?: string;
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

/** Where a report or summary is delivered: the operations topic, and mail to the operations recipients. */
export type DeliveryChannel = 'topic' | 'mail';
/** One delivery of a report: the topic, or the mail to one recipient (`mail:<address in lower case>`, see mailTarget). */
export type DeliveryTarget = 'topic' | `mail:${string}`;
export const mailTarget = (address: string): DeliveryTarget => `mail:${address.trim().toLowerCase()}`;
/** A run's claim of a target, made before it sends. */
export interface DeliveryClaim {
  /** The run (a random id per delivery). */
  owner: string;
  claimedAt: string;
}
/** What was sent. */
export interface Delivery {
  at: string;
  messageId: string;
}
/** A target's state on the stored report: SENDING while a run holds its claim, then SENT. */
export type DeliveryState = ({ status: 'SENDING' } & DeliveryClaim) | ({ status: 'SENT' } & DeliveryClaim & Delivery);
export type ReportKind = 'daily' | 'weekly';

export interface StoredReport<T> {
  report: T;
  deliveries: Partial<Record<DeliveryTarget, DeliveryState>>;
}

/**
 * A removal of access outside a campaign (emergency access removal), recorded with who and why:
 * one record per user, privilege and request, written REMOVING before the assignment is removed,
 * then completed REMOVED, or NOT_REMOVED when the assignment was no longer MANUAL.
 */
export interface AccessRemoval {
  userId: string;
  privilegeId: string;
  origin: 'MANUAL';
  /** The grant removed, as the assignment was when the removal was recorded. */
  approvedAt?: string;
  approvedBy?: string;
  /** When the removal was recorded (asked for). */
  removedAt: string;
  removedBy: string;
  reason: string;
  /** The request that recorded it (a CLI invocation, an SSM execution). */
  requestId: string;
  /**
   * What authenticates `removedBy`, when the caller gave it: a Systems Manager automation execution
   * id (Systems Manager records the IAM identity that started it). `removedBy` itself is declared.
   */
  requestRef?: string;
  status: RemovalStatus;
  /** When the record was completed (REMOVED or NOT_REMOVED). */
  completedAt?: string;
  /** Why a NOT_REMOVED assignment was left in place. */
  notRemovedReason?: string;
}
export type RemovalStatus = 'REMOVING' | 'REMOVED' | 'NOT_REMOVED';
/** How a REMOVING record ends. */
export interface RemovalCompletion {
  status: Exclude<RemovalStatus, 'REMOVING'>;
  at: string;
  notRemovedReason?: string;
}

/** The risk assessment's checkpoint of a date. */
export interface AssessmentProgress {
  /** The last user of the last page stored. */
  afterUserId?: string;
  done: boolean;
  /** The round the checkpoint belongs to (RiskAssessment.round); absent on checkpoints written before rounds. */
  round?: string;
}

/** The operations table (lambdas/shared/config/tables.ts, OPERATIONS_TABLE). */
export interface OperationsStore {
  /** The configuration loaded with `idgov config load`, as stored (undefined: defaults apply). */
  getConfig(): Promise<{ config: OperationsConfig; loadedAt: string; loadedBy: string } | undefined>;
  putConfig(config: OperationsConfig, loadedBy: string, at: Date): Promise<void>;

  /** One per user per date; a re-run replaces. Expire `retentionDays` after their date. */
  putAssessments(assessments: RiskAssessment[], retentionDays: number): Promise<void>;
  /** The day's assessments in user id order. */
  listAssessments(date: string): Pages<RiskAssessment>;
  /** One user's assessments between two dates (inclusive), oldest first: the user's trend. */
  listAssessmentsOfUser(userId: string, fromDate: string, toDate: string): Promise<RiskAssessment[]>;
  /** The resumable assessment's checkpoint for a date: its round, the last user assessed, done. */
  getAssessmentProgress(date: string): Promise<AssessmentProgress | undefined>;
  putAssessmentProgress(date: string, progress: AssessmentProgress, retentionDays: number): Promise<void>;
  putRiskSummary(summary: RiskSummary, retentionDays: number): Promise<void>;
  /** The summary of `date`, else of the latest date before it (at most `lookbackDays` back). */
  getLatestRiskSummary(onOrBefore: string, lookbackDays: number): Promise<RiskSummary | undefined>;

  /** When the product was installed: recorded once, by the first job run (see recordInstallation). */
  getInstallation(): Promise<{ installedAt: string } | undefined>;
  /** Records the installation time if none is recorded (put if absent); true if this call recorded it. */
  recordInstallation(at: Date): Promise<boolean>;

  /** Records the start of a run and points the heartbeat's lastRun at it. */
  startRun(run: JobRun, retentionDays: number): Promise<void>;
  /** Records the end of a run (endedAt, outcome) and updates the heartbeat (lastRun, lastCompleted). */
  finishRun(run: JobRun, retentionDays: number): Promise<void>;
  getHeartbeats(jobs: readonly JobName[]): Promise<Map<JobName, JobHeartbeat>>;
  /** A job's runs, newest first. */
  listRuns(job: JobName, limit: number): Promise<JobRun[]>;

  /** Stores the report of its date, replacing the previous one and keeping its deliveries. */
  putReport(kind: 'daily', report: DailyReport, retentionDays: number): Promise<void>;
  putReport(kind: 'weekly', report: WeeklySummary, retentionDays: number): Promise<void>;
  getReport(kind: 'daily', date: string): Promise<StoredReport<DailyReport> | undefined>;
  getReport(kind: 'weekly', date: string): Promise<StoredReport<WeeklySummary> | undefined>;
  getReport(kind: ReportKind, date: string): Promise<StoredReport<DailyReport | WeeklySummary> | undefined>;
  /** Daily reports with dates in [fromDate, toDate], oldest first. */
  listDailyReports(fromDate: string, toDate: string): Promise<DailyReport[]>;
  /**
   * Claims a target of the stored report for a run, before it sends: true if the target has no
   * state, or a SENDING claim made before `staleBefore` (its run is presumed gone: taken over).
   * False (nothing changes) if it is SENT or another run's claim is fresh. NotFoundError if no report is stored.
   */
  claimDelivery(kind: ReportKind, date: string, target: DeliveryTarget, claim: DeliveryClaim, staleBefore: string): Promise<boolean>;
  /** Marks a target SENT if `delivery.owner` still holds its claim; false (nothing changes) if not: the claim was taken over. */
  recordDelivery(kind: ReportKind, date: string, target: DeliveryTarget, delivery: DeliveryClaim & Delivery): Promise<boolean>;
  /** Drops the owner's claim of a target whose send failed, so that a retry need not wait for it to go stale. */
  releaseDelivery(kind: ReportKind, date: string, target: DeliveryTarget, owner: string): Promise<void>;

  /** Entries certified (decided) per closing date, for complete days only. */
  getDayCounts(fromDate: string, toDate: string): Promise<Map<string, number>>;
  /** Stores a complete day's count, with when it was counted (wall clock). */
  putDayCount(date: string, certified: number, retentionDays: number, countedAt: Date): Promise<void>;

  /**
   * Records a removal about to be made (status REMOVING), keyed by user, privilege and request;
   * false (and nothing changes) if that request already has a record of that privilege.
   */
  recordRemoval(removal: AccessRemoval): Promise<boolean>;
  /**
   * Completes a REMOVING record: REMOVED, or NOT_REMOVED with the reason. False (nothing changes)
   * if it was completed already; NotFoundError if there is no such record.
   */
  completeRemoval(removal: Pick<AccessRemoval, 'userId' | 'privilegeId' | 'requestId'>, completion: RemovalCompletion): Promise<boolean>;
  /** A user's removal records, in privilege id then request id order. */
  listRemovals(userId: string): Promise<AccessRemoval[]>;
}

/**
 * Measures the product's components besides heartbeats: on AWS each function's errors and
 * throttles and each dead-letter queue's depth (CloudWatch), and every table's reachability.
 */
export interface HealthProbe {
  readonly source: 'local' | 'cloudwatch';
  measure(from: Date, to: Date): Promise<HealthComponent[]>;
}

/** Publishes a report to the operations topic. */
export interface ReportPublisher {
  publish(message: { subject: string; text: string; attributes?: Record<string, string> }): Promise<{ messageId: string }>;
}

export interface MetricDatum {
  name: string;
  unit: 'Count' | 'Percent' | 'None';
  value: number;
  dimensions?: Record<string, string>;
}

/** Custom metrics (Powertools Metrics, EMF, on AWS). */
export interface MetricsSink {
  publish(metrics: MetricDatum[]): Promise<void>;
}

/**
 * The append-only audit log (docs/reference/audit-log.md). Records are only ever created: the
 * adapter numbers each one after its chain's head, links and hashes it, and writes it on condition
 * that the number is free (so concurrent writers never fork a chain: the loser re-reads the head).
 */
export interface AuditLog {
  /**
   * Appends one record, unless a record with `eventKey` is in the chain already: then that one is
   * returned and nothing is written (a re-run of a killed job).
   */
  append(record: AuditAppend): Promise<AuditRecord>;
  /** The chain's records in order (seq ascending), a page at a time. */
  listRecords(chainId: AuditChainId, options?: { fromSeq?: number; toSeq?: number }): Pages<AuditRecord>;
  /** The last record, read consistently; undefined for an empty chain. */
  head(chainId: AuditChainId): Promise<AuditRecord | undefined>;
}

/** One file of an evidence pack, as written or read back. */
export interface EvidenceFile {
  name: string;
  content: Uint8Array;
}

/**
 * Where evidence packs outlive the operational data: the reports bucket (S3 Object Lock, compliance
 * mode) on AWS, `$IDGOV_HOME/evidence/` locally. A stored file is never replaced or deleted.
 */
export interface EvidenceArchive {
  /**
   * Writes a file under `prefix` unless one exists (a re-run after a kill): true if written, false
   * if it was there already (its content is left as it is).
   */
  putIfAbsent(prefix: string, file: EvidenceFile): Promise<boolean>;
  /** A stored file, or undefined. */
  get(prefix: string, name: string): Promise<Uint8Array | undefined>;
  /** Where a prefix is, for people: `s3://bucket/prefix` or a local directory. */
  describe(prefix: string): string;
}

/**
 * Signs evidence manifests: an asymmetric KMS key (RSASSA_PKCS1_V1_5_SHA_256) on AWS, an RSA key pair
 * under `$IDGOV_HOME/keys/` locally. PKCS#1 v1.5 signatures are deterministic: a re-run signs the same
 * manifest to the same bytes.
 */
export interface EvidenceSigner {
  /** Identifies the key (a KMS key ARN, or `local:<fingerprint>`). */
  keyId(): Promise<string>;
  /** The public key, PEM (SPKI): what `idgov evidence verify --public-key` takes. */
  publicKeyPem(): Promise<string>;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * Archives a DELETED run's evidence pack before its cleanup deletes the run's records
 * (docs/reference/evidence.md): in process locally and in tests (InProcessEvidenceArchiver), and on
 * AWS by the archive-evidence function (LambdaEvidenceArchiver), which keeps the report renderers,
 * the charting library and the S3 and KMS clients out of the controller.
 */
export interface EvidenceArchiver {
  /**
   * Writes the run's pack (each file only if absent, the manifest and its signature last), checks it
   * verifies and records EVIDENCE_ARCHIVED once in the run's chain; answers where it is, or undefined
   * while a notification of the run is unsent (a later controller run tries again). A re-run after a
   * kill answers the same.
   */
  archiveRun(campaign: Campaign, now: Date): Promise<ArchivedEvidence | undefined>;
}
