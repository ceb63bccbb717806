// vitest globalSetup: builds the `idgov` command once per test run (test/support/cli-build.ts) and
// hands its path to the tests (inject('idgovBin')). IDGOV_TEST_CLI=bin runs the shipped bin/idgov.mjs
// (tsx) instead, slower and the same behaviour.
import { mkdtemp, rm } from 'node:fs/promises';
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
  const dir = await mkdtemp(join(tmpdir(), 'idgov-cli-build-'));
  project.provide('idgovBin', await buildIdgov(dir));
  // Watch mode: the sources may have changed since the last run.
  project.onTestsRerun(async () => {
    await buildIdgov(dir);
  });
  return () => rm(dir, { recursive: true, force: true });
}
