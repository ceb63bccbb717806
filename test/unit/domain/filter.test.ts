import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import {
  compileFilter,
  privilegeFilterSubject,
  userFilterSubject,
  type FilterSubject,
} from '../../../lambdas/shared/domain/filter.js';
import type { Privilege, User } from '../../../lambdas/shared/domain/model.js';

const ana: User = {
  id: 'u-ana',
  displayName: 'Ana Álvarez',
  email: 'ana@example.com',
  managerId: 'u-boss',
  department: 'Finance',
  status: 'ACTIVE',
  riskLevel: 'HIGH',
  attributes: {
    costCenter: 4200,
    title: '  Finance   Admin (EU) ',
    hireDate: '2021-03-15',
    groups: ['Payroll', 'Treasury'],
    contractor: false,
    // Clashes with the top-level field: the field wins for `department`, `attributes.department` reads this.
    Department: 'Sales',
    note: 'star*power',
    location: 'Zürich',
    badge: '🙂 smile',
  },
};

const bob: User = {
  id: 'u-bob',
  displayName: 'Bob Brown',
  email: 'bob@example.com',
  department: 'Engineering',
  status: 'DISABLED',
  riskLevel: 'LOW',
  attributes: { costCenter: '950', hireDate: '2024-11-02T08:00:00Z', groups: [] },
};

/** No manager, no department, no risk level, no attributes; a department only among attributes. */
const cleo: User = {
  id: 'u-cleo',
  displayName: 'Cleo',
  email: 'cleo@example.com',
  status: 'ACTIVE',
  attributes: { department: 'Finance', riskLevel: 'CRITICAL' },
};

const financeAdmin: Privilege = {
  id: 'p-fin-admin',
  name: 'FinanceAdmin',
  ownerIds: ['u-owner1', 'u-owner2'],
  riskLevel: 'CRITICAL',
  attributes: { application: 'SAP', sensitivity: 3 },
};

const readOnly: Privilege = { id: 'p-ro', name: 'ReadOnly', ownerIds: [], riskLevel: 'LOW' };

const A = userFilterSubject(ana);
const B = userFilterSubject(bob);
const C = userFilterSubject(cleo);

