// The re-approval commands of `idgov`, in-process: option parsing, the use case each calls and with
// what, and what each prints (text and --json). The use cases are stand-ins recording their calls
// (their behaviour is the engine's tests', and test/integration/cli-reapproval.test.ts runs the
// whole); the local runtime is a fake holding what the commands read. On a deployed stack
// (`--aws`), the re-approval jobs run in their deployed functions (Lambda Invoke mocked).
import 'aws-sdk-client-mock-vitest/extend';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { DEFAULT_REAPPROVAL_CONFIG, DEFAULT_WORKFLOW, type ApprovalRun, type ApprovalWorkflow, type ReapprovalConfig } from '../../../lambdas/shared/domain/approvals/model.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { Assignment, Entry, Item, User } from '../../../lambdas/shared/domain/model.js';
import { runCli } from '../../../src/cli/main.js';
import { sampleRun } from '../../support/approval-run.js';
import { REGION, cdkOutputs, statelessOutputs, writeOutputsFile } from '../../support/cdk-outputs.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const { fake, record } = vi.hoisted(() => {
  const fake = {
    calls: [] as { name: string; args: unknown[] }[],
    refuse: undefined as Error | undefined,
    answers: {} as Record<string, unknown>,
    runtimeOpened: 0,
    runtime: undefined as unknown,
  };
  /** A use case stand-in: records its call, then refuses or answers as the test set. */
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      fake.calls.push({ name, args });
      if (fake.refuse) throw fake.refuse;
      return fake.answers[name];
    };
  return { fake, record };
});

vi.mock('../../../lambdas/shared/use-cases/approvals/workflow-admin.js', () => ({
  loadWorkflows: record('loadWorkflows'),
  listWorkflows: record('listWorkflows'),
  scheduleReapproval: record('scheduleReapproval'),
  reapprovalStatus: record('reapprovalStatus'),
}));
vi.mock('../../../lambdas/shared/use-cases/approvals/approval-tasks.js', () => ({
  listAllTasks: record('listAllTasks'),
  decideApproval: record('decideApproval'),
  readApprovalAs: record('readApprovalAs'),
}));
// The local runtime is the fake; a deployed one (--aws) is the real reader of the outputs.
vi.mock('../../../src/local/runtime.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/local/runtime.js')>();
  return {
    ...actual,
    openRuntime: async (options: { aws?: boolean }) => {
      if (options.aws) return actual.openRuntime(options);
      fake.runtimeOpened++;
      return fake.runtime;
    },
  };
});

const lambda = mockClient(LambdaClient);
const NOW = '2026-07-03T10:00:00.000Z';
const run = sampleRun();
const USERS: Record<string, User> = {
  u1: { id: 'u1', displayName: 'Name u1', email: 'u1@example.com', status: 'ACTIVE', managerId: 'm1' },
  owner1: { id: 'owner1', displayName: 'Olga Owner', email: 'owner1@example.com', status: 'ACTIVE' },
};

let assignments: Assignment[];
let runs: Map<string, ApprovalRun>;
let config: ReapprovalConfig | undefined;
let reads: string[];

beforeEach(() => {
  fake.calls = [];
  fake.refuse = undefined;
  fake.answers = {};
  fake.runtimeOpened = 0;
  assignments = [];
  runs = new Map([[run.id, run]]);
  config = undefined;
  reads = [];
  const directory = {
    getUser: async (id: string) => USERS[id],
    listAssignmentsOfUser: async () => assignments,
    getReapprovalConfig: async () => (reads.push('config'), config),
  };
  const approvals = { getApproval: async (id: string) => (reads.push(`approval ${id}`), runs.get(id)) };
  fake.runtime = {
    mode: 'embedded',
    home: tmpdir(),
    directory,
    approvals,
    campaigns: new InMemoryCampaignStore(),
    outbox: new InMemoryOutbox(),
    auditLog: new InMemoryAuditLog(),
    close: async () => {},
  };
  lambda.reset();
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  vi.stubEnv('IDGOV_DEBUG', '');
  vi.stubEnv('APPROVER_PORTAL_URL', 'https://governance.example.com');
});
afterEach(() => vi.unstubAllEnvs());

