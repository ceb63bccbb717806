// Re-approval through `idgov`, as an operator and approvers run it (a child process per command):
// workflows and settings files (bad ones refused naming the field, storing nothing), the scheduled
// date, the two jobs run locally through their handlers (a re-run the same day starts nothing new),
// a continuous re-approval decided step by step through `tasks` and `decide` (the outcome a decision
// reaches is applied by the next start-reapproval run), and a scheduled round whose rejection
// removes the assignment and tells its holder.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliWorkspace } from '../support/cli-workspace.js';

/**
 * mgr manages alice, bob and carol; owner owns every privilege; sec is the security lead.
 *   p-fin  CONTINUOUS every 90 days, workflow owner-then-security:
 *          alice's approved 2026-04-01 → due 2026-06-30; bob's granted 2026-06-01 → due 2026-08-30;
 *          carol's is RULE: never re-approved.
 *   p-sox  SCHEDULED (default workflow: its owner, 14 days): carol's.
 *   p-wiki not re-approved.
 */
const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com' },
    { id: 'mgr', displayName: 'Max Manager', email: 'mgr@example.com', managerId: 'owner' },
    { id: 'sec', displayName: 'Sam Security', email: 'sec@example.com', managerId: 'owner' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'mgr' },
    { id: 'bob', displayName: 'Bob', email: 'bob@example.com', managerId: 'mgr' },
    { id: 'carol', displayName: 'Carol', email: 'carol@example.com', managerId: 'mgr' },
  ],
  privileges: [
    {
      id: 'p-fin',
      name: 'FinanceAdmin',
      ownerIds: ['owner'],
      riskLevel: 'CRITICAL',
      approvalWorkflowId: 'owner-then-security',
      reapproval: { mode: 'CONTINUOUS', intervalDays: 90 },
    },
    { id: 'p-sox', name: 'SOX reporting', ownerIds: ['owner'], riskLevel: 'HIGH', reapproval: { mode: 'SCHEDULED' } },
    { id: 'p-wiki', name: 'Wiki', ownerIds: ['owner'], riskLevel: 'LOW' },
  ],
  assignments: [
    { userId: 'alice', privilegeId: 'p-fin', origin: 'MANUAL', approvedAt: '2026-04-01', approvedBy: 'owner' },
    { userId: 'alice', privilegeId: 'p-wiki', origin: 'MANUAL' },
    { userId: 'bob', privilegeId: 'p-fin', origin: 'MANUAL', grantedAt: '2026-06-01' },
    { userId: 'carol', privilegeId: 'p-fin', origin: 'RULE' },
    { userId: 'carol', privilegeId: 'p-sox', origin: 'MANUAL' },
  ],
};

const workflows = {
  workflows: [
    {
      id: 'owner-then-security',
      name: 'Owner, then security',
      steps: [
        { name: 'Owner', approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'ESCALATE' },
        { name: 'Security', approvers: ['sec'], timeoutDays: 5, onTimeout: 'REJECT' },
      ],
    },
  ],
};

const step = (overrides: Record<string, unknown>) => ({ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'ESCALATE', ...overrides });
const workflowFile = (steps: unknown[], id = 'wf') => ({ workflows: [{ id, name: 'W', steps }] });

const { idgov, json, path } = useCliWorkspace('cli-reapproval', {
  'directory.json': directory,
  'workflows.json': workflows,
  'unknown-approver.json': workflowFile([step({}), step({ approvers: ['nobody'] })]),
  'reserved-id.json': workflowFile([step({})], 'default'),
  'unknown-field.json': workflowFile([step({ timeout: 7 })]),
  'after-escalation.json': workflowFile([step({ onTimeout: 'REJECT', afterEscalation: 'APPROVE' })]),
  'no-steps.json': workflowFile([]),
  'bad-interval.json': { privileges: [{ id: 'p-x', name: 'X', reapproval: { mode: 'CONTINUOUS', intervalDays: 0 } }] },
  'state-in-file.json': {
    users: [{ id: 'u', displayName: 'U', email: 'u@example.com' }],
    privileges: [{ id: 'p-x', name: 'X' }],
    assignments: [{ userId: 'u', privilegeId: 'p-x', origin: 'MANUAL', nextReapprovalAt: '2026-01-01' }],
  },
});

