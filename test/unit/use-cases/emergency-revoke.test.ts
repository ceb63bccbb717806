// Emergency access removal: every MANUAL assignment of the user removed, rule-based and inherited
// ones left; each removal recorded with who and why; a re-run after a kill makes no second record.
import { describe, expect, it } from 'vitest';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { NotFoundError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { emergencyRevoke } from '../../../lambdas/shared/use-cases/emergency-revoke.js';
import { InjectedKill, failOnCall } from '../../support/fault-injection.js';
import { aUser, anAssignment } from '../../support/fixtures.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const REQUEST = { userId: 'u-mallory', reason: 'credentials leaked (INC-42)', by: 'oncall@example.com', requestId: 'req-1' };

async function setup() {
  const directory = new InMemoryDirectoryStore();
  const operations = new InMemoryOperationsStore();
  await directory.putUsers([aUser({ id: 'u-mallory' }), aUser({ id: 'u-bob' })]);
  await directory.putAssignments([
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-pay', origin: 'MANUAL', approvedAt: '2026-01-05T00:00:00.000Z', approvedBy: 'u-boss' }),
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-vendor', origin: 'MANUAL' }),
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-mail', origin: 'RULE' }),
    anAssignment({ userId: 'u-mallory', privilegeId: 'p-wiki', origin: 'INHERITED' }),
    anAssignment({ userId: 'u-bob', privilegeId: 'p-pay', origin: 'MANUAL' }),
  ]);
  const audit = new InMemoryAuditLog();
  return { directory, operations, audit, deps: { directory, operations, audit, clock: { now: () => NOW } } };
}

const held = async (directory: InMemoryDirectoryStore, userId: string) =>
  (await directory.listAssignmentsOfUser(userId)).map((a) => `${a.privilegeId}:${a.origin}`);

describe('emergencyRevoke', () => {
  it('removes every manual assignment, only those, recording who, why and the grant removed', async () => {
    const { directory, operations, deps } = await setup();
    const result = await emergencyRevoke(deps, REQUEST);
    expect(await held(directory, 'u-mallory')).toEqual(['p-mail:RULE', 'p-wiki:INHERITED']);
    expect(await held(directory, 'u-bob')).toEqual(['p-pay:MANUAL']);
    const expected = [
      {
        userId: 'u-mallory',
        privilegeId: 'p-pay',
        origin: 'MANUAL',
        approvedAt: '2026-01-05T00:00:00.000Z',
        approvedBy: 'u-boss',
        removedAt: NOW.toISOString(),
        removedBy: 'oncall@example.com',
        reason: 'credentials leaked (INC-42)',
        requestId: 'req-1',
        status: 'REMOVED',
        completedAt: NOW.toISOString(),
      },
      {
        userId: 'u-mallory',
        privilegeId: 'p-vendor',
        origin: 'MANUAL',
        removedAt: NOW.toISOString(),
        removedBy: 'oncall@example.com',
        reason: 'credentials leaked (INC-42)',
        requestId: 'req-1',
        status: 'REMOVED',
        completedAt: NOW.toISOString(),
      },
    ];
    expect(result).toEqual({ userId: 'u-mallory', removed: expected, alreadyRecorded: 0, notRemoved: [] });
    expect(await operations.listRemovals('u-mallory')).toEqual(expected);
  });

  it('keeps the request reference (what authenticates who asked) on every removal it records', async () => {
    const { operations, deps } = await setup();
    const result = await emergencyRevoke(deps, { ...REQUEST, requestRef: ' exec-7f3a ' });
    expect(result.removed.map((r) => r.requestRef)).toEqual(['exec-7f3a', 'exec-7f3a']);
    expect((await operations.listRemovals('u-mallory')).map((r) => `${r.privilegeId} ${r.removedBy} ${r.requestRef}`)).toEqual([
      'p-pay oncall@example.com exec-7f3a',
      'p-vendor oncall@example.com exec-7f3a',
    ]);
  });

  it('finishes a run killed after recording a removal: the re-run completes that record, writes no other', async () => {
    const { directory, operations, deps } = await setup();
    // Both removals recorded; the first removal of an assignment is killed (the other one goes through).
    const kill = failOnCall(directory, 'removeAssignment', 1);
    await expect(emergencyRevoke(deps, REQUEST)).rejects.toBeInstanceOf(InjectedKill);
    expect((await operations.listRemovals('u-mallory')).map((r) => `${r.privilegeId} ${r.status}`)).toEqual(['p-pay REMOVING', 'p-vendor REMOVED']);
    expect(await held(directory, 'u-mallory')).toHaveLength(3);
    kill.restore();

    const rerun = await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-2' });
    expect(rerun).toEqual({ userId: 'u-mallory', removed: [], alreadyRecorded: 1, notRemoved: [] });
    expect(await held(directory, 'u-mallory')).toEqual(['p-mail:RULE', 'p-wiki:INHERITED']);
    expect((await operations.listRemovals('u-mallory')).map((r) => `${r.privilegeId} ${r.status} ${r.requestId}`)).toEqual([
      'p-pay REMOVED req-1',
      'p-vendor REMOVED req-1',
    ]);
  });

  it('finishes a run killed after removing, before marking the record: the re-run marks it REMOVED', async () => {
    const { directory, operations, deps } = await setup();
    const kill = failOnCall(operations, 'completeRemoval', 1);
    await expect(emergencyRevoke(deps, REQUEST)).rejects.toBeInstanceOf(InjectedKill);
    kill.restore();
    expect(await held(directory, 'u-mallory')).toEqual(['p-mail:RULE', 'p-wiki:INHERITED']);
    const rerun = await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-2' });
    expect(rerun).toMatchObject({ removed: [], alreadyRecorded: 1 });
    expect((await operations.listRemovals('u-mallory')).map((r) => `${r.privilegeId} ${r.status} ${r.requestId}`)).toEqual([
      'p-pay REMOVED req-1',
      'p-vendor REMOVED req-1',
    ]);
  });

  it('does nothing more when run again after it completed', async () => {
    const { operations, deps } = await setup();
    await emergencyRevoke(deps, REQUEST);
    expect(await emergencyRevoke(deps, REQUEST)).toEqual({ userId: 'u-mallory', removed: [], alreadyRecorded: 0, notRemoved: [] });
    expect(await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-2' })).toEqual({ userId: 'u-mallory', removed: [], alreadyRecorded: 0, notRemoved: [] });
    expect(await operations.listRemovals('u-mallory')).toHaveLength(2);
  });

  it('records a re-granted assignment’s removal apart from the earlier one', async () => {
    const { directory, operations, deps } = await setup();
    await emergencyRevoke(deps, REQUEST);
    await directory.putAssignments([anAssignment({ userId: 'u-mallory', privilegeId: 'p-pay', origin: 'MANUAL', approvedAt: '2026-12-01T09:00:00.000Z' })]);
    const again = await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-3' });
    expect(again.removed.map((r) => r.privilegeId)).toEqual(['p-pay']);
    expect((await operations.listRemovals('u-mallory')).filter((r) => r.privilegeId === 'p-pay')).toHaveLength(2);
  });

  it('records the second removal of an assignment granted again without a grant stamp (approvedAt)', async () => {
    const { directory, operations, deps } = await setup();
    await emergencyRevoke(deps, REQUEST);
    await directory.putAssignments([anAssignment({ userId: 'u-mallory', privilegeId: 'p-vendor', origin: 'MANUAL' })]);
    const again = await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-3' });
    expect(again.removed.map((r) => `${r.privilegeId} ${r.status}`)).toEqual(['p-vendor REMOVED']);
    expect(await held(directory, 'u-mallory')).toEqual(['p-mail:RULE', 'p-wiki:INHERITED']);
    const records = (await operations.listRemovals('u-mallory')).filter((r) => r.privilegeId === 'p-vendor');
    expect(records.map((r) => `${r.requestId} ${r.status}`).sort()).toEqual(['req-1 REMOVED', 'req-3 REMOVED']);
  });

  it('a pending record of an earlier grant is completed, and the assignment granted since gets a record of its own', async () => {
    const { directory, operations, deps } = await setup();
    const kill = failOnCall(directory, 'removeAssignment', 1);
    await expect(emergencyRevoke(deps, REQUEST)).rejects.toBeInstanceOf(InjectedKill);
    kill.restore();
    // p-pay (recorded REMOVING, grant of 2026-01-05) is removed and granted again before the re-run.
    await directory.removeAssignment('u-mallory', 'p-pay');
    await directory.putAssignments([anAssignment({ userId: 'u-mallory', privilegeId: 'p-pay', origin: 'MANUAL', approvedAt: '2026-12-01T09:00:00.000Z' })]);
    const rerun = await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-2' });
    expect(rerun.removed.map((r) => `${r.privilegeId} ${r.approvedAt} ${r.requestId}`)).toEqual(['p-pay 2026-12-01T09:00:00.000Z req-2']);
    expect(rerun.alreadyRecorded).toBe(1);
    expect((await operations.listRemovals('u-mallory')).map((r) => `${r.privilegeId} ${r.approvedAt} ${r.status}`)).toEqual([
      'p-pay 2026-01-05T00:00:00.000Z REMOVED',
      'p-pay 2026-12-01T09:00:00.000Z REMOVED',
      'p-vendor undefined REMOVED',
    ]);
  });

  it('marks NOT_REMOVED, with the reason, an assignment that is no longer MANUAL when removed, and does not report it removed', async () => {
    const { directory, operations, deps } = await setup();
    // The listing still shows p-pay MANUAL; a directory load made it rule-based just before the removal.
    const listed = await directory.listAssignmentsOfUser('u-mallory');
    await directory.putAssignments([anAssignment({ userId: 'u-mallory', privilegeId: 'p-pay', origin: 'RULE' })]);
    directory.listAssignmentsOfUser = async () => listed;
    const result = await emergencyRevoke(deps, REQUEST);
    expect(result.removed.map((r) => r.privilegeId)).toEqual(['p-vendor']);
    expect(result.notRemoved).toEqual([
      expect.objectContaining({ privilegeId: 'p-pay', status: 'NOT_REMOVED', notRemovedReason: expect.stringContaining('no longer MANUAL') }),
    ]);
    expect((await operations.listRemovals('u-mallory')).map((r) => `${r.privilegeId} ${r.status}`)).toEqual(['p-pay NOT_REMOVED', 'p-vendor REMOVED']);
  });

  it('refuses an unknown user, changing nothing', async () => {
    const { operations, deps } = await setup();
    await expect(emergencyRevoke(deps, { ...REQUEST, userId: 'u-nobody' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await operations.listRemovals('u-nobody')).toEqual([]);
  });

  it.each([
    ['reason', { reason: '  ' }],
    ['by', { by: '' }],
    ['userId', { userId: '' }],
  ])('refuses an empty %s, naming it, changing nothing', async (field, change) => {
    const { directory, operations, deps } = await setup();
    const error = await emergencyRevoke(deps, { ...REQUEST, ...change }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(await held(directory, 'u-mallory')).toHaveLength(4);
    expect(await operations.listRemovals('u-mallory')).toEqual([]);
  });
});
