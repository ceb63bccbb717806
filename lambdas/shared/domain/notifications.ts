// Composes outbox records. Keys are deterministic from what a notification is about, so that a
// re-run of any job finds the record it already wrote and never sends twice.
import { dateOnly } from './campaign-schedule.js';
import type { Campaign, Entry, Notification, NotificationKind, User } from './model.js';
import { DEFAULT_TEMPLATES, renderNotification, type NotificationView } from './templates.js';

export const notificationKey = {
  prepareError: (c: Campaign, attempt: number) => `${c.runId}|PREPARE_ERROR|${attempt}`,
  noApprover: (entryId: string) => `${entryId}|NO_APPROVER`,
  /** One entry's Approval Start: a rescue of a FAILED.PREPARE entry (`entry set --approver`). */
  approvalStart: (entryId: string, approverId: string) => `${entryId}|APPROVAL_START|${approverId}`,
  /**
   * An approver's one Approval Start for a stage: every entry of stage 1 (announced after
   * preparation), or the entries of a later stage one controller run wrote (`batch`: its start).
   */
  stageStart: (c: Pick<Campaign, 'runId'>, stage: number, approverId: string, batch?: string) =>
    `${c.runId}|APPROVAL_START|${stage}|${approverId}${batch ? `|${batch}` : ''}`,
  /** An approver's one Approval Remind of a run for a reminder slot (its start: `reminderSlotStart`), about all their entries due it. */
  approverRemind: (c: Pick<Campaign, 'runId'>, slotStart: string, approverId: string) => `${c.runId}|APPROVAL_REMIND|${slotStart}|${approverId}`,
  approvalTimeout: (entryId: string, approverId: string) => `${entryId}|APPROVAL_TIMEOUT|${approverId}`,
  campaignStart: (c: Campaign) => `${c.runId}|CAMPAIGN_START`,
  assignmentReject: (c: Campaign, userId: string) => `${c.runId}|ASSIGNMENT_REJECT|${userId}`,
  /** A removal that went through only when a later run retried it: one notice per assignment. */
  lateAssignmentReject: (c: Campaign, userId: string, privilegeId: string) => `${c.runId}|ASSIGNMENT_REJECT|${userId}|${privilegeId}`,
  campaignEnd: (c: Campaign) => `${c.runId}|CAMPAIGN_END`,
  /** Once per run: the VERIFY phase found removals still present. */
  revocationUnverified: (c: Campaign) => `${c.runId}|REVOCATION_UNVERIFIED`,
  /** A later run's retry of one entry's refused changes found a removal still present: per entry and the version the retry started from. */
  retryRevocationUnverified: (c: Pick<Campaign, 'runId'>, e: Pick<Entry, 'id' | 'version'>) => `${c.runId}|REVOCATION_UNVERIFIED|${e.id}|v${e.version}`,
  /** One per run: the owner is asked once to confirm applying a campaign over its revocation cap. */
  applyConfirmation: (c: Campaign) => `${c.runId}|APPLY_CONFIRMATION`,
};

/** What a notification says beyond the campaign itself; `dueDate` here is an entry's own due date. */
export type ViewExtras = Omit<
  NotificationView,
  'campaignId' | 'campaignName' | 'runLabel' | 'kind' | 'startDate' | 'recipientName' | 'ownerName' | 'tasksUrl' | 'entryUrl' | 'dueDate'
> & { dueDate?: string };

export interface ComposeInput {
  campaign: Campaign;
  kind: NotificationKind;
  key: string;
  recipientId: string;
  recipient: User | undefined;
  ownerName: string;
  portalUrl: string;
  now: Date;
  entryId?: string;
  extras?: ViewExtras;
}

/** Not yet sent, nor given up on: the dispatcher still has work with it, and a cleanup must wait. */
export const isUnsent = (status: Notification['status']): boolean => status === 'PENDING' || status === 'SENDING';

export const runLabel = (c: Pick<Campaign, 'name' | 'startDate'>) => `${c.name} ${dateOnly(c.startDate)}`;

export const tasksUrl = (portalUrl: string, approverId: string) =>
  `${portalUrl.replace(/\/+$/, '')}/tasks?approver=${encodeURIComponent(approverId)}`;

/** The approver portal's page of one entry or approval run (what a mail about it links to). */
export const entryUrl = (portalUrl: string, entryId: string) => `${portalUrl.replace(/\/+$/, '')}/entries/${encodeURIComponent(entryId)}`;

/**
 * Renders one notification with the campaign's own templates. An inactive template or a recipient
 * without an email address is recorded as SKIPPED with the reason, so the outbox shows why nobody
 * was told.
 */
export function composeNotification(input: ComposeInput): Notification {
  const { campaign, kind, recipient, now } = input;
  // A campaign created before a kind existed has no copy of its template: the product default applies.
  const template = campaign.templates[kind] ?? DEFAULT_TEMPLATES[kind];
  const view: NotificationView = {
    campaignId: campaign.id,
    campaignName: campaign.name,
    runLabel: runLabel(campaign),
    kind: campaign.kind,
    dueDate: campaign.dueDate ? dateOnly(campaign.dueDate) : '',
    startDate: dateOnly(campaign.startDate),
    endDate: campaign.endDate ? dateOnly(campaign.endDate) : undefined,
    recipientName: recipient?.displayName ?? input.recipientId,
    ownerName: input.ownerName,
    tasksUrl: tasksUrl(input.portalUrl, input.recipientId),
    entryId: input.entryId,
    // Blank without an entry: a template's {{#entryUrl}} section is then a condition that is off.
    entryUrl: input.entryId ? entryUrl(input.portalUrl, input.entryId) : '',
    ...input.extras,
    ...(input.extras?.dueDate ? { dueDate: dateOnly(input.extras.dueDate) } : {}),
  };
  const { subject, body } = renderNotification(template, view);
  const skipReason = !template.active
    ? 'template inactive'
    : !recipient
      ? `recipient ${input.recipientId} is not in the directory`
      : !recipient.email
        ? `recipient ${input.recipientId} has no email address`
        : undefined;
  return {
    key: input.key,
    kind,
    campaignId: campaign.id,
    runId: campaign.runId,
    ...(input.entryId ? { entryId: input.entryId } : {}),
    recipientId: input.recipientId,
    ...(recipient?.email ? { to: recipient.email } : {}),
    subject,
    body,
    status: skipReason ? 'SKIPPED' : 'PENDING',
    ...(skipReason ? { lastError: skipReason } : {}),
    createdAt: now.toISOString(),
    attempts: 0,
  };
}