const cases: [filter: string, expected: boolean, subject: FilterSubject][] = [
  // The reference's example and equality semantics
  ['(&(department=Finance)(riskLevel>=HIGH))', true, A],
  ['(&(department=Finance)(riskLevel>=HIGH))', false, B],
  ['(department=finance)', true, A],
  ['(DEPARTMENT=FINANCE)', true, A],
  ['(department= Finance )', true, A],
  ['(department=Fin)', false, A],
  ['(title=finance admin (EU))'.replace('(EU)', '\\28EU\\29'), true, A],
  ['(title=Finance Admin \\28eu\\29)', true, A],
  ['(id=u-ana)', true, A],
  ['(email=ANA@example.com)', true, A],
  ['(managerId=u-boss)', true, A],
  ['(status=active)', true, A],
  ['(status=ACTIVE)', false, B],
  ['(displayName=ana álvarez)', true, A],
  ['(displayName=Ana \\c3\\81lvarez)', true, A],
  ['(location=zürich)', true, A],
  // top-level wins; attributes reachable both ways
  ['(department=Sales)', false, A],
  ['(attributes.department=Sales)', true, A],
  ['(Attributes.CostCenter=4200)', true, A],
  ['(costCenter=4200)', true, A],
  // a missing top-level field lets the attribute of the same name through
  ['(department=Finance)', true, C],
  ['(riskLevel>=HIGH)', true, C],
  // presence
  ['(managerId=*)', true, A],
  ['(managerId=*)', false, C],
  ['(groups=*)', false, B],
  ['(contractor=*)', true, A],
  ['(riskLevel=*)', false, userFilterSubject({ ...cleo, attributes: {} })],
  // substrings
  ['(displayName=Ana*)', true, A],
  ['(displayName=*lvarez)', true, A],
  ['(displayName=*ÁLV*)', true, A],
  ['(title=Fin*Ad*)', true, A],
  ['(title=Fin*Ad*EU*)', true, A],
  ['(title=Fin*EU*Ad*)', false, A],
  ['(title=*admin*)', true, A],
  ['(title=Finance *)', true, A],
  ['(displayName=Ana*Ana)', false, userFilterSubject({ ...bob, displayName: 'Ana' })],
  ['(displayName=An*na)', true, userFilterSubject({ ...bob, displayName: 'Anna' })],
  ['(note=star\\2a*)', true, A],
  ['(note=star\\2apower)', true, A],
  ['(note=starpower)', false, A],
  ['(badge=🙂*)', true, A],
  ['(badge=\\f0\\9f\\99\\82 smile)', true, A],
  ['(department=Fin*)', true, C],
  ['(department=Fin*)', false, userFilterSubject({ ...cleo, attributes: {} })],
  // approximate
  ['(title~=financeadmin(eu))'.replace('(eu)', '\\28eu\\29'), true, A],
  ['(displayName~=bobbrown)', true, B],
  ['(displayName~=bob brow)', false, B],
  // risk ordering
  ['(riskLevel>=MEDIUM)', true, A],
  ['(riskLevel>=high)', true, A],
  ['(riskLevel>=CRITICAL)', false, A],
  ['(riskLevel<=HIGH)', true, A],
  ['(riskLevel<=MEDIUM)', false, A],
  ['(riskLevel<=LOW)', true, B],
  ['(riskLevel>=LOW)', false, userFilterSubject({ ...bob, riskLevel: undefined })],
  ['(riskLevel=high)', true, A],
  ['(riskLevel>=LOW)', false, { riskLevel: 'SEVERE' }],
  // numeric and text ordering
  ['(costCenter>=1000)', true, A],
  ['(costCenter>=1000)', false, B],
  ['(costCenter<=950)', true, B],
  ['(costCenter>=950.0)', true, B],
  ['(costCenter>=-5)', true, B],
  ['(hireDate>=2024-01-01)', false, A],
  ['(hireDate>=2024-01-01)', true, B],
  ['(hireDate<=2021-03-15)', true, A],
  ['(displayName>=b)', true, B],
  ['(displayName>=B)', false, A],
  ['(displayName<=bz)', true, B],
  // multi-valued
  ['(groups=treasury)', true, A],
  ['(groups=Pay*)', true, A],
  ['(groups=HR)', false, A],
  ['(groups>=T)', true, A],
  // booleans
  ['(contractor=FALSE)', true, A],
  ['(contractor=true)', false, A],
  // missing attributes never match, except under NOT
  ['(department=Finance)', false, userFilterSubject({ ...bob, department: undefined })],
  ['(!(department=Finance))', true, userFilterSubject({ ...bob, department: undefined })],
  ['(!(managerId=*))', true, C],
  ['(nonexistent>=0)', false, A],
  ['(nonexistent<=zzz)', false, A],
  // nesting
  ['(|(department=Engineering)(riskLevel>=CRITICAL))', false, A],
  ['(|(department=Engineering)(riskLevel>=CRITICAL))', true, B],
  ['(&(|(department=Finance)(department=Engineering))(!(status=DISABLED)))', true, A],
  ['(&(|(department=Finance)(department=Engineering))(!(status=DISABLED)))', false, B],
  ['(!(!(id=u-ana)))', true, A],
  ['(&(id=*)(|(riskLevel>=HIGH)(&(costCenter<=1000)(hireDate>=2024-01-01))))', true, B],
  // whitespace between conditions and a bare condition are accepted
  ['  (&\n  (department=Finance)\n  (riskLevel>=HIGH)\n)  ', true, A],
  ['( | ( id = u-bob ) ( id = u-ana ) )', true, A],
  ['department=Finance', true, A],
  // a ":=" inside a value is a value, not an extensible match
  ['(note=a:=b)', true, { note: 'A:=B' }],
  // plain subjects: blank values are absent, keys are case-insensitive
  ['(x=*)', false, { x: '  ' }],
  ['(x=*)', false, { x: null }],
  ['(X=1)', true, { x: 1 }],
  ['(x=1)', true, { X: [2, 1] }],
];

describe('compileFilter / matches', () => {
  it.each(cases)('%s → %s', (filter, expected, subject) => {
    expect(compileFilter(filter).matches(subject)).toBe(expected);
  });

  it('selects the population of the reference example from a directory', () => {
    const finance = compileFilter('(&(department=Finance)(riskLevel>=HIGH))');
    const selected = [ana, bob, cleo].filter((u) => finance.matches(userFilterSubject(u))).map((u) => u.id);
    expect(selected).toEqual(['u-ana', 'u-cleo']);
  });

  it('keeps the text and lists the attributes it reads', () => {
    const compiled = compileFilter('(&(Department=Finance)(!(riskLevel<=LOW))(attributes.costCenter=*)(department=X))');
    expect(compiled.text).toBe('(&(Department=Finance)(!(riskLevel<=LOW))(attributes.costCenter=*)(department=X))');
    expect(compiled.attributes).toEqual(['department', 'risklevel', 'attributes.costcenter']);
  });
});

describe('privilege filters', () => {
  const P = privilegeFilterSubject(financeAdmin);
  const R = privilegeFilterSubject(readOnly);
  it.each<[filter: string, expected: boolean, subject: FilterSubject]>([
    ['(name=FinanceAdmin)', true, P],
    ['(name=financeadmin)', true, P],
    ['(name=Finance*)', true, P],
    ['(name=Finance*)', false, R],
    ['(&(name=FinanceAdmin)(riskLevel>=MEDIUM))', true, P],
    ['(riskLevel>=MEDIUM)', false, R],
    ['(ownerIds=u-owner2)', true, P],
    ['(ownerIds=*)', false, R],
    ['(application=sap)', true, P],
    ['(attributes.sensitivity>=2)', true, P],
    ['(sensitivity>=10)', false, P],
    ['(id=p-ro)', true, R],
    ['(displayName=*)', false, P],
  ])('%s → %s', (filter, expected, subject) => {
    expect(compileFilter(filter, 'resources.filter').matches(subject)).toBe(expected);
  });

  it('exposes the fields and attributes of a privilege', () => {
    expect(P).toEqual({
      id: 'p-fin-admin',
      name: 'FinanceAdmin',
      ownerIds: ['u-owner1', 'u-owner2'],
      riskLevel: 'CRITICAL',
      application: 'SAP',
      'attributes.application': 'SAP',
      sensitivity: 3,
      'attributes.sensitivity': 3,
    });
  });
});

