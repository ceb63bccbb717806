// The risk assessment's handler: it runs as of the event's instant (scheduled, `{ "now" }`, `{}`),
// with the configuration stored by `idgov config load`, recorded as a run of 'risk-assessment';
// a bad event is refused naming the field, before anything is built or recorded.
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../lambdas/risk-assessment/handler.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { DEFAULT_OPERATIONS_CONFIG } from '../../../lambdas/shared/domain/operations.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { scheduledJobEvent } from '../../support/job-events.js';
import { smallOrg } from '../../support/small-org.js';

const wall = new Date('2030-01-02T03:04:05.000Z');

async function handlerOverSmallOrg() {
  const directory = new InMemoryDirectoryStore();
  const org = smallOrg();
  await directory.putUsers(org.users);
  await directory.putPrivileges(org.privileges);
  await directory.putAssignments(org.assignments);
  const operations = new InMemoryOperationsStore();
  let builds = 0;
  const handler = createHandler(() => {
    builds++;
    return { directory, operations, wallClock: { now: () => new Date(wall) }, log: silentLog };
  });
  return { handler, directory, operations, builds: () => builds };
}

describe('the risk assessment handler', () => {
  it('assesses as of the scheduled time, the given now, or the wall clock for {}, building its dependencies once', async () => {
    const { handler, builds } = await handlerOverSmallOrg();
    expect(await handler(scheduledJobEvent('2026-07-02T07:30:00Z', 'risk-assessment'))).toMatchObject({ date: '2026-07-02', users: 7 });
    expect(await handler({ now: '2026-07-03T07:30:00Z' })).toMatchObject({ date: '2026-07-03', users: 7 });
    expect(await handler({})).toMatchObject({ date: '2030-01-02', users: 7 });
    expect(builds()).toBe(1);
  });

  it("records the run as 'risk-assessment' at its business time, with its counts", async () => {
    const { handler, operations } = await handlerOverSmallOrg();
    await handler(scheduledJobEvent('2026-07-02T07:30:00Z', 'risk-assessment'));
    const heartbeat = (await operations.getHeartbeats(['risk-assessment'])).get('risk-assessment');
    expect(heartbeat?.lastCompleted).toMatchObject({
      job: 'risk-assessment',
      scheduledFor: '2026-07-02T07:30:00.000Z',
      startedAt: wall.toISOString(),
      outcome: 'SUCCEEDED',
      summary: { date: '2026-07-02', users: 7 },
    });
  });

  it('applies the configuration stored by `idgov config load`: a toxic pair it names is found', async () => {
    const { handler, operations, directory } = await handlerOverSmallOrg();
    expect(await handler({ now: '2026-07-02T07:30:00Z' })).toMatchObject({ sodConflicts: 0 });
    const config = { ...DEFAULT_OPERATIONS_CONFIG, risk: { ...DEFAULT_OPERATIONS_CONFIG.risk, toxicCombinations: [{ privileges: ['p-fin', 'p-prod'] as [string, string] }] } };
    await operations.putConfig(config, 'ops@example.com', wall);
    // u1 holds both manually; u4 holds p-prod manually and p-fin by inheritance.
    expect(await handler({ now: '2026-07-03T07:30:00Z' })).toMatchObject({ sodConflicts: 2 });
    expect((await directory.getUser('u4'))?.riskLevel).toBe('CRITICAL');
  });

  it('records a failed run as FAILED and fails the invocation', async () => {
    const { handler, operations, directory } = await handlerOverSmallOrg();
    directory.listUsers = () => {
      throw new Error('DynamoDB unavailable (injected)');
    };
    await expect(handler({ now: '2026-07-02T07:30:00Z' })).rejects.toThrow('DynamoDB unavailable (injected)');
    const heartbeat = (await operations.getHeartbeats(['risk-assessment'])).get('risk-assessment');
    expect(heartbeat?.lastRun).toMatchObject({ outcome: 'FAILED', scheduledFor: '2026-07-02T07:30:00.000Z' });
    expect(heartbeat?.lastCompleted).toBeUndefined();
  });

  it('refuses a bad event before building anything, naming the field', async () => {
    const handler = createHandler(() => {
      throw new Error('must not be built');
    });
    await expect(handler({ now: 'tomorrow' })).rejects.toThrow(/^event\.now: must be an ISO 8601/);
    await expect(handler({ date: '2026-07-02' })).rejects.toThrow(/^event\.date: unknown field$/);
  });
});
