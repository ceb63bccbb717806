// `idgov` loads the module of the command a command line names, and no other (src/cli/main.ts,
// COMMAND_MODULES): each command so built must be the very command of the whole program, and every
// command of the whole program must be one that a module is listed for.
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_MODULES, namedCommand } from '../../../src/cli/main.js';

interface CommandShape {
  name: string;
  aliases: string[];
  description: string;
  arguments: string[];
  options: string[];
  commands: CommandShape[];
}

/** Everything a user can give or read of a command: names, arguments, options (with defaults and choices), sub-commands. */
function shape(command: Command): CommandShape {
  const option = (o: Option) => `${o.flags} ${o.mandatory ? 'mandatory ' : ''}${JSON.stringify(o.defaultValue)} ${JSON.stringify(o.argChoices)} ${o.description}`;
  return {
    name: command.name(),
    aliases: command.aliases(),
    description: command.description(),
    arguments: command.registeredArguments.map((a) => `${a.required ? '<' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '>' : ']'} ${JSON.stringify(a.argChoices)}`),
    options: command.options.map(option),
    commands: command.commands.map(shape),
  };
}

const argv = (...words: string[]) => ['node', 'idgov', ...words];

describe('the command modules', () => {
  it('list every command of the program, each once, in the order of the help', async () => {
    const whole = await buildProgram();
    const listed = COMMAND_MODULES.flatMap((m) => m.commands);
    expect(whole.commands.map((c) => c.name())).toEqual(listed);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('build each named command exactly as the whole program has it, and nothing else', async () => {
    const whole = await buildProgram();
    for (const module of COMMAND_MODULES) {
      for (const name of module.commands) {
        const alone = await buildProgram(argv('--endpoint', 'http://127.0.0.1:8000', name, '--help'));
        expect(alone.commands.map((c) => c.name()), name).toEqual(module.commands);
        expect(shape(alone), name).toEqual({ ...shape(whole), commands: shape(whole).commands.filter((c) => module.commands.includes(c.name)) });
      }
    }
  });

  it('find the command after the global options and their values', () => {
    expect(namedCommand(argv('campaign', 'list'))).toBe('campaign');
    expect(namedCommand(argv('--endpoint', 'http://x', '--aws', '--outputs', 'o.json', '--stack-prefix', 'Acme', 'decide', 'e-1'))).toBe('decide');
    expect(namedCommand(argv('--endpoint=http://x', 'tasks'))).toBe('tasks');
    // A value that looks like a command is the option's, not the command.
    expect(namedCommand(argv('--outputs', 'campaign', 'report', 'daily'))).toBe('report');
  });

  it('name no command for the help, an unknown command or none, which then loads them all', async () => {
    for (const line of [argv(), argv('--help'), argv('help', 'campaign'), argv('no-such-command'), argv('--endpoint', 'campaign')]) {
      expect(namedCommand(line), line.join(' ')).toBeUndefined();
      expect((await buildProgram(line)).commands).toHaveLength(COMMAND_MODULES.flatMap((m) => m.commands).length);
    }
  });
});
