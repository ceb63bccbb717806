// The key design of lambdas/shared/config/tables.ts as code: how each entity becomes a record
// (its own fields plus key, index and `entity` attributes) and back.
import type { ApprovalRun, ApprovalWorkflow, ReapprovalConfig, ReapprovalRound } from '../../domain/approvals/model.js';
import { nextActionAt } from '../../domain/campaign-schedule.js';
import { REAPPROVAL_STATE_FIELDS, type Assignment, type Campaign, type Entry, type Item, type Notification, type Privilege, type Revocation, type User } from '../../domain/model.js';
import { isUnsent } from '../../domain/notifications.js';
import { deleteRequest, type DynamoRecord, type WriteRequest } from './document-client.js';
import type { Lease, LeaseHolder, RecordRemoval } from '../../use-cases/ports.js';
import { CAMPAIGN_TABLE } from '../../config/tables.js';

/** Attributes that belong to the storage, not to the entity. */
const STORAGE_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'entity'] as const;

const STORAGE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(STORAGE_ATTRIBUTES);

export const toEntity = <T>(record: DynamoRecord): T => copyFields(record, {}, STORAGE_ATTRIBUTE_NAMES) as T;

/**
 * `source`'s own fields, but those in `leaveOut`, assigned to `target` one by one. Records are
 * built and read a million times a campaign, and V8 (Node 20) takes microseconds an object for
 * the obvious forms: properties added to a spread copy (`{ ...a, PK }`) or deleted from one.
 */
function copyFields(source: object, target: DynamoRecord, leaveOut: ReadonlySet<string>): DynamoRecord {
  for (const name of Object.keys(source)) if (!leaveOut.has(name)) target[name] = (source as DynamoRecord)[name];
  return target;
}

const NOTHING: ReadonlySet<string> = new Set();

/** A record: `entity`'s fields, then each storage part (key, `entity`, index attributes) over them; built as copyFields says. */
function recordOf(entity: object, ...storage: (object | undefined)[]): DynamoRecord {
  const record = copyFields(entity, {}, NOTHING);
  for (const part of storage) if (part) Object.assign(record, part);
  return record;
}

export const key = (PK: string, SK: string) => ({ PK, SK });

/** The campaign table's TTL attribute (config/tables.ts): epoch seconds after which DynamoDB removes the record. */
export const CAMPAIGN_TTL_ATTRIBUTE = CAMPAIGN_TABLE.ttlAttribute!;

/** Already stamped for removal (a resumed cleanup writes it no second time). */
export const isStamped = (record: DynamoRecord) => record[CAMPAIGN_TTL_ATTRIBUTE] !== undefined;

/**
 * The record as it is, out of every index, with the TTL attribute: DynamoDB removes it after
 * `expiresAt`, and meanwhile no listing shows it (as if deleted); a read by key still finds it.
 */
