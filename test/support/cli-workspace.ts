// What every CLI test file sets up: the engine its commands use (the embedded one, or a DynamoDB
// Local of the file's own when the run is on that engine), a scratch folder holding the given JSON
// files, and `idgov` / `json` runners bound to both.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startDynamoDbLocal, type LocalEngine } from '../../src/local/engine.js';
import { runIdgov, type CliResult } from './cli.js';
import { testEngineKind } from './engine.js';

export interface CliWorkspace {
  /** `idgov ARGS` against the file's engine, with IDGOV_HOME = `home`. */
  idgov(home: string, args: string[]): Promise<CliResult>;
  /** `idgov ARGS --json`, which must succeed; its parsed stdout. */
  json<T = Record<string, unknown>>(home: string, args: string[]): Promise<T>;
  /** A path in the scratch folder (available inside tests and hooks). */
  path(name: string): string;
  /** The DynamoDB endpoint the commands are given (--endpoint), or undefined for the embedded engine under `home`. */
  endpoint(): string | undefined;
}

export function useCliWorkspace(prefix: string, files: Record<string, unknown> = {}): CliWorkspace {
  let engine: LocalEngine | undefined;
  let engineArgs: string[] = [];
  let work: string | undefined;

  beforeAll(async () => {
    if (testEngineKind() === 'dynamodb-local') {
      engine = await startDynamoDbLocal();
      engineArgs = ['--endpoint', engine.endpoint];
    }
    work = await mkdtemp(join(tmpdir(), `idgov-${prefix}-`));
    for (const [name, content] of Object.entries(files)) await writeFile(join(work, name), JSON.stringify(content));
  });

  afterAll(async () => {
    await engine?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const idgov = (home: string, args: string[]) => runIdgov(home, [...args, ...engineArgs]);
  return {
    idgov,
    async json<T>(home: string, args: string[]): Promise<T> {
      const result = await idgov(home, [...args, '--json']);
      expect(result, `idgov ${args.join(' ')}\n${result.stderr}`).toMatchObject({ code: 0 });
      return JSON.parse(result.stdout) as T;
    },
    path(name: string): string {
      if (!work) throw new Error('the CLI workspace exists inside tests and hooks only');
      return join(work, name);
    },
    endpoint: () => engine?.endpoint,
  };
}
