// `idgov entry set ENTRY_ID --state S | --due-date D`.
import type { Command } from 'commander';
import { changeEntry } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { out, outJson, resolveNow, showDate, withRuntime } from './context.js';

export function registerEntryCommands(program: Command): void {
  const entry = program.command('entry').description('change one certification entry');

  entry
    .command('set')
    .description('change the state (e.g. reopen FAILED.EXPIRED as RUNNING) or the due date of one entry')
    .argument('<entryId>', 'entry id')
    .option('--state <state>', 'new state: RUNNING or FAILED.EXPIRED')
    .option('--due-date <iso>', 'new due date')
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print the changed entry as JSON')
    .action(async (entryId: string, options: { state?: string; dueDate?: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const changed = await withRuntime(command, (runtime) =>
        changeEntry(runtime.campaigns, entryId, { state: options.state, dueDate: options.dueDate }, now),
      );
      if (options.json) {
        return outJson({ id: changed.id, campaignId: changed.campaignId, state: changed.state, dueDate: changed.dueDate, approverIds: changed.approverIds });
      }
      out(`entry ${changed.id}: state ${changed.state}, due ${showDate(changed.dueDate)}`);
    });
}
