// Subject and resource filters (docs/reference/campaigns.md "Selection"): RFC 4515 text such as
// `(&(department=Finance)(riskLevel>=HIGH))`, parsed by @ldapjs/filter and evaluated here with
// directory semantics (case-insensitive names and values, riskLevel ordered LOW < ... < CRITICAL).
//
// A scan runs before the library because, on its own, the library accepts unclosed filters
// (`(&(a=b)(c=d)`), rejects whitespace between conditions and dotted names (`attributes.costCenter`),
// mangles 4-byte UTF-8 characters in substrings, and reports errors without a position. The scan
// checks the structure with positions an administrator can act on, drops insignificant whitespace,
// and swaps each attribute name for a placeholder the library accepts.
import ldapFilter, { type LdapFilterNode } from '@ldapjs/filter';
import { ValidationError } from './errors.js';
import { RISK_LEVELS, type AttributeValue, type Privilege, type RiskLevel, type User } from './model.js';

export type FilterScalar = string | number | boolean;
export type FilterValue = FilterScalar | readonly FilterScalar[] | null | undefined;
/**
 * What a filter is evaluated against: attribute name → value or values. Names are matched
 * case-insensitively; if two names differ only in case, the first one (in key order) is used.
 * Blank strings, null and undefined count as absent.
 */
export type FilterSubject = Readonly<Record<string, FilterValue>>;

export interface CompiledFilter {
  /** The filter as written. */
  readonly text: string;
  /** Attribute names the filter reads, lower-cased, without duplicates. */
  readonly attributes: readonly string[];
  matches(subject: FilterSubject): boolean;
}

type SubjectIndex = Map<string, string[]>;
type Predicate = (subject: SubjectIndex) => boolean;

const RISK_ATTRIBUTE = 'risklevel';
const OPERATORS = ['~=', '>=', '<=', '='] as const;
const ESCAPE_HINT = 'a backslash must be followed by two hex digits: \\5c for "\\", \\2a for "*", \\28 for "(", \\29 for ")"';

/**
 * Compiles an LDAP filter, or throws a ValidationError naming `field` and the problem with its
 * position. Extensible match (`:=`) and unknown risk levels are refused here, not at evaluation.
 */
export function compileFilter(text: string, field = 'subjects.filter'): CompiledFilter {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ValidationError('must not be empty: write an LDAP filter such as (&(department=Finance)(riskLevel>=HIGH))', field);
  }
  const scanner = new FilterScanner(text, field);
  const normalized = scanner.normalize();
  let tree: LdapFilterNode;
  try {
    tree = ldapFilter.parseString(normalized);
  } catch (error) {
    // The scan accepts only what the library parses; reaching this is a gap in the scan.
    throw new ValidationError(`cannot be parsed (${(error as Error).message})`, field);
  }
  const attributes = new Set<string>();
  const predicate = new PredicateBuilder(scanner, attributes).build(tree);
  return {
    text,
    attributes: [...attributes],
    matches: (subject) => predicate(indexSubject(subject)),
  };
}

/** A user as a filter sees it: its fields, then its free-form attributes as `x` and `attributes.x`. */
export function userFilterSubject(user: User): FilterSubject {
  return withAttributes(
    {
      id: user.id,
      displayName: user.displayName,
      email: user.email,
      managerId: user.managerId,
      department: user.department,
      status: user.status,
      riskLevel: user.riskLevel,
    },
    user.attributes,
  );
}

/** A privilege as a filter sees it: its fields, then its free-form attributes as `x` and `attributes.x`. */
export function privilegeFilterSubject(privilege: Privilege): FilterSubject {
  return withAttributes(
    { id: privilege.id, name: privilege.name, ownerIds: privilege.ownerIds, riskLevel: privilege.riskLevel },
    privilege.attributes,
  );
}

