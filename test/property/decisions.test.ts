// Decisions on 1,000 generated inputs each: the approver API's POST /entries/{id}/decisions bodies
// (one decision, a list, or `all`), through the API's own request handling, and the options of
// `idgov decide` (--approve, --reject, --end-date, --param, --remove-param, --comment), through the
// command's own parsing. Valid-shaped inputs for the entry's real items, mutated ones, and any JSON.
// Each is recorded (the items hold the decisions, the audit log one record) or refused naming a
// field (a 400 with its `field`; a ValidationError), with the stores exactly as before; never a 500.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleApproverRequest, type RequestContext } from '../../lambdas/approver-api/routes.js';
import { InMemoryApprovalStore } from '../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import type { User } from '../../lambdas/shared/domain/model.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { decisionFromOptions, type DecideOptions } from '../../src/cli/decisions.js';
import { aCampaign, aDecision, anEntry, anItem } from '../support/fixtures.js';
import { PROPERTY_RUNS, Verdicts, anyJson, expectNamedRefusal, inputs, isoDate, nastyString, snapshot, wrongValue } from '../support/properties.js';

const NOW = new Date('2026-07-05T10:00:00.000Z');
const APPROVER: User = { id: 'u-manager', displayName: 'Mia Manager', email: 'mia@example.com', status: 'ACTIVE' };
const ITEMS = ['p-fin', 'p-git', 'p-prod'];

/** A RUNNING entry of a RUNNING campaign with three items (p-prod with parameters, p-git decided already). */
async function world() {
  const campaigns = new InMemoryCampaignStore();
  const audit = new InMemoryAuditLog();
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers([APPROVER, { id: 'u-alice', displayName: 'Alice', email: 'alice@example.com', status: 'ACTIVE' }]);
  await campaigns.createCampaign(aCampaign({ state: 'RUNNING', phase: { name: 'DONE' } }));
  await campaigns.putEntriesWithItems([
    {
      entry: anEntry({ itemCount: 3 }),
      items: [
        anItem({ privilegeId: 'p-fin' }),
        anItem({ privilegeId: 'p-git', decision: aDecision() }),
        anItem({ privilegeId: 'p-prod', parameters: { region: 'eu', account: 'prod-1' } }),
      ],
    },
  ]);
  const ctx: RequestContext = {
    campaigns,
    directory,
    approvals: new InMemoryApprovalStore(),
    outbox: campaigns.outbox,
    audit,
    portalUrl: 'https://portal.example',
    log: silentLog,
    resolveCaller: async () => APPROVER,
    now: NOW,
  };
  return { campaigns, audit, ctx, state: () => snapshot(campaigns, audit) };
}

