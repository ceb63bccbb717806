// Every `idgov …` / `npx idgov …` command the runbooks (docs/runbooks/**/*.md) tell an operator to
// run exists in the CLI: its command path and every option it gives are those the commander program
// (src/cli/main.ts, buildProgram) declares; a command in a code block also gives every required
// option and argument. Nothing is executed: the program's declared commands and options are walked.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { PROJECT_ROOT } from '../support/cli.js';

const RUNBOOKS = join(PROJECT_ROOT, 'docs/runbooks');

interface CommandLine {
  file: string;
  line: number;
  text: string;
  /** In a fenced code block: meant to be run as written, so required options must be there. */
  complete: boolean;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
  );
}

const IDGOV = /^(?:npx\s+)?idgov(?:\s|$)/;

/** The idgov command lines of a Markdown page: lines of code blocks, and inline code spans. */
export function commandLines(markdown: string, file: string): CommandLine[] {
  const found: CommandLine[] = [];
  const lines = markdown.split('\n');
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      // A continued line (trailing backslash) is one command.
      let text = line.trim();
      const start = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
      if (IDGOV.test(text)) found.push({ file, line: start + 1, text, complete: true });
      continue;
    }
    for (const [, span] of line.matchAll(/`([^`]+)`/g)) {
      // In a table cell a pipe is written \|.
      const text = span!.trim().replaceAll('\\|', '|');
      if (IDGOV.test(text)) found.push({ file, line: i + 1, text, complete: false });
    }
  }
  return found;
}

/** Shell words up to a comment, pipe, redirection or command separator; quotes and $(…) kept whole. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      word += text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
      inWord = true;
    } else if (c === '$' && text[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      word += text.slice(i, j + 1);
      i = j;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (!inWord && (c === '#' || c === '|' || c === ';' || c === '>' || c === '&')) {
      break;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const takesValue = (option: Option) => option.required || option.optional;

/** What is wrong with an idgov command line, given the program; undefined when the program takes it. */
export function commandProblem(program: Command, text: string, complete: boolean): string | undefined {
  const words = shellWords(text);
  const args = words.slice(words[0] === 'npx' ? 2 : 1);
  let command = program;
  let positionals = 0;
  const given = new Set<Option>();
  const lookup = (name: string): Option | undefined => {
    for (let c: Command | null = command; c; c = c.parent) {
      const option = c.options.find((o) => o.long === name || o.short === name);
      if (option) return option;
    }
    return undefined;
  };
  const path = () => {
    const names: string[] = [];
    for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
    return names.join(' ') || '(root)';
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return undefined;
    if (arg.startsWith('-')) {
      const [name, inline] = arg.split('=', 2) as [string, string | undefined];
      const option = lookup(name);
      if (!option) return `${path()}: unknown option ${name}`;
      given.add(option);
      if (takesValue(option) && inline === undefined) {
        const next = args[i + 1];
        if (next !== undefined && !next.startsWith('-')) i++;
        else if (option.required) return `${path()}: option ${name} needs a value`;
      }
      continue;
    }
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub && positionals === 0) {
      command = sub;
      continue;
    }
    if (command.commands.length > 0 && command.registeredArguments.length === 0) return `${path()}: unknown command ${arg}`;
    const declared = command.registeredArguments;
    if (positionals >= declared.length && !declared.at(-1)?.variadic) return `${path()}: unexpected argument ${arg}`;
    positionals++;
  }
  if (!complete) return undefined;
  if (command.commands.length > 0) return `${path()}: a command group, not a command`;
  const missingArgument = command.registeredArguments.slice(positionals).find((a) => a.required);
  if (missingArgument) return `${path()}: missing argument <${missingArgument.name()}>`;
  const missingOption = command.options.find((o) => o.mandatory && !given.has(o));
  if (missingOption) return `${path()}: missing required option ${missingOption.long}`;
  return undefined;
}

const program = await buildProgram();

describe('the idgov commands in the runbooks', () => {
  const lines = markdownFiles(RUNBOOKS).flatMap((path) => commandLines(readFileSync(path, 'utf8'), relative(PROJECT_ROOT, path)));

  it('finds them (so that an empty walk cannot pass)', () => {
    expect(lines.filter((l) => l.complete).length).toBeGreaterThan(15);
    expect(lines.filter((l) => !l.complete).length).toBeGreaterThan(15);
    expect(lines.map((l) => l.file)).toEqual(
      expect.arrayContaining(['docs/runbooks/sop/daily-checks.md', 'docs/runbooks/runbooks/emergency-access-removal.md']),
    );
    expect(lines.map((l) => l.text)).toContain('npx idgov --aws emergency removals --user u-0042      # one record per removal: who, why, when, request');
  });

  it('name commands and options the CLI has, with the required ones in every command to run', () => {
    const problems = lines.flatMap((l) => {
      const problem = commandProblem(program, l.text, l.complete);
      return problem ? [`${l.file}:${l.line}: ${l.text}\n  ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });
});

describe('the runbook command checker (controls)', () => {
  const problem = (text: string, complete = true) => commandProblem(program, text, complete);

  it('takes commands the CLI has, with global options, quoted values, $(…) and a trailing comment', () => {
    expect(problem('npx idgov --aws report daily --date "$(date -u +%F)" --json    # every figure')).toBeUndefined();
    expect(problem('npx idgov --aws --stack-prefix Acme emergency revoke --user u-1 --reason "INC-1: stolen" --by jane')).toBeUndefined();
    expect(problem('idgov --aws report daily', false)).toBeUndefined();
  });

  it('catches an unknown command, an unknown option, a missing required option and a group run alone', () => {
    expect(problem('npx idgov --aws report monthly --date D')).toBe('report: unknown command monthly');
    expect(problem('npx idgov --aws emergency revoke --user u-1 --why x')).toBe('emergency revoke: unknown option --why');
    expect(problem('npx idgov --aws report daily')).toBe('report daily: missing required option --date');
    expect(problem('npx idgov --aws report')).toBe('report: a command group, not a command');
  });

  it('splits shell words as the shell does for these lines', () => {
    expect(shellWords(`idgov a --reason "x y" --by 'z w' $(out A B) | jq .`)).toEqual(['idgov', 'a', '--reason', 'x y', '--by', 'z w', '$(out A B)']);
  });
});
