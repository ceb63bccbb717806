// Notices of approval runs (re-approval and campaign hand-overs): their idempotency keys, the
// product's default templates, and composing an outbox record. Runs have no campaign and so no
// per-campaign templates: these defaults are what every run sends. Logic-less Mustache, plain text,
// rendered like the campaign templates (domain/templates.ts).
import Mustache from 'mustache';
import { dateOnly } from '../campaign-schedule.js';
import type { Notification, NotificationTemplate, User } from '../model.js';
import { entryUrl, tasksUrl } from '../notifications.js';
import type { ApprovalRun } from './model.js';

export type ApprovalNoticeKind = 'APPROVAL_START' | 'APPROVAL_REMIND' | 'APPROVAL_TIMEOUT' | 'ASSIGNMENT_REJECT';

/**
 * Deterministic keys (docs/reference/reapproval.md): a re-run finds the record it wrote. `step` is
 * the run's 0-based stepIndex; `escalated` tells a step's first approvers from its escalation's.
 */
export const approvalNoticeKey = {
  start: (approvalId: string, step: number, escalated: boolean, approverId: string) =>
    `${approvalId}|APPROVAL_START|${step}|${escalated ? 1 : 0}|${approverId}`,
  remind: (approvalId: string, step: number, escalated: boolean, slot: number, approverId: string) =>
    `${approvalId}|APPROVAL_REMIND|${step}|${escalated ? 1 : 0}|${slot}|${approverId}`,
  timeout: (approvalId: string, step: number, approverId: string) => `${approvalId}|APPROVAL_TIMEOUT|${step}|${approverId}`,
  assignmentReject: (approvalId: string) => `${approvalId}|ASSIGNMENT_REJECT`,
};

/** The 0-based step a run notice's key names (Start, Remind, Timeout); undefined for Assignment Reject or a key of another shape. */
export function stepOfApprovalNotice(key: string): number | undefined {
  const [, kind, step] = key.split('|');
  if (kind === undefined || !['APPROVAL_START', 'APPROVAL_REMIND', 'APPROVAL_TIMEOUT'].includes(kind) || !/^\d+$/.test(step ?? '')) return undefined;
  return Number(step);
}

/** A notice a transition of the run owes: who, what, and its key. Composed by the use case, which knows the people. */
export interface NoticeIntent {
  kind: ApprovalNoticeKind;
  key: string;
  recipientId: string;
}

/** What a run notice can show. Dates are YYYY-MM-DD. */
export interface ApprovalNoticeView {
  approvalId: string;
  /** Sections: a re-approval, or the follow-up of a campaign's `WORKFLOW` revocation. */
  isReapproval: boolean;
  isCampaignFollowUp: boolean;
  workflowName: string;
  stepName?: string;
  /** 1-based, of `steps`. */
  step: number;
  steps: number;
  escalated: boolean;
  recipientName: string;
  /** The user whose access is under review. */
  subjectName: string;
  userId: string;
  privilegeName: string;
  privilegeId: string;
  privilegeRisk?: string;
  grantedAt?: string;
  approvedAt?: string;
  approvedBy?: string;
  endDate?: string;
  /** The current step's due date. */
  dueDate: string;
  /** Link to the recipient's tasks in the portal. */
  tasksUrl: string;
  /** Link to the run in the portal: `<portal>/entries/<approvalId>`. */
  entryUrl: string;
  /** ASSIGNMENT_REJECT: when and how the run ended. */
  outcomeDate?: string;
  outcomeReason?: string;
}

// "-- " (with the space) is the conventional signature separator that mail clients recognise.
const SIGNATURE = '\n-- \nThis is an automated message from the identity governance service. Please do not reply to it.';

