// The audit log's events as the product writes them (docs/reference/audit-log-events.md): which
// chain a record goes to, its eventKey, and each event's data. Pure: the use cases call these and
// hand the result to AuditLog.append (use-cases/audit-trail.ts).
import { isForwarded } from '../stages.js';
import type { ApprovalEvent, ApprovalRun } from '../approvals/model.js';
import type {
  ApplyConfirmation,
  ApplyCounts,
  Campaign,
  CampaignState,
  Decision,
  Entry,
  EntryState,
  Item,
  Notification,
  Reassignment,
  Revocation,
  RevocationVerification,
  RunVerification,
} from '../model.js';
import { canonicalJson, sha256Hex } from './chain.js';
import { jobActor, privilegeChain, runChain, userActor, type AuditActor, type AuditAppend, type AuditEvent, type AuditEventType } from './model.js';

export const CONTROLLER_ACTOR = jobActor('campaign-controller');
export const START_REAPPROVAL_ACTOR = jobActor('start-reapproval');
export { userActor };

/**
 * Record keys. A job's key names the version its change saves (a re-run after a kill computes the
 * same key, finds the record and writes nothing); a request's key has a prefix of its own, so that
 * a request never mistakes a job's record of the same version (written before a save the request
 * then won) for its own.
 */
export const auditKey = {
  // jobs (written before the change)
  campaign: (c: Pick<Campaign, 'id' | 'version'>) => `campaign:${c.id}:v${c.version}`,
  prepare: (c: Pick<Campaign, 'runId' | 'version'>, checkpoint: string) => `prepare:${c.runId}:${checkpoint}:v${c.version}`,
  archive: (archive: Pick<Campaign, 'id'>) => `archive:${archive.id}`,
  entry: (e: Pick<Entry, 'id' | 'version'>) => `entry:${e.id}:v${e.version}`,
  approval: (run: Pick<ApprovalRun, 'id' | 'version'>) => `approval:${run.id}:v${run.version}`,
  sent: (n: Pick<Notification, 'key'>) => `sent:${n.key}`,
  failed: (n: Pick<Notification, 'key'>) => `failed:${n.key}`,
  skipped: (n: Pick<Notification, 'key'>) => `skipped:${n.key}`,
  abandoned: (eventKey: string) => `abandoned:${eventKey}`,
  /** An APPLY chunk's group of entries: its first and last (a repeated chunk has the same; written after its entries are saved). */
  apply: (c: Pick<Campaign, 'runId'>, firstEntryId: string, lastEntryId: string) => `apply:${c.runId}:${firstEntryId}..${lastEntryId}`,
  /** A VERIFY chunk: the campaign version it starts from (each chunk's checkpoint saves a new one). */
  verify: (c: Pick<Campaign, 'runId' | 'version'>) => `verify:${c.runId}:v${c.version}`,
  /** An ANNOUNCE chunk: its approvers' Approval Starts, before they are queued (the campaign version that saves its cursor). */
  announce: (c: Pick<Campaign, 'runId' | 'version'>) => `announce:${c.runId}:v${c.version}`,
  /** A later stage's Approval Starts for the entries one controller run wrote (its batch). */
  announceBatch: (c: Pick<Campaign, 'runId'>, stage: number, batch: string) => `announce:${c.runId}:${stage}:${batch}`,
  /** An approver's Approval Remind for a reminder slot (its start), before it is queued (one record per approver: a later pass in the slot may remind others). */
  remind: (c: Pick<Campaign, 'runId'>, slotStart: string, approverId: string) => `remind:${c.runId}:${slotStart}:${approverId}`,
  /** A NOTIFY_REJECTS chunk: its users' Assignment Rejects, before they are queued (the campaign version that saves its cursor). */
  rejects: (c: Pick<Campaign, 'runId' | 'version'>) => `rejects:${c.runId}:v${c.version}`,
  /** A retry's removals of one entry, read back, before they are saved (the entry's version before the retry saves it). */
  verifyRetry: (c: Pick<Campaign, 'runId'>, e: Pick<Entry, 'id' | 'version'>) => `verify:${c.runId}:${e.id}:v${e.version}`,
  /** A later re-check of a removal found still present: the check it follows. */
  recheck: (r: Pick<Revocation, 'runId' | 'userId' | 'privilegeId'>, previousCheckAt: string) => `recheck:${r.runId}:${r.userId}#${r.privilegeId}:${previousCheckAt}`,
  // requests (written after the change)
  created: (c: Pick<Campaign, 'id'>) => `created:${c.id}`,
  campaignChange: (c: Pick<Campaign, 'id' | 'version'>) => `change:${c.id}:v${c.version}`,
  entryChange: (e: Pick<Entry, 'id' | 'version'>) => `change:${e.id}:v${e.version}`,
  reassign: (e: Pick<Entry, 'id' | 'version'>) => `reassign:${e.id}:v${e.version}`,
  rescue: (e: Pick<Entry, 'id' | 'version'>) => `rescue:${e.id}:v${e.version}`,
  decide: (entryId: string, at: string, itemIds: readonly string[]) => `decide:${entryId}:${at}:${sha256Hex([...itemIds].sort().join('\n')).slice(0, 16)}`,
  approvalDecision: (run: Pick<ApprovalRun, 'id' | 'version'>) => `decision:${run.id}:v${run.version}`,
  /** A run is confirmed once (`campaign confirm-apply`): a confirmation repeated after a kill finds its record. */
  confirmApply: (c: Pick<Campaign, 'runId'>) => `confirm:${c.runId}`,
  // the admin chain
  directoryLoad: (at: string, digest: string) => `directory:${at}:${digest.slice(0, 16)}`,
  workflowsLoad: (at: string, digest: string) => `workflows:${at}:${digest.slice(0, 16)}`,
  reapprovalSchedule: (date: string, at: string) => `schedule:${date}:${at}`,
  operationsConfig: (at: string, digest: string) => `config:${at}:${digest.slice(0, 16)}`,
  emergency: (requestId: string, userId: string) => `emergency:${requestId}:${userId}`,
};

