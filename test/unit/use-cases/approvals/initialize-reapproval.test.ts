// InitializeReapproval, and the directory load that must never erase what it set.
import { describe, expect, it } from 'vitest';
import { scheduleReapproval } from '../../../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { buildWorld, dayAt, iso, manual, privilege, type World } from './world.js';

const FLAGGED = [
  privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } }),
  privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } }),
  privilege('p-plain'),
];

describe('initializeReapproval', () => {
  it('dates every flagged MANUAL assignment from the later of its grant and approval (else now), plus the interval, at 00:00 UTC', async () => {
    const world = await buildWorld({
      privileges: FLAGGED,
      assignments: [
        manual('alice', 'p-prod', { grantedAt: iso(-10, 15), approvedAt: iso(-40, 9) }),
        manual('bob', 'p-prod', { grantedAt: iso(-400), approvedAt: iso(-20, 23) }),
        manual('carol', 'p-prod'),
        manual('alice', 'p-sched', { approvedAt: iso(-5) }),
        manual('bob', 'p-plain', { approvedAt: iso(-500) }),
        manual('carol', 'p-sched', { origin: 'RULE' }),
        manual('dan', 'p-prod', { origin: 'INHERITED' }),
      ],
    });
    const result = await world.initialize(dayAt(0, 5));
    expect(result).toEqual({ privileges: 2, initialized: 4, continuous: 3, scheduled: 1, reset: 0 });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(80) });
    expect(await world.assignment('bob', 'p-prod')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(70) });
    expect(await world.assignment('carol', 'p-prod')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(90) });
    const scheduled = await world.assignment('alice', 'p-sched');
    expect(scheduled?.reapprovalMode).toBe('SCHEDULED');
    expect(scheduled?.nextReapprovalAt).toBeUndefined();
    // Unflagged, RULE and INHERITED: untouched.
    expect(await world.assignment('bob', 'p-plain')).toEqual(manual('bob', 'p-plain', { approvedAt: iso(-500) }));
    expect(await world.assignment('carol', 'p-sched')).toEqual(manual('carol', 'p-sched', { origin: 'RULE' }));
    expect(await world.assignment('dan', 'p-prod')).toEqual(manual('dan', 'p-prod', { origin: 'INHERITED' }));
  });

  it('a re-run initializes nothing and changes nothing', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: [manual('alice', 'p-prod'), manual('bob', 'p-sched')] });
    await world.initialize(dayAt(0, 5));
    const before = await world.allAssignments();
    expect(await world.initialize(dayAt(3, 5))).toEqual({ privileges: 2, initialized: 0, continuous: 0, scheduled: 0, reset: 0 });
    expect(await world.allAssignments()).toEqual(before);
  });

  it('reads the flagged privileges and their awaiting assignments only, once their holders are known to be in their mode', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: [manual('alice', 'p-prod'), manual('bob', 'p-plain')] });
    const calls = recordReads(world);
    // A privilege not marked yet (flagged by a load, which writes no mark): its MANUAL holders are walked once.
    await world.initialize(dayAt(0, 5));
    expect(calls.splice(0)).toEqual([
      'listHoldersOfPrivilege(p-prod,MANUAL)',
      'listAwaitingInitialization(p-prod)',
      'listHoldersOfPrivilege(p-sched,MANUAL)',
      'listAwaitingInitialization(p-sched)',
    ]);
    expect((await world.directory.getPrivilege('p-prod'))?.reapprovalInitializedFor).toBe('CONTINUOUS');
    expect((await world.directory.getPrivilege('p-sched'))?.reapprovalInitializedFor).toBe('SCHEDULED');
    for (const day of [1, 2, 3]) await world.initialize(dayAt(day, 5));
    expect(calls).toEqual(Array.from({ length: 3 }, () => ['listAwaitingInitialization(p-prod)', 'listAwaitingInitialization(p-sched)']).flat());
  });
});

