// Loads a directory (users, privileges, assignments) from a JSON file, one CSV file, or a folder of
// CSV files, and checks that it holds together. Every failure is one ValidationError naming the file,
// the field and, for CSV, the line, so an administrator can fix the file without guessing.
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { directoryFileSchema, type DirectoryFile } from '../../lambdas/shared/domain/schemas.js';

export type { DirectoryFile };

type EntityKind = 'users' | 'privileges' | 'assignments';

interface CsvLayout {
  /** Columns that identify the kind and must be present. */
  required: string[];
  optional: string[];
  /** Prefixed columns collected into one record field, e.g. `attr.costCenter` → attributes.costCenter. */
  prefixed: { prefix: string; field: string };
  /** Columns holding `;`-separated lists. */
  lists: string[];
  /** Columns that fill one field of a nested object, e.g. `reapprovalMode` → reapproval.mode. */
  nested?: Record<string, { field: string; key: string; whole?: boolean }>;
}

/**
 * A privilege's re-approval settings from CSV: `reapprovalMode`, `reapprovalIntervalDays` and
 * `reapprovalWorkflowId` make the JSON's `reapproval` object (`reapprovalMode` names the object
 * itself in messages); the interval is read as a whole number.
 */
export const REAPPROVAL_COLUMNS: NonNullable<CsvLayout['nested']> = {
  reapprovalMode: { field: 'reapproval', key: 'mode', whole: true },
  reapprovalIntervalDays: { field: 'reapproval', key: 'intervalDays' },
  reapprovalWorkflowId: { field: 'reapproval', key: 'workflowId' },
};

/**
 * A protected user or privilege from CSV (docs/reference/guards.md): a `protectedReason` cell makes
 * the JSON's `protected: { reason }`; an empty cell, none.
 */
export const PROTECTION_COLUMNS: NonNullable<CsvLayout['nested']> = {
  protectedReason: { field: 'protected', key: 'reason', whole: true },
};

const CSV_LAYOUTS: Record<EntityKind, CsvLayout> = {
  users: {
    required: ['id', 'displayName', 'email'],
    optional: ['managerId', 'department', 'status', 'riskLevel', ...Object.keys(PROTECTION_COLUMNS)],
    prefixed: { prefix: 'attr.', field: 'attributes' },
    lists: [],
    nested: PROTECTION_COLUMNS,
  },
  privileges: {
    required: ['id', 'name'],
    optional: ['ownerIds', 'riskLevel', 'approvalWorkflowId', ...Object.keys(REAPPROVAL_COLUMNS), ...Object.keys(PROTECTION_COLUMNS)],
    prefixed: { prefix: 'attr.', field: 'attributes' },
    lists: ['ownerIds'],
    nested: { ...REAPPROVAL_COLUMNS, ...PROTECTION_COLUMNS },
  },
  assignments: {
    required: ['userId', 'privilegeId', 'origin'],
    optional: ['endDate', 'grantedAt', 'approvedAt', 'approvedBy'],
    prefixed: { prefix: 'param.', field: 'parameters' },
    lists: [],
  },
};

const CSV_FILE_NAMES: Record<EntityKind, string> = {
  users: 'users.csv',
  privileges: 'privileges.csv',
  assignments: 'assignments.csv',
};

const KINDS = Object.keys(CSV_LAYOUTS) as EntityKind[];
const MAX_LISTED = 20;

/**
 * A problem with a file as a whole, or with one of its lines: the message as before, and the file
 * (with the line, if known) named as the field, as every refusal names one.
 */
const fileProblem = (where: string, message: string) => new ValidationError(`${where}: ${message}`, undefined, [{ field: where, message }]);

/** Where a record came from, to point at it in messages. */
interface Origin {
  file: string;
  line?: number;
}

interface RawDirectory {
  records: Record<EntityKind, Record<string, unknown>[]>;
  origins: Record<EntityKind, Origin[]>;
}

/**
 * Reads a `.json` file (the shape of directoryFileSchema), a `.csv` file of one entity kind
 * (recognised by its header), or a folder holding users.csv / privileges.csv / assignments.csv.
 */
