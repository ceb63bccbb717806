// Delivery of a stored report (docs/reference/operations.md, "Delivery"): to the operations topic
// and by mail to each operations recipient, each of these targets once per report date. A run
// claims a target on the stored report before it sends (SENDING, with its id and the time), then
// marks it SENT: a re-run or an overlapping run skips what is sent or claimed, and a claim left by
// a run that died is taken over once it is CLAIM_MINUTES old.
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../domain/errors.js';
import type { RenderedReport } from '../domain/report-rendering.js';
import {
  mailTarget,
  type Clock,
  type DeliveryChannel,
  type DeliveryState,
  type DeliveryTarget,
  type Log,
  type Mailer,
  type OperationsStore,
  type ReportKind,
  type ReportPublisher,
} from './ports.js';
import { retryPassingFailures, type RetryOptions } from './retry.js';

/** Minutes after which a SENDING claim is presumed left by a run that died, and may be taken over. */
export const CLAIM_MINUTES = 15;

export interface DeliveryDeps {
  operations: OperationsStore;
  publisher: ReportPublisher;
  mailer: Mailer;
  /** Business time. */
  clock: Clock;
  /** Wall-clock time, which claims are stamped and aged with; absent: the business clock. */
  wallClock?: Clock;
  log: Log;
  /** How the mark after a send is retried (tests make the waits instant). */
  retry?: RetryOptions;
}

/** Deployment recipients and configured recipients, once each (addresses compared case-insensitively). */
export function operationsRecipients(...lists: readonly string[][]): string[] {
  const seen = new Set<string>();
  return lists.flat().map((r) => r.trim()).filter((r) => r !== '' && !seen.has(r.toLowerCase()) && seen.add(r.toLowerCase()));
}

const isSent = (state: DeliveryState | undefined): boolean => state?.status === 'SENT';

/**
 * Sends the stored report of `date` to each target not sent yet: the topic, and each recipient's
 * mail on its own (after a failure part-way, the retry mails only those not mailed). Each target
 * is claimed before it is sent and marked SENT after; a target another run holds a fresh claim on
 * is left to that run. Every target is tried; then the call fails with the first send error, or
 * with a ConflictError naming the targets held by another run, so that the job's retry delivers
 * what is missing. Returns the channels this call sent to. With no recipient the mail is skipped.
 *
 * At least once, not exactly once: a run killed between a send and its mark leaves a claim that
 * is taken over after CLAIM_MINUTES, and that target is sent again.
 */
export async function deliverReport(
  deps: DeliveryDeps,
  kind: ReportKind,
  date: string,
  rendered: RenderedReport,
  recipients: string[],
  attributes: Record<string, string>,
): Promise<DeliveryChannel[]> {
  const wall = deps.wallClock ?? deps.clock;
  const owner = randomUUID();
  const stored = await deps.operations.getReport(kind, date);
  const targets: { target: DeliveryTarget; channel: DeliveryChannel; send: () => Promise<{ messageId: string }> }[] = [
    {
      target: 'topic',
      channel: 'topic',
      send: () => deps.publisher.publish({ subject: rendered.subject, text: rendered.text, attributes: { kind, date, ...attributes } }),
    },
    ...recipients.map((to) => ({
      target: mailTarget(to),
      channel: 'mail' as const,
      send: () => deps.mailer.send({ to, subject: rendered.subject, body: rendered.text, html: rendered.html }),
    })),
  ];
  if (recipients.length === 0) deps.log.warn('no operations recipient: the report is not mailed', { kind, date });

  const sent = new Set<DeliveryChannel>();
  const heldElsewhere: DeliveryTarget[] = [];
  let failure: { error: unknown } | undefined;
  for (const { target, channel, send } of targets) {
    if (isSent(stored?.deliveries[target])) continue;
    const claimedAt = wall.now();
    const staleBefore = new Date(claimedAt.getTime() - CLAIM_MINUTES * 60_000).toISOString();
    if (!(await deps.operations.claimDelivery(kind, date, target, { owner, claimedAt: claimedAt.toISOString() }, staleBefore))) {
      // Sent meanwhile (fine), or claimed by a run still within its claim (not known to be delivered).
      if (!isSent((await deps.operations.getReport(kind, date))?.deliveries[target])) heldElsewhere.push(target);
      continue;
    }
    let messageId: string;
    try {
      ({ messageId } = await send());
    } catch (error) {
      deps.log.error(`the ${kind} report could not be delivered to ${target}`, { date, error: error instanceof Error ? error.message : String(error) });
      failure ??= { error };
      // Let the retry send at once; if this fails too, the claim goes stale after CLAIM_MINUTES.
      await deps.operations.releaseDelivery(kind, date, target, owner).catch(() => undefined);
      continue;
    }
    let marked: boolean;
    try {
      // It is out: a passing failure of the mark is retried here, or a later run would send it again.
      marked = await retryPassingFailures(
        () => deps.operations.recordDelivery(kind, date, target, { owner, claimedAt: claimedAt.toISOString(), at: wall.now().toISOString(), messageId }),
        deps.retry,
      );
    } catch (error) {
      // Sent but not marked: the claim goes stale and a later run sends it again (at least once).
      deps.log.error(`the ${kind} report was delivered to ${target} but could not be marked sent`, { date, messageId, error: error instanceof Error ? error.message : String(error) });
      failure ??= { error };
      continue;
    }
    if (marked) sent.add(channel);
    // The claim was taken over while this run was sending (it ran past CLAIM_MINUTES): the other run sends it too.
    else deps.log.warn(`the ${kind} report's delivery to ${target} was taken over by another run while being sent: it may arrive twice`, { date });
  }
  if (failure) throw failure.error;
  if (heldElsewhere.length > 0) {
    throw new ConflictError(
      `the ${kind} report of ${date} is being delivered by another run to ${heldElsewhere.join(', ')}; ` +
        `its claim is taken over after ${CLAIM_MINUTES} minutes if that run is gone: run the job again then`,
    );
  }
  return (['topic', 'mail'] as const).filter((c) => sent.has(c));
}
