// Delivery of a stored report (docs/reference/operations.md, "Delivery"): to the operations topic
// and by mail to the operations recipients, each channel at most once per report date. The report
// is stored first; a channel is recorded as delivered right after it was sent, so a re-run skips
// what was delivered and retries what was not.
import type { RenderedReport } from '../domain/report-rendering.js';
import type { Clock, DeliveryChannel, Log, Mailer, OperationsStore, ReportKind, ReportPublisher } from './ports.js';

export interface DeliveryDeps {
  operations: OperationsStore;
  publisher: ReportPublisher;
  mailer: Mailer;
  clock: Clock;
  log: Log;
}

/** Deployment recipients and configured recipients, once each (addresses compared case-insensitively). */
export function operationsRecipients(...lists: readonly string[][]): string[] {
  const seen = new Set<string>();
  return lists.flat().map((r) => r.trim()).filter((r) => r !== '' && !seen.has(r.toLowerCase()) && seen.add(r.toLowerCase()));
}

/**
 * Sends the channels the stored report of `date` has not been delivered to, and returns those
 * sent now. Every channel is tried; if one failed, the call then fails with the first error (the
 * job fails, its retry delivers what is missing). With no recipient the mail channel is skipped.
 * A mail goes to each recipient on its own; the mail channel is recorded once all were sent, so
 * after a partial failure the retry sends it to every recipient again.
 */
export async function deliverReport(
  deps: DeliveryDeps,
  kind: ReportKind,
  date: string,
  rendered: RenderedReport,
  recipients: string[],
  attributes: Record<string, string>,
): Promise<DeliveryChannel[]> {
  const stored = kind === 'daily' ? await deps.operations.getReport('daily', date) : await deps.operations.getReport('weekly', date);
  const delivered = stored?.deliveries ?? {};
  const sends: { channel: DeliveryChannel; send: () => Promise<string> }[] = [];
  if (!delivered.topic) {
    sends.push({
      channel: 'topic',
      send: async () => (await deps.publisher.publish({ subject: rendered.subject, text: rendered.text, attributes: { kind, date, ...attributes } })).messageId,
    });
  }
  if (recipients.length === 0) deps.log.warn('no operations recipient: the report is not mailed', { kind, date });
  else if (!delivered.mail) {
    sends.push({
      channel: 'mail',
      send: async () => {
        const ids: string[] = [];
        for (const to of recipients) ids.push((await deps.mailer.send({ to, subject: rendered.subject, body: rendered.text, html: rendered.html })).messageId);
        return ids.join(',');
      },
    });
  }

  const sent: DeliveryChannel[] = [];
  let failure: { error: unknown } | undefined;
  for (const { channel, send } of sends) {
    try {
      const messageId = await send();
      // False: a concurrent run recorded it first; that run counts it.
      if (await deps.operations.recordDelivery(kind, date, channel, { at: deps.clock.now().toISOString(), messageId })) sent.push(channel);
    } catch (error) {
      deps.log.error(`the ${kind} report could not be delivered to the ${channel}`, { date, error: error instanceof Error ? error.message : String(error) });
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return sent;
}
