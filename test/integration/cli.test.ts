// The `idgov` CLI as a user runs it: a child process per command, state in a temporary IDGOV_HOME
// on the embedded engine, simulated time through --now. One small USER campaign goes from the
// directory file to SUCCEEDED (over its revocation cap, confirmed by its owner); the refusals exit 2 naming the field. With
// IDGOV_TEST_ENGINE=dynamodb-local every command gets `--endpoint` of a DynamoDB Local instead.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useCliWorkspace } from '../support/cli-workspace.js';

/** The JSON the CLI prints, read loosely: the assertions say what must be there. */
interface ItemView {
  id: string;
  userId: string;
  privilegeId: string;
  decision: unknown;
}
interface EntryView {
  id: string;
  subjectId: string;
  state: string;
  approverIds: string[];
  items: ItemView[];
}
interface NotificationView {
  kind: string;
  to: string;
  subject: string;
  campaignId: string;
  key: string;
  status: string;
}
type View = Record<string, unknown> & { entries: EntryView[]; assignments: unknown[]; logs: unknown[]; mail: { captured: number }; transitions: unknown[] };

const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com', department: 'IT', riskLevel: 'LOW' },
    { id: 'mgr-fin', displayName: 'Finn Manager', email: 'finn@example.com', managerId: 'owner', department: 'Finance', riskLevel: 'MEDIUM' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'mgr-fin', department: 'Finance', riskLevel: 'HIGH' },
    { id: 'bob', displayName: 'Bob', email: 'bob@example.com', managerId: 'mgr-fin', department: 'Finance', riskLevel: 'MEDIUM' },
    { id: 'carol', displayName: 'Carol', email: 'carol@example.com', managerId: 'owner', department: 'Sales', riskLevel: 'LOW' },
  ],
  privileges: [
    { id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'HIGH' },
    { id: 'p-payments', name: 'Payments', ownerIds: ['owner'], riskLevel: 'CRITICAL' },
    { id: 'p-wiki', name: 'Wiki', ownerIds: ['owner'], riskLevel: 'LOW' },
  ],
  assignments: [
    { userId: 'alice', privilegeId: 'p-ledger', origin: 'MANUAL' },
    { userId: 'alice', privilegeId: 'p-payments', origin: 'MANUAL', endDate: '2026-12-31', parameters: { account: 'ops' } },
    { userId: 'alice', privilegeId: 'p-wiki', origin: 'RULE' },
    { userId: 'bob', privilegeId: 'p-ledger', origin: 'MANUAL' },
    { userId: 'carol', privilegeId: 'p-wiki', origin: 'MANUAL' },
  ],
};

const campaign = {
  name: 'Finance access review',
  kind: 'USER',
  ownerId: 'owner',
  startDate: '2026-07-01',
  approvalPeriodDays: 14,
  subjects: { filter: '(department=Finance)' },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
};

const workspace = useCliWorkspace('cli-files', {
  'directory.json': directory,
  'campaign.json': campaign,
  'bad-campaign.json': { ...campaign, revocation: { ...campaign.revocation, rejected: 'MAYBE' } },
  'dangling.json': { users: [{ id: 'dave', displayName: 'Dave', email: 'dave@example.com', managerId: 'nobody' }] },
});
const { idgov, path } = workspace;
/** Runs a command that must succeed and print only JSON on stdout. */
const json = <T = View>(home: string, args: string[]): Promise<T> => workspace.json<T>(home, args);

const homes: string[] = [];
const freshHome = async () => {
  const home = await mkdtemp(join(tmpdir(), 'idgov-cli-home-'));
  homes.push(home);
  return home;
};