interface JobRun<T> {
  job: string;
  result: T;
  mail: { captured: number; mailbox: string };
}
interface StartResult {
  started: { continuous: number; scheduled: number };
  round?: { date: string; completed: boolean };
  failed: number;
  approved: number;
  rejected: number;
  dispatch: { sent: number };
}
interface ShownAssignment {
  privilegeId: string;
  origin: string;
  grantedAt: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  nextReapprovalAt: string | null;
  reapprovalMode: string | null;
  reapproval: { approvalId: string; state: string | null; step: number | null; approverIds: string[]; dueDate: string | null } | null;
}
interface TaskView {
  kind: string;
  taskId: string;
  subjectId: string;
  workflowId: string;
  step: number;
  steps: number;
  openItemIds: string[];
  items: { id: string; privilegeId: string; approvedAt: string | null }[];
}

const mailbox = async (home: string) =>
  (await readFile(join(home, 'mailbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { to: string[]; subject: string; simulatedAt: string });

describe('bad files are refused naming the field, and change nothing', () => {
  it('refuses directory files with bad re-approval settings or re-approval state, and a bad CSV interval under its column', async () => {
    const home = path('bad-directory-home');
    const interval = await idgov(home, ['directory', 'load', path('bad-interval.json')]);
    expect(interval).toMatchObject({ code: 2, stdout: '' });
    expect(interval.stderr).toMatch(/privileges\.0\.reapproval\.intervalDays/);
    const state = await idgov(home, ['directory', 'load', path('state-in-file.json')]);
    expect(state.code).toBe(2);
    expect(state.stderr).toMatch(/assignments\.0.*nextReapprovalAt/);

    const folder = path('csv');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'users.csv'), 'id,displayName,email\nowner,Olivia,owner@example.com\n');
    await writeFile(join(folder, 'privileges.csv'), 'id,name,ownerIds,reapprovalMode,reapprovalIntervalDays\np-fin,FinanceAdmin,owner,CONTINUOUS,ninety\n');
    const csv = await idgov(home, ['directory', 'load', folder]);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/privileges\.csv line 2: reapprovalIntervalDays: /);
    expect((await idgov(home, ['directory', 'show-user', 'owner'])).code).toBe(2);
  }, 120_000);

  it('accepts the re-approval columns of CSV', async () => {
    const home = path('csv-home');
    const folder = path('csv-good');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'users.csv'), 'id,displayName,email\nowner,Olivia,owner@example.com\nann,Ann,ann@example.com\n');
    await writeFile(
      join(folder, 'privileges.csv'),
      'id,name,ownerIds,approvalWorkflowId,reapprovalMode,reapprovalIntervalDays,reapprovalWorkflowId\np-fin,FinanceAdmin,owner,two-step,CONTINUOUS,30,\np-sox,SOX,owner,,SCHEDULED,,two-step\n',
    );
    await writeFile(join(folder, 'assignments.csv'), 'userId,privilegeId,origin,grantedAt\nann,p-fin,MANUAL,2026-06-01\n');
    expect(await json(home, ['directory', 'load', folder])).toMatchObject({ users: 2, privileges: 2, assignments: 1 });
    const ann = await json<{ assignments: ShownAssignment[] }>(home, ['directory', 'show-user', 'ann']);
    expect(ann.assignments[0]).toMatchObject({ privilegeId: 'p-fin', grantedAt: '2026-06-01T00:00:00.000Z', reapprovalMode: null });
  }, 120_000);

  it('refuses bad workflows files naming the field, storing nothing', async () => {
    const home = path('bad-workflows-home');
    await json(home, ['directory', 'load', path('directory.json')]);
    const cases: [string, RegExp][] = [
      ['unknown-approver.json', /^idgov: .*workflows\.0\.steps\.1\.approvers\.0/],
      ['reserved-id.json', /^idgov: .*workflows\.0\.id/],
      ['unknown-field.json', /^idgov: .*workflows\.0\.steps\.0.*timeout/],
      ['after-escalation.json', /^idgov: .*workflows\.0\.steps\.0\.afterEscalation/],
      ['no-steps.json', /^idgov: .*workflows\.0\.steps/],
    ];
    for (const [file, message] of cases) {
      const result = await idgov(home, ['workflow', 'load', path(file)]);
      expect(result, file).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr, file).toMatch(message);
    }
    const listed = await json<{ id: string; builtIn: boolean }[]>(home, ['workflow', 'list']);
    expect(listed.map((w) => [w.id, w.builtIn])).toEqual([['default', true]]);
  }, 120_000);
});

