// `npm start`, the quick start's promise: the whole lifecycle on the embedded engine, exit 0, every
// notification kind sent and captured, and access actually removed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const KINDS = ['APPROVAL_REMIND', 'APPROVAL_START', 'APPROVAL_TIMEOUT', 'ASSIGNMENT_REJECT', 'CAMPAIGN_END', 'CAMPAIGN_START', 'NO_APPROVER', 'PREPARE_ERROR'];

// The demo always runs on the embedded dynalite engine: scripts/test.mjs leaves it out of the DynamoDB Local pass.
describe('npm start', () => {
  let home: string | undefined;
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('runs every campaign through its lifecycle, sends every notification kind, and removes access', async () => {
    home = await mkdtemp(join(tmpdir(), 'idgov-demo-'));
    const { code, stdout, stderr } = await npmStart(home);
    expect(code, stderr).toBe(0);

    for (const kind of KINDS) expect(stdout).toMatch(new RegExp(`│ ${kind} +│ [1-9]\\d* +│ SENT [1-9]\\d* +│`));
    const [, recorded, mails] = /(\d+) notifications recorded .*; (\d+) mails captured/.exec(stdout) ?? [];
    expect(Number(recorded)).toBeGreaterThan(0);
    expect(Number(mails)).toBe(Number(recorded));
    const mailbox = (await readFile(join(home, 'mailbox.jsonl'), 'utf8')).trim().split('\n');
    expect(mailbox).toHaveLength(Number(mails));

    const [, before, after] = /manual assignments (\d+) -> (\d+)/.exec(stdout) ?? [];
    expect(Number(after)).toBeLessThan(Number(before));
    // The state it leaves can be explored with the CLI, at the folder it names.
    expect(stdout).toContain(`IDGOV_HOME=${home} npx idgov campaign list`);
    for (const state of ['PREPARING -> FAILED.PREPARED', 'RUNNING -> SUCCEEDED', 'SUCCEEDED -> PREPARING', 'SUCCEEDED -> DELETED']) {
      expect(stdout).toContain(state);
    }
  }, 150_000);

  it('refuses to empty a folder it did not make', async () => {
    const precious = await mkdtemp(join(tmpdir(), 'idgov-precious-'));
    try {
      await writeFile(join(precious, 'notes.txt'), 'keep me');
      const { code, stderr } = await npmStart(precious);
      expect(code).toBe(2);
      expect(stderr).toContain(`demo refused: IDGOV_DEMO_HOME: ${precious} is not empty and was not made by the demo`);
      expect(await readFile(join(precious, 'notes.txt'), 'utf8')).toBe('keep me');
    } finally {
      await rm(precious, { recursive: true, force: true });
    }
  });
});

function npmStart(home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('npm', ['start', '--silent'], { cwd: root, env: { ...process.env, IDGOV_DEMO_HOME: home }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
