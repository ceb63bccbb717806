// The `idgov` administration CLI (docs/reference/cli.md). Exit codes: 0 success, 2 bad input or a refusal (one
// message on stderr naming the field), 1 a failed call to the deployed stack (one message saying what
// to do), a check that did not hold (`audit verify`, `evidence verify`: naming what failed) or anything
// unexpected (stack only with IDGOV_DEBUG=1). bin/idgov.mjs runs it and exits;
// tests call runCli in-process.
import { Command, CommanderError } from 'commander';
import { DomainError } from '../../lambdas/shared/domain/errors.js';
import { RemoteCallError, setupHint } from '../aws/remote-call-error.js';
import { CheckFailedError } from './context.js';

const debug = process.env.IDGOV_DEBUG === '1';

// Libraries log through console (Powertools in dev mode, for one): none of it is command output.
console.log = console.info = console.debug = console.error;
// The controller handler's Powertools logger writes INFO to stdout; keep warnings and errors (stderr).
process.env.POWERTOOLS_LOG_LEVEL ??= debug ? 'DEBUG' : 'WARN';
if (debug) process.env.POWERTOOLS_DEV ??= 'true';

type Register = (program: Command) => void;

/**
 * Each command module, loaded when used: a command line loads the module of the command it names
 * only (the AWS clients, the report charts, the local API server and the job handlers of the others
 * stay unloaded, about a third of a command's start-up), the help and an unknown command all of them.
 * In the order of the help. test/unit/cli/command-modules.test.ts holds each module to the commands
 * it registers.
 */
export const COMMAND_MODULES: readonly { commands: readonly string[]; load: () => Promise<Register> }[] = [
  { commands: ['directory'], load: async () => (await import('./directory.js')).registerDirectoryCommands },
  { commands: ['campaign'], load: async () => (await import('./campaign.js')).registerCampaignCommands },
  { commands: ['entry'], load: async () => (await import('./entry.js')).registerEntryCommands },
  { commands: ['controller'], load: async () => (await import('./controller.js')).registerControllerCommands },
  { commands: ['tasks', 'decide'], load: async () => (await import('./decisions.js')).registerDecisionCommands },
  { commands: ['outbox'], load: async () => (await import('./outbox.js')).registerOutboxCommands },
  { commands: ['api'], load: async () => (await import('./api.js')).registerApiCommands },
  { commands: ['job'], load: async () => (await import('./job.js')).registerJobCommands },
  { commands: ['report'], load: async () => (await import('./report.js')).registerReportCommands },
  { commands: ['config'], load: async () => (await import('./config.js')).registerConfigCommands },
  { commands: ['emergency'], load: async () => (await import('./emergency.js')).registerEmergencyCommands },
  { commands: ['workflow'], load: async () => (await import('./workflow.js')).registerWorkflowCommands },
  { commands: ['reapproval'], load: async () => (await import('./reapproval.js')).registerReapprovalCommands },
  { commands: ['audit'], load: async () => (await import('./audit.js')).registerAuditCommands },
  { commands: ['evidence'], load: async () => (await import('./evidence.js')).registerEvidenceCommands },
];

/** The global options that take a value (the command's name is the first word that is neither). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--endpoint', '--outputs', '--stack-prefix']);

/** The command a command line (process.argv) names, if it is one of COMMAND_MODULES'. */
export function namedCommand(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(word)) i++;
    else if (!word.startsWith('-')) return COMMAND_MODULES.some((m) => m.commands.includes(word)) ? word : undefined;
  }
  return undefined;
}

/** The program with every command, or, given a command line that names one, with that command's module only. */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const named = argv && namedCommand(argv);
  const modules = named ? COMMAND_MODULES.filter((m) => m.commands.includes(named)) : COMMAND_MODULES;
  const registers = await Promise.all(modules.map((m) => m.load()));
  const program = new Command('idgov')
    .description('identity governance: directory, certification campaigns, decisions, notifications, daily operations, re-approval')
    .option('--endpoint <url>', 'use this DynamoDB endpoint (e.g. DynamoDB Local) instead of the embedded engine')
    .option('--aws', "use the deployed stack: its outputs from --outputs, else from CloudFormation (DescribeStacks); DIRECTORY_TABLE_NAME / CAMPAIGN_TABLE_NAME / OPERATIONS_TABLE_NAME / AUDIT_TABLE_NAME override the table names")
    .option('--outputs <file>', 'with --aws: the `cdk deploy --outputs-file` JSON')
    .option('--stack-prefix <prefix>', 'with --aws: the stacks are <prefix>Stateful and <prefix>Stateless (default: IdGov)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nState lives in $IDGOV_HOME (default ./.idgov): the embedded engine\'s data in db/, captured mail in mailbox.jsonl, the operations topic in operations-topic.jsonl, metrics in metrics.jsonl.',
    );
  for (const register of registers) register(program);
  // Every subcommand throws instead of exiting, so that the exit code is decided in one place.
  const override = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return report(error);
  }
}

const BAD_INPUT_CODES = new Set(['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'CLOSED', 'CONFLICT']);

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed its own message (usage errors) or the help/version text.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CheckFailedError) {
    process.stderr.write(`idgov: ${error.message}\n`);
    return 1;
  }
  if (error instanceof RemoteCallError) {
    process.stderr.write(`idgov: ${error.message}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
  // A set-up failure of a call to AWS (no credentials or region, a refused permission), from any
  // command: the operator can act on it, so it is said with what to do, as the stack calls say it.
  const hint = error instanceof Error ? setupHint(error) : '';
  if (hint) {
    process.stderr.write(`idgov: ${error instanceof Error ? error.message : ''}${hint}\n`);
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
  if (error instanceof DomainError && BAD_INPUT_CODES.has(error.code)) {
    process.stderr.write(`idgov: ${error.message}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    return 2;
  }
  const message =
    error instanceof AggregateError
      ? `${error.message}: ${error.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`idgov: unexpected error: ${message}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('idgov: set IDGOV_DEBUG=1 for the stack trace\n');
  return 1;
}
