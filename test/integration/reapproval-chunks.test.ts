// The re-approval jobs in time-budgeted chunks (docs/reference/reapproval.md, "Chunks and
// continuations"), through their Lambda handlers on the Dynamo adapters and a real engine: with an
// invocation that has no time left (each does one chunk), every run is a chain of invocations, each
// continuation sent to "the function itself" (a fake Lambda queue that delivers it to the handler,
// as InvocationType Event would). A season of re-approval (initialization, continuous starts with
// failures, a scheduled round, outcomes, reminders, escalations, a change of mode) must end in
// exactly the state of the same season run without a budget: the same tables, the same approval
// runs, the same notices and audit records, and each mail sent once.
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createHandler as createInitializeHandler } from '../../lambdas/initialize-reapproval/handler.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import type { continuationEventOf } from '../../lambdas/shared/adapters/job-event.js';
import type { InvocationContext } from '../../lambdas/shared/adapters/job-handler.js';

type ContinuationEvent = ReturnType<typeof continuationEventOf>;
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import type { ApprovalWorkflow } from '../../lambdas/shared/domain/approvals/model.js';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { createHandler as createStartHandler } from '../../lambdas/start-reapproval/handler.js';
import { RecordingMailer } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { aPrivilege, aUser, anAssignment } from '../support/fixtures.js';

const engine = useEngine();

const T0 = Date.parse('2026-07-01T00:00:00.000Z');
const day = (d: number, hour = 0) => new Date(T0 + d * 86_400_000 + hour * 3_600_000).toISOString();
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:idgov-job';
/** Holders of each flagged privilege: more than one chunk (25) of every phase. */
const HOLDERS = Array.from({ length: 26 }, (_, i) => `u-${String(i).padStart(2, '0')}`);
const SELF_APPROVING: ApprovalWorkflow = { id: 'wf-timeout-approves', name: 'Owner, approved when silent', steps: [{ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 2, onTimeout: 'APPROVE' }] };

type ChunkedJob = Extract<JobName, 'initialize-reapproval' | 'start-reapproval'>;
interface Invocation {
  job: ChunkedJob;
  event: unknown;
}

