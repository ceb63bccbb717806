// Notification templates (docs/reference/notifications.md): logic-less Mustache, plain-text email.
// Campaigns get a copy of the defaults with their own overrides; every template is checked when the
// campaign is defined (syntax, and only placeholders its kind fills), so a typo fails the definition, not a send.
import Mustache from 'mustache';
import { ValidationError } from './errors.js';
import {
  NOTIFICATION_KINDS,
  type ApplyCounts,
  type CampaignKind,
  type NotificationKind,
  type NotificationTemplate,
  type NotificationTemplates,
  type Revocation,
} from './model.js';

/** What a template can show. Dates are YYYY-MM-DD. */
export interface NotificationView {
  campaignId: string;
  campaignName: string;
  /** Campaign name and start date, e.g. "Finance high-risk users 2026-07-01". */
  runLabel: string;
  kind: CampaignKind;
  dueDate: string;
  startDate: string;
  endDate?: string;
  recipientName: string;
  ownerName: string;
  /** The user or privilege under review. */
  subjectName?: string;
  entryId?: string;
  /** Assignments of the entry; for CAMPAIGN_START, those sent to approvers (shown even when 0). */
  itemCount?: number;
  openItemCount?: number;
  /** CAMPAIGN_START: entries prepared (shown even when 0); APPROVAL_START of a stage: the approver's entries it announces (itemCount: their assignments); APPROVAL_REMIND: the approver's entries due a reminder. */
  entryCount?: number;
  /** CAMPAIGN_START: entries FAILED.PREPARE; CAMPAIGN_END: entries FAILED.APPLIED.CHANGES. */
  failedEntryCount?: number;
  /** CAMPAIGN_END: the entries FAILED.APPLIED.CHANGES (the first 50), with what the directory refused. */
  failedEntries?: { entryId: string; subjectName: string; error: string }[];
  /** Link to the approver's tasks. */
  tasksUrl: string;
  /** Link to the entry in the approver portal (notices about one entry): `<portal>/entries/<entryId>`. */
  entryUrl?: string;
  stage?: number;
  /** PREPARE_ERROR: what is wrong with the definition. */
  errors?: { field?: string; message: string }[];
  /** ASSIGNMENT_REJECT: the access removed from the recipient; `foundStillPresent`: its removal was found not done when the directory was read back. */
  revoked?: { privilegeName: string; privilegeId: string; reason: string; foundStillPresent?: boolean }[];
  revokedCount?: number;
  /** REVOCATION_UNVERIFIED: the first removals found still present in the directory (capped), how many in all, and of how many read back. */
  stillPresent?: { userId: string; privilegeId: string; privilegeName: string }[];
  stillPresentCount?: number;
  verifiedCount?: number;
  stats?: { approved: number; rejected: number; modified: number; uncertified: number; revoked: number; handedOver: number; keptByGuard?: number };
  /** APPLY_CONFIRMATION: what applying would do (docs/reference/guards.md). */
  applyCounts?: ApplyCounts;
  /** APPLY_CONFIRMATION: the share of the items applying would remove, and the campaign's cap, in % (e.g. "45", "20"). */
  removalPercent?: string;
  maxRemovalPercent?: string;
}

export type TemplateOverrides = Partial<Record<NotificationKind, Partial<NotificationTemplate>>>;

/** Wording of a revocation reason for the person who lost the access. */
export const REVOCATION_REASON_TEXT: Record<Revocation['reason'], string> = {
  REJECTED: 'the reviewer rejected it',
  MODIFIED: 'the reviewer changed it and the campaign removes changed access',
  UNCERTIFIED: 'it was not confirmed before the review deadline',
};

// Placeholders a template may use: the view's fields, and inside a list or object section, its items' fields.
const VIEW_FIELDS = {
  campaignId: true,
  campaignName: true,
  runLabel: true,
  kind: true,
  dueDate: true,
  startDate: true,
  endDate: true,
  recipientName: true,
  ownerName: true,
  subjectName: true,
  entryId: true,
  itemCount: true,
  openItemCount: true,
  entryCount: true,
  failedEntryCount: true,
  failedEntries: true,
  tasksUrl: true,
  entryUrl: true,
  stage: true,
  errors: true,
  revoked: true,
  revokedCount: true,
  stillPresent: true,
  stillPresentCount: true,
  verifiedCount: true,
  stats: true,
  applyCounts: true,
  removalPercent: true,
  maxRemovalPercent: true,
} satisfies Record<keyof NotificationView, true>;

