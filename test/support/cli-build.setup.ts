// vitest globalSetup: builds the `idgov` command once per test run (test/support/cli-build.ts) and
// hands its path to the tests (inject('idgovBin')). IDGOV_TEST_CLI=bin runs the shipped bin/idgov.mjs
// (tsx) instead, slower and the same behaviour.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildIdgov, SHIPPED_BIN } from './cli-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The script that runs `idgov`: the build of bin/idgov.mjs, or bin/idgov.mjs itself. */
    idgovBin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.IDGOV_TEST_CLI === 'bin') {
    project.provide('idgovBin', SHIPPED_BIN);
    return async () => {};
  }
  // One build for the run, whichever projects ask for it (`npm test` has two).
  const shared = globalThis as typeof globalThis & { idgovCliBuild?: { dir: string; bin: Promise<string>; users: number } };
  if (!shared.idgovCliBuild) {
    const dir = mkdtempSync(join(tmpdir(), 'idgov-cli-build-'));
    shared.idgovCliBuild = { dir, bin: buildIdgov(dir), users: 0 };
    // Watch mode: the sources may have changed since the last run.
    project.onTestsRerun(async () => {
      await buildIdgov(dir);
    });
  }
  const build = shared.idgovCliBuild;
  build.users++;
  project.provide('idgovBin', await build.bin);
  return async () => {
    if (--build.users > 0) return;
    delete shared.idgovCliBuild;
    await rm(build.dir, { recursive: true, force: true });
  };
}
