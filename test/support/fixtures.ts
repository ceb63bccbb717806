// Test data builders: each returns a small, valid object and takes overrides for what a test is about.
// Dates are fixed instants (never the wall clock); the defaults describe one USER campaign run that
// starts on 2026-07-01 with a 14-day approval period.
import type {
  Assignment,
  Campaign,
  CampaignDefinition,
  Decision,
  Entry,
  Item,
  NotificationKind,
  NotificationTemplates,
  Privilege,
  User,
} from '../../lambdas/shared/domain/model.js';
import { NOTIFICATION_KINDS } from '../../lambdas/shared/domain/model.js';
import { ENTRY_ID_DIGITS } from '../../lambdas/shared/domain/entries.js';

export const CAMPAIGN_ID = 'c-test';
export const OWNER_ID = 'u-owner';
/** The default campaign's start date. */
export const START = '2026-07-01T00:00:00.000Z';
/** START + the default 14-day approval period. */
export const DUE = '2026-07-15T00:00:00.000Z';
export const CREATED = '2026-06-01T00:00:00.000Z';

/** `new Date(iso)`, for the `now` arguments of the domain functions. */
export const at = (iso: string): Date => new Date(iso);

/**
 * Small templates whose rendering is easy to assert: the subject names the kind, campaign and due
 * date; the body greets the recipient and links the tasks. Use `buildTemplates()` for the product's.
 */
export function simpleTemplates(): NotificationTemplates {
  const templates = {} as NotificationTemplates;
  for (const kind of NOTIFICATION_KINDS) templates[kind] = simpleTemplate(kind);
  return templates;
}

const simpleTemplate = (kind: NotificationKind) => ({
  active: true,
  subject: `${kind}: {{campaignName}} due {{dueDate}}`,
  body: 'Hello {{recipientName}}, {{runLabel}}: {{tasksUrl}}',
});

export function aUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? 'u-alice';
  return { id, displayName: `User ${id}`, email: `${id}@example.com`, status: 'ACTIVE', ...overrides };
}

export function aPrivilege(overrides: Partial<Privilege> = {}): Privilege {
  const id = overrides.id ?? 'p-finance-admin';
  return { id, name: `Privilege ${id}`, ownerIds: [OWNER_ID], riskLevel: 'HIGH', ...overrides };
}

export function anAssignment(overrides: Partial<Assignment> = {}): Assignment {
  return { userId: 'u-alice', privilegeId: 'p-finance-admin', origin: 'MANUAL', ...overrides };
}

/** People by id, as `defaultApproverIds` wants them. */
export const peopleById = (...users: User[]): Map<string, User> => new Map(users.map((u) => [u.id, u]));

/** A campaign file as an administrator writes it (raw input for the schemas). */
export function aCampaignFile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Finance high-risk users',
    kind: 'USER',
    ownerId: OWNER_ID,
    startDate: '2026-07-01',
    approvalPeriodDays: 14,
    subjects: { filter: '(&(department=Finance)(riskLevel>=HIGH))' },
    revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
    ...overrides,
  };
}

/** A stored campaign, PREPARING, first run, no due date yet (it is computed at start). */
export function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  const id = overrides.id ?? CAMPAIGN_ID;
  const run = overrides.run ?? 1;
  const definition: CampaignDefinition = {
    name: 'Finance high-risk users',
    kind: 'USER',
    ownerId: OWNER_ID,
    startDate: START,
    approvalPeriodDays: 14,
    subjects: { filter: '(&(department=Finance)(riskLevel>=HIGH))' },
    reminders: { daysBeforeDue: 3, intervalHours: 24 },
    revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
  };
  return {
    ...definition,
    id,
    state: 'PREPARING',
    version: 1,
    run,
    runId: `${id}#${run}`,
    entryIdDigits: ENTRY_ID_DIGITS,
    phase: { name: 'START' },
    templates: simpleTemplates(),
    logs: [],
    prepareAttempt: 0,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

/** A RUNNING first-stage entry of the default campaign, one item, due at DUE. */
export function anEntry(overrides: Partial<Entry> = {}): Entry {
  return {
    id: 'e-1',
    campaignId: CAMPAIGN_ID,
    runId: `${CAMPAIGN_ID}#1`,
    subjectKind: 'USER',
    subjectId: 'u-alice',
    subjectName: 'User u-alice',
    stage: 1,
    state: 'RUNNING',
    approverIds: ['u-manager'],
    dueDate: DUE,
    itemCount: 1,
    createdAt: START,
    updatedAt: START,
    version: 1,
    ...overrides,
  };
}

/** An undecided item of entry e-1 (USER entry: the item is named by its privilege). */
export function anItem(overrides: Partial<Item> = {}): Item {
  const privilegeId = overrides.privilegeId ?? 'p-finance-admin';
  return { entryId: 'e-1', id: privilegeId, userId: 'u-alice', privilegeId, ...overrides };
}

/** An approval by the entry's default approver, made during the run. */
export function aDecision(overrides: Partial<Decision> = {}): Decision {
  return { outcome: 'APPROVE', decidedBy: 'u-manager', decidedAt: '2026-07-05T00:00:00.000Z', ...overrides };
}
