// `npm start`, the quick start's promise: the whole lifecycle on the embedded engine, exit 0, every
// notification kind sent and captured, access actually removed, and the daily operations jobs' last
// daily report and weekly summary printed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const KINDS = ['APPROVAL_REMIND', 'APPROVAL_START', 'APPROVAL_TIMEOUT', 'ASSIGNMENT_REJECT', 'CAMPAIGN_END', 'CAMPAIGN_START', 'NO_APPROVER', 'PREPARE_ERROR', 'APPLY_CONFIRMATION'];

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
    const [, jobRuns, reportMails] = /(\d+) daily operations job runs; (\d+) report mails captured/.exec(stdout) ?? [];
    // Fifteen days of risk assessment and daily report (days 29 to 43), and two Mondays' weekly summaries.
    expect(Number(jobRuns)).toBe(32);
    const mailbox = (await readFile(join(home, 'mailbox.jsonl'), 'utf8')).trim().split('\n');
    expect(mailbox).toHaveLength(Number(mails) + Number(reportMails));
    const reports = mailbox.map((line) => JSON.parse(line) as { subject: string }).filter((m) => /^idgov (daily operations|weekly summary)/.test(m.subject));
    expect(reports).toHaveLength(Number(reportMails));
    // Each report once on the topic, and mailed to both operations recipients (the default and the configuration's).
    const topic = (await readFile(join(home, 'operations-topic.jsonl'), 'utf8')).trim().split('\n');
    expect(topic).toHaveLength(17);
    expect(reports).toHaveLength(2 * topic.length);

    // The last daily report, as its mail's text: the sample organisation's toxic pair and leavers are found, health is measured.
    const daily = section(stdout, '== Daily operations report of 2026-08-13');
    expect(daily).toMatch(/^idgov daily operations 2026-08-13: (NON_)?COMPLIANT \d+, HEALTHY$/m);
    // The USER campaign's second run is in progress: the report counts its entries.
    expect(daily).toContain('Active campaigns: 1');
    expect(daily).toMatch(/APPROVAL\.FINISHED: [1-9]\d*/);
    expect(daily).toContain('sap-gl-posting + sap-ap-invoice-approve');
    expect(daily).toMatch(/Orphaned access \(disabled users holding access\): [1-9]/);
    for (const component of ['table:directory', 'heartbeat:campaign-controller', 'heartbeat:risk-assessment', 'heartbeat:daily-operations', 'heartbeat:weekly-summary']) {
      expect(daily).toContain(`[HEALTHY] ${component}`);
    }
    expect(daily).toContain('idgov emergency revoke');
    // The last weekly summary covers a full week: no day is missing.
    const weekly = section(stdout, '== Weekly summary of 2026-08-10');
    expect(weekly).toContain('idgov weekly summary 2026-08-04 to 2026-08-10');
    expect(weekly).not.toContain('without a daily report');
    expect(weekly).toMatch(/sodConflicts: \d+ -> \d+/);

    const [, before, after] = /manual assignments (\d+) -> (\d+)/.exec(stdout) ?? [];
    expect(Number(after)).toBeLessThan(Number(before));
    // The state it leaves can be explored with the CLI, at the folder it names.
    expect(stdout).toContain(`IDGOV_HOME=${home} npx idgov campaign list`);
    for (const state of ['PREPARING -> FAILED.PREPARED', 'RUNNING -> SUCCEEDED', 'SUCCEEDED -> PREPARING', 'SUCCEEDED -> DELETED']) {
      expect(stdout).toContain(state);
    }
    // The USER campaign's first run removes more than its cap (20 %): it waited for its owner's confirmation.
    expect(stdout).toMatch(/owner: applying confirmed \(\d+ of \d+ items removed\)/);
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

/** The lines of stdout from the heading that starts with `heading` up to the next blank-line-separated heading. */
function section(stdout: string, heading: string): string {
  const start = stdout.indexOf(heading);
  expect(start, `stdout has no section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = stdout.indexOf('\n== ', start + heading.length);
  return stdout.slice(start, end === -1 ? undefined : end);
}

function npmStart(home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('npm', ['start', '--silent'], { cwd: root, env: { ...process.env, IDGOV_DEMO_HOME: home }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
