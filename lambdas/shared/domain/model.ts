// The product's vocabulary (docs/reference/directory.md and campaigns.md). Pure types: no AWS, no I/O.
import type { ApprovalState, ReapprovalMode, ReapprovalSettings, RunningReapproval } from './approvals/model.js';
import type { ArchivedEvidence } from './evidence/manifest.js';

export const RISK_LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const ORIGINS = ['MANUAL', 'RULE', 'INHERITED'] as const;
export type Origin = (typeof ORIGINS)[number];

export type AttributeValue = string | number | boolean | string[];

export interface User {
  id: string;
  displayName: string;
  email: string;
  managerId?: string;
  department?: string;
  status: 'ACTIVE' | 'DISABLED';
  /** What campaign filters read: the higher of the declared and the latest computed level. */
  riskLevel?: RiskLevel;
  /** The level the directory file declared (kept when the assessment raises riskLevel). */
  declaredRiskLevel?: RiskLevel;
  /** The latest risk assessment's computed level, and when. */
  computedRiskLevel?: RiskLevel;
  riskAssessedAt?: string;
  attributes?: Record<string, AttributeValue>;
  /**
   * A break-glass or last-admin account: no campaign, re-approval or emergency removal ever removes
   * its access (the item is reported KEPT_BY_GUARD). Set by the directory file, with why.
   */
  protected?: ProtectionMark;
}

/** Why an account or privilege is protected from removal (docs/reference/guards.md). */
export interface ProtectionMark {
  reason: string;
}

export interface Privilege {
  id: string;
  name: string;
  ownerIds: string[];
  riskLevel?: RiskLevel;
  attributes?: Record<string, AttributeValue>;
  /** The privilege's approval workflow (campaign `WORKFLOW` hand-over, and re-approval without its own); default DEFAULT_WORKFLOW. */
  approvalWorkflowId?: string;
  /** Present: the privilege's MANUAL assignments are re-approved (docs/reference/reapproval.md). */
  reapproval?: ReapprovalSettings;
  /**
   * The re-approval mode its MANUAL holders were last initialized for, written by InitializeReapproval
   * (never by the directory file); when it differs from `reapproval.mode`, the next run moves the
   * holders in another mode over. A directory load replaces the privilege record and drops it.
   */
  reapprovalInitializedFor?: ReapprovalMode;
  /** No assignment of a protected privilege is ever removed (see User.protected). */
  protected?: ProtectionMark;
}

export interface Assignment {
  userId: string;
  privilegeId: string;
  origin: Origin;
  endDate?: string;
  parameters?: Record<string, string>;
  /** When it was first granted (the directory file's, if known). */
  grantedAt?: string;
  /** The last approval (grant, campaign hand-over or re-approval). */
  approvedAt?: string;
  approvedBy?: string;
  /**
   * Re-approval state, kept by the re-approval jobs and never by a directory load (see
   * docs/reference/reapproval.md): the continuous mode's next date, the mode it was initialized for,
   * the last scheduled round it was started in, and the re-approval running now.
   */
  nextReapprovalAt?: string;
  reapprovalMode?: ReapprovalMode;
  lastReapprovalRound?: string;
  reapproval?: RunningReapproval;
}

/** The fields of an assignment that only the re-approval jobs write. */
export const REAPPROVAL_STATE_FIELDS = ['nextReapprovalAt', 'reapprovalMode', 'lastReapprovalRound', 'reapproval'] as const;

