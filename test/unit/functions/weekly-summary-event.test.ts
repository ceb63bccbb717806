// The weekly summary handler: it summarises the seven days up to the event's date (scheduled,
// `{ "now" }`, `{}`), stores the summary once per date and delivers it once per channel, and records
// the run as 'weekly-summary'; a bad event is refused naming the field, before anything is built.
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../lambdas/weekly-summary/handler.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { silentLog, type MetricDatum, type ReportPublisher } from '../../../lambdas/shared/use-cases/ports.js';
import { RecordingMailer } from '../../support/controller-harness.js';
import { scheduledJobEvent } from '../../support/job-events.js';

const wall = new Date('2030-01-07T03:04:05.000Z');

class RecordingPublisher implements ReportPublisher {
  readonly published: { subject: string; text: string }[] = [];
  async publish(message: { subject: string; text: string }) {
    this.published.push(message);
    return { messageId: `sns-${this.published.length}` };
  }
}

function weeklyHandler() {
  const operations = new InMemoryOperationsStore();
  const publisher = new RecordingPublisher();
  const mailer = new RecordingMailer();
  let builds = 0;
  const handler = createHandler(() => {
    builds++;
    return {
      operations,
      publisher,
      mailer,
      metrics: { publish: async (_data: MetricDatum[]) => {} },
      recipients: ['ops@example.com'],
      wallClock: { now: () => new Date(wall) },
      log: silentLog,
    };
  });
  return { handler, operations, publisher, mailer, builds: () => builds };
}

describe('the weekly summary handler', () => {
  it('summarises the week up to the scheduled date, the given now, or the wall clock for {}, building once', async () => {
    const { handler, builds } = weeklyHandler();
    const scheduled = await handler(scheduledJobEvent('2026-07-06T09:00:00Z', 'weekly-summary'));
    expect(scheduled.summary).toMatchObject({ date: '2026-07-06', dates: ['2026-06-30', '2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05', '2026-07-06'] });
    expect((await handler({ now: '2026-07-13T09:00:00Z' })).summary.date).toBe('2026-07-13');
    // The wall clock is Monday 2030-01-07 03:04, before that week's 09:00: the latest scheduled run is the Monday before.
    expect((await handler({})).summary.date).toBe('2029-12-31');
    expect(builds()).toBe(1);
  });

  it('stores one summary per date and delivers it once', async () => {
    const { handler, operations, publisher, mailer } = weeklyHandler();
    expect([...(await handler({ now: '2026-07-06T09:00:00Z' })).delivered].sort()).toEqual(['mail', 'topic']);
    expect((await handler({ now: '2026-07-06T10:00:00Z' })).delivered).toEqual([]);
    expect(publisher.published).toHaveLength(1);
    expect(mailer.sent.map((m) => m.to)).toEqual(['ops@example.com']);
    expect((await operations.getReport('weekly', '2026-07-06'))?.report.date).toBe('2026-07-06');
  });

  it("records the run as 'weekly-summary' at its business time", async () => {
    const { handler, operations } = weeklyHandler();
    await handler(scheduledJobEvent('2026-07-06T09:00:00Z', 'weekly-summary'));
    const heartbeat = (await operations.getHeartbeats(['weekly-summary'])).get('weekly-summary');
    expect(heartbeat?.lastCompleted).toMatchObject({ job: 'weekly-summary', scheduledFor: '2026-07-06T09:00:00.000Z', outcome: 'SUCCEEDED' });
  });

  it('refuses a bad event before building anything, naming the field', async () => {
    const handler = createHandler(() => {
      throw new Error('must not be built');
    });
    await expect(handler({ now: '2026-07-06', week: 27 })).rejects.toThrow(/^event\.week: unknown field$/);
  });
});