async function idgov(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(['node', 'idgov', ...args]), stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

const callsOf = (name: string) => fake.calls.filter((c) => c.name === name).map((c) => c.args);

function file(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'idgov-reapproval-cli-')), name);
  writeFileSync(path, content);
  return path;
}

const WORKFLOW: ApprovalWorkflow = {
  id: 'owner-then-security',
  name: 'Owner, then security',
  steps: [
    { name: 'Owner', approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'ESCALATE', afterEscalation: 'APPROVE' },
    { approvers: ['MANAGER', 'sec1'], timeoutDays: 1, onTimeout: 'REJECT' },
  ],
  loadedAt: NOW,
  loadedBy: 'ops',
};

describe('idgov workflow', () => {
  it('load: hands the parsed file to loadWorkflows with who and when, and prints what was stored', async () => {
    const raw = { workflows: [{ id: WORKFLOW.id, name: WORKFLOW.name, steps: WORKFLOW.steps }] };
    const path = file('workflows.json', JSON.stringify(raw));
    fake.answers.loadWorkflows = { loaded: [WORKFLOW.id], created: [WORKFLOW.id], replaced: [] };
    fake.answers.listWorkflows = [
      { ...DEFAULT_WORKFLOW, isDefault: true },
      { ...WORKFLOW, isDefault: false },
    ];
    const result = await idgov('workflow', 'load', path, '--by', 'ops', '--now', NOW);
    expect(result).toEqual({
      code: 0,
      stdout:
        `loaded 1 workflow from ${path} (by ops at 2026-07-03T10:00:00Z): 1 new, 0 replaced (running approvals keep the workflow they started with)\n` +
        '  owner-then-security  Owner, then security: 1. Owner: PRIVILEGE_OWNER, 7 days, then ESCALATE then APPROVE → ' +
        '2. MANAGER or sec1, 1 day, then REJECT\n',
      stderr: '',
    });
    const [[deps, passed, by, at]] = callsOf('loadWorkflows') as [[{ directory: unknown; audit: unknown }, unknown, string, Date]];
    expect(deps.directory).toBe((fake.runtime as { directory: unknown }).directory);
    expect(deps.audit).toBe((fake.runtime as { auditLog: unknown }).auditLog);
    expect(passed).toEqual(raw);
    expect([by, at.toISOString()]).toEqual(['ops', NOW]);

    const json = await idgov('workflow', 'load', path, '--now', NOW, '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      file: path,
      loadedAt: NOW,
      loadedBy: 'idgov-cli',
      created: [WORKFLOW.id],
      replaced: [],
      workflows: [{ id: WORKFLOW.id, name: WORKFLOW.name, description: null, builtIn: false, steps: WORKFLOW.steps, loadedAt: NOW, loadedBy: 'ops' }],
    });
  });

  it('load: refuses a file that is not JSON naming the file, before opening the store', async () => {
    const result = await idgov('workflow', 'load', file('workflows.json', '{ "workflows": ['));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^idgov: file: workflows\.json: not valid JSON/);
    expect(fake.runtimeOpened).toBe(0);
    expect(fake.calls).toEqual([]);
  });

  it("load: passes the use case's refusal on (exit 2, the field named)", async () => {
    fake.refuse = new ValidationError('unknown user nobody', 'workflows.0.steps.1.approvers.0');
    const result = await idgov('workflow', 'load', file('workflows.json', '{"workflows":[]}'));
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'idgov: workflows.0.steps.1.approvers.0: unknown user nobody\n' });
  });

  it('list: the built-in default marked, and each loaded workflow', async () => {
    fake.answers.listWorkflows = [
      { ...DEFAULT_WORKFLOW, isDefault: true },
      { ...WORKFLOW, isDefault: false },
    ];
    const json = JSON.parse((await idgov('workflow', 'list', '--json')).stdout);
    expect(json).toEqual([
      { id: 'default', name: DEFAULT_WORKFLOW.name, description: null, builtIn: true, steps: DEFAULT_WORKFLOW.steps, loadedAt: null, loadedBy: null },
      { id: WORKFLOW.id, name: WORKFLOW.name, description: null, builtIn: false, steps: WORKFLOW.steps, loadedAt: NOW, loadedBy: 'ops' },
    ]);
    const text = (await idgov('workflow', 'list')).stdout;
    expect(text).toContain('default (built-in)');
    expect(text).toContain('PRIVILEGE_OWNER, 14 days, then ESCALATE then REJECT');
    expect(text).toContain('2026-07-03T10:00:00Z by ops');
  });
});

