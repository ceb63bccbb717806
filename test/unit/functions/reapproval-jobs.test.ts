// The re-approval jobs' handlers and environments (lambdas/initialize-reapproval, lambdas/start-reapproval):
// each runs its use case once per event at the event's instant (scheduled, `{ "now" }`, `{}` at the wall
// clock), with the dependencies built once per container, recorded as a run of its job with a summary;
// a bad event is refused naming the field before anything is built or recorded; a failed run is
// recorded FAILED and fails the invocation. The use cases are stand-ins here (their behaviour is the
// engine's tests'): what is tested is the handler around them.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { InitializeReapprovalResult } from '../../../lambdas/shared/use-cases/approvals/initialize-reapproval.js';
import type { StartReapprovalResult } from '../../../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { scheduledJobEvent } from '../../support/job-events.js';

const calls = vi.hoisted(() => ({
  initialize: [] as { deps: unknown; now: Date }[],
  start: [] as { deps: unknown; now: Date; options?: { budget?: { hasTimeLeft(): boolean }; resume?: unknown } }[],
  fail: undefined as Error | undefined,
  /** What the next start-reapproval runs answer as `resume` (one per run; undefined: done). */
  resumes: [] as unknown[],
}));

vi.mock('../../../lambdas/shared/use-cases/approvals/initialize-reapproval.js', () => ({
  initializeReapproval: async (deps: unknown, now: Date): Promise<InitializeReapprovalResult> => {
    calls.initialize.push({ deps, now });
    if (calls.fail) throw calls.fail;
    return { privileges: 2, initialized: 5, continuous: 3, scheduled: 2, reset: 1 };
  },
}));

const START_RESULT: StartReapprovalResult = {
  started: { continuous: 4, scheduled: 1 },
  round: { date: '2026-07-02', completed: false },
  reset: 0,
  failed: 1,
  progressed: 6,
  approved: 2,
  rejected: 1,
  escalated: 1,
  reminded: 2,
  dispatch: { sent: 7, failed: 0, retrying: 1, skipped: 0 },
};

vi.mock('../../../lambdas/shared/use-cases/approvals/start-reapproval.js', () => ({
  startReapproval: async (deps: unknown, now: Date, options?: { resume?: unknown }): Promise<StartReapprovalResult> => {
    calls.start.push({ deps, now, ...(options ? { options } : {}) });
    if (calls.fail) throw calls.fail;
    const resume = calls.resumes.shift();
    return resume === undefined ? START_RESULT : { ...START_RESULT, resume: resume as never };
  },
}));

const { createHandler: initializeHandler } = await import('../../../lambdas/initialize-reapproval/handler.js');
const { createHandler: startHandler } = await import('../../../lambdas/start-reapproval/handler.js');
const { readInitializeReapprovalEnvironment } = await import('../../../lambdas/initialize-reapproval/environment.js');
const { readStartReapprovalEnvironment } = await import('../../../lambdas/start-reapproval/environment.js');

const wall = new Date('2030-01-02T03:04:05.000Z');

beforeEach(() => {
  calls.initialize = [];
  calls.start = [];
  calls.fail = undefined;
  calls.resumes = [];
});

/** Stand-in stores the handler passes on untouched: the use case is mocked, only `operations` is used. */
const opaque = (name: string) => ({ [Symbol.toStringTag]: name }) as never;

function initializeOver(operations = new InMemoryOperationsStore()) {
  let builds = 0;
  const directory = opaque('directory');
  const handler = initializeHandler(() => {
    builds++;
    return { directory, operations, wallClock: { now: () => new Date(wall) }, log: silentLog };
  });
  return { handler, operations, directory, builds: () => builds };
}

function startOver(operations = new InMemoryOperationsStore(), continuation?: { start(event: unknown, context?: unknown): Promise<void> }) {
  let builds = 0;
  const deps = {
    ...(continuation ? { continuation } : {}),
    directory: opaque('directory'),
    approvals: opaque('approvals'),
    campaigns: opaque('campaigns'),
    outbox: opaque('outbox'),
    audit: opaque('audit'),
    mailer: opaque('mailer'),
    portalUrl: 'https://governance.example.com',
    operations,
    wallClock: { now: () => new Date(wall) },
    log: silentLog,
  };
  const handler = startHandler(() => {
    builds++;
    return deps;
  });
  return { handler, operations, deps, builds: () => builds };
}

