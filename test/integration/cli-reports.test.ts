// `idgov report campaign` and `idgov report reviewers` as a user runs them (a child process per
// command, the embedded engine): a real campaign run by the controller handler through the CLI,
// with a reassignment, a rejection with a formula for a comment, a modification, a bulk approval
// and an item left undecided; then its report in every format, counted by hand, and the refusals.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { CampaignReport, ReviewerStats } from '../../lambdas/shared/domain/reports/campaign-report.js';
import { useCliWorkspace } from '../support/cli-workspace.js';

const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com', department: 'IT' },
    { id: 'mgr-fin', displayName: 'Finn Manager', email: 'finn@example.com', managerId: 'owner', department: 'Finance' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'mgr-fin', department: 'Finance' },
    { id: 'bob', displayName: 'Bob', email: 'bob@example.com', managerId: 'mgr-fin', department: 'Finance' },
    { id: 'dave', displayName: 'Dave', email: 'dave@example.com', managerId: 'mgr-fin', department: 'Finance' },
    { id: 'carol', displayName: 'Carol Cover', email: 'carol@example.com', managerId: 'owner', department: 'Sales' },
  ],
  privileges: [
    { id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'HIGH' },
    { id: 'p-payments', name: 'Payments', ownerIds: ['owner'], riskLevel: 'CRITICAL' },
    { id: 'p-wiki', name: 'Wiki', ownerIds: ['owner'], riskLevel: 'LOW' },
  ],
  assignments: [
    { userId: 'alice', privilegeId: 'p-ledger', origin: 'MANUAL' },
    { userId: 'alice', privilegeId: 'p-payments', origin: 'MANUAL', parameters: { account: 'ops' } },
    { userId: 'alice', privilegeId: 'p-wiki', origin: 'RULE' },
    { userId: 'bob', privilegeId: 'p-ledger', origin: 'MANUAL' },
    { userId: 'bob', privilegeId: 'p-wiki', origin: 'MANUAL' },
    { userId: 'dave', privilegeId: 'p-wiki', origin: 'MANUAL' },
  ],
};

const campaign = {
  name: 'Finance access review',
  kind: 'USER',
  ownerId: 'owner',
  startDate: '2026-07-01',
  approvalPeriodDays: 14,
  subjects: { filter: '(department=Finance)' },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
  // Its removals are over the default revocation cap (20 %); the cap has tests of its own (cli.test.ts, guards.test.ts).
  guard: { maxRemovalShare: 1 },
};

const FORMULA = '=1+2 moved to Sales';

const workspace = useCliWorkspace('cli-reports', {
  'directory.json': directory,
  'campaign.json': campaign,
  'config.json': { reviewerAnalytics: { minItems: 2 } },
});
const { idgov, json, path } = workspace;

let home: string;
afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** A command that must succeed; its stdout. */
async function ok(args: string[]): Promise<string> {
  const result = await idgov(home, args);
  expect(result, `idgov ${args.join(' ')}\n${result.stderr}`).toMatchObject({ code: 0 });
  return result.stdout;
}

