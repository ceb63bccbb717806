// What `npm start -- --keep-open` adds at the end of the story (src/local/demo-portal.ts): the API and
// the portal on the mails' port (or any free one when it is taken, with the links following), and a
// campaign started through the real controller so that an approver has open tasks to open.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import { startPortalServer, startPortalTour, type PortalTour } from '../../src/local/demo-portal.js';
import { applyJobEnvironment, loadJobHandler, scheduledEvent } from '../../src/local/jobs.js';
import { openRuntime, readOutbox, type Runtime } from '../../src/local/runtime.js';
import type { ApiServer } from '../../src/local/api-server.js';
import { portalOrg } from '../support/portal.js';

// The embedded engine in memory, as the demo uses it: scripts/test.mjs runs this file once, like demo.test.ts.
describe('the demo portal (npm start -- --keep-open)', () => {
  const now = new Date('2026-09-14T12:00:00.000Z');
  let home: string;
  let runtime: Runtime;
  let occupied: Server;
  let server: ApiServer;
  let tour: PortalTour;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'idgov-demo-portal-'));
    runtime = await openRuntime({ home, inMemory: true });
    const admin = { campaigns: runtime.campaigns, audit: runtime.auditLog, directory: runtime.directory, operations: runtime.operations };
    await loadDirectory(admin, portalOrg(), 'test-admin', new Date('2026-09-01T00:00:00.000Z'), 'portal org');
    // Someone else holds the port the server would rather have.
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
    server = await startPortalServer(runtime, { now: () => now }, (occupied.address() as AddressInfo).port);
    process.env.APPROVER_PORTAL_URL = server.url;
    applyJobEnvironment(runtime);
    const controller = await loadJobHandler(runtime, 'campaign-controller');
    tour = await startPortalTour(runtime, { ownerId: 'owner', now, runController: (at) => controller(scheduledEvent(at)) });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => (occupied ? occupied.close(() => resolve()) : resolve()));
    await runtime?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('listens on another free port when the preferred one is taken', () => {
    expect(server.port).not.toBe((occupied.address() as AddressInfo).port);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('starts a running campaign and names the approver with the most open entries', async () => {
    // Ann, Bob and Bea (HIGH or CRITICAL) report to Finn.
    expect(tour.approver).toEqual({ id: 'mgr-fin', displayName: 'Finn Manager', tasks: 3 });
    expect((await runtime.campaigns.getCampaign(tour.campaignId))?.state).toBe('RUNNING');

    const signIn = await fetch(`${server.url}/?as=${tour.approver.id}`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const tasks = (await (await fetch(`${server.url}/tasks`, { headers: { accept: 'application/json', cookie } })).json()) as { tasks: { campaignId: string; dueDate: string }[] };
    expect(tasks.tasks).toHaveLength(3);
    expect(tasks.tasks.every((t) => t.campaignId === tour.campaignId)).toBe(true);
    // The server answers as of the story's time: due 14 days after the tour started.
    expect(tasks.tasks[0]!.dueDate).toBe('2026-09-28T12:00:00.000Z');
  });

  it('links the mails it composes to the port it really listens on', async () => {
    const [task] = ((await (await fetch(`${server.url}/tasks`, { headers: { accept: 'application/json', 'x-idgov-user': 'mgr-fin' } })).json()) as { tasks: { entryId: string }[] }).tasks;
    const answer = await fetch(`${server.url}/entries/${task!.entryId}/reassign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-idgov-user': 'owner' },
      body: JSON.stringify({ to: 'mgr-ops', justification: 'Finn is on leave this month' }),
    });
    expect(answer.status).toBe(200);
    const notice = (await readOutbox(runtime, tour.campaignId)).find((n) => n.kind === 'APPROVAL_START' && n.recipientId === 'mgr-ops' && n.entryId === task!.entryId);
    // The mail lands on the entry, on the server that really serves it.
    expect(notice?.body).toContain(`${server.url}/entries/${task!.entryId}`);
  });
});
