// Delivery of a stored report: each target (the topic, each recipient's mail) claimed before it is
// sent and marked SENT after, so that overlapping runs send it once; a claim left by a run that died
// is taken over after CLAIM_MINUTES, which re-sends what that run sent but did not mark.
import { describe, expect, it } from 'vitest';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { ConflictError } from '../../../lambdas/shared/domain/errors.js';
import type { DailyReport } from '../../../lambdas/shared/domain/operations.js';
import { silentLog, type OutgoingMail } from '../../../lambdas/shared/use-cases/ports.js';
import { CLAIM_MINUTES, deliverReport, type DeliveryDeps } from '../../../lambdas/shared/use-cases/report-delivery.js';
import { InjectedKill, failOnCall } from '../../support/fault-injection.js';

const DATE = '2026-12-01';
const RENDERED = { subject: 'idgov daily operations 2026-12-01', text: 'text', html: '<!DOCTYPE html>' };
const RECIPIENTS = ['ops@example.com', 'Security@example.com'];

async function setup() {
  const operations = new InMemoryOperationsStore();
  await operations.putReport('daily', { date: DATE } as DailyReport);
  let wall = Date.parse('2026-12-01T08:00:00.000Z');
  const published: string[] = [];
  const mails: OutgoingMail[] = [];
  let gate: Promise<void> | undefined;
  const deps: DeliveryDeps = {
    operations,
    publisher: {
      publish: async (m) => {
        published.push(m.subject);
        await gate;
        return { messageId: `sns-${published.length}` };
      },
    },
    mailer: { send: async (m) => (mails.push(m), { messageId: `ses-${mails.length}` }) },
    clock: { now: () => new Date('2026-12-01T08:00:00.000Z') },
    wallClock: { now: () => new Date(wall) },
    log: silentLog,
    retry: { sleep: async () => {} },
  };
  return {
    deps,
    operations,
    published,
    mails,
    advance: (minutes: number) => void (wall += minutes * 60_000),
    hold: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const deliver = (deps: DeliveryDeps) => deliverReport(deps, 'daily', DATE, RENDERED, RECIPIENTS, { healthStatus: 'HEALTHY' });

describe('deliverReport', () => {
  it('sends each target once and marks it SENT with its message id', async () => {
    const { deps, operations, published, mails } = await setup();
    expect(await deliver(deps)).toEqual(['topic', 'mail']);
    expect(published).toHaveLength(1);
    expect(mails.map((m) => m.to)).toEqual(RECIPIENTS);
    const deliveries = (await operations.getReport('daily', DATE))!.deliveries;
    expect(Object.entries(deliveries).map(([target, d]) => `${target} ${d!.status} ${d!.status === 'SENT' ? d!.messageId : ''}`)).toEqual([
      'topic SENT sns-1',
      'mail:ops@example.com SENT ses-1',
      'mail:security@example.com SENT ses-2',
    ]);
    expect(await deliver(deps)).toEqual([]);
    expect(published).toHaveLength(1);
    expect(mails).toHaveLength(2);
  });

  it('two overlapping runs send each target once; the one that found a target claimed fails, naming it', async () => {
    const { deps, operations, published, mails, hold } = await setup();
    const release = hold();
    const first = deliver(deps);
    // The first run is publishing (its claim of the topic is fresh) when the second starts.
    await expect.poll(() => published.length).toBe(1);
    const second = await deliver(deps).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ConflictError);
    expect((second as Error).message).toContain('being delivered by another run to topic');
    release();
    // The second run mailed both recipients; the first finds them sent and leaves them.
    expect(await first).toEqual(['topic']);
    expect(published).toHaveLength(1);
    expect(mails.map((m) => m.to)).toEqual(RECIPIENTS);
    expect(Object.values((await operations.getReport('daily', DATE))!.deliveries).map((d) => d!.status)).toEqual(['SENT', 'SENT', 'SENT']);
  });

  it(`a run killed between a send and its mark: the target stays claimed ${CLAIM_MINUTES} minutes, then is taken over and sent again`, async () => {
    const { deps, operations, published, advance } = await setup();
    // The topic's mark never lands (the run's own retries of it fail too); the mail's do.
    const recordDelivery = operations.recordDelivery.bind(operations);
    operations.recordDelivery = async (kind, date, target, delivery) => {
      if (target === 'topic') throw new InjectedKill('recordDelivery', 1);
      return recordDelivery(kind, date, target, delivery);
    };
    await expect(deliver(deps)).rejects.toThrow('killed at call 1 of recordDelivery');
    operations.recordDelivery = recordDelivery;
    expect(published).toHaveLength(1);
    expect((await operations.getReport('daily', DATE))!.deliveries.topic).toMatchObject({ status: 'SENDING' });

    advance(CLAIM_MINUTES - 1);
    await expect(deliver(deps)).rejects.toBeInstanceOf(ConflictError);
    expect(published).toHaveLength(1);

    advance(2);
    expect(await deliver(deps)).toEqual(['topic']);
    // The documented exception to "once": sent, not marked, then sent again.
    expect(published).toHaveLength(2);
    expect((await operations.getReport('daily', DATE))!.deliveries.topic).toMatchObject({ status: 'SENT', messageId: 'sns-2' });
  });

  it('a mark that fails for a moment after the send is tried again: the target is sent once', async () => {
    const { deps, operations, published, mails } = await setup();
    const hiccup = failOnCall(operations, 'recordDelivery', 1);
    expect(await deliver(deps)).toEqual(['topic', 'mail']);
    hiccup.restore();
    expect(hiccup.calls()).toBe(4);
    expect(published).toHaveLength(1);
    expect(mails.map((m) => m.to)).toEqual(RECIPIENTS);
    expect(Object.values((await operations.getReport('daily', DATE))!.deliveries).map((d) => d!.status)).toEqual(['SENT', 'SENT', 'SENT']);
  });

  it('a send that fails releases its claim, so that the retry sends at once', async () => {
    const { deps, published } = await setup();
    const publish = deps.publisher.publish;
    deps.publisher.publish = async () => {
      throw new Error('SNS throttled');
    };
    await expect(deliver(deps)).rejects.toThrow('SNS throttled');
    deps.publisher.publish = publish;
    expect(await deliver(deps)).toEqual(['topic']);
    expect(published).toHaveLength(1);
  });
});
