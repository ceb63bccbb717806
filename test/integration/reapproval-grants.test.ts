// The re-approval jobs' IAM grants (lib/constructs/reapproval-jobs.ts) against what their code sends:
// both handlers run over the Dynamo adapters on a local engine through a season of re-approval (a
// continuous start, a scheduled round, reminders, a timeout rule's approval, an escalation, a
// rejection, resets after a privilege is unflagged or changes mode), every DynamoDB command of the
// function's client is recorded, and each must be an action the function is granted on that table.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createInitializeHandler } from '../../lambdas/initialize-reapproval/handler.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import type { ApprovalWorkflow } from '../../lambdas/shared/domain/approvals/model.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { createHandler as createStartHandler } from '../../lambdas/start-reapproval/handler.js';
import { dynamoDbActionsOf, type TableAccess } from '../../lib/constructs/app-function.js';
import { REAPPROVAL_JOB_TABLE_ACCESS, type ReapprovalJobName } from '../../lib/constructs/reapproval-jobs.js';
import type { CreatedTables } from '../../src/local/engine.js';
import { RecordingMailer } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { aPrivilege, aUser, anAssignment } from '../support/fixtures.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const engine = useEngine();

type Table = keyof CreatedTables;
interface Sent {
  job: ReapprovalJobName;
  table: Table;
  action: string;
}

const T0 = Date.parse('2026-07-01T00:00:00.000Z');
const day = (d: number, hour = 0) => new Date(T0 + d * 86_400_000 + hour * 3_600_000).toISOString();

/** A step of a day: the scheduled and manual events both carry their instant; the manual form is enough. */
const at = (iso: string) => ({ now: iso });

/** Decided by its timeout rule after two days: the scheduled round's runs approve themselves. */
const SELF_APPROVING: ApprovalWorkflow = { id: 'wf-timeout-approves', name: 'Owner, approved when silent', steps: [{ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 2, onTimeout: 'APPROVE' }] };

