// Dispatch on the in-memory outbox: what is sent, retried, failed for good, and what is no longer
// worth sending because its campaign was cancelled or failed before it went out, or its recipient
// is not (or not yet) an approver of the running entry (or approval run) it is about.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { DEFAULT_WORKFLOW, type ApprovalRun } from '../../../lambdas/shared/domain/approvals/model.js';
import { withEntryChange } from '../../../lambdas/shared/domain/entries.js';
import type { CampaignState, Entry, Notification, NotificationKind } from '../../../lambdas/shared/domain/model.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { MAX_SEND_ATTEMPTS, READ_CACHE_SIZE, dispatchNotifications, dispatchRecordedNotifications, type DispatchDeps } from '../../../lambdas/shared/use-cases/dispatch-notifications.js';
import { silentLog, type OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { CAMPAIGN_ID, aCampaign, anEntry, anItem, at } from '../../support/fixtures.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { CONTROLLER_ACTOR } from '../../../lambdas/shared/domain/audit/events.js';

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
  const audit = new InMemoryAuditLog();
  const deps: DispatchDeps = {
    outbox,
    campaigns,
    audit,
    actor: CONTROLLER_ACTOR,
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
  return { deps, outbox, campaigns, sent, audit, failNext: (n: number) => (failures = n) };
}

/** Each notice's end as the run's audit chain holds it: `<type> <kind>`, with the record's key. */
const endsRecorded = (audit: InMemoryAuditLog) =>
  (audit.chains.get(`run:${CAMPAIGN_ID}#1`) ?? []).map((r) => `${r.eventKey} ${r.events.map((e) => `${e.type} ${String(e.data.kind)}`).join(', ')}`);

const byKind = async (outbox: InMemoryOutbox) =>
  Object.fromEntries((await collect(outbox.listByCampaign(CAMPAIGN_ID))).map((n) => [n.kind, n]));

describe('dispatchNotifications', () => {
  it('sends what is pending once and marks it SENT with the message id', async () => {
    const { deps, outbox, sent, audit } = await setup('RUNNING', [aNotification('APPROVAL_START'), aNotification('CAMPAIGN_START')]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 2, failed: 0, retrying: 0, skipped: 0 });
    expect(endsRecorded(audit).sort()).toEqual([
      'sent:c-test#1|APPROVAL_START NOTIFICATION_SENT APPROVAL_START',
      'sent:c-test#1|CAMPAIGN_START NOTIFICATION_SENT CAMPAIGN_START',
    ]);
    expect(sent.map((m) => m.subject).sort()).toEqual(['about APPROVAL_START', 'about CAMPAIGN_START']);
    expect((await byKind(outbox)).APPROVAL_START).toMatchObject({ status: 'SENT', sentAt: NOW.toISOString(), attempts: 1 });
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    expect(sent).toHaveLength(2);
    expect(endsRecorded(audit)).toHaveLength(2);
  });

  it('holds the work notices of a run still preparing (whichever job dispatches), sends what already happened, and the rest once it runs', async () => {
    const { deps, outbox, campaigns, sent } = await setup('PREPARING', [aNotification('APPROVAL_START'), aNotification('NO_APPROVER'), aNotification('PREPARE_ERROR')]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: 1, failed: 0, retrying: 0, skipped: 0 });
    expect(sent.map((m) => m.subject)).toEqual(['about PREPARE_ERROR']);
    expect((await byKind(outbox)).APPROVAL_START).toMatchObject({ status: 'PENDING', attempts: 0 });
    // Once the campaign runs, what was held goes.
    const preparing = (await campaigns.getCampaign(CAMPAIGN_ID))!;
    await campaigns.saveCampaign({ ...preparing, state: 'RUNNING', phase: { name: 'DONE' }, version: preparing.version + 1 });
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 2, skipped: 0 });
    expect(sent.map((m) => m.subject).sort()).toEqual(['about APPROVAL_START', 'about NO_APPROVER', 'about PREPARE_ERROR']);
  });

  it(`retries a failed send on the next run, and gives up after ${MAX_SEND_ATTEMPTS} attempts`, async () => {
    const { deps, outbox, sent, failNext, audit } = await setup('RUNNING', [aNotification('APPROVAL_START')]);
    failNext(MAX_SEND_ATTEMPTS);
    for (let attempt = 1; attempt < MAX_SEND_ATTEMPTS; attempt++) {
      expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ retrying: 1, failed: 0 });
    }
    // A send that will be retried is not an end: nothing recorded yet.
    expect(endsRecorded(audit)).toEqual([]);
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ retrying: 0, failed: 1 });
    expect((await byKind(outbox)).APPROVAL_START).toMatchObject({ status: 'FAILED', attempts: MAX_SEND_ATTEMPTS, lastError: /Throttling/ });
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 0, failed: 0 });
    expect(sent).toEqual([]);
    expect(endsRecorded(audit)).toEqual(['failed:c-test#1|APPROVAL_START NOTIFICATION_FAILED APPROVAL_START']);
    expect(audit.events(`run:${CAMPAIGN_ID}#1`)[0]!.data).toMatchObject({ attempts: MAX_SEND_ATTEMPTS, error: expect.stringMatching(/Throttling/) });
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
    const { deps, outbox, sent, audit } = await setup(state, [...work, ...told].map((kind) => aNotification(kind)));
    expect(await dispatchNotifications(deps, 'runner', NOW)).toEqual({ sent: told.length, failed: 0, retrying: 0, skipped: work.length });
    expect(endsRecorded(audit).sort()).toEqual(
      [...work.map((k) => `skipped:c-test#1|${k} NOTIFICATION_SKIPPED ${k}`), ...told.map((k) => `sent:c-test#1|${k} NOTIFICATION_SENT ${k}`)].sort(),
    );
    for (const e of audit.events(`run:${CAMPAIGN_ID}#1`).filter((e) => e.type === 'NOTIFICATION_SKIPPED')) expect(e.data.reason).toBe(`campaign ${CAMPAIGN_ID} ${why}`);
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

  it(`reads each entry once for the notices about it, and keeps at most ${READ_CACHE_SIZE} entries read: past that it reads again`, async () => {
    const count = READ_CACHE_SIZE + 2;
    const ids = Array.from({ length: count }, (_, i) => `e-${String(i).padStart(5, '0')}`);
    const entries = ids.map((id) => anEntry({ id, subjectId: id, approverIds: ['u-manager'] }));
    // Two notices per entry, listed together.
    const notices = ids.flatMap((id) => (['APPROVAL_START', 'APPROVAL_REMIND'] as const).map((kind) => about(kind, 'u-manager', { key: `${id}|${kind}`, entryId: id })));
    const { deps, campaigns, sent } = await setup('RUNNING', notices, entries);
    const reads: string[] = [];
    const getEntry = campaigns.getEntry.bind(campaigns);
    deps.campaigns = Object.assign(Object.create(campaigns) as typeof campaigns, { getEntry: (id: string) => (reads.push(id), getEntry(id)) });
    expect(await dispatchNotifications(deps, 'runner', NOW)).toMatchObject({ sent: 2 * count, skipped: 0 });
    expect(sent).toHaveLength(2 * count);
    // Each entry read once for its two notices, but for a pair split where the bounded cache was emptied.
    expect(new Set(reads).size).toBe(count);
    expect(reads.length).toBeLessThanOrEqual(count + Math.ceil((2 * count) / READ_CACHE_SIZE));
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

describe('dispatchNotifications: notices of an approval run', () => {
  const RUN_ID = 'a-0123456789ab';
  const aRun = (overrides: Partial<ApprovalRun> = {}): ApprovalRun => ({
    id: RUN_ID,
    purpose: { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: '2026-07-01T00:00:00.000Z', intervalDays: 90 },
    userId: 'u-alice',
    privilegeId: 'p-fin',
    workflow: DEFAULT_WORKFLOW,
    stepIndex: 0,
    escalated: false,
    approverIds: ['u-owner'],
    stepStartedAt: '2026-07-01T00:00:00.000Z',
    dueDate: '2026-07-15T00:00:00.000Z',
    state: 'RUNNING',
    history: [],
    createdAt: '2026-07-01T00:00:00.000Z',
    updatedAt: '2026-07-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  });
  /** A notice of the run, as the engine records it: the run's id is its campaign and run. */
  const ofRun = (kind: NotificationKind, recipientId: string, overrides: Partial<Notification> = {}) =>
    aNotification(kind, {
      key: `${RUN_ID}|${kind}|${recipientId}`,
      campaignId: RUN_ID,
      runId: RUN_ID,
      approvalId: RUN_ID,
      recipientId,
      to: `${recipientId}@example.com`,
      ...overrides,
    });

  /** The dispatcher over runs kept in a map; counts reads, and fails any read of a campaign (a run's notice has none). */
  async function withRuns(notifications: Notification[], ...runs: ApprovalRun[]) {
    const stored = new Map(runs.map((r) => [r.id, r]));
    const reads: string[] = [];
    const s = await setup(undefined, notifications);
    const approvals = { getApproval: async (id: string) => (reads.push(id), stored.get(id)) };
    const campaigns = {
      getCampaign: async (id: string) => {
        throw new Error(`read campaign ${id}`);
      },
      getEntry: s.campaigns.getEntry.bind(s.campaigns),
    };
    const deps: DispatchDeps = { ...s.deps, campaigns, approvals };
    const statuses = async () =>
      Object.fromEntries((await collect(s.outbox.listByCampaign(RUN_ID))).map((n) => [n.key, [n.status, n.lastError]]));
    return { ...s, deps, reads, statuses, save: (run: ApprovalRun) => stored.set(run.id, run) };
  }

  it('sends the notices of a running run to its current approvers, reading the run once and no campaign', async () => {
    const r = await withRuns([ofRun('APPROVAL_START', 'u-owner'), ofRun('APPROVAL_REMIND', 'u-owner')], aRun());
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 2, failed: 0, retrying: 0, skipped: 0 });
    expect(r.sent.map((m) => m.to)).toEqual(['u-owner@example.com', 'u-owner@example.com']);
    expect(r.reads).toEqual([RUN_ID]);
  });

  const TIMEOUT_KEY = `${RUN_ID}|APPROVAL_TIMEOUT|0|u-owner`;
  const timedOut = { at: '2026-07-15T06:00:00.000Z', type: 'TIMED_OUT' as const, step: 0, approverIds: ['u-owner'] };

  it('skips Approval Start and Remind to someone no longer an approver (escalated), and sends the Approval Timeout the step recorded', async () => {
    const escalated = aRun({ escalated: true, approverIds: ['u-boss'], version: 2, history: [timedOut] });
    const r = await withRuns(
      [ofRun('APPROVAL_START', 'u-owner'), ofRun('APPROVAL_REMIND', 'u-owner'), ofRun('APPROVAL_TIMEOUT', 'u-owner', { key: TIMEOUT_KEY }), ofRun('APPROVAL_START', 'u-boss', { key: `${RUN_ID}|APPROVAL_START|0|1|u-boss` })],
      escalated,
    );
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 2, failed: 0, retrying: 0, skipped: 2 });
    expect(r.sent.map((m) => `${m.subject} to ${m.to}`).sort()).toEqual(['about APPROVAL_START to u-boss@example.com', 'about APPROVAL_TIMEOUT to u-owner@example.com']);
    const why = `u-owner is no longer an approver of approval run ${RUN_ID} (its approvers: u-boss)`;
    expect(await r.statuses()).toMatchObject({
      [`${RUN_ID}|APPROVAL_START|u-owner`]: ['SKIPPED', why],
      [`${RUN_ID}|APPROVAL_REMIND|u-owner`]: ['SKIPPED', why],
      [TIMEOUT_KEY]: ['SENT', undefined],
    });
  });

  it.each(['APPROVED', 'REJECTED'] as const)('once the run is %s, skips the requests to act and still tells of a timeout that happened', async (state) => {
    const r = await withRuns(
      [ofRun('APPROVAL_START', 'u-owner'), ofRun('APPROVAL_REMIND', 'u-owner'), ofRun('APPROVAL_TIMEOUT', 'u-owner', { key: TIMEOUT_KEY })],
      aRun({ state, version: 3, history: [timedOut] }),
    );
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 1, failed: 0, retrying: 0, skipped: 2 });
    expect(r.sent.map((m) => m.subject)).toEqual(['about APPROVAL_TIMEOUT']);
    const why = `approval run ${RUN_ID} is ${state}: it is not running`;
    expect(await r.statuses()).toMatchObject({
      [`${RUN_ID}|APPROVAL_START|u-owner`]: ['SKIPPED', why],
      [`${RUN_ID}|APPROVAL_REMIND|u-owner`]: ['SKIPPED', why],
    });
  });

  it('skips an Approval Timeout whose timeout lost its race to a decision (the saved run never timed out on the recipient)', async () => {
    // The job recorded the timeout (announcing version 2), then its save lost to the approver's decision (version 2).
    const decided = aRun({ state: 'APPROVED', version: 2, history: [{ at: '2026-07-14T23:00:00.000Z', type: 'DECIDED', step: 0, by: 'u-owner', outcome: 'APPROVE' }] });
    const escalatedBefore = { ...timedOut, approverIds: ['u-other'] };
    const r = await withRuns([ofRun('APPROVAL_TIMEOUT', 'u-owner', { key: TIMEOUT_KEY, entryVersion: 2 })], { ...decided, history: [escalatedBefore, ...decided.history] });
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 1 });
    expect((await r.statuses())[TIMEOUT_KEY]).toEqual(['SKIPPED', `step 1 of approval run ${RUN_ID} did not time out on u-owner (it was decided first)`]);
  });

  it('holds an Approval Timeout recorded before the run that times out is saved, then sends it', async () => {
    const r = await withRuns([ofRun('APPROVAL_TIMEOUT', 'u-owner', { key: TIMEOUT_KEY, entryVersion: 2 })], aRun());
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    r.save(aRun({ escalated: true, approverIds: ['u-boss'], version: 2, history: [timedOut] }));
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 0 });
  });

  it('holds an Assignment Reject until the run records its outcome applied; sends it only if the access was REMOVED', async () => {
    const rejected = aRun({ state: 'REJECTED', version: 3 });
    const r = await withRuns([ofRun('ASSIGNMENT_REJECT', 'u-alice')], rejected);
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    expect((await r.statuses())[`${RUN_ID}|ASSIGNMENT_REJECT|u-alice`]).toEqual(['PENDING', undefined]);
    r.save({ ...rejected, version: 4, applied: { action: 'REMOVED', at: NOW.toISOString() } });
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 0 });

    for (const action of ['NOT_MANUAL', 'GONE', 'KEPT'] as const) {
      const other = await withRuns([ofRun('ASSIGNMENT_REJECT', 'u-alice')], { ...rejected, version: 4, applied: { action, at: NOW.toISOString() } });
      expect(await dispatchNotifications(other.deps, 'runner', NOW), action).toMatchObject({ sent: 0, skipped: 1 });
      expect((await other.statuses())[`${RUN_ID}|ASSIGNMENT_REJECT|u-alice`]).toEqual(['SKIPPED', `approval run ${RUN_ID} applied its outcome as ${action}: the access was not removed`]);
    }
  });

  it('holds a request to act that announces a run version not saved yet, even to someone who is an approver now', async () => {
    // Step 2 opened (announcing version 2) by a decision not saved yet; u-owner approves step 1 too.
    const r = await withRuns([ofRun('APPROVAL_START', 'u-owner', { key: `${RUN_ID}|APPROVAL_START|1|0|u-owner`, entryVersion: 2 })], aRun());
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    r.save(aRun({ stepIndex: 1, version: 2 }));
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toMatchObject({ sent: 1 });
  });

  it('holds the notices of a run not written yet, sends them once it is, and skips them if it never is', async () => {
    const r = await withRuns([ofRun('APPROVAL_START', 'u-owner'), ofRun('ASSIGNMENT_REJECT', 'u-alice', { approvalId: 'a-neverwritten', key: 'a-neverwritten|ASSIGNMENT_REJECT' })]);
    expect(await dispatchNotifications(r.deps, 'runner', at('2026-07-01T23:00:00.000Z'))).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    expect(Object.values(await r.statuses()).map(([status]) => status)).toEqual(['PENDING', 'PENDING']);
    r.save(aRun());
    // A day after they were recorded (2026-07-01T00:00): the one whose run was never written goes no further.
    expect(await dispatchNotifications(r.deps, 'runner', at('2026-07-02T00:00:00.000Z'))).toEqual({ sent: 1, failed: 0, retrying: 0, skipped: 1 });
    expect(r.sent.map((m) => m.to)).toEqual(['u-owner@example.com']);
    expect((await r.statuses())['a-neverwritten|ASSIGNMENT_REJECT']).toEqual(['SKIPPED', 'approval run a-neverwritten was never created']);
  });

  it('holds an Approval Start announcing a run version not saved yet (an escalation recorded before the run), then sends it', async () => {
    const r = await withRuns([ofRun('APPROVAL_START', 'u-boss', { entryVersion: 2 })], aRun());
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: 0 });
    r.save(aRun({ escalated: true, approverIds: ['u-boss'], version: 2 }));
    expect(await dispatchNotifications(r.deps, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 0 });
    expect(r.sent.map((m) => m.to)).toEqual(['u-boss@example.com']);
  });

  it('sends the notices of runs unchecked when it is given no approval store (and reads no campaign for them)', async () => {
    const r = await withRuns([ofRun('APPROVAL_START', 'u-nobody')]);
    const { approvals: _none, ...unchecked } = r.deps;
    expect(await dispatchNotifications(unchecked, 'runner', NOW)).toMatchObject({ sent: 1, skipped: 0 });
  });
});

