// The re-approval jobs in time-budgeted chunks, over the in-memory stores: with a budget that is spent
// from the start (each invocation does one chunk), a run is a chain of invocations, each resuming from
// the last one's cursor. The chain must do what one unlimited invocation does, and count it the same:
// the same end state, each assignment started (or failed) once, each notice mailed once, and a cursor
// that only moves forward; progress is reported chunk by chunk.
import { describe, expect, it } from 'vitest';
import {
  addInitializeReapprovalResults,
  initializeReapproval,
  INITIALIZE_CHUNK_SIZE,
  type InitializeReapprovalResult,
} from '../../../../lambdas/shared/use-cases/approvals/initialize-reapproval.js';
import {
  addStartReapprovalResults,
  START_CHUNK_SIZE,
  startReapproval,
  type StartReapprovalResult,
} from '../../../../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { silentLog, type ProgressEvent, type TimeBudget } from '../../../../lambdas/shared/use-cases/ports.js';
import type { Notification } from '../../../../lambdas/shared/domain/model.js';
import { buildWorld, dayAt, iso, manual, person, PEOPLE, privilege, type World } from './world.js';

/** No time left: every invocation does its first chunk and stops. */
const SPENT: TimeBudget = { hasTimeLeft: () => false, remainingMs: () => 0 };

const holders = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
const DUE = holders(2 * START_CHUNK_SIZE + 7, 'u-due');
const ROUND = holders(START_CHUNK_SIZE + 3, 'u-round');
const BROKEN = holders(4, 'u-broken');

/** Due continuous assignments (some whose start fails), a scheduled round, and later the runs needing action. */
async function scenario(): Promise<World> {
  const world = await buildWorld({
    users: [...PEOPLE, ...[...DUE, ...ROUND, ...BROKEN].map((id) => person(id, 'mary'))],
    privileges: [
      privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      privilege('p-sched', { reapproval: { mode: 'SCHEDULED' } }),
      // An unknown workflow: every start fails, and the assignment stays due.
      privilege('p-broken', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30, workflowId: 'wf-missing' } }),
    ],
    assignments: [
      ...DUE.map((u) => manual(u, 'p-prod', { approvedAt: iso(-31) })),
      ...ROUND.map((u) => manual(u, 'p-sched')),
      ...BROKEN.map((u) => manual(u, 'p-broken', { approvedAt: iso(-31) })),
    ],
    pageSize: 9,
  });
  await world.directory.putReapprovalConfig({ reminders: { daysBeforeDue: 3, intervalHours: 24 }, scheduledDate: iso(0).slice(0, 10) });
  await world.initialize(dayAt(0, 5));
  return world;
}

/** One job run as a chain of invocations on a spent budget; answers the chain's results, summed, and every cursor. */
async function chained(world: World, now: Date, progress?: (e: ProgressEvent) => void) {
  const deps = { ...world.deps, ...(progress ? { progress } : {}) };
  let result = await startReapproval(deps, now, { budget: SPENT });
  const cursors = [];
  while (result.resume) {
    cursors.push(result.resume);
    result = addStartReapprovalResults(result, await startReapproval(deps, now, { budget: SPENT, resume: result.resume }));
  }
  return { result, cursors };
}

async function endState(world: World) {
  const notice = ({ attempts: _a, claimedBy: _c, claimExpiresAt: _e, messageId: _m, sentAt: _s, ...rest }: Notification) => rest;
  return {
    assignments: await world.allAssignments(),
    runs: world.runs(),
    round: await world.directory.getRound(iso(0).slice(0, 10)),
    notices: (await world.notices()).map(notice),
    mails: world.mails.map((m) => `${m.to}|${m.subject}|${m.body}`).sort(),
  };
}

describe('startReapproval in chunks', () => {
  it('as a chain of one-chunk invocations, does and counts what one unlimited invocation does', async () => {
    const unlimited = await scenario();
    const chunked = await scenario();
    const events: ProgressEvent[] = [];
    // Day 0: the due starts, the round; day 12: its reminders and the round's outcomes; day 15: escalations.
    for (const [day, hour] of [[0, 6], [12, 6], [15, 6]] as const) {
      const once: StartReapprovalResult = await unlimited.start(dayAt(day, hour));
      expect(once.resume).toBeUndefined();
      const { result, cursors } = await chained(chunked, dayAt(day, hour), (e) => events.push(e));
      expect(result, `day ${day}`).toEqual(once);
      if (day === 0) {
        // Every phase is cut, and the cursor moves forward only: due index, round, runs needing action.
        expect(cursors.map((c) => c.phase)).toEqual(['DUE', 'DUE', 'ROUND', 'ROUND', 'PROGRESS']);
        expect(cursors.map((c) => ('done' in c ? c.done : undefined))).toEqual([START_CHUNK_SIZE, 2 * START_CHUNK_SIZE, 0, START_CHUNK_SIZE, 0]);
        expect(result).toMatchObject({ started: { continuous: DUE.length, scheduled: ROUND.length }, failed: BROKEN.length, round: { completed: true } });
      }
      if (day === 12) expect(cursors.filter((c) => c.phase === 'PROGRESS').length).toBeGreaterThanOrEqual(2);
    }
    expect(await endState(chunked)).toEqual(await endState(unlimited));
    // Each notice mailed once.
    expect(new Set(chunked.mails.map((m) => `${m.to}|${m.subject}|${m.body}`)).size).toBe(chunked.mails.length);
    // Progress after each chunk, cumulative within a phase across invocations.
    const due = events.filter((e) => e.phase === 'DUE').map((e) => e.done);
    expect(due.slice(0, 3)).toEqual([START_CHUNK_SIZE, 2 * START_CHUNK_SIZE, DUE.length + BROKEN.length]);
    expect(events.every((e) => e.job === 'start-reapproval')).toBe(true);
  });

  it('a round whose start failed somewhere in the chain stays open: the failures travel with the cursor', async () => {
    const world = await scenario();
    // One of the round's privileges loses its workflow after the first chunk of the round.
    await world.directory.putPrivileges([privilege('p-sched', { reapproval: { mode: 'SCHEDULED', workflowId: 'wf-missing' } })]);
    const { result } = await chained(world, dayAt(0, 6));
    expect(result).toMatchObject({ started: { scheduled: 0 }, failed: BROKEN.length + ROUND.length, round: { completed: false } });
    expect((await world.directory.getRound(iso(0).slice(0, 10)))?.completedAt).toBeUndefined();
  });
});

