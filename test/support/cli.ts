// The `idgov` CLI as a child process, as a user runs it: exit code, stdout and stderr.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The script that runs `idgov` (with process.execPath): the test run's build of bin/idgov.mjs
 * (test/support/cli-build.ts: a third of the CPU a command takes through tsx), or bin/idgov.mjs itself where no
 * global setup built it (or with IDGOV_TEST_CLI=bin).
 */
export function idgovBin(): string {
  return inject('idgovBin') ?? join(PROJECT_ROOT, 'bin/idgov.mjs');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `idgov ARGS` with IDGOV_HOME set to `home`; stack traces off, so stderr is what a user sees. */
export function runIdgov(home: string, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [idgovBin(), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, IDGOV_HOME: home, IDGOV_DEBUG: '' }, timeout: timeoutMs }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
