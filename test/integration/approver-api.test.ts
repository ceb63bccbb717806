// The approver API on a real DynamoDB engine: the deployed Lambda handler (caller from the JWT the
// authorizer validated) and the local HTTP server (caller from X-Idgov-User), over a campaign the
// real controller drove to RUNNING.
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/approver-api/handler.js';
import type { ApproverApiDeps } from '../../lambdas/approver-api/routes.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DEFAULT_REAPPROVAL_CONFIG, DEFAULT_WORKFLOW } from '../../lambdas/shared/domain/approvals/model.js';
import type { Entry } from '../../lambdas/shared/domain/model.js';
import { runChain } from '../../lambdas/shared/domain/audit/model.js';
import { startApprovalRun } from '../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { startReapproval } from '../../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import type { Log } from '../../lambdas/shared/use-cases/ports.js';
import { startApiServer, type ApiServer } from '../../src/local/api-server.js';
import { createHarness, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();

class RecordingLog implements Log {
  readonly errors: { message: string; extra: Record<string, unknown>[] }[] = [];
  info() {}
  warn() {}
  error(message: string, ...extra: Record<string, unknown>[]) {
    this.errors.push({ message, extra });
  }
}

interface World {
  h: Harness;
  id: string;
  deps: ApproverApiDeps;
  log: RecordingLog;
  clock: { at: string; now(): Date };
  /** Calls the deployed handler as API Gateway would, with `email` as the validated JWT's claim. */
  call(email: string | undefined, method: string, path: string, body?: unknown, extra?: { headers?: Record<string, string>; claims?: Record<string, unknown> }): Promise<Answer>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function world(definition = highRiskUserCampaign()): Promise<World> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  const org = smallOrg();
  // Context an approver sees: when and by whom the access was granted.
  org.assignments = org.assignments.map((a) =>
    a.userId === 'u1' && a.privilegeId === 'p-fin' ? { ...a, approvedAt: '2025-03-01T00:00:00.000Z', approvedBy: 'admin' } : a,
  );
  org.users.push({ id: 'gone', displayName: 'Gone User', email: 'gone@example.com', status: 'DISABLED' });
  await h.load(org);
  const id = await h.create(definition, T0, 'c-api');
  await h.run(day(0, 1));
  const log = new RecordingLog();
  const approvals = new DynamoApprovalStore({ doc, tableName: names.campaign });
  const deps: ApproverApiDeps = { campaigns: h.campaigns, directory: h.directory, approvals, outbox: h.outbox, audit: h.audit, portalUrl: 'https://idgov.example.com', log };
  const clock = { at: day(2), now: () => new Date(clock.at) };
  const handler = createHandler(() => deps, clock);
  return {
    h,
    id,
    deps,
    log,
    clock,
    async call(email, method, path, body, extra = {}) {
      const claims = extra.claims ?? (email ? { email, email_verified: 'true', sub: `sub-${email}` } : undefined);
      const response = await handler(apiEvent(method, path, body, extra.headers, claims) as never);
      return { status: response.statusCode, headers: response.headers, json: JSON.parse(response.body) };
    },
  };
}

/** An API Gateway HTTP API (payload 2.0) event; `claims` as a JWT authorizer passes them. */
function apiEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, claims?: Record<string, unknown>) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jul/2026:00:00:00 +0000',
      timeEpoch: 0,
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

const M1 = 'm1@example.com';
const M2 = 'm2@example.com';
const ADMIN = 'admin@example.com';
const u1 = (id: string) => entryOf(id, 'u1');
const u4 = (id: string) => entryOf(id, 'u4');
const JUSTIFICATION = 'm2 is on leave until the end of July';

/** What a refusal must leave untouched: the entry, its items and the outbox. */
async function state(w: World, entryId: string) {
  return { entry: await w.h.campaigns.getEntryWithItems(entryId), outbox: await collect(w.h.outbox.listByCampaign(w.id)) };
}

describe('GET /tasks', () => {
  it("lists the caller's open work only, with the context to decide it", async () => {
    const w = await world();
    const m1 = await w.call(M1, 'GET', '/tasks');
    expect(m1.status).toBe(200);
    expect(m1.headers['content-type']).toMatch(/^application\/json/);
    expect(m1.json.caller).toEqual({ id: 'm1', displayName: 'Name m1' });
    expect(m1.json.tasks.map((t: { subjectId: string }) => t.subjectId)).toEqual(['u1']);
    const [task] = m1.json.tasks;
    expect(task).toMatchObject({ entryId: u1(w.id), campaignName: 'Finance high-risk users', dueDate: day(14), itemCount: 3, openItemCount: 3 });
    const items = Object.fromEntries(task.openItems.map((i: { id: string }) => [i.id, i]));
    expect(items['p-fin']).toMatchObject({ privilegeName: 'FinanceAdmin', privilegeRisk: 'HIGH', grantedAt: '2025-03-01T00:00:00.000Z', grantedBy: 'admin', open: true });
    expect(items['p-prod']).toMatchObject({ privilegeRisk: 'CRITICAL', endDate: '2027-01-01T00:00:00.000Z', parameters: { account: 'prod-1' } });

    expect((await w.call(M2, 'GET', '/tasks')).json.tasks.map((t: { subjectId: string }) => t.subjectId)).toEqual(['u4']);
    // The campaign owner approves nothing here (u6 has no approver at all).
    expect((await w.call(ADMIN, 'GET', '/tasks')).json.tasks).toEqual([]);

    // A decided item leaves the open list; a finished entry leaves the tasks.
    await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { itemId: 'p-fin', outcome: 'APPROVE' });
    expect((await w.call(M1, 'GET', '/tasks')).json.tasks[0].openItems.map((i: { id: string }) => i.id).sort()).toEqual(['p-git', 'p-prod']);
    await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'APPROVE', comment: 'all still needed' } });
    expect((await w.call(M1, 'GET', '/tasks')).json.tasks).toEqual([]);
  });
});