const SECTION_FIELDS: Partial<Record<keyof NotificationView, readonly string[]>> = {
  errors: ['field', 'message'],
  revoked: ['privilegeName', 'privilegeId', 'reason', 'foundStillPresent'],
  failedEntries: ['entryId', 'subjectName', 'error'],
  stillPresent: ['userId', 'privilegeId', 'privilegeName'],
  stats: ['approved', 'rejected', 'modified', 'uncertified', 'revoked', 'handedOver', 'keptByGuard'],
  applyCounts: ['items', 'remove', 'modify', 'handOver', 'keep', 'keptByGuard'],
};

export const NOTIFICATION_PLACEHOLDERS: readonly string[] = Object.keys(VIEW_FIELDS);

const EVERY_KIND = ['campaignId', 'campaignName', 'runLabel', 'kind', 'startDate', 'recipientName', 'ownerName', 'tasksUrl'] as const;
const ENTRY = ['dueDate', 'entryId', 'entryUrl', 'subjectName', 'itemCount', 'stage'] as const;

/**
 * The placeholders each kind's composer fills (a unit test composes every kind and holds them to
 * it), so a template naming one its kind never fills is refused when the campaign is defined
 * instead of rendering as nothing in every mail. PREPARE_ERROR has no dueDate: a definition that
 * fails validation may have none yet.
 */
export const KIND_PLACEHOLDERS: Readonly<Record<NotificationKind, readonly (keyof NotificationView)[]>> = {
  // One per approver and stage (no single entry: subjectName, entryId and entryUrl are blank), or one
  // entry's for a rescue or a reassignment (entryCount 1): the template tests for them in sections.
  APPROVAL_START: [...EVERY_KIND, 'dueDate', 'itemCount', 'stage', 'openItemCount', 'entryCount'],
  // One per approver and reminder slot: about their reviews due a reminder (entryCount); one
  // review is named and linked (subjectName, entryId, entryUrl), several are not.
  APPROVAL_REMIND: [...EVERY_KIND, 'dueDate', 'itemCount', 'stage', 'openItemCount', 'entryCount'],
  APPROVAL_TIMEOUT: [...EVERY_KIND, ...ENTRY, 'openItemCount'],
  NO_APPROVER: [...EVERY_KIND, ...ENTRY],
  CAMPAIGN_START: [...EVERY_KIND, 'dueDate', 'entryCount', 'itemCount', 'failedEntryCount'],
  CAMPAIGN_END: [...EVERY_KIND, 'dueDate', 'endDate', 'entryCount', 'itemCount', 'failedEntryCount', 'failedEntries', 'stats'],
  ASSIGNMENT_REJECT: [...EVERY_KIND, 'dueDate', 'revoked', 'revokedCount'],
  PREPARE_ERROR: [...EVERY_KIND, 'errors'],
  REVOCATION_UNVERIFIED: [...EVERY_KIND, 'dueDate', 'stillPresent', 'stillPresentCount', 'verifiedCount'],
  APPLY_CONFIRMATION: [...EVERY_KIND, 'dueDate', 'applyCounts', 'removalPercent', 'maxRemovalPercent'],
};

/**
 * Placeholders some notices of a kind fill and others leave blank: a template may name them (in a
 * section that tests them, so that a notice without them still reads well). An Approval Start of
 * one entry (a rescue, a reassignment) names it; one for an approver's whole stage does not; an
 * Approval Remind names its entry only when it is about one.
 */
export const KIND_OPTIONAL_PLACEHOLDERS: Readonly<Partial<Record<NotificationKind, readonly (keyof NotificationView)[]>>> = {
  APPROVAL_START: ['entryId', 'entryUrl', 'subjectName'],
  APPROVAL_REMIND: ['entryId', 'entryUrl', 'subjectName'],
};