describe('the initialize-reapproval handler', () => {
  it('runs as of the scheduled time, the given now, or the wall clock for {}, building its dependencies once', async () => {
    const { handler, builds, directory } = initializeOver();
    expect(await handler(scheduledJobEvent('2026-07-02T05:00:00Z', 'initialize-reapproval'))).toEqual({ privileges: 2, initialized: 5, continuous: 3, scheduled: 2, reset: 1 });
    await handler({ now: '2026-07-03T05:00:00Z' });
    await handler({});
    expect(calls.initialize.map((c) => c.now.toISOString())).toEqual(['2026-07-02T05:00:00.000Z', '2026-07-03T05:00:00.000Z', wall.toISOString()]);
    expect(calls.initialize[0]!.deps).toMatchObject({ directory, log: silentLog });
    expect(builds()).toBe(1);
  });

  it("records the run as 'initialize-reapproval' at its business time, with its counts", async () => {
    const { handler, operations } = initializeOver();
    await handler(scheduledJobEvent('2026-07-02T05:00:00Z', 'initialize-reapproval'));
    const heartbeat = (await operations.getHeartbeats(['initialize-reapproval'])).get('initialize-reapproval');
    expect(heartbeat?.lastCompleted).toMatchObject({
      job: 'initialize-reapproval',
      scheduledFor: '2026-07-02T05:00:00.000Z',
      startedAt: wall.toISOString(),
      outcome: 'SUCCEEDED',
      summary: { privileges: 2, initialized: 5, continuous: 3, scheduled: 2, reset: 1 },
    });
  });

  it('records a failed run as FAILED and fails the invocation (so that the schedule retries it)', async () => {
    const { handler, operations } = initializeOver();
    calls.fail = new Error('DynamoDB unavailable (injected)');
    await expect(handler({ now: '2026-07-02T05:00:00Z' })).rejects.toThrow('DynamoDB unavailable (injected)');
    const heartbeat = (await operations.getHeartbeats(['initialize-reapproval'])).get('initialize-reapproval');
    expect(heartbeat?.lastRun).toMatchObject({ outcome: 'FAILED', scheduledFor: '2026-07-02T05:00:00.000Z', error: expect.stringContaining('injected') });
    expect(heartbeat?.lastCompleted).toBeUndefined();
  });

  it('refuses a bad event before building or running anything, naming the field', async () => {
    const handler = initializeHandler(() => {
      throw new Error('must not be built');
    });
    await expect(handler({ now: 'tomorrow' })).rejects.toThrow(/^event\.now: must be an ISO 8601/);
    await expect(handler({ date: '2026-07-02' })).rejects.toThrow(/^event\.date: unknown field$/);
    expect(calls.initialize).toEqual([]);
  });
});

describe('the start-reapproval handler', () => {
  it('runs as of the event, passing every store, the mailer and the portal to the use case, building once', async () => {
    const { handler, builds, deps } = startOver();
    expect(await handler(scheduledJobEvent('2026-07-02T06:00:00Z', 'start-reapproval'))).toEqual(START_RESULT);
    await handler({});
    expect(calls.start.map((c) => c.now.toISOString())).toEqual(['2026-07-02T06:00:00.000Z', wall.toISOString()]);
    expect(calls.start[0]!.deps).toMatchObject({
      directory: deps.directory,
      approvals: deps.approvals,
      campaigns: deps.campaigns,
      outbox: deps.outbox,
      mailer: deps.mailer,
      portalUrl: 'https://governance.example.com',
      wallClock: deps.wallClock,
    });
    expect(builds()).toBe(1);
  });

  it("records the run as 'start-reapproval' with what it started, moved on and sent", async () => {
    const { handler, operations } = startOver();
    await handler({ now: '2026-07-02T06:00:00Z' });
    const heartbeat = (await operations.getHeartbeats(['start-reapproval'])).get('start-reapproval');
    expect(heartbeat?.lastCompleted).toMatchObject({
      job: 'start-reapproval',
      scheduledFor: '2026-07-02T06:00:00.000Z',
      outcome: 'SUCCEEDED',
      summary: { started: 5, round: '2026-07-02', roundCompleted: false, failed: 1, progressed: 6, approved: 2, rejected: 1, sent: 7, sendFailed: 0 },
    });
  });

  it('records a failed run as FAILED, and refuses a bad event without recording one', async () => {
    const { handler, operations } = startOver();
    await expect(handler({ now: '2026-07-02', extra: 1 })).rejects.toThrow(/^event\.extra: unknown field$/);
    expect((await operations.getHeartbeats(['start-reapproval'])).get('start-reapproval')?.lastRun).toBeUndefined();
    calls.fail = new Error('SES refused the sender (injected)');
    await expect(handler({ now: '2026-07-02T06:00:00Z' })).rejects.toThrow('SES refused the sender (injected)');
    expect((await operations.getHeartbeats(['start-reapproval'])).get('start-reapproval')?.lastRun).toMatchObject({ outcome: 'FAILED' });
  });
});

