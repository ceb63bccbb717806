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

  /** Loads the given people in one batch so that composing many notifications costs one read. */
  async prefetch(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.people.has(id));
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

  /** Composes for a recipient already prefetched (or remembered). */
  compose(kind: NotificationKind, key: string, recipientId: string, extras?: ViewExtras, entryId?: string): Notification {
    const owner = this.people.get(this.campaign.ownerId);
    return composeNotification({
      campaign: this.campaign,
      kind,
      key,
      recipientId,
      recipient: this.people.get(recipientId),
      ownerName: owner?.displayName ?? this.campaign.ownerId,
      portalUrl: this.portalUrl,
      now: this.now,
      entryId,
      extras,
    });
  }

  async composeFor(kind: NotificationKind, key: string, recipientId: string, extras?: ViewExtras, entryId?: string) {
    await this.prefetch([recipientId, this.campaign.ownerId]);
    return this.compose(kind, key, recipientId, extras, entryId);
  }
}
