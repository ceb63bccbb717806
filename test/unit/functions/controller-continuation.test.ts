// The controller's continuation (docs/reference/scale.md): the continuation event and its refusals,
// the handler starting the next invocation when the budget ran out (and none past the cap), the
// Lambda self-invocation it uses on AWS, and the time budgets.
import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../lambdas/campaign-controller/handler.js';
import { continuationEventOf, MAX_CONTINUATIONS, parseJobEvent } from '../../../lambdas/shared/adapters/job-event.js';
import type { Continuation, InvocationContext } from '../../../lambdas/shared/adapters/job-handler.js';
import { LambdaSelfInvocation } from '../../../lambdas/shared/adapters/lambda-continuation.js';
import { fixedBudget, invocationBudget } from '../../../lambdas/shared/adapters/time-budget.js';
import { InMemoryApprovalStore } from '../../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { Log, TimeBudget } from '../../../lambdas/shared/use-cases/ports.js';
import { testEvidenceArchiver } from '../../support/evidence.js';
import { aCampaign, anAssignment, aUser, OWNER_ID } from '../../support/fixtures.js';

const NOW = '2026-07-01T06:00:00.000Z';

describe('the continuation event', () => {
  it('carries the run\'s instant and its place in the chain', () => {
    expect(continuationEventOf(new Date(NOW), 3)).toEqual({ now: NOW, continuation: 3 });
    expect(parseJobEvent({ now: NOW, continuation: 3 })).toEqual({ now: new Date(NOW), continuation: 3 });
    // Past the cap too: the handler, not the parser, stops the chain.
    expect(parseJobEvent({ now: NOW, continuation: MAX_CONTINUATIONS + 1 }).continuation).toBe(MAX_CONTINUATIONS + 1);
    expect(parseJobEvent({ now: NOW })).toEqual({ now: new Date(NOW) });
  });

  it.each([
    [{ now: NOW, continuation: 0 }, 'event.continuation', /at least 1/],
    [{ now: NOW, continuation: 1.5 }, 'event.continuation', /whole number/],
    [{ now: NOW, continuation: '2' }, 'event.continuation', /number/],
    [{ continuation: 2 }, 'event.now', /string/],
    [{ now: 'later', continuation: 2 }, 'event.now', /ISO 8601/],
    [{ now: NOW, continuation: 2, budget: 5 }, 'event.budget', /unknown field/],
  ])('refuses %j naming %s', (event, field, message) => {
    let issues: { field: string; message: string }[] = [];
    try {
      parseJobEvent(event);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      issues = (error as ValidationError).issues;
    }
    expect(issues.find((i) => i.field === field)?.message).toMatch(message);
  });
});

