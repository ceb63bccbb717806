// Directory files (`idgov directory load FILE`, docs/reference/directory.md) on 1,000 generated
// files each, through the command's own chain: the file read and validated (readDirectoryFile), its
// references checked against the file and the store (checkReferences), then loaded (loadDirectory).
// JSON files: valid-shaped ones, mutated ones, any JSON; CSV files: a header and rows, mutated. Each
// is loaded (the store then holds it, and the load is recorded) or refused by a ValidationError
// naming a field, with the store and the audit log exactly as before.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import { checkReferences, readDirectoryFile } from '../../src/local/directory-file.js';
import { PROPERTY_RUNS, Verdicts, anyJson, expectNamedRefusal, idFrom, isoDate, mutate, nastyString, snapshot } from '../support/properties.js';

const NOW = new Date('2026-06-15T00:00:00.000Z');
const USER_IDS = ['u1', 'u2', 'u3', 'm2'];
const PRIVILEGE_IDS = ['p-fin', 'p-git'];
/** What the store holds before the load: a file may refer to these. */
const STORED_USERS = ['admin', 'm1'];
const STORED_PRIVILEGES = ['p-prod'];
const anyUser = fc.constantFrom(...USER_IDS, ...STORED_USERS);

const user = fc.record(
  {
    id: fc.constantFrom(...USER_IDS),
    displayName: fc.constantFrom('Ada Lovelace', 'Zoë Ünal', '山田 太郎', 'O\'Brien, Pat'),
    email: fc.emailAddress(),
    managerId: fc.constantFrom(...STORED_USERS),
    department: fc.constantFrom('Finance', 'IT'),
    status: fc.constantFrom('ACTIVE', 'DISABLED'),
    riskLevel: fc.constantFrom('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'),
    attributes: fc.dictionary(fc.constantFrom('costCenter', 'location', 'tags'), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 })), { maxKeys: 2 }),
  },
  { requiredKeys: ['id', 'displayName', 'email'] },
);

const privilege = fc.record(
  {
    id: fc.constantFrom(...PRIVILEGE_IDS),
    name: fc.constantFrom('FinanceAdmin', 'GitHub owner', 'AWS prod'),
    ownerIds: fc.uniqueArray(fc.constantFrom(...STORED_USERS), { maxLength: 2 }),
    riskLevel: fc.constantFrom('LOW', 'HIGH', 'CRITICAL'),
    approvalWorkflowId: fc.constantFrom('wf-1', 'two-step'),
    reapproval: fc.oneof(fc.record({ mode: fc.constant('CONTINUOUS'), intervalDays: fc.integer({ min: 1, max: 3650 }) }), fc.record({ mode: fc.constant('SCHEDULED') })),
  },
  { requiredKeys: ['id', 'name'] },
);