describe('GET /entries/{id}', () => {
  it('shows the entry to its approver and to the campaign owner, and 403 to anyone else', async () => {
    const w = await world();
    const asApprover = await w.call(M1, 'GET', `/entries/${u1(w.id)}`);
    expect(asApprover.status).toBe(200);
    expect(asApprover.json).toMatchObject({ id: u1(w.id), state: 'RUNNING', approverIds: ['m1'], itemCount: 3, reassignments: [] });
    expect((await w.call(ADMIN, 'GET', `/entries/${u1(w.id)}`)).status).toBe(200);

    const other = await w.call(M2, 'GET', `/entries/${u1(w.id)}`);
    expect(other.status).toBe(403);
    expect(other.json.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('m2') });
    // The subject does not review their own access.
    expect((await w.call('u1@example.com', 'GET', `/entries/${u1(w.id)}`)).status).toBe(403);
    expect((await w.call(M1, 'GET', '/entries/e-nope')).json.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('approval runs (a- ids)', () => {
  it('serves a campaign hand-over to its approver and, read only, to the campaign owner; a decision needs no directory write, the job applies it', async () => {
    const w = await world();
    const entryId = u1(w.id);
    const p = (await w.h.directory.getPrivilege('p-fin'))!;
    const assignment = (await w.h.directory.getAssignment('u1', 'p-fin'))!;
    const engineDeps = { ...w.deps, campaigns: w.h.campaigns };
    const purpose = { kind: 'CAMPAIGN' as const, campaignId: w.id, runId: `${w.id}#1`, entryId, itemId: 'p-fin', reason: 'REJECTED' as const };
    const run = await startApprovalRun(engineDeps, { purpose, assignment, privilege: p, workflow: DEFAULT_WORKFLOW }, DEFAULT_REAPPROVAL_CONFIG, new Date(day(1)));
    expect(run.approverIds).toEqual(['m1']);

    expect((await w.call(M1, 'GET', `/entries/${run.id}`)).json).toMatchObject({ kind: 'REAPPROVAL', entryId: run.id, approverIds: ['m1'] });
    expect((await w.call(ADMIN, 'GET', `/entries/${run.id}`)).status).toBe(200);
    expect((await w.call(M2, 'GET', `/entries/${run.id}`)).status).toBe(403);
    expect((await w.call(ADMIN, 'POST', `/entries/${run.id}/decisions`, { itemId: 'p-fin', outcome: 'REJECT' })).status).toBe(403);

    // The API's directory is read only, as its IAM grant: any write would fail the request.
    const writes: string[] = [];
    const readOnly = new Proxy(w.h.directory, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        if (/^(put|remove|record|complete|mark|reset|initialize|modify|delete|save)/.test(String(name))) {
          return async () => {
            writes.push(String(name));
            throw new Error(`the approver API wrote the directory: ${String(name)}`);
          };
        }
        return value.bind(target);
      },
    });
    const handler = createHandler(() => ({ ...w.deps, directory: readOnly }), w.clock);
    const response = await handler(apiEvent('POST', `/entries/${run.id}/decisions`, { itemId: 'p-fin', outcome: 'REJECT', comment: 'moved to treasury' }, {}, { email: M1, email_verified: 'true', sub: 'sub-m1' }) as never);
    expect({ status: response.statusCode, json: JSON.parse(response.body) }).toEqual({ status: 200, json: { kind: 'REAPPROVAL', entryId: run.id, state: 'REJECTED', decided: ['p-fin'], finished: true } });
    expect(writes).toEqual([]);
    expect(await w.h.directory.getAssignment('u1', 'p-fin')).toBeDefined();

    // The next start-reapproval run applies the outcome: removed, the item shows it, the user is told once.
    const job = await startReapproval({ ...engineDeps, mailer: w.h.mailer, wallClock: w.h.wall }, new Date(day(3, 6)));
    expect(job).toMatchObject({ rejected: 1 });
    expect(await w.h.directory.getAssignment('u1', 'p-fin')).toBeUndefined();
    expect((await w.h.campaigns.getEntryWithItems(entryId))!.items.find((i) => i.id === 'p-fin')!.workflow).toMatchObject({ approvalId: run.id, state: 'REJECTED', appliedAction: 'REMOVED' });
    expect(w.h.mailer.sent.filter((m) => m.to === 'u1@example.com')).toHaveLength(1);
  });
});

describe('refusals change nothing', () => {
  it('403 for a non-approver on read, decisions and reassignment', async () => {
    const w = await world();
    const before = await state(w, u1(w.id));
    const answers = [
      await w.call(M2, 'GET', `/entries/${u1(w.id)}`),
      await w.call(M2, 'POST', `/entries/${u1(w.id)}/decisions`, { itemId: 'p-fin', outcome: 'REJECT' }),
      await w.call(M2, 'POST', `/entries/${u1(w.id)}/reassign`, { to: 'm2', justification: JUSTIFICATION }),
      await w.call('u1@example.com', 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'APPROVE' } }),
    ];
    expect(answers.map((a) => [a.status, a.json.error.code])).toEqual(Array(4).fill([403, 'FORBIDDEN']));
    expect(await state(w, u1(w.id))).toEqual(before);
  });

  it('400 naming the field for a bad body, and for a body that is not JSON', async () => {
    const w = await world();
    const before = await state(w, u1(w.id));
    const path = `/entries/${u1(w.id)}/decisions`;
    const cases: [unknown, string][] = [
      ['{"itemId": "p-fin", ', 'body'],
      ['', 'body'],
      [[{ itemId: 'p-fin', outcome: 'APPROVE' }], 'body'],
      [{ itemId: 'p-fin', outcome: 'MAYBE' }, 'outcome'],
      [{ itemId: 'p-fin', outcome: 'MODIFY' }, 'outcome'],
      [{ itemId: 'p-fin', outcome: 'APPROVE', note: 'x' }, 'note'],
      [{ itemId: 'p-nope', outcome: 'APPROVE' }, 'itemId'],
      [{ decisions: [{ itemId: 'p-fin', outcome: 'APPROVE' }, { itemId: 'p-git', outcome: 'MODIFY', endDate: 'soon' }] }, 'decisions.1.endDate'],
      [{ decisions: [{ itemId: 'p-fin', outcome: 'APPROVE' }, { itemId: 'p-fin', outcome: 'REJECT' }] }, 'decisions.1.itemId'],
      [{ decisions: [] }, 'decisions'],
      [{ decisions: 'all' }, 'decisions'],
      [{ decisions: [{ itemId: 'p-fin', outcome: 'APPROVE' }], all: { outcome: 'APPROVE' } }, 'all'],
      [{ all: { outcome: 'MODIFY' } }, 'all.outcome'],
      // Removing a role parameter the assignment does not have.
      [{ itemId: 'p-prod', outcome: 'MODIFY', parameters: { project: null } }, 'parameters.project'],
      // An end date already past (the request is answered on day 2): a removal, not a modification.
      [{ itemId: 'p-prod', outcome: 'MODIFY', endDate: '2026-07-02' }, 'endDate'],
      [{ decisions: [{ itemId: 'p-fin', outcome: 'APPROVE' }, { itemId: 'p-prod', outcome: 'MODIFY', endDate: '2026-06-01' }] }, 'decisions.1.endDate'],
    ];
    for (const [body, field] of cases) {
      const answer = await w.call(M1, 'POST', path, body);
      expect([answer.status, answer.json.error?.field], JSON.stringify(body)).toEqual([400, field]);
      expect(answer.json.error.code).toBe('VALIDATION');
    }
    const notJson = await w.call(M1, 'POST', path, 'approve everything');
    expect(notJson.json).toEqual({ error: { code: 'VALIDATION', message: 'body: not valid JSON', field: 'body' } });

    const reassign = `/entries/${u1(w.id)}/reassign`;
    const reassignCases: [unknown, string][] = [
      [{ to: 'm2' }, 'justification'],
      [{ to: 'm2', justification: 'on leave' }, 'justification'],
      [{ to: 'm2', justification: JUSTIFICATION, extendDays: '7' }, 'extendDays'],
      [{ to: 'm2', justification: JUSTIFICATION, extendDays: 0 }, 'extendDays'],
      [{ to: 'm2', justification: JUSTIFICATION, extendDays: 400 }, 'extendDays'],
      [{ to: 'ghost', justification: JUSTIFICATION }, 'to'],
      [{ to: 'gone', justification: JUSTIFICATION }, 'to'],
      [{ to: 'm1', justification: JUSTIFICATION }, 'to'],
      [{ to: 'u1', justification: JUSTIFICATION }, 'to'],
      [{ justification: JUSTIFICATION }, 'to'],
    ];
    for (const [body, field] of reassignCases) {
      const answer = await w.call(M1, 'POST', reassign, body);
      expect([answer.status, answer.json.error?.field], JSON.stringify(body)).toEqual([400, field]);
    }
    expect(await state(w, u1(w.id))).toEqual(before);
  });

  it('409 on a closed entry', async () => {
    const w = await world();
    const decided = await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, {
      decisions: [
        { itemId: 'p-fin', outcome: 'APPROVE', comment: 'month-end close' },
        { itemId: 'p-git', outcome: 'REJECT' },
        { itemId: 'p-prod', outcome: 'MODIFY', endDate: '2026-10-01' },
      ],
    });
    expect(decided.json).toEqual({ entryId: u1(w.id), state: 'APPROVAL.FINISHED', decided: ['p-fin', 'p-git', 'p-prod'], finished: true });
    const before = await state(w, u1(w.id));
    const again = await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { itemId: 'p-fin', outcome: 'REJECT' });
    expect([again.status, again.json.error.code]).toEqual([409, 'CLOSED']);
    // In bulk too: a closed entry has no open item, and the answer says it is closed.
    const bulk = await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'APPROVE' } });
    expect([bulk.status, bulk.json.error.code]).toEqual([409, 'CLOSED']);
    const reassign = await w.call(M1, 'POST', `/entries/${u1(w.id)}/reassign`, { to: 'm2', justification: JUSTIFICATION });
    expect([reassign.status, reassign.json.error.code]).toEqual([409, 'CLOSED']);
    expect(await state(w, u1(w.id))).toEqual(before);
    // Past its due date an entry is closed to decisions as well.
    w.clock.at = day(14, 0);
    expect((await w.call(M2, 'POST', `/entries/${u4(w.id)}/decisions`, { itemId: 'p-git', outcome: 'APPROVE' })).status).toBe(409);
  });
});