describe('re-approval through idgov', () => {
  const home = () => path('reapproval-home');
  let aliceRun: string;

  it('loads the directory and the workflows, and lists the default beside them', async () => {
    await json(home(), ['directory', 'load', path('directory.json')]);
    const loaded = await json<{ loadedBy: string; workflows: { id: string; loadedAt: string }[] }>(home(), [
      'workflow',
      'load',
      path('workflows.json'),
      '--by',
      'ops',
      '--now',
      '2026-06-30T12:00:00Z',
    ]);
    expect(loaded).toMatchObject({ loadedBy: 'ops', workflows: [{ id: 'owner-then-security', loadedAt: '2026-06-30T12:00:00.000Z' }] });
    const listed = await json<{ id: string; builtIn: boolean; steps: unknown[] }[]>(home(), ['workflow', 'list']);
    expect(listed.map((w) => [w.id, w.builtIn, w.steps.length])).toEqual([
      ['default', true, 1],
      ['owner-then-security', false, 2],
    ]);
  }, 120_000);

  it('sets the scheduled date: a date that is not real, or in the past, is refused naming it', async () => {
    expect(await idgov(home(), ['reapproval', 'schedule', '--date', '2026-02-30'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^idgov: date: /) });
    expect(await idgov(home(), ['reapproval', 'schedule', '--date', '2026-06-01', '--now', '2026-07-01T00:00:00Z'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^idgov: date: /),
    });
    const set = await json<{ config: { scheduledDate: string } }>(home(), ['reapproval', 'schedule', '--date', '2026-09-01', '--by', 'ops', '--now', '2026-07-01T00:00:00Z']);
    expect(set.config.scheduledDate).toBe('2026-09-01');
    expect(await json(home(), ['reapproval', 'status', '--now', '2026-07-01T00:00:00Z'])).toMatchObject({ scheduledDate: '2026-09-01', round: null });
  }, 120_000);

  it('initialize-reapproval gives each flagged manual assignment its date or its round, once', async () => {
    const first = await json<JobRun<Record<string, number>>>(home(), ['job', 'run', 'initialize-reapproval', '--now', '2026-07-01T05:00:00Z']);
    expect(first.result).toEqual({ privileges: 2, initialized: 3, continuous: 2, scheduled: 1, reset: 0 });
    const again = await json<JobRun<Record<string, number>>>(home(), ['job', 'run', 'initialize-reapproval', '--now', '2026-07-01T05:00:00Z']);
    expect(again.result).toMatchObject({ initialized: 0 });

    const shown = async (user: string) =>
      Object.fromEntries((await json<{ assignments: ShownAssignment[] }>(home(), ['directory', 'show-user', user])).assignments.map((a) => [a.privilegeId, a]));
    const alice = await shown('alice');
    expect(alice['p-fin']).toMatchObject({ reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-06-30T00:00:00.000Z', approvedAt: '2026-04-01T00:00:00.000Z', reapproval: null });
    expect(alice['p-wiki']).toMatchObject({ reapprovalMode: null, nextReapprovalAt: null });
    expect((await shown('bob'))['p-fin']).toMatchObject({ grantedAt: '2026-06-01T00:00:00.000Z', nextReapprovalAt: '2026-08-30T00:00:00.000Z' });
    const carol = await shown('carol');
    expect(carol['p-sox']).toMatchObject({ reapprovalMode: 'SCHEDULED', nextReapprovalAt: '2026-09-01T00:00:00.000Z' });
    // RULE access is never re-approved.
    expect(carol['p-fin']).toMatchObject({ origin: 'RULE', reapprovalMode: null, nextReapprovalAt: null });
  }, 120_000);

  it("start-reapproval starts alice's re-approval and mails its first approver; the same day again starts and sends nothing", async () => {
    const first = await json<JobRun<StartResult>>(home(), ['job', 'run', 'start-reapproval', '--now', '2026-07-01T06:00:00Z']);
    expect(first.result).toMatchObject({ started: { continuous: 1, scheduled: 0 }, failed: 0 });
    expect(first.result.round).toBeUndefined();
    expect(first.mail.captured).toBeGreaterThanOrEqual(1);
    expect((await mailbox(home())).map((m) => m.to[0])).toContain('owner@example.com');

    const again = await json<JobRun<StartResult>>(home(), ['job', 'run', 'start-reapproval', '--now', '2026-07-01T06:30:00Z']);
    expect(again.result).toMatchObject({ started: { continuous: 0, scheduled: 0 }, dispatch: { sent: 0 } });
    expect(again.mail.captured).toBe(0);

    const text = await idgov(home(), ['job', 'run', 'start-reapproval', '--now', '2026-07-01T07:00:00Z']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^start-reapproval: 0 re-approvals started \(0 continuous, 0 scheduled\)/);
  }, 120_000);

  it('the owner sees the run as a REAPPROVAL task; others may not decide it, a run is not modified nor reassigned', async () => {
    const tasks = await json<TaskView[]>(home(), ['tasks', '--approver', 'owner']);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'REAPPROVAL', subjectId: 'alice', workflowId: 'owner-then-security', step: 1, steps: 2, openItemIds: ['p-fin'] });
    expect(tasks[0]!.items[0]).toMatchObject({ id: 'p-fin', privilegeId: 'p-fin', approvedAt: '2026-04-01T00:00:00.000Z' });
    aliceRun = tasks[0]!.taskId;
    expect(aliceRun).toMatch(/^a-[0-9a-f]{12}$/);
    // The holder of the assignment has no task of it.
    expect(await json(home(), ['tasks', '--approver', 'alice'])).toEqual([]);

    const notHers = await idgov(home(), ['decide', aliceRun, 'p-fin', '--as', 'alice', '--approve', '--now', '2026-07-02T09:00:00Z']);
    expect(notHers).toMatchObject({ code: 2, stdout: '' });
    const modified = await idgov(home(), ['decide', aliceRun, 'p-fin', '--as', 'owner', '--end-date', '2027-01-01']);
    expect(modified).toMatchObject({ code: 2, stderr: expect.stringMatching(/^idgov: outcome: /) });
    const reassigned = await idgov(home(), ['entry', 'reassign', aliceRun, '--to', 'mgr', '--justification', 'owner is away this month']);
    expect(reassigned).toEqual({ code: 2, stdout: '', stderr: 'idgov: id: a re-approval is not reassigned\n' });
    expect(await json(home(), ['tasks', '--approver', 'owner'])).toHaveLength(1);
  }, 120_000);

  it('the owner approves step 1, security approves step 2: the assignment is kept, approved, and dated 90 days on', async () => {
    const first = await json<Record<string, unknown>>(home(), ['decide', aliceRun, 'p-fin', '--as', 'owner', '--approve', '--comment', 'still runs month-end', '--now', '2026-07-02T09:00:00Z']);
    expect(first).toMatchObject({ kind: 'REAPPROVAL', entryId: aliceRun, entryState: 'RUNNING', decided: ['p-fin'], finished: false });
    expect(await json(home(), ['tasks', '--approver', 'owner'])).toEqual([]);
    const security = await json<TaskView[]>(home(), ['tasks', '--approver', 'sec']);
    expect(security).toMatchObject([{ taskId: aliceRun, step: 2, steps: 2, openItemIds: ['p-fin'] }]);

    const second = await json<Record<string, unknown>[]>(home(), ['decide', aliceRun, '--all', '--as', 'sec', '--approve', '--now', '2026-07-03T09:00:00Z']);
    expect(second).toEqual([{ kind: 'REAPPROVAL', entryId: aliceRun, entryState: 'APPROVED', decided: ['p-fin'], finished: true, outcome: 'APPROVE' }]);
    expect(await json(home(), ['tasks', '--approver', 'sec'])).toEqual([]);
    // Reached, not applied yet: the assignment is as it was, its run APPROVED.
    const decided = await json<{ assignments: ShownAssignment[] }>(home(), ['directory', 'show-user', 'alice']);
    expect(decided.assignments.find((a) => a.privilegeId === 'p-fin')).toMatchObject({
      approvedAt: '2026-04-01T00:00:00.000Z',
      reapproval: { approvalId: aliceRun, state: 'APPROVED' },
    });

    const applied = await json<JobRun<StartResult>>(home(), ['job', 'run', 'start-reapproval', '--now', '2026-07-04T06:00:00Z']);
    expect(applied.result).toMatchObject({ started: { continuous: 0, scheduled: 0 }, approved: 1 });
    const alice = await json<{ assignments: ShownAssignment[] }>(home(), ['directory', 'show-user', 'alice']);
    expect(alice.assignments.find((a) => a.privilegeId === 'p-fin')).toMatchObject({
      approvedAt: '2026-07-03T09:00:00.000Z',
      approvedBy: 'sec',
      nextReapprovalAt: '2026-10-01T00:00:00.000Z',
      reapprovalMode: 'CONTINUOUS',
      reapproval: null,
    });
  }, 120_000);

  it("the scheduled date starts carol's round (and bob's date has come); a rejection removes her access and tells her", async () => {
    const started = await json<JobRun<StartResult>>(home(), ['job', 'run', 'start-reapproval', '--now', '2026-09-01T06:00:00Z']);
    expect(started.result).toMatchObject({ started: { continuous: 1, scheduled: 1 }, round: { date: '2026-09-01' }, failed: 0 });
    const carolBefore = await json<{ assignments: ShownAssignment[] }>(home(), ['directory', 'show-user', 'carol']);
    expect(carolBefore.assignments.find((a) => a.privilegeId === 'p-sox')!.reapproval).toMatchObject({ state: 'RUNNING', step: 1, approverIds: ['owner'] });

    const tasks = await json<TaskView[]>(home(), ['tasks', '--approver', 'owner']);
    expect(tasks.map((t) => [t.subjectId, t.workflowId]).sort()).toEqual([
      ['bob', 'owner-then-security'],
      ['carol', 'default'],
    ]);
    const carolRun = tasks.find((t) => t.subjectId === 'carol')!.taskId;
    const rejected = await idgov(home(), ['decide', carolRun, 'p-sox', '--as', 'owner', '--reject', '--comment', 'left the SOX team', '--now', '2026-09-02T09:00:00Z']);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toBe(
      `REJECT recorded on 1 item(s) (p-sox) of approval run ${carolRun} by owner; the run is REJECTED, and the next start-reapproval run applies its outcome (the assignment is removed)\n`,
    );
    // Until then carol keeps the access, and nobody told her otherwise.
    const before = await json<{ assignments: ShownAssignment[] }>(home(), ['directory', 'show-user', 'carol']);
    expect(before.assignments.map((a) => a.privilegeId).sort()).toEqual(['p-fin', 'p-sox']);
    expect((await mailbox(home())).filter((m) => m.to[0] === 'carol@example.com')).toEqual([]);

    // The next run removes it, sends the Assignment Reject, and starts nothing for the round again.
    const next = await json<JobRun<StartResult>>(home(), ['job', 'run', 'start-reapproval', '--now', '2026-09-03T06:00:00Z']);
    expect(next.result).toMatchObject({ started: { continuous: 0, scheduled: 0 }, rejected: 1 });
    const carol = await json<{ assignments: ShownAssignment[] }>(home(), ['directory', 'show-user', 'carol']);
    expect(carol.assignments.map((a) => a.privilegeId)).toEqual(['p-fin']);
    expect((await mailbox(home())).filter((m) => m.to[0] === 'carol@example.com')).toHaveLength(1);
    expect(await json(home(), ['reapproval', 'status', '--now', '2026-09-03T06:00:00Z'])).toMatchObject({
      scheduledDate: '2026-09-01',
      round: { date: '2026-09-01', started: 1 },
    });
  }, 180_000);
});

