// InitializeReapproval, and the directory load that must never erase what it set.
import { describe, expect, it } from 'vitest';
import { buildWorld, dayAt, iso, manual, privilege } from './world.js';

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
    expect(result).toEqual({ privileges: 2, initialized: 4, continuous: 3, scheduled: 1 });
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
    expect(await world.initialize(dayAt(3, 5))).toEqual({ privileges: 2, initialized: 0, continuous: 0, scheduled: 0 });
    expect(await world.allAssignments()).toEqual(before);
  });

  it('reads the flagged privileges and their awaiting assignments only', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: [manual('alice', 'p-prod'), manual('bob', 'p-plain')] });
    const target = world.directory as unknown as Record<string, (...args: unknown[]) => unknown>;
    const calls: string[] = [];
    for (const method of ['listUsers', 'listPrivileges', 'listHoldersOfPrivilege', 'listAssignmentsOfUser', 'listAwaitingInitialization']) {
      const original = target[method]!;
      target[method] = (...args: unknown[]) => (calls.push(`${method}(${args.join(',')})`), original.apply(world.directory, args));
    }
    await world.initialize(dayAt(0, 5));
    expect(calls).toEqual(['listAwaitingInitialization(p-prod)', 'listAwaitingInitialization(p-sched)']);
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
    expect(await world.assignment('bob', 'p-prod')).toMatchObject({ origin: 'RULE', nextReapprovalAt: iso(90) });
  });
});