describe('idgov reapproval', () => {
  it('schedule: refuses a date that is not a real calendar date, naming --date, before opening the store', async () => {
    for (const date of ['2026-02-30', '1 Sept', '2026-9-1']) {
      const result = await idgov('reapproval', 'schedule', '--date', date);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`idgov: date: must be a date YYYY-MM-DD, got "${date}"\n`);
    }
    expect(fake.runtimeOpened).toBe(0);
  });

  it('schedule: sets the date through scheduleReapproval with who and when', async () => {
    fake.answers.scheduleReapproval = { config: { ...DEFAULT_REAPPROVAL_CONFIG, scheduledDate: '2026-09-01', updatedAt: NOW, updatedBy: 'ops' } };
    const result = await idgov('reapproval', 'schedule', '--date', '2026-09-01', '--by', 'ops', '--now', NOW);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^re-approval scheduled for 2026-09-01 \(by ops\)/);
    const [[deps, date, by, at]] = callsOf('scheduleReapproval') as [[{ directory: unknown; audit: unknown }, string, string, Date]];
    expect([date, by, at.toISOString()]).toEqual(['2026-09-01', 'ops', NOW]);
    expect(deps).toEqual({ directory: (fake.runtime as { directory: unknown }).directory, audit: (fake.runtime as { auditLog: unknown }).auditLog });
    const json = await idgov('reapproval', 'schedule', '--date', '2026-09-01', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ ...(fake.answers.scheduleReapproval as object), previousDate: null });
  });

  it('status: the configuration, the scheduled date and its round', async () => {
    const round = { date: '2026-09-01', startedAt: '2026-09-01T06:00:00.000Z', started: 12 };
    fake.answers.reapprovalStatus = { config: { ...DEFAULT_REAPPROVAL_CONFIG, scheduledDate: '2026-09-01' }, roundState: 'STARTED', round };
    expect(JSON.parse((await idgov('reapproval', 'status', '--json')).stdout)).toEqual({
      config: { ...DEFAULT_REAPPROVAL_CONFIG, scheduledDate: '2026-09-01' },
      scheduledDate: '2026-09-01',
      roundState: 'STARTED',
      round,
    });
    const text = (await idgov('reapproval', 'status')).stdout;
    expect(text).toContain('scheduled date: 2026-09-01');
    expect(text).toContain('round of 2026-09-01: started 2026-09-01T06:00:00Z, 12 re-approvals started, in progress');
    fake.answers.reapprovalStatus = { config: DEFAULT_REAPPROVAL_CONFIG, roundState: 'NOT_SCHEDULED' };
    expect(JSON.parse((await idgov('reapproval', 'status', '--json')).stdout)).toMatchObject({ scheduledDate: null, round: null });
  });
});

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

describe('idgov tasks', () => {
  it('lists campaign entries and approval runs of the approver, each with its kind', async () => {
    fake.answers.listAllTasks = [
      { kind: 'REAPPROVAL', dueDate: run.dueDate, approval: run },
      { kind: 'CAMPAIGN', dueDate: entry.dueDate, task: { entry, campaignName: 'Finance', items: [item], openItems: [item] } },
    ];
    const result = await idgov('tasks', '--approver', 'owner1', '--json');
    expect(result.code).toBe(0);
    const tasks = JSON.parse(result.stdout);
    const [[campaigns, approvals, approver]] = callsOf('listAllTasks');
    expect([campaigns, approvals, approver]).toEqual([
      (fake.runtime as { campaigns: unknown }).campaigns,
      (fake.runtime as { approvals: unknown }).approvals,
      'owner1',
    ]);
    expect(tasks[0]).toMatchObject({
      kind: 'REAPPROVAL',
      entryId: run.id,
      taskId: run.id,
      purpose: 'REAPPROVAL',
      workflowId: 'two-step',
      step: 1,
      steps: 2,
      subjectId: 'u1',
      openItemIds: ['p-fin'],
      items: [{ id: 'p-fin', privilegeId: 'p-fin', approvedAt: '2026-04-02T00:00:00.000Z', approvedBy: 'owner1', decision: null }],
    });
    // A campaign task as `idgov tasks` always showed it, with its kind.
    expect(tasks[1]).toEqual({
      kind: 'CAMPAIGN',
      entryId: entry.id,
      campaignId: 'c-finance',
      campaignName: 'Finance',
      subjectKind: 'USER',
      subjectId: 'u2',
      subjectName: 'Name u2',
      state: 'RUNNING',
      dueDate: entry.dueDate,
      openItemIds: ['p-git'],
      items: [expect.objectContaining({ id: 'p-git', privilegeId: 'p-git', decision: null })],
    });

    const text = (await idgov('tasks', '--approver', 'owner1')).stdout;
    expect(text).toContain(`re-approval ${run.id}  Owner, then security step 1 of 2: USER u1 (Name u1)  due 2026-07-08T06:00:00Z  1 of 1 open`);
    expect(text).toContain('item p-fin  u1 → p-fin (FinanceAdmin, HIGH, approved 2026-04-02T00:00:00Z by owner1)  undecided');
    expect(text).toContain(`entry ${entry.id}  Finance: USER u2 (Name u2)`);
  });

  it('refuses an unknown approver who has no task', async () => {
    fake.answers.listAllTasks = [];
    expect(await idgov('tasks', '--approver', 'nobody')).toEqual({ code: 2, stdout: '', stderr: 'idgov: user nobody not found\n' });
  });
});