describe('a re-approval run in time-budgeted chunks, piped', () => {
  // 30 holders due at once: with a budget of 1 ms each invocation starts one chunk (25) and the local
  // runtime invokes the job again with its continuation, as Lambda would, until it is done.
  const holders = Array.from({ length: 30 }, (_, i) => `h-${String(i).padStart(2, '0')}`);
  const many = {
    users: [{ id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com' }, ...holders.map((id) => ({ id, displayName: id, email: `${id}@example.com`, managerId: 'owner' }))],
    privileges: [{ id: 'p-ops', name: 'Ops', ownerIds: ['owner'], riskLevel: 'HIGH', reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }],
    assignments: holders.map((userId) => ({ userId, privilegeId: 'p-ops', origin: 'MANUAL', approvedAt: '2026-05-01' })),
  };

  it('starts every due re-approval over several invocations, and prints the result only: no progress line on a pipe', async () => {
    const home = path('chunks-home');
    await writeFile(path('many.json'), JSON.stringify(many));
    await json(home, ['directory', 'load', path('many.json')]);
    await json(home, ['job', 'run', 'initialize-reapproval', '--now', '2026-07-01T05:00:00Z']);
    const run = await idgov(home, ['job', 'run', 'start-reapproval', '--now', '2026-07-01T06:00:00Z', '--budget-ms', '1']);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    // The invocations' results add up to the run's.
    expect(run.stdout).toMatch(/^start-reapproval: 30 re-approvals started \(30 continuous, 0 scheduled\)/);
    // The progress line is drawn on a terminal only: nothing is redrawn (\r) or erased (ESC[K) here.
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toContain('\r');
      expect(output).not.toContain('\u001b[');
    }
    expect(run.stderr).not.toMatch(/start-reapproval (DUE|ROUND|PROGRESS)/);

    const refused = await idgov(home, ['job', 'run', 'risk-assessment', '--budget-ms', '0']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/budget-ms/);
  }, 180_000);
});
