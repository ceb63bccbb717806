// Daily operations through `idgov`, as an operator runs it (a child process per command): the
// configuration, the risk assessment and the daily report on a small organisation whose figures are
// computed by hand below, one stored report and one delivery per date however often the job runs,
// the weekly summary, the emergency removal of a leaver's manual access, and the refusals.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dailyReportSchema, weeklySummarySchema } from '../../lambdas/shared/domain/report-schemas.js';
import type { DailyReport, WeeklySummary } from '../../lambdas/shared/domain/operations.js';
import { renderDailyReport, renderWeeklySummary } from '../../lambdas/shared/domain/report-rendering.js';
import { entryIdFor } from '../../lambdas/shared/domain/entries.js';
import type { AccessRemoval } from '../../lambdas/shared/use-cases/ports.js';
import { useCliWorkspace } from '../support/cli-workspace.js';

/**
 * Five people. Computed risk (the highest level held; a toxic pair → CRITICAL; nobody declares one):
 *   owner  no access                                      → LOW
 *   mgr    p-payments (CRITICAL)                          → CRITICAL
 *   alice  p-ledger + p-invoices (HIGH, a toxic pair)     → CRITICAL, 1 SoD conflict
 *   carol  p-mail (LOW)                                   → LOW
 *   dave   DISABLED, p-ledger MANUAL (HIGH), p-mail RULE  → HIGH, orphaned access
 * usersByLevel LOW 2, MEDIUM 0, HIGH 1, CRITICAL 2; HIGH+CRITICAL 3 of 5 = 60 %.
 */
const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com', department: 'IT' },
    { id: 'mgr', displayName: 'Max Manager', email: 'max@example.com', managerId: 'owner', department: 'IT' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'mgr', department: 'Finance' },
    { id: 'carol', displayName: 'Carol', email: 'carol@example.com', managerId: 'mgr', department: 'Finance' },
    { id: 'dave', displayName: 'Dave', email: 'dave@example.com', managerId: 'mgr', department: 'Sales', status: 'DISABLED' },
  ],
  privileges: [
    { id: 'p-ledger', name: 'Ledger posting', ownerIds: ['owner'], riskLevel: 'HIGH' },
    { id: 'p-invoices', name: 'Invoice approval', ownerIds: ['owner'], riskLevel: 'HIGH' },
    { id: 'p-payments', name: 'Payments', ownerIds: ['owner'], riskLevel: 'CRITICAL' },
    { id: 'p-mail', name: 'Mail', ownerIds: ['owner'], riskLevel: 'LOW' },
  ],
  assignments: [
    { userId: 'mgr', privilegeId: 'p-payments', origin: 'MANUAL' },
    { userId: 'alice', privilegeId: 'p-ledger', origin: 'MANUAL' },
    { userId: 'alice', privilegeId: 'p-invoices', origin: 'MANUAL' },
    { userId: 'carol', privilegeId: 'p-mail', origin: 'MANUAL' },
    { userId: 'dave', privilegeId: 'p-ledger', origin: 'MANUAL', approvedAt: '2025-01-10', approvedBy: 'mgr' },
    { userId: 'dave', privilegeId: 'p-mail', origin: 'RULE' },
  ],
};

/** Finance: entries for alice (2 items) and carol (1 item), both for mgr, due 2026-07-15. */
const campaign = {
  name: 'Finance access review',
  kind: 'USER',
  ownerId: 'owner',
  startDate: '2026-07-01',
  approvalPeriodDays: 14,
  statusExpirationDate: '2026-09-01',
  subjects: { filter: '(department=Finance)' },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
};

const config = {
  risk: { toxicCombinations: [{ privileges: ['p-ledger', 'p-invoices'], reason: 'posting and approving the same invoice' }] },
};
const sameTwice = { risk: { toxicCombinations: [{ privileges: ['p-ledger', 'p-ledger'] }] } };

const { idgov, json, path } = useCliWorkspace('cli-operations', {
  'directory.json': directory,
  'campaign.json': campaign,
  'operations.json': config,
  'bad-operations.json': sameTwice,
});

interface JobRun<T> {
  job: string;
  result: T;
  mail: { captured: number; mailbox: string };
  topic?: { published: number; file: string };
}

