// The LDAP-like filter compiler (lambdas/shared/domain/filter.ts) on 1,000 generated filters each:
// well-formed ones from the grammar, the same with one character inserted, deleted or cut, and any
// text at all. Every filter compiles (and then matches any subject without throwing, answering a
// boolean) or is refused by a ValidationError naming the field it came from.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter, type FilterSubject } from '../../lambdas/shared/domain/filter.js';
import { PROPERTY_RUNS, Verdicts, expectNamedRefusal, fieldsOf, nastyString } from '../support/properties.js';

const ATTRIBUTES = ['department', 'riskLevel', 'status', 'id', 'email', 'displayName', 'managerId', 'attributes.costCenter', 'costCenter', 'name', 'ownerIds', 'Department'];
const WORDS = ['Finance', 'IT', 'ACTIVE', 'DISABLED', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'u1', 'cc-42', 'Zürich', '東京', '😀', 'a b'];

/** A value as a filter writes it (never empty: `(a=)` is refused, `(a=*)` tests presence): plain, or with the RFC 4515 escapes of the special characters. */
const value = fc.oneof(
  fc.constantFrom(...WORDS),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter((s) => s.trim() !== '')
    .map((s) => s.replace(/\\/g, '\\5c').replace(/\*/g, '\\2a').replace(/\(/g, '\\28').replace(/\)/g, '\\29')),
);

const leaf = fc.oneof(
  fc.tuple(fc.constantFrom(...ATTRIBUTES), fc.constantFrom('=', '>=', '<=', '~='), value).map(([a, op, v]) => `(${a}${op}${v})`),
  fc.constantFrom(...ATTRIBUTES).map((a) => `(${a}=*)`),
  fc.tuple(fc.constantFrom(...ATTRIBUTES), fc.array(value, { minLength: 1, maxLength: 3 })).map(([a, parts]) => `(${a}=${parts.join('*')}*)`),
  fc.constantFrom('LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'SEVERE').map((level) => `(riskLevel>=${level})`),
);

const { filter } = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom('&', '|'), fc.array(tie('filter'), { minLength: 1, maxLength: 3 }), fc.constantFrom('', ' ', '\n')).map(([op, parts, space]) => `(${op}${parts.join(space)})`),
    tie('filter').map((f) => `(!${f})`),
  ),
}));

/** One edit of a well-formed filter: a character inserted, deleted or the text cut. */
const edited = fc
  .tuple(filter, fc.nat(), fc.constantFrom('insert', 'delete', 'cut'), fc.constantFrom('(', ')', '&', '|', '!', '=', '*', '\\', '<', '>', '~', ':', ' ', '\u0000', '😀', 'é'))
  .map(([text, at, how, char]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i);
  });

const text = fc.oneof({ arbitrary: filter, weight: 5 }, { arbitrary: edited, weight: 4 }, { arbitrary: nastyString, weight: 1 });

const subject: fc.Arbitrary<FilterSubject> = fc.dictionary(
  fc.constantFrom(...ATTRIBUTES, 'ATTRIBUTES.COSTCENTER', 'other'),
  fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.constantFrom(...WORDS), { maxLength: 3 })),
  { maxKeys: 6 },
);

describe('compileFilter on generated filters', () => {
  it('compiles (and matches any subject with a boolean) or refuses naming the field, never anything else', () => {
    const verdicts = new Verdicts();
    fc.assert(
      fc.property(text, fc.array(subject, { minLength: 1, maxLength: 3 }), fc.constantFrom('subjects.filter', 'resources.filter'), (input, subjects, field) => {
        let compiled;
        try {
          compiled = compileFilter(input, field);
        } catch (error) {
          expectNamedRefusal(error, input);
          expect(fieldsOf(error)).toEqual([field]);
          verdicts.refuse();
          return;
        }
        verdicts.accept();
        expect(compiled.text).toBe(input);
        for (const s of subjects) expect(typeof compiled.matches(s)).toBe('boolean');
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth(0.2);
  });

  it('a well-formed filter always compiles, and its negation matches exactly the subjects it does not', () => {
    fc.assert(
      fc.property(filter, fc.array(subject, { minLength: 1, maxLength: 4 }), (input, subjects) => {
        // Only unknown risk levels are refused in a well-formed filter (checked at compile time).
        if (/riskLevel[<>]?=(?!LOW\b|MEDIUM\b|HIGH\b|CRITICAL\b)/i.test(input) || /\(riskLevel~=/i.test(input)) return;
        const compiled = compileFilter(input);
        const negated = compileFilter(`(!${input})`);
        for (const s of subjects) expect(negated.matches(s)).toBe(!compiled.matches(s));
      }),
      PROPERTY_RUNS,
    );
  });
});