/** SHA-256 of a value's canonical JSON: names a file or a configuration in an event without copying it. */
export const digestOf = (value: unknown) => sha256Hex(canonicalJson(value));

/** Object members left out when undefined (canonical JSON would drop them; this keeps data tidy). */
function compact(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}

export const auditEvent = (type: AuditEventType, at: string, actor: AuditActor, data: Record<string, unknown>): AuditEvent => ({
  type,
  at,
  actor,
  data: compact(data),
});

// ---------------------------------------------------------------------------------------------
// Records: which chain

/** The campaign a run belongs to (an archived run keeps the id of the campaign it came from). */
export const campaignIdOf = (c: Pick<Campaign, 'id' | 'archivedFrom'>) => c.archivedFrom ?? c.id;

export function campaignRecord(c: Pick<Campaign, 'id' | 'archivedFrom' | 'runId'>, eventKey: string, at: string, events: AuditEvent[]): AuditAppend {
  return { chainId: runChain(c.runId), eventKey, at, campaignId: campaignIdOf(c), events };
}

export function entryRecord(e: Pick<Entry, 'runId' | 'campaignId'>, eventKey: string, at: string, events: AuditEvent[]): AuditAppend {
  return { chainId: runChain(e.runId), eventKey, at, campaignId: e.campaignId, events };
}

/** A re-approval logs into its privilege's chain; a campaign hand-over into the run that handed the item over. */
export function approvalRecord(run: Pick<ApprovalRun, 'purpose' | 'privilegeId'>, eventKey: string, at: string, events: AuditEvent[]): AuditAppend {
  const { purpose } = run;
  return purpose.kind === 'CAMPAIGN'
    ? { chainId: runChain(purpose.runId), eventKey, at, campaignId: purpose.campaignId, events }
    : { chainId: privilegeChain(run.privilegeId), eventKey, at, events };
}

/**
 * The parts a record is written as: one, unless its events would pass `maxBytes` of canonical JSON
 * (a large preparation chunk, a campaign's Assignment Rejects); then each part holds as many events
 * as fit, in order, under keys `<eventKey>`, `<eventKey>#2`, ... (the same events split the same way,
 * so a re-run finds each part it wrote).
 */
export function splitRecord(draft: AuditAppend, maxBytes = 200_000): AuditAppend[] {
  const parts: AuditEvent[][] = [];
  let current: AuditEvent[] = [];
  let size = 0;
  for (const event of draft.events) {
    const bytes = Buffer.byteLength(canonicalJson(event), 'utf8') + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(event);
    size += bytes;
  }
  if (current.length > 0) parts.push(current);
  return parts.map((events, i) => ({ ...draft, eventKey: i === 0 ? draft.eventKey : `${draft.eventKey}#${i + 1}`, events }));
}

// ---------------------------------------------------------------------------------------------
// Campaigns

