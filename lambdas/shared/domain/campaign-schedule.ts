// Date arithmetic of the campaign lifecycle (docs/reference/campaigns.md): due dates, expirations, recurrence, reminders.
import type { Campaign } from './model.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

export const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

/** "2026-07-01T00:00:00.000Z" -> "2026-07-01", for names and templates. */
export const dateOnly = (iso: string): string => iso.slice(0, 10);

/** When a recurring campaign's next run starts. */
export const nextRunStart = (campaign: Pick<Campaign, 'startDate' | 'recurrence'>): string | undefined =>
  campaign.recurrence ? addDays(campaign.startDate, campaign.recurrence.intervalDays) : undefined;

/**
 * A finished run with entries whose changes the directory refused (FAILED.APPLIED.CHANGES): every
 * controller run retries them until they apply or the run is deleted.
 */
export const awaitsChangeRetry = (campaign: Pick<Campaign, 'state' | 'stats'>): boolean =>
  campaign.state === 'SUCCEEDED' && (campaign.stats?.entriesByState['FAILED.APPLIED.CHANGES'] ?? 0) > 0;

/** Far future: sorts after every real instant, so the campaign is never due. */
export const NEVER = '9999-12-31T23:59:59.999Z';

/**
 * The instant at which the controller must next look at a campaign; the store indexes it so that
 * each run queries only due campaigns, never the history.
 */
export function nextActionAt(campaign: Campaign): string {
  switch (campaign.state) {
    case 'PREPARING':
      return campaign.startDate;
    case 'RUNNING':
      // Waiting for the owner's confirmation (docs/reference/guards.md): nothing to do until `campaign confirm-apply` saves it.
      if (campaign.phase.name === 'AWAIT_CONFIRMATION') return NEVER;
      // Reminders, expirations and decisions need attention on every run.
      return '0000-00-00T00:00:00.000Z';
    case 'SUCCEEDED': {
      if (awaitsChangeRetry(campaign)) return '0000-00-00T00:00:00.000Z';
      const restart = campaign.archived ? undefined : nextRunStart(campaign);
      // A recurring campaign restarts instead of expiring; its archived runs expire.
      if (restart) return restart;
      return campaign.statusExpirationDate ?? NEVER;
    }
    case 'DELETED':
      return campaign.cleanedAt ? NEVER : '0000-00-00T00:00:00.000Z';
    case 'FAILED.PREPARED':
      return NEVER;
  }
}
