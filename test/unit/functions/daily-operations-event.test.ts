// The daily operations handler: it builds the report as of the event's instant (scheduled,
// `{ "now" }`, `{}`), with the stored configuration and the measured health, stores it once per date,
// delivers it once per channel, and records the run as 'daily-operations'; a bad event is refused
// naming the field, before anything is built or recorded.
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../lambdas/daily-operations/handler.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { DEFAULT_OPERATIONS_CONFIG, type HealthComponent } from '../../../lambdas/shared/domain/operations.js';
import { silentLog, type HealthProbe, type MetricDatum, type ReportPublisher } from '../../../lambdas/shared/use-cases/ports.js';
import { RecordingMailer } from '../../support/controller-harness.js';
import { scheduledJobEvent } from '../../support/job-events.js';
import { smallOrg } from '../../support/small-org.js';

const wall = new Date('2030-01-02T03:04:05.000Z');

class RecordingPublisher implements ReportPublisher {
  readonly published: { subject: string; text: string }[] = [];
  async publish(message: { subject: string; text: string }) {
    this.published.push(message);
    return { messageId: `sns-${this.published.length}` };
  }
}

async function handlerOverSmallOrg(components: HealthComponent[] = [{ name: 'table:directory', status: 'HEALTHY' }]) {
  const directory = new InMemoryDirectoryStore();
  const org = smallOrg();
  await directory.putUsers(org.users);
  await directory.putPrivileges(org.privileges);
  await directory.putAssignments(org.assignments);
  const operations = new InMemoryOperationsStore();
  const publisher = new RecordingPublisher();
  const mailer = new RecordingMailer();
  const metrics: MetricDatum[][] = [];
  const windows: [string, string][] = [];
  const health: HealthProbe = {
    source: 'local',
    measure: async (from, to) => {
      windows.push([from.toISOString(), to.toISOString()]);
      return components;
    },
  };
  let builds = 0;
  const handler = createHandler(() => {
    builds++;
    return {
      directory,
      campaigns: new InMemoryCampaignStore(),
      operations,
      health,
      publisher,
      mailer,
      metrics: { publish: async (data: MetricDatum[]) => void metrics.push(data) },
      recipients: ['ops@example.com'],
      wallClock: { now: () => new Date(wall) },
      log: silentLog,
    };
  });
  return { handler, operations, publisher, mailer, metrics, windows, builds: () => builds };
}

describe('the daily operations handler', () => {
  it('reports as of the scheduled time, the given now, or the wall clock for {}, building its dependencies once', async () => {
    const { handler, windows, builds } = await handlerOverSmallOrg();
    expect((await handler(scheduledJobEvent('2026-07-02T08:00:00Z', 'daily-operations'))).report.date).toBe('2026-07-02');
    expect((await handler({ now: '2026-07-03T08:00:00Z' })).report.date).toBe('2026-07-03');
    expect((await handler({})).report.date).toBe('2030-01-02');
    expect(builds()).toBe(1);
    // Health is measured over the report's window, the 24 hours before the run's instant.
    expect(windows[0]).toEqual(['2026-07-01T08:00:00.000Z', '2026-07-02T08:00:00.000Z']);
  });

  it('stores one report per date and delivers it once: a re-run replaces it and sends nothing again', async () => {
    const { handler, operations, publisher, mailer, metrics } = await handlerOverSmallOrg();
    const first = await handler(scheduledJobEvent('2026-07-02T08:00:00Z', 'daily-operations'));
    expect([...first.delivered].sort()).toEqual(['mail', 'topic']);
    expect(publisher.published).toHaveLength(1);
    expect(mailer.sent.map((m) => m.to)).toEqual(['ops@example.com']);
    expect(mailer.sent[0]!.html).toContain('<html');
    expect(metrics.flat().map((m) => m.name)).toContain('CompletionRate');

    const again = await handler({ now: '2026-07-02T09:00:00Z' });
    expect(again.delivered).toEqual([]);
    expect(publisher.published).toHaveLength(1);
    expect(mailer.sent).toHaveLength(1);
    const stored = await operations.getReport('daily', '2026-07-02');
    expect(stored?.report.generatedAt).toBe(again.report.generatedAt);
    expect(Object.keys(stored?.deliveries ?? {}).sort()).toEqual(['mail:ops@example.com', 'topic']);
  });

  it('mails the recipients of the stored configuration too', async () => {
    const { handler, operations, mailer } = await handlerOverSmallOrg();
    await operations.putConfig({ ...DEFAULT_OPERATIONS_CONFIG, recipients: ['lead@example.com', 'ops@example.com'] }, 'ops@example.com', wall);
    await handler({ now: '2026-07-02T08:00:00Z' });
    expect(mailer.sent.map((m) => m.to).sort()).toEqual(['lead@example.com', 'ops@example.com']);
  });

  it("reports the probe's health, DEGRADED with the component's reason", async () => {
    const degraded: HealthComponent = { name: 'function:campaign-controller', status: 'DEGRADED', reason: 'function idgov-controller had 2 errors' };
    const { handler } = await handlerOverSmallOrg([degraded]);
    const { report } = await handler({ now: '2026-07-02T08:00:00Z' });
    expect(report.health).toMatchObject({ status: 'DEGRADED', source: 'local' });
    expect(report.health.components).toContainEqual(degraded);
  });

  it("records the run as 'daily-operations' at its business time", async () => {
    const { handler, operations } = await handlerOverSmallOrg();
    await handler(scheduledJobEvent('2026-07-02T08:00:00Z', 'daily-operations'));
    const heartbeat = (await operations.getHeartbeats(['daily-operations'])).get('daily-operations');
    expect(heartbeat?.lastCompleted).toMatchObject({
      job: 'daily-operations',
      scheduledFor: '2026-07-02T08:00:00.000Z',
      outcome: 'SUCCEEDED',
      summary: { date: '2026-07-02' },
    });
  });

  it('refuses a bad event before building anything, naming the field', async () => {
    const handler = createHandler(() => {
      throw new Error('must not be built');
    });
    await expect(handler({ now: 'today' })).rejects.toThrow(/^event\.now: must be an ISO 8601/);
    await expect(handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).rejects.toThrow(/^event\.time: /);
  });
});