/** Top-level fields win over an attribute of the same name (any case); an absent field does not. */
function withAttributes(
  fields: Record<string, FilterValue>,
  attributes: Record<string, AttributeValue> | undefined,
): FilterSubject {
  const subject: Record<string, FilterValue> = {};
  const taken = new Set<string>();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    subject[name] = value;
    taken.add(name.toLowerCase());
  }
  for (const [name, value] of Object.entries(attributes ?? {})) {
    const prefixed = `attributes.${name}`;
    if (!taken.has(prefixed.toLowerCase())) {
      subject[prefixed] = value;
      taken.add(prefixed.toLowerCase());
    }
    if (!taken.has(name.toLowerCase())) {
      subject[name] = value;
      taken.add(name.toLowerCase());
    }
  }
  return subject;
}

// ---------------------------------------------------------------------------------------------
// Scan: structure, positions, normalisation.

interface ScannedItem {
  /** The attribute name as written. */
  name: string;
  /** Index in the text of the attribute name, for messages. */
  at: number;
}

class FilterScanner {
  private i = 0;
  private out = '';
  /** Placeholder `a<n>` in the normalised text ↔ items[n]. */
  readonly items: ScannedItem[] = [];

  constructor(
    private readonly text: string,
    readonly field: string,
  ) {}

  normalize(): string {
    this.skipSpace();
    if (this.text[this.i] === '(') {
      this.filter();
    } else {
      // A bare `department=Finance`, which the library also accepts.
      const stop = this.text.slice(this.i).search(/[()]/);
      const end = stop === -1 ? this.text.length : this.i + stop;
      this.out += '(';
      this.item(end);
      this.out += ')';
      this.i = end;
    }
    this.skipSpace();
    if (this.i < this.text.length) {
      if (this.text[this.i] === ')') this.fail('unbalanced parentheses', this.i, 'this ")" has no matching "("');
      this.fail('unexpected text after the end of the filter', this.i, 'combine conditions with (&(...)(...)) or (|(...)(...))');
    }
    return this.out;
  }

  fail(problem: string, at: number, hint?: string): never {
    throw new ValidationError(`${problem} at character ${at + 1} of "${this.excerpt(at)}"${hint ? `: ${hint}` : ''}`, this.field);
  }

  /** `( ... )` starting at this.i, which is on the '('. */
  private filter(): void {
    const open = this.i;
    this.i++;
    this.out += '(';
    this.skipSpace();
    const operator = this.text[this.i];
    if (operator === '&' || operator === '|') {
      this.i++;
      this.out += operator;
      let conditions = 0;
      for (;;) {
        this.skipSpace();
        const next = this.text[this.i];
        if (next === undefined) this.unclosed(open);
        if (next === ')') break;
        if (next !== '(') this.fail(`expected "(" to start a condition inside "${operator}"`, this.i);
        this.filter();
        conditions++;
      }
      if (conditions === 0) this.fail(`"${operator}" needs at least one condition`, open, 'to match everything, use (id=*)');
    } else if (operator === '!') {
      this.i++;
      this.out += operator;
      this.skipSpace();
      if (this.text[this.i] === undefined) this.unclosed(open);
      if (this.text[this.i] !== '(') this.fail('expected "(" after "!"', this.i);
      this.filter();
      this.skipSpace();
      if (this.text[this.i] === undefined) this.unclosed(open);
      if (this.text[this.i] !== ')') this.fail('"!" takes exactly one condition', this.i);
    } else {
      const close = this.text.indexOf(')', this.i);
      if (close === -1) this.unclosed(open);
      this.item(close);
      this.i = close;
    }
    this.i++;
    this.out += ')';
  }

