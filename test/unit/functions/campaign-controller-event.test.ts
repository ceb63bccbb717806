// The events of every scheduled job (lambdas/shared/adapters/job-event.ts): EventBridge's scheduled
// event, a manual `{ "now": ... }` or `{}`, and refusals that name the field. The controller's
// handler runs at the instant the event asks for, and records each run as a heartbeat.
import { describe, expect, it } from 'vitest';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { createHandler } from '../../../lambdas/campaign-controller/handler.js';
import { requestedTime } from '../../../lambdas/shared/adapters/job-event.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { InMemoryApprovalStore } from '../../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { CONTROLLER_LEASE } from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { testEvidence } from '../../support/evidence.js';

const scheduled = (overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-07-01T06:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/IdGovStateless-CampaignControllerScheduleRule'],
  detail: {},
  ...overrides,
});

/** The ValidationError `requestedTime` throws for `event`, as `field: message` pairs. */
function refusal(event: unknown): { field: string; message: string }[] {
  try {
    requestedTime(event);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error(`accepted ${JSON.stringify(event)}`);
}

describe('requestedTime', () => {
  it("takes a scheduled event's time as the run's instant", () => {
    expect(requestedTime(scheduled())).toEqual(new Date('2026-07-01T06:00:00.000Z'));
  });

  it('takes a manual event\'s "now", an ISO date-time or date', () => {
    expect(requestedTime({ now: '2026-09-01T12:30:00+02:00' })).toEqual(new Date('2026-09-01T10:30:00.000Z'));
    expect(requestedTime({ now: '2026-09-01' })).toEqual(new Date('2026-09-01T00:00:00.000Z'));
  });

  it('reads {} as "the current time": no instant of its own', () => {
    expect(requestedTime({})).toBeUndefined();
  });

  it.each([
    [{ now: 'yesterday' }, 'event.now', /ISO 8601/],
    [{ now: 1_780_000_000_000 }, 'event.now', /string/],
    [{ now: null }, 'event.now', /string/],
    [{ foo: 1 }, 'event.foo', /unknown field/],
    [{ now: '2026-09-01', time: '2026-09-01' }, 'event.time', /unknown field/],
    [scheduled({ time: undefined }), 'event.time', /string/],
    [scheduled({ time: 'soon' }), 'event.time', /ISO 8601/],
    [scheduled({ 'detail-type': 'Object Created' }), 'event.detail-type', /Scheduled Event/],
    [{ 'detail-type': 'Scheduled Event', time: '2026-07-01T06:00:00Z' }, 'event.source', /aws\.events/],
  ])('refuses %j naming %s', (event, field, message) => {
    const issues = refusal(event);
    expect(issues.map((i) => i.field)).toContain(field);
    expect(issues.find((i) => i.field === field)!.message).toMatch(message);
  });

  it.each([[null], ['2026-07-01T06:00:00Z'], [[]], [42]])('refuses %j as not an event object', (event) => {
    expect(refusal(event)).toEqual([{ field: 'event', message: expect.stringMatching(/expected object/) }]);
  });
});

describe('the controller handler', () => {
  const wall = new Date('2030-01-02T03:04:05.000Z');

  function handlerOver(overrides: { campaigns?: InMemoryCampaignStore } = {}) {
    const stores = { campaigns: overrides.campaigns ?? new InMemoryCampaignStore(), operations: new InMemoryOperationsStore(), builds: 0 };
    const handler = createHandler(() => {
      stores.builds++;
      return {
        directory: new InMemoryDirectoryStore(),
        campaigns: stores.campaigns,
        approvals: new InMemoryApprovalStore(),
        outbox: new InMemoryOutbox(),
        audit: new InMemoryAuditLog(),
        operations: stores.operations,
        mailer: { send: async () => ({ messageId: 'm' }) },
        wallClock: { now: () => new Date(wall) },
        log: silentLog,
        settings: { portalUrl: 'https://idgov.example.com', leaseSeconds: 60 },
        evidence: testEvidence(),
      };
    });
    return { handler, stores };
  }

  it('runs at the scheduled time, the given now, or the wall clock for {}', async () => {
    const { handler, stores } = handlerOver();
    expect((await handler(scheduled())).now).toBe('2026-07-01T06:00:00.000Z');
    expect((await handler({ now: '2026-09-01T00:00:00Z' })).now).toBe('2026-09-01T00:00:00.000Z');
    expect(await handler({})).toMatchObject({ status: 'COMPLETED', now: wall.toISOString() });
    expect(stores.builds).toBe(1);
  });

  it("records each run as a run of 'campaign-controller' at its business time, the latest as the heartbeat", async () => {
    const { handler, stores } = handlerOver();
    await handler(scheduled());
    await handler({ now: '2026-07-01T07:00:00Z' });
    // Both started at the same (fixed) wall-clock instant: their order is the runs' ids'.
    const runs = await stores.operations.listRuns('campaign-controller', 10);
    expect(runs.map((r) => [r.scheduledFor, r.outcome]).sort()).toEqual([
      ['2026-07-01T06:00:00.000Z', 'SUCCEEDED'],
      ['2026-07-01T07:00:00.000Z', 'SUCCEEDED'],
    ]);
    expect(runs[0]).toMatchObject({ job: 'campaign-controller', startedAt: wall.toISOString(), endedAt: wall.toISOString() });
    const heartbeat = (await stores.operations.getHeartbeats(['campaign-controller'])).get('campaign-controller');
    expect(heartbeat?.lastCompleted).toMatchObject({ scheduledFor: '2026-07-01T07:00:00.000Z', outcome: 'SUCCEEDED' });
  });

  it('records a run that found the lease held by another run as SKIPPED: it completed, doing nothing', async () => {
    const campaigns = new InMemoryCampaignStore();
    expect(await campaigns.acquireLease(CONTROLLER_LEASE, 'other-run', wall, 900, { kind: 'lambda', requestId: 'r-other' })).toBe(true);
    const { handler, stores } = handlerOver({ campaigns });
    expect(await handler(scheduled())).toMatchObject({ status: 'SKIPPED', reason: expect.stringContaining('another controller run') });
    const heartbeat = (await stores.operations.getHeartbeats(['campaign-controller'])).get('campaign-controller');
    expect(heartbeat?.lastRun).toMatchObject({ scheduledFor: '2026-07-01T06:00:00.000Z', outcome: 'SKIPPED' });
    expect(heartbeat?.lastCompleted?.runId).toBe(heartbeat?.lastRun?.runId);
  });

  it('records a run that failed as FAILED with the error, and fails the invocation', async () => {
    const campaigns = new InMemoryCampaignStore();
    campaigns.acquireLease = async () => {
      throw new Error('DynamoDB unavailable (injected)');
    };
    const { handler, stores } = handlerOver({ campaigns });
    await expect(handler(scheduled())).rejects.toThrow('DynamoDB unavailable (injected)');
    const heartbeat = (await stores.operations.getHeartbeats(['campaign-controller'])).get('campaign-controller');
    expect(heartbeat?.lastRun).toMatchObject({ outcome: 'FAILED', error: expect.stringContaining('DynamoDB unavailable') });
    expect(heartbeat?.lastCompleted).toBeUndefined();
  });

  it('refuses a bad event before building or recording anything, naming the field', async () => {
    const fresh = createHandler(() => {
      throw new Error('must not be built');
    });
    await expect(fresh({ now: 'yesterday' })).rejects.toThrow(/^event\.now: must be an ISO 8601/);
  });
});
