// Approval Remind is one mail per approver and reminder slot (docs/reference/notifications.md), through
// the real controller handler on a real engine: an approver with two reviews open gets one mail that
// counts them, an approver with one gets a mail naming it; a second run in the same slot sends
// nothing; the next slot sends one more each; a run killed after any write still reminds each
// approver exactly once for the slot, and spends every entry's slot, also when it is re-run after
// midnight in a slot that runs from noon to noon.
import { describe, expect, it } from 'vitest';
import { runChain } from '../../lambdas/shared/domain/audit/model.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { createHarness, KilledError, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-remind';
const RUN = `${CAMPAIGN}#1`;
/** The campaign is due 2026-07-15 and reminds from 3 days before, every 24 hours: its first reminder slot starts then. */
const FIRST_PERIOD = '2026-07-12T00:00:00.000Z';

/**
 * Every Finance user: m1 reviews u1 (3 items) and u2 (1 item), m2 reviews u4 (2 items); u6 has no
 * manager (No Approver). One of u1's items is decided before the reminders start.
 */
async function runningCampaign(overrides: Record<string, unknown> = {}): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  await h.load(smallOrg());
  await h.create(highRiskUserCampaign({ subjects: { filter: '(department=Finance)' }, ...overrides }), T0, CAMPAIGN);
  await h.run(day(0, 1));
  const u1 = (await h.campaigns.getEntryWithItems(entryOf(CAMPAIGN, 'u1')))!;
  await h.decide(u1.entry.id, 'm1', [{ itemId: u1.items[0]!.id, outcome: 'APPROVE' }], day(5));
  return h;
}

const remindMails = (h: Harness) => h.mailer.sent.filter((m) => m.subject.startsWith('Reminder:'));

async function remindNotices(h: Harness) {
  return (await collect(h.outbox.listByCampaign(CAMPAIGN))).filter((n) => n.kind === 'APPROVAL_REMIND');
}

describe('Approval Remind: one mail per approver and reminder slot', () => {
  it('counts an approver’s open reviews in one mail, names a single review, and sends nothing more in the same slot', async () => {
    const h = await runningCampaign();
    await h.run(day(10, 23));
    expect(remindMails(h), 'before the reminder window').toEqual([]);

    await h.run(day(11, 1));
    const mails = remindMails(h);
    expect(mails.map((m) => m.to).sort()).toEqual(['m1@example.com', 'm2@example.com']);
    const m1 = mails.find((m) => m.to === 'm1@example.com')!;
    expect(m1.body).toContain('Reviews still open: 2\n');
    expect(m1.body).toContain('Assignments still to decide: 3 of 4\n'); // u1: 2 of 3, u2: 1 of 1
    expect(m1.body).not.toContain('Under review:');
    expect(m1.body).toContain('https://idgov.example.com/tasks?approver=m1');
    const m2 = mails.find((m) => m.to === 'm2@example.com')!;
    expect(m2.body).toContain('Under review: Name u4\n');
    expect(m2.body).toContain(`https://idgov.example.com/entries/${entryOf(CAMPAIGN, 'u4')}`);

    const notices = await remindNotices(h);
    expect(notices.map((n) => n.key).sort()).toEqual([`${RUN}|APPROVAL_REMIND|${FIRST_PERIOD}|m1`, `${RUN}|APPROVAL_REMIND|${FIRST_PERIOD}|m2`]);
    // One audit record per approver's reminder, written before it was queued.
    const records = (await collect(h.audit.listRecords(runChain(RUN)))).filter((r) => r.eventKey.startsWith('remind:'));
    expect(records.map((r) => r.eventKey).sort()).toEqual([`remind:${RUN}:${FIRST_PERIOD}:m1`, `remind:${RUN}:${FIRST_PERIOD}:m2`]);
    expect(records.flatMap((r) => r.events.map((e) => e.type))).toEqual(['NOTIFICATION_QUEUED', 'NOTIFICATION_QUEUED']);
    for (const subject of ['u1', 'u2', 'u4']) expect((await h.campaigns.getEntry(entryOf(CAMPAIGN, subject)))!.lastReminderSlot, subject).toBeDefined();

    await h.run(day(11, 5));
    expect(remindMails(h), 'a second run in the same slot').toHaveLength(2);

    // The next slot: one more each; u2, decided meanwhile, is no longer counted.
    const u2 = (await h.campaigns.getEntryWithItems(entryOf(CAMPAIGN, 'u2')))!;
    await h.decide(u2.entry.id, 'm1', [{ itemId: u2.items[0]!.id, outcome: 'APPROVE' }], day(11, 12));
    await h.run(day(12, 1));
    const next = remindMails(h).slice(2);
    expect(next.map((m) => m.to).sort()).toEqual(['m1@example.com', 'm2@example.com']);
    expect(next.find((m) => m.to === 'm1@example.com')!.body).toContain('Under review: Name u1\n');
  }, 60_000);

  it('reminds each approver exactly once for the slot when the run is killed after any write', async () => {
    let completed = false;
    let kills = 0;
    for (let k = 1; !completed; k++) {
      expect(k, 'the run never completed').toBeLessThan(40);
      const h = await runningCampaign();
      h.kill.arm(k);
      try {
        await h.run(day(11, 1));
        completed = true;
      } catch (error) {
        if (!(error instanceof KilledError) && !(error instanceof AggregateError)) throw error;
        kills += 1;
      }
      h.kill.arm(undefined);
      h.wall.advance(16 * 60_000);
      await h.run(day(11, 2));
      const keys = (await remindNotices(h)).map((n) => n.key).sort();
      expect(keys, `kill after write ${k}`).toEqual([`${RUN}|APPROVAL_REMIND|${FIRST_PERIOD}|m1`, `${RUN}|APPROVAL_REMIND|${FIRST_PERIOD}|m2`]);
      expect(remindMails(h).map((m) => m.to).sort(), `kill after write ${k}`).toEqual(['m1@example.com', 'm2@example.com']);
      for (const subject of ['u1', 'u2', 'u4']) {
        expect((await h.campaigns.getEntry(entryOf(CAMPAIGN, subject)))!.lastReminderSlot, `kill after write ${k}: ${subject}`).toBeDefined();
      }
    }
    // Killed after each of the run's writes: the lease, the two reminders queued, the slots spent, the sends.
    expect(kills).toBeGreaterThanOrEqual(6);
  }, 180_000);

  it('keys a reminder by the entries’ slot, not the clock: a run killed before midnight and re-run after it, in the same slot, sends nothing twice', async () => {
    // Due at noon: the reminder slots run from noon to noon, across midnight.
    const slot = '2026-07-12T12:00:00.000Z';
    let completed = false;
    for (let k = 1; !completed; k++) {
      expect(k, 'the run never completed').toBeLessThan(40);
      const h = await runningCampaign({ dueDate: '2026-07-15T12:00:00.000Z' });
      h.kill.arm(k);
      try {
        await h.run(day(11, 23 + 50 / 60));
        completed = true;
      } catch (error) {
        if (!(error instanceof KilledError) && !(error instanceof AggregateError)) throw error;
      }
      h.kill.arm(undefined);
      h.wall.advance(16 * 60_000);
      await h.run(day(12, 10 / 60));
      expect((await remindNotices(h)).map((n) => n.key).sort(), `kill after write ${k}`).toEqual([`${RUN}|APPROVAL_REMIND|${slot}|m1`, `${RUN}|APPROVAL_REMIND|${slot}|m2`]);
      expect(remindMails(h), `kill after write ${k}`).toHaveLength(2);
    }
  }, 180_000);
});
