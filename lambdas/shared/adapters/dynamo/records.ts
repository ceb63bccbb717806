// The key design of lambdas/shared/config/tables.ts as code: how each entity becomes a record
// (its own fields plus key, index and `entity` attributes) and back.
import { nextActionAt } from '../../domain/campaign-schedule.js';
import type { Assignment, Campaign, Entry, Item, Notification, Privilege, Revocation, User } from '../../domain/model.js';
import { isUnsent } from '../../domain/notifications.js';
import type { DynamoRecord } from './document-client.js';
import type { Lease, LeaseHolder } from '../../use-cases/ports.js';

/** Attributes that belong to the storage, not to the entity. */
const STORAGE_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'entity'] as const;

export function toEntity<T>(record: DynamoRecord): T {
  const entity: DynamoRecord = { ...record };
  for (const name of STORAGE_ATTRIBUTES) delete entity[name];
  return entity as T;
}

export const key = (PK: string, SK: string) => ({ PK, SK });

// Directory table
export const PROFILE_SK = '#PROFILE';
export const userPk = (id: string) => `USER#${id}`;
export const privilegePk = (id: string) => `PRIV#${id}`;
export const ASSIGN_PREFIX = 'ASSIGN#';
export const USERS_GSI1PK = 'USERS';
export const PRIVILEGES_GSI1PK = 'PRIVILEGES';
export const userKey = (id: string) => key(userPk(id), PROFILE_SK);
export const privilegeKey = (id: string) => key(privilegePk(id), PROFILE_SK);
export const assignmentKey = (userId: string, privilegeId: string) => key(userPk(userId), `${ASSIGN_PREFIX}${privilegeId}`);

/** GSI2 of a user record: found by email (the approver API's caller lookup); case-insensitive. */
export const emailPk = (email: string) => `EMAIL#${email.trim().toLowerCase()}`;

export const userRecord = (user: User): DynamoRecord => ({
  ...user,
  ...userKey(user.id),
  entity: 'user',
  GSI1PK: USERS_GSI1PK,
  GSI1SK: user.id,
  // An index key may not be an empty string: a user without an address is simply not findable by it.
  ...(user.email?.trim() ? { GSI2PK: emailPk(user.email), GSI2SK: user.id } : {}),
});

export const privilegeRecord = (privilege: Privilege): DynamoRecord => ({
  ...privilege,
  ...privilegeKey(privilege.id),
  entity: 'privilege',
  GSI1PK: PRIVILEGES_GSI1PK,
  GSI1SK: privilege.id,
});

export const assignmentRecord = (assignment: Assignment): DynamoRecord => ({
  ...assignment,
  ...assignmentKey(assignment.userId, assignment.privilegeId),
  entity: 'assignment',
  GSI2PK: privilegePk(assignment.privilegeId),
  GSI2SK: `${assignment.origin}#${assignment.userId}`,
});

// Campaign table
export const campaignKey = (id: string) => key(`CAMPAIGN#${id}`, '#META');
export const campaignStatePk = (state: string) => `CSTATE#${state}`;

export const campaignRecord = (campaign: Campaign): DynamoRecord => ({
  ...campaign,
  ...campaignKey(campaign.id),
  entity: 'campaign',
  GSI1PK: campaignStatePk(campaign.state),
  GSI1SK: `${nextActionAt(campaign)}#${campaign.id}`,
});

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
  return {
    ...entry,
    ...entryKey(entry.id),
    entity: 'entry',
    GSI1PK: runPk(entry.runId),
    GSI1SK: `${String(entry.stage).padStart(3, '0')}#${entry.subjectId}`,
    ...entryIndex2(entry),
  };
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

export const itemRecord = (item: Item): DynamoRecord => ({
  ...item,
  ...itemKey(item.entryId, item.id),
  entity: 'item',
});

export const revocationKey = (runId: string, userId: string, privilegeId: string) =>
  key(runPk(runId), `REVOKED#${userId}#${privilegeId}`);

export const revocationRecord = (revocation: Revocation): DynamoRecord => ({
  ...revocation,
  ...revocationKey(revocation.runId, revocation.userId, revocation.privilegeId),
  entity: 'revocation',
});

export const OUTBOX_PENDING = 'OUTBOX#PENDING';
/** Under its campaign, prefixed by its run, so a run's notifications are listed and cleaned up by key. */
export const outboxKey = (n: Pick<Notification, 'campaignId' | 'runId' | 'key'>) => key(outboxPk(n.campaignId), `${outboxRunPrefix(n.runId)}${n.key}`);
export const outboxPk = (campaignId: string) => `OUTBOX#${campaignId}`;
export const outboxRunPrefix = (runId: string) => `${runId}|`;
export const outboxSortKey = (n: Pick<Notification, 'createdAt' | 'key'>) => `${n.createdAt}#${n.key}`;

export const notificationRecord = (notification: Notification): DynamoRecord => ({
  ...notification,
  ...outboxKey(notification),
  entity: 'notification',
  ...(isUnsent(notification.status) ? { GSI1PK: OUTBOX_PENDING, GSI1SK: outboxSortKey(notification) } : {}),
});

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
