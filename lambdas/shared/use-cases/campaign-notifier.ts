// Looks up recipients (with a per-campaign cache) and composes a campaign's notifications.
import type { Campaign, Notification, NotificationKind, User } from '../domain/model.js';
import { composeNotification, type ViewExtras } from '../domain/notifications.js';
import type { DirectoryStore } from './ports.js';

export class CampaignNotifier {
  private readonly people = new Map<string, User | undefined>();

  constructor(
    private readonly directory: DirectoryStore,
    private readonly portalUrl: string,
    private readonly campaign: Campaign,
    private readonly now: Date,
  ) {}

  /**
   * Loads the given people in one batch so that composing many notifications costs one read. The
   * campaign owner is always loaded with them: every notice names the owner (`ownerName`).
   */
  async prefetch(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set([...ids, this.campaign.ownerId])].filter((id) => !this.people.has(id));
    if (missing.length === 0) return;
    const found = await this.directory.getUsers(missing);
    for (const id of missing) this.people.set(id, found.get(id));
  }

  remember(users: Iterable<User>): void {
    for (const u of users) this.people.set(u.id, u);
  }

  /** A person already prefetched or remembered. */
  known(id: string): User | undefined {
    return this.people.get(id);
  }

  /**
   * Composes for a recipient already prefetched (or remembered). Composing for someone not looked
   * up is a programming error, not a person missing from the directory: it throws, where it would
   * otherwise mail the owner's id or skip a recipient who exists.
   */
  compose(kind: NotificationKind, key: string, recipientId: string, extras?: ViewExtras, entryId?: string): Notification {
    const owner = this.lookedUp(this.campaign.ownerId);
    return composeNotification({
      campaign: this.campaign,
      kind,
      key,
      recipientId,
      recipient: this.lookedUp(recipientId),
      ownerName: owner?.displayName ?? this.campaign.ownerId,
      portalUrl: this.portalUrl,
      now: this.now,
      entryId,
      extras,
    });
  }

  private lookedUp(id: string): User | undefined {
    if (!this.people.has(id)) throw new Error(`CampaignNotifier: ${id} was not prefetched before composing`);
    return this.people.get(id);
  }

  async composeFor(kind: NotificationKind, key: string, recipientId: string, extras?: ViewExtras, entryId?: string) {
    await this.prefetch([recipientId, this.campaign.ownerId]);
    return this.compose(kind, key, recipientId, extras, entryId);
  }
}
