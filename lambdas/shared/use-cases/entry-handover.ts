// What an entry changing hands shares, whether the administrator rescues a FAILED.PREPARE entry
// (campaign-admin.ts) or someone reassigns a running one (reassign-entry.ts): the new approver must
// be an active user, and the Approval Start is recorded before the entry changes.
import { ConflictError, ValidationError } from '../domain/errors.js';
import type { Entry, Notification, User } from '../domain/model.js';
import type { CampaignStore, DirectoryStore, Outbox } from './ports.js';

/** The directory user `id`, who must exist and be ACTIVE; a refusal names `field`. */
export async function activeApprover(directory: Pick<DirectoryStore, 'getUser'>, id: string, field: string): Promise<User> {
  const user = await directory.getUser(id);
  if (!user) throw new ValidationError(`${id} is not a user of the directory`, field);
  if (user.status !== 'ACTIVE') throw new ValidationError(`${id} is ${user.status}; the approver must be ACTIVE`, field);
  return user;
}

export interface HandoverDeps {
  campaigns: Pick<CampaignStore, 'getEntry' | 'saveEntry'>;
  outbox: Pick<Outbox, 'enqueue' | 'markFailed'>;
}

/**
 * Records `notice` (the Approval Start that announces `next`), then saves `next`. The notice comes
 * first: a crash in between leaves a notice that a retry finds under the same key, never an entry
 * whose new approver was not told. The notice carries the entry version it announces: the
 * dispatcher holds it until the entry has that version, and skips it if the entry went another
 * way (dispatch-notifications.ts). Returns the notice as recorded (when new).
 */
export async function announceThenSave(deps: HandoverDeps, notice: Notification, next: Entry): Promise<Notification> {
  const announcing: Notification = { ...notice, entryVersion: next.version };
  const created = (await deps.outbox.enqueue([announcing])).includes(announcing.key);
  try {
    await deps.campaigns.saveEntry(next);
  } catch (error) {
    if (error instanceof ConflictError && created) await withdraw(deps, announcing, next);
    throw error;
  }
  return announcing;
}

/**
 * The entry changed between our read and our write: our notice must not go out, unless a
 * concurrent identical request wrote the very version it announces.
 */
async function withdraw(deps: HandoverDeps, notice: Notification, planned: Entry): Promise<void> {
  const current = await deps.campaigns.getEntry(planned.id);
  if (current && current.version === planned.version && current.approverIds.includes(notice.recipientId)) return;
  await deps.outbox.markFailed(notice, 'withdrawn: the entry changed before the reassignment was saved', true);
}