describe('idgov decide on an approval run (a- id)', () => {
  it('decides its item through decideApproval with the stored configuration, and prints how the run stands', async () => {
    config = { ...DEFAULT_REAPPROVAL_CONFIG, reminders: { daysBeforeDue: 1, intervalHours: 6 } };
    fake.answers.decideApproval = { run: { ...run, state: 'APPROVED' }, decided: ['p-fin'], finished: true };
    const result = await idgov('decide', run.id, 'p-fin', '--as', 'owner1', '--approve', '--comment', 'still needed', '--now', NOW, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      kind: 'REAPPROVAL',
      entryId: run.id,
      entryState: 'APPROVED',
      decided: ['p-fin'],
      finished: true,
      decision: { itemId: 'p-fin', outcome: 'APPROVE', comment: 'still needed' },
    });
    const [[deps, request, used, at]] = callsOf('decideApproval') as [[Record<string, unknown>, unknown, unknown, Date]];
    expect(request).toEqual({ approvalId: run.id, actorId: 'owner1', itemId: 'p-fin', outcome: 'APPROVE', comment: 'still needed' });
    expect(used).toEqual(config);
    expect(at.toISOString()).toBe(NOW);
    const runtime = fake.runtime as Record<string, unknown>;
    expect(deps).toMatchObject({ directory: runtime.directory, approvals: runtime.approvals, campaigns: runtime.campaigns, outbox: runtime.outbox, audit: runtime.auditLog, portalUrl: 'https://governance.example.com' });

    fake.answers.decideApproval = { run: { ...run, stepIndex: 1, approverIds: ['sec1'] }, decided: ['p-fin'], finished: false };
    const text = await idgov('decide', run.id, 'p-fin', '--as', 'owner1', '--approve');
    expect(text.stdout).toBe(`APPROVE recorded on 1 item(s) (p-fin) of approval run ${run.id} by owner1; now at step 2 of 2\n`);

    // An outcome reached: applied by the next start-reapproval run, which the output says.
    fake.answers.decideApproval = { run: { ...run, state: 'REJECTED' }, decided: ['p-fin'], finished: true };
    const ended = await idgov('decide', run.id, 'p-fin', '--as', 'owner1', '--reject');
    expect(ended.stdout).toBe(
      `REJECT recorded on 1 item(s) (p-fin) of approval run ${run.id} by owner1; the run is REJECTED, and the next start-reapproval run applies its outcome (the assignment is removed)\n`,
    );
  });

  it('--all decides its one item (no ITEM_ID) with the default configuration when none is stored', async () => {
    fake.answers.decideApproval = { run: { ...run, state: 'REJECTED' }, decided: ['p-fin'], finished: true };
    const result = await idgov('decide', run.id, '--all', '--as', 'owner1', '--reject', '--json');
    expect(JSON.parse(result.stdout)).toEqual([{ kind: 'REAPPROVAL', entryId: run.id, entryState: 'REJECTED', decided: ['p-fin'], finished: true, outcome: 'REJECT' }]);
    const [[, request, used]] = callsOf('decideApproval');
    expect(request).toEqual({ approvalId: run.id, actorId: 'owner1', outcome: 'REJECT' });
    expect(used).toEqual(DEFAULT_REAPPROVAL_CONFIG);
  });

  it.each([
    [['p-fin', '--end-date', '2027-01-01'], 'outcome: an approval run is approved or rejected (--approve or --reject), not modified'],
    [['--all', '--privilege', 'p-fin', '--approve'], 'privilege: an approval run has one item: give ITEM_ID or --all, not --privilege'],
  ])('refuses %j, naming the option, deciding nothing', async (args, message) => {
    const result = await idgov('decide', run.id, ...args, '--as', 'owner1');
    expect(result).toEqual({ code: 2, stdout: '', stderr: `idgov: ${message}\n` });
    expect(fake.calls).toEqual([]);
  });

  it('sends a campaign entry id to the campaign decision, never to the approval engine', async () => {
    const result = await idgov('decide', 'e-unknown', 'p-git', '--as', 'owner1', '--approve');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/e-unknown/);
    expect(callsOf('decideApproval')).toEqual([]);
  });

  it('entry reassign refuses a run, naming id', async () => {
    const result = await idgov('entry', 'reassign', run.id, '--to', 'u9', '--justification', 'owner is on leave for a month');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'idgov: id: a re-approval is not reassigned\n' });
  });
});