afterAll(async () => {
  await Promise.all(homes.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('idgov refuses bad input with exit code 2 and a message naming the field', () => {
  it('refuses bad files, bad options and unknown ids, and changes nothing', async () => {
    const home = await freshHome();
    // Each refusal runs in its own state folder, so that they can run side by side.
    const [badCampaign, dangling, badNow, noOutcome, unknownOption, unknownEntry, unknownApprover] = await Promise.all([
      idgov(home, ['campaign', 'create', path('bad-campaign.json')]),
      idgov(await freshHome(), ['directory', 'load', path('dangling.json')]),
      idgov(await freshHome(), ['controller', 'run', '--now', 'next tuesday']),
      idgov(await freshHome(), ['decide', 'e-1', 'i-1', '--as', 'alice']),
      idgov(await freshHome(), ['campaign', 'list', '--colour']),
      idgov(await freshHome(), ['entry', 'set', 'e-unknown', '--state', 'RUNNING', '--now', '2026-07-02T00:00:00Z']),
      idgov(await freshHome(), ['tasks', '--approver', 'nobody']),
    ]);
    expect(badCampaign).toMatchObject({ code: 2, stdout: '' });
    expect(badCampaign.stderr).toMatch(/bad-campaign\.json: revocation\.rejected: /);
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toMatch(/users\.0\.managerId: manager nobody of user dave does not exist/);
    expect(badNow.code).toBe(2);
    expect(badNow.stderr).toMatch(/^idgov: now: must be an ISO 8601 date/m);
    expect(noOutcome.code).toBe(2);
    expect(noOutcome.stderr).toMatch(/outcome: choose --approve, --reject, or --end-date\/--param/);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--colour'/);
    expect(unknownEntry.code).toBe(2);
    expect(unknownEntry.stderr).toMatch(/entry e-unknown not found/);
    expect(unknownApprover).toMatchObject({ code: 2, stdout: '' });
    expect(unknownApprover.stderr).toMatch(/user nobody not found/);
    for (const r of [badCampaign, dangling, badNow, noOutcome, unknownEntry, unknownApprover]) expect(r.stderr.trim().split('\n')).toHaveLength(1);

    // The refused campaign file left nothing behind.
    expect(await json<unknown[]>(home, ['campaign', 'list'])).toEqual([]);
  });
});

// One campaign's life, step by step; each step builds on the previous one's state.
describe('a campaign driven through the CLI', () => {
  let home: string;
  let id: string;
  let bySubject: Record<string, EntryView>;

  it('loads the directory and shows a user with their assignments', async () => {
    home = await freshHome();
    const loaded = await json(home, ['directory', 'load', path('directory.json')]);
    expect(loaded).toMatchObject({ users: 5, privileges: 3, assignments: 5, assignmentsByOrigin: { MANUAL: 4, RULE: 1 } });
    const alice = await json(home, ['directory', 'show-user', 'alice']);
    expect(alice).toMatchObject({ id: 'alice', managerId: 'mgr-fin' });
    // No privilege of this directory is re-approved: the re-approval fields are all empty.
    const unflagged = { grantedAt: null, approvedAt: null, approvedBy: null, nextReapprovalAt: null, reapprovalMode: null, reapproval: null };
    expect(alice.assignments).toEqual([
      { privilegeId: 'p-ledger', origin: 'MANUAL', endDate: null, parameters: {}, ...unflagged },
      { privilegeId: 'p-payments', origin: 'MANUAL', endDate: '2026-12-31T00:00:00.000Z', parameters: { account: 'ops' }, ...unflagged },
      { privilegeId: 'p-wiki', origin: 'RULE', endDate: null, parameters: {}, ...unflagged },
    ]);

  });

  it('creates a campaign, and the controller handler starts and prepares it', async () => {
    // Plain output is the id alone, for scripts.
    const created = await idgov(home, ['campaign', 'create', path('campaign.json'), '--now', '2026-06-20T00:00:00Z']);
    expect(created.code).toBe(0);
    id = created.stdout.trim();
    expect(id).toMatch(/^c-[0-9a-f]+$/);
    expect(await json<unknown[]>(home, ['campaign', 'list'])).toEqual([expect.objectContaining({ id, state: 'PREPARING', kind: 'USER' })]);

    // Day 0: the controller handler starts and prepares the campaign, and mails the approvers.
    const start = await json(home, ['controller', 'run', '--now', '2026-07-01T06:00:00Z']);
    expect(start).toMatchObject({ status: 'COMPLETED', transitions: [{ campaignId: id, from: 'PREPARING', to: 'RUNNING' }] });
    expect(start.mail.captured).toBeGreaterThanOrEqual(2);
    const running = await json(home, ['campaign', 'show', id]);
    expect(running).toMatchObject({ state: 'RUNNING', dueDate: '2026-07-15T00:00:00.000Z', statusExpirationDate: null, endDate: null });
    expect(running.logs.length).toBeGreaterThan(0);
    bySubject = Object.fromEntries(running.entries.map((e) => [e.subjectId, e]));
    expect(Object.keys(bySubject).sort()).toEqual(['alice', 'bob', 'mgr-fin']);
    expect(bySubject.alice).toMatchObject({ state: 'RUNNING', approverIds: ['mgr-fin'] });
    expect(bySubject.alice.items.map((i) => [i.userId, i.privilegeId, i.decision])).toEqual([
      ['alice', 'p-ledger', null],
      ['alice', 'p-payments', null],
    ]);
    expect(bySubject['mgr-fin']).toMatchObject({ approverIds: ['owner'], items: [] });

  });

  it('lists the approver\'s tasks and records decisions by the approver only', async () => {
    const tasks = await json<EntryView[]>(home, ['tasks', '--approver', 'mgr-fin']);
    expect(tasks.map((t) => t.subjectId).sort()).toEqual(['alice', 'bob']);
    const aliceEntry = bySubject.alice.id;
    const [ledger, payments] = bySubject.alice.items.map((i) => i.id as string);
    const bobEntry = bySubject.bob.id;
    const bobLedger = bySubject.bob.items[0].id;

    // Only the entry's approver may decide.
    const stranger = await idgov(home, ['decide', aliceEntry, ledger, '--as', 'carol', '--approve', '--now', '2026-07-02T10:00:00Z']);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/carol is not an approver of entry/);

    // Reject, modify (remove the end date, change a parameter), approve.
    const reject = await json(home, ['decide', aliceEntry, ledger, '--as', 'mgr-fin', '--reject', '--comment', 'moved to Sales', '--now', '2026-07-02T10:00:00Z']);
    expect(reject).toMatchObject({ finished: false, decision: { outcome: 'REJECT', comment: 'moved to Sales' } });
    const modify = await json(home, [
      'decide', aliceEntry, payments, '--as', 'mgr-fin', '--end-date', 'none', '--param', 'account=audit', '--now', '2026-07-02T10:05:00Z',
    ]);
    expect(modify).toMatchObject({ finished: true, entryState: 'APPROVAL.FINISHED', decision: { outcome: 'MODIFY', endDate: null, parameters: { account: 'audit' } } });
    const approve = await idgov(home, ['decide', bobEntry, bobLedger, '--as', 'mgr-fin', '--approve', '--now', '2026-07-03T09:00:00Z']);
    expect(approve).toMatchObject({ code: 0 });
    expect(approve.stdout).toMatch(/APPROVE recorded .* entry APPROVAL\.FINISHED/);
    expect(await json<unknown[]>(home, ['tasks', '--approver', 'mgr-fin'])).toEqual([]);

    // A decided entry is closed.
    const closed = await idgov(home, ['decide', bobEntry, bobLedger, '--as', 'mgr-fin', '--reject', '--now', '2026-07-04T09:00:00Z']);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/decisions are closed/);

  });

  it('waits at the due date over its revocation cap; apply-preview says what applying removes, confirm-apply lets it', async () => {
    // Removing 1 of its 3 items is over the default cap (20 %): the campaign waits, nothing removed.
    const due = await json(home, ['controller', 'run', '--now', '2026-07-15T06:00:00Z']);
    expect(due.transitions).toEqual([]);
    expect(await json(home, ['campaign', 'show', id])).toMatchObject({ state: 'RUNNING', phase: 'AWAIT_CONFIRMATION' });
    const preview = await idgov(home, ['campaign', 'apply-preview', id, '--now', '2026-07-15T06:00:00Z']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/REMOVE +│ alice +│ p-ledger .*rejected by mgr-fin; revocation\.rejected REMOVE/);
    expect(preview.stdout).toMatch(/MODIFY +│ alice +│ p-payments .*modified by mgr-fin; revocation\.modified KEEP \(endDate=none account=audit\)/);
    expect(preview.stdout).toContain('totals of 3 items: remove 1, modify 1, hand over 0, keep 1, kept by guard 0');
    expect(preview.stdout).toContain(`cap: 33.3 % of the items removed; cap 20 % (at most 0 without confirmation): OVER THE CAP, waiting since 2026-07-15T06:00:00Z; confirm with: idgov campaign confirm-apply ${id} --by <name>`);
    const confirmed = await json(home, ['campaign', 'confirm-apply', id, '--by', 'owner', '--now', '2026-07-15T06:00:00Z']);
    expect(confirmed).toMatchObject({ id, phase: 'APPLY', confirmed: { by: 'owner', at: '2026-07-15T06:00:00.000Z', counts: { items: 3, remove: 1 } } });
  });

  it('applies the decisions at the due date, and the outbox lists every notification sent', async () => {
    const finish = await json(home, ['controller', 'run', '--now', '2026-07-15T06:00:00Z']);
    expect(finish.transitions).toEqual([{ campaignId: id, from: 'RUNNING', to: 'SUCCEEDED' }]);
    const done = await json(home, ['campaign', 'show', id]);
    expect(done).toMatchObject({ state: 'SUCCEEDED', endDate: '2026-07-15T06:00:00.000Z', statusExpirationDate: '2026-08-14T06:00:00.000Z' });
    expect(done.entries.map((e) => e.state)).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
    const aliceAfter = await json(home, ['directory', 'show-user', 'alice']);
    expect(aliceAfter.assignments).toEqual([
      expect.objectContaining({ privilegeId: 'p-payments', origin: 'MANUAL', endDate: null, parameters: { account: 'audit' }, reapproval: null }),
      expect.objectContaining({ privilegeId: 'p-wiki', origin: 'RULE', endDate: null, parameters: {}, reapproval: null }),
    ]);

    // The outbox holds every notification, each sent once through the SES emulator.
    const outbox = await json<NotificationView[]>(home, ['outbox']);
    const kinds = outbox.map((n) => `${n.kind} ${n.to}`).sort();
    // One Approval Start per approver: finn's covers alice's and bob's entries.
    expect(kinds).toEqual([
      // The owner was asked to confirm the removals over the cap.
      'APPLY_CONFIRMATION owner@example.com',
      'APPROVAL_START finn@example.com',
      'APPROVAL_START owner@example.com',
      'ASSIGNMENT_REJECT alice@example.com',
      'CAMPAIGN_END owner@example.com',
      'CAMPAIGN_START owner@example.com',
    ]);
    expect(new Set(outbox.map((n) => n.status))).toEqual(new Set(['SENT']));
    expect(outbox.every((n) => n.campaignId === id && typeof n.key === 'string' && n.subject.length > 0)).toBe(true);
    const mailbox = (await readFile(join(home, 'mailbox.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { to: string[] });
    expect(mailbox.map((m) => m.to[0]).sort()).toEqual(outbox.map((n) => n.to).sort());

    const table = await idgov(home, ['outbox', '--campaign', id]);
    expect(table.code).toBe(0);
    for (const kind of ['APPROVAL_START', 'ASSIGNMENT_REJECT', 'CAMPAIGN_END', 'CAMPAIGN_START']) expect(table.stdout).toContain(kind);
  });

  it('deletes the campaign at its status expiration and cleans its entries up', async () => {
    const early = await json(home, ['controller', 'run', '--now', '2026-08-14T05:59:59Z']);
    expect(early.transitions).toEqual([]);
    const expire = await json(home, ['controller', 'run', '--now', '2026-08-14T06:00:00Z']);
    expect(expire.transitions).toEqual([{ campaignId: id, from: 'SUCCEEDED', to: 'DELETED' }]);
    expect(await json(home, ['campaign', 'show', id])).toMatchObject({ state: 'DELETED', entries: [] });

    const revive = await idgov(home, ['campaign', 'set', id, '--state', 'PREPARING', '--now', '2026-08-15T00:00:00Z']);
    expect(revive.code).toBe(2);
    expect(revive.stderr).toBe(`idgov: campaign ${id} is DELETED; a deleted campaign cannot be restarted (create a new campaign from its definition)\n`);
  });
});
