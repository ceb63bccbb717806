// `idgov outbox`: every recorded notification of every campaign, from the outbox itself.
import type { Command } from 'commander';
import { readOutbox } from '../local/runtime.js';
import { countBy, formatCounts, out, outJson, table, withRuntime } from './context.js';

export function registerOutboxCommands(program: Command): void {
  program
    .command('outbox')
    .description('list every notification recorded in the outbox (kind, to, subject, campaign, entry, key, status)')
    .option('--campaign <id>', 'only this campaign')
    .option('--json', 'print as JSON')
    .action(async (options: { campaign?: string; json?: boolean }, command: Command) => {
      const notifications = await withRuntime(command, (runtime) => readOutbox(runtime, options.campaign));
      const view = notifications.map((n) => ({
        kind: n.kind,
        to: n.to ?? null,
        recipientId: n.recipientId,
        subject: n.subject,
        campaignId: n.campaignId,
        runId: n.runId,
        entryId: n.entryId ?? null,
        key: n.key,
        status: n.status,
        createdAt: n.createdAt,
        sentAt: n.sentAt ?? null,
        ...(n.lastError ? { lastError: n.lastError } : {}),
      }));
      if (options.json) return outJson(view);
      if (view.length === 0) return out('the outbox is empty');
      out(
        table(
          ['kind', 'to', 'subject', 'campaignId', 'entryId', 'status', 'key'],
          view.map((n) => [n.kind, n.to ?? `(${n.recipientId})`, n.subject, n.campaignId, n.entryId ?? '-', n.status, n.key]),
        ),
      );
      out(`${view.length} notifications: ${formatCounts(countBy(view, (n) => n.kind))}`);
    });
}