describe('dispatchRecordedNotifications', () => {
  const RUN_ID = 'a-0123456789ab';
  const run: ApprovalRun = {
    id: RUN_ID,
    purpose: { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: '2026-07-01T00:00:00.000Z', intervalDays: 90 },
    userId: 'u-alice',
    privilegeId: 'p-fin',
    workflow: DEFAULT_WORKFLOW,
    stepIndex: 0,
    escalated: false,
    approverIds: ['u-owner'],
    stepStartedAt: '2026-07-01T00:00:00.000Z',
    dueDate: '2026-07-15T00:00:00.000Z',
    state: 'RUNNING',
    history: [],
    createdAt: '2026-07-01T00:00:00.000Z',
    updatedAt: '2026-07-01T00:00:00.000Z',
    version: 1,
  };
  const ofRun = (recipientId: string, overrides: Partial<Notification> = {}) =>
    aNotification('APPROVAL_START', { key: `${RUN_ID}|APPROVAL_START|0|0|${recipientId}`, campaignId: RUN_ID, runId: RUN_ID, approvalId: RUN_ID, recipientId, to: `${recipientId}@example.com`, ...overrides });

  it('sends the notices it is given with the same checks, claim and mark, without listing the outbox; the rest is left to dispatchNotifications', async () => {
    const given = [ofRun('u-owner'), ofRun('u-gone'), ofRun('u-held', { entryVersion: 2 }), ofRun('u-nomail', { status: 'SKIPPED' })];
    const s = await setup(undefined, given);
    let listed = 0;
    const outbox = Object.assign(Object.create(s.outbox) as InMemoryOutbox, { listDispatchable: () => (listed++, s.outbox.listDispatchable(NOW)) });
    const deps: DispatchDeps = { ...s.deps, outbox, approvals: { getApproval: async () => run } };
    expect(await dispatchRecordedNotifications(deps, 'runner', given, NOW)).toEqual({ sent: 1, failed: 0, retrying: 0, skipped: 1 });
    expect(listed).toBe(0);
    expect(s.sent.map((m) => m.to)).toEqual(['u-owner@example.com']);
    const stored = Object.fromEntries((await collect(s.outbox.listByCampaign(RUN_ID))).map((n) => [n.recipientId, [n.status, n.attempts]]));
    expect(stored).toMatchObject({ 'u-owner': ['SENT', 1], 'u-gone': ['SKIPPED', 0], 'u-held': ['PENDING', 0], 'u-nomail': ['SKIPPED', 0] });
    // Given again (or a copy taken before someone else claimed it): the claim refuses, nothing is sent twice.
    expect(await dispatchRecordedNotifications(deps, 'runner-2', [ofRun('u-owner')], NOW)).toMatchObject({ sent: 0 });
    expect(s.sent).toHaveLength(1);
    // A record it did not write new (an earlier attempt's) is not its to send.
    expect(await dispatchRecordedNotifications(deps, 'runner', [ofRun('u-held', { attempts: 1 })], NOW)).toMatchObject({ sent: 0, skipped: 0 });
  });
});