describe('initializeReapproval in chunks', () => {
  it('as a chain of one-chunk invocations, resumes inside a privilege (its walk and its awaiting holders) and does what one invocation does', async () => {
    const many = holders(2 * INITIALIZE_CHUNK_SIZE + 30, 'u');
    const build = async () => {
      const world = await buildWorld({
        users: [...PEOPLE, ...many.map((id) => person(id, 'mary'))],
        privileges: [privilege('p-a', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }), privilege('p-b', { reapproval: { mode: 'SCHEDULED' } })],
        assignments: [...many.map((u) => manual(u, 'p-a', { approvedAt: iso(-3) })), ...many.slice(0, 20).map((u) => manual(u, 'p-b'))],
        pageSize: 50,
      });
      await world.initialize(dayAt(0, 5));
      // p-a becomes SCHEDULED: the next run walks its holders over, then initializes what awaits.
      await world.directory.putPrivileges([privilege('p-a', { reapproval: { mode: 'SCHEDULED' } }), privilege('p-b', { reapproval: { mode: 'SCHEDULED' } })]);
      return world;
    };
    const unlimited = await build();
    const chunked = await build();
    const once: InitializeReapprovalResult = await initializeReapproval({ directory: unlimited.directory, log: silentLog }, dayAt(1, 5));
    expect(once).toMatchObject({ privileges: 2, reset: many.length, scheduled: many.length });

    const deps = { directory: chunked.directory, log: silentLog };
    let result = await initializeReapproval(deps, dayAt(1, 5), { budget: SPENT });
    const cursors = [];
    while (result.resume) {
      cursors.push(result.resume);
      result = addInitializeReapprovalResults(result, await initializeReapproval(deps, dayAt(1, 5), { budget: SPENT, resume: result.resume }));
    }
    expect(result).toEqual(once);
    // Cut inside p-a's walk twice (past a user), then before p-b (whose load dropped its mark: walked, nobody to move); no more after it.
    expect(cursors.map((c) => c.current && `${c.current.privilegeId} ${c.current.afterUserId ?? '-'} ${c.current.walked}`)).toEqual([
      `p-a ${many[INITIALIZE_CHUNK_SIZE - 1]} false`,
      `p-a ${many[2 * INITIALIZE_CHUNK_SIZE - 1]} false`,
      undefined,
    ]);
    expect(cursors[2]).toEqual({ afterPrivilege: 'p-a', done: many.length });
    expect(await chunked.allAssignments()).toEqual(await unlimited.allAssignments());
    expect((await chunked.directory.getPrivilege('p-a'))?.reapprovalInitializedFor).toBe('SCHEDULED');
  });

  it('resumes inside the awaiting holders of a privilege that needs no walk, from the index start (what was initialized left it)', async () => {
    const many = holders(INITIALIZE_CHUNK_SIZE + 10, 'u');
    const world = await buildWorld({
      users: [...PEOPLE, ...many.map((id) => person(id, 'mary'))],
      privileges: [privilege('p-a', { reapproval: { mode: 'CONTINUOUS', intervalDays: 30 }, reapprovalInitializedFor: 'CONTINUOUS' })],
      assignments: many.map((u) => manual(u, 'p-a')),
      pageSize: 50,
    });
    const deps = { directory: world.directory, log: silentLog };
    const first = await initializeReapproval(deps, dayAt(0, 5), { budget: SPENT });
    expect(first).toMatchObject({ initialized: INITIALIZE_CHUNK_SIZE, resume: { current: { privilegeId: 'p-a', walked: true, left: 0 }, done: INITIALIZE_CHUNK_SIZE } });
    const second = await initializeReapproval(deps, dayAt(0, 5), { budget: SPENT, resume: first.resume! });
    expect(second).toEqual({ privileges: 0, initialized: 10, continuous: 10, scheduled: 0, reset: 0 });
    expect(await world.directory.getAssignment(many.at(-1)!, 'p-a')).toMatchObject({ reapprovalMode: 'CONTINUOUS' });
  });
});