const WHAT = `Under review: {{privilegeName}} ({{privilegeId}}{{#privilegeRisk}}, risk {{privilegeRisk}}{{/privilegeRisk}}) held by {{subjectName}} ({{userId}})
{{#grantedAt}}
Granted: {{grantedAt}}
{{/grantedAt}}
{{#approvedAt}}
Last approved: {{approvedAt}}{{#approvedBy}} by {{approvedBy}}{{/approvedBy}}
{{/approvedAt}}
{{#endDate}}
End date: {{endDate}}
{{/endDate}}`;

const STEP = 'Workflow: {{workflowName}}, step {{step}} of {{steps}}{{#stepName}} ({{stepName}}){{/stepName}}{{#escalated}}, escalated{{/escalated}}';

const WHY = `{{#isReapproval}}This access is re-approved at regular intervals.{{/isReapproval}}{{#isCampaignFollowUp}}An access review handed this assignment to its approval workflow.{{/isCampaignFollowUp}}`;

const templates: Record<ApprovalNoticeKind, NotificationTemplate> = {
  APPROVAL_START: {
    active: true,
    subject: 'Action required: {{#isReapproval}}re-approve{{/isReapproval}}{{#isCampaignFollowUp}}approve{{/isCampaignFollowUp}} {{privilegeName}} for {{subjectName}}, due {{dueDate}}',
    body: `Hello {{recipientName}},

${WHY} You have been asked to decide whether {{subjectName}} keeps this access.{{#escalated}} The approvers before you did not decide in time, so the decision was escalated to you.{{/escalated}}

${WHAT}
${STEP}
Due date: {{dueDate}}

Approve it if the access is still needed, reject it if it is not: a rejected assignment is removed.

Open this decision: {{entryUrl}}
${SIGNATURE}`,
  },

  APPROVAL_REMIND: {
    active: true,
    subject: 'Reminder: {{#isReapproval}}re-approval{{/isReapproval}}{{#isCampaignFollowUp}}approval{{/isCampaignFollowUp}} of {{privilegeName}} for {{subjectName}} is due {{dueDate}}',
    body: `Hello {{recipientName}},

Your decision on this access is still open.

${WHAT}
${STEP}
Due date: {{dueDate}}

Please decide before the due date: {{entryUrl}}

If nobody decides in time, the workflow's timeout rule applies (escalation, approval or removal).
${SIGNATURE}`,
  },

  APPROVAL_TIMEOUT: {
    active: true,
    subject: '{{#isReapproval}}Re-approval{{/isReapproval}}{{#isCampaignFollowUp}}Approval{{/isCampaignFollowUp}} of {{privilegeName}} for {{subjectName}} closed without your decision',
    body: `Hello {{recipientName}},

The due date of your decision on this access has passed. It is no longer yours to decide: the workflow has moved on (escalation, its timeout rule, or its next step).

${WHAT}
${SIGNATURE}`,
  },

  ASSIGNMENT_REJECT: {
    active: true,
    subject: 'Your access {{privilegeName}} has been removed',
    body: `Hello {{recipientName}},

{{#isReapproval}}Your access {{privilegeName}} ({{privilegeId}}) needed to be re-approved and was not{{/isReapproval}}{{#isCampaignFollowUp}}Your access {{privilegeName}} ({{privilegeId}}) was sent to its approval workflow after an access review, and was not approved{{/isCampaignFollowUp}}{{#outcomeDate}} on {{outcomeDate}}{{/outcomeDate}}{{#outcomeReason}} ({{outcomeReason}}){{/outcomeReason}}. It has been removed from your account.

If you still need this access for your work, request it again through the usual access request process.
${SIGNATURE}`,
  },
};

for (const template of Object.values(templates)) Object.freeze(template);
/** The product's templates for run notices. Frozen. */
export const APPROVAL_NOTICE_TEMPLATES: Readonly<Record<ApprovalNoticeKind, NotificationTemplate>> = Object.freeze(templates);

const OUTCOME_REASON: Record<NonNullable<ApprovalRun['outcome']>['via'], string> = {
  DECISION: 'an approver rejected it',
  TIMEOUT: 'nobody approved it in time',
  NO_APPROVER: 'nobody could approve it',
};

