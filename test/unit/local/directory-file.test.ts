import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { checkReferences, readDirectoryFile, type DirectoryFile } from '../../../src/local/directory-file.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idgov-directory-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a fixture into its own sub-folder so that names like users.csv can repeat. */
async function fixture(name: string, content: string): Promise<string> {
  const folder = join(dir, String(++counter));
  await mkdir(folder);
  const path = join(folder, name);
  await writeFile(path, content);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const usersCsv = [
  'id,displayName,email,managerId,department,status,riskLevel,attr.costCenter,attr.location',
  'u1,Ada Boss,ada@example.com,,Finance,,HIGH,CC-100,Berlin',
  'u2,"Lee, Bob",bob@example.com,u1,Finance,DISABLED,,,London',
].join('\n');

describe('readDirectoryFile: JSON', () => {
  it('reads a JSON directory and applies schema defaults', async () => {
    const path = await fixture(
      'directory.json',
      JSON.stringify({
        users: [{ id: 'u1', displayName: 'Ada', email: 'ada@example.com' }],
        privileges: [{ id: 'p1', name: 'FinanceAdmin', riskLevel: 'CRITICAL' }],
        assignments: [{ userId: 'u1', privilegeId: 'p1', origin: 'MANUAL', endDate: '2027-01-31', parameters: { project: 'apollo' } }],
      }),
    );
    const result = await readDirectoryFile(path);
    expect(result.users).toEqual([{ id: 'u1', displayName: 'Ada', email: 'ada@example.com', status: 'ACTIVE' }]);
    expect(result.privileges[0].ownerIds).toEqual([]);
    expect(result.assignments[0]).toEqual({
      userId: 'u1',
      privilegeId: 'p1',
      origin: 'MANUAL',
      endDate: '2027-01-31T00:00:00.000Z',
      parameters: { project: 'apollo' },
    });
  });

  it('names the file and the field of a bad JSON value', async () => {
    const path = await fixture(
      'org.json',
      JSON.stringify({ users: [{ id: 'u1', displayName: 'Ada', email: 'ada@example.com' }, { id: 'u2', displayName: 'Bo', email: 'nope' }] }),
    );
    const error = await failure(readDirectoryFile(path));
    expect(error.message).toBe('org.json: users.1.email: must be an email address');
    expect(error.issues).toEqual([{ field: 'users.1.email', message: 'must be an email address' }]);
  });

  it('reports malformed JSON naming the file', async () => {
    const path = await fixture('broken.json', '{"users": [');
    const error = await failure(readDirectoryFile(path));
    expect(error.message).toMatch(/^broken\.json: not valid JSON/);
  });

  it('reports an unreadable path', async () => {
    const error = await failure(readDirectoryFile(join(dir, 'missing.json')));
    expect(error.message).toContain('missing.json: cannot read (ENOENT)');
  });

  it('refuses an unsupported extension', async () => {
    const path = await fixture('directory.yaml', 'users: []');
    const error = await failure(readDirectoryFile(path));
    expect(error.message).toContain('unsupported file type ".yaml"');
  });
});

describe('readDirectoryFile: CSV', () => {
  it('reads users with attributes, leaving empty cells absent', async () => {
    const result = await readDirectoryFile(await fixture('people.csv', usersCsv));
    expect(result.users).toEqual([
      {
        id: 'u1',
        displayName: 'Ada Boss',
        email: 'ada@example.com',
        department: 'Finance',
        status: 'ACTIVE',
        riskLevel: 'HIGH',
        attributes: { costCenter: 'CC-100', location: 'Berlin' },
      },
      {
        id: 'u2',
        displayName: 'Lee, Bob',
        email: 'bob@example.com',
        managerId: 'u1',
        department: 'Finance',
        status: 'DISABLED',
        attributes: { location: 'London' },
      },
    ]);
    expect(result.privileges).toEqual([]);
    expect(result.assignments).toEqual([]);
  });

  it('reads privileges, splitting ownerIds on ";"', async () => {
    const path = await fixture(
      'privileges.csv',
      ['id,name,ownerIds,riskLevel,attr.application', 'p1,FinanceAdmin,u1; u2,CRITICAL,SAP', 'p2,Orphan,,LOW,'].join('\n'),
    );
    const result = await readDirectoryFile(path);
    expect(result.privileges).toEqual([
      { id: 'p1', name: 'FinanceAdmin', ownerIds: ['u1', 'u2'], riskLevel: 'CRITICAL', attributes: { application: 'SAP' } },
      { id: 'p2', name: 'Orphan', ownerIds: [], riskLevel: 'LOW' },
    ]);
  });

  it('reads assignments with parameters and normalised dates', async () => {
    const path = await fixture(
      'assignments.csv',
      [
        'userId,privilegeId,origin,endDate,approvedAt,approvedBy,param.project,param.region',
        'u1,p1,MANUAL,2027-03-31,2025-01-02T10:00:00Z,u9,apollo,',
        'u2,p1,RULE,,,,,',
      ].join('\r\n'),
    );
    const result = await readDirectoryFile(path);
    expect(result.assignments).toEqual([
      {
        userId: 'u1',
        privilegeId: 'p1',
        origin: 'MANUAL',
        endDate: '2027-03-31T00:00:00.000Z',
        approvedAt: '2025-01-02T10:00:00.000Z',
        approvedBy: 'u9',
        parameters: { project: 'apollo' },
      },
      { userId: 'u2', privilegeId: 'p1', origin: 'RULE' },
    ]);
  });

  it('names file, line and column of a bad email, counting quoted line breaks and blank lines', async () => {
    const path = await fixture(
      'users.csv',
      [
        'id,displayName,email',
        'u1,"Ada',
        'Boss",ada@example.com', // record spans lines 2-3
        '',
        'u2,Bob,not-an-email', // line 5
      ].join('\n'),
    );
    const error = await failure(readDirectoryFile(path));
    expect(error.message).toBe('users.csv line 5: email: must be an email address');
    expect(error.issues).toEqual([{ field: 'users.1.email', message: 'must be an email address' }]);
  });

  it('names the line of a bad origin and of a bad parameter-free date', async () => {
    const lines = ['userId,privilegeId,origin,endDate'];
    for (let i = 0; i < 11; i++) lines.push(`u${i},p1,MANUAL,`);
    lines.push('u11,p1,manual,'); // line 13
    lines.push('u12,p1,RULE,tomorrow'); // line 14
    const error = await failure(readDirectoryFile(await fixture('assignments.csv', lines.join('\n'))));
    expect(error.message).toContain(
      'assignments.csv line 13: origin: Invalid option: expected one of "MANUAL"|"RULE"|"INHERITED"',
    );
    expect(error.message).toContain('assignments.csv line 14: endDate: must be an ISO 8601 date');
  });

  it('names an unknown column', async () => {
    const path = await fixture('users.csv', 'id,displayName,email,costCenter\nu1,Ada,ada@example.com,CC-1\n');
    const error = await failure(readDirectoryFile(path));
    expect(error.message).toMatch(/^users\.csv line 1: unknown column "costCenter" for users/);
    expect(error.issues).toEqual([{ field: 'costCenter', message: 'unknown column for users' }]);
  });

  it('refuses a header of no known kind', async () => {
    const error = await failure(readDirectoryFile(await fixture('x.csv', 'foo,bar\n1,2\n')));
    expect(error.message).toContain('x.csv line 1: header not recognised');
  });

  it('reports a row with the wrong number of cells by line', async () => {
    const path = await fixture('users.csv', 'id,displayName,email\nu1,Ada,ada@example.com\nu2,Bob\n');
    const error = await failure(readDirectoryFile(path));
    expect(error.message).toMatch(/^users\.csv line 3: /);
  });

  it('reports duplicate ids and duplicate assignments by line', async () => {
    const users = await failure(
      readDirectoryFile(await fixture('users.csv', 'id,displayName,email\nu1,A,a@example.com\nu2,B,b@example.com\nu1,C,c@example.com\n')),
    );
    expect(users.message).toBe('users.csv line 4: id: duplicate u1');

    const assignments = await failure(
      readDirectoryFile(await fixture('assignments.csv', 'userId,privilegeId,origin\nu1,p1,MANUAL\nu1,p1,RULE\n')),
    );
    expect(assignments.message).toBe('assignments.csv line 3: userId/privilegeId: duplicate u1/p1');
  });

  it('reads a folder of CSV files, checking each file holds its kind', async () => {
    const folder = join(dir, 'folder');
    await mkdir(folder);
    await writeFile(join(folder, 'users.csv'), usersCsv);
    await writeFile(join(folder, 'privileges.csv'), 'id,name,ownerIds\np1,FinanceAdmin,u1\n');
    await writeFile(join(folder, 'assignments.csv'), 'userId,privilegeId,origin\nu2,p1,MANUAL\n');
    const result = await readDirectoryFile(folder);
    expect(result.users.map((u) => u.id)).toEqual(['u1', 'u2']);
    expect(result.privileges.map((p) => p.id)).toEqual(['p1']);
    expect(result.assignments).toEqual([{ userId: 'u2', privilegeId: 'p1', origin: 'MANUAL' }]);
    expect(() => checkReferences(result)).not.toThrow();

    await writeFile(join(folder, 'privileges.csv'), 'userId,privilegeId,origin\nu2,p1,MANUAL\n');
    const error = await failure(readDirectoryFile(folder));
    expect(error.message).toContain('privileges.csv: header is that of assignments, expected privileges');
  });

  it('refuses a folder with none of the expected files', async () => {
    const folder = join(dir, 'empty-folder');
    await mkdir(folder);
    const error = await failure(readDirectoryFile(folder));
    expect(error.message).toContain('holds none of users.csv, privileges.csv, assignments.csv');
  });
});

describe('checkReferences', () => {
  const base: DirectoryFile = {
    users: [
      { id: 'u1', displayName: 'A', email: 'a@example.com', status: 'ACTIVE' },
      { id: 'u2', displayName: 'B', email: 'b@example.com', status: 'ACTIVE', managerId: 'u1' },
    ],
    privileges: [{ id: 'p1', name: 'P1', ownerIds: ['u1'] }],
    assignments: [{ userId: 'u2', privilegeId: 'p1', origin: 'MANUAL' }],
  };

  it('accepts a consistent directory', () => {
    expect(() => checkReferences(base)).not.toThrow();
  });

  it('lists dangling assignments, managers and owners', () => {
    const dir: DirectoryFile = {
      users: [...base.users, { id: 'u3', displayName: 'C', email: 'c@example.com', status: 'ACTIVE', managerId: 'ghost' }],
      privileges: [{ id: 'p1', name: 'P1', ownerIds: ['u1', 'nobody'] }],
      assignments: [
        { userId: 'u2', privilegeId: 'p1', origin: 'MANUAL' },
        { userId: 'u9', privilegeId: 'p7', origin: 'MANUAL' },
      ],
    };
    let error: unknown;
    try {
      checkReferences(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { message, issues } = error as ValidationError;
    expect(message).toMatch(/^4 dangling references: /);
    expect(issues.map((i) => i.field)).toEqual([
      'users.2.managerId',
      'privileges.0.ownerIds.1',
      'assignments.1.userId',
      'assignments.1.privilegeId',
    ]);
    expect(message).toContain('manager ghost of user u3 does not exist');
    expect(message).toContain('owner nobody of privilege p1 does not exist');
    expect(message).toContain('unknown user u9');
    expect(message).toContain('unknown privilege p7');
  });

  it('accepts references to ids the store already knows', () => {
    const assignmentsOnly: DirectoryFile = { users: [], privileges: [], assignments: [{ userId: 'u9', privilegeId: 'p9', origin: 'RULE' }] };
    expect(() => checkReferences(assignmentsOnly)).toThrow(ValidationError);
    expect(() => checkReferences(assignmentsOnly, { userIds: new Set(['u9']), privilegeIds: new Set(['p9']) })).not.toThrow();
  });

  it('lists at most 20 problems and counts the rest', () => {
    const assignments = Array.from({ length: 25 }, (_, i) => ({ userId: 'u1', privilegeId: `gone-${i}`, origin: 'MANUAL' as const }));
    let message = '';
    try {
      checkReferences({ ...base, assignments });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^25 dangling references: /);
    expect(message).toContain('gone-19');
    expect(message).not.toContain('gone-20');
    expect(message).toMatch(/and 5 more$/);
  });
});
