// recordJobRun: each run of a job recorded at its start and end, the heartbeat following the
// latest completed run, a failure recorded and rethrown.
import { describe, expect, it } from 'vitest';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { recordJobRun } from '../../../lambdas/shared/use-cases/job-runs.js';
import { failOnCall } from '../../support/fault-injection.js';

const BUSINESS = new Date('2026-12-01T07:30:00.000Z');

function setup() {
  const operations = new InMemoryOperationsStore();
  let wall = Date.parse('2030-01-01T00:00:00.000Z');
  // Each reading of the wall clock is a second later.
  const wallClock = { now: () => new Date((wall += 1000)) };
  return { operations, deps: { operations, wallClock } };
}

describe('recordJobRun', () => {
  it('records the start, then the end SUCCEEDED with the summary, and returns the result', async () => {
    const { operations, deps } = setup();
    let seenDuringWork: unknown;
    const result = await recordJobRun(
      deps,
      'risk-assessment',
      BUSINESS,
      async () => {
        seenDuringWork = (await operations.getHeartbeats(['risk-assessment'])).get('risk-assessment');
        return { users: 5 };
      },
      (r) => ({ users: r.users }),
    );
    expect(result).toEqual({ users: 5 });
    expect(seenDuringWork).toMatchObject({ lastRun: { outcome: 'RUNNING', scheduledFor: BUSINESS.toISOString() } });
    const [run] = await operations.listRuns('risk-assessment', 10);
    expect(run).toMatchObject({
      job: 'risk-assessment',
      scheduledFor: BUSINESS.toISOString(),
      startedAt: '2030-01-01T00:00:01.000Z',
      endedAt: '2030-01-01T00:00:02.000Z',
      outcome: 'SUCCEEDED',
      summary: { users: 5 },
    });
    expect(run!.runId).toMatch(/^[0-9a-f-]{36}$/);
    const beat = (await operations.getHeartbeats(['risk-assessment'])).get('risk-assessment');
    expect(beat!.lastCompleted).toEqual(run);
  });

  it('records the installation time at the first run of any job, once: the earlier of its business time and the wall clock', async () => {
    const { operations, deps } = setup();
    // Business time ahead of the wall clock (2030-01-01T00:00:01): the wall clock is the installation.
    await recordJobRun(deps, 'risk-assessment', new Date('2031-01-01T00:00:00.000Z'), async () => 'ok');
    expect(await operations.getInstallation()).toEqual({ installedAt: '2030-01-01T00:00:01.000Z' });
    await recordJobRun(deps, 'daily-operations', new Date('2029-01-01T00:00:00.000Z'), async () => 'ok');
    expect(await operations.getInstallation()).toEqual({ installedAt: '2030-01-01T00:00:01.000Z' });

    const simulated = setup();
    await recordJobRun(simulated.deps, 'campaign-controller', BUSINESS, async () => 'ok');
    expect(await simulated.operations.getInstallation()).toEqual({ installedAt: BUSINESS.toISOString() });
  });

  it('records a failure with its error and rethrows it; the heartbeat keeps the last completed run', async () => {
    const { operations, deps } = setup();
    await recordJobRun(deps, 'daily-operations', new Date('2026-11-30T08:00:00.000Z'), async () => 'ok');
    await expect(
      recordJobRun(deps, 'daily-operations', new Date('2026-12-01T08:00:00.000Z'), async () => {
        throw new Error('table unreachable');
      }),
    ).rejects.toThrow('table unreachable');
    const beat = (await operations.getHeartbeats(['daily-operations'])).get('daily-operations')!;
    expect(beat.lastRun).toMatchObject({ outcome: 'FAILED', error: 'table unreachable', scheduledFor: '2026-12-01T08:00:00.000Z' });
    expect(beat.lastCompleted).toMatchObject({ outcome: 'SUCCEEDED', scheduledFor: '2026-11-30T08:00:00.000Z' });
  });

  it('records SKIPPED when the job says so (the controller finding its lease held), which counts as completed', async () => {
    const { operations, deps } = setup();
    await recordJobRun(deps, 'campaign-controller', BUSINESS, async () => ({ status: 'SKIPPED' }), undefined, (r) => (r.status === 'SKIPPED' ? 'SKIPPED' : 'SUCCEEDED'));
    expect((await operations.getHeartbeats(['campaign-controller'])).get('campaign-controller')!.lastCompleted).toMatchObject({ outcome: 'SKIPPED' });
  });

  it('surfaces both errors when the failure cannot be recorded', async () => {
    const { operations, deps } = setup();
    failOnCall(operations, 'finishRun', 1);
    const error = await recordJobRun(deps, 'weekly-summary', BUSINESS, async () => {
      throw new Error('mail down');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['mail down', 'killed at call 1 of finishRun (injected)']);
  });

  it('does not run the work when its start cannot be recorded', async () => {
    const { operations, deps } = setup();
    failOnCall(operations, 'startRun', 1);
    let ran = false;
    await expect(recordJobRun(deps, 'weekly-summary', BUSINESS, async () => void (ran = true))).rejects.toThrow('startRun');
    expect(ran).toBe(false);
  });
});
