// One contract for the re-approval ports (ReapprovalDirectory beside the directory, ApprovalStore
// beside the campaigns), run against the in-memory stores the use-case tests rely on and against the
// Dynamo adapters on a real engine (dynalite, or DynamoDB Local with IDGOV_TEST_ENGINE=dynamodb-local):
// the sparse indexes the jobs read, the conditional transitions, and the approval runs' task lists.
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { InMemoryApprovalStore } from '../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { DEFAULT_WORKFLOW, type ApprovalRun, type ApprovalWorkflow, type ReapprovalConfig } from '../../lambdas/shared/domain/approvals/model.js';
import { ConflictError } from '../../lambdas/shared/domain/errors.js';
import type { Assignment, Privilege } from '../../lambdas/shared/domain/model.js';
import type { ApprovalStore, CampaignStore, DirectoryStore, Pages, ReapprovalDirectory } from '../../lambdas/shared/use-cases/ports.js';
import { useEngine } from '../support/engine.js';
import { aPrivilege, anAssignment, anEntry, anItem } from '../support/fixtures.js';

interface Stores {
  directory: DirectoryStore & ReapprovalDirectory;
  approvals: ApprovalStore;
  campaigns: CampaignStore;
  /**
   * Runs `change` inside the next directory load, between its read of the stored assignments and its
   * writes (DynamoDB: after the next BatchGetItem answers). The in-memory load reads and writes each
   * assignment at once, so there the change can only come before it.
   */
  duringNextLoad(change: () => Promise<unknown>): void;
}

/** Small pages, so that every list crosses page boundaries. */
const PAGE_SIZE = 7;
const engine = useEngine();

const implementations: { name: string; make: () => Promise<Stores> }[] = [
  {
    name: 'in-memory',
    make: async () => {
      const directory = new InMemoryDirectoryStore({ pageSize: PAGE_SIZE });
      const load = directory.putAssignments.bind(directory);
      let pending: (() => Promise<unknown>) | undefined;
      directory.putAssignments = async (assignments) => {
        const change = pending;
        pending = undefined;
        await change?.();
        return load(assignments);
      };
      return {
        directory,
        approvals: new InMemoryApprovalStore({ pageSize: PAGE_SIZE }),
        campaigns: new InMemoryCampaignStore({ pageSize: PAGE_SIZE }),
        duringNextLoad: (change) => void (pending = change),
      };
    },
  },
  {
    name: `dynamo on ${engine.kind}`,
    make: async () => {
      const { doc, names } = await engine.freshTables();
      const options = { doc, pageSize: PAGE_SIZE, batch: { baseDelayMs: 1 } };
      let pending: (() => Promise<unknown>) | undefined;
      doc.middlewareStack.add(
        (next, context) => async (args) => {
          const output = await next(args);
          if (context.commandName === 'BatchGetItemCommand' && pending) {
            const change = pending;
            pending = undefined;
            await change();
          }
          return output;
        },
        { step: 'initialize', name: 'duringNextLoad' },
      );
      return {
        directory: new DynamoDirectoryStore({ ...options, tableName: names.directory }),
        approvals: new DynamoApprovalStore({ ...options, tableName: names.campaign }),
        campaigns: new DynamoCampaignStore({ ...options, tableName: names.campaign }),
        duringNextLoad: (change) => void (pending = change),
      };
    },
  },
];

async function pages<T>(stream: Pages<T>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of stream) all.push(page);
  return all;
}
const collect = async <T>(stream: Pages<T>): Promise<T[]> => (await pages(stream)).flat();
const ids = (values: { id: string }[]) => values.map((v) => v.id);
const holders = (assignments: Assignment[]) => assignments.map((a) => `${a.userId}/${a.privilegeId}`);
const sorted = (values: string[]) => [...values].sort();

const T0 = '2026-07-01T00:00:00.000Z';
const day = (d: number) => new Date(Date.parse(T0) + d * 86_400_000).toISOString();
const justBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
/** Bounds past every date and round: membership of an index whatever the date. */
const EVER = '9999-12-31T00:00:00.000Z';
const EVERY_ROUND = '9999-12-31';

const continuous = (intervalDays = 90): Privilege['reapproval'] => ({ mode: 'CONTINUOUS', intervalDays });
const running = (approvalId: string) => ({ approvalId, startedAt: T0 });

function aWorkflow(overrides: Partial<ApprovalWorkflow> = {}): ApprovalWorkflow {
  return {
    id: 'w-finance',
    name: 'Manager, then owner',
    steps: [
      { name: 'Manager', approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'ESCALATE', afterEscalation: 'APPROVE' },
      { approvers: ['PRIVILEGE_OWNER', 'u-ciso'], timeoutDays: 14, onTimeout: 'REJECT' },
    ],
    ...overrides,
  };
}

