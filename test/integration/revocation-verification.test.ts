// Revocation verification end to end, through the real controller handler on a real engine
// (dynalite, or DynamoDB Local with IDGOV_TEST_ENGINE=dynamodb-local): a connector accepts the removal
// of u1's GitHub-Org-Owner at the finish and does not make it. The VERIFY phase finds it still
// present; the campaign report, the owner's mail, the campaign's totals and the daily report say so;
// later runs check it again until it is gone. (revocation-verification-kill.test.ts: a finish killed
// after any write of its VERIFY phase.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign, Revocation } from '../../lambdas/shared/domain/model.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import { buildCampaignReport } from '../../lambdas/shared/use-cases/reports/campaign-report.js';
import { applyJobEnvironment, loadJobHandler, localOperationsFiles, scheduledEvent } from '../../src/local/jobs.js';
import { openRuntime, readOutbox, type Runtime } from '../../src/local/runtime.js';
import { startSesEmulator, type SesEmulator } from '../../src/local/ses-emulator.js';
import { useEngine } from '../support/engine.js';
import { withRemovalsNotMade } from '../support/removals-not-made.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-verify';
const RUN = `${CAMPAIGN}#1`;
const FINISH = day(14, 1);
/** The script's start, decisions and finish (its reminder runs and status expiration are not part of this story). */
const steps = lifecycleSteps().filter((s) => s.at <= FINISH && !('run' in s && s.at !== day(0, 1) && s.at !== FINISH));
const statusOf = (revocations: Revocation[]) => Object.fromEntries(revocations.map((r) => [`${r.userId} ${r.privilegeId}`, r.verification?.status]));

