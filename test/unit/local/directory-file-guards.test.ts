// The blast-radius guard's inputs (docs/reference/guards.md): `protected: { reason }` on users and
// privileges of the directory file (JSON, and the CSV column protectedReason), and the campaign file's
// `guard.maxRemovalShare`; a bad value is refused naming its field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { campaignFromDefinition } from '../../../lambdas/shared/use-cases/campaign-definition.js';
import { csvRecords, readDirectoryFile } from '../../../src/local/directory-file.js';
import { aCampaignFile } from '../../support/fixtures.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idgov-guards-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, `${++counter}-${name}`);
  await writeFile(path, content);
  return path;
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const user = (extra: Record<string, unknown> = {}) => ({ id: 'u-bg', displayName: 'Break glass', email: 'bg@example.com', ...extra });
const privilege = (extra: Record<string, unknown> = {}) => ({ id: 'p-root', name: 'Root', ...extra });

describe('directory file: protected users and privileges', () => {
  it('reads protected: { reason } on a user and a privilege (JSON), the reason trimmed', async () => {
    const path = await file(
      'dir.json',
      JSON.stringify({
        users: [user({ protected: { reason: '  break-glass account ' } }), { id: 'u1', displayName: 'Ada', email: 'ada@example.com' }],
        privileges: [privilege({ protected: { reason: 'last administrator role' } })],
      }),
    );
    const loaded = await readDirectoryFile(path);
    expect(loaded.users[0]!.protected).toEqual({ reason: 'break-glass account' });
    expect(loaded.users[1]!.protected).toBeUndefined();
    expect(loaded.privileges[0]!.protected).toEqual({ reason: 'last administrator role' });
  });

  it.each([
    ['no reason', { protected: {} }, 'users.0.protected.reason', 'is required'],
    ['an empty reason', { protected: { reason: '   ' } }, 'users.0.protected.reason', 'must not be empty'],
    ['a reason that is not text', { protected: { reason: 7 } }, 'users.0.protected.reason', 'must be a string'],
    ['true instead of an object', { protected: true }, 'users.0.protected', ''],
    // As the directory file names any unknown key: the object, and the key in the message.
    ['an unknown key', { protected: { reason: 'x', until: '2027-01-01' } }, 'users.0.protected', 'Unrecognized key: "until"'],
  ])('refuses %s, naming the field', async (_what, extra, field, message) => {
    const path = await file('bad.json', JSON.stringify({ users: [user(extra)] }));
    const error = await refusal(readDirectoryFile(path));
    expect(error.issues).toEqual([expect.objectContaining({ field, message: expect.stringContaining(message) })]);
    expect(error.message).toContain(field);
  });

  it('names the privilege field too', async () => {
    const path = await file('bad-priv.json', JSON.stringify({ privileges: [privilege({ protected: { reason: '' } })] }));
    expect((await refusal(readDirectoryFile(path))).issues[0]!.field).toBe('privileges.0.protected.reason');
  });

  it('reads the CSV column protectedReason into protected.reason; an empty cell protects nothing', async () => {
    expect(csvRecords('users.csv', 'id,displayName,email,protectedReason\nu-bg,BG,bg@example.com,break-glass account\nu1,Ada,ada@example.com,').records).toEqual([
      { id: 'u-bg', displayName: 'BG', email: 'bg@example.com', protected: { reason: 'break-glass account' } },
      { id: 'u1', displayName: 'Ada', email: 'ada@example.com' },
    ]);
    const path = await file('privileges.csv', 'id,name,reapprovalMode,reapprovalIntervalDays,protectedReason\np-root,Root,CONTINUOUS,90,last administrator role\n');
    const loaded = await readDirectoryFile(path);
    expect(loaded.privileges[0]).toMatchObject({ protected: { reason: 'last administrator role' }, reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } });
  });

  it('names the CSV file, line and column of a bad reason', async () => {
    const path = await file('users.csv', `id,displayName,email,protectedReason\nu-bg,BG,bg@example.com,${'x'.repeat(501)}\n`);
    const error = await refusal(readDirectoryFile(path));
    expect(error.message).toMatch(/users\.csv line 2: protectedReason: must be at most 500 characters/);
  });
});

describe('campaign file: guard.maxRemovalShare', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  it('is optional, and kept on the campaign when given (0 and 1 included)', () => {
    expect(campaignFromDefinition(aCampaignFile(), 'c', now).guard).toBeUndefined();
    for (const share of [0, 0.05, 1]) expect(campaignFromDefinition(aCampaignFile({ guard: { maxRemovalShare: share } }), 'c', now).guard).toEqual({ maxRemovalShare: share });
    expect(campaignFromDefinition(aCampaignFile({ guard: {} }), 'c', now).guard).toEqual({});
  });

  it.each([
    ['above 1 (a percentage written as a number)', 20],
    ['negative', -0.1],
    ['text', '0.2'],
    ['not a number', null],
  ])('refuses a share %s, naming guard.maxRemovalShare', (_what, share) => {
    let error: unknown;
    try {
      campaignFromDefinition(aCampaignFile({ guard: { maxRemovalShare: share } }), 'c', now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ field: 'guard.maxRemovalShare', message: expect.stringContaining('from 0 to 1') })]);
  });

  it('refuses an unknown guard setting, naming it', () => {
    expect(() => campaignFromDefinition(aCampaignFile({ guard: { maxRemovals: 10 } }), 'c', now)).toThrow(/guard\.maxRemovals: unknown field/);
  });
});
