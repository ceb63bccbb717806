// `idgov audit show` and `idgov audit verify` as an operator runs them (a child process per command),
// over chains written through the runtime's audit log: a campaign id names its run's chain, the
// records come back as they were hashed, and a record changed, removed or made unreadable in the
// table is found, by its seq, with exit 1.
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditChainPk, auditSeqSk } from '../../lambdas/shared/adapters/dynamo/dynamo-audit-log.js';
import { canonicalJson, recordHash } from '../../lambdas/shared/domain/audit/chain.js';
import { ADMIN_CHAIN, jobActor, privilegeChain, runChain, userActor, type AuditAppend, type AuditChainId, type AuditRecord } from '../../lambdas/shared/domain/audit/model.js';
import { openRuntime, type Runtime } from '../../src/local/runtime.js';
import { useCliWorkspace } from '../support/cli-workspace.js';
import { aCampaign } from '../support/fixtures.js';

const { idgov, json, path, endpoint } = useCliWorkspace('cli-audit');
const CAMPAIGN = 'c-audit';
const RUN_CHAIN = runChain(`${CAMPAIGN}#1`);

/** The runtime the commands use (the state folder is free again when `work` returns). */
async function withLocalRuntime<T>(home: string, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime({ home, endpoint: endpoint() });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

const decision = (entry: string, outcome: string, at: string): AuditAppend => ({
  chainId: RUN_CHAIN,
  eventKey: `decide:${entry}:${at}`,
  at,
  campaignId: CAMPAIGN,
  events: [
    { type: 'ITEM_DECIDED', at, actor: userActor('mgr'), data: { entryId: entry, itemId: 'p-payments', outcome, comment: 'reviewed' } },
    { type: 'ITEM_DECIDED', at, actor: userActor('mgr'), data: { entryId: entry, itemId: 'p-ledger', outcome } },
  ],
});

const PRIVILEGE_CHAIN = privilegeChain('p-payments');

describe('idgov audit', () => {
  let home: string;
  let appended: AuditRecord[];
  let admin: AuditRecord[];
  let privilege: AuditRecord[];

  beforeAll(async () => {
    home = path('home');
    ({ appended, admin, privilege } = await withLocalRuntime(home, async (runtime) => {
      await runtime.campaigns.createCampaign(aCampaign({ id: CAMPAIGN }));
      const appended: AuditRecord[] = [];
      appended.push(
        await runtime.auditLog.append({
          chainId: RUN_CHAIN,
          eventKey: `campaign:${CAMPAIGN}:v2`,
          at: '2026-07-01T06:00:00.000Z',
          campaignId: CAMPAIGN,
          events: [{ type: 'CAMPAIGN_STATE_CHANGED', at: '2026-07-01T06:00:00.000Z', actor: jobActor('campaign-controller'), data: { from: 'PREPARING', to: 'RUNNING' } }],
        }),
      );
      appended.push(await runtime.auditLog.append(decision('e-alice', 'APPROVE', '2026-07-03T10:00:00.000Z')));
      appended.push(await runtime.auditLog.append(decision('e-carol', 'REJECT', '2026-07-03T10:05:00.000Z')));
      const admin: AuditRecord[] = [];
      for (const [i, type] of (['DIRECTORY_LOADED', 'WORKFLOWS_LOADED', 'OPERATIONS_CONFIG_CHANGED'] as const).entries()) {
        admin.push(await runtime.auditLog.append({ chainId: ADMIN_CHAIN, eventKey: `admin:${i}`, at: `2026-06-0${i + 1}T00:00:00.000Z`, events: [{ type, at: `2026-06-0${i + 1}T00:00:00.000Z`, actor: userActor('ops'), data: { n: i } }] }));
      }
      const privilege: AuditRecord[] = [];
      for (const i of [1, 2]) {
        const at = `2026-08-0${i}T06:00:00.000Z`;
        privilege.push(await runtime.auditLog.append({ chainId: PRIVILEGE_CHAIN, eventKey: `approval:a-${i}:v1`, at, events: [{ type: 'APPROVAL_STARTED', at, actor: jobActor('start-reapproval'), data: { approvalId: `a-${i}` } }] }));
      }
      return { appended, admin, privilege };
    }));
  });

  it('shows a chain by campaign id or chain id, as JSON exactly as hashed or as a table, whole or a range', async () => {
    // Whatever the commands themselves may have recorded in these chains comes before (the runtime's
    // own writes), so records are found by what was appended, not by a fixed seq.
    const shown = await json<{ chainId: AuditChainId; campaignId: string; records: AuditRecord[] }>(home, ['audit', 'show', CAMPAIGN]);
    expect(shown.chainId).toBe(RUN_CHAIN);
    expect(shown.campaignId).toBe(CAMPAIGN);
    expect(shown.records.slice(-3)).toEqual(appended);
    expect(shown.records.map((r) => r.seq)).toEqual(shown.records.map((_, i) => i + 1));
    for (const record of shown.records) expect(recordHash(record)).toBe(record.hash);
    const [, second, third] = appended as [AuditRecord, AuditRecord, AuditRecord];
    const text = await idgov(home, ['audit', 'show', RUN_CHAIN, '--from', String(second.seq)]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`chain ${RUN_CHAIN}\n`);
    expect(text.stdout).toContain(`decide:e-alice:2026-07-03T10:00:00.000Z`);
    expect(text.stdout).toContain('ITEM_DECIDED x2');
    expect(text.stdout).toContain(second.hash.slice(0, 12));
    expect(text.stdout).not.toContain(`campaign:${CAMPAIGN}:v2`);
    expect(text.stdout).toContain(`2 records (seq ${second.seq}-${third.seq}); last hash ${third.hash}\n`);
    expect((await json<{ records: AuditRecord[] }>(home, ['audit', 'show', 'admin', '--from', String(admin[1]!.seq), '--to', String(admin[1]!.seq)])).records).toEqual([admin[1]]);
  });

  it('verifies a stored chain: its record count and head, or that nothing is recorded yet; bad input exits 2 naming it', async () => {
    const third = appended[2]!;
    const verified = await idgov(home, ['audit', 'verify', CAMPAIGN]);
    expect(verified).toEqual({ code: 0, stderr: '', stdout: `chain ${RUN_CHAIN} verified: ${third.seq} records, head ${third.hash}\n` });
    expect(await idgov(home, ['audit', 'verify', 'privilege:p-nothing'])).toEqual({ code: 0, stderr: '', stdout: 'chain privilege:p-nothing verified: 0 records (nothing recorded yet)\n' });

    // Bad input: exit 2, one line naming the option or the id.
    expect(await idgov(home, ['audit', 'show', CAMPAIGN, '--from', '0'])).toMatchObject({ code: 2, stdout: '', stderr: 'idgov: from: must be a record number from 1, got "0"\n' });
    expect(await idgov(home, ['audit', 'show', CAMPAIGN, '--from', '3', '--to', '2'])).toMatchObject({ code: 2, stderr: 'idgov: to: must not be before --from 3, got 2\n' });
    expect(await idgov(home, ['audit', 'verify', 'c-unknown'])).toMatchObject({ code: 2, stderr: 'idgov: campaign (or chain run:<runId>, privilege:<id>, admin) c-unknown not found\n' });
  });

  it('finds a record changed, removed or made unreadable in the table, naming the first one, with exit 1', async () => {
    const [, second, third] = appended as [AuditRecord, AuditRecord, AuditRecord];

    // Changed in the table: a decision turned round, behind the log's back.
    await withLocalRuntime(home, (runtime) =>
      runtime.doc.send(
        new UpdateCommand({
          TableName: runtime.tables.audit,
          Key: { PK: auditChainPk(RUN_CHAIN), SK: auditSeqSk(second.seq) },
          UpdateExpression: 'SET events = :events',
          ExpressionAttributeValues: { ':events': canonicalJson(second.events.map((e) => ({ ...e, data: { ...e.data, outcome: 'REJECT' } }))) },
        }),
      ),
    );
    expect(await idgov(home, ['audit', 'verify', CAMPAIGN])).toEqual({
      code: 1,
      stdout: '',
      stderr: `idgov: chain ${RUN_CHAIN} does not verify: record ${second.seq} was changed (its hash does not match its content)\n`,
    });

    // Removed: the admin chain's middle record deleted.
    await withLocalRuntime(home, (runtime) =>
      runtime.doc.send(new DeleteCommand({ TableName: runtime.tables.audit, Key: { PK: auditChainPk(ADMIN_CHAIN), SK: auditSeqSk(admin[1]!.seq) } })),
    );
    expect(await idgov(home, ['audit', 'verify', 'admin'])).toMatchObject({
      code: 1,
      stderr: `idgov: chain admin does not verify: record ${admin[2]!.seq} has seq ${admin[2]!.seq} where ${admin[1]!.seq} was expected (a record is missing or out of order)\n`,
    });

    // Unreadable: the last run record's events no longer JSON. The first problem is still named first.
    await withLocalRuntime(home, (runtime) =>
      runtime.doc.send(
        new UpdateCommand({
          TableName: runtime.tables.audit,
          Key: { PK: auditChainPk(RUN_CHAIN), SK: auditSeqSk(third.seq) },
          UpdateExpression: 'SET events = :events',
          ExpressionAttributeValues: { ':events': '[{"type":' },
        }),
      ),
    );
    expect(await idgov(home, ['audit', 'verify', CAMPAIGN])).toMatchObject({ code: 1, stderr: expect.stringContaining(`record ${second.seq} was changed`) });
    expect(await idgov(home, ['audit', 'verify', RUN_CHAIN])).toMatchObject({ code: 1, stderr: expect.stringContaining(`record ${second.seq} was changed`) });
    // Unreadable and first: named by its seq.
    await withLocalRuntime(home, (runtime) =>
      runtime.doc.send(
        new UpdateCommand({
          TableName: runtime.tables.audit,
          Key: { PK: auditChainPk(PRIVILEGE_CHAIN), SK: auditSeqSk(privilege[1]!.seq) },
          UpdateExpression: 'REMOVE prevHash',
        }),
      ),
    );
    expect(await idgov(home, ['audit', 'verify', PRIVILEGE_CHAIN])).toEqual({
      code: 1,
      stdout: '',
      stderr: `idgov: chain ${PRIVILEGE_CHAIN} does not verify: record ${privilege[1]!.seq} cannot be read (it was changed in the table): prevHash is not a string\n`,
    });
  });
});