  /** `attr op value` between this.i and end (exclusive). */
  private item(end: number): void {
    const start = this.i;
    const head = /^\s*([A-Za-z0-9_][A-Za-z0-9._-]*)?\s*/.exec(this.text.slice(start, end))!;
    const name = head[1] ?? '';
    const at = start + (head[0].length - head[0].trimStart().length);
    const opAt = start + head[0].length;
    const rest = this.text.slice(opAt, end);
    if (rest.startsWith(':')) {
      this.fail('extensible match (:=) is not supported', opAt, 'use =, ~=, >= or <=');
    }
    if (name === '') {
      this.fail('missing attribute name', opAt, 'a condition looks like (department=Finance)');
    }
    const operator = OPERATORS.find((o) => rest.startsWith(o));
    if (!operator) {
      this.fail(`expected =, ~=, >= or <= after the attribute name "${name}"`, opAt, 'attribute names are letters, digits, ".", "_" and "-"');
    }
    const valueAt = opAt + operator.length;
    const value = this.text.slice(valueAt, end);

    const paren = value.indexOf('(');
    if (paren !== -1) this.fail('unescaped "(" in a value', valueAt + paren, 'write \\28 for a literal "("');
    const badEscape = /\\(?![0-9A-Fa-f]{2})/.exec(value);
    if (badEscape) this.fail('invalid escape', valueAt + badEscape.index, ESCAPE_HINT);
    if (operator !== '=' && value.includes('*')) {
      this.fail(`"*" is only allowed with "="`, valueAt + value.indexOf('*'), 'write \\2a for a literal "*"');
    }
    if (value.trim() === '') {
      this.fail(
        `missing value after "${name}${operator}"`,
        valueAt,
        operator === '=' ? `to test that the attribute is present, write (${name}=*)` : undefined,
      );
    }

    this.out += `a${this.items.length}${operator}${escapeNonAscii(value)}`;
    this.items.push({ name, at });
  }

  private unclosed(open: number): never {
    this.fail('unbalanced parentheses', open, 'this "(" is never closed');
  }

  private skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private excerpt(at: number): string {
    const flat = this.text.replace(/\s/g, ' ');
    if (flat.length <= 100) return flat;
    const from = Math.max(0, at - 40);
    const to = Math.min(flat.length, at + 40);
    return `${from > 0 ? '…' : ''}${flat.slice(from, to)}${to < flat.length ? '…' : ''}`;
  }
}

/**
 * Non-ASCII and control characters as `\hh` UTF-8 bytes, which the library keeps intact, and ":"
 * as `\3a`, since the library reads any ":=" in a condition as an extensible match.
 */