describe('POST /entries/{id}/decisions with MODIFY', () => {
  it('removes a role parameter given as null, and the finish takes it off the assignment', async () => {
    const w = await world();
    const answer = await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { itemId: 'p-prod', outcome: 'MODIFY', parameters: { account: null } });
    expect(answer.status).toBe(200);
    const item = (await w.h.campaigns.getEntryWithItems(u1(w.id)))!.items.find((i) => i.id === 'p-prod')!;
    expect(item.decision).toMatchObject({ outcome: 'MODIFY', parameters: { account: null }, decidedBy: 'm1' });
    expect((await w.call(M1, 'GET', `/entries/${u1(w.id)}`)).json.items.find((i: { id: string }) => i.id === 'p-prod').decision.parameters).toEqual({ account: null });
    await w.h.run(day(14, 1));
    const kept = (await w.h.directory.listAssignmentsOfUser('u1')).find((a) => a.privilegeId === 'p-prod')!;
    expect(kept.parameters).toEqual({});
  });
});

describe('POST /entries/{id}/reassign', () => {
  it('moves the due date, records who, when and why, tells the new approver, and hands over the right to decide', async () => {
    const w = await world();
    w.clock.at = day(3, 9);
    const answer = await w.call(M2, 'POST', `/entries/${u4(w.id)}/reassign`, { to: 'm1', justification: JUSTIFICATION, extendDays: 7 });
    expect(answer.status).toBe(200);
    const record = { from: ['m2'], to: 'm1', by: 'm2', at: day(3, 9), justification: JUSTIFICATION, previousDueDate: day(14), dueDate: day(21) };
    expect(answer.json).toMatchObject({ id: u4(w.id), approverIds: ['m1'], dueDate: day(21), reassignment: record, reassignments: [record] });
    expect(answer.json.notification).toEqual({ key: `${u4(w.id)}|APPROVAL_START|m1|v2`, kind: 'APPROVAL_START', recipientId: 'm1', status: 'PENDING' });
    const stored = (await w.h.campaigns.getEntry(u4(w.id))) as Entry;
    expect(stored).toMatchObject({ approverIds: ['m1'], dueDate: day(21), reassignments: [record], version: 2 });

    // Approval Start goes out with the next controller run, quoting the moved due date.
    const notice = (await collect(w.h.outbox.listByCampaign(w.id))).find((n) => n.key === answer.json.notification.key)!;
    expect(notice).toMatchObject({ kind: 'APPROVAL_START', recipientId: 'm1', to: 'm1@example.com', entryId: u4(w.id), status: 'PENDING' });
    expect(notice.subject).toContain('2026-07-22');
    await w.h.run(day(3, 10));
    expect(w.h.mailer.sent.filter((m) => m.to === 'm1@example.com').map((m) => m.subject)).toContainEqual(notice.subject);

    // The new approver sees and decides it; the old one is refused.
    expect((await w.call(M1, 'GET', '/tasks')).json.tasks.map((t: { subjectId: string }) => t.subjectId).sort()).toEqual(['u1', 'u4']);
    expect((await w.call(M2, 'GET', '/tasks')).json.tasks).toEqual([]);
    expect((await w.call(M2, 'GET', `/entries/${u4(w.id)}`)).status).toBe(403);
    expect((await w.call(M2, 'POST', `/entries/${u4(w.id)}/decisions`, { itemId: 'p-git', outcome: 'APPROVE' })).status).toBe(403);
    expect((await w.call(M2, 'POST', `/entries/${u4(w.id)}/reassign`, { to: 'admin', justification: JUSTIFICATION })).status).toBe(403);
    // Past the campaign's original due date, within the extension.
    w.clock.at = day(16);
    const decided = await w.call(M1, 'POST', `/entries/${u4(w.id)}/decisions`, { all: { outcome: 'REJECT', comment: 'left the team' } });
    expect(decided.json).toMatchObject({ state: 'APPROVAL.FINISHED', finished: true });
    const items = (await w.h.campaigns.getEntryWithItems(u4(w.id)))!.items;
    expect(items.map((i) => i.decision?.decidedBy)).toEqual(['m1', 'm1']);
  });

  it('lets the campaign owner reassign any running entry, and keeps a second reassignment apart from the first', async () => {
    const w = await world();
    const first = await w.call(ADMIN, 'POST', `/entries/${u1(w.id)}/reassign`, { to: 'm2', justification: 'm1 moved to another department' });
    expect(first.json.reassignment).toMatchObject({ from: ['m1'], to: 'm2', by: 'admin' });
    expect(first.json.reassignment.dueDate).toBeUndefined();
    const back = await w.call(M2, 'POST', `/entries/${u1(w.id)}/reassign`, { to: 'm1', justification: 'm1 is back in the department' });
    expect(back.json.approverIds).toEqual(['m1']);
    expect(back.json.reassignments.map((r: { to: string }) => r.to)).toEqual(['m2', 'm1']);
    const stageStart = `${w.id}#1|APPROVAL_START|1|m1`;
    const notices = (await collect(w.h.outbox.listByCampaign(w.id))).filter((n) => n.kind === 'APPROVAL_START' && (n.entryId === u1(w.id) || n.key === stageStart));
    // Preparation's notice to m1 (one for all of m1's stage-1 entries), then one per reassignment, m1's second one included.
    expect(notices.map((n) => n.key).sort()).toEqual([stageStart, `${u1(w.id)}|APPROVAL_START|m1|v3`, `${u1(w.id)}|APPROVAL_START|m2|v2`]);
    // A reassignment's notice is about its one entry: it links that entry's page.
    expect(notices.find((n) => n.key === `${u1(w.id)}|APPROVAL_START|m2|v2`)!.body).toContain(`Open this review: https://idgov.example.com/entries/${u1(w.id)}\n`);
  });
});

