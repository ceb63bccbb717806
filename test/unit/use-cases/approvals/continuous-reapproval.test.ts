// Continuous re-approval over a simulated year, and what StartReapproval reads.
import { describe, expect, it } from 'vitest';
import { buildWorld, dayAt, dayOf, iso, manual, privilege } from './world.js';

describe('continuous re-approval over a simulated year', () => {
  it('approved on day 0 with an interval of 90 days: re-approvals start on days 90, 180, 270 and 360, each once, each approved', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } })],
      assignments: [manual('alice', 'p-prod', { approvedAt: iso(0, 10), approvedBy: 'mary' })],
    });
    const startedOn: number[] = [];
    for (let day = 0; day < 365; day++) {
      const result = await world.day(day);
      if (result.started.continuous > 0) startedOn.push(day);
      expect(result.started.continuous, `day ${day}`).toBeLessThanOrEqual(1);
      // The owner decides every re-approval the day it starts, at 09:00.
      const decided = await world.decide('owen', 'APPROVE', dayAt(day, 9));
      for (const { run } of decided) expect(run.state).toBe('APPROVED');
    }

    expect(startedOn).toEqual([90, 180, 270, 360]);
    const runs = world.runs();
    expect(runs.map((r) => dayOf(r.createdAt))).toEqual(expect.arrayContaining([90, 180, 270, 360]));
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.state === 'APPROVED' && r.applied?.action === 'KEPT')).toBe(true);
    const assignment = await world.assignment('alice', 'p-prod');
    expect(assignment).toMatchObject({ approvedAt: iso(360, 9), approvedBy: 'owen', nextReapprovalAt: iso(450), reapprovalMode: 'CONTINUOUS' });
    expect(assignment?.reapproval).toBeUndefined();
    // One Approval Start per run, to the owner; no timeout, no rejection.
    const notices = await world.notices();
    expect(notices.map((n) => `${n.kind} ${n.recipientId}`)).toEqual(Array(4).fill('APPROVAL_START owen'));
  });

  it('a run that is not decided is never started twice while it runs', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })],
      assignments: [manual('alice', 'p-prod', { approvedAt: iso(0) })],
    });
    let started = 0;
    for (let day = 0; day < 40; day++) started += (await world.day(day)).started.continuous;
    expect(started).toBe(1);
    expect(world.runs()).toHaveLength(1);
    expect(world.runs()[0]).toMatchObject({ state: 'RUNNING', approverIds: ['owen'] });
  });
});

describe('what StartReapproval reads', () => {
  it('reads only the due index, the runs needing action and, by key, what they name: never a whole-directory listing', async () => {
    const world = await buildWorld({
      privileges: [
        privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } }),
        privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } }),
        privilege('p-plain'),
      ],
      assignments: [
        manual('alice', 'p-prod', { approvedAt: iso(-100) }),
        manual('bob', 'p-prod', { approvedAt: iso(0) }),
        manual('carol', 'p-sched'),
        manual('carol', 'p-plain'),
      ],
    });
    await world.initialize(dayAt(0, 5));
    await world.directory.putReapprovalConfig({ reminders: { daysBeforeDue: 3, intervalHours: 24 }, scheduledDate: '2027-01-04' });
    const calls: string[] = [];
    const forbidden = ['listUsers', 'listPrivileges', 'listHoldersOfPrivilege', 'listAssignmentsOfUser', 'listAwaitingInitialization', 'listFlaggedPrivileges'] as const;
    const target = world.directory as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const method of forbidden) {
      const original = target[method]!;
      target[method] = (...args: unknown[]) => {
        calls.push(method);
        return original.apply(world.directory, args);
      };
    }
    const result = await world.start(dayAt(0, 6));
    // The due one (alice, approved 100 days ago) and the scheduled one started; bob is not due.
    expect(result.started).toEqual({ continuous: 1, scheduled: 1 });
    expect(calls).toEqual([]);
    // Later days (reminders, timeouts) read no listing either.
    for (let day = 1; day <= 30; day++) await world.start(dayAt(day, 6));
    expect(calls).toEqual([]);
  });
});