export async function readDirectoryFile(path: string): Promise<DirectoryFile> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw fileProblem(path, `cannot read (${error.code ?? error.message})`);
  });
  if (info.isDirectory()) return readCsvFolder(path);
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return readJson(path);
  if (extension === '.csv') {
    const raw = emptyRaw();
    addCsv(raw, basename(path), await readText(path));
    return validate(raw);
  }
  throw fileProblem(path, `unsupported file type "${extension}": expected .json, .csv or a folder of CSV files`);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw fileProblem(basename(path), `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

async function readJson(path: string): Promise<DirectoryFile> {
  const file = basename(path);
  const text = await readText(path);
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw fileProblem(file, `not valid JSON (${(error as Error).message})`);
  }
  const result = directoryFileSchema.safeParse(value);
  if (result.success) return result.data;
  throw fileError(
    result.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || '(root)';
      return { field, message: issue.message, text: `${file}: ${field}: ${issue.message}` };
    }),
  );
}

async function readCsvFolder(folder: string): Promise<DirectoryFile> {
  const raw = emptyRaw();
  let found = 0;
  for (const kind of KINDS) {
    const name = CSV_FILE_NAMES[kind];
    const text = await readFile(join(folder, name), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw fileProblem(name, `cannot read (${error.code ?? error.message})`);
    });
    if (text === undefined) continue;
    found++;
    addCsv(raw, name, text, kind);
  }
  if (found === 0) {
    throw fileProblem(folder, `holds none of ${Object.values(CSV_FILE_NAMES).join(', ')}`);
  }
  return validate(raw);
}

function emptyRaw(): RawDirectory {
  return {
    records: { users: [], privileges: [], assignments: [] },
    origins: { users: [], privileges: [], assignments: [] },
  };
}

/**
 * The raw records of one CSV text (not validated): what its columns become in the JSON shape, e.g.
 * `reapprovalMode`, `reapprovalIntervalDays` → `reapproval: { mode, intervalDays }`.
 */
export function csvRecords(file: string, text: string): { kind: EntityKind; records: Record<string, unknown>[] } {
  const raw = emptyRaw();
  const kind = addCsv(raw, file, text);
  return { kind, records: raw.records[kind] };
}

/** Parses one CSV text into raw records of the kind its header names; values are validated later. */
function addCsv(raw: RawDirectory, file: string, text: string, expected?: EntityKind): EntityKind {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { bom: true, info: true, skip_empty_lines: true, trim: true }) as unknown as typeof rows;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw fileProblem(`${file}${line ? ` line ${line}` : ''}`, (error as Error).message);
  }
  if (rows.length === 0) throw fileProblem(file, 'is empty, expected a header line');

  const header = rows[0].record;
  const kind = recogniseHeader(file, header);
  if (expected && kind !== expected) {
    throw fileProblem(file, `header is that of ${kind}, expected ${expected} (${describeLayout(expected)})`);
  }
  const layout = CSV_LAYOUTS[kind];

  for (const { record, info } of rows.slice(1)) {
    // info.lines is where the record ends; quoted cells may span lines, so count back to its start.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    const value: Record<string, unknown> = {};
    header.forEach((column, i) => {
      const cell = record[i];
      if (cell === undefined || cell === '') return; // empty cells are absent
      const nested = layout.nested?.[column];
      if (nested) {
        const bag = (value[nested.field] ??= {}) as Record<string, unknown>;
        bag[nested.key] = nested.key === 'intervalDays' ? wholeNumberCell(cell) : cell;
      } else if (column.startsWith(layout.prefixed.prefix)) {
        const bag = (value[layout.prefixed.field] ??= {}) as Record<string, string>;
        bag[column.slice(layout.prefixed.prefix.length)] = cell;
      } else if (layout.lists.includes(column)) {
        value[column] = cell.split(';').map((s) => s.trim()).filter((s) => s !== '');
      } else {
        value[column] = cell;
      }
    });
    raw.records[kind].push(value);
    raw.origins[kind].push({ file, line });
  }
  return kind;
}

/** A number cell as a number when it reads as a whole number; otherwise as written, for the schema to refuse naming its column. */
function wholeNumberCell(cell: string): number | string {
  return /^[+-]?\d+$/.test(cell) ? Number(cell) : cell;
}

function recogniseHeader(file: string, header: string[]): EntityKind {
  const seen = new Set<string>();
  for (const column of header) {
    if (column === '') throw fileProblem(`${file} line 1`, 'a header column is empty');
    if (seen.has(column)) throw fileProblem(`${file} line 1`, `column "${column}" appears twice`);
    seen.add(column);
  }
  // The kind whose required columns are all present; users and privileges share "id", so prefer the
  // one with more of its own columns.
  const candidates = KINDS.filter((kind) => CSV_LAYOUTS[kind].required.every((c) => seen.has(c)));
  const known = (kind: EntityKind) => header.filter((c) => isKnownColumn(kind, c)).length;
  const kind = candidates.sort((a, b) => known(b) - known(a))[0];
  if (!kind) {
    throw fileProblem(`${file} line 1`, `header not recognised: expected the columns of ${KINDS.map((k) => `${k} (${describeLayout(k)})`).join(', or ')}`);
  }
  const unknown = header.filter((c) => !isKnownColumn(kind, c));
  if (unknown.length > 0) {
    throw new ValidationError(
      `${file} line 1: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} for ${kind} (${describeLayout(kind)})`,
      undefined,
      unknown.map((column) => ({ field: column, message: `unknown column for ${kind}` })),
    );
  }
  return kind;
}

function isKnownColumn(kind: EntityKind, column: string): boolean {
  const layout = CSV_LAYOUTS[kind];
  if (column.startsWith(layout.prefixed.prefix)) return column.length > layout.prefixed.prefix.length;
  return layout.required.includes(column) || layout.optional.includes(column);
}

function describeLayout(kind: EntityKind): string {
  const layout = CSV_LAYOUTS[kind];
  return [...layout.required, ...layout.optional, `${layout.prefixed.prefix}<name>`].join(',');
}

/** Validates the whole directory at once, so duplicates across rows are found too. */
function validate(raw: RawDirectory): DirectoryFile {
  const result = directoryFileSchema.safeParse(raw.records);
  if (result.success) return result.data;
  throw fileError(result.error.issues.map((issue) => locate(raw, issue)));
}

/** Turns a zod issue on the merged directory back into "file line N: column: problem". */
function locate(raw: RawDirectory, issue: z.ZodError['issues'][number]): { field: string; message: string; text: string } {
  const [kind, index, ...rest] = issue.path as [EntityKind, number, ...PropertyKey[]];
  const origin = raw.origins[kind]?.[index];
  const dotted = issue.path.map(String).join('.') || '(root)';
  if (!origin) return { field: dotted, message: issue.message, text: `${dotted}: ${issue.message}` };
  const layout = CSV_LAYOUTS[kind];
  let column: string | undefined;
  if (rest.length > 0) {
    const [field, key] = rest.map(String);
    column = field === layout.prefixed.field && key !== undefined ? `${layout.prefixed.prefix}${key}` : (nestedColumn(layout, field!, key) ?? field);
  } else if (/^duplicate /.test(issue.message)) {
    column = kind === 'assignments' ? 'userId/privilegeId' : 'id';
  }
  const where = `${origin.file}${origin.line ? ` line ${origin.line}` : ''}`;
  return { field: dotted, message: issue.message, text: `${where}: ${column ? `${column}: ` : ''}${issue.message}` };
}

/** The CSV column of a nested field (`reapproval.intervalDays` → `reapprovalIntervalDays`); the object itself is its `whole` column. */
export function nestedColumn(layout: Pick<CsvLayout, 'nested'>, field: string, key: string | undefined): string | undefined {
  const entries = Object.entries(layout.nested ?? {}).filter(([, n]) => n.field === field);
  if (entries.length === 0) return undefined;
  return (entries.find(([, n]) => n.key === key) ?? entries.find(([, n]) => n.whole))?.[0];
}

function fileError(issues: { field: string; message: string; text: string }[]): ValidationError {
  const listed = issues.slice(0, MAX_LISTED).map((i) => i.text);
  if (issues.length > MAX_LISTED) listed.push(`and ${issues.length - MAX_LISTED} more`);
  return new ValidationError(
    listed.join('; '),
    undefined,
    issues.map(({ field, message }) => ({ field, message })),
  );
}

/**
 * Throws a ValidationError if the directory points at users or privileges that exist neither in it
 * nor in `known` (what the store already holds): assignments, managers, privilege owners.
 */
export function checkReferences(
  dir: DirectoryFile,
  known?: { userIds: Set<string>; privilegeIds: Set<string> },
): void {
  const userIds = new Set(dir.users.map((u) => u.id));
  const privilegeIds = new Set(dir.privileges.map((p) => p.id));
  const isUser = (id: string) => userIds.has(id) || (known?.userIds.has(id) ?? false);
  const isPrivilege = (id: string) => privilegeIds.has(id) || (known?.privilegeIds.has(id) ?? false);

  const issues: { field: string; message: string }[] = [];
  dir.users.forEach((user, i) => {
    if (user.managerId !== undefined && !isUser(user.managerId)) {
      issues.push({ field: `users.${i}.managerId`, message: `manager ${user.managerId} of user ${user.id} does not exist` });
    }
  });
  dir.privileges.forEach((privilege, i) => {
    privilege.ownerIds.forEach((ownerId, j) => {
      if (!isUser(ownerId)) {
        issues.push({ field: `privileges.${i}.ownerIds.${j}`, message: `owner ${ownerId} of privilege ${privilege.id} does not exist` });
      }
    });
  });
  dir.assignments.forEach((assignment, i) => {
    if (!isUser(assignment.userId)) {
      issues.push({ field: `assignments.${i}.userId`, message: `unknown user ${assignment.userId} (assignment of ${assignment.privilegeId})` });
    }
    if (!isPrivilege(assignment.privilegeId)) {
      issues.push({ field: `assignments.${i}.privilegeId`, message: `unknown privilege ${assignment.privilegeId} (assignment to ${assignment.userId})` });
    }
  });
  if (issues.length === 0) return;

  const listed = issues.slice(0, MAX_LISTED).map((i) => `${i.field}: ${i.message}`);
  if (issues.length > MAX_LISTED) listed.push(`and ${issues.length - MAX_LISTED} more`);
  throw new ValidationError(
    `${issues.length} dangling reference${issues.length > 1 ? 's' : ''}: ${listed.join('; ')}`,
    undefined,
    issues,
  );
}
