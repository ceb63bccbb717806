// The approver API's routing of approval runs (lambdas/approver-api/routes.ts): GET /tasks lists
// campaign entries and runs with their `kind`; an id beginning `a-` is a run under GET /entries/{id}
// and POST /entries/{id}/decisions (through readApprovalAs and decideApproval, with the domain's
// re-approval configuration); a run is never reassigned. The approval use cases are stand-ins
// recording their calls (their behaviour is the engine's tests'): what is tested is the routing,
// the request checks and the views.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handleApproverRequest, type RequestContext } from '../../../lambdas/approver-api/routes.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { DEFAULT_REAPPROVAL_CONFIG, type ApprovalRun, type ReapprovalConfig } from '../../../lambdas/shared/domain/approvals/model.js';
import { ForbiddenError } from '../../../lambdas/shared/domain/errors.js';
import type { Entry, Item, User } from '../../../lambdas/shared/domain/model.js';
import type { AnyTask } from '../../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { sampleRun } from '../../support/approval-run.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const fake = vi.hoisted(() => ({
  tasks: [] as unknown[],
  run: undefined as unknown,
  decideCalls: [] as { deps: unknown; request: Record<string, unknown>; config: unknown; now: Date }[],
  readCalls: [] as unknown[][],
  listCalls: [] as unknown[][],
  refuse: undefined as Error | undefined,
}));

vi.mock('../../../lambdas/shared/use-cases/approvals/approval-tasks.js', () => ({
  listAllTasks: async (...args: unknown[]) => (fake.listCalls.push(args), fake.tasks),
  readApprovalAs: async (...args: unknown[]) => {
    fake.readCalls.push(args);
    if (fake.refuse) throw fake.refuse;
    return fake.run;
  },
  decideApproval: async (deps: unknown, request: Record<string, unknown>, config: unknown, now: Date) => {
    fake.decideCalls.push({ deps, request, config, now });
    if (fake.refuse) throw fake.refuse;
    const run = { ...(fake.run as ApprovalRun), state: 'APPROVED' as const };
    return { run, decided: [run.privilegeId], finished: true };
  },
}));

const NOW = new Date('2026-07-03T10:00:00.000Z');
const OWNER: User = { id: 'owner1', displayName: 'Olga Owner', email: 'owner1@example.com', status: 'ACTIVE' };
const run = sampleRun();

let stored: ReapprovalConfig | undefined;
let ctx: RequestContext;

beforeEach(() => {
  fake.tasks = [];
  fake.run = run;
  fake.decideCalls = [];
  fake.readCalls = [];
  fake.listCalls = [];
  fake.refuse = undefined;
  stored = undefined;
  ctx = {
    campaigns: new InMemoryCampaignStore(),
    directory: { getReapprovalConfig: async () => stored } as unknown as RequestContext['directory'],
    approvals: { name: 'approvals' } as unknown as RequestContext['approvals'],
    outbox: { name: 'outbox' } as unknown as RequestContext['outbox'],
    audit: new InMemoryAuditLog(),
    portalUrl: 'https://governance.example.com',
    log: silentLog,
    resolveCaller: async () => OWNER,
    now: NOW,
  };
});

function event(method: string, path: string, body?: unknown) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method, path }, requestId: 'r-1' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
}