/** A fresh set of tables, seeded, with both jobs' handlers; `budgeted` runs each invocation with no time left. */
async function season(budgeted: boolean) {
  const { doc, names } = await engine.freshTables();
  const options = { doc, pageSize: 10, batch: { baseDelayMs: 1 } };
  const directory = new DynamoDirectoryStore({ ...options, tableName: names.directory });
  const operations = new DynamoOperationsStore({ ...options, tableName: names.operations });
  const audit = new InMemoryAuditLog();
  const mailer = new RecordingMailer();
  const wallClock = { now: () => new Date('2030-01-01T00:00:00.000Z') };
  // Lambda's queue of asynchronous invocations: what each handler sent to itself, delivered in turn.
  const queue: Invocation[] = [];
  const continuation = (job: ChunkedJob) => ({
    start: async (event: ContinuationEvent, context?: InvocationContext) => {
      expect(context?.invokedFunctionArn).toBe(ARN);
      queue.push({ job, event });
    },
  });
  const handlers = {
    'initialize-reapproval': createInitializeHandler(() => ({ directory, operations, wallClock, log: silentLog, continuation: continuation('initialize-reapproval') })),
    'start-reapproval': createStartHandler(() => ({
      directory,
      operations,
      approvals: new DynamoApprovalStore({ ...options, tableName: names.campaign }),
      campaigns: new DynamoCampaignStore({ ...options, tableName: names.campaign }),
      outbox: new DynamoOutbox({ ...options, tableName: names.campaign }),
      audit,
      mailer,
      portalUrl: 'https://portal.example',
      wallClock,
      log: silentLog,
      continuation: continuation('start-reapproval'),
    })),
  } as const;
  // A Lambda context: the function's ARN, and no time beyond the budget's margin.
  const context: InvocationContext | undefined = budgeted ? { invokedFunctionArn: ARN, getRemainingTimeInMillis: () => 1_000 } : undefined;
  const invocations: Invocation[] = [];

  /** One scheduled run of `job`, followed by every continuation it sends itself. */
  const run = async (job: keyof typeof handlers, iso: string) => {
    queue.push({ job, event: { now: iso } });
    const chain: Invocation[] = [];
    for (let next = queue.shift(); next; next = queue.shift()) {
      chain.push(next);
      await handlers[next.job](next.event, context);
    }
    invocations.push(...chain);
    return chain;
  };

  await directory.putUsers([aUser({ id: 'u-boss' }), aUser({ id: 'u-owner', managerId: 'u-boss' }), ...HOLDERS.map((id) => aUser({ id, managerId: 'u-boss' }))]);
  await directory.putPrivileges([
    aPrivilege({ id: 'p-cont', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
    aPrivilege({ id: 'p-sched', ownerIds: ['u-owner'], reapproval: { mode: 'SCHEDULED', workflowId: SELF_APPROVING.id } }),
    aPrivilege({ id: 'p-switch', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
    // Its workflow is unknown: each start fails and stays in the due index, retried every day.
    aPrivilege({ id: 'p-broken', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30, workflowId: 'wf-missing' } }),
  ]);
  await directory.putWorkflows([SELF_APPROVING]);
  await directory.putAssignments([
    ...HOLDERS.flatMap((userId) => [anAssignment({ userId, privilegeId: 'p-cont', approvedAt: day(-40) }), anAssignment({ userId, privilegeId: 'p-sched' })]),
    ...HOLDERS.slice(0, 5).map((userId) => anAssignment({ userId, privilegeId: 'p-switch', approvedAt: day(-1) })),
    ...HOLDERS.slice(0, 3).map((userId) => anAssignment({ userId, privilegeId: 'p-broken', approvedAt: day(-40) })),
  ]);
  await directory.putReapprovalConfig({ scheduledDate: day(0).slice(0, 10), reminders: { daysBeforeDue: 3, intervalHours: 24 } });

  const days = async () => {
    await run('initialize-reapproval', day(0, 5));
    // 26 continuous starts (3 more fail) and the round of 26; then the self-approving runs'
    // outcomes with the continuous runs' reminders; then p-switch's move to SCHEDULED.
    await run('start-reapproval', day(0, 6));
    await run('start-reapproval', day(12, 6));
    await directory.putPrivileges([aPrivilege({ id: 'p-switch', ownerIds: ['u-owner'], reapproval: { mode: 'SCHEDULED' } })]);
    await run('initialize-reapproval', day(29, 5));
    await run('start-reapproval', day(29, 6));
  };
  return { doc, names, audit, mailer, directory, run, days, invocations };
}

/** Every item of a table (a test may scan), by key; a notification's send bookkeeping left out (claims and message ids differ by run). */
async function tableState(doc: DynamoDBDocumentClient, tableName: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const withoutBookkeeping = ({ claimedBy: _c, claimExpiresAt: _e, messageId: _m, ...rest }: Record<string, unknown>) => rest;
  return items.map(withoutBookkeeping).sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

const auditState = (audit: InMemoryAuditLog) =>
  Object.fromEntries([...audit.chains].map(([chainId, records]) => [chainId, records.map((r) => r.eventKey).sort()]));

const mailKeys = (mailer: RecordingMailer) => mailer.sent.map((m) => `${m.to}|${m.subject}|${m.body}`).sort();

describe('the re-approval jobs in chunks, continued by invocations of themselves', () => {
  it('end a season in the state of the same season run without a budget: nothing lost, nothing started, sent or recorded twice', async () => {
    const unlimited = await season(false);
    await unlimited.days();
    const chunked = await season(true);
    await chunked.days();

    // Without a budget each run is one invocation; with none left, a chain of them.
    expect(unlimited.invocations).toHaveLength(5);
    expect(chunked.invocations.length).toBeGreaterThan(15);
    const continued = chunked.invocations.filter((i) => 'continuation' in (i.event as object)).map((i) => ({ job: i.job, ...(i.event as ContinuationEvent) }));
    // Each continuation keeps its run's business time, and counts up from 1.
    const scheduledTimes = new Set([day(0, 5), day(0, 6), day(12, 6), day(29, 5), day(29, 6)]);
    for (const c of continued) expect(scheduledTimes.has(c.now)).toBe(true);
    expect(continued.filter((c) => c.job === 'start-reapproval' && c.now === day(0, 6)).map((c) => c.continuation)).toEqual([1, 2, 3, 4]);
    // Every phase was cut somewhere: the due index, the round, the runs needing action, the privileges.
    const phases = new Set(continued.map((c) => (c.cursor as { phase?: string }).phase ?? (c.cursor as { afterPrivilege?: string }).afterPrivilege));
    expect([...phases].sort()).toEqual(expect.arrayContaining(['DISPATCH', 'DUE', 'PROGRESS', 'ROUND', 'p-broken', 'p-cont', 'p-sched']));

    // The same directory (assignments, rounds, privileges' marks) and campaign table (runs, notices).
    expect(await tableState(chunked.doc, chunked.names.directory)).toEqual(await tableState(unlimited.doc, unlimited.names.directory));
    const runs = await tableState(chunked.doc, chunked.names.campaign);
    expect(runs).toEqual(await tableState(unlimited.doc, unlimited.names.campaign));
    expect(runs.filter((r) => r.entity === 'approval')).toHaveLength(HOLDERS.length * 2);
    expect(auditState(chunked.audit)).toEqual(auditState(unlimited.audit));

    // Each notice mailed once: as many mails as SENT notices, the same as without a budget.
    const sent = runs.filter((r) => r.status === 'SENT');
    expect(sent.length).toBeGreaterThan(HOLDERS.length * 2);
    expect(chunked.mailer.sent).toHaveLength(sent.length);
    expect(mailKeys(chunked.mailer)).toEqual(mailKeys(unlimited.mailer));

    // What the season did, to be sure it did something.
    expect(await chunked.directory.getRound(day(0).slice(0, 10))).toMatchObject({ started: HOLDERS.length, completedAt: day(0, 6) });
    expect(await chunked.directory.getAssignment('u-00', 'p-broken')).toMatchObject({ reapprovalMode: 'CONTINUOUS' });
    expect(await chunked.directory.getAssignment('u-00', 'p-switch')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect((await chunked.directory.getPrivilege('p-switch'))?.reapprovalInitializedFor).toBe('SCHEDULED');
  }, 240_000);
});
