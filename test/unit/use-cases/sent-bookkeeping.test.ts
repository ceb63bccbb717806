// Once SES took a notice, the dispatcher's own writes (the audit record of the send, the SENT mark)
// are retried when they fail for a moment: undone, the claim would expire and the next run would
// send the notice a second time. Found by the fault suite (test/faults): a table throttled past the
// SDK's retries right after a send made a mail go out twice.
import { describe, expect, it } from 'vitest';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { CONTROLLER_ACTOR } from '../../../lambdas/shared/domain/audit/events.js';
import { ConflictError } from '../../../lambdas/shared/domain/errors.js';
import type { Notification } from '../../../lambdas/shared/domain/model.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { dispatchNotifications, type DispatchDeps } from '../../../lambdas/shared/use-cases/dispatch-notifications.js';
import { silentLog, type OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { retryPassingFailures } from '../../../lambdas/shared/use-cases/retry.js';
import { failFromCall, failOnCall } from '../../support/fault-injection.js';
import { CAMPAIGN_ID, aCampaign, at } from '../../support/fixtures.js';

const NOW = at('2026-07-02T00:00:00.000Z');

const notice = (recipient: string): Notification => ({
  key: `c-test#1|CAMPAIGN_END|${recipient}`,
  kind: 'CAMPAIGN_END',
  campaignId: CAMPAIGN_ID,
  runId: `${CAMPAIGN_ID}#1`,
  recipientId: recipient,
  to: `${recipient}@example.com`,
  subject: `campaign ended (${recipient})`,
  body: 'body',
  status: 'PENDING',
  createdAt: '2026-07-01T00:00:00.000Z',
  attempts: 0,
});

async function setup() {
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  await campaigns.createCampaign(aCampaign({ state: 'SUCCEEDED', phase: { name: 'DONE' } }));
  await outbox.enqueue([notice('u-a'), notice('u-b')]);
  const sent: OutgoingMail[] = [];
  const audit = new InMemoryAuditLog();
  let wall = NOW.getTime();
  const deps: DispatchDeps = {
    outbox,
    campaigns,
    audit,
    actor: CONTROLLER_ACTOR,
    log: silentLog,
    wallClock: { now: () => new Date(wall) },
    mailer: { send: async (mail) => (sent.push(mail), { messageId: `m-${sent.length}` }) },
    retry: { sleep: async () => {} },
  };
  const statuses = async () => (await collect(outbox.listByCampaign(CAMPAIGN_ID))).map((n) => `${n.recipientId} ${n.status}`).sort();
  return { deps, outbox, audit, sent, statuses, later: () => void (wall += 10 * 60_000) };
}

describe('the writes after a send', () => {
  it('a SENT mark that fails once is tried again: each notice sent once, marked, recorded', async () => {
    const { deps, outbox, audit, sent, statuses, later } = await setup();
    const hiccup = failOnCall(outbox, 'markSent', 1);
    expect(await dispatchNotifications(deps, 'run-1', NOW)).toMatchObject({ sent: 2, retrying: 0 });
    hiccup.restore();
    expect(hiccup.calls()).toBe(3);
    expect(await statuses()).toEqual(['u-a SENT', 'u-b SENT']);
    later();
    expect(await dispatchNotifications(deps, 'run-2', NOW)).toMatchObject({ sent: 0 });
    expect(sent.map((m) => m.to).sort()).toEqual(['u-a@example.com', 'u-b@example.com']);
    expect(audit.chains.get(`run:${CAMPAIGN_ID}#1`)!.map((r) => r.events[0]!.type)).toEqual(['NOTIFICATION_SENT', 'NOTIFICATION_SENT']);
  });

  it('an audit record of the send that fails once is tried again: sent once, recorded once', async () => {
    const { deps, audit, sent, statuses } = await setup();
    const hiccup = failOnCall(audit, 'append', 2);
    expect(await dispatchNotifications(deps, 'run-1', NOW)).toMatchObject({ sent: 2 });
    hiccup.restore();
    expect(await statuses()).toEqual(['u-a SENT', 'u-b SENT']);
    expect(sent).toHaveLength(2);
    expect(audit.chains.get(`run:${CAMPAIGN_ID}#1`)).toHaveLength(2);
  });

  it('a mark that keeps failing (a process killed after the send) fails the run: the notice waits for its claim to expire', async () => {
    const { deps, outbox, statuses } = await setup();
    const kill = failFromCall(outbox, 'markSent', 1);
    await expect(dispatchNotifications(deps, 'run-1', NOW)).rejects.toThrow(/killed at call \d+ of markSent/);
    kill.restore();
    expect(await statuses()).toContain('u-a SENDING');
  });
});

describe('retryPassingFailures', () => {
  it('tries up to sixteen times, waiting longer each time when asked to wait', async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(retryPassingFailures(failing, { sleep: async (ms) => void waits.push(ms), baseDelayMs: 100 })).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(calls).toBe(16);
    expect(waits).toHaveLength(15);
    waits.forEach((ms, i) => expect(ms).toBeLessThan(100 * 2 ** i));
  });

  it('rethrows an answer (a DomainError such as a conflict) at once', async () => {
    let calls = 0;
    const conflicting = async () => {
      calls += 1;
      throw new ConflictError('someone else took it');
    };
    await expect(retryPassingFailures(conflicting, { sleep: async () => {} })).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toBe(1);
  });
});
