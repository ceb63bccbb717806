// The emergency access removal's event `{ "userId", "reason", "requestedBy" }` (strict: anything
// else is refused naming the field, before anything is built or removed), and its handler: every
// manual assignment of the user removed, each recorded with who, why and the Lambda request id.
import { describe, expect, it } from 'vitest';
import { parseEmergencyAccessEvent } from '../../../lambdas/emergency-access/event.js';
import { createHandler } from '../../../lambdas/emergency-access/handler.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { NotFoundError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { smallOrg } from '../../support/small-org.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const EVENT = { userId: 'u1', reason: 'laptop stolen, incident INC-42', requestedBy: 'secops@example.com' };

/** The ValidationError's `field: message` pairs for `event`. */
function refusal(event: unknown): string[] {
  try {
    parseEmergencyAccessEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
  }
  throw new Error(`accepted ${JSON.stringify(event)}`);
}

describe('the emergency access event', () => {
  it('takes the user, the reason and who asked, trimmed', () => {
    expect(parseEmergencyAccessEvent({ userId: ' u1 ', reason: ' stolen laptop ', requestedBy: 'secops' })).toEqual({
      userId: 'u1',
      reason: 'stolen laptop',
      requestedBy: 'secops',
    });
  });

  it('takes an optional requestRef (the automation execution that authenticates the caller), trimmed', () => {
    expect(parseEmergencyAccessEvent({ ...EVENT, requestRef: ' 0b5c2a9e-1111-4222-8333-444455556666 ' })).toEqual({
      ...EVENT,
      requestRef: '0b5c2a9e-1111-4222-8333-444455556666',
    });
    expect(parseEmergencyAccessEvent(EVENT)).not.toHaveProperty('requestRef');
  });

  it.each([
    [{ ...EVENT, requestRef: '' }, ['event.requestRef: must not be empty']],
    [{ ...EVENT, requestRef: 'x'.repeat(257) }, ['event.requestRef: must be at most 256 characters']],
    [{ ...EVENT, requestRef: 7 }, ['event.requestRef: must be a string']],
    [{ reason: 'r', requestedBy: 'b' }, ['event.userId: is required']],
    [{ ...EVENT, reason: '   ' }, ['event.reason: must not be empty']],
    [{ ...EVENT, requestedBy: '' }, ['event.requestedBy: must not be empty']],
    [{ ...EVENT, reason: 'x'.repeat(1001) }, ['event.reason: must be at most 1000 characters']],
    [{ ...EVENT, userId: 42 }, ['event.userId: must be a string']],
    [{ ...EVENT, by: 'secops' }, ['event.by: unknown field']],
    [{ user: 'u1', reason: 'r', requestedBy: 'b' }, ['event.userId: is required', 'event.user: unknown field']],
  ])('refuses %j naming the field', (event, issues) => {
    expect(refusal(event).sort()).toEqual([...issues].sort());
  });

  it.each([[null], [[]], ['u1']])('refuses %j as not an event object', (event) => {
    expect(refusal(event)).toEqual([expect.stringMatching(/^event: Invalid input: expected object/)]);
  });

  it('refuses {} naming every missing field', () => {
    expect(refusal({})).toEqual(['event.userId: is required', 'event.reason: is required', 'event.requestedBy: is required']);
  });
});

describe('the emergency access handler', () => {
  const at = new Date('2026-07-10T12:00:00.000Z');

  async function handlerOverSmallOrg() {
    const directory = new InMemoryDirectoryStore();
    const org = smallOrg();
    await directory.putUsers(org.users);
    await directory.putPrivileges(org.privileges);
    await directory.putAssignments(org.assignments);
    const operations = new InMemoryOperationsStore();
    const audit = new InMemoryAuditLog();
    let builds = 0;
    const handler = createHandler(() => {
      builds++;
      return { directory, operations, audit, clock: { now: () => new Date(at) }, log: silentLog };
    });
    return { handler, directory, operations, builds: () => builds };
  }

  it("removes every manual assignment of the user, recording who, why and the invocation's request id", async () => {
    const { handler, directory, operations } = await handlerOverSmallOrg();
    const result = await handler(EVENT, { awsRequestId: 'req-1' });
    expect(result.userId).toBe('u1');
    expect(result.removed.map((r) => r.privilegeId).sort()).toEqual(['p-fin', 'p-git', 'p-prod']);
    // The rule-based assignment stays: only manual ones are the directory's to remove.
    expect((await directory.listAssignmentsOfUser('u1')).map((a) => [a.privilegeId, a.origin])).toEqual([['p-mail', 'RULE']]);
    const removals = await operations.listRemovals('u1');
    expect(removals).toHaveLength(3);
    for (const removal of removals) {
      expect(removal).toMatchObject({ userId: 'u1', origin: 'MANUAL', removedBy: 'secops@example.com', reason: EVENT.reason, requestId: 'req-1', removedAt: at.toISOString() });
    }
    // Other users keep theirs.
    expect((await directory.listAssignmentsOfUser('u2')).map((a) => a.privilegeId)).toEqual(['p-fin']);
  });

  it("records the event's requestRef with each removal", async () => {
    const { handler, operations } = await handlerOverSmallOrg();
    await handler({ ...EVENT, requestRef: 'exec-0b5c2a9e' }, { awsRequestId: 'req-2' });
    const removals = await operations.listRemovals('u1');
    expect(removals).toHaveLength(3);
    for (const removal of removals) expect(removal).toMatchObject({ removedBy: 'secops@example.com', requestRef: 'exec-0b5c2a9e', requestId: 'req-2' });
  });

  it('builds its dependencies once, and names a request without a Lambda context with a fresh UUID', async () => {
    const { handler, operations, builds } = await handlerOverSmallOrg();
    await handler(EVENT);
    await handler({ ...EVENT, userId: 'u4' });
    expect(builds()).toBe(1);
    const [first] = await operations.listRemovals('u1');
    const [other] = await operations.listRemovals('u4');
    expect(first!.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(other!.requestId).not.toBe(first!.requestId);
  });

  it('fails for an unknown user, removing nothing', async () => {
    const { handler, operations } = await handlerOverSmallOrg();
    await expect(handler({ ...EVENT, userId: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await operations.listRemovals('nobody')).toEqual([]);
  });

  it('refuses a bad event before building anything, naming the field', async () => {
    const handler = createHandler(() => {
      throw new Error('must not be built');
    });
    await expect(handler({ ...EVENT, reason: '' })).rejects.toThrow(/^event\.reason: must not be empty$/);
  });
});