const lines = async (file: string): Promise<Record<string, unknown>[]> =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('daily operations through idgov', () => {
  it('refuses a bad configuration naming the field and storing nothing, then loads and shows a good one', async () => {
    const home = path('config-home');
    const bad = await idgov(home, ['config', 'load', path('bad-operations.json')]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^idgov: risk\.toxicCombinations\.0\.privileges: .+\n$/);
    expect(await json(home, ['config', 'show'])).toMatchObject({ source: 'defaults', loadedAt: null, loadedBy: null, config: { risk: { toxicCombinations: [] } } });

    const loaded = await json(home, ['config', 'load', path('operations.json'), '--by', 'ops-lead', '--now', '2026-06-30T12:00:00Z']);
    expect(loaded).toMatchObject({ loadedBy: 'ops-lead', loadedAt: '2026-06-30T12:00:00.000Z', config: { version: 1, risk: { toxicCombinations: config.risk.toxicCombinations } } });
    // What the file left out keeps its default.
    expect(loaded).toMatchObject({ config: { compliance: { compliantAt: 80 }, schedules: { 'daily-operations': { kind: 'daily', hour: 8, minute: 0 } } } });

    const again = await idgov(home, ['config', 'load', path('bad-operations.json'), '--by', 'someone-else']);
    expect(again.code).toBe(2);
    expect(await json(home, ['config', 'show'])).toEqual({ source: 'stored', loadedAt: '2026-06-30T12:00:00.000Z', loadedBy: 'ops-lead', config: loaded.config });
  }, 120_000);

  it('runs the jobs on a known organisation: the report has the figures computed by hand, once per date', async () => {
    const home = path('jobs-home');
    await json(home, ['directory', 'load', path('directory.json')]);
    await json(home, ['config', 'load', path('operations.json'), '--now', '2026-06-30T12:00:00Z']);
    const created = await idgov(home, ['campaign', 'create', path('campaign.json'), '--now', '2026-06-30T00:00:00Z']);
    expect(created.code).toBe(0);
    const campaignId = created.stdout.trim();
    await json(home, ['controller', 'run', '--now', '2026-07-01T06:00:00Z']);
    // Carol's entry is decided on 07-02 at 10:00, inside the report's window [07-02 08:00, 07-03 08:00).
    await json(home, ['decide', entryIdFor(`${campaignId}#1`, 1, 'carol'), '--all', '--as', 'mgr', '--approve', '--now', '2026-07-02T10:00:00Z']);
    await json(home, ['controller', 'run', '--now', '2026-07-03T07:00:00Z']);

    const assessed = await json<JobRun<Record<string, unknown>>>(home, ['job', 'run', 'risk-assessment', '--now', '2026-07-03T07:30:00Z']);
    expect(assessed.result).toMatchObject({
      date: '2026-07-03',
      users: 5,
      usersByLevel: { LOW: 2, MEDIUM: 0, HIGH: 1, CRITICAL: 2 },
      sodConflicts: 1,
      orphanedAccess: 1,
    });
    // The users' riskLevel, which campaign filters read, is the computed one.
    expect(await json(home, ['directory', 'show-user', 'alice'])).toMatchObject({ riskLevel: 'CRITICAL', computedRiskLevel: 'CRITICAL' });

    // The re-approval jobs ran on schedule too (05:00, 06:00); nothing is flagged, so they find no work.
    const initialized = await json<JobRun<Record<string, unknown>>>(home, ['job', 'run', 'initialize-reapproval', '--now', '2026-07-03T05:00:00Z']);
    expect(initialized.result).toMatchObject({ privileges: 0, initialized: 0 });
    const started = await json<JobRun<Record<string, unknown>>>(home, ['job', 'run', 'start-reapproval', '--now', '2026-07-03T06:00:00Z']);
    expect(started.result).toMatchObject({ started: { continuous: 0, scheduled: 0 } });

    const first = await json<JobRun<{ report: DailyReport; delivered: string[] }>>(home, ['job', 'run', 'daily-operations', '--now', '2026-07-03T08:00:00Z']);
    expect([...first.result.delivered].sort()).toEqual(['mail', 'topic']);
    const report = first.result.report;
    expect(report.date).toBe('2026-07-03');
    expect(report.window).toEqual({ from: '2026-07-02T08:00:00.000Z', to: '2026-07-03T08:00:00.000Z' });
    // RUNNING campaigns' entries: alice RUNNING, carol APPROVAL.FINISHED → 1 of 2 = 50 %; none past due (07-15).
    expect(report.certification).toEqual({
      entriesByState: { RUNNING: 1, 'APPROVAL.FINISHED': 1, FINISHED: 0, 'FAILED.EXPIRED': 0, 'FAILED.PREPARE': 0, 'FAILED.APPLIED.CHANGES': 0 },
      entriesDecided24h: 1,
      completionRate: 50,
      overdueEntries: 0,
      activeCampaigns: 1,
      awaitingConfirmation: [],
    });
    expect(report.risk).toMatchObject({
      assessedOn: '2026-07-03',
      usersByLevel: { LOW: 2, MEDIUM: 0, HIGH: 1, CRITICAL: 2 },
      highRiskShare: 60,
      sodConflicts: 1,
      orphanedAccess: 1,
      sodConflictList: [expect.objectContaining({ userId: 'alice', privileges: expect.arrayContaining(['p-ledger', 'p-invoices']) })],
      orphanedAccessList: [expect.objectContaining({ userId: 'dave' })],
    });
    // 100 − 20 (1 certification in 30 days, fewer than 10) − 5 (3 HIGH/CRITICAL users, more than 0) = 75.
    expect(report.compliance).toMatchObject({ score: 75, status: 'NON_COMPLIANT', certificationsLast30Days: 1, highRiskUsers: 3 });
    expect(report.compliance.deductions.map((d) => d.points)).toEqual([20, 5]);
    expect(report.health.source).toBe('local');
    const component = (name: string) => report.health.components.find((c) => c.name === name);
    for (const table of ['table:directory', 'table:campaigns', 'table:operations']) expect(component(table)).toMatchObject({ status: 'HEALTHY' });
    // The controller ran at 07:00 (hourly, 90 minutes' grace) and the assessment at 07:30: on time.
    expect(component('heartbeat:campaign-controller')).toMatchObject({ status: 'HEALTHY' });
    expect(component('heartbeat:risk-assessment')).toMatchObject({ status: 'HEALTHY' });
    expect(component('heartbeat:initialize-reapproval')).toMatchObject({ status: 'HEALTHY' });
    expect(component('heartbeat:start-reapproval')).toMatchObject({ status: 'HEALTHY' });
    // Installed by the first job run (the controller, 07-01 06:00): the weekly summary owes no run yet
    // (Monday 06-29 09:00 was before), the report's own run of 07-02 08:00 never happened.
    expect(component('heartbeat:weekly-summary')).toMatchObject({ status: 'HEALTHY' });
    expect(report.health.status).toBe('DEGRADED');
    expect(report.health.components.filter((c) => c.status === 'DEGRADED')).toEqual([
      expect.objectContaining({ name: 'heartbeat:daily-operations', reason: expect.stringContaining('expected a run at 2026-07-02T08:00:00.000Z') }),
    ]);
    const severities = report.recommendations.map((r) => r.severity);
    expect(severities).toContain('CRITICAL');
    expect(report.recommendations.some((r) => /remind/i.test(r.text))).toBe(true);
    expect(report.recommendations.some((r) => r.text.includes('idgov emergency revoke'))).toBe(true);

    // Delivered: one mail to the operations recipient, one message on the topic file.
    expect(first.mail.captured).toBe(1);
    expect(first.topic).toEqual({ published: 1, file: join(home, 'operations-topic.jsonl') });
    const reportMails = async () => (await lines(join(home, 'mailbox.jsonl'))).filter((m) => (m.to as string[]).includes('operations@example.com'));
    expect(await reportMails()).toHaveLength(1);
    expect((await reportMails())[0]).toMatchObject({ text: renderDailyReport(report).text, html: expect.stringContaining('<html') });

    // The same date again: the report is stored again, and nothing is delivered twice.
    const second = await json<JobRun<{ report: DailyReport; delivered: string[] }>>(home, ['job', 'run', 'daily-operations', '--now', '2026-07-03T08:00:00Z']);
    expect(second.result.delivered).toEqual([]);
    expect(second.result.report.certification).toEqual(report.certification);
    expect(await reportMails()).toHaveLength(1);
    expect(await lines(join(home, 'operations-topic.jsonl'))).toEqual([
      expect.objectContaining({ simulatedAt: '2026-07-03T08:00:00.000Z', subject: renderDailyReport(report).subject }),
    ]);
    const stored = await json<DailyReport>(home, ['report', 'daily', '--date', '2026-07-03']);
    expect(dailyReportSchema.parse(stored), 'the report contract').toEqual(stored);
    expect(stored).toEqual(second.result.report);
    // The text is the mail's rendering of the stored report.
    const text = await idgov(home, ['report', 'daily', '--date', '2026-07-03']);
    expect(text).toMatchObject({ code: 0, stdout: `${renderDailyReport(stored).text.trimEnd()}\n` });
    // Each target once, with the (wall-clock) time it was sent.
    const at = String.raw`at \d{4}-\d\d-\d\dT[\d:.]+Z`;
    expect(text.stderr).toMatch(new RegExp(`^delivered: (topic|mail:operations@example\\.com) ${at}, (topic|mail:operations@example\\.com) ${at}\n$`));
    expect(text.stderr.match(/topic/g)).toHaveLength(1);

    // Monday 07-06: the week 06-30 .. 07-06 holds one daily report (07-03).
    const weekly = await json<JobRun<{ summary: WeeklySummary; delivered: string[] }>>(home, ['job', 'run', 'weekly-summary', '--now', '2026-07-06T09:00:00Z']);
    expect(weekly.result.summary).toMatchObject({ date: '2026-07-06' });
    expect(weekly.result.summary.dates).toHaveLength(7);
    expect(weekly.result.summary.missingDates).toHaveLength(6);
    expect(weekly.result.summary.missingDates).not.toContain('2026-07-03');
    expect([...weekly.result.delivered].sort()).toEqual(['mail', 'topic']);
    const storedWeekly = await json<WeeklySummary>(home, ['report', 'weekly', '--date', '2026-07-06']);
    expect(weeklySummarySchema.parse(storedWeekly), 'the summary contract').toEqual(storedWeekly);
    expect(storedWeekly).toEqual(weekly.result.summary);
    const weeklyText = await idgov(home, ['report', 'weekly', '--date', '2026-07-06']);
    expect(weeklyText.stdout).toBe(`${renderWeeklySummary(storedWeekly).text.trimEnd()}\n`);
  }, 300_000);

  it('says which date has no report, and refuses a date that is not one', async () => {
    const home = path('jobs-home');
    const missing = await idgov(home, ['report', 'daily', '--date', '2026-07-02']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(
      'idgov: date: no daily report is stored for 2026-07-02 (the daily-operations job stores one per date: idgov job run daily-operations --now 2026-07-02T08:00:00Z)\n',
    );
    const weekly = await idgov(home, ['report', 'weekly', '--date', '2026-07-07']);
    expect(weekly).toMatchObject({ code: 2 });
    expect(weekly.stderr).toContain('no weekly summary is stored for 2026-07-07');
    expect(await idgov(home, ['report', 'daily', '--date', '2026-02-30'])).toMatchObject({
      code: 2,
      stderr: 'idgov: date: must be a date YYYY-MM-DD, got "2026-02-30"\n',
    });
    const unknownJob = await idgov(home, ['job', 'run', 'campaign-report']);
    expect(unknownJob.code).toBe(2);
    expect(unknownJob.stderr).toContain("'campaign-report' is invalid for argument 'job'. Allowed choices are risk-assessment, daily-operations, weekly-summary, initialize-reapproval, start-reapproval.");
  }, 120_000);

  it('removes only the manual access of a leaver at once, recording who and why for each removal', async () => {
    const home = path('emergency-home');
    await json(home, ['directory', 'load', path('directory.json')]);
    const noReason = await idgov(home, ['emergency', 'revoke', '--user', 'dave', '--reason', ' ']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/^idgov: reason: /);
    expect(await idgov(home, ['emergency', 'revoke', '--user', 'nobody', '--reason', 'unknown'])).toMatchObject({ code: 2, stderr: 'idgov: user nobody not found\n' });
    expect(await json<unknown[]>(home, ['emergency', 'removals', '--user', 'dave'])).toEqual([]);

    const reason = 'left the company on 2026-06-30; access found by the daily report';
    const revoked = await json<{ userId: string; removed: AccessRemoval[]; alreadyRecorded: number; notRemoved: AccessRemoval[] }>(home, [
      'emergency', 'revoke', '--user', 'dave', '--reason', reason, '--by', 'ops-lead', '--now', '2026-07-03T12:00:00Z',
    ]);
    const removal = {
      userId: 'dave',
      privilegeId: 'p-ledger',
      origin: 'MANUAL',
      approvedAt: '2025-01-10T00:00:00.000Z',
      approvedBy: 'mgr',
      removedAt: '2026-07-03T12:00:00.000Z',
      removedBy: 'ops-lead',
      reason,
      requestId: expect.any(String),
      status: 'REMOVED',
      completedAt: '2026-07-03T12:00:00.000Z',
    };
    expect(revoked).toEqual({ userId: 'dave', removed: [removal], alreadyRecorded: 0, notRemoved: [] });
    // The RULE assignment belongs to its source system: it stays.
    const dave = await json<{ assignments: { privilegeId: string; origin: string }[] }>(home, ['directory', 'show-user', 'dave']);
    expect(dave.assignments).toEqual([expect.objectContaining({ privilegeId: 'p-mail', origin: 'RULE' })]);
    expect(await json(home, ['emergency', 'removals', '--user', 'dave'])).toEqual([{ ...removal, requestId: revoked.removed[0]!.requestId }]);

    const again = await idgov(home, ['emergency', 'revoke', '--user', 'dave', '--reason', reason, '--by', 'ops-lead', '--now', '2026-07-03T12:05:00Z']);
    expect(again).toMatchObject({ code: 0, stdout: 'dave holds no manual assignment: nothing removed\n' });
    expect(await json<unknown[]>(home, ['emergency', 'removals', '--user', 'dave'])).toHaveLength(1);
    // The other users keep their access.
    expect(await json(home, ['directory', 'show-user', 'alice'])).toMatchObject({ assignments: [expect.anything(), expect.anything()] });
  }, 120_000);
});