const allowed = (kind: NotificationKind): readonly string[] => [...KIND_PLACEHOLDERS[kind], ...(KIND_OPTIONAL_PLACEHOLDERS[kind] ?? [])];

// "-- " (with the space) is the conventional signature separator that mail clients recognise.
const SIGNATURE = '\n-- \nThis is an automated message from the identity governance service. Please do not reply to it.';

const UNDECIDED_RULE =
  "Assignments still undecided at the due date are treated as not certified and may be removed, depending on the campaign's settings.";

const defaults: NotificationTemplates = {
  APPROVAL_START: {
    active: true,
    subject: 'Action required: access review "{{campaignName}}", due {{dueDate}}',
    body: `Hello {{recipientName}},

You have been asked to review access in the certification campaign "{{runLabel}}".

{{#subjectName}}
Under review: {{subjectName}}
{{/subjectName}}
{{#entryCount}}
Reviews assigned to you (one per user or privilege): {{entryCount}}
{{/entryCount}}
{{#itemCount}}
Assignments to review: {{itemCount}}
{{/itemCount}}
{{#stage}}
Approval stage: {{stage}}
{{/stage}}
Due date: {{dueDate}}

For each assignment, approve it if the access is still needed, reject it if it is not, or modify it (for example, set an end date). You can save your work and come back to it at any time before the due date.

{{#entryUrl}}
Open this review: {{entryUrl}}
{{/entryUrl}}
{{^entryUrl}}
Open your review tasks: {{tasksUrl}}
{{/entryUrl}}

${UNDECIDED_RULE}

For questions about this review, contact the campaign owner, {{ownerName}}.
${SIGNATURE}`,
  },

  APPROVAL_REMIND: {
    active: true,
    subject: 'Reminder: access review "{{campaignName}}" is due {{dueDate}}',
    body: `Hello {{recipientName}},

Your access review in the certification campaign "{{runLabel}}" is not finished yet.

{{#subjectName}}
Under review: {{subjectName}}
{{/subjectName}}
{{^subjectName}}
Reviews still open: {{entryCount}}
{{/subjectName}}
{{#openItemCount}}
Assignments still to decide: {{openItemCount}}{{#itemCount}} of {{itemCount}}{{/itemCount}}
{{/openItemCount}}
Due date: {{dueDate}}

Please complete your review before the due date: {{#entryUrl}}{{entryUrl}}{{/entryUrl}}{{^entryUrl}}{{tasksUrl}}{{/entryUrl}}

${UNDECIDED_RULE}

For questions about this review, contact the campaign owner, {{ownerName}}.
${SIGNATURE}`,
  },

  APPROVAL_TIMEOUT: {
    active: true,
    subject: 'Access review "{{campaignName}}" closed without your decision',
    body: `Hello {{recipientName}},

The due date of your access review in the certification campaign "{{runLabel}}" has passed before all assignments were decided. The review is now closed and no more decisions can be recorded for it.

{{#subjectName}}
Under review: {{subjectName}}
{{/subjectName}}
{{#openItemCount}}
Assignments left undecided: {{openItemCount}}
{{/openItemCount}}
Due date: {{dueDate}}

Undecided assignments are handled as not certified, according to the campaign's revocation settings. If the campaign has a further approval stage, it starts now.
{{#entryUrl}}

The closed review, with the decisions recorded: {{entryUrl}}
{{/entryUrl}}

For questions, contact the campaign owner, {{ownerName}}.
${SIGNATURE}`,
  },

  ASSIGNMENT_REJECT: {
    active: true,
    subject: 'Your access has changed after the access review "{{campaignName}}"',
    body: `Hello {{recipientName}},

Following the access certification campaign "{{runLabel}}", access has been removed from your account{{#revokedCount}} ({{revokedCount}} in total){{/revokedCount}}:

{{#revoked}}
- {{privilegeName}} ({{privilegeId}}): {{reason}}{{#foundStillPresent}} (removal requested: it was still present when checked, and the campaign owner has been told){{/foundStillPresent}}
{{/revoked}}
{{^revoked}}
- the details are not available; please ask the campaign owner
{{/revoked}}

If you still need this access for your work, request it again through the usual access request process. For questions about this review, contact the campaign owner, {{ownerName}}.
${SIGNATURE}`,
  },

  CAMPAIGN_START: {
    active: true,
    subject: 'Certification campaign started: {{runLabel}}',
    body: `Hello {{recipientName}},

The certification campaign "{{runLabel}}" has started and the approvers have been notified.

Campaign: {{campaignName}} ({{campaignId}})
Campaign type: {{kind}}
Start date: {{startDate}}
Due date: {{dueDate}}
Certification entries: {{entryCount}}
Assignments to review: {{itemCount}}
{{#failedEntryCount}}
Entries that could not be prepared: {{failedEntryCount}} (you received a separate notice for each; see also the campaign log)
{{/failedEntryCount}}

Approvers with open work will be reminded before the due date. You can follow progress at any time in the campaign report.
${SIGNATURE}`,
  },

  CAMPAIGN_END: {
    active: true,
    subject: 'Certification campaign finished: {{runLabel}}',
    body: `Hello {{recipientName}},

The certification campaign "{{runLabel}}" has finished{{#endDate}} on {{endDate}}{{/endDate}} and its decisions have been applied.

{{#stats}}
Results:
- Approved: {{approved}}
- Rejected: {{rejected}}
- Modified: {{modified}}
- Not certified by the due date: {{uncertified}}
- Access removed: {{revoked}}
{{#handedOver}}
- Handed to an approval workflow: {{handedOver}} (each is kept or removed when its workflow decides)
{{/handedOver}}
{{#keptByGuard}}
- Kept because the user or the privilege is protected: {{keptByGuard}}
{{/keptByGuard}}

{{/stats}}
{{#failedEntryCount}}
Entries whose changes could not be applied: {{failedEntryCount}}. The campaign controller retries them at each run until the directory accepts the changes; check them in the campaign report.
{{#failedEntries}}
- {{subjectName}} (entry {{entryId}}): {{error}}
{{/failedEntries}}

{{/failedEntryCount}}
The campaign report lists every decision with its decider, date and comment.
${SIGNATURE}`,
  },

  NO_APPROVER: {
    active: true,
    subject: 'No approver found in campaign "{{campaignName}}"{{#subjectName}} for {{subjectName}}{{/subjectName}}',
    body: `Hello {{recipientName}},

While preparing the certification campaign "{{campaignName}}", no approver could be found for the following review, so nobody has been asked to certify it:

Campaign: {{runLabel}}
{{#subjectName}}
Under review: {{subjectName}}
{{/subjectName}}
{{#entryId}}
Entry: {{entryId}}
{{/entryId}}
{{#itemCount}}
Assignments affected: {{itemCount}}
{{/itemCount}}

The entry is marked FAILED.PREPARE. To have this access reviewed, give the subject an approver in the directory (a manager for a user, an owner for a privilege) or change the campaign's approver selection.
${SIGNATURE}`,
  },

  PREPARE_ERROR: {
    active: true,
    subject: 'Certification campaign "{{campaignName}}" could not start',
    body: `Hello {{recipientName}},

The certification campaign "{{runLabel}}" could not start because its definition is not valid. It is now in the state FAILED.PREPARED.

Problems found:
{{#errors}}
- {{#field}}{{field}}: {{/field}}{{message}}
{{/errors}}
{{^errors}}
- no details were recorded; see the campaign log
{{/errors}}

Fix the campaign definition, then set the campaign back to PREPARING: the next run of the campaign controller will try again.
${SIGNATURE}`,
  },

  REVOCATION_UNVERIFIED: {
    active: true,
    subject: 'Access still present after the review "{{campaignName}}"',
    body: `Hello {{recipientName}},

The certification campaign "{{runLabel}}" removed access, and the directory was then read back to check each removal. Some of the access it removed is still there: the directory (or the system connected to it) accepted the removal but did not make it.
{{#stillPresentCount}}

Removals still present: {{stillPresentCount}}{{#verifiedCount}} of {{verifiedCount}} checked{{/verifiedCount}}
{{/stillPresentCount}}
{{#stillPresent}}
- {{userId}}: {{privilegeName}} ({{privilegeId}})
{{/stillPresent}}

Please remove this access by hand, or have the connection to the directory checked. The campaign report lists every removal still present; the campaign controller checks them again once a day until they are gone.
${SIGNATURE}`,
  },

  APPLY_CONFIRMATION: {
    active: true,
    subject: 'Confirmation needed: campaign "{{campaignName}}" would remove {{removalPercent}} % of its items',
    body: `Hello {{recipientName}},

Every review of the certification campaign "{{runLabel}}" is closed, and applying its decisions would remove more access than the campaign allows without your confirmation ({{maxRemovalPercent}} % of its items).

{{#applyCounts}}
What applying would do, of {{items}} assignments:
- Remove: {{remove}} ({{removalPercent}} %)
- Modify: {{modify}}
- Hand to an approval workflow: {{handOver}}
- Keep: {{keep}}
{{#keptByGuard}}
- Keep because the user or the privilege is protected: {{keptByGuard}}
{{/keptByGuard}}

{{/applyCounts}}
Nothing has been removed. The campaign waits until you (or an administrator) confirm:

  idgov campaign apply-preview {{campaignId}}    (lists every assignment and why)
  idgov campaign confirm-apply {{campaignId}}    (applies the decisions)

To apply nothing, cancel the campaign instead: idgov campaign set {{campaignId}} --state DELETED
${SIGNATURE}`,
  },
};