describe('a campaign run by the controller, reported through the CLI', () => {
  let id: string;

  it('runs the campaign: reassignment, decisions, one item left undecided, the finish', async () => {
    home = await mkdtemp(join(tmpdir(), 'idgov-cli-reports-'));
    await ok(['directory', 'load', path('directory.json')]);
    id = (await ok(['campaign', 'create', path('campaign.json'), '--now', '2026-06-20T00:00:00Z'])).trim();
    await json(home, ['controller', 'run', '--now', '2026-07-01T06:00:00Z']);
    const running = await json<{ entries: { id: string; subjectId: string }[] }>(home, ['campaign', 'show', id]);
    const entry = Object.fromEntries(running.entries.map((e) => [e.subjectId, e.id]));
    expect(Object.keys(entry).sort()).toEqual(['alice', 'bob', 'dave', 'mgr-fin']);

    await ok(['entry', 'reassign', entry.bob!, '--to', 'carol', '--justification', 'Finn is on leave this week', '--now', '2026-07-01T12:00:00Z']);
    await ok(['decide', entry.alice!, 'p-ledger', '--as', 'mgr-fin', '--reject', '--comment', FORMULA, '--now', '2026-07-02T10:00:00Z']);
    await ok(['decide', entry.alice!, 'p-payments', '--as', 'mgr-fin', '--end-date', 'none', '--param', 'account=audit', '--now', '2026-07-02T10:00:03Z']);
    await ok(['decide', entry.bob!, '--all', '--as', 'carol', '--approve', '--now', '2026-07-03T09:00:00Z']);
    // dave's p-wiki is never decided: uncertified, removed at the finish.
    const finish = await json<{ transitions: unknown[] }>(home, ['controller', 'run', '--now', '2026-07-15T06:00:00Z']);
    expect(finish.transitions).toEqual([{ campaignId: id, from: 'RUNNING', to: 'SUCCEEDED' }]);
  }, 240_000);

  it('prints the JSON report, whose totals are the ones counted by hand and agree with the campaign\'s own', async () => {
    const report = JSON.parse(await ok(['report', 'campaign', id, '--format', 'json', '--now', '2026-07-20T00:00:00Z'])) as CampaignReport;
    expect(report).toMatchObject({ format: 'idgov-campaign-report/1', source: 'LIVE', asOf: '2026-07-20T00:00:00.000Z' });
    expect(report.campaign).toMatchObject({ id, state: 'SUCCEEDED', run: 1, endDate: '2026-07-15T06:00:00.000Z' });
    expect(report.totals).toEqual({
      entries: 4,
      items: 5,
      approved: 2,
      rejected: 1,
      modified: 1,
      expired: 1,
      revoked: 2,
      kept: 3,
      handedOver: 0,
      pending: 0,
      awaitingWorkflow: 0,
      changesFailed: 0,
      stillPresent: 0,
    });
    // The controller counted the same run its own way (entry stats summed at the finish, the removals read back).
    const shown = await json<{ stats: Record<string, number> }>(home, ['campaign', 'show', id]);
    expect(shown.stats).toMatchObject({ approved: 2, rejected: 1, modified: 1, uncertified: 1, revoked: 2, items: 5, entries: 4, stillPresent: 0 });
    expect(report.decisionsPerDay).toEqual([
      { date: '2026-07-02', approved: 0, rejected: 1, modified: 1 },
      { date: '2026-07-03', approved: 2, rejected: 0, modified: 0 },
    ]);
    expect(report.reassignments).toEqual([
      expect.objectContaining({ subjectId: 'bob', from: ['mgr-fin'], to: 'carol', by: 'administrator', justification: 'Finn is on leave this week' }),
    ]);
    const dave = report.rows.find((r) => r.subjectId === 'dave')!;
    expect(dave).toMatchObject({ result: 'EXPIRED', outcome: 'REVOKED', appliedAction: 'REMOVED' });
  });

  it('writes the CSV to --out: one row per item, the formula neutralised', async () => {
    const file = join(home, 'report.csv');
    const run = await idgov(home, ['report', 'campaign', id, '--format', 'csv', '--out', file, '--now', '2026-07-20T00:00:00Z']);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: csv, 5 rows \\(live\\); 5 assignments: approved 2, rejected 1, modified 1, expired 1, pending 0; revoked 2, kept 3\\n$`));
    const records = parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.subject_id, r.privilege_id, r.decision, r.decided_by, r.result, r.outcome])).toEqual([
      ['alice', 'p-ledger', 'REJECT', 'mgr-fin', 'REJECTED', 'REVOKED'],
      ['alice', 'p-payments', 'MODIFY', 'mgr-fin', 'MODIFIED', 'KEPT'],
      ['bob', 'p-ledger', 'APPROVE', 'carol', 'APPROVED', 'KEPT'],
      ['bob', 'p-wiki', 'APPROVE', 'carol', 'APPROVED', 'KEPT'],
      ['dave', 'p-wiki', '', '', 'EXPIRED', 'REVOKED'],
    ]);
    expect(records[0]!.comment).toBe(`'${FORMULA}`);
    expect(records[1]).toMatchObject({ modified_end_date: 'none', modified_parameters: '{"account":"audit"}' });
  });

  it('writes the HTML page with the totals and both charts', async () => {
    const file = join(home, 'report.html');
    await ok(['report', 'campaign', id, '--format', 'html', '--out', file]);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('<dd id="total-items">5</dd>');
    expect(html).toContain('<dd id="total-revoked">2</dd>');
    expect(html.match(/<svg[^>]*class="marks"/g)).toHaveLength(2);
  });

  it('prints reviewer analytics with the configuration\'s thresholds, which the options override', async () => {
    type Answer = { campaignId: string; thresholds: Record<string, number>; reviewers: ReviewerStats[] };
    const plain = await json<Answer>(home, ['report', 'reviewers', id]);
    expect(plain.reviewers.map((r) => [r.approverId, r.itemsDecided, r.approveRate, r.medianSecondsPerDecision, r.largestBulkDecision, r.rubberStamp])).toEqual([
      ['carol', 2, 1, 0, 2, false],
      ['mgr-fin', 2, 0, 3, 1, false],
    ]);
    await ok(['config', 'load', path('config.json'), '--now', '2026-07-20T00:00:00Z']);
    // One at a time: the embedded engine's folder is one process's at a time.
    const configured = await json<Answer>(home, ['report', 'reviewers', id]);
    const overridden = await json<Answer>(home, ['report', 'reviewers', id, '--min-items', '3']);
    const text = await idgov(home, ['report', 'reviewers', id]);
    expect(configured.thresholds).toEqual({ minItems: 2, minApproveRate: 1, maxMedianSeconds: 5, sessionBreakMinutes: 30 });
    expect(configured.reviewers[0]).toMatchObject({
      approverId: 'carol',
      approverName: 'Carol Cover',
      rubberStamp: true,
      rubberStampReason: 'approved 100 % of 2 items at a median of 0 s each (thresholds: ≥ 2 items, ≥ 100 %, ≤ 5 s)',
    });
    expect(overridden.thresholds.minItems).toBe(3);
    expect(overridden.reviewers.some((r) => r.rubberStamp)).toBe(false);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('rubber stamp when all hold: ≥ 2 items, ≥ 100 %, ≤ 5 s');
    expect(text.stdout).toMatch(/carol +│ Carol Cover .*│ YES/);
    expect(text.stdout).toContain('carol: approved 100 % of 2 items at a median of 0 s each');
  }, 180_000);

  it('refuses bad options and unknown campaigns with exit code 2, naming the option, and writes nothing', async () => {
    const badFormat = await idgov(home, ['report', 'campaign', id, '--format', 'pdf', '--out', join(home, 'never.pdf')]);
    const noFormat = await idgov(home, ['report', 'campaign', id]);
    const unknown = await idgov(home, ['report', 'campaign', 'c-nope', '--format', 'json']);
    const badRate = await idgov(home, ['report', 'reviewers', id, '--min-approve-rate', '2']);
    const notNumber = await idgov(home, ['report', 'reviewers', id, '--max-median-seconds', 'fast']);
    const badOut = await idgov(home, ['report', 'campaign', id, '--format', 'csv', '--out', join(home, 'missing-folder', 'report.csv')]);
    expect(badFormat).toMatchObject({ code: 2, stdout: '', stderr: 'idgov: format: must be one of csv, html, json, got "pdf"\n' });
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toMatch(/required option '--format <format>' not specified/);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'idgov: campaign c-nope not found\n' });
    expect(badRate).toMatchObject({ code: 2, stderr: 'idgov: min-approve-rate: must be at most 1 (a rate: 1 is 100 %)\n' });
    expect(notNumber).toMatchObject({ code: 2, stderr: 'idgov: max-median-seconds: must be a number, got "fast"\n' });
    expect(existsSync(join(home, 'never.pdf'))).toBe(false);
    expect(badOut.code).toBe(2);
    expect(badOut.stderr).toMatch(/^idgov: out: cannot write .*missing-folder.*report\.csv: its folder does not exist\n$/);
  }, 180_000);
});
