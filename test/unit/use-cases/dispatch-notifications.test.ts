// Dispatch on the in-memory outbox: what is sent, retried, failed for good, and what is no longer
// worth sending because its campaign was cancelled or failed before it went out.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import type { CampaignState, Notification, NotificationKind } from '../../../lambdas/shared/domain/model.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { MAX_SEND_ATTEMPTS, dispatchNotifications, type DispatchDeps } from '../../../lambdas/shared/use-cases/dispatch-notifications.js';
import { silentLog, type OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { CAMPAIGN_ID, aCampaign, at } from '../../support/fixtures.js';

const NOW = at('2026-07-02T00:00:00.000Z');

function aNotification(kind: NotificationKind, overrides: Partial<Notification> = {}): Notification {
  return {
    key: `c-test#1|${kind}`,
    kind,
    campaignId: CAMPAIGN_ID,
    runId: `${CAMPAIGN_ID}#1`,
    recipientId: 'u-owner',
    to: 'owner@example.com',
    subject: `about ${kind}`,
    body: 'body',
    status: 'PENDING',
    createdAt: '2026-07-01T00:00:00.000Z',
    attempts: 0,
    ...overrides,
  };
}

async function setup(state: CampaignState | undefined, notifications: Notification[]) {
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  if (state) await campaigns.createCampaign(aCampaign({ state }));
  await outbox.enqueue(notifications);
  const sent: OutgoingMail[] = [];
  let failures = 0;
  const deps: DispatchDeps = {
    outbox,
    campaigns,
    log: silentLog,
    wallClock: { now: () => NOW },
    mailer: {
      send: async (mail) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('Throttling: maximum sending rate exceeded');
        }
        sent.push(mail);
        return { messageId: `m-${sent.length}` };
      },
    },
  };
  return { deps, outbox, sent, failNext: (n: number) => (failures = n) };
}

const byKind = async (outbox: InMemoryOutbox) =>
  Object.fromEntries((await collect(outbox.listByCampaign(CAMPAIGN_ID))).map((n) => [n.kind, n]));

describe('dispatchNotifications', () => {
  it('sends what is pending once and marks it SENT with the message id', async () => {
    const { deps, outbox, sent } = await setup('RUNNING', [aNotification('APPROVAL_START'), aNotification('CAMPAIGN_START')]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 2, failed: 0, retrying: 0, skipped: 0 });
    expect(sent.map((m) => m.subject).sort()).toEqual(['about APPROVAL_START', 'about CAMPAIGN_START']);
    expect((await byKind(outbox)).APPROVAL_START).toMatchObject({ status: 'SENT', sentAt: NOW.toISOString(), attempts: 1 });
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    expect(sent).toHaveLength(2);
  });

  it(`retries a failed send on the next run, and gives up after ${MAX_SEND_ATTEMPTS} attempts`, async () => {
    const { deps, outbox, sent, failNext } = await setup('RUNNING', [aNotification('APPROVAL_START')]);
    failNext(MAX_SEND_ATTEMPTS);
    for (let attempt = 1; attempt < MAX_SEND_ATTEMPTS; attempt++) {
      expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ retrying: 1, failed: 0 });
    }
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ retrying: 0, failed: 1 });
    expect((await byKind(outbox)).APPROVAL_START).toMatchObject({ status: 'FAILED', attempts: MAX_SEND_ATTEMPTS, lastError: /Throttling/ });
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 0, failed: 0 });
    expect(sent).toEqual([]);
  });

  it('gives up on a notification whose every attempt died in the send, instead of trying forever', async () => {
    const expiredClaim = { status: 'SENDING' as const, claimedBy: 'dead-run', claimExpiresAt: '2026-07-01T12:00:00.000Z' };
    const { deps, outbox, sent } = await setup('RUNNING', [
      aNotification('APPROVAL_START', { ...expiredClaim, attempts: MAX_SEND_ATTEMPTS }),
      aNotification('CAMPAIGN_START', { ...expiredClaim, attempts: MAX_SEND_ATTEMPTS - 1 }),
    ]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 1, failed: 1, retrying: 0, skipped: 0 });
    expect(sent.map((m) => m.subject)).toEqual(['about CAMPAIGN_START']);
    const stored = await byKind(outbox);
    expect(stored.APPROVAL_START).toMatchObject({ status: 'FAILED', lastError: `gave up after ${MAX_SEND_ATTEMPTS} attempts whose runs stopped before the send finished` });
    expect(stored.CAMPAIGN_START).toMatchObject({ status: 'SENT', attempts: MAX_SEND_ATTEMPTS });
  });

  it.each([
    ['DELETED', 'was deleted before this was sent'],
    ['FAILED.PREPARED', 'failed preparation before this was sent'],
    [undefined, 'was deleted before this was sent'],
  ] as const)('of a campaign that is %s: skips the work notices, saying why, and still tells what already happened', async (state, why) => {
    const work: NotificationKind[] = ['APPROVAL_START', 'APPROVAL_REMIND', 'APPROVAL_TIMEOUT', 'NO_APPROVER', 'CAMPAIGN_START'];
    const told: NotificationKind[] = ['ASSIGNMENT_REJECT', 'CAMPAIGN_END', 'PREPARE_ERROR'];
    const { deps, outbox, sent } = await setup(state, [...work, ...told].map((kind) => aNotification(kind)));
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: told.length, failed: 0, retrying: 0, skipped: work.length });
    expect(sent.map((m) => m.subject).sort()).toEqual(told.map((k) => `about ${k}`).sort());
    const stored = await byKind(outbox);
    for (const kind of work) expect(stored[kind]).toMatchObject({ status: 'SKIPPED', lastError: `campaign ${CAMPAIGN_ID} ${why}` });
  });
});