const instant = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const assignment = fc.record(
  {
    userId: anyUser,
    privilegeId: fc.constantFrom(...PRIVILEGE_IDS, ...STORED_PRIVILEGES),
    origin: fc.constantFrom('MANUAL', 'RULE', 'INHERITED'),
    endDate: instant,
    parameters: fc.dictionary(fc.constantFrom('region', 'account'), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
    grantedAt: instant,
    approvedAt: instant,
    approvedBy: anyUser,
  },
  { requiredKeys: ['userId', 'privilegeId', 'origin'] },
);

/** A valid-shaped file: ids unique; references to the file's own users and privileges, or to the store's. */
const directoryFile = fc
  .record({
    users: fc.uniqueArray(user, { maxLength: 4, selector: (u) => u.id }),
    privileges: fc.uniqueArray(privilege, { maxLength: 2, selector: (p) => p.id }),
    assignments: fc.uniqueArray(assignment, { maxLength: 4, selector: (a) => `${a.userId}/${a.privilegeId}` }),
  })
  .map((file) => {
    const users = new Set([...STORED_USERS, ...file.users.map((u) => u.id)]);
    const privileges = new Set([...STORED_PRIVILEGES, ...file.privileges.map((p) => p.id)]);
    return { ...file, assignments: file.assignments.filter((a) => users.has(a.userId) && privileges.has(a.privilegeId)) };
  });

/** Damage a valid file may take: a record with a wrong value, a dangling reference, a duplicate, a bad date. */
const damaged = fc.oneof(
  mutate(directoryFile),
  fc.tuple(directoryFile, fc.constantFrom('users', 'privileges', 'assignments'), mutate(fc.record({ id: fc.constantFrom(...USER_IDS), displayName: fc.constant('X'), email: fc.constant('x@example.com') }))).map(([file, key, record]) => ({ ...file, [key]: [...file[key as 'users'], record] })),
  fc.tuple(directoryFile, nastyString).map(([file, id]) => ({ ...file, assignments: [...file.assignments, { userId: id, privilegeId: 'p-prod', origin: 'MANUAL' }] })),
  fc.tuple(directoryFile, idFrom(USER_IDS)).map(([file, managerId]) => ({ ...file, users: [...file.users, { id: 'u-new', displayName: 'New', email: 'new@example.com', managerId }] })),
  directoryFile.filter((f) => f.users.length > 0).map((file) => ({ ...file, users: [...file.users, file.users[0]] })),
  fc.tuple(directoryFile, isoDate).map(([file, endDate]) => ({ ...file, assignments: [...file.assignments, { userId: 'admin', privilegeId: 'p-prod', origin: 'MANUAL', endDate }] })),
);

/** A CSV cell: quoted when it holds a separator, a quote or a line break. */
const cell = (value: unknown) => {
  const text = Array.isArray(value) ? value.join(';') : value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** users.csv or assignments.csv from generated records, sometimes with a column renamed or a row cut short. */
const csvFile = fc
  .tuple(
    fc.constantFrom(
      { name: 'users.csv', columns: ['id', 'displayName', 'email', 'managerId', 'department', 'status', 'riskLevel', 'attr.costCenter'], rows: fc.array(user, { maxLength: 4 }) },
      { name: 'assignments.csv', columns: ['userId', 'privilegeId', 'origin', 'endDate', 'grantedAt', 'approvedAt', 'param.region'], rows: fc.array(assignment, { maxLength: 4 }) },
    ),
    fc.constantFrom('as is', 'as is', 'renamed column', 'short row', 'extra cell', 'bom', 'nasty cell'),
    nastyString,
  )
  .chain(([layout, damage, nasty]) =>
    layout.rows.map((rows) => {
      const columns = damage === 'renamed column' ? layout.columns.map((c, i) => (i === 1 ? `${c}X` : c)) : layout.columns;
      const lines = rows.map((row) => {
        const record = row as Record<string, unknown>;
        const cells = layout.columns.map((c) => cell(c.includes('.') ? (record.attributes as Record<string, unknown> | undefined)?.[c.split('.')[1]!] ?? (record.parameters as Record<string, unknown> | undefined)?.[c.split('.')[1]!] : record[c]));
        if (damage === 'short row') cells.pop();
        if (damage === 'extra cell') cells.push('surplus');
        if (damage === 'nasty cell') cells[cells.length - 1] = cell(nasty);
        return cells.join(',');
      });
      return { name: layout.name, text: `${damage === 'bom' ? '\uFEFF' : ''}${[columns.join(','), ...lines].join('\n')}\n` };
    }),
  );

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'idgov-directory-property-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** `idgov directory load`'s chain over a store that already holds two users and a privilege. */
async function loadAsTheCommandDoes(path: string) {
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers([
    { id: 'admin', displayName: 'Admin', email: 'admin@example.com', status: 'ACTIVE' },
    { id: 'm1', displayName: 'Manager', email: 'm1@example.com', status: 'ACTIVE' },
  ]);
  await directory.putPrivileges([{ id: 'p-prod', name: 'AWS prod', ownerIds: ['admin'] }]);
  const audit = new InMemoryAuditLog();
  const before = snapshot(directory, audit);
  const run = async () => {
    const dir = await readDirectoryFile(path);
    const users = await directory.getUsers([...new Set([...dir.users.map((u) => u.managerId), ...dir.privileges.flatMap((p) => p.ownerIds), ...dir.assignments.map((a) => a.userId)].filter((id): id is string => id !== undefined))]);
    const privileges = await directory.getPrivileges([...new Set(dir.assignments.map((a) => a.privilegeId))]);
    checkReferences(dir, { userIds: new Set(users.keys()), privilegeIds: new Set(privileges.keys()) });
    return { dir, result: await loadDirectory({ directory, audit }, dir, 'admin', NOW, path) };
  };
  return { directory, audit, before, run };
}

describe('directory files', () => {
  it('JSON: loaded and recorded, or refused naming a field with nothing written', async () => {
    const verdicts = new Verdicts();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: directoryFile as fc.Arbitrary<unknown>, weight: 5 }, { arbitrary: damaged, weight: 4 }, { arbitrary: anyJson, weight: 1 }), async (file) => {
        const path = join(folder, `d-${++n}.json`);
        await writeFile(path, JSON.stringify(file) ?? 'undefined');
        const world = await loadAsTheCommandDoes(path);
        let loaded;
        try {
          loaded = await world.run();
        } catch (error) {
          expectNamedRefusal(error, file);
          expect(snapshot(world.directory, world.audit), 'nothing written').toBe(world.before);
          verdicts.refuse();
          return;
        }
        verdicts.accept();
        for (const u of loaded.dir.users) expect(await world.directory.getUser(u.id)).toMatchObject({ id: u.id, email: u.email });
        for (const a of loaded.dir.assignments) expect(await world.directory.getAssignment(a.userId, a.privilegeId)).toMatchObject({ origin: a.origin });
        expect(world.audit.chains.get('admin')).toHaveLength(1);
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth();
  });

  it('CSV: loaded and recorded, or refused naming a field with nothing written', async () => {
    const verdicts = new Verdicts();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(csvFile, async ({ name, text }) => {
        const dir = join(folder, `csv-${++n}`);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir);
        const path = join(dir, name);
        await writeFile(path, text);
        const world = await loadAsTheCommandDoes(path);
        try {
          await world.run();
        } catch (error) {
          expectNamedRefusal(error, text);
          expect(snapshot(world.directory, world.audit), 'nothing written').toBe(world.before);
          verdicts.refuse();
          return;
        }
        verdicts.accept();
        expect(world.audit.chains.get('admin')).toHaveLength(1);
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth();
  });

  // Found by the CSV property: a malformed CSV (a row of the wrong length), an empty file or an
  // unreadable one was refused with the file and line in the message but no field.
  it.each([
    ['a row of the wrong length', 'users.csv', 'id,displayName,email\nu1,Ada\n', 'users.csv line 2'],
    ['an empty file', 'users.csv', '', 'users.csv'],
    ['a header of no kind', 'users.csv', 'colour,size\nred,1\n', 'users.csv line 1'],
  ])('%s is refused naming the file (and line) as the field', async (_, name, text, field) => {
    const dir = join(folder, `example-${field.replace(/\W/g, '-')}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), text);
    const error = await readDirectoryFile(join(dir, name)).catch((e: unknown) => e);
    expectNamedRefusal(error, text);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual([field]);
    expect((error as ValidationError).message.startsWith(`${field}: `)).toBe(true);
  });
});

