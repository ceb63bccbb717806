// What the property-based tests (test/property) share: the run count, the verdict every input must
// get (accepted, or refused by a ValidationError naming a field, with nothing written), a snapshot
// of in-memory stores to prove "nothing written", and generators of inputs that are valid-shaped,
// mutated a little, or anything at all.
import fc from 'fast-check';
import { expect } from 'vitest';
import { DomainError, ValidationError } from '../../lambdas/shared/domain/errors.js';

/** Inputs per property (issue 11: 1,000 each). */
export const NUM_RUNS = 1000;

/** fast-check's settings for every property: the run count; fast-check prints the seed and path of a failing input. */
export const PROPERTY_RUNS = { numRuns: NUM_RUNS } as const;

/**
 * Every stored thing of the in-memory stores (their maps and lists, private fields included) as
 * plain, ordered data: two snapshots are equal when the stores hold the same.
 */
export function snapshot(...stores: object[]): string {
  return JSON.stringify(stores.map(plain));
}

function plain(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [plain(k), plain(v)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  if (value instanceof Set) return [...value].map(plain).sort();
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => typeof v !== 'function')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return value;
}

/** The fields a refusal names: a ValidationError's field, or each of its issues' fields. */
export function fieldsOf(error: unknown): string[] {
  if (!(error instanceof ValidationError)) return [];
  return [...new Set([error.field, ...error.issues.map((i) => i.field)].filter((f): f is string => typeof f === 'string' && f !== ''))];
}

/** A refusal must be a ValidationError naming at least one field; anything else is a crash. */
export function expectNamedRefusal(error: unknown, input: unknown): void {
  if (!(error instanceof ValidationError)) {
    throw new Error(`refused with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of a ValidationError naming a field; input ${show(input)}`, { cause: error });
  }
  expect(fieldsOf(error), `the refusal names a field: ${error.message}; input ${show(input)}`).not.toEqual([]);
}

/**
 * A refusal from a use case with a directory or a store behind it may also be another answer (not
 * found, forbidden, closed, a conflict): a DomainError, never a crash. Validation errors must name
 * a field.
 */
export function expectDomainRefusal(error: unknown, input: unknown): void {
  if (error instanceof ValidationError) return expectNamedRefusal(error, input);
  if (!(error instanceof DomainError)) {
    throw new Error(`refused with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}, not a domain error; input ${show(input)}`, { cause: error });
  }
}

const show = (input: unknown) => {
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
};

/** Counts of accepted and refused inputs, so that a property proves it took both paths. */
export class Verdicts {
  accepted = 0;
  refused = 0;
  accept(): void {
    this.accepted += 1;
  }
  refuse(): void {
    this.refused += 1;
  }
  /** Both paths were taken, each for at least `share` of the inputs. */
  expectBoth(share = 0.1): void {
    const total = this.accepted + this.refused;
    expect(total).toBeGreaterThanOrEqual(NUM_RUNS);
    expect(this.accepted / total, `accepted ${this.accepted} of ${total}`).toBeGreaterThanOrEqual(share);
    expect(this.refused / total, `refused ${this.refused} of ${total}`).toBeGreaterThanOrEqual(share);
  }
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** Strings that break things: empty, blank, huge, control characters, unicode beyond the BMP, lookalikes. */
export const nastyString = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', '\u0000', '\uFEFF', 'null', 'undefined', '__proto__', 'constructor', '0', '-1', 'NaN', '😀', '\u202Etxt.exe', 'ＡＤＭＩＮ', 'é', 'e\u0301'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 8 }).map((s) => s.repeat(5000)),
);

/** Any JSON value at all (a body as a client might send it). */
export const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A value of the wrong type for whatever field it lands in. */
export const wrongValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant([] as unknown[]),
  fc.constant({}),
  nastyString,
  anyJson,
);

/**
 * One change to a valid object: a field dropped, replaced by a wrong value, or an unknown field
 * added; applied at the top level or one level down.
 */
export function mutate<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom('drop', 'replace', 'add', 'deep'), wrongValue, fc.string({ minLength: 1, maxLength: 12 }))
    .map(([object, pick, how, value, extra]) => change(object, pick, how, value, extra));
}

function change(object: Record<string, unknown>, pick: number, how: string, value: unknown, extra: string): unknown {
  const keys = Object.keys(object);
  if (keys.length === 0 || how === 'add') return { ...object, [`x${extra}`]: value };
  const key = keys[pick % keys.length]!;
  if (how === 'drop') {
    const { [key]: _dropped, ...rest } = object;
    return rest;
  }
  const inner = object[key];
  if (how === 'deep' && inner && typeof inner === 'object' && !Array.isArray(inner)) {
    return { ...object, [key]: change(inner as Record<string, unknown>, pick >> 3, pick % 2 ? 'replace' : 'add', value, extra) };
  }
  if (how === 'deep' && Array.isArray(inner) && inner.length > 0) {
    const at = pick % inner.length;
    const element = inner[at];
    const changed = element && typeof element === 'object' && !Array.isArray(element) ? change(element as Record<string, unknown>, pick >> 3, 'replace', value, extra) : value;
    return { ...object, [key]: inner.map((e, i) => (i === at ? changed : e)) };
  }
  return { ...object, [key]: value };
}

/** Valid-shaped inputs, mutated ones and anything at all, in the given proportions. */
export function inputs<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>, weights = { valid: 5, mutated: 4, any: 1 }): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: valid as fc.Arbitrary<unknown>, weight: weights.valid },
    { arbitrary: mutate(valid), weight: weights.mutated },
    { arbitrary: anyJson as fc.Arbitrary<unknown>, weight: weights.any },
  );
}

/** Dates as files hold them: valid ones, and near misses. */
export const isoDate = fc.oneof(
  { arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()), weight: 4 },
  { arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), weight: 4 },
  { arbitrary: fc.constantFrom('2026-02-30', '2026-13-01', '2026-02-29', '2024-02-29', '0000-01-01', '9999-12-31T23:59:59Z', '2026-07-01T25:00:00Z', '2026-07-01T10:00:00+14:00', '2026-07-01T10:00:00', '2026-07-01 10:00', '01/07/2026', '+275760-09-13'), weight: 2 },
);

/** Ids as the directory holds them, mostly from a small set (so that references resolve), sometimes odd. */
export const idFrom = (known: readonly string[]) => fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 8 }, { arbitrary: nastyString, weight: 1 });