describe('a removal the directory accepted but did not make, through the local runtime', () => {
  let home: string;
  let runtime: Runtime;
  let ses: SesEmulator;
  let controller: (event: unknown) => Promise<unknown>;
  let finished: Campaign;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'idgov-verify-'));
    runtime = await openRuntime({ home, endpoint: engine.endpoint });
    ses = await startSesEmulator();
    await ses.clear();
    applyJobEnvironment(runtime, ses.endpoint);
    await loadDirectory({ directory: runtime.directory, audit: runtime.auditLog }, smallOrg(), 'test-admin', new Date(T0), 'small org');
    await createCampaign({ campaigns: runtime.campaigns, audit: runtime.auditLog }, highRiskUserCampaign(), new Date(T0), CAMPAIGN);
    // The connector of the controller's directory drops the removal of u1's GitHub-Org-Owner.
    controller = await loadJobHandler(runtime, 'campaign-controller', { directory: (directory) => withRemovalsNotMade(directory, [['u1', 'p-git']]) });
    for (const step of steps) {
      if ('run' in step) await controller(scheduledEvent(new Date(step.at)));
      else await decide({ campaigns: runtime.campaigns, audit: runtime.auditLog }, { entryId: entryOf(CAMPAIGN, step.decide.subjectId), actorId: step.decide.actor, decisions: step.decide.decisions }, new Date(step.at));
    }
    finished = (await runtime.campaigns.getCampaign(CAMPAIGN))!;
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    await ses?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('finds it still present when reading the removals back, and the others gone', async () => {
    expect(finished.state).toBe('SUCCEEDED');
    expect(statusOf(await collect(runtime.campaigns.listRevocations(RUN)))).toEqual({ 'u1 p-git': 'STILL_PRESENT', 'u4 p-git': 'ABSENT', 'u4 p-prod': 'ABSENT' });
    expect(await runtime.directory.getAssignment('u1', 'p-git')).toMatchObject({ origin: 'MANUAL' });
    expect(finished.verification).toEqual({ at: FINISH, verified: 3, stillPresent: 1, notManual: 0 });
    expect(finished.stats).toMatchObject({ revoked: 3, stillPresent: 1 });
  });

  it('tells the owner once, by mail', async () => {
    const notices = (await readOutbox(runtime, CAMPAIGN)).filter((n) => n.kind === 'REVOCATION_UNVERIFIED');
    expect(notices.map((n) => [n.recipientId, n.status])).toEqual([['admin', 'SENT']]);
    const mails = (await ses.mailbox()).filter((m) => m.subject.startsWith('Access still present'));
    expect(mails.map((m) => [m.to, m.subject])).toEqual([[['admin@example.com'], 'Access still present after the review "Finance high-risk users"']]);
    expect(mails[0]!.text).toContain('Removals still present: 1 of 3 checked\n- u1: GitHub-Org-Owner (p-git)\n');
  });

  it('tells the user that removal as requested, not done, and the ones made as done', async () => {
    const u1 = (await ses.mailbox()).filter((m) => m.subject.startsWith('Your access has changed') && m.to.includes('u1@example.com'));
    expect(u1).toHaveLength(1);
    expect(u1[0]!.text).toMatch(/- GitHub-Org-Owner \(p-git\): [^\n]+ \(removal requested: it was still present when checked, and the campaign owner has been told\)\n/);
    const u4 = (await ses.mailbox()).filter((m) => m.subject.startsWith('Your access has changed') && m.to.includes('u4@example.com'));
    expect(u4).toHaveLength(1);
    expect(u4[0]!.text).toContain('- GitHub-Org-Owner (p-git): ');
    expect(u4[0]!.text).not.toContain('removal requested');
  });

  it('shows it in the campaign report, and counts it', async () => {
    const report = await buildCampaignReport({ campaigns: runtime.campaigns, approvals: runtime.approvals, directory: runtime.directory }, CAMPAIGN, { now: new Date(day(14, 2)) });
    expect(report.totals).toMatchObject({ revoked: 3, stillPresent: 1 });
    expect(report.rows.filter((r) => r.verification === 'STILL_PRESENT').map((r) => [r.userId, r.privilegeId, r.verifiedAt])).toEqual([['u1', 'p-git', FINISH]]);
  });

  it('is counted by the daily report until a later check finds it gone', async () => {
    // The report the morning after the finish (01:00): found in its 24 hours.
    const daily = await loadJobHandler(runtime, 'daily-operations', { files: localOperationsFiles(runtime, { now: () => new Date(day(14, 8)) }) });
    await daily(scheduledEvent(new Date(day(14, 8)), 'daily-operations'));
    const first = (await runtime.operations.getReport('daily', '2026-07-15'))?.report;
    expect(first?.revocations).toEqual({
      stillPresent: 1,
      foundInWindow: 1,
      stillPresentList: [{ campaignId: CAMPAIGN, runId: RUN, userId: 'u1', privilegeId: 'p-git', since: FINISH }],
    });
    expect(first?.recommendations.filter((r) => r.text.includes('still in the directory'))).toEqual([
      { severity: 'CRITICAL', text: expect.stringContaining('1 assignment(s) that campaigns removed are still in the directory (u1: p-git (campaign c-verify))') },
    ]);

    // A day after the finish it is read back again: still there.
    await controller(scheduledEvent(new Date(day(15, 2))));
    const [still] = await collect(runtime.campaigns.listUnverifiedRevocations());
    expect(still!.verification).toEqual({ status: 'STILL_PRESENT', at: day(15, 2), since: FINISH, nextCheckAt: day(16, 2) });

    // Someone removes it by hand: the next check after its date finds it gone, and the next report counts none.
    await runtime.directory.removeAssignment('u1', 'p-git');
    await controller(scheduledEvent(new Date(day(15, 20))));
    expect(await collect(runtime.campaigns.listUnverifiedRevocations())).toHaveLength(1);
    await controller(scheduledEvent(new Date(day(16, 3))));
    expect(await collect(runtime.campaigns.listUnverifiedRevocations())).toEqual([]);
    expect(statusOf(await collect(runtime.campaigns.listRevocations(RUN)))['u1 p-git']).toBe('ABSENT');
    await daily(scheduledEvent(new Date(day(16, 8)), 'daily-operations'));
    expect((await runtime.operations.getReport('daily', '2026-07-17'))?.report.revocations).toEqual({ stillPresent: 0, foundInWindow: 0, stillPresentList: [] });
    // Still one notice: re-checks tell nobody.
    expect((await readOutbox(runtime, CAMPAIGN)).filter((n) => n.kind === 'REVOCATION_UNVERIFIED')).toHaveLength(1);
  });
});