for (const template of Object.values(defaults)) Object.freeze(template);
/** The product defaults, copied into each campaign when it is created. Frozen: copy before changing. */
export const DEFAULT_TEMPLATES: NotificationTemplates = Object.freeze(defaults);

/**
 * The defaults with `overrides` applied, field by field. Every resulting template is checked, so
 * a ValidationError names `notifications.<KIND>.<subject|body|active>` and the problem.
 */
export function buildTemplates(overrides: TemplateOverrides = {}): NotificationTemplates {
  for (const kind of Object.keys(overrides)) {
    if (!(NOTIFICATION_KINDS as readonly string[]).includes(kind)) {
      throw new ValidationError(`unknown notification kind; use one of ${NOTIFICATION_KINDS.join(', ')}`, `notifications.${kind}`);
    }
  }
  const templates = {} as NotificationTemplates;
  for (const kind of NOTIFICATION_KINDS) {
    const template: NotificationTemplate = { ...DEFAULT_TEMPLATES[kind], ...definedFields(overrides[kind]) };
    checkTemplate(template, kind, `notifications.${kind}`);
    templates[kind] = template;
  }
  return templates;
}

/** Renders plain text: no HTML escaping, and the subject always on one line. */
export function renderNotification(template: NotificationTemplate, view: NotificationView): { subject: string; body: string } {
  const options = { escape: plainText };
  return {
    subject: Mustache.render(template.subject, view, undefined, options).replace(/\s+/g, ' ').trim(),
    body: Mustache.render(template.body, view, undefined, options),
  };
}