function aRun(overrides: Partial<ApprovalRun> = {}): ApprovalRun {
  const approverIds = overrides.approverIds ?? ['u-owner'];
  return {
    id: 'a-1',
    purpose: { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: T0, intervalDays: 90 },
    userId: 'u-alice',
    privilegeId: 'p-admin',
    userName: 'Alice',
    privilegeName: 'Admin',
    privilegeRisk: 'HIGH',
    workflow: DEFAULT_WORKFLOW,
    stepIndex: 0,
    escalated: false,
    approverIds,
    stepStartedAt: T0,
    dueDate: day(14),
    state: 'RUNNING',
    history: [{ at: T0, type: 'STEP_STARTED', step: 0, approverIds }],
    nextActionAt: day(11),
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

for (const { name, make } of implementations) {
  describe(`approvals contract: ${name}`, () => {
    let s: Stores;
    beforeEach(async () => {
      s = await make();
    });

    /** Which re-approval lists hold the assignment, with bounds past every date and round. */
    async function listsOf(userId: string, privilegeId: string): Promise<string[]> {
      const has = (list: Assignment[]) => list.some((a) => a.userId === userId && a.privilegeId === privilegeId);
      const found: string[] = [];
      if (has(await collect(s.directory.listAwaitingInitialization(privilegeId)))) found.push('AWAITING');
      if (has(await collect(s.directory.listDueAssignments(EVER)))) found.push('DUE');
      if (has(await collect(s.directory.listScheduledAssignments(EVERY_ROUND)))) found.push('SCHEDULED');
      return found;
    }

    describe('workflows, configuration and rounds', () => {
      it('workflows are replaced by id and listed in id order; the default workflow is not stored', async () => {
        expect(await s.directory.listWorkflows()).toEqual([]);
        expect(await s.directory.getWorkflow(DEFAULT_WORKFLOW.id)).toBeUndefined();

        const many = Array.from({ length: 9 }, (_, i) => aWorkflow({ id: `w-${8 - i}`, name: `Workflow ${8 - i}` }));
        const finance = aWorkflow({ description: 'Two steps', loadedAt: T0, loadedBy: 'u-admin' });
        await s.directory.putWorkflows([...many, finance]);
        expect(await s.directory.getWorkflow('w-finance')).toEqual(finance);
        expect(ids(await s.directory.listWorkflows())).toEqual([...many.map((w) => w.id).sort(), 'w-finance']);

        const reloaded: ApprovalWorkflow = { id: 'w-finance', name: 'Owner only', steps: [{ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 3, onTimeout: 'APPROVE' }], loadedAt: day(1), loadedBy: 'u-admin2' };
        await s.directory.putWorkflows([reloaded]);
        expect(await s.directory.getWorkflow('w-finance')).toEqual(reloaded);
        const listed = await s.directory.listWorkflows();
        expect(listed).toHaveLength(10);
        expect(listed.at(-1)).toEqual(reloaded);
        expect(await s.directory.getWorkflow('w-unknown')).toBeUndefined();
      });

      it('the configuration and each round read back as last put; absent ones are undefined', async () => {
        expect(await s.directory.getReapprovalConfig()).toBeUndefined();
        const config: ReapprovalConfig = { scheduledDate: '2026-09-01', reminders: { daysBeforeDue: 5, intervalHours: 12 }, updatedAt: T0, updatedBy: 'u-admin' };
        await s.directory.putReapprovalConfig(config);
        expect(await s.directory.getReapprovalConfig()).toEqual(config);
        const rescheduled: ReapprovalConfig = { reminders: { daysBeforeDue: 3, intervalHours: 24 } };
        await s.directory.putReapprovalConfig(rescheduled);
        expect(await s.directory.getReapprovalConfig()).toEqual(rescheduled);

        expect(await s.directory.getRound('2026-09-01')).toBeUndefined();
        await s.directory.putRound({ date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 40 });
        await s.directory.putRound({ date: '2027-03-01', startedAt: '2027-03-01T06:00:00.000Z', started: 2 });
        const completed = { date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 41, completedAt: '2026-09-02T06:00:00.000Z' };
        await s.directory.putRound(completed);
        expect(await s.directory.getRound('2026-09-01')).toEqual(completed);
        expect(await s.directory.getRound('2027-03-01')).toEqual({ date: '2027-03-01', startedAt: '2027-03-01T06:00:00.000Z', started: 2 });
        expect(await s.directory.getRound('2026-09-02')).toBeUndefined();
      });

      it('putRound keeps the first startedAt of a round and never removes its completedAt', async () => {
        await s.directory.putRound({ date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 0 });
        // A second run that also found no record (both began the round): the first start stands.
        await s.directory.putRound({ date: '2026-09-01', startedAt: '2026-09-01T06:00:05.000Z', started: 4 });
        expect(await s.directory.getRound('2026-09-01')).toEqual({ date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 4 });
        await s.directory.putRound({ date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 5, completedAt: '2026-09-02T06:00:00.000Z' });
        await s.directory.putRound({ date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 5 });
        expect(await s.directory.getRound('2026-09-01')).toEqual({ date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 5, completedAt: '2026-09-02T06:00:00.000Z' });
      });
    });

    describe('flagged privileges and assignments', () => {
      it('listFlaggedPrivileges lists the privileges with re-approval settings in id order, a page at a time, and follows a reload', async () => {
        const flagged = Array.from({ length: 10 }, (_, i) =>
          aPrivilege({
            id: `p-${String(9 - i).padStart(2, '0')}`,
            reapproval: i % 2 ? { mode: 'SCHEDULED', workflowId: 'w-finance' } : continuous(30 + i),
            approvalWorkflowId: 'w-finance',
          }),
        );
        const plain = [aPrivilege({ id: 'p-00a' }), aPrivilege({ id: 'p-zz', approvalWorkflowId: 'w-finance' })];
        await s.directory.putPrivileges([...flagged, ...plain]);

        const listed = await pages(s.directory.listFlaggedPrivileges());
        expect(listed.length).toBeGreaterThanOrEqual(2);
        expect(ids(listed.flat())).toEqual(flagged.map((p) => p.id).sort());
        expect(listed.flat().find((p) => p.id === 'p-03')).toEqual(flagged.find((p) => p.id === 'p-03'));

        // Unflagged and flagged by a later load.
        const { reapproval: _dropped, ...unflagged } = flagged.find((p) => p.id === 'p-05')!;
        await s.directory.putPrivileges([unflagged, { ...plain[0]!, reapproval: continuous(7) }]);
        const after = ids(await collect(s.directory.listFlaggedPrivileges()));
        expect(after).toContain('p-00a');
        expect(after).not.toContain('p-05');
        expect(after).toHaveLength(10);
      });

      it('listFlaggedPrivileges and listHoldersOfPrivilege resume past an id', async () => {
        await s.directory.putPrivileges(['p-a', 'p-b', 'p-c', 'p-d'].map((id) => aPrivilege({ id, reapproval: continuous() })));
        expect(ids(await collect(s.directory.listFlaggedPrivileges({ after: 'p-b' })))).toEqual(['p-c', 'p-d']);
        expect(ids(await collect(s.directory.listFlaggedPrivileges({ after: 'p-bb' })))).toEqual(['p-c', 'p-d']);
        const users = Array.from({ length: 10 }, (_, i) => `u-${i}`);
        await s.directory.putAssignments([...users.map((userId) => anAssignment({ userId, privilegeId: 'p-a' })), anAssignment({ userId: 'u-9x', privilegeId: 'p-a', origin: 'RULE' })]);
        expect(holders(await collect(s.directory.listHoldersOfPrivilege('p-a', 'MANUAL', { after: 'u-2' })))).toEqual(users.slice(3).map((u) => `${u}/p-a`));
        expect(await collect(s.directory.listHoldersOfPrivilege('p-a', 'MANUAL', { after: 'u-9' }))).toEqual([]);
      });

      it('recordReapprovalInitialized marks a privilege with the mode it still has; a load replacing the privilege drops the mark', async () => {
        await s.directory.putPrivileges([aPrivilege({ id: 'p-c', reapproval: continuous(30) }), aPrivilege({ id: 'p-plain' })]);
        expect(await s.directory.recordReapprovalInitialized('p-c', 'SCHEDULED')).toBe(false);
        expect(await s.directory.getPrivilege('p-c')).not.toHaveProperty('reapprovalInitializedFor');
        expect(await s.directory.recordReapprovalInitialized('p-c', 'CONTINUOUS')).toBe(true);
        expect(await s.directory.getPrivilege('p-c')).toEqual(aPrivilege({ id: 'p-c', reapproval: continuous(30), reapprovalInitializedFor: 'CONTINUOUS' }));
        expect((await collect(s.directory.listFlaggedPrivileges()))[0]).toMatchObject({ id: 'p-c', reapprovalInitializedFor: 'CONTINUOUS' });

        // Unflagged, or gone: false, and nothing created.
        expect(await s.directory.recordReapprovalInitialized('p-plain', 'CONTINUOUS')).toBe(false);
        expect(await s.directory.getPrivilege('p-plain')).toEqual(aPrivilege({ id: 'p-plain' }));
        expect(await s.directory.recordReapprovalInitialized('p-gone', 'CONTINUOUS')).toBe(false);
        expect(await s.directory.getPrivilege('p-gone')).toBeUndefined();

        await s.directory.putPrivileges([aPrivilege({ id: 'p-c', reapproval: { mode: 'SCHEDULED' } })]);
        expect(await s.directory.getPrivilege('p-c')).not.toHaveProperty('reapprovalInitializedFor');
      });

      it('getAssignment reads one assignment as stored, re-approval state included; an unknown one is undefined', async () => {
        const alice = anAssignment({ userId: 'u-alice', privilegeId: 'p-admin', grantedAt: '2025-01-01T00:00:00.000Z', approvedAt: '2026-01-01T00:00:00.000Z', approvedBy: 'u-boss', endDate: '2027-01-01T00:00:00.000Z', parameters: { project: 'apollo' } });
        await s.directory.putAssignments([alice, anAssignment({ userId: 'u-alice', privilegeId: 'p-other', origin: 'RULE' })]);
        expect(await s.directory.getAssignment('u-alice', 'p-admin')).toEqual(alice);
        expect(await s.directory.initializeReapproval('u-alice', 'p-admin', { mode: 'CONTINUOUS', nextReapprovalAt: day(90) })).toBe(true);
        expect(await s.directory.getAssignment('u-alice', 'p-admin')).toEqual({ ...alice, reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(90) });
        expect(await s.directory.getAssignment('u-alice', 'p-none')).toBeUndefined();
        expect(await s.directory.getAssignment('u-nobody', 'p-admin')).toBeUndefined();
      });

      it('a loaded MANUAL assignment awaits initialization under its privilege, in user id order; RULE and INHERITED ones never do', async () => {
        const manual = Array.from({ length: 10 }, (_, i) => anAssignment({ userId: `u-${9 - i}`, privilegeId: 'p-x', approvedAt: day(-i) }));
        await s.directory.putAssignments([
          ...manual,
          anAssignment({ userId: 'u-rule', privilegeId: 'p-x', origin: 'RULE' }),
          anAssignment({ userId: 'u-inherited', privilegeId: 'p-x', origin: 'INHERITED' }),
          anAssignment({ userId: 'u-0', privilegeId: 'p-y' }),
        ]);
        const awaiting = await pages(s.directory.listAwaitingInitialization('p-x'));
        expect(awaiting.length).toBeGreaterThanOrEqual(2);
        expect(awaiting.flat().map((a) => a.userId)).toEqual(Array.from({ length: 10 }, (_, i) => `u-${i}`));
        expect(awaiting.flat().find((a) => a.userId === 'u-3')).toEqual(manual.find((a) => a.userId === 'u-3'));
        expect(holders(await collect(s.directory.listAwaitingInitialization('p-y')))).toEqual(['u-0/p-y']);
        expect(await collect(s.directory.listAwaitingInitialization('p-none'))).toEqual([]);
        // Not in the other lists either.
        expect(await collect(s.directory.listDueAssignments(EVER))).toEqual([]);
        expect(await collect(s.directory.listScheduledAssignments(EVERY_ROUND))).toEqual([]);
        expect(await listsOf('u-rule', 'p-x')).toEqual([]);
      });

      it('each state has its list: awaiting, due by date, scheduled by round, and running in none', async () => {
        await s.directory.putAssignments(['u-1', 'u-2'].map((userId) => anAssignment({ userId, privilegeId: 'p-c' })));
        await s.directory.putAssignments(['u-3', 'u-4'].map((userId) => anAssignment({ userId, privilegeId: 'p-s' })));

        expect(await s.directory.initializeReapproval('u-1', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(90) })).toBe(true);
        expect(await s.directory.initializeReapproval('u-3', 'p-s', { mode: 'SCHEDULED' })).toBe(true);
        expect(await listsOf('u-1', 'p-c')).toEqual(['DUE']);
        expect(await listsOf('u-2', 'p-c')).toEqual(['AWAITING']);
        expect(await listsOf('u-3', 'p-s')).toEqual(['SCHEDULED']);
        expect(holders(await collect(s.directory.listAwaitingInitialization('p-s')))).toEqual(['u-4/p-s']);

        expect(await s.directory.markReapprovalStarted('u-1', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(90) }, running('a-c1'))).toBe(true);
        expect(await s.directory.markReapprovalStarted('u-3', 'p-s', { mode: 'SCHEDULED' }, running('a-s3'))).toBe(true);
        expect(await listsOf('u-1', 'p-c')).toEqual([]);
        expect(await listsOf('u-3', 'p-s')).toEqual([]);
        expect(await s.directory.getAssignment('u-1', 'p-c')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(90), reapproval: running('a-c1') });

        expect(
          await s.directory.completeReapproval('u-1', 'p-c', 'a-c1', { approvedAt: day(95), approvedBy: 'u-owner', mode: 'CONTINUOUS', nextReapprovalAt: day(185) }),
        ).toBe(true);
        expect(
          await s.directory.completeReapproval('u-3', 'p-s', 'a-s3', { approvedAt: day(70), approvedBy: 'workflow:default', mode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' }),
        ).toBe(true);
        expect(await listsOf('u-1', 'p-c')).toEqual(['DUE']);
        expect(await listsOf('u-3', 'p-s')).toEqual(['SCHEDULED']);
        const approved = await s.directory.getAssignment('u-1', 'p-c');
        expect(approved).toEqual(anAssignment({ userId: 'u-1', privilegeId: 'p-c', approvedAt: day(95), approvedBy: 'u-owner', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(185) }));
        expect(await s.directory.getAssignment('u-3', 'p-s')).toEqual(
          anAssignment({ userId: 'u-3', privilegeId: 'p-s', approvedAt: day(70), approvedBy: 'workflow:default', reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' }),
        );
        // Approved in round 2026-09-01: not listed for it, listed for the next.
        expect(holders(await collect(s.directory.listScheduledAssignments('2026-09-01')))).toEqual([]);
        expect(holders(await collect(s.directory.listScheduledAssignments('2026-09-02')))).toEqual(['u-3/p-s']);

        // Reset: back to awaiting, the dates kept for the record.
        expect(await s.directory.resetReapproval('u-1', 'p-c')).toBe(true);
        expect(await s.directory.resetReapproval('u-3', 'p-s')).toBe(true);
        expect(await listsOf('u-1', 'p-c')).toEqual(['AWAITING']);
        expect(await listsOf('u-3', 'p-s')).toEqual(['AWAITING']);
        expect(holders(await collect(s.directory.listAwaitingInitialization('p-c')))).toEqual(['u-1/p-c', 'u-2/p-c']);
        const reset = await s.directory.getAssignment('u-1', 'p-c');
        expect(reset).toMatchObject({ nextReapprovalAt: day(185), approvedAt: day(95) });
        expect(reset).not.toHaveProperty('reapprovalMode');
        expect(await s.directory.getAssignment('u-3', 'p-s')).toMatchObject({ lastReapprovalRound: '2026-09-01' });
      });

      it('listDueAssignments returns the CONTINUOUS assignments due at or before the bound, oldest first, across pages', async () => {
        const dates = [30, 5, 90, 5, 12, 60, 1, 45, 20, 75, 8, 33];
        await s.directory.putAssignments(dates.map((_, i) => anAssignment({ userId: `u-${String(i).padStart(2, '0')}`, privilegeId: 'p-c' })));
        for (const [i, d] of dates.entries()) {
          expect(await s.directory.initializeReapproval(`u-${String(i).padStart(2, '0')}`, 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(d) })).toBe(true);
        }
        // A scheduled one and a running one are never due.
        await s.directory.putAssignments([anAssignment({ userId: 'u-s', privilegeId: 'p-s' }), anAssignment({ userId: 'u-r', privilegeId: 'p-c' })]);
        await s.directory.initializeReapproval('u-s', 'p-s', { mode: 'SCHEDULED' });
        await s.directory.initializeReapproval('u-r', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(2) });
        await s.directory.markReapprovalStarted('u-r', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(2) }, running('a-r'));

        const all = await pages(s.directory.listDueAssignments(day(90)));
        expect(all.length).toBeGreaterThanOrEqual(2);
        const expected = dates
          .map((d, i) => ({ d, user: `u-${String(i).padStart(2, '0')}` }))
          .sort((a, b) => a.d - b.d || (a.user < b.user ? -1 : 1))
          .map((x) => x.user);
        expect(all.flat().map((a) => a.userId)).toEqual(expected);
        expect(all.flat()[0]).toEqual(anAssignment({ userId: 'u-06', privilegeId: 'p-c', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(1) }));

        // The bound is inclusive, to the millisecond.
        expect((await collect(s.directory.listDueAssignments(day(12)))).map((a) => a.userId)).toEqual(['u-06', 'u-01', 'u-03', 'u-10', 'u-04']);
        expect((await collect(s.directory.listDueAssignments(justBefore(day(12))))).map((a) => a.userId)).toEqual(['u-06', 'u-01', 'u-03', 'u-10']);
        expect(await collect(s.directory.listDueAssignments(justBefore(day(1))))).toEqual([]);
      });

      it('listScheduledAssignments returns the SCHEDULED assignments not started in the round: never, or in an earlier one', async () => {
        const users = ['u-never', 'u-march', 'u-sept', 'u-later'];
        await s.directory.putAssignments(users.map((userId) => anAssignment({ userId, privilegeId: 'p-s' })));
        for (const userId of users) expect(await s.directory.initializeReapproval(userId, 'p-s', { mode: 'SCHEDULED' })).toBe(true);
        const roundOf: Record<string, string> = { 'u-march': '2026-03-01', 'u-sept': '2026-09-01' };
        for (const [userId, round] of Object.entries(roundOf)) {
          expect(await s.directory.markReapprovalStarted(userId, 'p-s', { mode: 'SCHEDULED' }, running(`a-${userId}`))).toBe(true);
          expect(
            await s.directory.completeReapproval(userId, 'p-s', `a-${userId}`, { approvedAt: `${round}T10:00:00.000Z`, approvedBy: 'u-owner', mode: 'SCHEDULED', lastReapprovalRound: round }),
          ).toBe(true);
        }
        // Started in this round and still running: in no list.
        expect(await s.directory.markReapprovalStarted('u-later', 'p-s', { mode: 'SCHEDULED' }, running('a-later'))).toBe(true);

        expect(sorted(holders(await collect(s.directory.listScheduledAssignments('2026-09-01'))))).toEqual(['u-march/p-s', 'u-never/p-s']);
        expect(sorted(holders(await collect(s.directory.listScheduledAssignments('2026-03-01'))))).toEqual(['u-never/p-s']);
        expect(sorted(holders(await collect(s.directory.listScheduledAssignments('2027-03-01'))))).toEqual(['u-march/p-s', 'u-never/p-s', 'u-sept/p-s']);
        expect(await collect(s.directory.listDueAssignments(EVER))).toEqual([]);
      });

      it('the due and round lists resume past a position, across pages, whether or not an assignment is still there', async () => {
        const users = Array.from({ length: 12 }, (_, i) => `u-${String(i).padStart(2, '0')}`);
        await s.directory.putAssignments(users.flatMap((userId) => [anAssignment({ userId, privilegeId: 'p-c' }), anAssignment({ userId, privilegeId: 'p-s' })]));
        for (const [i, userId] of users.entries()) {
          await s.directory.initializeReapproval(userId, 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(i % 3) });
          await s.directory.initializeReapproval(userId, 'p-s', { mode: 'SCHEDULED' });
        }
        const due = await collect(s.directory.listDueAssignments(EVER));
        const position = (a: Assignment) => ({ at: a.nextReapprovalAt!, userId: a.userId, privilegeId: a.privilegeId });
        // Past the 5th: the rest in order, a page at a time.
        const rest = await pages(s.directory.listDueAssignments(EVER, { after: position(due[4]!) }));
        expect(rest.flat()).toEqual(due.slice(5));
        expect(rest.length).toBeGreaterThanOrEqual(1);
        // The 5th and 6th start (they leave the index): resuming past the 5th's old place gives the same rest, less the 6th.
        for (const a of due.slice(4, 6)) await s.directory.markReapprovalStarted(a.userId, a.privilegeId, { mode: 'CONTINUOUS', nextReapprovalAt: a.nextReapprovalAt }, running(`a-${a.userId}`));
        expect(await collect(s.directory.listDueAssignments(EVER, { after: position(due[4]!) }))).toEqual(due.slice(6));
        // A position no assignment ever had resumes at the next one in index order; past the last, nothing.
        expect(holders(await collect(s.directory.listDueAssignments(EVER, { after: { at: day(1), userId: 'u-00', privilegeId: 'p-zz' } })))).toEqual(
          holders(due.slice(6).filter((a) => a.nextReapprovalAt! >= day(1))),
        );
        expect(await collect(s.directory.listDueAssignments(EVER, { after: position(due.at(-1)!) }))).toEqual([]);

        const round = await collect(s.directory.listScheduledAssignments(EVERY_ROUND));
        expect(holders(round)).toEqual(users.map((u) => `${u}/p-s`));
        expect(await collect(s.directory.listScheduledAssignments(EVERY_ROUND, { after: { userId: 'u-07', privilegeId: 'p-s' } }))).toEqual(round.slice(8));
      });

      it('a SCHEDULED assignment reset and initialized again keeps its last round, and with it its place in the round lists', async () => {
        await s.directory.putAssignments([anAssignment({ userId: 'u-1', privilegeId: 'p-s' })]);
        await s.directory.initializeReapproval('u-1', 'p-s', { mode: 'SCHEDULED' });
        await s.directory.markReapprovalStarted('u-1', 'p-s', { mode: 'SCHEDULED' }, running('a-1'));
        await s.directory.completeReapproval('u-1', 'p-s', 'a-1', { approvedAt: day(62), approvedBy: 'u-owner', mode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' });
        expect(await s.directory.resetReapproval('u-1', 'p-s')).toBe(true);
        expect(await s.directory.initializeReapproval('u-1', 'p-s', { mode: 'SCHEDULED' })).toBe(true);

        expect(await s.directory.getAssignment('u-1', 'p-s')).toMatchObject({ reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' });
        expect(await collect(s.directory.listScheduledAssignments('2026-09-01'))).toEqual([]);
        expect(holders(await collect(s.directory.listScheduledAssignments('2027-03-01')))).toEqual(['u-1/p-s']);
        // And it starts again only as what it is: last started in 2026-09-01.
        expect(await s.directory.markReapprovalStarted('u-1', 'p-s', { mode: 'SCHEDULED' }, running('a-2'))).toBe(false);
        expect(await s.directory.markReapprovalStarted('u-1', 'p-s', { mode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' }, running('a-2'))).toBe(true);
      });
    });

    describe('transitions answer false, changing nothing, outside the state they expect', () => {
      async function unchanged(userId: string, privilegeId: string, attempt: () => Promise<boolean>) {
        const before = await s.directory.getAssignment(userId, privilegeId);
        expect(await attempt()).toBe(false);
        expect(await s.directory.getAssignment(userId, privilegeId)).toEqual(before);
      }

      beforeEach(async () => {
        await s.directory.putAssignments([
          anAssignment({ userId: 'u-await', privilegeId: 'p-1' }),
          anAssignment({ userId: 'u-cont', privilegeId: 'p-1' }),
          anAssignment({ userId: 'u-sched', privilegeId: 'p-1' }),
          anAssignment({ userId: 'u-run', privilegeId: 'p-1' }),
          // RULE and INHERITED assignments, loaded with state: a load keeps none on them (not MANUAL).
          anAssignment({ userId: 'u-rule', privilegeId: 'p-1', origin: 'RULE', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(1) }),
          anAssignment({ userId: 'u-rule-run', privilegeId: 'p-1', origin: 'RULE', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(1), reapproval: running('a-rule') }),
          anAssignment({ userId: 'u-inherited', privilegeId: 'p-1', origin: 'INHERITED' }),
        ]);
        expect(await s.directory.initializeReapproval('u-cont', 'p-1', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) })).toBe(true);
        expect(await s.directory.initializeReapproval('u-sched', 'p-1', { mode: 'SCHEDULED' })).toBe(true);
        expect(await s.directory.initializeReapproval('u-run', 'p-1', { mode: 'CONTINUOUS', nextReapprovalAt: day(3) })).toBe(true);
        expect(await s.directory.markReapprovalStarted('u-run', 'p-1', { mode: 'CONTINUOUS', nextReapprovalAt: day(3) }, running('a-run'))).toBe(true);
      });

      it('initializeReapproval: only a MANUAL assignment with no state', async () => {
        const plan = { mode: 'CONTINUOUS', nextReapprovalAt: day(50) } as const;
        for (const userId of ['u-cont', 'u-sched', 'u-run', 'u-rule', 'u-inherited']) {
          await unchanged(userId, 'p-1', () => s.directory.initializeReapproval(userId, 'p-1', plan));
          await unchanged(userId, 'p-1', () => s.directory.initializeReapproval(userId, 'p-1', { mode: 'SCHEDULED' }));
        }
        expect(await s.directory.initializeReapproval('u-gone', 'p-1', plan)).toBe(false);
        expect(await s.directory.initializeReapproval('u-gone', 'p-1', { mode: 'SCHEDULED' })).toBe(false);
        expect(await s.directory.getAssignment('u-gone', 'p-1')).toBeUndefined();
        expect(await listsOf('u-rule', 'p-1')).toEqual([]);
        expect(await listsOf('u-inherited', 'p-1')).toEqual([]);
      });

      it('resetReapproval: only a MANUAL CONTINUOUS or SCHEDULED assignment that runs nothing', async () => {
        for (const userId of ['u-await', 'u-run', 'u-rule', 'u-rule-run', 'u-inherited']) {
          await unchanged(userId, 'p-1', () => s.directory.resetReapproval(userId, 'p-1'));
        }
        expect(await s.directory.resetReapproval('u-gone', 'p-1')).toBe(false);
        expect(await s.directory.getAssignment('u-gone', 'p-1')).toBeUndefined();
        expect(await listsOf('u-run', 'p-1')).toEqual([]);
      });

      it('markReapprovalStarted: only in the very state the caller read, and not running', async () => {
        const attempts: [string, Parameters<ReapprovalDirectory['markReapprovalStarted']>[2]][] = [
          ['u-await', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) }],
          ['u-await', { mode: 'SCHEDULED' }],
          ['u-cont', { mode: 'SCHEDULED' }],
          ['u-cont', { mode: 'CONTINUOUS', nextReapprovalAt: day(11) }],
          ['u-cont', { mode: 'CONTINUOUS' }],
          ['u-sched', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) }],
          ['u-sched', { mode: 'SCHEDULED', lastReapprovalRound: '2026-03-01' }],
          ['u-run', { mode: 'CONTINUOUS', nextReapprovalAt: day(3) }],
          ['u-rule', { mode: 'CONTINUOUS', nextReapprovalAt: day(1) }],
          ['u-inherited', { mode: 'SCHEDULED' }],
        ];
        for (const [userId, expected] of attempts) {
          await unchanged(userId, 'p-1', () => s.directory.markReapprovalStarted(userId, 'p-1', expected, running('a-new')));
        }
        expect(await s.directory.markReapprovalStarted('u-gone', 'p-1', { mode: 'SCHEDULED' }, running('a-new'))).toBe(false);
        expect(await s.directory.getAssignment('u-gone', 'p-1')).toBeUndefined();
        expect(await listsOf('u-cont', 'p-1')).toEqual(['DUE']);
        // The right expectation still starts it (once).
        expect(await s.directory.markReapprovalStarted('u-cont', 'p-1', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) }, running('a-new'))).toBe(true);
        expect(await s.directory.markReapprovalStarted('u-cont', 'p-1', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) }, running('a-other'))).toBe(false);
        expect((await s.directory.getAssignment('u-cont', 'p-1'))!.reapproval).toEqual(running('a-new'));
      });

      it('completeReapproval: only the run recorded on a MANUAL assignment', async () => {
        const result = { approvedAt: day(20), approvedBy: 'u-owner', mode: 'CONTINUOUS', nextReapprovalAt: day(110) } as const;
        await unchanged('u-run', 'p-1', () => s.directory.completeReapproval('u-run', 'p-1', 'a-other', result));
        for (const userId of ['u-await', 'u-cont', 'u-sched', 'u-inherited']) {
          await unchanged(userId, 'p-1', () => s.directory.completeReapproval(userId, 'p-1', 'a-run', result));
        }
        await unchanged('u-rule-run', 'p-1', () => s.directory.completeReapproval('u-rule-run', 'p-1', 'a-rule', result));
        expect(await s.directory.completeReapproval('u-gone', 'p-1', 'a-run', result)).toBe(false);
        expect(await s.directory.getAssignment('u-gone', 'p-1')).toBeUndefined();

        expect(await s.directory.completeReapproval('u-run', 'p-1', 'a-run', result)).toBe(true);
        // Done once: the same completion again finds nothing running.
        await unchanged('u-run', 'p-1', () => s.directory.completeReapproval('u-run', 'p-1', 'a-run', result));
        const done = await s.directory.getAssignment('u-run', 'p-1');
        expect(done).toMatchObject({ approvedAt: day(20), approvedBy: 'u-owner', nextReapprovalAt: day(110), reapprovalMode: 'CONTINUOUS' });
        expect(done).not.toHaveProperty('reapproval');
      });

      it('completeReapproval leaves reapprovalMode as it is, whatever the result says', async () => {
        // Loaded new with its state (as a store migration could), a SCHEDULED assignment running a run
        // that completes with a CONTINUOUS result: the mode stays SCHEDULED.
        await s.directory.putAssignments([anAssignment({ userId: 'u-odd', privilegeId: 'p-1', reapprovalMode: 'SCHEDULED', reapproval: running('a-odd') })]);
        expect(
          await s.directory.completeReapproval('u-odd', 'p-1', 'a-odd', { approvedAt: day(20), approvedBy: 'u-owner', mode: 'CONTINUOUS', nextReapprovalAt: day(110) }),
        ).toBe(true);
        const done = await s.directory.getAssignment('u-odd', 'p-1');
        expect(done).toMatchObject({ reapprovalMode: 'SCHEDULED', approvedAt: day(20), nextReapprovalAt: day(110) });
        expect(done).not.toHaveProperty('reapproval');
      });

      it('recordApproval: any MANUAL assignment; the date moves only on a CONTINUOUS one that runs nothing', async () => {
        const approval = (d: number) => ({ approvedAt: day(d), approvedBy: 'u-reviewer', nextReapprovalAt: day(d + 90) });
        expect(await s.directory.recordApproval('u-cont', 'p-1', approval(4))).toBe(true);
        expect(await s.directory.getAssignment('u-cont', 'p-1')).toMatchObject({ approvedAt: day(4), approvedBy: 'u-reviewer', nextReapprovalAt: day(94) });
        expect(holders(await collect(s.directory.listDueAssignments(day(90))))).toEqual([]);
        expect(holders(await collect(s.directory.listDueAssignments(day(94))))).toEqual(['u-cont/p-1']);

        // Running: recorded, but the run decides the next date; it stays in no list.
        expect(await s.directory.recordApproval('u-run', 'p-1', approval(5))).toBe(true);
        expect(await s.directory.getAssignment('u-run', 'p-1')).toMatchObject({ approvedAt: day(5), nextReapprovalAt: day(3), reapproval: running('a-run') });
        expect(await listsOf('u-run', 'p-1')).toEqual([]);

        // Awaiting and scheduled: recorded, no date (initialization computes one from the approval).
        for (const userId of ['u-await', 'u-sched']) {
          expect(await s.directory.recordApproval(userId, 'p-1', approval(6))).toBe(true);
          const recorded = await s.directory.getAssignment(userId, 'p-1');
          expect(recorded).toMatchObject({ approvedAt: day(6), approvedBy: 'u-reviewer' });
          expect(recorded).not.toHaveProperty('nextReapprovalAt');
        }
        expect(await listsOf('u-await', 'p-1')).toEqual(['AWAITING']);
        expect(await listsOf('u-sched', 'p-1')).toEqual(['SCHEDULED']);
        // Without a date given, a CONTINUOUS one keeps its own.
        expect(await s.directory.recordApproval('u-cont', 'p-1', { approvedAt: day(7), approvedBy: 'u-other' })).toBe(true);
        expect(await s.directory.getAssignment('u-cont', 'p-1')).toMatchObject({ approvedAt: day(7), approvedBy: 'u-other', nextReapprovalAt: day(94) });

        for (const userId of ['u-rule', 'u-rule-run', 'u-inherited']) {
          await unchanged(userId, 'p-1', () => s.directory.recordApproval(userId, 'p-1', approval(8)));
        }
        expect(await s.directory.recordApproval('u-gone', 'p-1', approval(8))).toBe(false);
        expect(await s.directory.getAssignment('u-gone', 'p-1')).toBeUndefined();
      });
    });

    describe('a directory load never erases re-approval state', () => {
      it('putAssignments keeps the stored state and the later approval; the file replaces the rest', async () => {
        const file = anAssignment({
          userId: 'u-1',
          privilegeId: 'p-c',
          grantedAt: '2025-01-01T00:00:00.000Z',
          approvedAt: '2026-01-01T00:00:00.000Z',
          approvedBy: 'u-boss',
        });
        await s.directory.putAssignments([file]);
        await s.directory.initializeReapproval('u-1', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) });
        await s.directory.markReapprovalStarted('u-1', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(10) }, running('a-1'));
        await s.directory.completeReapproval('u-1', 'p-c', 'a-1', { approvedAt: day(12), approvedBy: 'u-owner', mode: 'CONTINUOUS', nextReapprovalAt: day(102) });

        // The same file again, with a new end date: the approval of the run is the later one.
        await s.directory.putAssignments([{ ...file, endDate: '2027-06-30T00:00:00.000Z', parameters: { site: 'Lyon' } }]);
        expect(await s.directory.getAssignment('u-1', 'p-c')).toEqual({
          ...file,
          endDate: '2027-06-30T00:00:00.000Z',
          parameters: { site: 'Lyon' },
          approvedAt: day(12),
          approvedBy: 'u-owner',
          reapprovalMode: 'CONTINUOUS',
          nextReapprovalAt: day(102),
        });
        expect(holders(await collect(s.directory.listDueAssignments(day(102))))).toEqual(['u-1/p-c']);

        // A later approval in the file wins, with its approver (or none).
        await s.directory.putAssignments([{ ...file, approvedAt: day(20), approvedBy: 'u-hr' }]);
        expect(await s.directory.getAssignment('u-1', 'p-c')).toMatchObject({ approvedAt: day(20), approvedBy: 'u-hr', nextReapprovalAt: day(102) });
        const { approvedBy: _none, ...withoutApprover } = file;
        await s.directory.putAssignments([{ ...withoutApprover, approvedAt: day(21) }]);
        const latest = await s.directory.getAssignment('u-1', 'p-c');
        expect(latest).toMatchObject({ approvedAt: day(21), reapprovalMode: 'CONTINUOUS' });
        expect(latest).not.toHaveProperty('approvedBy');

        // State given with a load does not replace the stored state.
        await s.directory.putAssignments([{ ...file, approvedAt: day(21), reapprovalMode: 'SCHEDULED', nextReapprovalAt: day(1), lastReapprovalRound: '2026-03-01' }]);
        expect(await s.directory.getAssignment('u-1', 'p-c')).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(102) });
        expect(await listsOf('u-1', 'p-c')).toEqual(['DUE']);
        expect((await collect(s.directory.listDueAssignments(EVER)))[0]!.nextReapprovalAt).toBe(day(102));
      });

      it('a running re-approval survives a load; a load that makes an assignment RULE drops its re-approval state, and MANUAL again it awaits initialization', async () => {
        await s.directory.putAssignments([
          anAssignment({ userId: 'u-run', privilegeId: 'p-c' }),
          anAssignment({ userId: 'u-due', privilegeId: 'p-c', approvedAt: day(-5), approvedBy: 'u-boss' }),
          anAssignment({ userId: 'u-gone-rule', privilegeId: 'p-c' }),
        ]);
        await s.directory.initializeReapproval('u-run', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(1) });
        await s.directory.markReapprovalStarted('u-run', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(1) }, running('a-run'));
        await s.directory.initializeReapproval('u-due', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(2) });
        await s.directory.initializeReapproval('u-gone-rule', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(3) });
        await s.directory.markReapprovalStarted('u-gone-rule', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(3) }, running('a-gone-rule'));

        await s.directory.putAssignments([
          anAssignment({ userId: 'u-run', privilegeId: 'p-c' }),
          anAssignment({ userId: 'u-due', privilegeId: 'p-c', origin: 'RULE' }),
          anAssignment({ userId: 'u-gone-rule', privilegeId: 'p-c', origin: 'RULE' }),
        ]);
        expect(await s.directory.getAssignment('u-run', 'p-c')).toMatchObject({ reapproval: running('a-run') });
        expect(await listsOf('u-run', 'p-c')).toEqual([]);
        // Not MANUAL: no re-approval state at all (its approval is kept as any load keeps it).
        expect(await s.directory.getAssignment('u-due', 'p-c')).toEqual(anAssignment({ userId: 'u-due', privilegeId: 'p-c', origin: 'RULE', approvedAt: day(-5), approvedBy: 'u-boss' }));
        expect(await s.directory.getAssignment('u-gone-rule', 'p-c')).toEqual(anAssignment({ userId: 'u-gone-rule', privilegeId: 'p-c', origin: 'RULE' }));
        expect(await listsOf('u-due', 'p-c')).toEqual([]);

        // MANUAL again: awaiting initialization, the run that was going on when it left no longer marked on it.
        await s.directory.putAssignments(['u-due', 'u-gone-rule'].map((userId) => anAssignment({ userId, privilegeId: 'p-c' })));
        expect(await listsOf('u-due', 'p-c')).toEqual(['AWAITING']);
        expect(await listsOf('u-gone-rule', 'p-c')).toEqual(['AWAITING']);
        expect(await s.directory.completeReapproval('u-gone-rule', 'p-c', 'a-gone-rule', { approvedAt: day(4), approvedBy: 'u-owner', mode: 'CONTINUOUS', nextReapprovalAt: day(94) })).toBe(false);
        expect(await s.directory.initializeReapproval('u-gone-rule', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(5) })).toBe(true);
        expect(holders(await collect(s.directory.listDueAssignments(day(5))))).toEqual(['u-gone-rule/p-c']);
      });

      it('a transition between a load\'s read and its write is never overwritten: the load merges over it', async () => {
        const file = anAssignment({ userId: 'u-1', privilegeId: 'p-c', approvedAt: day(-100), approvedBy: 'u-boss' });
        await s.directory.putAssignments([file, anAssignment({ userId: 'u-2', privilegeId: 'p-c' })]);
        await s.directory.initializeReapproval('u-1', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(1) });
        await s.directory.markReapprovalStarted('u-1', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(1) }, running('a-1'));
        await s.directory.initializeReapproval('u-2', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(2) });

        // A decision completes u-1's run, and a start marks u-2's, while the load is between its read and its write.
        s.duringNextLoad(async () => {
          expect(await s.directory.completeReapproval('u-1', 'p-c', 'a-1', { approvedAt: day(3), approvedBy: 'u-owner', mode: 'CONTINUOUS', nextReapprovalAt: day(93) })).toBe(true);
          expect(await s.directory.markReapprovalStarted('u-2', 'p-c', { mode: 'CONTINUOUS', nextReapprovalAt: day(2) }, running('a-2'))).toBe(true);
        });
        await s.directory.putAssignments([
          { ...file, endDate: '2027-06-30T00:00:00.000Z' },
          anAssignment({ userId: 'u-2', privilegeId: 'p-c', parameters: { site: 'Lyon' } }),
          anAssignment({ userId: 'u-3', privilegeId: 'p-c' }),
        ]);

        const first = await s.directory.getAssignment('u-1', 'p-c');
        expect(first).toEqual({ ...file, endDate: '2027-06-30T00:00:00.000Z', approvedAt: day(3), approvedBy: 'u-owner', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(93) });
        expect(await listsOf('u-1', 'p-c')).toEqual(['DUE']);
        expect(await s.directory.getAssignment('u-2', 'p-c')).toMatchObject({ parameters: { site: 'Lyon' }, reapproval: running('a-2'), nextReapprovalAt: day(2) });
        expect(await listsOf('u-2', 'p-c')).toEqual([]);
        expect(await listsOf('u-3', 'p-c')).toEqual(['AWAITING']);
      });

      it('a new assignment lands in the list of the state it is loaded with; a large load keeps every stored state', async () => {
        const bulk = Array.from({ length: 130 }, (_, i) => anAssignment({ userId: `u-${String(i).padStart(3, '0')}`, privilegeId: 'p-bulk' }));
        await s.directory.putAssignments([
          ...bulk,
          anAssignment({ userId: 'u-seeded', privilegeId: 'p-seed', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: day(3) }),
          anAssignment({ userId: 'u-seeded', privilegeId: 'p-sched', reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-03-01' }),
        ]);
        expect(await listsOf('u-seeded', 'p-seed')).toEqual(['DUE']);
        expect(holders(await collect(s.directory.listScheduledAssignments('2026-03-02')))).toEqual(['u-seeded/p-sched']);
        expect(await collect(s.directory.listScheduledAssignments('2026-03-01'))).toEqual([]);

        for (const a of bulk.filter((_, i) => i % 2 === 0)) {
          expect(await s.directory.initializeReapproval(a.userId, 'p-bulk', { mode: 'CONTINUOUS', nextReapprovalAt: day(30) })).toBe(true);
        }
        await s.directory.putAssignments(bulk.map((a) => ({ ...a, parameters: { reloaded: 'yes' } })));
        const due = (await collect(s.directory.listDueAssignments(day(30)))).filter((a) => a.privilegeId === 'p-bulk');
        expect(due).toHaveLength(65);
        expect(due.every((a) => a.parameters?.reloaded === 'yes' && a.nextReapprovalAt === day(30))).toBe(true);
        expect(await collect(s.directory.listAwaitingInitialization('p-bulk'))).toHaveLength(65);
      });
    });

    describe('approval runs', () => {
      it('createApproval writes a run once: a second create of the same id changes nothing', async () => {
        const run = aRun({ approverIds: ['u-a', 'u-b'] });
        expect(await s.approvals.getApproval('a-1')).toBeUndefined();
        expect(await s.approvals.createApproval(run)).toBe(true);
        expect(await s.approvals.getApproval('a-1')).toEqual(run);

        expect(await s.approvals.createApproval({ ...run, approverIds: ['u-z'], userName: 'Other' })).toBe(false);
        expect(await s.approvals.getApproval('a-1')).toEqual(run);
        expect(await s.approvals.listApprovalTasks('u-z')).toEqual([]);
        expect(ids(await s.approvals.listApprovalTasks('u-b'))).toEqual(['a-1']);
        expect(await s.approvals.getApproval('a-other')).toBeUndefined();
      });

      it('saveApproval writes only over the version before it', async () => {
        const run = aRun();
        await s.approvals.createApproval(run);
        const v2: ApprovalRun = {
          ...run,
          version: 2,
          lastReminderSlot: 0,
          decision: { outcome: 'APPROVE', decidedBy: 'u-owner', decidedAt: day(2), comment: 'still needed' },
          updatedAt: day(2),
        };
        await s.approvals.saveApproval(v2);
        expect(await s.approvals.getApproval('a-1')).toEqual(v2);

        await expect(s.approvals.saveApproval({ ...run, version: 2, state: 'REJECTED' })).rejects.toBeInstanceOf(ConflictError);
        await expect(s.approvals.saveApproval({ ...v2, version: 4 })).rejects.toBeInstanceOf(ConflictError);
        await expect(s.approvals.saveApproval(aRun({ id: 'a-never', version: 2 }))).rejects.toBeInstanceOf(ConflictError);
        expect(await s.approvals.getApproval('a-1')).toEqual(v2);
        expect(await s.approvals.getApproval('a-never')).toBeUndefined();
      });

      it('listApprovalTasks lists the RUNNING runs of each current approver, first or later, by due date', async () => {
        await s.approvals.createApproval(aRun({ id: 'a-1', approverIds: ['u-a', 'u-b'], dueDate: day(20) }));
        await s.approvals.createApproval(aRun({ id: 'a-2', approverIds: ['u-b'], dueDate: day(10) }));
        await s.approvals.createApproval(aRun({ id: 'a-3', approverIds: ['u-c', 'u-a', 'u-b', 'u-a'], dueDate: day(15) }));
        await s.approvals.createApproval(aRun({ id: 'a-4', approverIds: ['u-a'], state: 'APPROVED', outcome: { result: 'APPROVED', at: day(1), via: 'DECISION', by: 'u-a' } }));
        await s.approvals.createApproval(aRun({ id: 'a-5', approverIds: [] }));

        expect(ids(await s.approvals.listApprovalTasks('u-b'))).toEqual(['a-2', 'a-3', 'a-1']);
        expect(ids(await s.approvals.listApprovalTasks('u-a'))).toEqual(['a-3', 'a-1']);
        expect(ids(await s.approvals.listApprovalTasks('u-c'))).toEqual(['a-3']);
        expect(await s.approvals.listApprovalTasks('u-nobody')).toEqual([]);
        expect((await s.approvals.listApprovalTasks('u-c'))[0]).toEqual(await s.approvals.getApproval('a-3'));
      });

      it('a step change moves the task to its new approvers, and the outcome takes it off every list', async () => {
        const v1 = aRun({ approverIds: ['u-a', 'u-b', 'u-c'] });
        await s.approvals.createApproval(v1);
        const v2: ApprovalRun = { ...v1, version: 2, stepIndex: 1, approverIds: ['u-c', 'u-d'], stepStartedAt: day(3), dueDate: day(17) };
        await s.approvals.saveApproval(v2);
        for (const gone of ['u-a', 'u-b']) expect(await s.approvals.listApprovalTasks(gone)).toEqual([]);
        for (const approver of ['u-c', 'u-d']) expect(await s.approvals.listApprovalTasks(approver)).toEqual([v2]);

        const v3: ApprovalRun = { ...v2, version: 3, escalated: true, approverIds: ['u-e'], dueDate: day(31) };
        await s.approvals.saveApproval(v3);
        for (const gone of ['u-c', 'u-d']) expect(await s.approvals.listApprovalTasks(gone)).toEqual([]);
        expect(ids(await s.approvals.listApprovalTasks('u-e'))).toEqual(['a-1']);

        const v4: ApprovalRun = { ...v3, version: 4, state: 'REJECTED', outcome: { result: 'REJECTED', at: day(20), via: 'DECISION', by: 'u-e' } };
        await s.approvals.saveApproval(v4);
        for (const approver of ['u-a', 'u-b', 'u-c', 'u-d', 'u-e']) expect(await s.approvals.listApprovalTasks(approver)).toEqual([]);
      });

      it('a save that lost its race leaves no task for the approvers it would have added', async () => {
        const v1 = aRun({ approverIds: ['u-a'] });
        await s.approvals.createApproval(v1);
        await s.approvals.saveApproval({ ...v1, version: 2, approverIds: ['u-a', 'u-b'] });
        await expect(s.approvals.saveApproval({ ...v1, version: 2, approverIds: ['u-a', 'u-loser'] })).rejects.toBeInstanceOf(ConflictError);
        expect(await s.approvals.listApprovalTasks('u-loser')).toEqual([]);
        expect(ids(await s.approvals.listApprovalTasks('u-b'))).toEqual(['a-1']);
        expect(ids(await s.approvals.listApprovalTasks('u-a'))).toEqual(['a-1']);
      });

      it("an approver's campaign tasks and approval tasks do not see each other", async () => {
        await s.campaigns.putEntriesWithItems([{ entry: anEntry({ id: 'e-1', approverIds: ['u-a', 'u-b'], dueDate: day(5) }), items: [anItem({ entryId: 'e-1' })] }]);
        await s.approvals.createApproval(aRun({ id: 'a-1', approverIds: ['u-b', 'u-a'], dueDate: day(4) }));
        for (const approver of ['u-a', 'u-b']) {
          expect(ids(await s.campaigns.listTasks(approver))).toEqual(['e-1']);
          expect(ids(await s.approvals.listApprovalTasks(approver))).toEqual(['a-1']);
        }
      });

      it('listApprovalsNeedingAction lists the runs whose next action is at or before the bound, oldest first, across pages', async () => {
        const offsets = [9, 3, 12, 3, 7, 1, 15, 4, 10, 2];
        for (const [i, d] of offsets.entries()) await s.approvals.createApproval(aRun({ id: `a-${i}`, nextActionAt: day(d) }));
        // Settled and applied: in no list.
        const { nextActionAt: _settled, ...applied } = aRun({ id: 'a-applied', state: 'APPROVED', applied: { action: 'KEPT', at: day(1) } });
        await s.approvals.createApproval(applied);

        const all = await pages(s.approvals.listApprovalsNeedingAction(day(15)));
        expect(all.length).toBeGreaterThanOrEqual(2);
        const expected = offsets
          .map((d, i) => ({ d, id: `a-${i}` }))
          .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
          .map((x) => x.id);
        expect(ids(all.flat())).toEqual(expected);
        expect(all.flat()[0]).toEqual(await s.approvals.getApproval('a-5'));
        expect(ids(await collect(s.approvals.listApprovalsNeedingAction(day(3))))).toEqual(['a-5', 'a-9', 'a-1', 'a-3']);
        expect(ids(await collect(s.approvals.listApprovalsNeedingAction(justBefore(day(3)))))).toEqual(['a-5', 'a-9']);
        expect(await collect(s.approvals.listApprovalsNeedingAction(justBefore(day(1))))).toEqual([]);

        // A run whose outcome is applied leaves the list; one whose next action moved, moves.
        const first = (await s.approvals.getApproval('a-5'))!;
        const { nextActionAt: _done, ...done } = { ...first, version: 2, state: 'APPROVED' as const, applied: { action: 'KEPT' as const, at: day(1) } };
        await s.approvals.saveApproval(done);
        const second = (await s.approvals.getApproval('a-9'))!;
        await s.approvals.saveApproval({ ...second, version: 2, nextActionAt: day(20) });
        expect(ids(await collect(s.approvals.listApprovalsNeedingAction(day(3))))).toEqual(['a-1', 'a-3']);
        expect(ids(await collect(s.approvals.listApprovalsNeedingAction(day(20)))).at(-1)).toBe('a-9');
      });

      it('listApprovalsNeedingAction resumes past a run\'s place, whether or not the run is still there', async () => {
        const offsets = [4, 1, 4, 2, 6, 1, 3, 5, 2, 4];
        for (const [i, d] of offsets.entries()) await s.approvals.createApproval(aRun({ id: `a-${i}`, nextActionAt: day(d) }));
        const all = await collect(s.approvals.listApprovalsNeedingAction(day(6)));
        expect(ids(await collect(s.approvals.listApprovalsNeedingAction(day(6), { after: { nextActionAt: day(2), id: 'a-3' } })))).toEqual(ids(all).slice(ids(all).indexOf('a-3') + 1));
        // a-3 moves on (out of that place): resuming past where it was still gives the runs after it.
        const moved = (await s.approvals.getApproval('a-3'))!;
        await s.approvals.saveApproval({ ...moved, version: 2, nextActionAt: day(30) });
        expect(ids(await collect(s.approvals.listApprovalsNeedingAction(day(6), { after: { nextActionAt: day(2), id: 'a-3' } })))).toEqual(ids(all).slice(ids(all).indexOf('a-3') + 1));
        expect(await collect(s.approvals.listApprovalsNeedingAction(day(6), { after: { nextActionAt: day(6), id: 'a-4' } }))).toEqual([]);
      });
    });
  });
}
