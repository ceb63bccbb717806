// Emergency access removal: every MANUAL assignment of the user removed, rule-based and inherited
// ones left; each removal recorded with who and why; a re-run after a kill makes no second record.
import { describe, expect, it } from 'vitest';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { NotFoundError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { emergencyRevoke } from '../../../lambdas/shared/use-cases/emergency-revoke.js';
import { InjectedKill, failOnCall } from '../../support/fault-injection.js';
import { aUser, anAssignment } from '../../support/fixtures.js';

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
  return { directory, operations, deps: { directory, operations, clock: { now: () => NOW } } };
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
      },
      { userId: 'u-mallory', privilegeId: 'p-vendor', origin: 'MANUAL', removedAt: NOW.toISOString(), removedBy: 'oncall@example.com', reason: 'credentials leaked (INC-42)', requestId: 'req-1' },
    ];
    expect(result).toEqual({ userId: 'u-mallory', removed: expected, alreadyRecorded: 0 });
    expect(await operations.listRemovals('u-mallory')).toEqual(expected);
  });

  it('finishes a killed run on a re-run without a second record', async () => {
    const { directory, operations, deps } = await setup();
    // Killed after both removals were recorded, while removing the second assignment.
    const kill = failOnCall(directory, 'removeAssignment', 2);
    await expect(emergencyRevoke(deps, REQUEST)).rejects.toBeInstanceOf(InjectedKill);
    expect(await operations.listRemovals('u-mallory')).toHaveLength(2);
    expect(await held(directory, 'u-mallory')).toHaveLength(3);
    kill.restore();

    const rerun = await emergencyRevoke(deps, { ...REQUEST, requestId: 'req-2' });
    expect(rerun).toEqual({ userId: 'u-mallory', removed: [], alreadyRecorded: 1 });
    expect(await held(directory, 'u-mallory')).toEqual(['p-mail:RULE', 'p-wiki:INHERITED']);
    expect((await operations.listRemovals('u-mallory')).map((r) => r.requestId)).toEqual(['req-1', 'req-1']);
  });

  it('does nothing more when run again after it completed', async () => {
    const { operations, deps } = await setup();
    await emergencyRevoke(deps, REQUEST);
    expect(await emergencyRevoke(deps, REQUEST)).toEqual({ userId: 'u-mallory', removed: [], alreadyRecorded: 0 });
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
