// Dispatch on the in-memory outbox: what is sent, retried, failed for good, and what is no longer
// worth sending because its campaign was cancelled or failed before it went out, or its recipient
// is not (or not yet) an approver of the running entry it is about.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { withEntryChange } from '../../../lambdas/shared/domain/entries.js';
import type { CampaignState, Entry, Notification, NotificationKind } from '../../../lambdas/shared/domain/model.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { MAX_SEND_ATTEMPTS, dispatchNotifications, type DispatchDeps } from '../../../lambdas/shared/use-cases/dispatch-notifications.js';
import { silentLog, type OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { CAMPAIGN_ID, aCampaign, anEntry, anItem, at } from '../../support/fixtures.js';

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

async function setup(state: CampaignState | undefined, notifications: Notification[], entries: Entry[] = []) {
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  if (state) await campaigns.createCampaign(aCampaign({ state, ...(state === 'RUNNING' ? { phase: { name: 'DONE' } } : {}) }));
  if (entries.length > 0) await campaigns.putEntriesWithItems(entries.map((entry) => ({ entry, items: [anItem({ entryId: entry.id })] })));
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
  return { deps, outbox, campaigns, sent, failNext: (n: number) => (failures = n) };
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

describe('dispatchNotifications: notices about an entry', () => {
  /** An Approval Start or Reminder to `recipientId` about entry e-1. */
  const about = (kind: NotificationKind, recipientId: string, overrides: Partial<Notification> = {}) =>
    aNotification(kind, { key: `e-1|${kind}|${recipientId}`, entryId: 'e-1', recipientId, to: `${recipientId}@example.com`, ...overrides });
  const statuses = async (outbox: InMemoryOutbox) =>
    Object.fromEntries((await collect(outbox.listByCampaign(CAMPAIGN_ID))).map((n) => [n.key, [n.status, n.lastError]]));

  it('skips those whose recipient is no longer an approver of the entry, saying why, and sends the others', async () => {
    const reassigned = anEntry({ approverIds: ['u-deputy'], version: 2 });
    const { deps, outbox, sent } = await setup(
      'RUNNING',
      [about('APPROVAL_START', 'u-manager'), about('APPROVAL_REMIND', 'u-manager'), about('APPROVAL_START', 'u-deputy'), about('APPROVAL_TIMEOUT', 'u-manager')],
      [reassigned],
    );
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 2, failed: 0, retrying: 0, skipped: 2 });
    expect(sent.map((m) => m.to).sort()).toEqual(['u-deputy@example.com', 'u-manager@example.com']); // the timeout is about what happened
    const why = 'u-manager is no longer an approver of entry e-1 (its approvers: u-deputy)';
    expect(await statuses(outbox)).toMatchObject({
      'e-1|APPROVAL_START|u-manager': ['SKIPPED', why],
      'e-1|APPROVAL_REMIND|u-manager': ['SKIPPED', why],
      'e-1|APPROVAL_START|u-deputy': ['SENT', undefined],
      'e-1|APPROVAL_TIMEOUT|u-manager': ['SENT', undefined],
    });
  });

  it.each(['FAILED.PREPARE', 'APPROVAL.FINISHED', 'FAILED.EXPIRED'] as const)('skips them once the entry is %s', async (state) => {
    const { deps, outbox, sent } = await setup('RUNNING', [about('APPROVAL_START', 'u-manager'), about('APPROVAL_REMIND', 'u-manager')], [anEntry({ state, version: 3 })]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 0, skipped: 2 });
    expect(sent).toEqual([]);
    expect(Object.values(await statuses(outbox))).toEqual([
      ['SKIPPED', `entry e-1 is ${state}: it is not running`],
      ['SKIPPED', `entry e-1 is ${state}: it is not running`],
    ]);
  });

  it('holds one announcing an entry change not saved yet (a crash in between), and sends it once the entry has it', async () => {
    // A rescue recorded its Approval Start (announcing version 2), then stopped before saving the entry.
    const failed = anEntry({ state: 'FAILED.PREPARE', approverIds: [], version: 1 });
    const { deps, outbox, campaigns, sent } = await setup('RUNNING', [about('APPROVAL_START', 'u-deputy', { entryVersion: 2 })], [failed]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    expect(await statuses(outbox)).toEqual({ 'e-1|APPROVAL_START|u-deputy': ['PENDING', undefined] });
    // The rescue run again saves the entry: the notice goes out.
    await campaigns.saveEntry(withEntryChange(failed, NOW, { state: 'RUNNING', approverIds: ['u-deputy'] }));
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 0 });
    expect(sent.map((m) => m.to)).toEqual(['u-deputy@example.com']);
  });

  it('skips one announcing a change the entry went past without it: someone else was named', async () => {
    const failed = anEntry({ state: 'FAILED.PREPARE', approverIds: [], version: 1 });
    const { deps, outbox, campaigns, sent } = await setup(
      'RUNNING',
      [about('APPROVAL_START', 'u-deputy', { entryVersion: 2 }), about('APPROVAL_START', 'u-other', { entryVersion: 2 })],
      [failed],
    );
    await campaigns.saveEntry(withEntryChange(failed, NOW, { state: 'RUNNING', approverIds: ['u-other'] }));
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 1 });
    expect(sent.map((m) => m.to)).toEqual(['u-other@example.com']);
    expect((await statuses(outbox))['e-1|APPROVAL_START|u-deputy']).toEqual(['SKIPPED', 'u-deputy is no longer an approver of entry e-1 (its approvers: u-other)']);
  });

  it('skips one announcing a change never saved, once the run it belongs to is over', async () => {
    const { deps, outbox, sent } = await setup('SUCCEEDED', [about('APPROVAL_START', 'u-deputy', { entryVersion: 2 })], [anEntry({ state: 'FAILED.PREPARE', approverIds: [] })]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 0, skipped: 1 });
    expect(sent).toEqual([]);
    expect(Object.values(await statuses(outbox))).toEqual([['SKIPPED', 'the change to entry e-1 it announced (version 2) was never saved']]);
  });

  it('sends as before one about an entry it cannot find (the dispatcher reads entries by key, and only for these kinds)', async () => {
    const { deps, sent } = await setup('RUNNING', [about('APPROVAL_START', 'u-manager')]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 0 });
    expect(sent).toHaveLength(1);
  });
});