/** Records the directory's list calls of the world, as `method(args)`. */
function recordReads(world: World): string[] {
  const target = world.directory as unknown as Record<string, (...args: unknown[]) => unknown>;
  const calls: string[] = [];
  for (const method of ['listUsers', 'listPrivileges', 'listHoldersOfPrivilege', 'listAssignmentsOfUser', 'listAwaitingInitialization']) {
    const original = target[method]!;
    target[method] = (...args: unknown[]) => (calls.push(`${method}(${args.join(',')})`), original.apply(world.directory, args));
  }
  return calls;
}

describe('a privilege that changes re-approval mode', () => {
  const walksOf = (calls: string[]) => calls.filter((c) => c.startsWith('listHoldersOfPrivilege')).length;
  const date = (day: number) => iso(day).slice(0, 10);

  it('SCHEDULED to CONTINUOUS after a completed round: its holders start continuous re-approvals at their dates', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-x', { reapproval: { mode: 'SCHEDULED' } })],
      assignments: [manual('alice', 'p-x', { approvedAt: iso(-100) }), manual('bob', 'p-x', { grantedAt: iso(-5) })],
    });
    await scheduleReapproval(world, date(10), 'admin', dayAt(0));
    for (let day = 0; day <= 10; day++) await world.day(day);
    await world.decide('owen', 'APPROVE', dayAt(10, 9));
    expect(world.runs().map((r) => r.state)).toEqual(['APPROVED', 'APPROVED']);
    // Applied by the next StartReapproval.
    await world.start(dayAt(10, 10));
    expect(await world.assignment('alice', 'p-x')).toMatchObject({ reapprovalMode: 'SCHEDULED', lastReapprovalRound: date(10) });

    // The directory file now says CONTINUOUS, every 30 days.
    await world.directory.putPrivileges([privilege('p-x', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })]);
    const calls = recordReads(world);
    const moved = await world.initialize(dayAt(11, 5));
    expect(moved).toEqual({ privileges: 1, initialized: 2, continuous: 2, scheduled: 0, reset: 2 });
    // 30 days after the round's approval.
    for (const user of ['alice', 'bob']) {
      expect(await world.assignment(user, 'p-x')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(40), lastReapprovalRound: date(10) });
    }
    for (let day = 11; day < 40; day++) expect((await world.day(day)).started.continuous, `day ${day}`).toBe(0);
    const due = await world.day(40);
    expect(due.started).toEqual({ continuous: 2, scheduled: 0 });
    expect(world.runs().filter((r) => r.purpose.kind === 'REAPPROVAL' && r.purpose.mode === 'CONTINUOUS' && r.purpose.dueAt === iso(40))).toHaveLength(2);
    // One walk for the change, then none, day after day.
    expect(walksOf(calls)).toBe(1);
  });

  it('CONTINUOUS to SCHEDULED: its holders join the next round', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-y', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } })],
      assignments: [manual('alice', 'p-y', { approvedAt: iso(-10) }), manual('carol', 'p-y', { approvedAt: iso(-1) })],
    });
    await world.day(0);
    expect(await world.assignment('alice', 'p-y')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(80) });

    await world.directory.putPrivileges([privilege('p-y', { reapproval: { mode: 'SCHEDULED' } })]);
    await scheduleReapproval(world, date(20), 'admin', dayAt(1));
    const calls = recordReads(world);
    expect(await world.day(1)).toMatchObject({ started: { continuous: 0, scheduled: 0 } });
    expect(await world.assignment('alice', 'p-y')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    for (let day = 2; day < 20; day++) await world.day(day);
    const round = await world.day(20);
    expect(round).toMatchObject({ started: { scheduled: 2 }, round: { date: date(20), completed: true } });
    expect(world.runs().map((r) => `${r.userId} ${r.purpose.kind === 'REAPPROVAL' ? r.purpose.mode : ''}`).sort()).toEqual(['alice SCHEDULED', 'carol SCHEDULED']);
    expect(walksOf(calls)).toBe(1);

    // Back to CONTINUOUS, once the round is approved (and applied): a second change, a second walk.
    await world.decide('owen', 'APPROVE', dayAt(21, 9));
    await world.start(dayAt(21, 10));
    await world.directory.putPrivileges([privilege('p-y', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } })]);
    for (let day = 22; day < 30; day++) await world.day(day);
    expect(walksOf(calls)).toBe(2);
    expect(await world.assignment('carol', 'p-y')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(111) });
  });

  it('a holder whose re-approval runs in the old mode is moved over once its run has ended; the walk repeats until then', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-z', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })],
      assignments: [manual('alice', 'p-z', { approvedAt: iso(-30) }), manual('bob', 'p-z', { approvedAt: iso(-1) })],
    });
    await world.day(0);
    expect((await world.assignment('alice', 'p-z'))?.reapproval).toBeDefined();

    await world.directory.putPrivileges([privilege('p-z', { reapproval: { mode: 'SCHEDULED' } })]);
    const calls = recordReads(world);
    expect(await world.initialize(dayAt(1, 5))).toMatchObject({ reset: 1, scheduled: 1 });
    expect(await world.assignment('bob', 'p-z')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect((await world.directory.getPrivilege('p-z'))?.reapprovalInitializedFor).toBeUndefined();
    await world.initialize(dayAt(2, 5));
    expect(walksOf(calls)).toBe(2);

    // alice's continuous run is approved (applied by the next StartReapproval): back in the continuous index, then moved over by the next walk.
    await world.decide('owen', 'APPROVE', dayAt(2, 9));
    await world.start(dayAt(2, 10));
    expect(await world.assignment('alice', 'p-z')).toMatchObject({ reapprovalMode: 'CONTINUOUS' });
    expect(await world.initialize(dayAt(3, 5))).toMatchObject({ reset: 1, scheduled: 1 });
    expect(await world.assignment('alice', 'p-z')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect((await world.directory.getPrivilege('p-z'))?.reapprovalInitializedFor).toBe('SCHEDULED');
    for (let day = 4; day < 10; day++) await world.initialize(dayAt(day, 5));
    expect(walksOf(calls)).toBe(3);
  });

  it('a change loaded after a decision, before the next StartReapproval applies its outcome: that day\'s walk waits, the next moves the holder, then none', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-w', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })],
      assignments: [manual('alice', 'p-w', { approvedAt: iso(-30) })],
    });
    await world.day(0);
    await world.decide('owen', 'APPROVE', dayAt(4, 9));
    await world.directory.putPrivileges([privilege('p-w', { reapproval: { mode: 'SCHEDULED' } })]);
    await scheduleReapproval(world, date(45), 'admin', dayAt(4, 10));
    const calls = recordReads(world);

    // Day 5: the walk (05:00) finds alice's run ended but not applied; the start (06:00) applies it.
    expect(await world.initialize(dayAt(5, 5))).toMatchObject({ reset: 0, initialized: 0 });
    expect((await world.directory.getPrivilege('p-w'))?.reapprovalInitializedFor).toBeUndefined();
    expect(await world.start(dayAt(5, 6))).toMatchObject({ approved: 1 });
    expect(await world.assignment('alice', 'p-w')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(34), approvedBy: 'owen' });
    expect((await world.assignment('alice', 'p-w'))?.reapproval).toBeUndefined();

    // Day 6: the walk moves her over and marks the privilege; no walk after that, and no continuous run on her old date.
    expect(await world.initialize(dayAt(6, 5))).toMatchObject({ reset: 1, scheduled: 1 });
    expect(await world.assignment('alice', 'p-w')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect((await world.directory.getPrivilege('p-w'))?.reapprovalInitializedFor).toBe('SCHEDULED');
    for (let day = 6; day < 45; day++) expect((await world.day(day)).started.continuous, `day ${day}`).toBe(0);
    expect(walksOf(calls)).toBe(2);
    expect(await world.day(45)).toMatchObject({ started: { scheduled: 1 }, round: { date: date(45), completed: true } });
    expect(world.runs().map((r) => (r.purpose.kind === 'REAPPROVAL' ? r.purpose.mode : r.purpose.kind))).toEqual(['CONTINUOUS', 'SCHEDULED']);
  });
});

