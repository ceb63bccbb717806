// StartReapproval killed at each of its writes and run again: for every write position k, the job
// dies at its k-th write (to the directory, the approval store, the outbox, the campaign store or
// the mailer) and is then run again without faults, once the dead run's send claims have expired.
// The end state (assignments, runs, round, notices) must be that of a run that was never killed,
// and each notice mailed once, except the documented case: killed between a send and its mark,
// that notice is sent again.
import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../../lambdas/shared/domain/model.js';
import { InjectedKill } from '../../../support/fault-injection.js';
import { killAtWrite, type WriteKill } from '../../../support/write-kill.js';
import { buildWorld, dayAt, iso, manual, privilege, type World } from './world.js';

const DAY = 15;
const ROUND = iso(DAY).slice(0, 10);

/**
 * The world just before the day-15 run: that run starts two continuous re-approvals (one of which
 * finds nobody to approve and is rejected at once), starts a scheduled round of two, escalates a
 * run that reached its due date, reminds the approver of another, and mails what it owes.
 */
async function scenario(): Promise<World> {
  const world = await buildWorld({
    privileges: [
      privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      privilege('p-orphan', { ownerIds: ['ghost'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } }),
    ],
    assignments: [
      // Started on day 0, step due at the end of day 14: escalated by the run.
      manual('alice', 'p-prod', { approvedAt: iso(-30) }),
      // Started on day 3, step due at the end of day 17: its first reminder is due at the run.
      manual('mary', 'p-prod', { approvedAt: iso(-27) }),
      // Due on day 15.
      manual('bob', 'p-prod', { approvedAt: iso(-15) }),
      manual('carol', 'p-orphan', { approvedAt: iso(-15) }),
      // The round of day 15.
      manual('bob', 'p-sched'),
      manual('carol', 'p-sched'),
      // Never touched.
      manual('dan', 'p-prod', { origin: 'RULE', approvedAt: iso(-300) }),
    ],
  });
  await world.directory.putReapprovalConfig({ reminders: { daysBeforeDue: 3, intervalHours: 24 }, scheduledDate: ROUND });
  for (let day = 0; day < DAY; day++) await world.day(day);
  await world.initialize(dayAt(DAY, 5));
  return world;
}

const run = (world: World) => world.start(dayAt(DAY, 6));

function writeTargets(world: World): readonly (readonly [object, readonly string[]])[] {
  return [
    [world.directory, ['putRound', 'putReapprovalConfig', 'initializeReapproval', 'resetReapproval', 'markReapprovalStarted', 'completeReapproval', 'recordApproval', 'removeAssignment', 'modifyAssignment', 'putAssignments', 'putWorkflows']],
    [world.approvals, ['createApproval', 'saveApproval']],
    [world.outbox, ['enqueue', 'claim', 'markSent', 'markFailed', 'markSkipped', 'releaseClaims']],
    [world.campaigns, ['saveItemWorkflow', 'saveItemApplied', 'saveEntry']],
    [world.deps.mailer, ['send']],
  ];
}

/** What a run leaves: delivery bookkeeping (attempts, claims, message ids) aside. */
async function endState(world: World) {
  const notice = ({ attempts: _a, claimedBy: _c, claimExpiresAt: _e, messageId: _m, sentAt: _s, ...rest }: Notification) => rest;
  const round = await world.directory.getRound(ROUND);
  return {
    assignments: await world.allAssignments(),
    runs: world.runs(),
    round: round && { ...round, started: undefined },
    notices: (await world.notices()).map(notice),
  };
}

/** The mails sent since `from` (the earlier days' mails repeat subjects: a reminder per slot). */
function mailedPerKey(world: World, from: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of world.mails.slice(from)) counts.set(`${mail.to}|${mail.subject}`, (counts.get(`${mail.to}|${mail.subject}`) ?? 0) + 1);
  return counts;
}

describe('StartReapproval killed at any write', () => {
  it('ends, after the next run, in the state of a run that was never killed', async () => {
    const clean = await scenario();
    const cleanFrom = clean.mails.length;
    const counter = killAtWrite(undefined, writeTargets(clean));
    const cleanResult = await run(clean);
    const cleanWrites = counter.count();
    counter.restore();
    const expected = await endState(clean);
    const expectedMails = mailedPerKey(clean, cleanFrom);

    // The clean run did everything the scenario promises.
    expect(cleanResult).toMatchObject({ started: { continuous: 2, scheduled: 2 }, round: { date: ROUND, completed: true }, escalated: 1, reminded: 1, rejected: 1 });
    expect(expected.runs).toHaveLength(6);
    expect(expected.assignments.find((a) => a.userId === 'carol' && a.privilegeId === 'p-orphan')).toBeUndefined();
    expect(expected.notices.some((n) => n.kind === 'ASSIGNMENT_REJECT' && n.recipientId === 'carol')).toBe(true);
    expect(clean.mails.some((m) => m.to === 'carol@example.com')).toBe(true);
    expect((await clean.directory.getRound(ROUND))?.started).toBe(2);
    expect(cleanWrites).toBeGreaterThanOrEqual(15);

    for (let k = 1; k <= cleanWrites; k++) {
      const world = await scenario();
      const from = world.mails.length;
      const kill: WriteKill = killAtWrite(k, writeTargets(world));
      await expect(run(world), `kill at write ${k}`).rejects.toBeInstanceOf(InjectedKill);
      const killed = kill.killed();
      expect(killed, `kill at write ${k}`).toBeDefined();
      kill.restore();
      // Sent, but the process died before marking it (the killed markSent, or a concurrent send's
      // mark after the kill): at least once, like SES, so that one goes again.
      const sentByKilledRun = new Set(world.mails.slice(from).map((m) => `${m.to}|${m.subject}`));
      const unmarked = new Set(
        (await world.notices()).filter((n) => n.status === 'SENDING' && sentByKilledRun.has(`${n.to}|${n.subject}`)).map((n) => `${n.to}|${n.subject}`),
      );
      world.later();
      await run(world);

      expect(await endState(world), `kill at write ${k} (${killed!.method})`).toEqual(expected);
      // The round's count is informational: a run killed before recording it counts less, never more.
      expect((await world.directory.getRound(ROUND))?.started, `kill at write ${k}`).toBeLessThanOrEqual(2);
      const mails = mailedPerKey(world, from);
      expect([...mails.keys()].sort(), `kill at write ${k}`).toEqual([...expectedMails.keys()].sort());
      if (killed!.method === 'markSent') expect(unmarked.size, `kill at write ${k}`).toBeGreaterThanOrEqual(1);
      for (const [key, count] of mails) expect(count, `${key}, kill at write ${k}`).toBe(unmarked.has(key) ? 2 : 1);
    }
  });
});
