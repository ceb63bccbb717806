// Scheduled re-approval: one domain-wide date, every flagged assignment started on it, once.
import { describe, expect, it } from 'vitest';
import { scheduleReapproval, reapprovalStatus } from '../../../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { buildWorld, dayAt, iso, manual, privilege } from './world.js';

const FLAGGED = [privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } }), privilege('p-vault', { reapproval: { mode: 'SCHEDULED' } })];
const HOLDERS = [manual('alice', 'p-sched'), manual('bob', 'p-sched'), manual('carol', 'p-vault')];

const date = (day: number) => iso(day).slice(0, 10);

describe('scheduled re-approval', () => {
  it('starts every scheduled assignment on the domain date, once; re-runs that day and the next days start none', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: HOLDERS });
    await scheduleReapproval(world, date(10), 'admin', dayAt(0));

    for (let day = 0; day < 10; day++) expect((await world.day(day)).started.scheduled, `day ${day}`).toBe(0);
    expect(world.runs()).toHaveLength(0);
    expect((await reapprovalStatus(world.directory, dayAt(9))).roundState).toBe('SCHEDULED');

    const first = await world.day(10);
    expect(first.started.scheduled).toBe(3);
    expect(first.round).toEqual({ date: date(10), completed: true });
    const runs = world.runs();
    expect(runs.map((r) => `${r.userId}/${r.privilegeId}`).sort()).toEqual(['alice/p-sched', 'bob/p-sched', 'carol/p-vault']);
    expect(runs.every((r) => r.purpose.kind === 'REAPPROVAL' && r.purpose.mode === 'SCHEDULED' && r.purpose.dueAt === iso(10))).toBe(true);
    for (const r of runs) expect((await world.assignment(r.userId, r.privilegeId))?.reapproval?.approvalId).toBe(r.id);
    expect(await reapprovalStatus(world.directory, dayAt(10, 7))).toMatchObject({ roundState: 'COMPLETED', round: { date: date(10), started: 3 } });

    const keys = await world.noticeKeys();
    const again = await world.start(dayAt(10, 18));
    expect(again.started).toEqual({ continuous: 0, scheduled: 0 });
    expect(await world.noticeKeys()).toEqual(keys);

    // The owner approves them the next day: the round stays done, and none starts again.
    await world.decide('owen', 'APPROVE', dayAt(11, 9));
    expect((await world.day(12)).approved).toBe(3);
    expect((await world.assignment('alice', 'p-sched'))).toMatchObject({ lastReapprovalRound: date(10), approvedBy: 'owen', approvedAt: iso(11, 9) });
    for (let day = 13; day < 40; day++) expect((await world.day(day)).started.scheduled, `day ${day}`).toBe(0);
    expect(world.runs()).toHaveLength(3);
  });

  it('a new domain date starts a new round over the assignments approved in the last one', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: HOLDERS });
    await scheduleReapproval(world, date(5), 'admin', dayAt(0));
    await world.day(5);
    await world.decide('owen', 'APPROVE', dayAt(5, 9));
    expect(world.runs().every((r) => r.state === 'APPROVED')).toBe(true);

    await scheduleReapproval(world, date(100), 'admin', dayAt(50));
    for (let day = 6; day < 100; day++) expect((await world.day(day)).started.scheduled, `day ${day}`).toBe(0);
    const second = await world.day(100);
    expect(second).toMatchObject({ started: { scheduled: 3 }, round: { date: date(100), completed: true } });
    expect(world.runs()).toHaveLength(6);
    expect((await world.directory.getRound(date(5)))?.started).toBe(3);
  });

  it('a start that fails (an unknown workflow) keeps the round open and is retried the next day; the others start once', async () => {
    const world = await buildWorld({
      privileges: [FLAGGED[0]!, privilege('p-vault', { reapproval: { mode: 'SCHEDULED', workflowId: 'wf-vault' } })],
      assignments: HOLDERS,
    });
    await scheduleReapproval(world, date(1), 'admin', dayAt(0));
    const first = await world.day(1);
    expect(first).toMatchObject({ started: { scheduled: 2 }, failed: 1, round: { date: date(1), completed: false } });
    const second = await world.day(2);
    expect(second).toMatchObject({ started: { scheduled: 0 }, failed: 1, round: { completed: false } });

    await world.directory.putWorkflows([{ id: 'wf-vault', name: 'Vault', steps: [{ approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'REJECT' }] }]);
    const third = await world.day(3);
    expect(third).toMatchObject({ started: { scheduled: 1 }, failed: 0, round: { completed: true } });
    expect((await world.directory.getRound(date(1)))).toMatchObject({ started: 3, completedAt: iso(3, 6) });
    const carol = world.runs().find((r) => r.userId === 'carol')!;
    expect(carol).toMatchObject({ approverIds: ['mary'], workflow: { id: 'wf-vault' } });
    expect((await world.day(4)).started.scheduled).toBe(0);
  });

  it('an assignment whose privilege switched to CONTINUOUS goes back to initialization instead of starting', async () => {
    const world = await buildWorld({ privileges: FLAGGED, assignments: HOLDERS });
    await world.initialize(dayAt(0, 5));
    await world.directory.putPrivileges([privilege('p-vault', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } })]);
    await scheduleReapproval(world, date(1), 'admin', dayAt(0));
    const result = await world.start(dayAt(1, 6));
    expect(result).toMatchObject({ started: { scheduled: 2 }, reset: 1 });
    await world.initialize(dayAt(2, 5));
    expect(await world.assignment('carol', 'p-vault')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: iso(32) });
  });
});