function plainText(value: unknown): string {
  return String(value);
}

function definedFields(override: Partial<NotificationTemplate> | undefined): Partial<NotificationTemplate> {
  return Object.fromEntries(Object.entries(override ?? {}).filter(([, value]) => value !== undefined));
}

function checkTemplate(template: NotificationTemplate, kind: NotificationKind, field: string): void {
  if (typeof template.active !== 'boolean') throw new ValidationError('must be true or false', `${field}.active`);
  for (const part of ['subject', 'body'] as const) {
    const text: unknown = template[part];
    const partField = `${field}.${part}`;
    if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('must not be empty', partField);
    if (part === 'subject' && /[\r\n]/.test(text)) throw new ValidationError('must be a single line', partField);
    let tokens: Mustache.TemplateSpans;
    try {
      tokens = Mustache.parse(text);
    } catch (error) {
      throw new ValidationError(`is not a valid template: ${(error as Error).message}`, partField);
    }
    checkPlaceholders(tokens, kind, [], partField);
  }
}

/** Each `{{name}}` must resolve in the kind's view or in an enclosing list section's items. */
function checkPlaceholders(tokens: Mustache.TemplateSpans, kind: NotificationKind, sections: string[], field: string): void {
  for (const token of tokens) {
    const [type, name] = token;
    if (type === '>') throw new ValidationError(`partials ({{>${name}}}) are not supported`, field);
    if (type !== 'name' && type !== '&' && type !== '#' && type !== '^') continue;
    const known = () => `known placeholders: ${allowed(kind).join(', ')}`;
    if (name === '.') {
      if (sections.length === 0) throw new ValidationError('{{.}} is only meaningful inside a section', field);
    } else if (!resolves(name, sections)) {
      throw new ValidationError(`unknown placeholder {{${name}}}; ${known()}`, field);
    } else if (!inSection(name, sections) && !allowed(kind).includes(name.split('.')[0]!)) {
      throw new ValidationError(`placeholder {{${name}}} is not filled in ${kind} notifications; ${known()}`, field);
    }
    if ((type === '#' || type === '^') && Array.isArray(token[4])) {
      checkPlaceholders(token[4] as Mustache.TemplateSpans, kind, [...sections, name], field);
    }
  }
}

