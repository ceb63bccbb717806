// The administrator's powers of issue 6 section 5 through `idgov`, as a user runs it (a child
// process per command): name the approver of a FAILED.PREPARE entry, remove a role parameter in a
// decision, and restart the SUCCEEDED campaign as a new run. Its own engine, like the other CLI files.
import { describe, expect, it } from 'vitest';
import { entryIdFor } from '../../lambdas/shared/domain/entries.js';
import { useCliWorkspace } from '../support/cli-workspace.js';

const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com', department: 'IT' },
    { id: 'mgr-fin', displayName: 'Finn Manager', email: 'finn@example.com', managerId: 'owner', department: 'IT' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'mgr-fin', department: 'Finance' },
    // No manager: preparation finds no approver for Dave.
    { id: 'dave', displayName: 'Dave', email: 'dave@example.com', department: 'Finance' },
  ],
  privileges: [
    { id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'HIGH' },
    { id: 'p-payments', name: 'Payments', ownerIds: ['owner'], riskLevel: 'CRITICAL' },
  ],
  assignments: [
    { userId: 'alice', privilegeId: 'p-payments', origin: 'MANUAL', parameters: { account: 'ops', region: 'eu' } },
    { userId: 'dave', privilegeId: 'p-ledger', origin: 'MANUAL' },
  ],
};

const campaign = {
  name: 'Finance access review',
  kind: 'USER',
  ownerId: 'owner',
  startDate: '2026-07-01',
  approvalPeriodDays: 14,
  statusExpirationDate: '2026-09-01',
  subjects: { filter: '(department=Finance)' },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
  // Its removals are over the default revocation cap (20 %); the cap has tests of its own (cli.test.ts, guards.test.ts).
  guard: { maxRemovalShare: 1 },
};

const { idgov, json, path } = useCliWorkspace('cli-powers', { 'directory.json': directory, 'campaign.json': campaign });

describe('the administrator’s powers through idgov', () => {
  it('names an approver, removes a role parameter, and restarts the finished campaign', async () => {
    const home = path('home');
    await json(home, ['directory', 'load', path('directory.json')]);
    const created = await idgov(home, ['campaign', 'create', path('campaign.json'), '--now', '2026-06-20T00:00:00Z']);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    const dave = entryIdFor(`${id}#1`, 1, 'dave');
    const alice = entryIdFor(`${id}#1`, 1, 'alice');
    await json(home, ['controller', 'run', '--now', '2026-07-01T06:00:00Z']);

    const named = await idgov(home, ['entry', 'set', dave, '--approver', 'mgr-fin', '--by', 'ops-admin', '--now', '2026-07-02T09:00:00Z']);
    expect(named).toMatchObject({ code: 0, stderr: '' });
    expect(named.stdout).toBe(
      `entry ${dave}: approver mgr-fin named by ops-admin; state RUNNING, due 2026-07-15T00:00:00Z; Approval Start to mgr-fin queued (sent by the next controller run)\n`,
    );

    const modified = await json<{ decision: unknown }>(home, [
      'decide', alice, 'p-payments', '--as', 'mgr-fin', '--remove-param', 'account', '--param', 'region=us', '--now', '2026-07-03T10:00:00Z',
    ]);
    expect(modified.decision).toEqual({ itemId: 'p-payments', outcome: 'MODIFY', parameters: { region: 'us', account: null } });
    const ambiguous = await idgov(home, ['decide', alice, 'p-payments', '--as', 'mgr-fin', '--param', 'region=', '--now', '2026-07-03T10:00:00Z']);
    expect(ambiguous).toMatchObject({ code: 2, stderr: 'idgov: param: region has no value; to remove the parameter use --remove-param region\n' });
    await json(home, ['decide', dave, 'p-ledger', '--as', 'mgr-fin', '--approve', '--now', '2026-07-03T10:00:00Z']);

    expect(await json(home, ['controller', 'run', '--now', '2026-07-15T01:00:00Z'])).toMatchObject({ transitions: [{ campaignId: id, from: 'RUNNING', to: 'SUCCEEDED' }] });
    const user = await json<{ assignments: { privilegeId: string; parameters: unknown }[] }>(home, ['directory', 'show-user', 'alice']);
    expect(user.assignments).toEqual([expect.objectContaining({ privilegeId: 'p-payments', parameters: { region: 'us' } })]);
    const shown = await json<{ entries: { id: string; state: string }[]; logs: { message: string }[] }>(home, ['campaign', 'show', id]);
    expect(shown.entries.find((e) => e.id === dave)!.state).toBe('FINISHED');
    expect(shown.logs.map((l) => l.message)).toContain(
      `entry ${dave} (Dave) was FAILED.PREPARE: approver mgr-fin named by ops-admin; RUNNING, due 2026-07-15T00:00:00.000Z`,
    );

    const restarted = await idgov(home, ['campaign', 'set', id, '--state', 'PREPARING', '--by', 'ops-admin', '--now', '2026-07-20T00:00:00Z']);
    expect(restarted).toMatchObject({ code: 0, stderr: '' });
    expect(restarted.stdout).toBe(
      `campaign ${id}: run 2 PREPARING, starts 2026-07-20T00:00:00Z (the next controller run prepares it); run 1 archived as ${id}-r1\n`,
    );
    expect(await json(home, ['controller', 'run', '--now', '2026-07-20T01:00:00Z'])).toMatchObject({ transitions: [{ campaignId: id, from: 'PREPARING', to: 'RUNNING' }] });
    // A refusal exits 2 with one line naming the problem.
    const archived = await idgov(home, ['campaign', 'set', `${id}-r1`, '--state', 'PREPARING', '--now', '2026-07-21T00:00:00Z']);
    expect(archived).toMatchObject({ code: 2, stderr: `idgov: campaign ${id}-r1 is an archived run; it cannot be restarted (restart ${id} instead)\n` });
  }, 300_000);
});