describe('userFilterSubject', () => {
  it('exposes fields first, attributes under both names, and never lets an attribute shadow a field', () => {
    const subject = userFilterSubject({
      id: 'u1',
      displayName: 'U',
      email: 'u@example.com',
      status: 'ACTIVE',
      department: 'Finance',
      attributes: { DEPARTMENT: 'Sales', id: 'spoof', level: 3 },
    });
    expect(subject).toEqual({
      id: 'u1',
      displayName: 'U',
      email: 'u@example.com',
      status: 'ACTIVE',
      department: 'Finance',
      'attributes.DEPARTMENT': 'Sales',
      'attributes.id': 'spoof',
      level: 3,
      'attributes.level': 3,
    });
    expect(compileFilter('(id=spoof)').matches(subject)).toBe(false);
    expect(compileFilter('(attributes.id=spoof)').matches(subject)).toBe(true);
  });
});

describe('compileFilter errors', () => {
  const errors: [filter: string, message: string][] = [
    ['', 'subjects.filter: must not be empty'],
    ['   ', 'subjects.filter: must not be empty'],
    [
      '(&(department=Finance)(riskLevel>=HIGH)',
      'subjects.filter: unbalanced parentheses at character 1 of "(&(department=Finance)(riskLevel>=HIGH)": this "(" is never closed',
    ],
    ['(&(department=Finance)(riskLevel>=HIGH', 'unbalanced parentheses at character 23 '],
    ['(department=Finance))', 'unbalanced parentheses at character 21 of "(department=Finance))": this ")" has no matching "("'],
    ['department=Finance)', 'this ")" has no matching "("'],
    ['(!(department=Finance)', 'unbalanced parentheses at character 1 '],
    ['(a=b)(c=d)', 'unexpected text after the end of the filter at character 6'],
    ['(riskLevel>=HUGE)', 'unknown risk level "HUGE" at character 2 of "(riskLevel>=HUGE)": use LOW, MEDIUM, HIGH or CRITICAL'],
    ['(riskLevel<=medium-ish)', 'unknown risk level "MEDIUM-ISH"'],
    ['(riskLevel=SEVERE)', 'unknown risk level "SEVERE"'],
    ['(&(department=Finance)(RISKLEVEL~=Hi))', 'unknown risk level "HI" at character 24'],
    ['(cn:dn:=John)', 'extensible match (:=) is not supported at character 4'],
    ['(cn:=John)', 'extensible match (:=) is not supported'],
    ['(:caseExactMatch:=John)', 'extensible match (:=) is not supported'],
    ['(&)', '"&" needs at least one condition'],
    ['(|)', '"|" needs at least one condition'],
    ['(!(a=b)(c=d))', '"!" takes exactly one condition at character 8'],
    ['(!a=b)', 'expected "(" after "!"'],
    ['(&(a=b)c=d)', 'expected "(" to start a condition inside "&" at character 8'],
    ['(a=)', 'missing value after "a=" at character 4 of "(a=)": to test that the attribute is present, write (a=*)'],
    ['(a>= )', 'missing value after "a>="'],
    ['(=b)', 'missing attribute name at character 2'],
    ['(cost center=1)', 'expected =, ~=, >= or <= after the attribute name "cost" at character 7'],
    ['(a$=1)', 'expected =, ~=, >= or <= after the attribute name "a"'],
    ['(a!=1)', 'expected =, ~=, >= or <= after the attribute name "a"'],
    ['(cn=a(b))', 'unescaped "(" in a value at character 6'],
    ['(cn=a\\)', 'invalid escape at character 6'],
    ['(cn=a\\zz)', 'invalid escape at character 6'],
    ['(cn=a\\2)', 'invalid escape'],
    ['(cn>=a*)', '"*" is only allowed with "=" at character 7'],
    ['(cn~=*)', '"*" is only allowed with "="'],
    ['(cn=\\c3)', 'escaped bytes are not valid UTF-8'],
  ];

  it.each(errors)('%j → %s', (filter, message) => {
    let caught: unknown;
    try {
      compileFilter(filter);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('VALIDATION');
    expect(error.field).toBe('subjects.filter');
    expect(error.message).toContain(message);
  });

  it('names the field it is given', () => {
    expect(() => compileFilter('(a=b', 'resources.filter')).toThrow(
      /^resources\.filter: unbalanced parentheses at character 1 of "\(a=b": this "\(" is never closed$/,
    );
  });

  it('shows an excerpt around the problem in a long filter', () => {
    const long = `(&${'(department=Finance)'.repeat(8)}(riskLevel>=HUGE))`;
    expect(() => compileFilter(long)).toThrow(/at character 164 of "….*\(riskLevel>=HUGE\)\)": use LOW/);
  });
});