const future = fc.date({ min: new Date('2026-08-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
/** End dates a client may send: future ones (or null, "no end"), and now and then a past or malformed one. */
const endDate = fc.oneof({ arbitrary: future, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 }, { arbitrary: isoDate, weight: 1 });
/** Parameters to set or (null) remove: mostly those p-prod has. */
const parameters = fc.dictionary(fc.oneof({ arbitrary: fc.constantFrom('region', 'account'), weight: 5 }, { arbitrary: fc.constantFrom('project', ' '), weight: 1 }), fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant(null)), { minKeys: 1, maxKeys: 2 });
const comment = fc.oneof({ arbitrary: fc.string({ maxLength: 80 }), weight: 4 }, { arbitrary: fc.string({ minLength: 1990, maxLength: 2010 }), weight: 1 });

const decisionFor = (itemId: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.record({ itemId, outcome: fc.constantFrom('APPROVE', 'REJECT'), comment }, { requiredKeys: ['itemId', 'outcome'] }),
    fc.record({ itemId, outcome: fc.constant('MODIFY'), endDate, comment }, { requiredKeys: ['itemId', 'outcome', 'endDate'] }),
    fc.record({ itemId: fc.constant('p-prod'), outcome: fc.constant('MODIFY'), parameters, comment }, { requiredKeys: ['itemId', 'outcome', 'parameters'] }),
  );
const decision = decisionFor(fc.constantFrom(...ITEMS));
/** Decisions on distinct items, as a client deciding a page would send them. */
const decisionList = fc.shuffledSubarray(ITEMS, { minLength: 1 }).chain((ids) => fc.tuple(...ids.map((id) => decisionFor(fc.constant(id)))));

const body = fc.oneof(
  { arbitrary: decision, weight: 3 },
  { arbitrary: fc.record({ decisions: decisionList }), weight: 3 },
  { arbitrary: fc.record({ all: fc.record({ outcome: fc.constantFrom('APPROVE', 'REJECT', 'MODIFY'), comment: fc.string({ maxLength: 20 }), privilegeId: fc.constantFrom(...ITEMS, 'p-none') }, { requiredKeys: ['outcome'] }) }), weight: 2 },
  { arbitrary: fc.record({ decisions: fc.array(decision, { maxLength: 2 }), all: fc.constant({ outcome: 'APPROVE' }) }), weight: 1 },
);

/** An API Gateway HTTP API (v2) event; the body as the client sent it, or text that is no JSON at all. */
const request = (raw: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/entries/e-1/decisions',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path: '/entries/e-1/decisions' }, requestId: 'r-1' },
  body: raw,
  isBase64Encoded: false,
});

const rawBody = fc.oneof(
  { arbitrary: inputs(body as fc.Arbitrary<Record<string, unknown>>).map((b) => JSON.stringify(b) ?? 'null'), weight: 9 },
  { arbitrary: fc.oneof(nastyString, fc.constantFrom('{', '[1,', '{"decisions":', '')), weight: 1 },
);

describe('decisions', () => {
  it('API bodies: 200 and recorded, or a 4xx naming the field with nothing written; never a 500', async () => {
    const verdicts = new Verdicts();
    await fc.assert(
      fc.asyncProperty(rawBody, async (raw) => {
        const w = await world();
        const before = w.state();
        const response = await handleApproverRequest(request(raw), w.ctx);
        const answer = JSON.parse(response.body) as { error?: { code: string; field?: string; message: string }; decided?: string[] };
        expect(response.statusCode, `${response.body} for ${raw.slice(0, 200)}`).not.toBe(500);
        if (response.statusCode === 200) {
          verdicts.accept();
          const loaded = (await w.campaigns.getEntryWithItems('e-1'))!;
          for (const id of answer.decided!) expect(loaded.items.find((i) => i.id === id)!.decision).toMatchObject({ decidedBy: APPROVER.id, decidedAt: NOW.toISOString() });
          expect(w.audit.chains.get('run:c-test#1')).toHaveLength(1);
          return;
        }
        verdicts.refuse();
        expect(response.statusCode, response.body).toBe(400);
        expect(answer.error!.field, `a field named in ${response.body} for ${raw.slice(0, 200)}`).toBeTruthy();
        expect(w.state(), 'nothing written').toBe(before);
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth();
  });

  /** The forms `idgov decide` documents (one of --approve, --reject, or a modification), and any mix of options. */
  const cliOptions: fc.Arbitrary<DecideOptions> = fc.oneof(
    { arbitrary: fc.record({ as: fc.constant(APPROVER.id), approve: fc.constant(true), param: fc.constant<string[]>([]), removeParam: fc.constant<string[]>([]), comment: fc.string({ maxLength: 30 }) }, { requiredKeys: ['as', 'approve', 'param', 'removeParam'] }), weight: 2 },
    { arbitrary: fc.record({ as: fc.constant(APPROVER.id), reject: fc.constant(true), param: fc.constant<string[]>([]), removeParam: fc.constant<string[]>([]) }), weight: 2 },
    { arbitrary: fc.record({ as: fc.constant(APPROVER.id), endDate: fc.oneof(future, fc.constant('none')), param: fc.constant<string[]>([]), removeParam: fc.constant<string[]>([]) }), weight: 2 },
    {
      arbitrary: fc.record(
        {
          as: fc.constant(APPROVER.id),
          approve: fc.boolean(),
          reject: fc.boolean(),
          endDate: fc.oneof(isoDate, fc.constantFrom('none', 'NONE', 'tomorrow', '')),
          param: fc.array(fc.oneof(fc.constantFrom('region=us', 'account=prod-2', 'project=', '=x', 'noequals', ' region = eu '), fc.string({ maxLength: 10 })), { maxLength: 2 }),
          removeParam: fc.array(fc.oneof(fc.constantFrom('region', 'account', 'project', '', 'a=b'), fc.string({ maxLength: 6 })), { maxLength: 2 }),
          comment: fc.string({ maxLength: 30 }),
        },
        { requiredKeys: ['as', 'param', 'removeParam'] },
      ),
      weight: 4,
    },
  );

  it('`idgov decide` options: recorded, or refused naming the option or field with nothing written', async () => {
    const verdicts = new Verdicts();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ITEMS, 'p-none'), cliOptions, async (itemId, options) => {
        const w = await world();
        const before = w.state();
        try {
          const d = decisionFromOptions(itemId, options);
          await decide({ campaigns: w.campaigns, audit: w.audit }, { entryId: 'e-1', actorId: options.as, decisions: [d] }, NOW);
        } catch (error) {
          expectNamedRefusal(error, options);
          expect(w.state(), 'nothing written').toBe(before);
          verdicts.refuse();
          return;
        }
        verdicts.accept();
        expect((await w.campaigns.getEntryWithItems('e-1'))!.items.find((i) => i.id === itemId)!.decision?.decidedAt).toBe(NOW.toISOString());
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth();
  });

  it('the decide use case itself, given any decisions list: recorded, or refused naming a field with nothing written', async () => {
    const verdicts = new Verdicts();
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: decisionList as fc.Arbitrary<unknown[]>, weight: 5 }, { arbitrary: fc.array(fc.oneof(decision as fc.Arbitrary<unknown>, inputs(decision as fc.Arbitrary<Record<string, unknown>>), wrongValue, anyJson), { maxLength: 3 }), weight: 5 }), async (decisions) => {
        const w = await world();
        const before = w.state();
        try {
          await decide({ campaigns: w.campaigns, audit: w.audit }, { entryId: 'e-1', actorId: APPROVER.id, decisions }, NOW);
        } catch (error) {
          expectNamedRefusal(error, decisions);
          expect(w.state(), 'nothing written').toBe(before);
          verdicts.refuse();
          return;
        }
        verdicts.accept();
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth();
  });
});