export function ttlStamped(record: DynamoRecord, expiresAt: number): DynamoRecord {
  const stamped: DynamoRecord = { ...record, [CAMPAIGN_TTL_ATTRIBUTE]: expiresAt };
  for (const name of ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK']) delete stamped[name];
  return stamped;
}

/** The delete of a record, or its TTL stamp; none for a record stamped already. */
export function removalRequest(record: DynamoRecord, removal: RecordRemoval): WriteRequest | undefined {
  if (removal.mode === 'DELETE') return deleteRequest(record);
  return isStamped(record) ? undefined : { PutRequest: { Item: ttlStamped(record, removal.expiresAt) } };
}

// Directory table
export const PROFILE_SK = '#PROFILE';
export const userPk = (id: string) => `USER#${id}`;
export const privilegePk = (id: string) => `PRIV#${id}`;
export const ASSIGN_PREFIX = 'ASSIGN#';
export const USERS_GSI1PK = 'USERS';
export const PRIVILEGES_GSI1PK = 'PRIVILEGES';
export const userKey = (id: string) => key(userPk(id), PROFILE_SK);
export const privilegeKey = (id: string) => key(privilegePk(id), PROFILE_SK);
/** Where the GSI1 listing of users (privileges) resumes after the one with this id: its ExclusiveStartKey. */
export const userListingKey = (id: string) => ({ ...userKey(id), GSI1PK: USERS_GSI1PK, GSI1SK: id });
export const privilegeListingKey = (id: string) => ({ ...privilegeKey(id), GSI1PK: PRIVILEGES_GSI1PK, GSI1SK: id });
export const assignmentKey = (userId: string, privilegeId: string) => key(userPk(userId), `${ASSIGN_PREFIX}${privilegeId}`);

/** GSI2 of a user record: found by email (the approver API's caller lookup); case-insensitive. */
export const emailPk = (email: string) => `EMAIL#${email.trim().toLowerCase()}`;

export const userRecord = (user: User): DynamoRecord =>
  recordOf(
    user,
    userKey(user.id),
    { entity: 'user', GSI1PK: USERS_GSI1PK, GSI1SK: user.id },
    // An index key may not be an empty string: a user without an address is simply not findable by it.
    user.email?.trim() ? { GSI2PK: emailPk(user.email), GSI2SK: user.id } : undefined,
  );

/** GSI2 of a privilege with re-approval settings (the initialization job's list of flagged privileges). */
export const FLAGGED_PRIVILEGES_GSI2PK = 'REAPPROVAL#PRIVILEGES';

export const privilegeRecord = (privilege: Privilege): DynamoRecord =>
  recordOf(
    privilege,
    privilegeKey(privilege.id),
    { entity: 'privilege', GSI1PK: PRIVILEGES_GSI1PK, GSI1SK: privilege.id },
    privilege.reapproval ? { GSI2PK: FLAGGED_PRIVILEGES_GSI2PK, GSI2SK: privilege.id } : undefined,
  );

// An assignment's GSI1: the sparse index of its re-approval state (MANUAL only; none while one runs).
export const awaitingPk = (privilegeId: string) => `REAPPROVAL#AWAIT#${privilegeId}`;
export const DUE_GSI1PK = 'REAPPROVAL#DUE';
export const SCHEDULED_GSI1PK = 'REAPPROVAL#SCHEDULED';
/** The round sort key of a scheduled assignment never started in a round: before every date. */
export const NO_ROUND = '0000-00-00';

export interface IndexKey1 {
  GSI1PK: string;
  GSI1SK: string;
}

export const awaitingIndex = (userId: string, privilegeId: string): IndexKey1 => ({ GSI1PK: awaitingPk(privilegeId), GSI1SK: userId });
export const dueIndex = (userId: string, privilegeId: string, nextReapprovalAt: string): IndexKey1 => ({
  GSI1PK: DUE_GSI1PK,
  GSI1SK: `${nextReapprovalAt}#${userId}#${privilegeId}`,
});
export const scheduledIndex = (userId: string, privilegeId: string, lastReapprovalRound: string | undefined): IndexKey1 => ({
  GSI1PK: SCHEDULED_GSI1PK,
  GSI1SK: `${lastReapprovalRound ?? NO_ROUND}#${userId}#${privilegeId}`,
});

/**
 * Where an assignment's re-approval state puts it: MANUAL with no mode and nothing running waits for
 * initialization under its privilege (so a loaded assignment lands there, unread until the privilege
 * is flagged); CONTINUOUS by its date; SCHEDULED by its last round; running, or not MANUAL, nowhere.
 * A CONTINUOUS mode without a date (no transition writes one) is in no index either.
 */
export function reapprovalIndex(a: Assignment): IndexKey1 | undefined {
  if (a.origin !== 'MANUAL' || a.reapproval) return undefined;
  if (a.reapprovalMode === undefined) return awaitingIndex(a.userId, a.privilegeId);
  if (a.reapprovalMode === 'SCHEDULED') return scheduledIndex(a.userId, a.privilegeId, a.lastReapprovalRound);
  return a.nextReapprovalAt ? dueIndex(a.userId, a.privilegeId, a.nextReapprovalAt) : undefined;
}

export const assignmentRecord = (assignment: Assignment): DynamoRecord =>
  recordOf(
    assignment,
    assignmentKey(assignment.userId, assignment.privilegeId),
    { entity: 'assignment', GSI2PK: privilegePk(assignment.privilegeId), GSI2SK: `${assignment.origin}#${assignment.userId}` },
    reapprovalIndex(assignment),
  );

/** What a directory load must read of an assignment it replaces (keepReapprovalState). */
export const KEPT_ON_LOAD = ['PK', 'SK', ...REAPPROVAL_STATE_FIELDS, 'approvedAt', 'approvedBy'] as const;

/**
 * A loaded assignment over the stored one: the file's fields, the stored re-approval state (the file
 * can not set it), and the later of the two approvals with its approver. An assignment loaded with
 * another origin than MANUAL leaves re-approval: it keeps no state (stored or given), so that if it
 * becomes MANUAL again it awaits initialization instead of holding a stale date or running marker
 * that would keep it out of every index.
 */
export function keepReapprovalState(loaded: Assignment, stored: Partial<Assignment> | undefined): Assignment {
  const merged: Assignment = withoutReapprovalState(loaded);
  if (!stored) return loaded.origin === 'MANUAL' ? loaded : merged;
  if (loaded.origin === 'MANUAL') {
    for (const field of REAPPROVAL_STATE_FIELDS) if (stored[field] !== undefined) Object.assign(merged, { [field]: stored[field] });
  }
  if (stored.approvedAt && (!loaded.approvedAt || stored.approvedAt > loaded.approvedAt)) {
    merged.approvedAt = stored.approvedAt;
    if (stored.approvedBy === undefined) delete merged.approvedBy;
    else merged.approvedBy = stored.approvedBy;
  }
  return merged;
}

const REAPPROVAL_STATE: ReadonlySet<string> = new Set(REAPPROVAL_STATE_FIELDS);
const withoutReapprovalState = (assignment: Assignment) => copyFields(assignment, {}, REAPPROVAL_STATE) as unknown as Assignment;

export const workflowKey = (id: string) => key(`WORKFLOW#${id}`, '#WORKFLOW');
export const WORKFLOWS_GSI1PK = 'WORKFLOWS';
export const workflowRecord = (workflow: ApprovalWorkflow): DynamoRecord => ({
  ...workflow,
  ...workflowKey(workflow.id),
  entity: 'workflow',
  GSI1PK: WORKFLOWS_GSI1PK,
  GSI1SK: workflow.id,
});

export const REAPPROVAL_CONFIG_KEY = key('CONFIG#reapproval', '#CONFIG');
export const reapprovalConfigRecord = (config: ReapprovalConfig): DynamoRecord => ({ ...config, ...REAPPROVAL_CONFIG_KEY, entity: 'reapproval-config' });

export const roundKey = (date: string) => key('REAPPROVAL#ROUND', date);
export const roundRecord = (round: ReapprovalRound): DynamoRecord => ({ ...round, ...roundKey(round.date), entity: 'reapproval-round' });

// Campaign table
export const campaignKey = (id: string) => key(`CAMPAIGN#${id}`, '#META');
export const campaignStatePk = (state: string) => `CSTATE#${state}`;

export const campaignOwnerPk = (ownerId: string) => `OWNER#${ownerId}`;
export const campaignOwnerSortKey = (campaign: Pick<Campaign, 'createdAt' | 'id'>) => `${campaign.createdAt}#${campaign.id}`;

/** GSI2 lists an owner's campaigns; an archived run stays out of it, so the list never grows with recurrences. */
export const campaignRecord = (campaign: Campaign): DynamoRecord =>
  recordOf(
    campaign,
    campaignKey(campaign.id),
    { entity: 'campaign', GSI1PK: campaignStatePk(campaign.state), GSI1SK: `${nextActionAt(campaign)}#${campaign.id}` },
    campaign.archived ? undefined : { GSI2PK: campaignOwnerPk(campaign.ownerId), GSI2SK: campaignOwnerSortKey(campaign) },
  );

export const ENTRY_SK = '#ENTRY';
export const APPROVER_PREFIX = 'APPROVER#';
export const ITEM_PREFIX = 'ITEM#';
export const entryPk = (entryId: string) => `ENTRY#${entryId}`;
export const entryKey = (entryId: string) => key(entryPk(entryId), ENTRY_SK);
export const itemKey = (entryId: string, itemId: string) => key(entryPk(entryId), `${ITEM_PREFIX}${itemId}`);
export const runPk = (runId: string) => `RUN#${runId}`;
export const approverPk = (userId: string) => `${APPROVER_PREFIX}${userId}`;

/** Approvers after the first, each once: they get a pointer record of their own in GSI2. */
export function extraApprovers(entry: Entry): string[] {
  if (!isOpenTask(entry)) return [];
  const [first, ...rest] = entry.approverIds;
  return [...new Set(rest)].filter((id) => id !== first);
}

/** Only a RUNNING entry with an approver is anyone's task. */
export const isOpenTask = (entry: Entry) => entry.state === 'RUNNING' && entry.approverIds.length > 0;

export const taskSortKey = (entry: Pick<Entry, 'dueDate' | 'id'>) => `${entry.dueDate}#${entry.id}`;

/** GSI2 of a closed entry: the UTC day it left RUNNING (the daily report reads one day at a time). */
export const CLOSED_PREFIX = 'CLOSED#';
export const closedDayPk = (day: string) => `${CLOSED_PREFIX}${day}`;
export const closedSortKey = (entry: Pick<Entry, 'closedAt' | 'id'>) => `${entry.closedAt}#${entry.id}`;

function entryIndex2(entry: Entry): DynamoRecord {
  if (isOpenTask(entry)) return { GSI2PK: approverPk(entry.approverIds[0]!), GSI2SK: taskSortKey(entry) };
  if (entry.state !== 'RUNNING' && entry.closedAt) return { GSI2PK: closedDayPk(entry.closedAt.slice(0, 10)), GSI2SK: closedSortKey(entry) };
  return {};
}

export function entryRecord(entry: Entry): DynamoRecord {
  return recordOf(
    entry,
    entryKey(entry.id),
    { entity: 'entry', GSI1PK: runPk(entry.runId), GSI1SK: `${String(entry.stage).padStart(3, '0')}#${entry.subjectId}` },
    entryIndex2(entry),
  );
}

/** Records that put an entry in its 2nd.. approvers' task lists; `entryVersion` orders cleanups. */
export const approverPointerRecords = (entry: Entry): DynamoRecord[] =>
  extraApprovers(entry).map((userId) => ({
    ...key(entryPk(entry.id), `${APPROVER_PREFIX}${userId}`),
    entity: 'approver',
    entryId: entry.id,
    userId,
    entryVersion: entry.version,
    GSI2PK: approverPk(userId),
    GSI2SK: taskSortKey(entry),
  }));

/**
 * An item's record leaves out what its key already says: the entry and item ids, and the side of
 * the assignment the item id names (the privilege of a USER entry, the user of a PRIVILEGE entry).
 * Items are the bulk of a campaign's records, so every byte saved here is saved a million times.
 */
export function itemRecord(item: Item): DynamoRecord {
  const named = item.privilegeId === item.id ? ITEM_NAMING_PRIVILEGE : item.userId === item.id ? ITEM_NAMING_USER : ITEM_NAMING_NEITHER;
  return copyFields(item, itemKey(item.entryId, item.id), named);
}

/** What an item record leaves out: its ids, the side of the assignment its id names (if it names one), and any key of its own (the key is the item's). */
const ITEM_NAMING_PRIVILEGE: ReadonlySet<string> = new Set(['entryId', 'id', 'privilegeId', 'PK', 'SK']);
const ITEM_NAMING_USER: ReadonlySet<string> = new Set(['entryId', 'id', 'userId', 'PK', 'SK']);
const ITEM_NAMING_NEITHER: ReadonlySet<string> = new Set(['entryId', 'id', 'PK', 'SK']);

export const isItemRecord = (record: DynamoRecord) => String(record.SK).startsWith(ITEM_PREFIX);

/** The item an itemRecord holds; records written before items were slimmed carry every field, and read the same. */
export function toItem(record: DynamoRecord): Item {
  const entryId = String(record.PK).slice(entryPk('').length);
  const id = String(record.SK).slice(ITEM_PREFIX.length);
  const item = toEntity<Item>(record);
  item.entryId = entryId;
  item.id = id;
  item.userId ??= id;
  item.privilegeId ??= id;
  return item;
}

export const REVOKED_PREFIX = 'REVOKED#';
export const revocationKey = (runId: string, userId: string, privilegeId: string) =>
  key(runPk(runId), `${REVOKED_PREFIX}${userId}#${privilegeId}`);
/** The key of the revocation a revocationCursor (`<userId>#<privilegeId>`) names: a listing's ExclusiveStartKey. */
export const revocationCursorKey = (runId: string, cursor: string) => key(runPk(runId), `${REVOKED_PREFIX}${cursor}`);

/** GSI2 of a revocation found still present in the directory: the sparse index of those to check again. */
export const UNVERIFIED_GSI2PK = 'UNVERIFIED';
export const unverifiedSortKey = (r: Pick<Revocation, 'runId' | 'userId' | 'privilegeId'>, nextCheckAt: string) =>
  `${nextCheckAt}#${r.runId}#${r.userId}#${r.privilegeId}`;

export const revocationRecord = (revocation: Revocation): DynamoRecord => {
  const check = revocation.verification;
  return recordOf(
    revocation,
    revocationKey(revocation.runId, revocation.userId, revocation.privilegeId),
    { entity: 'revocation' },
    check?.status === 'STILL_PRESENT' && check.nextCheckAt ? { GSI2PK: UNVERIFIED_GSI2PK, GSI2SK: unverifiedSortKey(revocation, check.nextCheckAt) } : undefined,
  );
};

export const OUTBOX_PENDING = 'OUTBOX#PENDING';
/** Under its campaign, prefixed by its run, so a run's notifications are listed and cleaned up by key. */
export const outboxKey = (n: Pick<Notification, 'campaignId' | 'runId' | 'key'>) => key(outboxPk(n.campaignId), `${outboxRunPrefix(n.runId)}${n.key}`);
export const outboxPk = (campaignId: string) => `OUTBOX#${campaignId}`;
export const outboxRunPrefix = (runId: string) => `${runId}|`;
export const outboxSortKey = (n: Pick<Notification, 'createdAt' | 'key'>) => `${n.createdAt}#${n.key}`;

export const notificationRecord = (notification: Notification): DynamoRecord =>
  recordOf(
    notification,
    outboxKey(notification),
    { entity: 'notification' },
    isUnsent(notification.status) ? { GSI1PK: OUTBOX_PENDING, GSI1SK: outboxSortKey(notification) } : undefined,
  );

export const leaseKey = (name: string) => key(`LEASE#${name}`, '#LEASE');

/** The expiry is a number (epoch ms), compared in the lease's conditions. */
export const leaseRecord = (name: string, owner: string, now: Date, ttlSeconds: number, holder?: LeaseHolder): DynamoRecord => ({
  ...leaseKey(name),
  entity: 'lease',
  name,
  owner,
  ...(holder ? { holder } : {}),
  acquiredAt: now.toISOString(),
  leaseExpiresAtMs: now.getTime() + ttlSeconds * 1000,
});

export const toLease = (record: DynamoRecord): Lease => ({
  name: record.name as string,
  owner: record.owner as string,
  ...(record.holder ? { holder: record.holder as LeaseHolder } : {}),
  ...(record.acquiredAt ? { acquiredAt: record.acquiredAt as string } : {}),
  expiresAt: new Date(Number(record.leaseExpiresAtMs)).toISOString(),
});

// Approval runs, on the campaign table beside entries. Their entity names differ from an entry's and
// its pointers' ('entry', 'approver'), so the campaign store's listTasks passes them by in GSI2.
export const APPROVAL_SK = '#APPROVAL';
export const approvalPk = (id: string) => `APPROVAL#${id}`;
export const approvalKey = (id: string) => key(approvalPk(id), APPROVAL_SK);
export const APPROVALS_OPEN_GSI1PK = 'APPROVALS#OPEN';

/** Only a RUNNING run with an approver is anyone's task. */
export const isOpenApprovalTask = (run: ApprovalRun) => run.state === 'RUNNING' && run.approverIds.length > 0;

/** Approvers of an open run after the first, each once: they get a pointer record of their own. */
export function extraRunApprovers(run: ApprovalRun): string[] {
  if (!isOpenApprovalTask(run)) return [];
  const [first, ...rest] = run.approverIds;
  return [...new Set(rest)].filter((id) => id !== first);
}

/** GSI1 of a run needing action: by nextActionAt, then id. */
export const approvalIndexKey = (run: { id: string; nextActionAt: string }): IndexKey1 => ({ GSI1PK: APPROVALS_OPEN_GSI1PK, GSI1SK: `${run.nextActionAt}#${run.id}` });

export const approvalRecord = (run: ApprovalRun): DynamoRecord =>
  recordOf(
    run,
    approvalKey(run.id),
    { entity: 'approval' },
    run.nextActionAt ? approvalIndexKey({ id: run.id, nextActionAt: run.nextActionAt }) : undefined,
    isOpenApprovalTask(run) ? { GSI2PK: approverPk(run.approverIds[0]!), GSI2SK: taskSortKey(run) } : undefined,
  );

/** Records that put a run in its 2nd.. approvers' task lists; `approvalVersion` orders cleanups. */
export const approvalApproverRecords = (run: ApprovalRun): DynamoRecord[] =>
  extraRunApprovers(run).map((userId) => ({
    ...key(approvalPk(run.id), `${APPROVER_PREFIX}${userId}`),
    entity: 'approval-approver',
    approvalId: run.id,
    userId,
    approvalVersion: run.version,
    GSI2PK: approverPk(userId),
    GSI2SK: taskSortKey(run),
  }));