async function call(method: string, path: string, body?: unknown) {
  const response = await handleApproverRequest(event(method, path, body), ctx);
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

const entry: Entry = {
  id: 'e-0123456789ab',
  campaignId: 'c-finance',
  runId: 'c-finance',
  subjectKind: 'USER',
  subjectId: 'u2',
  subjectName: 'Name u2',
  stage: 1,
  state: 'RUNNING',
  approverIds: ['owner1'],
  dueDate: '2026-07-15T00:00:00.000Z',
  itemCount: 1,
  createdAt: '2026-07-01T00:00:00.000Z',
  updatedAt: '2026-07-01T00:00:00.000Z',
  version: 1,
};
const item: Item = { entryId: entry.id, id: 'p-git', userId: 'u2', privilegeId: 'p-git', privilegeName: 'Git', privilegeRisk: 'LOW' };

describe('GET /tasks', () => {
  it("lists the caller's campaign entries and approval runs, each with its kind, in the use case's order", async () => {
    fake.tasks = [
      { kind: 'REAPPROVAL', dueDate: run.dueDate, approval: run },
      { kind: 'CAMPAIGN', dueDate: entry.dueDate, task: { entry, campaignName: 'Finance', items: [item], openItems: [item] } },
    ] satisfies AnyTask[];
    const { status, json } = await call('GET', '/tasks');
    expect(status).toBe(200);
    expect(fake.listCalls).toEqual([[ctx.campaigns, ctx.approvals, 'owner1']]);
    expect(json.tasks.map((t: { kind: string }) => t.kind)).toEqual(['REAPPROVAL', 'CAMPAIGN']);
    expect(json.tasks[0]).toEqual({
      kind: 'REAPPROVAL',
      entryId: run.id,
      taskId: run.id,
      purpose: 'REAPPROVAL',
      workflowId: 'two-step',
      workflowName: 'Owner, then security',
      step: 1,
      steps: 2,
      escalated: false,
      state: 'RUNNING',
      dueDate: '2026-07-08T06:00:00.000Z',
      overdue: false,
      subjectKind: 'USER',
      subjectId: 'u1',
      subjectName: 'Name u1',
      openItemIds: ['p-fin'],
      items: [
        {
          id: 'p-fin',
          userId: 'u1',
          privilegeId: 'p-fin',
          privilegeName: 'FinanceAdmin',
          privilegeRisk: 'HIGH',
          endDate: null,
          parameters: { region: 'eu' },
          grantedAt: '2025-01-10T00:00:00.000Z',
          approvedAt: '2026-04-02T00:00:00.000Z',
          approvedBy: 'owner1',
          decision: null,
        },
      ],
    });
    // A campaign task keeps the fields the API always gave it.
    expect(json.tasks[1]).toMatchObject({ kind: 'CAMPAIGN', entryId: entry.id, campaignName: 'Finance', stage: 1, itemCount: 1, openItemCount: 1 });
    expect(json.tasks[1].openItems[0]).toMatchObject({ id: 'p-git', open: true, decision: null });
  });

  it('shows a decided run (waiting for the next step to open) with no open item', async () => {
    const decision = { itemId: 'p-fin', outcome: 'APPROVE' as const, decidedBy: 'owner1', decidedAt: '2026-07-02T00:00:00.000Z' };
    fake.tasks = [{ kind: 'REAPPROVAL', dueDate: run.dueDate, approval: sampleRun({ decision, stepIndex: 1, escalated: true }) }];
    const [task] = (await call('GET', '/tasks')).json.tasks;
    expect(task).toMatchObject({ step: 2, steps: 2, escalated: true, openItemIds: [] });
    expect(task.items[0].decision).toEqual(decision);
  });
});

describe('GET /entries/{id}', () => {
  it('serves a run to one of its approvers, through readApprovalAs, with its step, approvers and history', async () => {
    const { status, json } = await call('GET', `/entries/${run.id}`);
    expect(status).toBe(200);
    // With the campaign store: a campaign hand-over is shown to its campaign's owner too.
    expect(fake.readCalls).toEqual([[ctx.approvals, run.id, 'owner1', ctx.campaigns]]);
    expect(json).toMatchObject({
      kind: 'REAPPROVAL',
      entryId: run.id,
      stepName: 'Owner',
      approverIds: ['owner1'],
      history: run.history,
      outcome: null,
      items: [expect.objectContaining({ id: 'p-fin' })],
    });
  });

  it('answers 403 for someone who is not a current approver, as for an entry', async () => {
    fake.refuse = new ForbiddenError(`owner1 is not an approver of ${run.id}`);
    expect(await call('GET', `/entries/${run.id}`)).toEqual({ status: 403, json: { error: { code: 'FORBIDDEN', message: `owner1 is not an approver of ${run.id}` } } });
  });

  it('keeps serving campaign entries (an e- id never reaches the approval use cases)', async () => {
    expect((await call('GET', '/entries/e-unknown')).status).toBe(404);
    expect(fake.readCalls).toEqual([]);
  });
});

describe('POST /entries/{id}/decisions on a run', () => {
  it('decides its item with the domain configuration, the caller as actor and the request time, and says how the run stands', async () => {
    stored = { scheduledDate: '2026-09-01', reminders: { daysBeforeDue: 2, intervalHours: 12 } };
    const { status, json } = await call('POST', `/entries/${run.id}/decisions`, { itemId: 'p-fin', outcome: 'APPROVE', comment: 'still needed' });
    expect(status).toBe(200);
    expect(json).toEqual({ kind: 'REAPPROVAL', entryId: run.id, state: 'APPROVED', decided: ['p-fin'], finished: true });
    expect(fake.decideCalls).toHaveLength(1);
    const [decided] = fake.decideCalls;
    expect(decided!.request).toEqual({ approvalId: run.id, actorId: 'owner1', itemId: 'p-fin', outcome: 'APPROVE', comment: 'still needed' });
    expect(decided!.config).toEqual(stored);
    expect(decided!.now).toEqual(NOW);
    expect(decided!.deps).toMatchObject({ directory: ctx.directory, approvals: ctx.approvals, campaigns: ctx.campaigns, outbox: ctx.outbox, portalUrl: ctx.portalUrl });
  });

  it('takes { all: { outcome } } for its one item, and the default configuration when none is stored', async () => {
    await call('POST', `/entries/${run.id}/decisions`, { all: { outcome: 'REJECT' } });
    expect(fake.decideCalls[0]!.request).toEqual({ approvalId: run.id, actorId: 'owner1', outcome: 'REJECT' });
    expect(fake.decideCalls[0]!.config).toEqual(DEFAULT_REAPPROVAL_CONFIG);
  });

  it.each([
    [{ itemId: 'p-fin', outcome: 'APPROVE', endDate: '2027-01-01' }, 'endDate'],
    [{ outcome: 'APPROVE' }, 'itemId'],
    [{ all: { outcome: 'APPROVE' }, itemId: 'p-fin' }, 'itemId'],
    [{ all: { outcome: 'APPROVE', privilegeId: 'p-fin' } }, 'all.privilegeId'],
  ])('refuses %j with 400 naming %s, deciding nothing', async (body, field) => {
    const { status, json } = await call('POST', `/entries/${run.id}/decisions`, body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 'VALIDATION', field });
    expect(fake.decideCalls).toEqual([]);
  });

  it("passes the use case's refusal on (403 for someone else)", async () => {
    fake.refuse = new ForbiddenError('u9 is not an approver of the current step');
    expect((await call('POST', `/entries/${run.id}/decisions`, { itemId: 'p-fin', outcome: 'APPROVE' })).status).toBe(403);
  });
});

describe('POST /entries/{id}/reassign on a run', () => {
  it('is refused with 400 naming id: a re-approval is not reassigned', async () => {
    const { status, json } = await call('POST', `/entries/${run.id}/reassign`, { to: 'u5', justification: 'on holiday for two weeks' });
    expect(status).toBe(400);
    expect(json).toEqual({ error: { code: 'VALIDATION', field: 'id', message: 'id: a re-approval is not reassigned' } });
  });
});
