// What ships is what is tested: the suites that run `idgov` as a child process run the test run's
// build of bin/idgov.mjs (test/support/cli-build.ts); here the shipped bin/idgov.mjs itself (tsx, as
// `npx idgov` runs it) and that build answer the same commands with the same exit code and output,
// over one state folder, each reading what the other wrote.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idgovBin, PROJECT_ROOT, type CliResult } from '../support/cli.js';

const shippedBin = join(PROJECT_ROOT, 'bin/idgov.mjs');

const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com', department: 'IT' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'owner', department: 'Finance', riskLevel: 'HIGH' },
  ],
  privileges: [{ id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'HIGH' }],
  assignments: [{ userId: 'alice', privilegeId: 'p-ledger', origin: 'MANUAL' }],
};

let home = '';
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'idgov-cli-bin-'));
  await writeFile(join(home, 'org.json'), JSON.stringify(directory));
});
afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

function run(script: string, args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, IDGOV_HOME: join(home, 'state'), IDGOV_DEBUG: '' }, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('the shipped bin and the build the tests run', () => {
  it('is a build, not the shipped file, unless IDGOV_TEST_CLI=bin', () => {
    if (process.env.IDGOV_TEST_CLI === 'bin') expect(idgovBin()).toBe(shippedBin);
    else expect(idgovBin()).not.toBe(shippedBin);
  });

  it('print the same help', async () => {
    const [shipped, built] = await Promise.all([run(shippedBin, ['--help']), run(idgovBin(), ['--help'])]);
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toContain('Usage: idgov');
    expect(built).toEqual(shipped);
  });

  it('refuse the same bad input with the same message', async () => {
    const args = ['directory', 'load', join(home, 'missing.json')];
    const shipped = await run(shippedBin, args);
    const built = await run(idgovBin(), args);
    expect(shipped.code).toBe(2);
    expect(shipped.stderr).toMatch(/^idgov: .*missing\.json/);
    expect(built).toEqual(shipped);
  });

  it("read each other's state: the shipped bin loads a directory, both show it alike", async () => {
    const load = await run(shippedBin, ['directory', 'load', join(home, 'org.json'), '--now', '2026-07-01T00:00:00Z']);
    expect(load, load.stderr).toMatchObject({ code: 0 });
    const show = ['directory', 'show-user', 'alice', '--json'];
    const built = await run(idgovBin(), show);
    const shipped = await run(shippedBin, show);
    expect(shipped, shipped.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(shipped.stdout)).toMatchObject({ id: 'alice', assignments: [{ privilegeId: 'p-ledger', origin: 'MANUAL' }] });
    expect(built).toEqual(shipped);
  });
});