/** What a run was set up to do: the definition, without the notification templates (long, and not a control). */
export function definitionOf(c: Campaign): Record<string, unknown> {
  return compact({
    name: c.name,
    kind: c.kind,
    ownerId: c.ownerId,
    startDate: c.startDate,
    dueDate: c.dueDate,
    approvalPeriodDays: c.approvalPeriodDays,
    statusExpirationDate: c.statusExpirationDate,
    subjects: c.subjects,
    resources: c.resources,
    reminders: c.reminders,
    revocation: c.revocation,
    recurrence: c.recurrence,
    hooks: c.hooks,
    guard: c.guard,
    templatesSha256: digestOf(c.templates),
  });
}

export const campaignCreated = (c: Campaign, actor: AuditActor, at: string) =>
  auditEvent('CAMPAIGN_CREATED', at, actor, { campaignId: c.id, runId: c.runId, run: c.run, state: c.state, definition: definitionOf(c) });

export const campaignDefinitionChanged = (c: Campaign, actor: AuditActor, at: string, changed: Record<string, unknown>) =>
  auditEvent('CAMPAIGN_DEFINITION_CHANGED', at, actor, { campaignId: c.id, runId: c.runId, ...changed });

export function campaignStateChanged(
  from: CampaignState,
  to: Pick<Campaign, 'id' | 'runId' | 'state'>,
  actor: AuditActor,
  at: string,
  extra: Record<string, unknown> = {},
): AuditEvent {
  return auditEvent('CAMPAIGN_STATE_CHANGED', at, actor, { campaignId: to.id, runId: to.runId, from, to: to.state, ...extra });
}

/** The guard's count before anything is applied (docs/reference/guards.md): what applying would do, and whether it is over the cap. */
export const applyGuardChecked = (
  c: Pick<Campaign, 'id' | 'runId'>,
  counts: ApplyCounts,
  verdict: { maxRemovalShare: number; removalShare: number; exceeded: boolean },
  actor: AuditActor,
  at: string,
) =>
  auditEvent('APPLY_GUARD_CHECKED', at, actor, {
    campaignId: c.id,
    runId: c.runId,
    counts: { ...counts },
    maxRemovalShare: verdict.maxRemovalShare,
    removalShare: verdict.removalShare,
    exceeded: verdict.exceeded,
    next: verdict.exceeded ? 'AWAIT_CONFIRMATION' : 'APPLY',
  });

/** The owner's (or an administrator's) confirmation of a campaign over its cap. */
export const applyConfirmed = (c: Pick<Campaign, 'id' | 'runId' | 'ownerId'>, confirmation: ApplyConfirmation, maxRemovalShare: number, actor: AuditActor) =>
  auditEvent('APPLY_CONFIRMED', confirmation.at, actor, {
    campaignId: c.id,
    runId: c.runId,
    by: confirmation.by,
    asOwner: confirmation.by === c.ownerId,
    counts: { ...confirmation.counts },
    maxRemovalShare,
  });

export const campaignDueDateChanged = (c: Pick<Campaign, 'id' | 'runId' | 'dueDate'>, from: string | undefined, actor: AuditActor, at: string) =>
  auditEvent('CAMPAIGN_DUE_DATE_CHANGED', at, actor, { campaignId: c.id, runId: c.runId, from: from ?? null, to: c.dueDate ?? null });

export const campaignRunArchived = (archive: Campaign, actor: AuditActor, at: string, nextRunId: string) =>
  auditEvent('CAMPAIGN_RUN_ARCHIVED', at, actor, { campaignId: campaignIdOf(archive), runId: archive.runId, archiveId: archive.id, nextRunId });

// ---------------------------------------------------------------------------------------------
// Entries and items

export function entryCreated(entry: Entry, items: readonly Pick<Item, 'id'>[], actor: AuditActor, at: string, previousEntryId?: string): AuditEvent {
  return auditEvent('ENTRY_CREATED', at, actor, {
    entryId: entry.id,
    stage: entry.stage,
    subjectKind: entry.subjectKind,
    subjectId: entry.subjectId,
    subjectName: entry.subjectName,
    state: entry.state,
    approverIds: entry.approverIds,
    dueDate: entry.dueDate,
    // An item is named by the other side of the assignment: a privilege (USER campaign) or a user.
    itemIds: items.map((i) => i.id),
    substitutions: entry.substitutions?.length ? entry.substitutions : undefined,
    previousEntryId,
  });
}

