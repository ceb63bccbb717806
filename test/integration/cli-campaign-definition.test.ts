// A campaign file that would fail at its start, as an administrator meets it through the CLI:
// `campaign validate` judges it, `campaign create` warns, the start step fails it, `campaign update`
// fixes it and it starts. Its own engine (DynamoDB Local runs share one per file), so that no other
// test's campaigns are in sight.
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useCliWorkspace } from '../support/cli-workspace.js';

const directory = {
  users: [
    { id: 'owner', displayName: 'Olivia Owner', email: 'owner@example.com', department: 'IT' },
    { id: 'mgr-fin', displayName: 'Finn Manager', email: 'finn@example.com', managerId: 'owner', department: 'Finance' },
    { id: 'alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'mgr-fin', department: 'Finance' },
  ],
  privileges: [{ id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'HIGH' }],
  assignments: [{ userId: 'alice', privilegeId: 'p-ledger', origin: 'MANUAL' }],
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

const { idgov, json, path } = useCliWorkspace('cli-definition', { 'directory.json': directory, 'campaign.json': campaign });

describe('a campaign file that would fail at its start', () => {
  it('is judged by validate, warned about at create, fixed by update, and then starts', async () => {
    const home = path('home');
    await json(home, ['directory', 'load', path('directory.json')]);
    const unfixed = path('unfixed.json');
    await writeFile(unfixed, JSON.stringify({ ...campaign, approvalPeriodDays: undefined, subjects: { filter: '(&(department=Finance)' } }));

    const judged = await idgov(home, ['campaign', 'validate', unfixed, '--now', '2026-06-20T00:00:00Z']);
    expect(judged.code).toBe(2);
    expect(judged.stdout).toMatch(/^NOT VALID/);
    expect(judged.stdout).toMatch(/ERROR subjects\.filter: /);
    expect(judged.stderr).toBe('idgov: unfixed.json: approvalPeriodDays: approval period is missing (and 1 more problem)\n');
    expect(await json(home, ['campaign', 'validate', path('campaign.json'), '--now', '2026-06-20T00:00:00Z'])).toMatchObject({
      valid: true,
      dueDate: '2026-07-15T00:00:00.000Z',
      logs: [{ level: 'WARN', field: 'statusExpirationDate' }],
    });

    // Stored (the start step judges it, as docs/reference/campaigns.md says), with the verdict told at once.
    const created = await idgov(home, ['campaign', 'create', unfixed, '--now', '2026-06-20T00:00:00Z']);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(created.stderr).toContain('will fail at its start unless fixed: approvalPeriodDays: approval period is missing');
    expect(await json(home, ['controller', 'run', '--now', '2026-07-01T06:00:00Z'])).toMatchObject({ transitions: [{ campaignId: id, to: 'FAILED.PREPARED' }] });

    const fixed = await idgov(home, ['campaign', 'update', id, path('campaign.json'), '--by', 'owner', '--now', '2026-07-01T07:00:00Z']);
    expect(fixed).toMatchObject({ code: 0 });
    expect(fixed.stdout).toContain(`idgov campaign set ${id} --state PREPARING`);
    await json(home, ['campaign', 'set', id, '--state', 'PREPARING', '--now', '2026-07-01T07:00:00Z']);
    expect(await json(home, ['controller', 'run', '--now', '2026-07-01T08:00:00Z'])).toMatchObject({ transitions: [{ campaignId: id, from: 'PREPARING', to: 'RUNNING' }] });
    const shown = await json(home, ['campaign', 'show', id]);
    expect(shown).toMatchObject({ state: 'RUNNING', approvalPeriodDays: 14, dueDate: '2026-07-15T00:00:00.000Z' });
    expect(shown.logs as unknown[]).toContainEqual(expect.objectContaining({ message: 'definition replaced by owner' }));

    // Once it has started, its definition is what it ran with.
    const late = await idgov(home, ['campaign', 'update', id, path('campaign.json')]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/only a campaign that has not started preparing can take a new definition/);
  });
});
