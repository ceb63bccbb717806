// Sends what the outbox holds. A notification is claimed (SENDING, with an expiry) before it is
// sent and marked SENT after; a claim left by a killed run expires and the next run sends it, so a
// notification is never lost, and is sent again only if the process died inside the send itself.
import type { Notification } from '../domain/model.js';
import { mapLimit } from './concurrency.js';
import type { CampaignStore, Clock, Log, Mailer, Outbox } from './ports.js';
import type { Campaign, NotificationKind } from '../domain/model.js';

export interface DispatchDeps {
  outbox: Outbox;
  campaigns: Pick<CampaignStore, 'getCampaign'>;
  mailer: Mailer;
  wallClock: Clock;
  log: Log;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  retrying: number;
  skipped: number;
}

/**
 * Notices about work to do: pointless once the campaign is cancelled (DELETED) or failed. What
 * already happened (Assignment Reject, Campaign End, Prepare Error) is always told.
 */
const WORK_NOTICES: NotificationKind[] = ['APPROVAL_START', 'APPROVAL_REMIND', 'APPROVAL_TIMEOUT', 'NO_APPROVER', 'CAMPAIGN_START'];

/** Why a recorded notification must not be sent any more, if it must not. */
function staleReason(n: Notification, campaign: Campaign | undefined): string | undefined {
  if (!WORK_NOTICES.includes(n.kind)) return undefined;
  if (!campaign || campaign.state === 'DELETED') return `campaign ${n.campaignId} was deleted before this was sent`;
  if (campaign.state === 'FAILED.PREPARED') return `campaign ${n.campaignId} failed preparation before this was sent`;
  return undefined;
}

export const MAX_SEND_ATTEMPTS = 5;
const CLAIM_SECONDS = 300;
const SEND_CONCURRENCY = 4;

export async function dispatchNotifications(deps: DispatchDeps, runner: string, now: Date): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, failed: 0, retrying: 0, skipped: 0 };
  const campaigns = new Map<string, Promise<Campaign | undefined>>();
  const campaignOf = (id: string) => {
    if (!campaigns.has(id)) campaigns.set(id, deps.campaigns.getCampaign(id));
    return campaigns.get(id)!;
  };
  // Sends made in this run are not re-listed: a page is read, then worked through.
  const seen = new Set<string>();
  for await (const page of deps.outbox.listDispatchable(deps.wallClock.now())) {
    const fresh = page.filter((n) => !seen.has(n.key));
    fresh.forEach((n) => seen.add(n.key));
    await mapLimit(fresh, SEND_CONCURRENCY, async (n) => {
      const stale = staleReason(n, await campaignOf(n.campaignId));
      if (!stale && n.attempts >= MAX_SEND_ATTEMPTS) return giveUp(deps, n, result);
      if (!stale) return sendOne(deps, runner, n, now, result);
      await deps.outbox.markSkipped(n, stale);
      result.skipped += 1;
    });
  }
  return result;
}

/**
 * Attempts are counted when claimed: one still SENDING after the last attempt's claim expired means
 * every run that tried it died in the send, and a sixth would likely die too.
 */
async function giveUp(deps: DispatchDeps, n: Notification, result: DispatchResult) {
  const message = `gave up after ${n.attempts} attempts whose runs stopped before the send finished`;
  deps.log.error('giving up on a notification', { key: n.key, attempts: n.attempts });
  await deps.outbox.markFailed(n, message, true);
  result.failed += 1;
}

async function sendOne(deps: DispatchDeps, runner: string, n: Notification, now: Date, result: DispatchResult) {
  if (!(await deps.outbox.claim(n, runner, deps.wallClock.now(), CLAIM_SECONDS))) return;
  let messageId: string;
  try {
    if (!n.to) throw new Error(`no email address for ${n.recipientId}`);
    ({ messageId } = await deps.mailer.send({ to: n.to, subject: n.subject, body: n.body }));
  } catch (error) {
    const final = n.attempts + 1 >= MAX_SEND_ATTEMPTS;
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn('sending a notification failed', { key: n.key, attempt: n.attempts + 1, final, error: message });
    await deps.outbox.markFailed(n, message, final);
    if (final) result.failed += 1;
    else result.retrying += 1;
    return;
  }
  await deps.outbox.markSent(n, messageId, now);
  result.sent += 1;
}
