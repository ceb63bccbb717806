// The audit log's vocabulary (docs/reference/audit-log.md): append-only records in hash chains, one
// chain per campaign run, one per re-approved privilege, and one for administration. Pure types.

/** What happened. Each event names its subject in `data` (entryId, itemId, userId, privilegeId, ...). */
export const AUDIT_EVENT_TYPES = [
  // campaign
  'CAMPAIGN_CREATED',
  'CAMPAIGN_DEFINITION_CHANGED',
  'CAMPAIGN_STATE_CHANGED',
  'CAMPAIGN_DUE_DATE_CHANGED',
  'CAMPAIGN_RUN_ARCHIVED',
  'EVIDENCE_ARCHIVED',
  'CAMPAIGN_CLEANED_UP',
  // blast-radius guards (docs/reference/guards.md)
  'APPLY_GUARD_CHECKED',
  'APPLY_CONFIRMED',
  // entries and items
  'ENTRY_CREATED',
  'ENTRY_STATE_CHANGED',
  'ENTRY_DUE_DATE_CHANGED',
  'ENTRY_REASSIGNED',
  'ITEM_DECIDED',
  'ITEM_APPLIED',
  'ASSIGNMENT_REVOKED',
  'ITEM_HANDED_OVER',
  'ITEM_KEPT_BY_GUARD',
  'HANDOVER_OUTCOME',
  // revocation verification (the directory read back after applying)
  'REVOCATIONS_VERIFIED',
  'VERIFICATION_COMPLETED',
  'REVOCATION_RECHECKED',
  // notifications
  'NOTIFICATION_QUEUED',
  'NOTIFICATION_SENT',
  'NOTIFICATION_FAILED',
  'NOTIFICATION_SKIPPED',
  // approval runs (re-approval and campaign hand-over)
  'APPROVAL_STARTED',
  'APPROVAL_STEP_OPENED',
  'APPROVAL_DECIDED',
  'APPROVAL_ESCALATED',
  'APPROVAL_COMPLETED',
  'REAPPROVAL_OUTCOME_APPLIED',
  // administration
  'DIRECTORY_LOADED',
  'WORKFLOWS_LOADED',
  'REAPPROVAL_SCHEDULED',
  'OPERATIONS_CONFIG_CHANGED',
  'EMERGENCY_REVOCATION',
  // a change recorded before it was made (a job writes the record first) that was then not made
  'CHANGE_ABANDONED',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * Who caused an event: a person (`user:<id>`, the approver or the administrator named by `--by`),
 * or a job (`job:campaign-controller`, `job:start-reapproval`, ...).
 */
export type AuditActor = `user:${string}` | `job:${string}`;
export const userActor = (id: string): AuditActor => `user:${id}`;
export const jobActor = (name: string): AuditActor => `job:${name}`;

export interface AuditEvent {
  type: AuditEventType;
  /** Business time of the change (the injected clock). */
  at: string;
  actor: AuditActor;
  /** JSON data only (no undefined, no Date): it is hashed in its canonical form. */
  data: Record<string, unknown>;
}

/**
 * A chain: `run:<runId>` (a campaign run: the record of a campaign from creation to cleanup; an
 * archived run keeps its runId), `privilege:<privilegeId>` (its re-approvals), `admin` (directory,
 * workflows, configuration, emergency revocations).
 */
export type AuditChainId = `run:${string}` | `privilege:${string}` | 'admin';
export const runChain = (runId: string): AuditChainId => `run:${runId}`;
export const privilegeChain = (privilegeId: string): AuditChainId => `privilege:${privilegeId}`;
export const ADMIN_CHAIN: AuditChainId = 'admin';

/** What a writer hands to the log: the log numbers, links and hashes it. */
export interface AuditAppend {
  chainId: AuditChainId;
  /**
   * Deterministic from the change recorded (e.g. `entry:<id>:v<version>`): a record with this key
   * already in the chain is not written again (a re-run of a killed job), so re-runs never duplicate.
   */
  eventKey: string;
  /** Business time of the record (usually the time of its events). */
  at: string;
  campaignId?: string;
  events: AuditEvent[];
}

/** One stored record. Never updated or deleted. */
export interface AuditRecord extends AuditAppend {
  /** 1, 2, 3, ... without gaps within a chain. */
  seq: number;
  /** The previous record's hash (GENESIS_HASH for seq 1). */
  prevHash: string;
  /** SHA-256 (hex) of the record's canonical JSON without `hash`. */
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
