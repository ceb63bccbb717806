// The approver API's other request bodies on 1,000 generated inputs each, through its own request
// handling: POST /entries/{id}/reassign (`{ to, justification, extendDays? }`) and POST
// /entries/{a-…}/decisions on an approval run (`{ itemId?, outcome, comment? }` or `{ all: … }`).
// Valid-shaped bodies, mutated ones, any JSON and text that is no JSON. Each is answered 200 (the
// change saved and recorded) or 400 naming the field, with the stores exactly as before; never a 500.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleApproverRequest, type RequestContext } from '../../lambdas/approver-api/routes.js';
import { InMemoryApprovalStore } from '../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import type { User } from '../../lambdas/shared/domain/model.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { sampleRun } from '../support/approval-run.js';
import { aCampaign, anEntry, anItem } from '../support/fixtures.js';
import { PROPERTY_RUNS, Verdicts, inputs, nastyString, snapshot } from '../support/properties.js';

const NOW = new Date('2026-07-05T10:00:00.000Z');
const person = (id: string): User => ({ id, displayName: `Name ${id}`, email: `${id}@example.com`, status: 'ACTIVE' });
const MANAGER = person('u-manager');
const OWNER = person('owner1');
const RUN = sampleRun();

async function world(caller: User) {
  const campaigns = new InMemoryCampaignStore();
  const approvals = new InMemoryApprovalStore();
  const audit = new InMemoryAuditLog();
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers([MANAGER, OWNER, person('u-alice'), person('u-bob'), person('sec1'), person('u1'), { ...person('u-gone'), status: 'DISABLED' }]);
  await campaigns.createCampaign(aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, statusExpirationDate: '2026-09-01T00:00:00.000Z' }));
  await campaigns.putEntriesWithItems([{ entry: anEntry(), items: [anItem()] }]);
  await approvals.createApproval(RUN);
  const ctx: RequestContext = {
    campaigns,
    directory,
    approvals,
    outbox: campaigns.outbox,
    audit,
    portalUrl: 'https://portal.example',
    log: silentLog,
    resolveCaller: async () => caller,
    now: NOW,
  };
  return { ctx, state: () => snapshot(campaigns, approvals, audit) };
}

const post = (path: string, body: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path }, requestId: 'r-1' },
  body,
  isBase64Encoded: false,
});

/** A body as a client sends it: valid-shaped, mutated, any JSON (weights of `inputs`), or no JSON at all. */
const raw = (valid: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { arbitrary: inputs(valid).map((b) => JSON.stringify(b) ?? 'null'), weight: 9 },
    { arbitrary: fc.oneof(nastyString, fc.constantFrom('{', '[]', '"to"', '')), weight: 1 },
  );

const reassignBody = fc.record(
  {
    to: fc.oneof({ arbitrary: fc.constant('u-bob'), weight: 6 }, { arbitrary: fc.constantFrom('u-manager', 'u-alice', 'u-gone', 'nobody', ' '), weight: 2 }),
    justification: fc.oneof({ arbitrary: fc.constantFrom('on leave until September', 'handover to the new team lead'), weight: 6 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 }, { arbitrary: fc.string({ minLength: 495, maxLength: 520 }), weight: 1 }),
    extendDays: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, -3, 1.5, 400)),
  },
  { requiredKeys: ['to', 'justification'] },
);

const approvalBody = fc.oneof(
  fc.record({ itemId: fc.oneof({ arbitrary: fc.constant(RUN.privilegeId), weight: 5 }, { arbitrary: fc.constantFrom('p-other', ''), weight: 1 }), outcome: fc.constantFrom('APPROVE', 'REJECT', 'MODIFY'), comment: fc.string({ maxLength: 40 }) }, { requiredKeys: ['outcome'] }),
  fc.record({ all: fc.record({ outcome: fc.constantFrom('APPROVE', 'REJECT', 'MAYBE'), comment: fc.string({ maxLength: 40 }) }, { requiredKeys: ['outcome'] }) }),
);

/** 200, or a 400 naming a field with nothing written; never anything else for the caller who may act. */
async function expectAnsweredOrRefused(caller: User, path: string, body: string, verdicts: Verdicts) {
  const w = await world(caller);
  const before = w.state();
  const response = await handleApproverRequest(post(path, body), w.ctx);
  const answer = JSON.parse(response.body) as { error?: { code: string; field?: string } };
  if (response.statusCode === 200) {
    verdicts.accept();
    expect(w.state(), 'the change is saved').not.toBe(before);
    return;
  }
  verdicts.refuse();
  expect(response.statusCode, `${response.body} for ${body.slice(0, 200)}`).toBe(400);
  expect(answer.error!.field, `a field named in ${response.body} for ${body.slice(0, 200)}`).toBeTruthy();
  expect(w.state(), 'nothing written').toBe(before);
}

describe('approver API bodies', () => {
  it('reassign: 200 with the entry handed over and recorded, or a 400 naming the field with nothing written', async () => {
    const verdicts = new Verdicts();
    await fc.assert(fc.asyncProperty(raw(reassignBody), (body) => expectAnsweredOrRefused(MANAGER, '/entries/e-1/reassign', body, verdicts)), PROPERTY_RUNS);
    verdicts.expectBoth();
  });

  it("an approval run's decision: 200 with the run moved on and recorded, or a 400 naming the field with nothing written", async () => {
    const verdicts = new Verdicts();
    await fc.assert(fc.asyncProperty(raw(approvalBody as fc.Arbitrary<Record<string, unknown>>), (body) => expectAnsweredOrRefused(OWNER, `/entries/${RUN.id}/decisions`, body, verdicts)), PROPERTY_RUNS);
    verdicts.expectBoth();
  });
});