/** `from` undefined: an application, recorded from the saved entry (the state it was applied from is the chain's previous change). */
export function entryStateChanged(from: EntryState | undefined, to: Entry, actor: AuditActor, at: string, extra: Record<string, unknown> = {}): AuditEvent {
  return auditEvent('ENTRY_STATE_CHANGED', at, actor, { entryId: to.id, stage: to.stage, subjectId: to.subjectId, from, to: to.state, ...extra });
}

export const entryDueDateChanged = (entry: Entry, from: string, actor: AuditActor, at: string) =>
  auditEvent('ENTRY_DUE_DATE_CHANGED', at, actor, { entryId: entry.id, subjectId: entry.subjectId, from, to: entry.dueDate });

export const entryReassigned = (entry: Entry, r: Reassignment, actor: AuditActor) =>
  auditEvent('ENTRY_REASSIGNED', r.at, actor, {
    entryId: entry.id,
    subjectId: entry.subjectId,
    from: r.from,
    to: r.to,
    by: r.by,
    justification: r.justification,
    previousDueDate: r.previousDueDate,
    dueDate: r.dueDate,
  });

/**
 * A decision request on one entry: one event listing every item it decided (who, when, and the
 * entry are the same for all), so that the log costs a few dozen bytes an item, not a record.
 */
export function itemsDecided(entry: Entry, decided: readonly { item: Pick<Item, 'id' | 'userId' | 'privilegeId'>; decision: Decision }[]): AuditEvent {
  const first = decided[0]!.decision;
  return auditEvent('ITEM_DECIDED', first.decidedAt, userActor(first.decidedBy), {
    entryId: entry.id,
    stage: entry.stage,
    subjectId: entry.subjectId,
    decidedBy: first.decidedBy,
    items: decided.map(({ item, decision: d }) =>
      compact({ itemId: item.id, userId: item.userId, privilegeId: item.privilegeId, outcome: d.outcome, comment: d.comment, endDate: d.endDate, parameters: d.parameters }),
    ),
  });
}

/** How applying one item went. */
export type ItemOutcome =
  | { action: 'KEPT' | 'MODIFIED'; note?: string; endDate?: string | null; parameters?: Record<string, string | null> }
  | { action: 'REMOVED'; reason: string }
  | { action: 'HANDED_OVER'; approvalId?: string; workflowId?: string; reason: string }
  /** `reason` is the revocation's (REJECTED, MODIFIED, UNCERTIFIED); `guard` the protection that kept it. */
  | { action: 'KEPT_BY_GUARD'; reason: string; guard: string }
  | { action: 'NOT_MANUAL' | 'FAILED'; error: string };

/**
 * An entry's application, as at most four events, each listing its items: ITEM_APPLIED (kept,
 * modified, left as not MANUAL, refused by the directory; with the decision's category),
 * ASSIGNMENT_REVOKED (removed, with the reason), ITEM_HANDED_OVER (to an approval run) and
 * ITEM_KEPT_BY_GUARD (a removal a protected user or privilege blocked, with the protection).
 */
export function itemsApplied(entry: Entry, applied: readonly { item: Item; outcome: ItemOutcome; category?: string }[], actor: AuditActor, at: string): AuditEvent[] {
  const subject = (item: Item) => ({ itemId: item.id, userId: item.userId, privilegeId: item.privilegeId });
  const of = (actions: ItemOutcome['action'][]) => applied.filter((a) => actions.includes(a.outcome.action));
  const events: AuditEvent[] = [];
  const kept = of(['KEPT', 'MODIFIED', 'NOT_MANUAL', 'FAILED']);
  if (kept.length > 0) {
    events.push(auditEvent('ITEM_APPLIED', at, actor, { entryId: entry.id, items: kept.map(({ item, outcome, category }) => compact({ ...subject(item), category, ...outcome })) }));
  }
  const removed = of(['REMOVED']);
  if (removed.length > 0) events.push(auditEvent('ASSIGNMENT_REVOKED', at, actor, { entryId: entry.id, items: removed.map(({ item, outcome }) => ({ ...subject(item), ...outcome })) }));
  const handed = of(['HANDED_OVER']);
  if (handed.length > 0) events.push(auditEvent('ITEM_HANDED_OVER', at, actor, { entryId: entry.id, items: handed.map(({ item, outcome }) => compact({ ...subject(item), ...outcome })) }));
  const guarded = of(['KEPT_BY_GUARD']);
  if (guarded.length > 0) {
    events.push(auditEvent('ITEM_KEPT_BY_GUARD', at, actor, { entryId: entry.id, items: guarded.map(({ item, outcome, category }) => compact({ ...subject(item), category, ...outcome })) }));
  }
  return events;
}