function escapeNonAscii(value: string): string {
  const encoder = new TextEncoder();
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === ':') out += '\\3a';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else for (const byte of encoder.encode(char)) out += `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

class PredicateBuilder {
  constructor(
    private readonly scanner: FilterScanner,
    private readonly attributes: Set<string>,
  ) {}

  build(node: LdapFilterNode): Predicate {
    switch (node.type) {
      case 'AndFilter': {
        const parts = node.filters.map((child) => this.build(child));
        return (s) => parts.every((part) => part(s));
      }
      case 'OrFilter': {
        const parts = node.filters.map((child) => this.build(child));
        return (s) => parts.some((part) => part(s));
      }
      case 'NotFilter': {
        const inner = this.build(node.filter!);
        return (s) => !inner(s);
      }
      case 'PresenceFilter': {
        const { attr } = this.item(node);
        return (s) => s.has(attr);
      }
      case 'EqualityFilter': {
        const { attr, at } = this.item(node);
        const want = fold(this.decode(node.value, at));
        if (attr === RISK_ATTRIBUTE) this.riskLevel(want, at);
        return anyValue(attr, (v) => fold(v) === want);
      }
      case 'ApproximateFilter': {
        const { attr, at } = this.item(node);
        const want = squash(this.decode(node.value, at));
        if (attr === RISK_ATTRIBUTE) this.riskLevel(want, at);
        return anyValue(attr, (v) => squash(v) === want);
      }
      case 'SubstringFilter': {
        const { attr, at } = this.item(node);
        const initial = fold(this.decode(node.initial, at), 'start');
        const any = (node.any ?? []).map((part) => fold(this.decode(part, at), 'none')).filter((part) => part !== '');
        const final = fold(this.decode(node.final, at), 'end');
        return anyValue(attr, (v) => matchesSubstrings(fold(v), initial, any, final));
      }
      case 'GreaterThanEqualsFilter':
      case 'LessThanEqualsFilter': {
        const { attr, at } = this.item(node);
        const sign = node.type === 'GreaterThanEqualsFilter' ? 1 : -1;
        const bound = this.decode(node.value, at);
        if (attr === RISK_ATTRIBUTE) {
          const level = rankOf(this.riskLevel(fold(bound), at));
          return anyValue(attr, (v) => {
            const rank = rankOf(v);
            return rank !== -1 && sign * (rank - level) >= 0;
          });
        }
        return anyValue(attr, (v) => sign * compareValues(v, bound) >= 0);
      }
      case 'ExtensibleFilter':
        throw new ValidationError('extensible match (:=) is not supported', this.scanner.field);
      default:
        throw new ValidationError(`unsupported filter type ${node.type}`, this.scanner.field);
    }
  }

  private item(node: LdapFilterNode): { attr: string; at: number } {
    const item = this.scanner.items[Number(node.attribute.slice(1))];
    if (!item) throw new Error(`filter placeholder ${node.attribute} has no attribute`);
    const attr = item.name.toLowerCase();
    this.attributes.add(attr);
    return { attr, at: item.at };
  }

  /** RFC 4515 `\hh` escapes → text; bytes must form valid UTF-8. */
  private decode(raw: unknown, at: number): string {
    const text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
    const encoder = new TextEncoder();
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const hex = text[i] === '\\' ? /^[0-9A-Fa-f]{2}/.exec(text.slice(i + 1, i + 3)) : null;
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        i += 2;
      } else {
        const code = text.codePointAt(i)!;
        const char = String.fromCodePoint(code);
        bytes.push(...encoder.encode(char));
        i += char.length - 1;
      }
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
    } catch {
      this.scanner.fail('escaped bytes are not valid UTF-8', at, 'escape a character as all of its UTF-8 bytes, e.g. \\c3\\a9 for "é"');
    }
  }

  private riskLevel(folded: string, at: number): RiskLevel {
    const level = RISK_LEVELS.find((l) => l.toLowerCase() === folded.replace(/\s/g, ''));
    if (!level) this.scanner.fail(`unknown risk level "${folded.toUpperCase()}"`, at, 'use LOW, MEDIUM, HIGH or CRITICAL');
    return level;
  }
}

function anyValue(attr: string, test: (value: string) => boolean): Predicate {
  return (s) => s.get(attr)?.some(test) ?? false;
}

/**
 * caseIgnoreMatch: case-folded, NFC, with insignificant spaces removed (leading, trailing, runs).
 * Substring parts keep the spaces on their inner sides ("Finance *" must not match "FinanceAdmin").
 */
function fold(value: string, trim: 'both' | 'start' | 'end' | 'none' = 'both'): string {
  let v = value.normalize('NFC').replace(/\s+/g, ' ').toLowerCase();
  if (trim === 'both' || trim === 'start') v = v.trimStart();
  if (trim === 'both' || trim === 'end') v = v.trimEnd();
  return v;
}

/** Approximate match: case- and whitespace-insensitive. */
function squash(value: string): string {
  return value.normalize('NFC').replace(/\s+/g, '').toLowerCase();
}

function matchesSubstrings(value: string, initial: string, any: string[], final: string): boolean {
  if (!value.startsWith(initial)) return false;
  let pos = initial.length;
  for (const part of any) {
    const found = value.indexOf(part, pos);
    if (found === -1) return false;
    pos = found + part.length;
  }
  return value.length - final.length >= pos && value.endsWith(final);
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Numbers numerically when both sides are numbers; otherwise case-folded text (ISO dates sort right). */
function compareValues(value: string, bound: string): number {
  const a = value.trim();
  const b = bound.trim();
  if (NUMBER.test(a) && NUMBER.test(b)) return Math.sign(Number(a) - Number(b));
  const fa = fold(a);
  const fb = fold(b);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

function rankOf(value: string): number {
  const v = value.trim().toUpperCase();
  return RISK_LEVELS.indexOf(v as RiskLevel);
}

/** Lower-cased names → non-blank string values; the first of two names differing in case wins. */
function indexSubject(subject: FilterSubject): SubjectIndex {
  const index: SubjectIndex = new Map();
  for (const [name, value] of Object.entries(subject)) {
    const key = name.toLowerCase();
    if (index.has(key)) continue;
    const values = (Array.isArray(value) ? value : [value])
      .filter((v): v is FilterScalar => v !== undefined && v !== null)
      .map(String)
      .filter((v) => v.trim() !== '');
    if (values.length > 0) index.set(key, values);
  }
  return index;
}