const sectionFields = (owner: string) => SECTION_FIELDS[owner as keyof NotificationView] ?? [];

/** A field of an enclosing section's value (e.g. {{message}} inside {{#errors}}). */
const inSection = (name: string, sections: string[]) => sections.some((section) => sectionFields(section).includes(name.split('.')[0]!));

function resolves(name: string, sections: string[]): boolean {
  const [head, ...rest] = name.split('.');
  if (head === undefined) return false;
  if (inSection(name, sections)) return rest.length === 0;
  if (!(head in VIEW_FIELDS)) return false;
  return rest.length === 0 || (rest.length === 1 && sectionFields(head).includes(rest[0]!));
}

/**
 * The placeholders of `template` that would render as nothing with `view`, as Mustache renders
 * it (which is silently): a `{{name}}` whose value is missing or blank, or a top-level section
 * whose value is missing (one the view gives as false, 0 or [] is a condition that is off, not a
 * gap; a section inside another tests an optional field of its item). Inside a section that
 * renders, names are looked up in its item first, then outward; one that does not is not looked into.
 */
export function missingPlaceholders(template: string, view: object): string[] {
  const missing = new Set<string>();
  const walk = (tokens: Mustache.TemplateSpans, stack: unknown[]) => {
    for (const token of tokens) {
      const [type, name] = token;
      if (type !== 'name' && type !== '&' && type !== '#' && type !== '^') continue;
      const found = lookup(name, stack);
      if (type === 'name' || type === '&') {
        if (!found || found.value === undefined || found.value === null || String(found.value).trim() === '') missing.add(name);
        continue;
      }
      const value = found?.value;
      if (value === undefined && stack.length === 1) missing.add(name);
      const inner = (Array.isArray(token[4]) ? token[4] : []) as Mustache.TemplateSpans;
      const off = !value || (Array.isArray(value) && value.length === 0);
      if (type === '^') {
        if (off) walk(inner, stack);
      } else if (Array.isArray(value)) {
        for (const item of value) walk(inner, [...stack, item]);
      } else if (!off) {
        walk(inner, [...stack, value]);
      }
    }
  };
  walk(Mustache.parse(template), [view]);
  return [...missing];
}

/** Mustache's lookup: `.` is the innermost context; a name's first part is searched inside out. */
function lookup(name: string, stack: unknown[]): { value: unknown } | undefined {
  if (name === '.') return { value: stack.at(-1) };
  const [head, ...rest] = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    const context = stack[i];
    if (context === null || typeof context !== 'object' || !(head! in context)) continue;
    let value: unknown = (context as Record<string, unknown>)[head!];
    for (const part of rest) {
      if (value === null || typeof value !== 'object' || !(part in value)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return { value };
  }
  return undefined;
}
