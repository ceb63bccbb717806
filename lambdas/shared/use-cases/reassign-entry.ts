// Reassigns a certification entry (issue 3, item 4). Only the entry's current approver or the
// campaign owner (or the administrator, through the CLI) may do it, only while the entry and its
// campaign run; the new approver is told with an Approval Start. Every refusal changes nothing.
import * as z from 'zod';
import { ClosedError, ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Entry, Notification, Reassignment } from '../domain/model.js';
import { isDecided } from '../domain/entries.js';
import { reassign, reassignmentNoticeKey } from '../domain/reassignment.js';
import { parseInput } from '../domain/schemas.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { activeApprover, announceThenSave } from './entry-handover.js';
import { auditKey, entryReassigned, entryRecord, notificationsQueued } from '../domain/audit/events.js';
import { userActor } from '../domain/audit/model.js';
import { recordAfter } from './audit-trail.js';
import type { AuditLog, CampaignStore, DirectoryStore, Outbox } from './ports.js';

/** Who asks: a directory user (an approver or the campaign owner), or the administrator (CLI). */
export type Actor = { kind: 'user'; userId: string } | { kind: 'administrator'; name: string };

export const actorName = (actor: Actor) => (actor.kind === 'user' ? actor.userId : actor.name);

/** The body of a reassignment request; lengths and day counts are checked by the domain. */
export const reassignInputSchema = z.strictObject({
  to: z.string().trim().min(1, 'must name the new approver').max(256, 'must be at most 256 characters'),
  justification: z.string(),
  extendDays: z.number().optional(),
});
export type ReassignInput = z.infer<typeof reassignInputSchema>;

export interface ReassignEntryDeps {
  campaigns: CampaignStore;
  directory: DirectoryStore;
  outbox: Outbox;
  /** The reassignment is recorded here once saved. */
  audit: AuditLog;
  /** Base URL of the approver portal, for the notification's link. */
  portalUrl: string;
}

export interface ReassignEntryRequest {
  entryId: string;
  actor: Actor;
  /** Raw input (an API body, CLI options): validated here, naming the field. */
  input: unknown;
}

export interface ReassignEntryResult {
  entry: Entry;
  reassignment: Reassignment;
  notification: Pick<Notification, 'key' | 'kind' | 'recipientId' | 'status'>;
}

export async function reassignEntry(deps: ReassignEntryDeps, request: ReassignEntryRequest, now: Date): Promise<ReassignEntryResult> {
  const input = parseInput(reassignInputSchema, request.input);
  const loaded = await deps.campaigns.getEntryWithItems(request.entryId);
  if (!loaded) throw new NotFoundError('entry', request.entryId);
  const { entry, items } = loaded;
  const campaign = await deps.campaigns.getCampaign(entry.campaignId);
  if (!campaign) throw new NotFoundError('campaign', entry.campaignId);

  const { actor } = request;
  if (actor.kind === 'user' && !entry.approverIds.includes(actor.userId) && campaign.ownerId !== actor.userId) {
    throw new ForbiddenError(`${actor.userId} is neither an approver of entry ${entry.id} nor the owner of its campaign`);
  }
  if (campaign.state !== 'RUNNING' || campaign.runId !== entry.runId || campaign.phase.name !== 'DONE') {
    throw new ClosedError(`entry ${entry.id} belongs to a campaign run that is not running (${campaign.state}); it cannot be reassigned`);
  }
  const next = reassign(entry, {
    to: input.to,
    by: actorName(actor),
    justification: input.justification,
    extendDays: input.extendDays,
    now,
    holderIds: items.map((i) => i.userId),
    dueBefore: campaign.statusExpirationDate,
  });
  const newApprover = await activeApprover(deps.directory, input.to, 'to');

  // The notice quotes the entry's own due date, which the reassignment may have moved.
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, { ...campaign, dueDate: next.dueDate }, now);
  notifier.remember([newApprover]);
  const notification = await notifier.composeFor(
    'APPROVAL_START',
    reassignmentNoticeKey(entry.id, input.to, next.version),
    input.to,
    { subjectName: entry.subjectName, entryCount: 1, itemCount: entry.itemCount, openItemCount: items.filter((i) => !isDecided(i, entry)).length, stage: entry.stage },
    entry.id,
  );
  await announceThenSave(deps, notification, next);
  const reassignment = next.reassignments!.at(-1)!;
  const by = userActor(actorName(actor));
  await recordAfter(
    deps.audit,
    entryRecord(next, auditKey.reassign(next), reassignment.at, [entryReassigned(next, reassignment, by), ...notificationsQueued([notification], by, reassignment.at)]),
  );
  return {
    entry: next,
    reassignment,
    notification: { key: notification.key, kind: notification.kind, recipientId: notification.recipientId, status: notification.status },
  };
}