describe('what the approver portal reads', () => {
  it('GET /tasks says as of when and marks overdue tasks; items carry their origin', async () => {
    const w = await world();
    const tasks = (await w.call(M1, 'GET', '/tasks')).json;
    expect(tasks.asOf).toBe(day(2));
    expect(tasks.tasks[0]).toMatchObject({ overdue: false });
    expect(tasks.tasks[0].openItems.map((i: { origin: string }) => i.origin)).toEqual(['MANUAL', 'MANUAL', 'MANUAL']);
    // Past the due date, before the controller closes the entry.
    w.clock.at = day(14, 0.5);
    expect((await w.call(M1, 'GET', '/tasks')).json.tasks[0]).toMatchObject({ entryId: u1(w.id), overdue: true });
  });

  it('GET /entries/{id} describes the subject, the owner, the approvers and what the caller may do', async () => {
    const w = await world();
    const asApprover = (await w.call(M1, 'GET', `/entries/${u1(w.id)}`)).json;
    expect(asApprover).toMatchObject({
      kind: 'CAMPAIGN',
      campaignName: 'Finance high-risk users',
      campaignOwner: { id: 'admin', displayName: 'Name admin' },
      subject: {
        kind: 'USER',
        id: 'u1',
        name: 'Name u1',
        email: 'u1@example.com',
        department: 'Finance',
        manager: { id: 'm1', displayName: 'Name m1' },
        riskLevel: 'HIGH',
        status: 'ACTIVE',
      },
      approvers: [{ id: 'm1', displayName: 'Name m1' }],
      stageName: null,
      overdue: false,
      asOf: day(2),
      permissions: { canDecide: true, canReassign: true, isCampaignOwner: false },
    });
    expect(asApprover.items.find((i: { id: string }) => i.id === 'p-fin')).toMatchObject({ origin: 'MANUAL', grantedBy: 'admin' });
    expect((await w.call(ADMIN, 'GET', `/entries/${u1(w.id)}`)).json.permissions).toEqual({ canDecide: false, canReassign: true, isCampaignOwner: true });
    // A closed entry: readable, nothing to do.
    await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'APPROVE' } });
    expect((await w.call(M1, 'GET', `/entries/${u1(w.id)}`)).json.permissions).toEqual({ canDecide: false, canReassign: false, isCampaignOwner: false });
  });

  it('POST /entries/{id}/reassign answers the entry with the rights the caller kept', async () => {
    const w = await world();
    const answer = (await w.call(M2, 'POST', `/entries/${u4(w.id)}/reassign`, { to: 'm1', justification: JUSTIFICATION })).json;
    expect(answer).toMatchObject({
      approvers: [{ id: 'm1', displayName: 'Name m1' }],
      subject: { id: 'u4', manager: { id: 'm2', displayName: 'Name m2' }, riskLevel: 'CRITICAL' },
      permissions: { canDecide: false, canReassign: false, isCampaignOwner: false },
      reassignment: { from: ['m2'], to: 'm1', by: 'm2' },
    });
  });

  it('GET /me says whether the caller approves (entries or approval runs) and owns campaigns', async () => {
    const w = await world();
    expect((await w.call(M1, 'GET', '/me')).json).toEqual({
      id: 'm1',
      displayName: 'Name m1',
      email: 'm1@example.com',
      isApprover: true,
      isCampaignOwner: false,
      asOf: day(2),
    });
    expect((await w.call(ADMIN, 'GET', '/me')).json).toMatchObject({ id: 'admin', isApprover: false, isCampaignOwner: true });
    expect((await w.call('u2@example.com', 'GET', '/me')).json).toMatchObject({ isApprover: false, isCampaignOwner: false });

    // m1's work done, then an approval run for m1: an approver again.
    await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'APPROVE' } });
    expect((await w.call(M1, 'GET', '/me')).json.isApprover).toBe(false);
    const purpose = { kind: 'CAMPAIGN' as const, campaignId: w.id, runId: `${w.id}#1`, entryId: u1(w.id), itemId: 'p-fin', reason: 'REJECTED' as const };
    const assignment = (await w.h.directory.getAssignment('u1', 'p-fin'))!;
    const privilege = (await w.h.directory.getPrivilege('p-fin'))!;
    await startApprovalRun({ ...w.deps, campaigns: w.h.campaigns }, { purpose, assignment, privilege, workflow: DEFAULT_WORKFLOW }, DEFAULT_REAPPROVAL_CONFIG, new Date(day(2)));
    expect((await w.call(M1, 'GET', '/me')).json.isApprover).toBe(true);
    expect((await w.call('stranger@example.com', 'GET', '/me')).status).toBe(403);
  });

  it("GET /campaigns lists the caller's campaigns, newest first, with their progress", async () => {
    const w = await world();
    const second = await w.h.create(highRiskUserCampaign({ name: 'Payroll access', startDate: '2026-08-01' }), day(1), 'c-payroll');
    await w.h.create(highRiskUserCampaign({ name: 'Not mine', ownerId: 'm2' }), day(1), 'c-other');
    const list = (await w.call(ADMIN, 'GET', '/campaigns')).json;
    expect(list.owner).toEqual({ id: 'admin', displayName: 'Name admin' });
    expect(list.asOf).toBe(day(2));
    expect(list.campaigns.map((c: { id: string }) => c.id)).toEqual([second, w.id]);
    expect(list.campaigns[1]).toEqual({
      id: w.id,
      name: 'Finance high-risk users',
      kind: 'USER',
      state: 'RUNNING',
      run: 1,
      startDate: T0,
      dueDate: day(14),
      // u1 and u4 with their managers; u6 has none.
      entriesByState: { RUNNING: 2, 'FAILED.PREPARE': 1 },
      entries: 3,
      overdueEntries: 0,
      completion: 1 / 3,
      awaitingConfirmation: null,
    });
    expect(list.campaigns[0]).toMatchObject({ state: 'PREPARING', entries: 0, completion: 0, dueDate: null });
    expect((await w.call(M1, 'GET', '/campaigns')).json.campaigns).toEqual([]);
    // One not started yet: no entries, nobody to name.
    expect((await w.call(ADMIN, 'GET', `/campaigns/${second}`)).json).toMatchObject({ state: 'PREPARING', entries: 0, approvers: [], entryList: [] });
  });

  it('GET /campaigns/{id} shows its owner the progress per approver and every entry, overdue first', async () => {
    const w = await world();
    await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'APPROVE' } });
    // Past the due date, before the controller closes anything: u4 is overdue.
    w.clock.at = day(14, 0.5);
    const progress = (await w.call(ADMIN, 'GET', `/campaigns/${w.id}`)).json;
    expect(progress).toMatchObject({
      id: w.id,
      name: 'Finance high-risk users',
      description: null,
      entriesByState: { 'APPROVAL.FINISHED': 1, RUNNING: 1, 'FAILED.PREPARE': 1 },
      entries: 3,
      overdueEntries: 1,
      completion: 2 / 3,
    });
    expect(progress.approvers).toEqual([
      { approver: { id: 'm2', displayName: 'Name m2' }, entries: 1, open: 1, overdue: 1 },
      { approver: { id: 'm1', displayName: 'Name m1' }, entries: 1, open: 0, overdue: 0 },
    ]);
    // Then, all due the same day, by id: u1 (decided) and u6 (no approver) are closed.
    const closed = [[u1(w.id), 'u1'], [entryOf(w.id, 'u6'), 'u6']].sort(([a], [b]) => a!.localeCompare(b!)).map(([, subject]) => [subject, false, false]);
    expect(progress.entryList.map((e: { subjectId: string; overdue: boolean; canReassign: boolean }) => [e.subjectId, e.overdue, e.canReassign])).toEqual([
      ['u4', true, true],
      ...closed,
    ]);
    expect(progress.entryList[0]).toMatchObject({ id: u4(w.id), state: 'RUNNING', approvers: [{ id: 'm2', displayName: 'Name m2' }], itemCount: 2, dueDate: day(14) });
  });

  it('GET /campaigns/{id}: 404 naming an unknown id, 403 for anyone but its owner, 405 for another method', async () => {
    const w = await world();
    const unknown = await w.call(ADMIN, 'GET', '/campaigns/c-nope');
    expect([unknown.status, unknown.json.error]).toEqual([404, { code: 'NOT_FOUND', message: 'campaign c-nope not found', field: 'id' }]);
    const notOwner = await w.call(M1, 'GET', `/campaigns/${w.id}`);
    expect([notOwner.status, notOwner.json.error]).toEqual([403, { code: 'FORBIDDEN', message: `m1 is not the owner of campaign ${w.id}` }]);
    // An approver of the campaign learns nothing of its other entries.
    expect(JSON.stringify(notOwner.json)).not.toContain('u4');
    const post = await w.call(ADMIN, 'POST', `/campaigns/${w.id}`, {});
    expect([post.status, post.headers.allow, post.json.error.code]).toEqual([405, 'GET', 'METHOD_NOT_ALLOWED']);
    expect((await w.call(ADMIN, 'DELETE', '/campaigns')).headers.allow).toBe('GET');
    expect((await w.call(ADMIN, 'PUT', '/me')).status).toBe(405);
  });

  it('POST /campaigns/{id}/confirm-apply: the owner confirms the removals a campaign over its cap waits on, and the next run applies them', async () => {
    // The default cap (20 %): rejecting u1's items and leaving u4's undecided (removed too) is all 5.
    const w = await world({ ...highRiskUserCampaign(), guard: { maxRemovalShare: 0.2 } });
    await w.call(M1, 'POST', `/entries/${u1(w.id)}/decisions`, { all: { outcome: 'REJECT', comment: 'left finance' } });
    await w.h.run(day(14, 1));
    const assignmentsBefore = (await w.h.directory.listAssignmentsOfUser('u1')).length;
    const waiting = (await w.call(ADMIN, 'GET', `/campaigns/${w.id}`)).json;
    expect(waiting.awaitingConfirmation).toEqual({
      counts: { items: 5, remove: 5, modify: 0, handOver: 0, keep: 0, keptByGuard: 0 },
      removalShare: 1,
      maxRemovalShare: 0.2,
      since: day(14, 1),
    });
    expect((await w.call(ADMIN, 'GET', '/campaigns')).json.campaigns[0].awaitingConfirmation.counts.remove).toBe(5);

    // Refused, changing nothing: anyone but the owner, another count than the one shown, no count, an unknown campaign.
    const notOwner = await w.call(M1, 'POST', `/campaigns/${w.id}/confirm-apply`, { remove: 5 });
    expect([notOwner.status, notOwner.json.error.code]).toEqual([403, 'FORBIDDEN']);
    const otherCount = await w.call(ADMIN, 'POST', `/campaigns/${w.id}/confirm-apply`, { remove: 3 });
    expect([otherCount.status, otherCount.json.error.field, otherCount.json.error.message]).toEqual([
      400,
      'remove',
      'remove: the campaign waits to remove 5 of 5 items, not 3: reload it and confirm what it shows',
    ]);
    for (const body of [{}, { remove: '5' }, { remove: 5, extra: true }, 'not json']) {
      const refused = await w.call(ADMIN, 'POST', `/campaigns/${w.id}/confirm-apply`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(['remove', 'extra', 'body']).toContain(refused.json.error.field);
    }
    expect((await w.call(ADMIN, 'POST', '/campaigns/c-nope/confirm-apply', { remove: 5 })).json.error).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect((await w.h.campaigns.getCampaign(w.id))!.phase).toMatchObject({ name: 'AWAIT_CONFIRMATION' });

    w.clock.at = day(14, 2);
    const confirmed = await w.call(ADMIN, 'POST', `/campaigns/${w.id}/confirm-apply`, { remove: 5 });
    expect([confirmed.status, confirmed.json]).toEqual([
      200,
      { campaignId: w.id, state: 'RUNNING', phase: 'APPLY', confirmedBy: 'admin', confirmedAt: day(14, 2), counts: waiting.awaitingConfirmation.counts },
    ]);
    expect((await w.call(ADMIN, 'GET', `/campaigns/${w.id}`)).json.awaitingConfirmation).toBeNull();
    // Confirmed twice (a retried request): the same answer, one record.
    expect((await w.call(ADMIN, 'POST', `/campaigns/${w.id}/confirm-apply`, { remove: 5 })).json).toEqual(confirmed.json);
    const records = (await collect(w.h.audit.listRecords(runChain(`${w.id}#1`)))).filter((r) => r.events.some((e) => e.type === 'APPLY_CONFIRMED'));
    expect(records.map((r) => r.events.map((e) => [e.type, e.actor, e.data.by]))).toEqual([[['APPLY_CONFIRMED', 'user:admin', 'admin']]]);

    // Nothing removed until the controller's next run; then every one of u1's reviewed items.
    expect((await w.h.directory.listAssignmentsOfUser('u1')).length).toBe(assignmentsBefore);
    const reviewed = (await w.h.campaigns.getEntryWithItems(u1(w.id)))!.items.length;
    await w.h.run(day(14, 3));
    expect((await w.h.campaigns.getCampaign(w.id))!.state).toBe('SUCCEEDED');
    expect((await w.h.directory.listAssignmentsOfUser('u1')).length).toBe(assignmentsBefore - reviewed);
  });

  it("an approver's Approval Start covers all of their entries and links their task list", async () => {
    const w = await world();
    const starts = w.h.mailer.sent.filter((m) => m.to === 'm1@example.com' && m.subject.startsWith('Action required'));
    expect(starts).toHaveLength(1);
    const entries = (await collect(w.h.campaigns.listEntries(`${w.id}#1`))).filter((e) => e.state === 'RUNNING' && e.approverIds.includes('m1'));
    expect(starts[0]!.body).toContain(`Reviews assigned to you (one per user or privilege): ${entries.length}\n`);
    expect(starts[0]!.body).toContain('Open your review tasks: https://idgov.example.com/tasks?approver=m1\n');
    expect(starts[0]!.body).not.toContain('/entries/');
  });
});