describe('the re-approval jobs\' environments', () => {
  const refusal = (read: () => unknown): string[] => {
    try {
      read();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
    }
    throw new Error('accepted');
  };

  it('initialize-reapproval reads the directory and operations tables only', () => {
    expect(readInitializeReapprovalEnvironment({ DIRECTORY_TABLE_NAME: 'd', OPERATIONS_TABLE_NAME: 'o', CAMPAIGN_TABLE_NAME: 'ignored' })).toEqual({
      directoryTable: 'd',
      operationsTable: 'o',
    });
    expect(refusal(() => readInitializeReapprovalEnvironment({}))).toEqual(['DIRECTORY_TABLE_NAME: must be set', 'OPERATIONS_TABLE_NAME: must be set']);
  });

  it('start-reapproval reads the three tables, the portal URL and the sender, naming each missing or malformed one', () => {
    const env = {
      DIRECTORY_TABLE_NAME: 'd',
      CAMPAIGN_TABLE_NAME: 'c',
      OPERATIONS_TABLE_NAME: 'o',
      AUDIT_TABLE_NAME: 'a',
      APPROVER_PORTAL_URL: 'https://governance.example.com',
      SENDER_ADDRESS: 'governance@example.com',
      SES_CONFIGURATION_SET: '',
    };
    expect(readStartReapprovalEnvironment(env)).toEqual({
      directoryTable: 'd',
      campaignTable: 'c',
      auditTable: 'a',
      operationsTable: 'o',
      approverPortalUrl: 'https://governance.example.com',
      senderAddress: 'governance@example.com',
      sesConfigurationSet: undefined,
    });
    expect(refusal(() => readStartReapprovalEnvironment({ ...env, SENDER_ADDRESS: 'nobody', APPROVER_PORTAL_URL: undefined, AUDIT_TABLE_NAME: '' }))).toEqual([
      'AUDIT_TABLE_NAME: must be set',
      'APPROVER_PORTAL_URL: must be set',
      'SENDER_ADDRESS: must be an email address',
    ]);
  });
});

describe('the start-reapproval handler in chunks', () => {
  const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:idgov-start-reapproval';
  const round = { phase: 'ROUND', round: '2026-07-02', after: { userId: 'u-17', privilegeId: 'p-sox' }, done: 25, left: 1 };

  it('on AWS, continues a run that answers a cursor: the same instant, the next count, that cursor, through the function ARN', async () => {
    const started: { event: unknown; context: unknown }[] = [];
    const { handler } = startOver(undefined, { start: async (event, context) => void started.push({ event, context }) });
    calls.resumes = [round];
    const context = { invokedFunctionArn: ARN, getRemainingTimeInMillis: () => 600_000 };
    await handler(scheduledJobEvent('2026-07-02T06:00:00Z', 'start-reapproval'), context);
    // The budget is the invocation's remaining time less the margin: 10 minutes left is time left.
    expect(calls.start[0]!.options?.budget?.hasTimeLeft()).toBe(true);
    expect(started).toEqual([{ event: { now: '2026-07-02T06:00:00.000Z', continuation: 1, cursor: round }, context }]);

    // The continuation runs from its cursor; a run that answers none ends the chain.
    await handler(started[0]!.event, context);
    expect(calls.start[1]!.options?.resume).toEqual(round);
    expect(calls.start[1]!.now.toISOString()).toBe('2026-07-02T06:00:00.000Z');
    expect(started).toHaveLength(1);
  });

  it('refuses a continuation whose cursor is not one, naming the field, before running anything', async () => {
    const { handler, operations } = startOver();
    await expect(handler({ now: '2026-07-02T06:00:00Z', continuation: 1, cursor: { phase: 'ROUND', done: 1 } })).rejects.toThrow(/^event\.cursor\.round: /);
    await expect(handler({ now: '2026-07-02T06:00:00Z', continuation: 1, cursor: { phase: 'LATER', done: 1 } })).rejects.toThrow(/^event\.cursor\.phase: /);
    await expect(handler({ now: '2026-07-02T06:00:00Z', continuation: 1, cursor: { phase: 'DUE', done: -1 } })).rejects.toThrow(/^event\.cursor\.done: /);
    expect(calls.start).toEqual([]);
    expect((await operations.getHeartbeats(['start-reapproval'])).get('start-reapproval')?.lastRun).toBeUndefined();
  });

  it('the other jobs take no cursor', async () => {
    const { createHandler: weekly } = await import('../../../lambdas/weekly-summary/handler.js');
    const handler = weekly(() => {
      throw new Error('must not be built');
    });
    await expect(handler({ now: '2026-07-02T06:00:00Z', continuation: 1, cursor: { phase: 'DUE', done: 0 } })).rejects.toThrow(/^event\.cursor: weekly-summary takes no cursor$/);
  });
});