describe('idgov directory show-user', () => {
  it("shows each assignment's approval and re-approval: next date, mode, and the run in progress", async () => {
    const scheduledRun = sampleRun({ id: 'a-000000000002', privilegeId: 'p-prod', stepIndex: 1, approverIds: ['sec1'], dueDate: '2026-07-10T00:00:00.000Z' });
    runs.set(scheduledRun.id, scheduledRun);
    config = { ...DEFAULT_REAPPROVAL_CONFIG, scheduledDate: '2026-09-01' };
    assignments = [
      { userId: 'u1', privilegeId: 'p-fin', origin: 'MANUAL', grantedAt: '2025-01-10T00:00:00.000Z', approvedAt: '2026-04-02T00:00:00.000Z', approvedBy: 'owner1', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-07-01T00:00:00.000Z', reapproval: { approvalId: run.id, startedAt: '2026-07-01T06:00:00.000Z' } },
      { userId: 'u1', privilegeId: 'p-git', origin: 'MANUAL', approvedAt: '2026-06-01T00:00:00.000Z', approvedBy: 'm1', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-08-30T00:00:00.000Z' },
      { userId: 'u1', privilegeId: 'p-ops', origin: 'MANUAL', reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-03-01' },
      { userId: 'u1', privilegeId: 'p-prod', origin: 'MANUAL', reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-03-01', reapproval: { approvalId: scheduledRun.id, startedAt: '2026-07-01T06:00:00.000Z' } },
      { userId: 'u1', privilegeId: 'p-sox', origin: 'MANUAL', reapprovalMode: 'SCHEDULED', lastReapprovalRound: '2026-09-01' },
      { userId: 'u1', privilegeId: 'p-mail', origin: 'RULE' },
    ];
    const result = await idgov('directory', 'show-user', 'u1', '--json');
    expect(result.code).toBe(0);
    const byPrivilege = Object.fromEntries((JSON.parse(result.stdout).assignments as { privilegeId: string }[]).map((a) => [a.privilegeId, a]));
    expect(byPrivilege['p-fin']).toEqual({
      privilegeId: 'p-fin',
      origin: 'MANUAL',
      endDate: null,
      parameters: {},
      grantedAt: '2025-01-10T00:00:00.000Z',
      approvedAt: '2026-04-02T00:00:00.000Z',
      approvedBy: 'owner1',
      // Running: its run decides the next date; the date that made it due is not shown as next.
      nextReapprovalAt: null,
      reapprovalMode: 'CONTINUOUS',
      reapproval: { approvalId: run.id, state: 'RUNNING', step: 1, approverIds: ['owner1'], dueDate: '2026-07-08T06:00:00.000Z' },
    });
    expect(byPrivilege['p-git']).toMatchObject({ nextReapprovalAt: '2026-08-30T00:00:00.000Z', reapprovalMode: 'CONTINUOUS', reapproval: null, approvedBy: 'm1' });
    // SCHEDULED: the domain's date while the assignment has not been started in that round.
    expect(byPrivilege['p-ops']).toMatchObject({ nextReapprovalAt: '2026-09-01T00:00:00.000Z', reapprovalMode: 'SCHEDULED', reapproval: null });
    expect(byPrivilege['p-prod']).toMatchObject({
      nextReapprovalAt: null,
      reapprovalMode: 'SCHEDULED',
      reapproval: { approvalId: scheduledRun.id, state: 'RUNNING', step: 2, approverIds: ['sec1'], dueDate: '2026-07-10T00:00:00.000Z' },
    });
    expect(byPrivilege['p-sox']).toMatchObject({ nextReapprovalAt: null, reapprovalMode: 'SCHEDULED' });
    expect(byPrivilege['p-mail']).toEqual({
      privilegeId: 'p-mail',
      origin: 'RULE',
      endDate: null,
      parameters: {},
      grantedAt: null,
      approvedAt: null,
      approvedBy: null,
      nextReapprovalAt: null,
      reapprovalMode: null,
      reapproval: null,
    });
    // Only the runs in progress are read, and the configuration once.
    expect(reads.sort()).toEqual([`approval ${run.id}`, `approval ${scheduledRun.id}`, 'config'].sort());
  });

  it('reads nothing of re-approval for a user without re-approval state, and prints the table', async () => {
    assignments = [{ userId: 'u1', privilegeId: 'p-mail', origin: 'RULE' }];
    const result = await idgov('directory', 'show-user', 'u1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('next re-approval');
    expect(reads).toEqual([]);
  });
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
const sentEvent = () => JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array));

describe('idgov --aws job run of the re-approval jobs', () => {
  it("invokes initialize-reapproval's deployed function with the manual event and prints its counts", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ privileges: 2, initialized: 5, continuous: 3, scheduled: 2, reset: 2 }) });
    const result = await idgov('--aws', '--outputs', writeOutputsFile(cdkOutputs()), 'job', 'run', 'initialize-reapproval', '--now', '2026-07-02T05:00:00Z');
    expect(result).toEqual({
      code: 0,
      stdout: "initialize-reapproval: 5 assignments initialized (3 continuous, 2 scheduled) over 2 flagged privileges; 2 assignments moved over to their privilege's changed mode\n",
      stderr: 'the job ran in the deployed function: SNS and SES delivered what it sent\n',
    });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: statelessOutputs().InitializeReapprovalFunctionName, InvocationType: 'RequestResponse' });
    expect(sentEvent()).toEqual({ now: '2026-07-02T05:00:00.000Z' });
    expect(fake.runtimeOpened).toBe(0);
  });

  it("invokes start-reapproval's with {} without --now, prints its result, and refuses an answer that is not one", async () => {
    const answer = {
      started: { continuous: 4, scheduled: 1 },
      round: { date: '2026-07-02', completed: true },
      reset: 0,
      failed: 1,
      progressed: 6,
      approved: 2,
      rejected: 1,
      escalated: 1,
      reminded: 2,
      dispatch: { sent: 7, failed: 0, retrying: 1, skipped: 0 },
    };
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 200, Payload: payload(answer) }).resolvesOnce({ StatusCode: 200, Payload: payload({ started: 3 }) });
    const outputs = writeOutputsFile(cdkOutputs());
    const result = await idgov('--aws', '--outputs', outputs, 'job', 'run', 'start-reapproval');
    expect(result.stdout).toBe(
      'start-reapproval: 5 re-approvals started (4 continuous, 1 scheduled); scheduled round of 2026-07-02 completed; 1 failed to start (retried by the next run)\n' +
        '  runs: 6 moved on: 2 approved, 1 rejected, 1 escalated, 2 reminded\n' +
        '  mail: 7 sent, 0 failed, 1 to retry, 0 skipped\n',
    );
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: statelessOutputs().StartReapprovalFunctionName });
    expect(sentEvent()).toEqual({});
    const odd = await idgov('--aws', '--outputs', outputs, 'job', 'run', 'start-reapproval', '--json');
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/^idgov: the start-reapproval function \S+ answered with something that is not a re-approval start result \(started: /);
  });
});