/** The items an entry's application speaks for (those a later stage decides are applied there). */
export const appliedItemsOf = (entry: Entry, items: readonly Item[]) => items.filter((i) => !isForwarded(entry, i));

// ---------------------------------------------------------------------------------------------
// Revocation verification

const removalOf = (r: Revocation) => ({ userId: r.userId, privilegeId: r.privilegeId, entryId: r.entryId, itemId: r.itemId });

/**
 * One VERIFY chunk, as its revocations were recorded: how many were read back, how many were
 * absent, and each one found still present or granted by a rule since (its origin).
 */
export function revocationsVerified(checked: readonly Revocation[], after: string | undefined, actor: AuditActor, at: string): AuditEvent {
  const of = (test: (r: Revocation) => boolean) => checked.filter(test);
  return auditEvent('REVOCATIONS_VERIFIED', at, actor, {
    after: after ?? null,
    verified: checked.length,
    absent: of((r) => r.verification?.status === 'ABSENT').length,
    stillPresent: of((r) => r.verification?.status === 'STILL_PRESENT').map(removalOf),
    notManual: of((r) => r.verification?.status === 'ABSENT' && r.verification.origin !== undefined).map((r) => ({ ...removalOf(r), origin: r.verification!.origin })),
  });
}

export const verificationCompleted = (c: Pick<Campaign, 'id' | 'runId'>, totals: RunVerification, actor: AuditActor, at: string) =>
  auditEvent('VERIFICATION_COMPLETED', at, actor, { campaignId: c.id, runId: c.runId, verified: totals.verified, stillPresent: totals.stillPresent, notManual: totals.notManual });

/** A later check of a removal found still present (since `previous.since`), that found it gone (or granted by a rule since). */
export const revocationRechecked = (r: Revocation, previous: RevocationVerification | undefined, actor: AuditActor, at: string) =>
  auditEvent('REVOCATION_RECHECKED', at, actor, {
    ...removalOf(r),
    status: r.verification?.status,
    origin: r.verification?.origin,
    stillPresentSince: previous?.since ?? previous?.at,
  });

// ---------------------------------------------------------------------------------------------
// Notifications

type NoticeFacts = Pick<Notification, 'key' | 'kind' | 'recipientId'> & Partial<Pick<Notification, 'entryId' | 'approvalId'>>;

export const notificationsQueued = (notices: readonly NoticeFacts[], actor: AuditActor, at: string): AuditEvent[] =>
  notices.map((n) =>
    auditEvent('NOTIFICATION_QUEUED', at, actor, { key: n.key, kind: n.kind, recipientId: n.recipientId, entryId: n.entryId, approvalId: n.approvalId }),
  );

export const notificationOutcome = (
  type: 'NOTIFICATION_SENT' | 'NOTIFICATION_FAILED' | 'NOTIFICATION_SKIPPED',
  n: Notification,
  actor: AuditActor,
  at: string,
  extra: { error?: string; reason?: string; attempts?: number },
) => auditEvent(type, at, actor, { key: n.key, kind: n.kind, recipientId: n.recipientId, entryId: n.entryId, approvalId: n.approvalId, ...extra });

// ---------------------------------------------------------------------------------------------
// Approval runs (re-approval and campaign hand-over)

export function approvalStarted(run: ApprovalRun, actor: AuditActor, at: string): AuditEvent {
  const { purpose } = run;
  return auditEvent('APPROVAL_STARTED', at, actor, {
    approvalId: run.id,
    userId: run.userId,
    privilegeId: run.privilegeId,
    workflowId: run.workflow.id,
    steps: run.workflow.steps.length,
    purpose: purpose.kind,
    ...(purpose.kind === 'REAPPROVAL'
      ? { mode: purpose.mode, dueAt: purpose.dueAt }
      : { campaignId: purpose.campaignId, entryId: purpose.entryId, itemId: purpose.itemId, reason: purpose.reason }),
  });
}

/**
 * The run's history since `previous` (its new ApprovalEvents) as audit events: a step opened (with
 * a substitution or nobody to approve noted on it), escalated (after its due date, `timedOut`),
 * decided (by an approver, or by the step's rule: `via`), and the outcome when the run ended.
 * APPLIED is left to the outcome's own record (REAPPROVAL_OUTCOME_APPLIED / HANDOVER_OUTCOME).
 */