describe('the deployed handler', () => {
  it('takes the caller from the JWT only and ignores X-Idgov-User', async () => {
    const w = await world();
    const path = `/entries/${u1(w.id)}`;
    const asM1 = { headers: { 'x-idgov-user': 'm1' } };
    expect((await w.call(undefined, 'GET', path, undefined, asM1)).json.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await w.call(undefined, 'GET', path)).status).toBe(401);
    expect((await w.call(undefined, 'GET', path, undefined, { ...asM1, claims: { sub: 'x', token_use: 'access' } })).status).toBe(401);
    expect((await w.call('stranger@example.com', 'GET', path, undefined, asM1)).status).toBe(403);
    expect((await w.call(M2, 'GET', path, undefined, asM1)).status).toBe(403);
    // The email must be verified, and belong to an ACTIVE user; the match ignores case.
    expect((await w.call(M1, 'GET', path, undefined, { claims: { email: M1, email_verified: 'false' } })).status).toBe(403);
    expect((await w.call('gone@example.com', 'GET', '/tasks')).json.error.message).toMatch(/DISABLED/);
    expect((await w.call('M1@Example.COM', 'GET', path)).status).toBe(200);
  });

  it("answers a CORS preflight (OPTIONS, no token: the deployed route has no authorizer) with 204, reading nobody's data", async () => {
    const w = await world();
    const calls: string[] = [];
    const watched = createHandler(() => ({
      ...w.deps,
      directory: new Proxy(w.deps.directory, { get: (target, name) => (calls.push(String(name)), Reflect.get(target, name)) }),
    }));
    const response = await watched(apiEvent('OPTIONS', `/entries/${u1(w.id)}/decisions`, undefined, { origin: 'https://portal.example.com' }) as never);
    expect([response.statusCode, response.body]).toEqual([204, '']);
    expect(calls).toEqual([]);
  });

  it('answers 404 for an unknown route, 405 for a wrong method, and 500 without a stack', async () => {
    const w = await world();
    const unknown = await w.call(M1, 'GET', '/admin/campaigns');
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'NOT_FOUND']);
    const wrong = await w.call(M1, 'DELETE', `/entries/${u1(w.id)}`);
    expect([wrong.status, wrong.headers.allow, wrong.json.error.code]).toEqual([405, 'GET', 'METHOD_NOT_ALLOWED']);
    expect((await w.call(M1, 'GET', `/entries/${u1(w.id)}/decisions`)).headers.allow).toBe('POST');

    const broken = createHandler(() => ({
      ...w.deps,
      campaigns: new Proxy(w.deps.campaigns, {
        get: (target, name) => (name === 'listTasks' ? async () => Promise.reject(new Error('ProvisionedThroughputExceeded at secret-table')) : Reflect.get(target, name)),
      }),
    }));
    const response = await broken(apiEvent('GET', '/tasks', undefined, {}, { email: M1, email_verified: 'true' }) as never);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(w.log.errors).toHaveLength(1);
    expect(JSON.stringify(w.log.errors[0]!.extra)).toContain('secret-table');

    const startLog = new RecordingLog();
    const unconfigured = createHandler(
      () => {
        throw new Error('CAMPAIGN_TABLE_NAME: must be set');
      },
      w.clock,
      startLog,
    );
    const failed = await unconfigured(apiEvent('GET', '/tasks', undefined, {}, { email: M1, email_verified: 'true' }) as never);
    expect([failed.statusCode, JSON.parse(failed.body).error.code]).toEqual([500, 'INTERNAL']);
    expect(JSON.stringify(startLog.errors)).toContain('CAMPAIGN_TABLE_NAME: must be set');
  });
});