describe("the re-approval jobs' grants cover every DynamoDB command they send", () => {
  const sent: Sent[] = [];
  let names: CreatedTables;
  let seed: DynamoDirectoryStore;
  let run: (job: ReapprovalJobName, nowIso: string) => Promise<unknown>;
  const results: Record<string, unknown> = {};

  beforeAll(async () => {
    const fresh = await engine.freshTables();
    names = fresh.names;
    // The jobs' own client: every command it sends is recorded, by job and table.
    let current: ReapprovalJobName = 'initialize-reapproval';
    record(fresh.doc, names, (table, action) => sent.push({ job: current, table, action }));
    const doc = fresh.doc;
    const options = { doc, batch: { baseDelayMs: 1 } };
    const directory = new DynamoDirectoryStore({ ...options, tableName: names.directory });
    const operations = new DynamoOperationsStore({ ...options, tableName: names.operations });
    const wallClock = { now: () => new Date('2030-01-01T00:00:00.000Z') };
    const initialize = createInitializeHandler(() => ({ directory, operations, wallClock, log: silentLog }));
    const start = createStartHandler(() => ({
      directory,
      operations,
      approvals: new DynamoApprovalStore({ ...options, tableName: names.campaign }),
      campaigns: new DynamoCampaignStore({ ...options, tableName: names.campaign }),
      outbox: new DynamoOutbox({ ...options, tableName: names.campaign }),
      audit: new InMemoryAuditLog(),
      mailer: new RecordingMailer(),
      portalUrl: 'https://portal.example',
      wallClock,
      log: silentLog,
    }));
    run = async (job, nowIso) => {
      current = job;
      const result = await (job === 'initialize-reapproval' ? initialize : start)(at(nowIso) as never);
      results[`${job} ${nowIso}`] = result;
      return result;
    };

    // Set up through a client of its own (an administrator's load), not recorded.
    seed = new DynamoDirectoryStore({ doc: engine.doc, tableName: names.directory, batch: { baseDelayMs: 1 } });
    await seed.putUsers([
      aUser({ id: 'u-boss' }),
      aUser({ id: 'u-owner', managerId: 'u-boss' }),
      ...['u-a', 'u-b', 'u-c', 'u-d', 'u-e'].map((id) => aUser({ id, managerId: 'u-boss' })),
    ]);
    await seed.putPrivileges([
      aPrivilege({ id: 'p-cont', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      aPrivilege({ id: 'p-sched', ownerIds: ['u-owner'], reapproval: { mode: 'SCHEDULED', workflowId: SELF_APPROVING.id } }),
      aPrivilege({ id: 'p-switch', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      aPrivilege({ id: 'p-unflag', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
    ]);
    await seed.putWorkflows([SELF_APPROVING]);
    await seed.putAssignments([
      anAssignment({ userId: 'u-a', privilegeId: 'p-cont', approvedAt: day(-40) }),
      anAssignment({ userId: 'u-b', privilegeId: 'p-sched' }),
      anAssignment({ userId: 'u-c', privilegeId: 'p-sched' }),
      anAssignment({ userId: 'u-d', privilegeId: 'p-switch', approvedAt: day(-1) }),
      anAssignment({ userId: 'u-e', privilegeId: 'p-unflag', approvedAt: day(-29) }),
    ]);
    await seed.putReapprovalConfig({ scheduledDate: day(0).slice(0, 10), reminders: { daysBeforeDue: 3, intervalHours: 24 } });
  }, 60_000);

  it('runs the season: each path the grants must cover is taken', async () => {
    await run('initialize-reapproval', day(0, 5));
    // The continuous one is due (40 days since its approval), and the round of day 0 starts.
    expect(await run('start-reapproval', day(0, 6))).toMatchObject({ started: { continuous: 1, scheduled: 2 }, round: { completed: true } });
    // p-unflag loses its settings: its holder, due on day 1, is sent back to initialization.
    await seed.putPrivileges([aPrivilege({ id: 'p-unflag', ownerIds: ['u-owner'] })]);
    expect(await run('start-reapproval', day(3, 6))).toMatchObject({ reset: 1, approved: 2 });
    // u-a's step, opened on day 0 at 06:00, is due 14 whole days later (day 15, 00:00): reminded from 3 days before.
    expect(await run('start-reapproval', day(12, 6))).toMatchObject({ reminded: 1 });
    expect(await run('start-reapproval', day(15, 6))).toMatchObject({ escalated: 1 });
    // p-switch becomes SCHEDULED: the next initialization moves its holder (due on day 29) over.
    await seed.putPrivileges([aPrivilege({ id: 'p-switch', ownerIds: ['u-owner'], reapproval: { mode: 'SCHEDULED' } })]);
    expect(await run('initialize-reapproval', day(29, 5))).toMatchObject({ reset: 1, scheduled: 1 });
    // The escalated step, due 14 whole days after its escalation (day 30, 00:00), times out: rejected.
    expect(await run('start-reapproval', day(30, 6))).toMatchObject({ rejected: 1 });

    expect(await seed.getAssignment('u-a', 'p-cont')).toBeUndefined();
    expect(await seed.getAssignment('u-b', 'p-sched')).toMatchObject({ lastReapprovalRound: day(0).slice(0, 10), approvedBy: `workflow:${SELF_APPROVING.id}` });
    expect(await seed.getAssignment('u-d', 'p-switch')).toMatchObject({ reapprovalMode: 'SCHEDULED' });
    expect(await seed.getAssignment('u-e', 'p-unflag')).not.toHaveProperty('reapprovalMode');
    expect(await seed.getRound(day(0).slice(0, 10))).toMatchObject({ started: 2, completedAt: day(0, 6) });
    expect((await seed.getPrivilege('p-switch'))?.reapprovalInitializedFor).toBe('SCHEDULED');

    // The writes the directory grants are about were sent.
    const actionsOf = (job: ReapprovalJobName, table: Table) => new Set(sent.filter((s) => s.job === job && s.table === table).map((s) => s.action));
    expect([...actionsOf('start-reapproval', 'directory')]).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:GetItem']));
    expect([...actionsOf('initialize-reapproval', 'directory')]).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query']));
    expect(actionsOf('start-reapproval', 'campaign').size).toBeGreaterThan(0);
    expect(actionsOf('initialize-reapproval', 'operations').size).toBeGreaterThan(0);
  });

  it.each(['initialize-reapproval', 'start-reapproval'] as const)('%s sends only the actions it is granted, on the tables it is bound to', (job) => {
    const granted = REAPPROVAL_JOB_TABLE_ACCESS[job] as Partial<Record<Table, TableAccess>>;
    const ofJob = sent.filter((s) => s.job === job);
    expect(ofJob.length).toBeGreaterThan(0);
    const refused = ofJob.filter((s) => {
      const access = granted[s.table];
      return !access || !(dynamoDbActionsOf(access) as string[]).includes(s.action);
    });
    expect([...new Set(refused.map((s) => `${s.action} on ${s.table}`))]).toEqual([]);
  });
});

/** Records each command the client sends, as the IAM action it needs and the table(s) it names. */
function record(doc: DynamoDBDocumentClient, names: CreatedTables, onSend: (table: Table, action: string) => void): void {
  const tableOf = new Map(Object.entries(names).map(([short, name]) => [name, short as Table]));
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown>; TransactItems?: unknown[] };
      const action = `dynamodb:${(context.commandName ?? '').replace(/Command$/, '')}`;
      const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
      if (tables.length === 0) throw new Error(`${action}: no table recorded (a command this test does not map)`);
      for (const name of tables) {
        const table = tableOf.get(name);
        if (!table) throw new Error(`${action} on an unknown table ${name}`);
        onSend(table, action);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordGrantedActions' },
  );
}