export function approvalProgress(previous: Pick<ApprovalRun, 'history' | 'state'> | undefined, run: ApprovalRun, actor: AuditActor): AuditEvent[] {
  const fresh = run.history.slice(previous?.history.length ?? 0);
  const events: AuditEvent[] = [];
  const base = { approvalId: run.id, userId: run.userId, privilegeId: run.privilegeId };
  let timedOut = false;
  for (const e of fresh) {
    const last = events.at(-1);
    switch (e.type) {
      case 'STEP_STARTED':
        events.push(auditEvent('APPROVAL_STEP_OPENED', e.at, actor, { ...base, step: e.step + 1, approverIds: e.approverIds ?? [] }));
        break;
      case 'SUBSTITUTED':
      case 'NO_APPROVER':
        if (last?.type === 'APPROVAL_STEP_OPENED') last.data = { ...last.data, ...noteOf(e) };
        else events.push(auditEvent('APPROVAL_STEP_OPENED', e.at, actor, { ...base, step: e.step + 1, ...noteOf(e) }));
        break;
      case 'TIMED_OUT':
        timedOut = true;
        break;
      case 'ESCALATED':
        events.push(auditEvent('APPROVAL_ESCALATED', e.at, actor, { ...base, step: e.step + 1, approverIds: e.approverIds ?? [], reason: e.reason, timedOut }));
        timedOut = false;
        break;
      case 'DECIDED': {
        const byPerson = e.reason === undefined;
        events.push(
          auditEvent('APPROVAL_DECIDED', e.at, byPerson && e.by ? userActor(e.by) : actor, {
            ...base,
            step: e.step + 1,
            outcome: e.outcome,
            by: e.by,
            comment: e.comment,
            via: byPerson ? 'DECISION' : e.reason!.startsWith('timeout') ? 'TIMEOUT' : 'NO_APPROVER',
            reason: e.reason,
          }),
        );
        timedOut = false;
        break;
      }
      case 'APPLIED':
        break;
    }
  }
  if (run.outcome && (previous === undefined || previous.state === 'RUNNING') && run.state !== 'RUNNING') {
    events.push(
      auditEvent('APPROVAL_COMPLETED', run.outcome.at, actor, {
        ...base,
        result: run.outcome.result,
        via: run.outcome.via,
        by: run.outcome.by,
        comment: run.outcome.comment,
      }),
    );
  }
  return events;
}

const noteOf = (e: ApprovalEvent) => (e.type === 'SUBSTITUTED' ? { substitution: e.reason, approverIds: e.approverIds ?? [] } : { noApprover: e.reason });

/** What a run's outcome did to the assignment; a removal also as ASSIGNMENT_REVOKED. */
export function approvalOutcomeApplied(run: ApprovalRun, applied: NonNullable<ApprovalRun['applied']>, actor: AuditActor, at: string): AuditEvent[] {
  const { purpose } = run;
  const base = { approvalId: run.id, userId: run.userId, privilegeId: run.privilegeId };
  const outcome = {
    ...base,
    result: run.outcome?.result,
    via: run.outcome?.via,
    by: run.outcome?.by,
    action: applied.action,
    nextReapprovalAt: applied.nextReapprovalAt,
    // KEPT_BY_GUARD: the protection that kept it (docs/reference/guards.md).
    guard: applied.reason,
  };
  const events = [
    purpose.kind === 'CAMPAIGN'
      ? auditEvent('HANDOVER_OUTCOME', at, actor, { ...outcome, entryId: purpose.entryId, itemId: purpose.itemId })
      : auditEvent('REAPPROVAL_OUTCOME_APPLIED', at, actor, { ...outcome, mode: purpose.mode, dueAt: purpose.dueAt }),
  ];
  if (applied.action === 'REMOVED') {
    const reason = purpose.kind === 'CAMPAIGN' ? `${purpose.reason}, then rejected by workflow ${run.workflow.id}` : `re-approval rejected by workflow ${run.workflow.id}`;
    const item = { userId: run.userId, privilegeId: run.privilegeId, reason, ...(purpose.kind === 'CAMPAIGN' ? { itemId: purpose.itemId } : {}) };
    events.push(auditEvent('ASSIGNMENT_REVOKED', at, actor, { approvalId: run.id, ...(purpose.kind === 'CAMPAIGN' ? { entryId: purpose.entryId } : {}), items: [item] }));
  }
  return events;
}
