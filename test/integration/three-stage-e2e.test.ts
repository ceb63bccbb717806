// Issue 3's acceptance, as a user runs it: a three-stage PRIVILEGE campaign whose approvers come
// from a `file:` findApprovers hook, decided over the local approver API server and driven by the
// CLI (child processes on one state folder), runs to SUCCEEDED.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { startDynamoDbLocal, type LocalEngine } from '../../src/local/engine.js';
import { idgovBin } from '../support/cli.js';
import { testEngineKind } from '../support/engine.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let home = '';
let server: ChildProcess | undefined;
// On the DynamoDB Local pass every command, the server included, works on that engine.
let external: LocalEngine | undefined;

function idgov(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [idgovBin(), ...args], { cwd: root, env: { ...process.env, IDGOV_HOME: home, IDGOV_DEBUG: '' }, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const person = (id: string, managerId?: string) => ({ id, displayName: `Name ${id}`, email: `${id}@example.com`, ...(managerId ? { managerId } : {}) });

afterAll(async () => {
  server?.kill('SIGTERM');
  await external?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

it('runs to SUCCEEDED through the API server and the CLI', async () => {
  home = await mkdtemp(join(tmpdir(), 'idgov-3stage-'));
  await mkdir(join(home, 'hooks'));
  await copyFile(join(root, 'examples/hooks/find-approvers-three-stages.mjs'), join(home, 'hooks/find-approvers.mjs'));
  await writeFile(
    join(home, 'org.json'),
    JSON.stringify({
      users: [person('ciso'), person('owner', 'ciso'), person('security-officer', 'ciso'), person('ann', 'owner'), person('bob', 'owner')],
      privileges: [{ id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'CRITICAL' }],
      assignments: [
        { userId: 'ann', privilegeId: 'p-ledger', origin: 'MANUAL' },
        { userId: 'bob', privilegeId: 'p-ledger', origin: 'MANUAL' },
      ],
    }),
  );
  await writeFile(
    join(home, 'campaign.json'),
    JSON.stringify({
      name: 'Ledger holders',
      kind: 'PRIVILEGE',
      ownerId: 'ciso',
      startDate: '2026-07-01',
      approvalPeriodDays: 14,
      subjects: { filter: '(riskLevel>=HIGH)' },
      revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
      // Removing one of its two items is half of them: over the default cap (20 %), this campaign allows it without confirmation.
      guard: { maxRemovalShare: 0.5 },
      // Relative to the campaign file, as an administrator writes it.
      hooks: { findApprovers: 'file:./hooks/find-approvers.mjs' },
    }),
  );
  if (testEngineKind() === 'dynamodb-local') external = await startDynamoDbLocal();
  const engineArgs = external ? ['--endpoint', external.endpoint] : [];
  expect((await idgov([...engineArgs, 'directory', 'load', join(home, 'org.json')])).code).toBe(0);

  server = spawn(process.execPath, [idgovBin(), ...engineArgs, 'api', 'serve', '--port', '0'], {
    cwd: root,
    env: { ...process.env, IDGOV_HOME: home, IDGOV_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((done, fail) => {
    let stdout = '';
    server!.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('\n')) done(stdout.split('\n')[0]!.trim());
    });
    server!.on('exit', () => fail(new Error(`server exited: ${stderr}`)));
  });
  // The server holds the embedded engine; the CLI reaches the same state through the endpoint it prints.
  if (!external) await expect.poll(() => /--endpoint (http:\/\/127\.0\.0\.1:\d+)/.test(stderr)).toBe(true);
  const endpoint = external?.endpoint ?? /--endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)![1]!;
  const cli = (args: string[]) => idgov(['--endpoint', endpoint, ...args]);
  const api = async (method: string, path: string, as: string, now: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'X-Idgov-User': as, 'X-Idgov-Now': now, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const openEntry = async (as: string, now: string) => {
    const tasks = await api('GET', '/tasks', as, now);
    expect(tasks.status).toBe(200);
    const list = tasks.body.tasks as { entryId: string }[];
    expect(list).toHaveLength(1);
    return list[0]!.entryId;
  };

  // The preview runs the hook and writes nothing.
  const preview = await cli(['campaign', 'preview', join(home, 'campaign.json'), '--now', '2026-06-20T00:00:00Z', '--json']);
  expect(preview.code, preview.stderr).toBe(0);
  expect(JSON.parse(preview.stdout)).toMatchObject({
    valid: true,
    stages: 3,
    totals: { subjects: 1, entries: 1, items: 2 },
    workload: [{ approverId: 'owner', entries: 1, items: 2 }],
    withoutApprover: [],
  });
  expect(JSON.parse((await cli(['campaign', 'list', '--json'])).stdout)).toEqual([]);

  const created = await cli(['campaign', 'create', join(home, 'campaign.json'), '--now', '2026-06-20T00:00:00Z']);
  expect(created.code, created.stderr).toBe(0);
  const id = created.stdout.trim();
  expect((await cli(['controller', 'run', '--now', '2026-07-01T01:00:00Z'])).code).toBe(0);

  // Stage 1, the owner: approves both.
  const stage1 = await openEntry('owner', '2026-07-02T00:00:00Z');
  expect((await api('POST', `/entries/${stage1}/decisions`, 'owner', '2026-07-02T00:00:00Z', { all: { outcome: 'APPROVE' } })).status).toBe(200);
  expect((await cli(['controller', 'run', '--now', '2026-07-02T01:00:00Z'])).code).toBe(0);

  // Stage 2, security: rejects bob; the owner cannot decide here.
  const stage2 = await openEntry('security-officer', '2026-07-03T00:00:00Z');
  expect((await api('POST', `/entries/${stage2}/decisions`, 'owner', '2026-07-03T00:00:00Z', { itemId: 'ann', outcome: 'APPROVE' })).status).toBe(403);
  const decided = await api('POST', `/entries/${stage2}/decisions`, 'security-officer', '2026-07-03T00:00:00Z', {
    decisions: [
      { itemId: 'ann', outcome: 'APPROVE' },
      { itemId: 'bob', outcome: 'REJECT', comment: 'left finance' },
    ],
  });
  expect(decided.status).toBe(200);
  expect((await cli(['controller', 'run', '--now', '2026-07-03T01:00:00Z'])).code).toBe(0);

  // Stage 3, the campaign owner's sign-off, sees ann only.
  const stage3 = await openEntry('ciso', '2026-07-04T00:00:00Z');
  const shownStage3 = await api('GET', `/entries/${stage3}`, 'ciso', '2026-07-04T00:00:00Z');
  expect(JSON.stringify(shownStage3.body)).not.toContain('"bob"');
  expect((await api('POST', `/entries/${stage3}/decisions`, 'ciso', '2026-07-04T00:00:00Z', { itemId: 'ann', outcome: 'APPROVE' })).status).toBe(200);

  expect((await cli(['controller', 'run', '--now', '2026-07-15T01:00:00Z'])).code).toBe(0);
  const shown = JSON.parse((await cli(['campaign', 'show', id, '--json'])).stdout) as {
    state: string;
    entries: { id: string; stage: number; stages: number; stageName: string; state: string; approverIds: string[]; nextEntryIds?: string[] }[];
  };
  expect(shown.state).toBe('SUCCEEDED');
  // The stages, in order, each with its name and approvers, and each handing over to the next.
  const byStage = [...shown.entries].sort((a, b) => a.stage - b.stage);
  expect(byStage.map((e) => [e.stage, e.stages, e.stageName, e.approverIds, e.state])).toEqual([
    [1, 3, 'Owner review', ['owner'], 'FINISHED'],
    [2, 3, 'Security review', ['security-officer'], 'FINISHED'],
    [3, 3, 'Owner sign-off', ['ciso'], 'FINISHED'],
  ]);
  expect(byStage.map((e) => e.nextEntryIds)).toEqual([[byStage[1]!.id], [byStage[2]!.id], undefined]);
  const text = (await cli(['campaign', 'show', id])).stdout;
  expect(text).toMatch(/stages:\n {4}1 Owner review: 1 entries \(FINISHED 1\)\n {4}2 Security review: 1 entries \(FINISHED 1\)\n {4}3 Owner sign-off: 1 entries/);
  expect(text).toContain(`entry ${byStage[1]!.id}  PRIVILEGE p-ledger`);
  expect(text).toMatch(/stage 2\/3 Security review {2}FINISHED/);
  const bob = JSON.parse((await cli(['directory', 'show-user', 'bob', '--json'])).stdout) as { assignments: unknown[] };
  expect(bob.assignments).toEqual([]);
  const ann = JSON.parse((await cli(['directory', 'show-user', 'ann', '--json'])).stdout) as { assignments: { privilegeId: string }[] };
  expect(ann.assignments.map((a) => a.privilegeId)).toEqual(['p-ledger']);
}, 180_000);