describe('the local server', () => {
  let server: ApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the same routes on 127.0.0.1 with the caller named by X-Idgov-User', async () => {
    const w = await world();
    server = await startApiServer({ deps: w.deps, port: 0, clock: w.clock });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const request = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
      const response = await fetch(`${server!.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      return { status: response.status, json: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };

    expect(await request('GET', '/tasks', {})).toMatchObject({ status: 401, json: { error: { code: 'UNAUTHENTICATED' } } });
    expect((await request('GET', '/tasks', { 'x-idgov-user': 'nobody' })).status).toBe(403);
    const tasks = await request('GET', '/tasks', { 'X-Idgov-User': 'm1' });
    expect(tasks.status).toBe(200);
    expect(tasks.json.tasks.map((t: { entryId: string }) => t.entryId)).toEqual([u1(w.id)]);

    const path = `/entries/${u1(w.id)}/decisions`;
    expect((await request('POST', path, { 'x-idgov-user': 'm1' }, 'not json')).json.error).toEqual({ code: 'VALIDATION', message: 'body: not valid JSON', field: 'body' });
    expect((await request('POST', path, { 'x-idgov-user': 'm2' }, JSON.stringify({ itemId: 'p-fin', outcome: 'APPROVE' }))).status).toBe(403);
    expect((await request('POST', path, { 'x-idgov-user': 'm1', 'x-idgov-now': 'tomorrow' }, '{}')).json.error.field).toBe('X-Idgov-Now');
    // X-Idgov-Now sets the time of the decision, as --now does for the CLI.
    const decided = await request('POST', path, { 'x-idgov-user': 'm1', 'x-idgov-now': day(5) }, JSON.stringify({ itemId: 'p-fin', outcome: 'APPROVE' }));
    expect(decided).toMatchObject({ status: 200, json: { decided: ['p-fin'], finished: false } });
    const item = (await w.h.campaigns.getEntryWithItems(u1(w.id)))!.items.find((i) => i.id === 'p-fin')!;
    expect(item.decision).toMatchObject({ outcome: 'APPROVE', decidedBy: 'm1', decidedAt: day(5) });
    expect((await request('PUT', '/tasks', { 'x-idgov-user': 'm1' })).status).toBe(405);
  });
});
