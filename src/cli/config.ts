// `idgov config load FILE` and `idgov config show`: the operations configuration (risk rules, SoD
// pairs, thresholds, schedules, recipients) the daily jobs read, stored in the operations table.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { parseOperationsConfig } from '../../lambdas/shared/domain/operations-config.js';
import { DEFAULT_OPERATIONS_CONFIG, type OperationsConfig } from '../../lambdas/shared/domain/operations.js';
import { saveOperationsConfig } from '../../lambdas/shared/use-cases/operations-config.js';
import type { Runtime } from '../local/runtime.js';
import { note, out, outJson, resolveNow, showDate, withRuntime } from './context.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('load and show the operations configuration of the daily jobs');

  config
    .command('load')
    .description('check an operations configuration file (JSON; what it leaves out keeps its default) and store it')
    .argument('<file>', 'operations configuration, e.g. examples/operations-config.json')
    .option('--by <name>', 'who loads it (stored with it)', 'idgov-cli')
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print what was stored as JSON')
    .action(async (file: string, options: { by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      // Read and check the whole file before opening the store: a bad file changes nothing.
      const parsed = parseOperationsConfig(await readJson(file));
      const unknown = await withRuntime(command, async (runtime) => {
        const missing = await unknownPrivileges(runtime, parsed);
        await saveOperationsConfig({ operations: runtime.operations, audit: runtime.auditLog }, parsed, options.by, now);
        return missing;
      });
      for (const id of unknown) note(`warning: privilege ${id} of a toxic combination is not in the directory (yet)`);
      const view = { file, loadedAt: now.toISOString(), loadedBy: options.by, config: parsed };
      if (options.json) return outJson(view);
      out(`loaded the operations configuration from ${file} (by ${options.by} at ${showDate(view.loadedAt)}): ${describe(parsed)}`);
    });

  config
    .command('show')
    .description('show the operations configuration in force (the stored one, else the defaults)')
    .option('--json', 'print it as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const stored = await withRuntime(command, (runtime) => runtime.operations.getConfig());
      const view = stored
        ? { source: 'stored', loadedAt: stored.loadedAt, loadedBy: stored.loadedBy, config: stored.config }
        : { source: 'defaults', loadedAt: null, loadedBy: null, config: DEFAULT_OPERATIONS_CONFIG };
      if (options.json) return outJson(view);
      out(
        stored
          ? `operations configuration loaded by ${stored.loadedBy} at ${showDate(stored.loadedAt)}: ${describe(stored.config)}`
          : `no operations configuration loaded: the defaults apply (${describe(DEFAULT_OPERATIONS_CONFIG)})`,
      );
      out(JSON.stringify(view.config, null, 2));
    });
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${file} (${(error as Error).message})`, 'file');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`${file} is not JSON (${(error as Error).message})`, 'file');
  }
}

/** The privileges the toxic combinations name that the directory does not hold (one batch read). */
async function unknownPrivileges(runtime: Runtime, config: OperationsConfig): Promise<string[]> {
  const ids = [...new Set(config.risk.toxicCombinations.flatMap((c) => c.privileges))];
  if (ids.length === 0) return [];
  const found = await runtime.directory.getPrivileges(ids);
  return ids.filter((id) => !found.has(id));
}

const describe = (c: OperationsConfig): string =>
  [
    `${c.risk.toxicCombinations.length} toxic combination${c.risk.toxicCombinations.length === 1 ? '' : 's'}`,
    `more than ${c.risk.maxHighRiskPrivileges} HIGH/CRITICAL privileges raise a user's risk`,
    `compliant at ${c.compliance.compliantAt}`,
    `${c.recipients.length} recipient${c.recipients.length === 1 ? '' : 's'} besides the deployment's`,
  ].join('; ');
