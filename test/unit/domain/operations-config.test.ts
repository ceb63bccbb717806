// The operations configuration file: a partial file merged over the defaults, and every mistake
// refused with the dotted path of the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { DEFAULT_OPERATIONS_CONFIG } from '../../../lambdas/shared/domain/operations.js';
import { parseOperationsConfig } from '../../../lambdas/shared/domain/operations-config.js';

function refusal(input: unknown): ValidationError {
  try {
    parseOperationsConfig(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}
const fieldsOf = (input: unknown) => refusal(input).issues.map((i) => i.field);

describe('parseOperationsConfig', () => {
  it('gives the defaults for an empty file', () => {
    expect(parseOperationsConfig({})).toEqual(DEFAULT_OPERATIONS_CONFIG);
  });

  it('merges a partial file over the defaults, field by field', () => {
    const config = parseOperationsConfig({
      risk: { maxHighRiskPrivileges: 1 },
      compliance: { compliantAt: 90 },
      schedules: { 'risk-assessment': { kind: 'daily', hour: 6, minute: 15 } },
    });
    expect(config.risk).toEqual({ ...DEFAULT_OPERATIONS_CONFIG.risk, maxHighRiskPrivileges: 1 });
    expect(config.compliance).toEqual({ ...DEFAULT_OPERATIONS_CONFIG.compliance, compliantAt: 90 });
    expect(config.schedules).toEqual({ ...DEFAULT_OPERATIONS_CONFIG.schedules, 'risk-assessment': { kind: 'daily', hour: 6, minute: 15 } });
    expect(config.health).toEqual(DEFAULT_OPERATIONS_CONFIG.health);
  });

  it('replaces a default list with the list given', () => {
    const config = parseOperationsConfig({ compliance: { highRiskUserRules: [{ above: 2, penalty: 50 }] } });
    expect(config.compliance.highRiskUserRules).toEqual([{ above: 2, penalty: 50 }]);
    expect(config.compliance.certificationRules).toEqual(DEFAULT_OPERATIONS_CONFIG.compliance.certificationRules);
  });

  it('hands out a copy: changing a parsed config leaves the defaults alone', () => {
    const config = parseOperationsConfig({});
    config.compliance.certificationRules.push({ below: 99, penalty: 1 });
    config.schedules['daily-operations'] = { kind: 'hourly' };
    expect(DEFAULT_OPERATIONS_CONFIG.compliance.certificationRules).toHaveLength(2);
    expect(parseOperationsConfig({}).schedules['daily-operations']).toEqual({ kind: 'daily', hour: 8, minute: 0 });
  });

  it('parses the example file of the repository as given', () => {
    const file = JSON.parse(readFileSync(new URL('../../../examples/operations-config.json', import.meta.url), 'utf8'));
    const config = parseOperationsConfig(file);
    expect(config.risk.toxicCombinations).toHaveLength(2);
    expect(config.recipients).toEqual(['identity-operations@example.com']);
  });

  it('parses every JSON example of docs/reference/operations.md', () => {
    const page = readFileSync(new URL('../../../docs/reference/operations.md', import.meta.url), 'utf8');
    const examples = [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(parseOperationsConfig(example).compliance.compliantAt).toBe(85);
  });

  it.each([
    ['a toxic pair of one privilege', { risk: { toxicCombinations: [{ privileges: ['p-a'] }] } }, 'risk.toxicCombinations.0.privileges'],
    ['a toxic pair of the same privilege twice', { risk: { toxicCombinations: [{ privileges: ['p-a', 'p-a'] }] } }, 'risk.toxicCombinations.0.privileges'],
    ['an empty privilege id', { risk: { toxicCombinations: [{ privileges: ['p-a', ' '] }] } }, 'risk.toxicCombinations.0.privileges.1'],
    [
      'the same pair twice, in either order',
      { risk: { toxicCombinations: [{ privileges: ['p-a', 'p-b'] }, { privileges: ['p-b', 'p-a'] }] } },
      'risk.toxicCombinations.1.privileges',
    ],
    ['an unknown field', { risk: { maxHighRisk: 2 } }, 'risk.maxHighRisk'],
    ['an unknown section', { alerts: {} }, 'alerts'],
    ['a negative count', { risk: { maxHighRiskPrivileges: -1 } }, 'risk.maxHighRiskPrivileges'],
    ['a fractional count', { risk: { maxHighRiskPrivileges: 1.5 } }, 'risk.maxHighRiskPrivileges'],
    ['a threshold above 100', { certification: { completionRateThreshold: 101 } }, 'certification.completionRateThreshold'],
    ['a text where a number goes', { compliance: { compliantAt: '80' } }, 'compliance.compliantAt'],
    [
      'a certification rule the one before it always pre-empts',
      { compliance: { certificationRules: [{ below: 20, penalty: 10 }, { below: 10, penalty: 20 }] } },
      'compliance.certificationRules.1.below',
    ],
    [
      'a high-risk rule the one before it always pre-empts',
      { compliance: { highRiskUserRules: [{ above: 0, penalty: 5 }, { above: 10, penalty: 30 }] } },
      'compliance.highRiskUserRules.1.above',
    ],
    ['an hour of 24', { schedules: { 'daily-operations': { kind: 'daily', hour: 24, minute: 0 } } }, 'schedules.daily-operations.hour'],
    ['a weekday of 7', { schedules: { 'weekly-summary': { kind: 'weekly', weekday: 7, hour: 9, minute: 0 } } }, 'schedules.weekly-summary.weekday'],
    ['an unknown schedule kind', { schedules: { 'risk-assessment': { kind: 'monthly' } } }, 'schedules.risk-assessment.kind'],
    ['a schedule for an unknown job', { schedules: { 'nightly-backup': { kind: 'hourly' } } }, 'schedules.nightly-backup'],
    ['a recipient that is no email address', { recipients: ['ops'] }, 'recipients.0'],
    ['the same recipient twice', { recipients: ['ops@example.com', 'OPS@example.com'] }, 'recipients'],
    ['another version', { version: 2 }, 'version'],
    ['a retention of 0 days', { reportRetentionDays: 0 }, 'reportRetentionDays'],
  ])('refuses %s, naming the field', (_case, input, field) => {
    const error = refusal(input);
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(error.message).toContain(`${field}: `);
  });

  it('names every bad field of a file at once', () => {
    expect(fieldsOf({ risk: { retentionDays: 0 }, health: { heartbeatGraceMinutes: -5 } }).sort()).toEqual([
      'health.heartbeatGraceMinutes',
      'risk.retentionDays',
    ]);
  });

  it.each([null, [], 'config', 42])('refuses %j as a whole file', (input) => {
    expect(fieldsOf(input)).toEqual(['(root)']);
  });
});

describe('the reviewerAnalytics section (campaign reports)', () => {
  it('defaults each field on its own', () => {
    expect(parseOperationsConfig({}).reviewerAnalytics).toEqual({ minItems: 20, minApproveRate: 1, maxMedianSeconds: 5, sessionBreakMinutes: 30 });
    expect(parseOperationsConfig({ reviewerAnalytics: { minApproveRate: 0.95 } }).reviewerAnalytics).toEqual({
      minItems: 20,
      minApproveRate: 0.95,
      maxMedianSeconds: 5,
      sessionBreakMinutes: 30,
    });
  });

  it.each([
    [{ minItems: 0 }, 'reviewerAnalytics.minItems', 'must be at least 1'],
    [{ minItems: 2.5 }, 'reviewerAnalytics.minItems', 'must be a whole number'],
    [{ minApproveRate: 100 }, 'reviewerAnalytics.minApproveRate', 'must be at most 1 (a rate: 1 is 100 %)'],
    [{ maxMedianSeconds: -1 }, 'reviewerAnalytics.maxMedianSeconds', 'must be at least 0'],
    [{ sessionBreakMinutes: 0 }, 'reviewerAnalytics.sessionBreakMinutes', 'must be more than 0'],
    [{ minItem: 3 }, 'reviewerAnalytics.minItem', 'unknown field'],
  ])('refuses %j, naming %s', (section, field, message) => {
    expect(refusal({ reviewerAnalytics: section }).issues).toEqual([{ field, message }]);
  });
});