describe('a directory load over re-approval state', () => {
  it('keeps the state the jobs set, and the later approval', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: [manual('alice', 'p-prod', { approvedAt: iso(-100), approvedBy: 'mary' })] });
    await world.day(0);
    await world.decide('owen', 'APPROVE', dayAt(0, 9));
    // Applied by the next StartReapproval.
    await world.start(dayAt(0, 10));
    const reapproved = await world.assignment('alice', 'p-prod');
    expect(reapproved).toMatchObject({ approvedAt: iso(0, 9), approvedBy: 'owen', nextReapprovalAt: iso(90), reapprovalMode: 'CONTINUOUS' });

    // The same file loaded again (its approval is older), with a new end date.
    await world.directory.putAssignments([manual('alice', 'p-prod', { approvedAt: iso(-100), approvedBy: 'mary', endDate: iso(300) })]);
    expect(await world.assignment('alice', 'p-prod')).toEqual({ ...reapproved, endDate: iso(300) });

    // A file with a later approval wins that approval, still not the state.
    await world.directory.putAssignments([manual('alice', 'p-prod', { approvedAt: iso(2), approvedBy: 'hr-system' })]);
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ approvedAt: iso(2), approvedBy: 'hr-system', nextReapprovalAt: iso(90), reapprovalMode: 'CONTINUOUS' });
  });

  it('keeps a running re-approval, and an assignment that turns RULE leaves every re-approval index', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: [manual('alice', 'p-prod', { approvedAt: iso(-100) }), manual('bob', 'p-prod', { approvedAt: iso(-100) })] });
    await world.day(0);
    const running = await world.assignment('alice', 'p-prod');
    expect(running?.reapproval?.approvalId).toBeDefined();
    await world.directory.putAssignments([manual('alice', 'p-prod', { approvedAt: iso(-100) })]);
    expect((await world.assignment('alice', 'p-prod'))?.reapproval).toEqual(running?.reapproval);

    // bob's run is approved; then bob's access is declared rule-based: it is due again on day 90, but never started.
    await world.decide('owen', 'APPROVE', dayAt(0, 9));
    await world.start(dayAt(0, 10));
    await world.directory.putAssignments([manual('bob', 'p-prod', { origin: 'RULE' })]);
    const bobsRuns = () => world.runs().filter((r) => r.userId === 'bob');
    expect(bobsRuns()).toHaveLength(1);
    for (let day = 85; day < 100; day++) await world.day(day);
    expect(bobsRuns()).toHaveLength(1);
    // alice, due the same day, did start: the jobs ran.
    expect(world.runs().filter((r) => r.userId === 'alice')).toHaveLength(2);
    // Rule-based, it keeps no re-approval state at all.
    const rule = await world.assignment('bob', 'p-prod');
    expect(rule).toMatchObject({ origin: 'RULE' });
    for (const field of ['nextReapprovalAt', 'reapprovalMode', 'reapproval']) expect(rule).not.toHaveProperty(field);
  });

  it('an assignment that turns RULE while its re-approval runs, and MANUAL again, is initialized again instead of staying out of every index', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: [manual('alice', 'p-prod', { approvedAt: iso(-100) })] });
    await world.day(0);
    expect((await world.assignment('alice', 'p-prod'))?.reapproval).toBeDefined();
    await world.directory.putAssignments([manual('alice', 'p-prod', { origin: 'RULE' })]);
    expect(await world.assignment('alice', 'p-prod')).toEqual(manual('alice', 'p-prod', { origin: 'RULE', approvedAt: iso(-100) }));

    await world.directory.putAssignments([manual('alice', 'p-prod', { approvedAt: iso(1) })]);
    expect(await world.initialize(dayAt(2, 5))).toMatchObject({ initialized: 1, continuous: 1 });
    expect(await world.assignment('alice', 'p-prod')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(91) });
    expect((await world.assignment('alice', 'p-prod'))?.reapproval).toBeUndefined();
  });
});