export function approvalNoticeView(run: ApprovalRun, recipientId: string, recipient: User | undefined, portalUrl: string): ApprovalNoticeView {
  const step = run.workflow.steps[run.stepIndex];
  return {
    approvalId: run.id,
    isReapproval: run.purpose.kind === 'REAPPROVAL',
    isCampaignFollowUp: run.purpose.kind === 'CAMPAIGN',
    workflowName: run.workflow.name,
    ...(step?.name ? { stepName: step.name } : {}),
    step: run.stepIndex + 1,
    steps: run.workflow.steps.length,
    escalated: run.escalated,
    recipientName: recipient?.displayName ?? recipientId,
    subjectName: run.userName ?? run.userId,
    userId: run.userId,
    privilegeName: run.privilegeName ?? run.privilegeId,
    privilegeId: run.privilegeId,
    ...(run.privilegeRisk ? { privilegeRisk: run.privilegeRisk } : {}),
    ...(run.grantedAt ? { grantedAt: dateOnly(run.grantedAt) } : {}),
    ...(run.approvedAt ? { approvedAt: dateOnly(run.approvedAt) } : {}),
    ...(run.approvedBy ? { approvedBy: run.approvedBy } : {}),
    ...(run.endDate ? { endDate: dateOnly(run.endDate) } : {}),
    dueDate: dateOnly(run.dueDate),
    tasksUrl: tasksUrl(portalUrl, recipientId),
    entryUrl: entryUrl(portalUrl, run.id),
    ...(run.outcome ? { outcomeDate: dateOnly(run.outcome.at), outcomeReason: OUTCOME_REASON[run.outcome.via] } : {}),
  };
}

/** Renders plain text: no HTML escaping, and the subject always on one line. */
export function renderApprovalNotice(template: NotificationTemplate, view: ApprovalNoticeView): { subject: string; body: string } {
  const options = { escape: (value: unknown) => String(value) };
  return {
    subject: Mustache.render(template.subject, view, undefined, options).replace(/\s+/g, ' ').trim(),
    body: Mustache.render(template.body, view, undefined, options),
  };
}

/**
 * The outbox record of a run notice: `campaignId`, `runId` and `approvalId` are the run's id (the
 * dispatcher checks the run before sending a work notice). A recipient not in the directory, or
 * without an email address, is recorded SKIPPED with the reason, so the outbox shows why nobody was told.
 */
export function composeApprovalNotice(input: {
  run: ApprovalRun;
  intent: NoticeIntent;
  recipient: User | undefined;
  portalUrl: string;
  now: Date;
  /**
   * The version of the run whose save announces the notice, when it is recorded before that save:
   * the dispatcher holds it while the stored run is behind (docs/reference/reapproval.md#notifications).
   */
  entryVersion?: number;
}): Notification {
  const { run, intent, recipient } = input;
  const { subject, body } = renderApprovalNotice(APPROVAL_NOTICE_TEMPLATES[intent.kind], approvalNoticeView(run, intent.recipientId, recipient, input.portalUrl));
  const skipReason = !recipient
    ? `recipient ${intent.recipientId} is not in the directory`
    : !recipient.email
      ? `recipient ${intent.recipientId} has no email address`
      : undefined;
  return {
    key: intent.key,
    kind: intent.kind,
    campaignId: run.id,
    runId: run.id,
    approvalId: run.id,
    recipientId: intent.recipientId,
    ...(recipient?.email ? { to: recipient.email } : {}),
    subject,
    body,
    status: skipReason ? 'SKIPPED' : 'PENDING',
    ...(skipReason ? { lastError: skipReason } : {}),
    createdAt: input.now.toISOString(),
    attempts: 0,
    ...(input.entryVersion !== undefined ? { entryVersion: input.entryVersion } : {}),
  };
}
