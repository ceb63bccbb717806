// After a privilege changes mode, the walk resets each holder in the old mode; a reset that did
// not apply is checked against the holder as it is now. Found by the fault suite (test/faults): a
// reset DynamoDB applied but whose answer was lost (the SDK's retry then failed its condition)
// counted as a holder still running a re-approval, so the privilege's mark was not recorded and the
// walk was repeated the next day.
import { describe, expect, it } from 'vitest';
import { initializeReapproval } from '../../../../lambdas/shared/use-cases/approvals/initialize-reapproval.js';
import { silentLog } from '../../../../lambdas/shared/use-cases/ports.js';
import { buildWorld, dayAt, iso, manual, privilege } from './world.js';

async function switchedToScheduled() {
  const world = await buildWorld({
    privileges: [privilege('p-y', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } })],
    assignments: [manual('alice', 'p-y', { approvedAt: iso(-10) }), manual('carol', 'p-y', { approvedAt: iso(-1) })],
  });
  await world.day(0);
  await world.directory.putPrivileges([privilege('p-y', { reapproval: { mode: 'SCHEDULED' } })]);
  return world;
}

describe('the walk after a change of mode', () => {
  it('a reset applied whose answer was lost still moves the holder over, and the mark is recorded', async () => {
    const world = await switchedToScheduled();
    const reset = world.directory.resetReapproval.bind(world.directory);
    world.directory.resetReapproval = async (userId, privilegeId) => (await reset(userId, privilegeId), false);
    const result = await initializeReapproval({ directory: world.directory, log: silentLog }, dayAt(1, 5));
    expect(result).toMatchObject({ reset: 0, scheduled: 2 });
    expect(await world.assignment('alice', 'p-y')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect(await world.assignment('carol', 'p-y')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect((await world.directory.getPrivilege('p-y'))?.reapprovalInitializedFor).toBe('SCHEDULED');
  });

  it('a holder whose re-approval started between the listing and its reset (the reset refused) is still left for a later walk', async () => {
    const world = await switchedToScheduled();
    const reset = world.directory.resetReapproval.bind(world.directory);
    world.directory.resetReapproval = async (userId, privilegeId) => {
      if (userId === 'alice') await world.directory.markReapprovalStarted('alice', 'p-y', { mode: 'CONTINUOUS', nextReapprovalAt: iso(80) }, { approvalId: 'run-1', startedAt: iso(1) });
      return reset(userId, privilegeId);
    };
    const result = await initializeReapproval({ directory: world.directory, log: silentLog }, dayAt(1, 5));
    expect(result).toMatchObject({ reset: 1, scheduled: 1 });
    expect(await world.assignment('alice', 'p-y')).toMatchObject({ reapprovalMode: 'CONTINUOUS', reapproval: { approvalId: 'run-1' } });
    expect(await world.assignment('carol', 'p-y')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    // Not marked: the next day's walk moves alice over once her run has ended.
    expect((await world.directory.getPrivilege('p-y'))?.reapprovalInitializedFor).toBeUndefined();
  });
});