export const CAMPAIGN_KINDS = ['USER', 'PRIVILEGE'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

export const CAMPAIGN_STATES = ['PREPARING', 'RUNNING', 'SUCCEEDED', 'FAILED.PREPARED', 'DELETED'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const ENTRY_STATES = [
  'RUNNING',
  'APPROVAL.FINISHED',
  'FAILED.PREPARE',
  'FAILED.EXPIRED',
  'FAILED.APPLIED.CHANGES',
  'FINISHED',
] as const;
export type EntryState = (typeof ENTRY_STATES)[number];

export const NOTIFICATION_KINDS = [
  'APPROVAL_REMIND',
  'APPROVAL_START',
  'APPROVAL_TIMEOUT',
  'ASSIGNMENT_REJECT',
  'CAMPAIGN_END',
  'CAMPAIGN_START',
  'NO_APPROVER',
  'PREPARE_ERROR',
  'REVOCATION_UNVERIFIED',
  /** To the owner: applying would remove more than the campaign's cap; nothing is removed until confirmed (docs/reference/guards.md). */
  'APPLY_CONFIRMATION',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** WORKFLOW: hand the item to its privilege's approval workflow at the campaign's finish. */
export const REVOCATION_ACTIONS = ['KEEP', 'REMOVE', 'WORKFLOW'] as const;
export type RevocationAction = (typeof REVOCATION_ACTIONS)[number];

export interface RevocationSettings {
  rejected: RevocationAction;
  /** KEEP applies the approver's modification and keeps the assignment; REMOVE removes it. */
  modified: RevocationAction;
  uncertified: RevocationAction;
}

/**
 * The blast-radius cap: the share of the run's items (0..1) applying may remove without the
 * owner's confirmation (`idgov campaign confirm-apply`). Default DEFAULT_MAX_REMOVAL_SHARE.
 */
export interface GuardSettings {
  maxRemovalShare?: number;
}

export const DEFAULT_MAX_REMOVAL_SHARE = 0.2;

export interface ReminderSettings {
  daysBeforeDue: number;
  intervalHours: number;
}

export interface NotificationTemplate {
  active: boolean;
  subject: string;
  body: string;
}
export type NotificationTemplates = Record<NotificationKind, NotificationTemplate>;

export interface CampaignHooks {
  findSubjects?: string;
  limitResources?: string;
  findApprovers?: string;
}

/** What an administrator writes in a campaign file (validated by campaignDefinitionSchema). */
export interface CampaignDefinition {
  name: string;
  description?: string;
  kind: CampaignKind;
  ownerId: string;
  /** ISO 8601 instant (a plain date means 00:00 UTC). */
  startDate: string;
  approvalPeriodDays?: number;
  dueDate?: string;
  statusExpirationDate?: string;
  subjects: { filter?: string };
  resources?: { filter?: string };
  reminders?: ReminderSettings;
  revocation: RevocationSettings;
  guard?: GuardSettings;
  recurrence?: { intervalDays: number };
  hooks?: CampaignHooks;
  notifications?: Partial<Record<NotificationKind, Partial<NotificationTemplate>>>;
}

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';
export interface CampaignLog {
  at: string;
  level: LogLevel;
  message: string;
  field?: string;
}

/**
 * Where the controller stands inside the current state, so that a killed run resumes instead of
 * starting over. Each phase is idempotent on its own; the checkpoint only saves repeated work.
 */
export type CampaignPhase =
  | { name: 'START' }
  | { name: 'PREPARE'; afterSubjectId?: string; prepared?: PreparedCounts }
  /**
   * Every entry written: one Approval Start per approver of stage 1, chunk by chunk over the run's
   * entries from `after` (the last entry id announced), then Campaign Start and RUNNING. `listed`:
   * the entries the run's listing has shown so far in this walk; `relisted`: walks begun again
   * because the listing showed fewer entries than were prepared (an index that lagged).
   */
  | { name: 'ANNOUNCE'; prepared: PreparedCounts; after?: string; listed?: number; relisted?: number }
  /**
   * Before anything is applied: what applying would remove, counted chunk by chunk from `after`
   * (the last entry id counted). Over the campaign's revocation cap it waits for the owner.
   * `entries`: how many entries were counted so far (where the run stands, for the local progress line).
   */
  | { name: 'GUARD'; after?: string; counted?: ApplyCounts; entries?: number }
  | { name: 'AWAIT_CONFIRMATION'; counts: ApplyCounts; since: string }
  /** `after`: the last entry id applied. `confirmed`: the owner's confirmation of a campaign over its cap. */
  | { name: 'APPLY'; after?: string; confirmed?: ApplyConfirmation }
  /**
   * Reading the directory back after applying: `after` the last revocation checked (its
   * revocationCursor, use-cases/chunked.ts), with the running counts and the first still-present ones (for the owner's
   * notice), saved with each chunk (docs/reference/campaigns.md, "Revocation verification").
   */
  | { name: 'VERIFY'; after?: string; stillPresent?: number; verified?: number; notManual?: number; sample?: RevocationRef[] }
  /**
   * `after`: the last revocation whose user was told (revocationCursor), users in key order; `told`:
   * the users whose Assignment Reject is queued so far (where the run stands, for the progress line).
   */
  | { name: 'NOTIFY_REJECTS'; after?: string; told?: number }
  /**
   * A DELETED run's cleanup, once its evidence is archived: its entries (with their items), then its
   * revocations, then its notifications; `after` the last record of the pass done (docs/reference/scale.md),
   * `unsent` the notifications the pass found still to be sent (left for dispatch; the pass runs again).
   */
  | { name: 'CLEANUP'; pass: CleanupPass; after?: string; unsent?: number }
  | { name: 'DONE' };

/** A cleanup's passes, in the order it makes them. */
export const CLEANUP_PASSES = ['ENTRIES', 'REVOCATIONS', 'NOTIFICATIONS'] as const;
export type CleanupPass = (typeof CLEANUP_PASSES)[number];

/**
 * A run's totals, summed entry by entry as APPLY goes (saved with its cursor, so a resumed run counts
 * each entry once): Campaign End and the campaign's stats come from them, not from reading every entry again.
 */
export interface RunTotals {
  /** The run they count: a recurrence's new run starts from none. */
  runId: string;
  stats: CampaignStats;
  /** The first entries whose changes failed to apply, for Campaign End (its count is in stats). */
  failedEntries: { entryId: string; subjectName: string; error: string }[];
}

/** What applying a run's decisions removes, modifies, hands over and keeps (the guard's count). */
export interface ApplyCounts {
  items: number;
  remove: number;
  modify: number;
  handOver: number;
  keep: number;
  /** Removals a protected user or privilege blocks (kept, reported KEPT_BY_GUARD). */
  keptByGuard: number;
}

export interface ApplyConfirmation {
  by: string;
  at: string;
  /** The counts the owner saw and confirmed. */
  counts: ApplyCounts;
}

/**
 * What preparation wrote, summed chunk by chunk with its checkpoint (so a resumed run counts each
 * chunk once): the Campaign Start notice reports it without reading the entries back.
 */
export interface PreparedCounts {
  /** Stage-1 entries, those without an approver included. */
  entries: number;
  /** Assignments sent to approvers (the items of entries that have one). */
  items: number;
  /** Entries FAILED.PREPARE (no approver). */
  failedEntries: number;
}

export interface Campaign extends CampaignDefinition {
  id: string;
  state: CampaignState;
  /** Optimistic lock: every write is conditional on the version read. */
  version: number;
  /** 1 for the first run, incremented at every recurrence. */
  run: number;
  /** Partition of this run's entries; archived runs keep theirs. */
  runId: string;
  /**
   * Hex digits of the run's entry ids (domain/entries.ts entryIdFor), fixed when the run is created so
   * that every entry of a run, rewritten after a kill or a deploy, gets the same id. Absent on runs
   * created by a version before ids grew from 12 digits.
   */
  entryIdDigits?: number;
  phase: CampaignPhase;
  templates: NotificationTemplates;
  logs: CampaignLog[];
  /** Counts PREPARE_ERROR notifications so that a fixed-then-failed-again campaign notifies again. */
  prepareAttempt: number;
  createdAt: string;
  updatedAt: string;
  endDate?: string;
  /** Set on an archived run: the campaign it was archived from. */
  archivedFrom?: string;
  archived?: boolean;
  /** When DELETED, set once the cleanup removed the run's entries. */
  cleanedAt?: string;
  evidence?: ArchivedEvidence;
  stats?: CampaignStats;
  /** While the run applies its decisions and tells its users (APPLY .. NOTIFY_REJECTS): its totals so far. */
  runTotals?: RunTotals;
  /** What the VERIFY phase found when it read the run's revocations back (set when it ends). */
  verification?: RunVerification;
}

export interface CampaignStats extends EntryStats {
  entries: number;
  items: number;
  /** Entries by state at the end of the run. */
  entriesByState: Partial<Record<EntryState, number>>;
  /**
   * Revocations the VERIFY phase found still present in the directory (absent on runs finished
   * before verification existed). A figure of the finish: later re-checks update the revocations.
   */
  stillPresent?: number;
}

/** The VERIFY phase's totals: revocations read back, still present, and found again as RULE/INHERITED. */
export interface RunVerification {
  at: string;
  verified: number;
  stillPresent: number;
  notManual: number;
}

/** A revocation named for people (the owner's notice lists a few). */
export interface RevocationRef {
  userId: string;
  privilegeId: string;
  privilegeName?: string;
}

export type SubjectKind = CampaignKind;

export interface Entry {
  id: string;
  campaignId: string;
  runId: string;
  subjectKind: SubjectKind;
  subjectId: string;
  subjectName: string;
  /** 1-based approval stage. */
  stage: number;
  state: EntryState;
  approverIds: string[];
  dueDate: string;
  itemCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** When the entry left RUNNING (decided, expired) and when it was applied. */
  closedAt?: string;
  endDate?: string;
  /** Index of the last reminder slot sent; reminders are idempotent per slot. */
  lastReminderSlot?: number;
  error?: string;
  /** Filled when the entry's decisions are applied. */
  stats?: EntryStats;
  /** The subject's whole approval plan (docs/reference/campaigns.md downstream stages); stage n is plan[n - 1]. */
  plan?: StagePlan[];
  /** Who handed the entry to whom, when and why. */
  reassignments?: Reassignment[];
  /** Items whose approver was replaced so that nobody certifies their own access. */
  substitutions?: Substitution[];
  /** When the next stage was started from this entry, and its entries. */
  advancedAt?: string;
  nextEntryIds?: string[];
  /**
   * A later stage's entry not yet announced: the id of the first entry the controller run that wrote
   * it wrote (its batch). Its approvers' Approval Start (one per approver for the batch) is queued,
   * then this is removed (docs/reference/notifications.md).
   */
  announceBatch?: string;
}

export interface StagePlan {
  approverIds: string[];
  name?: string;
  /** Days the stage has from its start; default the campaign's approval period. */
  periodDays?: number;
}

export interface Reassignment {
  from: string[];
  to: string;
  by: string;
  at: string;
  justification: string;
  previousDueDate?: string;
  dueDate?: string;
}

export interface Substitution {
  itemId: string;
  /** The approver who would have certified their own access. */
  from: string;
  to: string;
  reason: string;
}

export interface EntryStats {
  approved: number;
  rejected: number;
  modified: number;
  uncertified: number;
  revoked: number;
  /** Items a `WORKFLOW` revocation handed to an approval run (their outcome is on each item's `workflow`). */
  handedOver: number;
  /** Items the decision would remove (or hand over) that a protected user or privilege kept (absent before guards existed). */
  keptByGuard?: number;
}

export const DECISION_OUTCOMES = ['APPROVE', 'REJECT', 'MODIFY'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export interface Decision {
  outcome: DecisionOutcome;
  /** MODIFY: the new end date; null removes the end date. */
  endDate?: string | null;
  /** MODIFY: role parameters to set; a null value removes that parameter from the assignment. */
  parameters?: Record<string, string | null>;
  comment?: string;
  decidedBy: string;
  decidedAt: string;
}

/** HANDED_OVER: a `WORKFLOW` revocation started an approval run (Item.workflow says which, and how it ended). */
/** KEPT_BY_GUARD: the decision would remove it, but the user or the privilege is protected. */
export type AppliedAction = 'KEPT' | 'MODIFIED' | 'REMOVED' | 'HANDED_OVER' | 'KEPT_BY_GUARD';

/** A campaign item handed to its privilege's approval workflow, and later that run's outcome. */
export interface ItemWorkflow {
  approvalId: string;
  workflowId: string;
  startedAt: string;
  state: ApprovalState;
  /** Set when the run ended: APPROVED (kept) or REJECTED (removed), with when and by whom. */
  outcomeAt?: string;
  outcomeBy?: string;
  /** What the outcome did to the assignment (ApprovalApplied.action). */
  appliedAction?: 'KEPT' | 'REMOVED' | 'NOT_MANUAL' | 'GONE' | 'KEPT_BY_GUARD';
}

export interface Item {
  entryId: string;
  id: string;
  userId: string;
  privilegeId: string;
  /** Context for the approver, copied at preparation. */
  userName?: string;
  privilegeName?: string;
  privilegeRisk?: RiskLevel;
  /** How the assignment was granted, copied at preparation (absent on items prepared before it was). */
  origin?: Origin;
  endDate?: string;
  parameters?: Record<string, string>;
  grantedAt?: string;
  grantedBy?: string;
  decision?: Decision;
  /** `reason`: why it was kept, for KEPT_BY_GUARD (the protection, docs/reference/guards.md). */
  applied?: { action: AppliedAction; at: string; error?: string; reason?: string };
  /** Decisions of earlier stages, oldest first (downstream approval). */
  priorDecisions?: Decision[];
  /** Set when a `WORKFLOW` revocation handed the item to an approval run. */
  workflow?: ItemWorkflow;
}

export const NOTIFICATION_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One outbox record: rendered when enqueued, sent by the dispatcher, never sent twice. */
export interface Notification {
  /** Idempotency key, deterministic from what the notification is about. */
  key: string;
  kind: NotificationKind;
  campaignId: string;
  runId: string;
  entryId?: string;
  recipientId: string;
  to?: string;
  subject: string;
  body: string;
  status: NotificationStatus;
  createdAt: string;
  attempts: number;
  sentAt?: string;
  messageId?: string;
  lastError?: string;
  /** While SENDING: which dispatcher claimed it and until when (wall clock). */
  claimedBy?: string;
  claimExpiresAt?: string;
  /**
   * The entry version whose change this notice announces (a rescue's or a reassignment's Approval
   * Start, recorded before the entry is saved): the dispatcher holds it until the entry has it.
   */
  entryVersion?: number;
  /**
   * A notice of an approval run (re-approval or campaign hand-over): `campaignId` and `runId` are the
   * run's id too, and the dispatcher checks the run (not a campaign) before sending work notices.
   */
  approvalId?: string;
}

/** One removed assignment of a run; the basis of the one-per-user Assignment Reject. */
export interface Revocation {
  runId: string;
  campaignId: string;
  userId: string;
  privilegeId: string;
  privilegeName?: string;
  entryId: string;
  itemId: string;
  reason: 'REJECTED' | 'MODIFIED' | 'UNCERTIFIED';
  at: string;
  /** Set when the directory was read back after applying (the VERIFY phase). */
  verification?: RevocationVerification;
}

/**
 * STILL_PRESENT: the MANUAL assignment was found in the directory after it was removed. ABSENT: it
 * was not; `origin` says the assignment was found again but RULE or INHERITED (granted by a rule
 * since: no longer the campaign's to remove, so the manual grant counts as gone).
 */
export interface RevocationVerification {
  status: 'ABSENT' | 'STILL_PRESENT';
  /** When it was read back (the latest check). */
  at: string;
  origin?: 'RULE' | 'INHERITED';
  /** STILL_PRESENT: when it was first found still present. */
  since?: string;
  /** STILL_PRESENT: when a later controller run reads it back again (until it is gone). */
  nextCheckAt?: string;
}

export const riskRank = (level: RiskLevel | undefined): number => (level ? RISK_LEVELS.indexOf(level) : -1);
