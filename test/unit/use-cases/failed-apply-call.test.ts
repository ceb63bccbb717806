// A directory call that fails at the finish (a throttled or unavailable table) is not the
// directory's refusal: the run fails, and the next run applies what is left, ending exactly as a
// finish that never failed (entry FINISHED, Campaign End without a failure, one Assignment Reject).
// A refusal (RefusedChangeError) is still recorded on the entry and retried by later runs. Found by
// the fault suite (test/faults): a throttled removal was recorded as "changes failed to apply:
// ThrottlingException" and reported to the campaign's owner.
import { describe, expect, it } from 'vitest';
import { runChain } from '../../../lambdas/shared/domain/audit/model.js';
import { RefusedChangeError } from '../../../lambdas/shared/domain/errors.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { decide } from '../../../lambdas/shared/use-cases/decisions.js';
import type { OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { controllerRunner, inMemoryWorld } from '../../support/in-memory-world.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps } from '../../support/small-org.js';

const FINISH = day(14, 1);

/**
 * The scripted campaign up to its finish; `atFinish` may make the directory fail or refuse u1's p-git
 * removal, or refuse it and then, on the retry, answer REMOVED without removing it (a connector that
 * drops it, and drops u4's p-prod at the finish too).
 */
async function finish(atFinish: 'fails' | 'refuses' | 'refuses, then drops' | 'works') {
  const world = await inMemoryWorld();
  const { directory, campaigns, audit, outbox } = world;
  const sent: OutgoingMail[] = [];
  await createCampaign({ campaigns, audit }, highRiskUserCampaign(), new Date(day(-1)), 'c-1');
  const run = controllerRunner(world, { mailer: { send: async (mail) => (sent.push(mail), { messageId: `m-${sent.length}` }) } });
  for (const step of lifecycleSteps().filter((s) => s.at < FINISH)) {
    if ('run' in step) await run(step.at);
    else await decide({ campaigns, audit }, { entryId: entryOf('c-1', step.decide.subjectId), actorId: step.decide.actor, decisions: step.decide.decisions }, new Date(step.at));
  }
  const remove = directory.removeAssignment.bind(directory);
  let failures = 0;
  directory.removeAssignment = async (userId, privilegeId) => {
    if (userId === 'u1' && privilegeId === 'p-git' && failures === 0 && atFinish !== 'works') {
      failures += 1;
      if (atFinish === 'fails') throw Object.assign(new Error('Rate of requests exceeds the allowed throughput (injected)'), { name: 'ThrottlingException' });
      throw new RefusedChangeError('directory refused the change to u1/p-git (injected)');
    }
    // The connector also drops u4's AWS-Prod-Admin at the finish: VERIFY finds it, and the owner is told for the run.
    if (atFinish === 'refuses, then drops' && userId === 'u4' && privilegeId === 'p-prod') return 'REMOVED';
    if (userId === 'u1' && privilegeId === 'p-git' && atFinish === 'refuses, then drops') return 'REMOVED';
    return remove(userId, privilegeId);
  };
  const first = await run(FINISH).then(
    (report) => ({ report }),
    (error: unknown) => ({ error }),
  );
  const afterFinish = (await campaigns.getEntry(entryOf('c-1', 'u1')))!;
  const next = await run(day(14, 2));
  const u1 = (await campaigns.getEntry(entryOf('c-1', 'u1')))!;
  const campaign = (await campaigns.getCampaign('c-1'))!;
  const notices = (await collect(outbox.listByCampaign('c-1'))).map((n) => n.kind).sort();
  return { first, next, afterFinish, u1, campaign, notices, sent: sent.map((m) => `${m.to} ${m.subject}`).sort(), mails: sent, directory, campaigns, audit };
}

describe('a directory call that fails at the finish', () => {
  it('fails the run; the next run applies what is left and ends as a finish that never failed', async () => {
    const clean = await finish('works');
    const failed = await finish('fails');
    expect('error' in failed.first && (failed.first.error as Error).name).toBe('ThrottlingException');
    expect(failed.u1).toMatchObject({ state: 'FINISHED' });
    expect(failed.u1.error).toBeUndefined();
    expect(failed.campaign.state).toBe('SUCCEEDED');
    expect(await failed.directory.getAssignment('u1', 'p-git')).toBeUndefined();
    expect(failed.u1.stats).toEqual(clean.u1.stats);
    expect(failed.notices).toEqual(clean.notices);
    expect(failed.sent).toEqual(clean.sent);
  });

  it('a refusal is still recorded on the entry (the campaign ends listing it), and a later run retries it', async () => {
    const refused = await finish('refuses');
    expect('report' in refused.first).toBe(true);
    expect(refused.afterFinish).toMatchObject({ state: 'FAILED.APPLIED.CHANGES' });
    expect(refused.afterFinish.error).toContain('directory refused the change to u1/p-git');
    expect(refused.sent.some((m) => m.startsWith('admin@example.com') && /finished|ended/i.test(m))).toBe(true);
    // The next run retried it, and the directory took it this time.
    expect(refused.u1).toMatchObject({ state: 'FINISHED' });
    expect(await refused.directory.getAssignment('u1', 'p-git')).toBeUndefined();
    // The retry read its removal back: gone.
    const revoked = (await collect(refused.campaigns.listRevocations('c-1#1'))).find((r) => r.userId === 'u1' && r.privilegeId === 'p-git');
    expect(revoked?.verification).toMatchObject({ status: 'ABSENT', at: day(14, 2) });
  });

  it('a retry whose removal the directory acknowledges but does not make finds it still present: re-checked daily, the owner and the user told', async () => {
    const dropped = await finish('refuses, then drops');
    expect(dropped.u1).toMatchObject({ state: 'FINISHED' });
    expect(await dropped.directory.getAssignment('u1', 'p-git')).toMatchObject({ origin: 'MANUAL' });
    const revoked = (await collect(dropped.campaigns.listRevocations('c-1#1'))).find((r) => r.userId === 'u1' && r.privilegeId === 'p-git');
    expect(revoked?.verification).toEqual({ status: 'STILL_PRESENT', at: day(14, 2), since: day(14, 2), nextCheckAt: day(15, 2) });
    // In the index of removals to check again, with the finish's own.
    expect((await collect(dropped.campaigns.listUnverifiedRevocations(day(16)))).map((r) => `${r.userId} ${r.privilegeId}`).sort()).toEqual(['u1 p-git', 'u4 p-prod']);
    // The owner is told of the finish's (once for the run) and of the retry's (its own notice); the user's notice of the late removal says it is requested, not made.
    const unverified = dropped.mails.filter((m) => m.to === 'admin@example.com' && m.subject.startsWith('Access still present'));
    expect(unverified.map((m) => /- (u\d): /.exec(m.body)?.[1])).toEqual(['u4', 'u1']);
    const late = dropped.mails.find((m) => m.to === 'u1@example.com' && m.subject.startsWith('Your access has changed') && m.body.includes('GitHub-Org-Owner'));
    expect(late?.body).toContain('(removal requested: it was still present when checked');
    // What the retry found is in the run's audit chain, recorded before it was saved.
    const records = (await collect(dropped.audit.listRecords(runChain('c-1#1')))).filter((r) => r.eventKey.startsWith(`verify:c-1#1:${entryOf('c-1', 'u1')}:`));
    expect(records).toHaveLength(1);
    expect(records[0]!.events.map((e) => e.type)).toEqual(['REVOCATIONS_VERIFIED', 'NOTIFICATION_QUEUED']);
    expect(records[0]!.events[1]!.data).toMatchObject({ kind: 'REVOCATION_UNVERIFIED', recipientId: 'admin' });
    expect(records[0]!.events[0]!.data).toMatchObject({ verified: 1, absent: 0, stillPresent: [expect.objectContaining({ userId: 'u1', privilegeId: 'p-git' })] });
  });
});
