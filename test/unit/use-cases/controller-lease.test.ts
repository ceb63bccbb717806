// The controller's lease on the in-memory stores: a lease left by a run whose holder is gone is
// taken over at once (and its send claims released); one held by a live run, another machine's run
// or a Lambda invocation is respected until it expires, unless the operator forces it.
import { describe, expect, it } from 'vitest';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryApprovalStore } from '../../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import type { Notification } from '../../../lambdas/shared/domain/model.js';
import {
  CONTROLLER_LEASE,
  describeLease,
  runCampaignController,
  type ControllerDeps,
} from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import type { LeaseHolder, Log, OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { CAMPAIGN_ID, aCampaign } from '../../support/fixtures.js';
import { testEvidence } from '../../support/evidence.js';

const WALL = new Date('2030-01-01T00:00:00.000Z');
const LEASE_SECONDS = 300;
const dead: LeaseHolder = { kind: 'local', pid: 4242, hostname: 'laptop', startedAt: '2029-12-31T23:59:00.000Z' };
const alive: LeaseHolder = { kind: 'local', pid: 4343, hostname: 'laptop', startedAt: '2029-12-31T23:59:30.000Z' };
const me: LeaseHolder = { kind: 'local', pid: 5000, hostname: 'laptop', startedAt: '2030-01-01T00:00:00.000Z' };

function aNotification(key: string): Notification {
  return {
    key,
    kind: 'CAMPAIGN_START',
    campaignId: CAMPAIGN_ID,
    runId: `${CAMPAIGN_ID}#1`,
    recipientId: 'u-owner',
    to: 'owner@example.com',
    subject: `about ${key}`,
    body: 'body',
    status: 'PENDING',
    createdAt: '2026-07-01T00:00:00.000Z',
    attempts: 0,
  };
}

async function setup(options: { gone?: (holder: LeaseHolder) => boolean; takeOverLease?: boolean } = {}) {
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  // A running campaign with nothing due: the run only dispatches.
  await campaigns.createCampaign(aCampaign({ state: 'RUNNING', dueDate: '2026-07-15T00:00:00.000Z' }));
  const sent: OutgoingMail[] = [];
  const warnings: { message: string; extra: Record<string, unknown> }[] = [];
  const log: Log = { info: () => {}, error: () => {}, warn: (message, ...extra) => warnings.push({ message, extra: Object.assign({}, ...extra) }) };
  const deps: ControllerDeps = {
    directory: new InMemoryDirectoryStore(),
    campaigns,
    approvals: new InMemoryApprovalStore(),
    outbox,
    audit: new InMemoryAuditLog(),
    mailer: { send: async (mail) => (sent.push(mail), { messageId: `m-${sent.length}` }) },
    clock: { now: () => new Date('2026-07-02T00:00:00.000Z') },
    wallClock: { now: () => WALL },
    log,
    settings: { portalUrl: 'https://idgov.example.com', leaseSeconds: LEASE_SECONDS, takeOverLease: options.takeOverLease },
    leaseHolder: me,
    evidence: testEvidence(),
    ...(options.gone ? { isLeaseHolderGone: options.gone } : {}),
  };
  return { deps, campaigns, outbox, sent, warnings };
}

/** What a run killed in its dispatch leaves: its lease, and a send it claimed and never finished. */
async function leftByKilledRun(s: Awaited<ReturnType<typeof setup>>, holder: LeaseHolder | undefined, acquiredAt = new Date(WALL.getTime() - 60_000)) {
  expect(await s.campaigns.acquireLease(CONTROLLER_LEASE, 'run-killed', acquiredAt, LEASE_SECONDS, holder)).toBe(true);
  const [claimed, pending] = [aNotification('K1'), aNotification('K2')];
  await s.outbox.enqueue([claimed, pending]);
  expect(await s.outbox.claim(claimed, 'run-killed', acquiredAt, 300)).toBe(true);
}

describe('a controller run that finds the lease held', () => {
  it('takes it over at once when its holder is gone, and sends what that run had claimed', async () => {
    const s = await setup({ gone: (holder) => holder.kind === 'local' && holder.pid === dead.pid });
    await leftByKilledRun(s, dead);

    const report = await runCampaignController(s.deps);

    expect(report.status).toBe('COMPLETED');
    expect(report.leaseTakenOver).toEqual({
      holder: dead,
      acquiredAt: '2029-12-31T23:59:00.000Z',
      expiresAt: '2030-01-01T00:04:00.000Z',
      reason: 'HOLDER_GONE',
      releasedSendClaims: 1,
    });
    // Both sent now, not once the claim expires.
    expect(report.dispatch).toMatchObject({ sent: 2 });
    expect(s.sent.map((m) => m.subject).sort()).toEqual(['about K1', 'about K2']);
    expect(s.warnings).toEqual([
      expect.objectContaining({ message: 'took over the lease of a controller run that is gone', extra: expect.objectContaining({ previous: expect.stringContaining('pid 4242@laptop') }) }),
    ]);
    // Released at the end like any lease of its own.
    expect(await s.campaigns.getLease(CONTROLLER_LEASE)).toBeUndefined();
  });

  it('respects a live holder and says who holds it since when', async () => {
    const s = await setup({ gone: () => false });
    await leftByKilledRun(s, alive);

    const report = await runCampaignController(s.deps);

    expect(report).toMatchObject({
      status: 'SKIPPED',
      reason: 'another controller run holds the lease: pid 4343@laptop since 2029-12-31T23:59:00.000Z, until 2030-01-01T00:04:00.000Z',
    });
    expect(report.leaseTakenOver).toBeUndefined();
    expect(s.sent).toEqual([]);
    expect(await s.campaigns.getLease(CONTROLLER_LEASE)).toMatchObject({ owner: 'run-killed', holder: alive });
    const [claimed] = await collect(s.outbox.listByCampaign(CAMPAIGN_ID));
    expect(claimed).toMatchObject({ key: 'K1', status: 'SENDING', claimedBy: 'run-killed' });
  });

  it('without a way to tell (on AWS), waits for the expiry, then takes the lease as a free one', async () => {
    const s = await setup();
    const invocation: LeaseHolder = { kind: 'lambda', requestId: 'req-1', logStream: '2030/01/01/[$LATEST]abc' };
    await leftByKilledRun(s, invocation);

    const skipped = await runCampaignController(s.deps);
    expect(skipped.reason).toBe(
      'another controller run holds the lease: a Lambda invocation (request req-1, log stream 2030/01/01/[$LATEST]abc) since 2029-12-31T23:59:00.000Z, until 2030-01-01T00:04:00.000Z',
    );

    s.deps.wallClock = { now: () => new Date(WALL.getTime() + 5 * 60_000) };
    const later = await runCampaignController(s.deps);
    expect(later.status).toBe('COMPLETED');
    expect(later.leaseTakenOver).toBeUndefined();
  });

  it('takes it by force when told to, whoever holds it, and says so', async () => {
    const s = await setup({ gone: () => false, takeOverLease: true });
    await leftByKilledRun(s, alive);

    const report = await runCampaignController(s.deps);

    expect(report.status).toBe('COMPLETED');
    expect(report.leaseTakenOver).toMatchObject({ holder: alive, reason: 'FORCED', releasedSendClaims: 1 });
    expect(s.warnings.map((w) => w.message)).toEqual(['took over the lease by force']);
  });

  it('records its own holder while it works', async () => {
    const s = await setup();
    let seen: unknown;
    s.deps.mailer = { send: async () => ((seen = await s.campaigns.getLease(CONTROLLER_LEASE)), { messageId: 'm-1' }) };
    await s.outbox.enqueue([aNotification('K1')]);
    await runCampaignController(s.deps);
    expect(seen).toMatchObject({ name: CONTROLLER_LEASE, holder: me, acquiredAt: WALL.toISOString(), expiresAt: '2030-01-01T00:05:00.000Z' });
  });

  it('of two runs taking over the same lease, only one wins', async () => {
    const s = await setup({ gone: (holder) => holder.kind === 'local' && holder.pid === dead.pid });
    await leftByKilledRun(s, dead);
    const other = { ...s.deps, leaseHolder: { ...me, pid: 5001 } };

    const reports = await Promise.all([runCampaignController(s.deps), runCampaignController(other)]);

    expect(reports.map((r) => r.status).sort()).toEqual(['COMPLETED', 'SKIPPED']);
    const skipped = reports.find((r) => r.status === 'SKIPPED')!;
    expect(skipped.reason).toMatch(/^another controller run (took over the lease of pid 4242@laptop .* first|holds the lease: pid 500[01]@laptop)/);
    expect(s.sent.map((m) => m.subject).sort()).toEqual(['about K1', 'about K2']);
  });
});

describe('describeLease', () => {
  it('names a lease written before holders were recorded', () => {
    expect(describeLease({ expiresAt: '2030-01-01T00:04:00.000Z' })).toBe('a run that did not record its holder, until 2030-01-01T00:04:00.000Z');
  });
});
