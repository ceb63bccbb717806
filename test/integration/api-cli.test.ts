// `idgov entry reassign` and `idgov api serve` as a user runs them: child processes over one state
// folder on the embedded engine, simulated time through --now and X-Idgov-Now, a real socket.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idgovBin } from '../support/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function idgov(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [idgovBin(), ...args], { cwd: root, env: { ...process.env, IDGOV_HOME: home, IDGOV_DEBUG: '' }, timeout: 30_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const user = (id: string, managerId?: string) => ({ id, displayName: `Name ${id}`, email: `${id}@example.com`, department: 'Finance', ...(managerId ? { managerId } : {}) });
const directory = {
  users: [user('owner'), user('mgr', 'owner'), user('deputy', 'owner'), user('alice', 'mgr')],
  privileges: [{ id: 'p-ledger', name: 'Ledger', ownerIds: ['owner'], riskLevel: 'HIGH' }],
  assignments: [{ userId: 'alice', privilegeId: 'p-ledger', origin: 'MANUAL' }],
};
const campaign = {
  name: 'Ledger review',
  kind: 'USER',
  ownerId: 'owner',
  startDate: '2026-07-01',
  approvalPeriodDays: 14,
  subjects: { filter: '(id=alice)' },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
};

let home: string;
let entryId: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'idgov-api-cli-'));
  await writeFile(join(home, 'directory.json'), JSON.stringify(directory));
  await writeFile(join(home, 'campaign.json'), JSON.stringify(campaign));
  expect((await idgov(home, ['directory', 'load', join(home, 'directory.json')])).code).toBe(0);
  const id = (await idgov(home, ['campaign', 'create', join(home, 'campaign.json'), '--now', '2026-06-20T00:00:00Z'])).stdout.trim();
  expect((await idgov(home, ['controller', 'run', '--now', '2026-07-01T01:00:00Z'])).code).toBe(0);
  const shown = JSON.parse((await idgov(home, ['campaign', 'show', id, '--json'])).stdout);
  entryId = shown.entries[0].id;
}, 120_000);

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('idgov entry reassign', () => {
  it('refuses a short justification, a non-approver and a bad day count, naming the field', async () => {
    const short = await idgov(home, ['entry', 'reassign', entryId, '--to', 'deputy', '--justification', 'leave', '--now', '2026-07-02T00:00:00Z']);
    expect([short.code, short.stderr.trim()]).toEqual([2, 'idgov: justification: must be at least 10 characters: say why the entry changes hands']);
    const stranger = await idgov(home, ['entry', 'reassign', entryId, '--to', 'deputy', '--justification', 'parental leave', '--as', 'deputy', '--now', '2026-07-02T00:00:00Z']);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/deputy is neither an approver/);
    const days = await idgov(home, ['entry', 'reassign', entryId, '--to', 'deputy', '--justification', 'parental leave', '--extend-days', 'two']);
    expect([days.code, days.stderr]).toEqual([2, expect.stringMatching(/^idgov: extendDays: must be a whole number of days/)]);
  });

  it('reassigns as the approver with a deadline extension, and campaign show tells who, when and why', async () => {
    const result = await idgov(home, [
      'entry', 'reassign', entryId, '--to', 'deputy', '--justification', 'mgr is on parental leave', '--extend-days', '3', '--as', 'mgr', '--now', '2026-07-02T00:00:00Z', '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      approverIds: ['deputy'],
      dueDate: '2026-07-18T00:00:00.000Z',
      reassignment: { from: ['mgr'], to: 'deputy', by: 'mgr', at: '2026-07-02T00:00:00.000Z', previousDueDate: '2026-07-15T00:00:00.000Z', dueDate: '2026-07-18T00:00:00.000Z' },
      notification: { kind: 'APPROVAL_START', recipientId: 'deputy', status: 'PENDING' },
    });
    const shown = await idgov(home, ['campaign', 'list', '--json']);
    const id = JSON.parse(shown.stdout)[0].id;
    const text = (await idgov(home, ['campaign', 'show', id])).stdout;
    expect(text).toContain('reassigned 2026-07-02T00:00:00Z by mgr: mgr → deputy, due 2026-07-15T00:00:00Z → 2026-07-18T00:00:00Z: mgr is on parental leave');
  });
});

describe('idgov api serve', () => {
  it('serves the approver API on 127.0.0.1 until SIGTERM', async () => {
    const server = spawn(process.execPath, [idgovBin(), 'api', 'serve', '--port', '0', '--now', '2026-07-03T00:00:00Z'], {
      cwd: root,
      env: { ...process.env, IDGOV_HOME: home, IDGOV_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => server.on('exit', (code) => done(code)));
    const url = await new Promise<string>((done, fail) => {
      let stdout = '';
      server.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('\n')) done(stdout.split('\n')[0]!.trim());
      });
      server.on('exit', () => fail(new Error(`server exited: ${stderr}`)));
    });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const asDeputy = await fetch(`${url}/tasks`, { headers: { 'X-Idgov-User': 'deputy' } });
      expect(asDeputy.status).toBe(200);
      const body = (await asDeputy.json()) as { tasks: { entryId: string; dueDate: string }[] };
      expect(body.tasks).toEqual([expect.objectContaining({ entryId, dueDate: '2026-07-18T00:00:00.000Z' })]);
      const asMgr = await fetch(`${url}/entries/${entryId}/decisions`, {
        method: 'POST',
        headers: { 'X-Idgov-User': 'mgr', 'content-type': 'application/json' },
        body: JSON.stringify({ itemId: 'p-ledger', outcome: 'APPROVE' }),
      });
      expect(asMgr.status).toBe(403);
      const decided = await fetch(`${url}/entries/${entryId}/decisions`, {
        method: 'POST',
        headers: { 'X-Idgov-User': 'deputy' },
        body: JSON.stringify({ itemId: 'p-ledger', outcome: 'APPROVE', comment: 'still needed' }),
      });
      expect(await decided.json()).toMatchObject({ finished: true, state: 'APPROVAL.FINISHED' });
      // Meanwhile the server holds the state folder: another command is refused, and told why.
      const meanwhile = await idgov(home, ['campaign', 'list']);
      expect(meanwhile.code).toBe(2);
      expect(meanwhile.stderr).toMatch(/^idgov: another idgov process holds the local state folder /);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/POST \/entries\/\S+\/decisions 403 \(mgr\)/);
    expect(stderr).toMatch(/--endpoint http:\/\/127\.0\.0\.1:\d+/);
  }, 60_000);
});