describe('the controller handler when its budget runs out', () => {
  /** A campaign of three subjects, one prepared per chunk, and no time: every invocation leaves work. */
  function world(continuation: Continuation) {
    const campaigns = new InMemoryCampaignStore();
    const directory = new InMemoryDirectoryStore();
    const errors: string[] = [];
    const log: Log = { info: () => {}, warn: () => {}, error: (message) => void errors.push(message) };
    const spent: TimeBudget = { hasTimeLeft: () => false, remainingMs: () => 0 };
    const handler = createHandler(async () => {
      const [approvals, outbox, audit] = [new InMemoryApprovalStore(), campaigns.outbox, new InMemoryAuditLog()];
      await directory.putUsers([
        aUser({ id: OWNER_ID }),
        aUser({ id: 'u-m' }),
        ...['u-a', 'u-b', 'u-c'].map((id) => aUser({ id, department: 'Finance', riskLevel: 'HIGH', managerId: 'u-m' })),
      ]);
      await directory.putAssignments(['u-a', 'u-b', 'u-c'].map((userId) => anAssignment({ userId })));
      await campaigns.createCampaign(aCampaign());
      return {
        directory,
        campaigns,
        approvals,
        outbox,
        operations: new InMemoryOperationsStore(),
        mailer: { send: async () => ({ messageId: 'm' }) },
        wallClock: { now: () => new Date(NOW) },
        log,
        settings: { portalUrl: 'https://idgov.example.com', leaseSeconds: 60 },
        audit,
        evidence: testEvidenceArchiver({ campaigns, approvals, outbox, audit }),
        continuation,
        budgetFor: () => spent,
        chunks: { prepare: { subjects: 1 } },
      };
    });
    return { handler, campaigns, errors };
  }

  const context: InvocationContext = { awsRequestId: 'r-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:idgov-controller' };

  it('starts the next invocation with the same instant and the next count, until the run is done', async () => {
    const started: { event: unknown; context?: InvocationContext }[] = [];
    const { handler, campaigns } = world({ start: async (event, ctx) => void started.push({ event, context: ctx }) });
    let report = await handler({ now: NOW }, context);
    expect(report).toMatchObject({ continue: true, unfinished: [{ campaignId: 'c-test', state: 'PREPARING' }] });
    expect(started).toEqual([{ event: { now: NOW, continuation: 1 }, context }]);
    while (report.continue) report = await handler(started.at(-1)!.event, context);
    expect((await campaigns.getCampaign('c-test'))!.state).toBe('RUNNING');
    // One step or chunk per invocation: START, three chunks of one subject, the announcement; then
    // one more look, since a spent budget cannot tell whether the running campaign has work due.
    expect(started.map((s) => (s.event as { continuation: number }).continuation)).toEqual([1, 2, 3, 4, 5]);
  });

  it(`starts none past the ${MAX_CONTINUATIONS}th continuation, and logs an error: the next scheduled run resumes`, async () => {
    const started: unknown[] = [];
    const { handler, errors } = world({ start: async (event) => void started.push(event) });
    expect(await handler({ now: NOW, continuation: MAX_CONTINUATIONS }, context)).toMatchObject({ continue: true });
    expect(started).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/after the last continuation allowed/)]);
    await handler({ now: NOW, continuation: MAX_CONTINUATIONS - 1 }, context);
    expect(started).toEqual([{ now: NOW, continuation: MAX_CONTINUATIONS }]);
  });

  it('fails the invocation when the continuation cannot be started, so that its retry resumes', async () => {
    const { handler, errors } = world({
      start: async () => {
        throw new Error('Rate exceeded (injected)');
      },
    });
    await expect(handler({ now: NOW }, context)).rejects.toThrow('Rate exceeded (injected)');
    expect(errors).toEqual([expect.stringMatching(/starting the continuation failed/)]);
  });
});

describe('LambdaSelfInvocation', () => {
  const lambda = mockClient(LambdaClient);
  const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:IdGovStateless-CampaignControllerFunction-AbC123';
  beforeEach(() => lambda.reset());

  it('invokes the function it runs as, asynchronously, with the continuation event', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await new LambdaSelfInvocation(new LambdaClient({ region: 'eu-west-1' })).start({ now: NOW, continuation: 2 }, { invokedFunctionArn: ARN });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toEqual({ FunctionName: ARN, InvocationType: 'Event', Payload: expect.any(Uint8Array) });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ now: NOW, continuation: 2 });
  });

  it('refuses without the invoked ARN, and when Lambda did not queue the event', async () => {
    const invoker = new LambdaSelfInvocation(new LambdaClient({ region: 'eu-west-1' }));
    await expect(invoker.start({ now: NOW, continuation: 1 }, {})).rejects.toThrow(/invokedFunctionArn/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(invoker.start({ now: NOW, continuation: 1 }, { invokedFunctionArn: ARN })).rejects.toThrow(/not queued \(status 200\)/);
  });
});

describe('time budgets', () => {
  it("on Lambda: the invocation's remaining time less the margin", () => {
    let remaining = 600_000;
    const budget = invocationBudget({ getRemainingTimeInMillis: () => remaining }, 180_000);
    expect(budget.remainingMs()).toBe(420_000);
    expect(budget.hasTimeLeft()).toBe(true);
    remaining = 180_001;
    expect(budget.hasTimeLeft()).toBe(true);
    remaining = 180_000;
    expect(budget.hasTimeLeft()).toBe(false);
    remaining = 5_000;
    expect(budget.remainingMs()).toBe(0);
  });

  it('locally: a fixed number of milliseconds from its start; 0 has no time at all', () => {
    let clock = 1_000;
    const budget = fixedBudget(250, () => clock);
    expect(budget.remainingMs()).toBe(250);
    clock += 249;
    expect(budget.hasTimeLeft()).toBe(true);
    clock += 1;
    expect(budget.hasTimeLeft()).toBe(false);
    expect(fixedBudget(0, () => clock).hasTimeLeft()).toBe(false);
    expect(() => fixedBudget(-1)).toThrow(RangeError);
    expect(() => fixedBudget(Number.NaN)).toThrow(RangeError);
  });
});
