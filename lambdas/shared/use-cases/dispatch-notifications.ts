// Sends what the outbox holds. A notification is claimed (SENDING, with an expiry) before it is
// sent and marked SENT after; a claim left by a killed run expires and the next run sends it, so a
// notification is never lost, and is sent again only if the process died inside the send itself.
import type { Notification } from '../domain/model.js';
import { mapLimit } from './concurrency.js';
import type { Clock, Log, Mailer, Outbox } from './ports.js';

export interface DispatchDeps {
  outbox: Outbox;
  mailer: Mailer;
  wallClock: Clock;
  log: Log;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  retrying: number;
}

export const MAX_SEND_ATTEMPTS = 5;
const CLAIM_SECONDS = 300;
const SEND_CONCURRENCY = 4;

export async function dispatchNotifications(deps: DispatchDeps, runner: string, now: Date): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, failed: 0, retrying: 0 };
  // Sends made in this run are not re-listed: a page is read, then worked through.
  const seen = new Set<string>();
  for await (const page of deps.outbox.listDispatchable(deps.wallClock.now())) {
    const fresh = page.filter((n) => !seen.has(n.key));
    fresh.forEach((n) => seen.add(n.key));
    await mapLimit(fresh, SEND_CONCURRENCY, (n) => sendOne(deps, runner, n, now, result));
  }
  return result;
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
