import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import {
  campaignDefinitionSchema,
  decisionInputSchema,
  directoryFileSchema,
  isoInstant,
  parseInput,
} from '../../../lambdas/shared/domain/schemas.js';
import { aCampaignFile } from '../../support/fixtures.js';

/** The ValidationError that parsing throws (fails the test if it parses). */
function failure(schema: z.ZodType, value: unknown, prefix?: string): ValidationError {
  try {
    parseInput(schema, value, prefix);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}
const fields = (schema: z.ZodType, value: unknown, prefix?: string) => failure(schema, value, prefix).issues.map((i) => i.field);
const distinctFields = (schema: z.ZodType, value: unknown) => [...new Set(fields(schema, value))];

describe('isoInstant', () => {
  it.each([
    ['2026-07-01', '2026-07-01T00:00:00.000Z'],
    ['2026-07-01T10:15:00Z', '2026-07-01T10:15:00.000Z'],
    ['2026-07-01T10:15:00.250Z', '2026-07-01T10:15:00.250Z'],
    ['2026-07-01T10:15:00+02:00', '2026-07-01T08:15:00.000Z'],
    ['2026-07-01T00:30:00-05:00', '2026-07-01T05:30:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
  ])('normalises %s to the instant %s', (text, instant) => {
    expect(parseInput(isoInstant, text)).toBe(instant);
  });

  it.each([
    ['words', 'tomorrow'],
    ['no offset (ambiguous local time)', '2026-07-01T10:15:00'],
    ['a month 13', '2026-13-01'],
    ['a day 32', '2026-01-32'],
    ['a US date', '07/01/2026'],
    ['an empty string', ''],
    ['an impossible date-time', '2026-02-30T00:00:00Z'],
  ])('refuses %s', (_, text) => {
    expect(isoInstant.safeParse(text).success).toBe(false);
  });

  // A plain date must be a real calendar day: Date.parse rolls 2026-02-30 over to 2026-03-02.
  it.each(['2026-02-30', '2026-02-31', '2026-04-31', '2027-02-29'])('refuses the impossible calendar date %s', (text) => {
    expect(isoInstant.safeParse(text).success).toBe(false);
  });

  it('names the field and says which formats are accepted', () => {
    const error = failure(isoInstant, 'soon', 'dueDate');
    expect(error.issues[0]).toEqual({ field: 'dueDate', message: expect.stringContaining('YYYY-MM-DD') });
  });

  // A malformed date is one problem: a second "is not a real date" for the same field is noise.
  it('reports a malformed date once', () => {
    expect(failure(isoInstant, 'soon', 'dueDate').issues).toHaveLength(1);
  });
});

describe('campaignDefinitionSchema', () => {
  it('accepts a minimal file, normalising dates and defaulting nothing it should not', () => {
    const file = parseInput(campaignDefinitionSchema, aCampaignFile({ dueDate: '2026-07-20T12:00:00+02:00' }));
    expect(file).toEqual({
      name: 'Finance high-risk users',
      kind: 'USER',
      ownerId: 'u-owner',
      startDate: '2026-07-01T00:00:00.000Z',
      approvalPeriodDays: 14,
      dueDate: '2026-07-20T10:00:00.000Z',
      subjects: { filter: '(&(department=Finance)(riskLevel>=HIGH))' },
      revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
    });
  });

  it('accepts a complete file', () => {
    const file = parseInput(
      campaignDefinitionSchema,
      aCampaignFile({
        description: 'Quarterly review',
        kind: 'PRIVILEGE',
        statusExpirationDate: '2026-09-01',
        resources: { filter: '(riskLevel>=MEDIUM)' },
        reminders: { daysBeforeDue: 3, intervalHours: 24 },
        recurrence: { intervalDays: 90 },
        hooks: { findApprovers: 'arn:aws:lambda:eu-west-1:123456789012:function:approvers' },
        notifications: { APPROVAL_START: { subject: 'Review {{campaignName}}' }, CAMPAIGN_END: { active: false } },
      }),
    );
    expect(file.statusExpirationDate).toBe('2026-09-01T00:00:00.000Z');
    expect(file.notifications).toEqual({ APPROVAL_START: { subject: 'Review {{campaignName}}' }, CAMPAIGN_END: { active: false } });
  });

  it('accepts WORKFLOW for each revocation setting, beside KEEP and REMOVE', () => {
    const revocation = { rejected: 'WORKFLOW', modified: 'KEEP', uncertified: 'WORKFLOW' };
    expect(parseInput(campaignDefinitionSchema, aCampaignFile({ revocation })).revocation).toEqual(revocation);
    expect(parseInput(campaignDefinitionSchema, aCampaignFile({ revocation: { rejected: 'REMOVE', modified: 'WORKFLOW', uncertified: 'KEEP' } })).revocation.modified).toBe('WORKFLOW');
  });

  it('trims the name', () => {
    expect(parseInput(campaignDefinitionSchema, aCampaignFile({ name: '  Finance  ' })).name).toBe('Finance');
  });

  it('lets a file leave out the subjects and the approval period (checked at start)', () => {
    const { subjects: _s, approvalPeriodDays: _a, ...rest } = aCampaignFile();
    const file = parseInput(campaignDefinitionSchema, rest);
    expect(file.subjects).toEqual({});
    expect(file.approvalPeriodDays).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown revocation action', { revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'DELETE' } }, 'revocation.uncertified'],
    ['a missing revocation setting', { revocation: { rejected: 'REMOVE', modified: 'KEEP' } }, 'revocation.uncertified'],
    ['missing revocation settings', { revocation: undefined }, 'revocation'],
    ['an unknown kind', { kind: 'GROUP' }, 'kind'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a too long name', { name: 'x'.repeat(201) }, 'name'],
    ['an empty owner', { ownerId: '' }, 'ownerId'],
    ['a missing owner', { ownerId: undefined }, 'ownerId'],
    ['a bad start date', { startDate: 'next monday' }, 'startDate'],
    ['a bad due date', { dueDate: '2026-7-1' }, 'dueDate'],
    ['a bad status expiration date', { statusExpirationDate: 12 }, 'statusExpirationDate'],
    ['a fractional approval period', { approvalPeriodDays: 1.5 }, 'approvalPeriodDays'],
    ['a zero approval period', { approvalPeriodDays: 0 }, 'approvalPeriodDays'],
    ['an approval period as text', { approvalPeriodDays: '14' }, 'approvalPeriodDays'],
    ['a subject filter that is not text', { subjects: { filter: 42 } }, 'subjects.filter'],
    ['a zero reminder interval', { reminders: { daysBeforeDue: 3, intervalHours: 0 } }, 'reminders.intervalHours'],
    ['negative reminder days', { reminders: { daysBeforeDue: -1, intervalHours: 24 } }, 'reminders.daysBeforeDue'],
    ['a missing reminder interval', { reminders: { daysBeforeDue: 3 } }, 'reminders.intervalHours'],
    ['a zero recurrence interval', { recurrence: { intervalDays: 0 } }, 'recurrence.intervalDays'],
    ['a fractional recurrence interval', { recurrence: { intervalDays: 7.5 } }, 'recurrence.intervalDays'],
    ['a hook that is not text', { hooks: { findSubjects: true } }, 'hooks.findSubjects'],
    ['an empty template subject', { notifications: { APPROVAL_START: { subject: '' } } }, 'notifications.APPROVAL_START.subject'],
    ['a template flag that is not boolean', { notifications: { CAMPAIGN_END: { active: 'no' } } }, 'notifications.CAMPAIGN_END.active'],
  ])('refuses %s', (_, patch, field) => {
    expect(distinctFields(campaignDefinitionSchema, aCampaignFile(patch))).toEqual([field]);
  });

  it('refuses a template for an unknown notification kind, naming it', () => {
    const error = failure(campaignDefinitionSchema, aCampaignFile({ notifications: { APPROVAL_NAG: { subject: 'x' } } }));
    expect(error.issues).toEqual([{ field: 'notifications.APPROVAL_NAG', message: 'unknown field' }]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['at the top level', { owner: 'u-owner' }, 'owner'],
    ['in subjects', { subjects: { filter: '(a=b)', query: 'x' } }, 'subjects.query'],
    ['in revocation', { revocation: { rejected: 'KEEP', modified: 'KEEP', uncertified: 'KEEP', expired: 'KEEP' } }, 'revocation.expired'],
    ['in reminders', { reminders: { daysBeforeDue: 3, intervalHours: 24, every: 2 } }, 'reminders.every'],
    ['in hooks', { hooks: { findOwners: 'x' } }, 'hooks.findOwners'],
    ['in a template', { notifications: { APPROVAL_START: { subject: 'x', html: '<b>' } } }, 'notifications.APPROVAL_START.html'],
  ])('refuses an unknown field %s, naming it', (_, patch, field) => {
    const error = failure(campaignDefinitionSchema, aCampaignFile(patch));
    expect(error.issues).toEqual([{ field, message: 'unknown field' }]);
  });

  it('names every bad field in one error', () => {
    const error = failure(
      campaignDefinitionSchema,
      aCampaignFile({ kind: 'GROUP', startDate: 'soon', revocation: { rejected: 'REMOVE', modified: 'MAYBE', uncertified: 'KEEP' } }),
    );
    expect([...new Set(error.issues.map((i) => i.field))].sort()).toEqual(['kind', 'revocation.modified', 'startDate']);
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('revocation.modified: ');
    expect(error.message).toContain('startDate: ');
  });

  it('refuses something that is not an object', () => {
    expect(fields(campaignDefinitionSchema, 'campaign')).toEqual(['(root)']);
  });

  it('refuses an impossible calendar due date', () => {
    expect(fields(campaignDefinitionSchema, aCampaignFile({ dueDate: '2026-02-30' }))).toEqual(['dueDate']);
  });
});

describe('directoryFileSchema', () => {
  const directory = (overrides: Record<string, unknown> = {}) => ({
    users: [
      { id: 'u-alice', displayName: 'Alice', email: 'alice@example.com', managerId: 'u-bob', riskLevel: 'HIGH' },
      { id: 'u-bob', displayName: 'Bob', email: 'bob@example.com', status: 'DISABLED', attributes: { costCenter: 42, tags: ['a'] } },
    ],
    privileges: [{ id: 'p-payroll', name: 'Payroll', ownerIds: ['u-bob'], riskLevel: 'CRITICAL' }],
    assignments: [
      { userId: 'u-alice', privilegeId: 'p-payroll', origin: 'MANUAL', endDate: '2026-12-31', parameters: { project: 'apollo' } },
      { userId: 'u-bob', privilegeId: 'p-payroll', origin: 'RULE', approvedAt: '2025-01-02T03:04:05+01:00', approvedBy: 'u-owner' },
    ],
    ...overrides,
  });

  it('accepts a directory, defaulting status and lists and normalising dates', () => {
    const parsed = parseInput(directoryFileSchema, directory());
    expect(parsed.users[0]!.status).toBe('ACTIVE');
    expect(parsed.users[1]!.status).toBe('DISABLED');
    expect(parsed.assignments[0]!.endDate).toBe('2026-12-31T00:00:00.000Z');
    expect(parsed.assignments[1]!.approvedAt).toBe('2025-01-02T02:04:05.000Z');
    expect(parseInput(directoryFileSchema, {})).toEqual({ users: [], privileges: [], assignments: [] });
    expect(parseInput(directoryFileSchema, { privileges: [{ id: 'p', name: 'P' }] }).privileges[0]!.ownerIds).toEqual([]);
  });

  const users = directory().users;
  const assignments = directory().assignments;
  it.each<[string, Record<string, unknown>, string]>([
    ['a bad email', { users: [{ ...users[0], email: 'alice-at-example' }] }, 'users.0.email'],
    ['a missing display name', { users: [users[0], { ...users[1], displayName: '' }] }, 'users.1.displayName'],
    ['an unknown risk level', { users: [{ ...users[0], riskLevel: 'EXTREME' }] }, 'users.0.riskLevel'],
    ['an unknown status', { users: [{ ...users[0], status: 'LOCKED' }] }, 'users.0.status'],
    ['an attribute of a bad type', { users: [{ ...users[0], attributes: { nested: { a: 1 } } }] }, 'users.0.attributes.nested'],
    ['an unknown user field', { users: [{ ...users[0], mail: 'x@example.com' }] }, 'users.0.mail'],
    ['an empty owner id', { privileges: [{ id: 'p', name: 'P', ownerIds: ['u-bob', ' '] }] }, 'privileges.0.ownerIds.1'],
    ['an unknown origin', { assignments: [assignments[0], { ...assignments[1], origin: 'AUTOMATIC' }] }, 'assignments.1.origin'],
    ['a bad end date', { assignments: [{ ...assignments[0], endDate: '31/12/2026' }] }, 'assignments.0.endDate'],
    ['a parameter that is not text', { assignments: [{ ...assignments[0], parameters: { level: 3 } }] }, 'assignments.0.parameters.level'],
    ['an unknown top-level list', { groups: [] }, 'groups'],
    ["a user id with '#'", { users: [{ ...users[0], id: 'u#alice' }, users[1]] }, 'users.0.id'],
    ["a privilege id with '#'", { privileges: [{ id: 'p#1', name: 'P' }] }, 'privileges.0.id'],
    ["an assignment's privilege id with '#'", { assignments: [{ ...assignments[0], privilegeId: 'p-payroll#2' }] }, 'assignments.0.privilegeId'],
  ])('refuses %s', (_, patch, field) => {
    expect(distinctFields(directoryFileSchema, directory(patch))).toEqual([field]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['user', { users: [users[0], users[1], { ...users[0], displayName: 'Other Alice' }] }, 'users.2'],
    ['privilege', { privileges: [{ id: 'p', name: 'P' }, { id: 'p', name: 'Q' }] }, 'privileges.1'],
    ['assignment', { assignments: [assignments[0], assignments[1], { ...assignments[0], origin: 'RULE' }] }, 'assignments.2'],
  ])('refuses a duplicate %s, naming the second one', (_, patch, field) => {
    const error = failure(directoryFileSchema, directory(patch));
    expect(error.issues).toEqual([{ field, message: expect.stringContaining('duplicate') }]);
  });
});

describe('decisionInputSchema', () => {
  it.each([
    [{ itemId: 'p-1', outcome: 'APPROVE' }],
    [{ itemId: 'p-1', outcome: 'REJECT', comment: 'left the team' }],
    [{ itemId: 'p-1', outcome: 'MODIFY', parameters: { project: 'gemini' } }],
    // null removes the parameter from the assignment.
    [{ itemId: 'p-1', outcome: 'MODIFY', parameters: { project: null, site: 'Paris' } }],
  ])('accepts %j', (input) => {
    expect(parseInput(decisionInputSchema, input)).toEqual(input);
  });

  it('normalises a new end date and keeps a removed one (null)', () => {
    expect(parseInput(decisionInputSchema, { itemId: 'p-1', outcome: 'MODIFY', endDate: '2026-09-30' }).endDate).toBe(
      '2026-09-30T00:00:00.000Z',
    );
    expect(parseInput(decisionInputSchema, { itemId: 'p-1', outcome: 'MODIFY', endDate: null }).endDate).toBeNull();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing item id', { outcome: 'APPROVE' }, 'itemId'],
    ['a blank item id', { itemId: '  ', outcome: 'APPROVE' }, 'itemId'],
    ['an unknown outcome', { itemId: 'p-1', outcome: 'MAYBE' }, 'outcome'],
    ['a MODIFY that changes nothing', { itemId: 'p-1', outcome: 'MODIFY' }, 'outcome'],
    ['an APPROVE with an end date', { itemId: 'p-1', outcome: 'APPROVE', endDate: '2026-09-30' }, 'outcome'],
    ['a REJECT with parameters', { itemId: 'p-1', outcome: 'REJECT', parameters: { a: 'b' } }, 'outcome'],
    ['a bad end date', { itemId: 'p-1', outcome: 'MODIFY', endDate: 'never' }, 'endDate'],
    ['a too long comment', { itemId: 'p-1', outcome: 'APPROVE', comment: 'x'.repeat(2001) }, 'comment'],
    ['an unknown field', { itemId: 'p-1', outcome: 'APPROVE', decidedBy: 'u-x' }, 'decidedBy'],
  ])('refuses %s', (_, input, field) => {
    expect(distinctFields(decisionInputSchema, input)).toEqual([field]);
  });

  // An empty parameters object changes nothing either, yet would count as "modified" in the report.
  it('refuses a MODIFY whose only change is an empty parameters object', () => {
    expect(distinctFields(decisionInputSchema, { itemId: 'p-1', outcome: 'MODIFY', parameters: {} })).toEqual(['outcome']);
  });

  it('refuses a parameter without a name, and a value that is neither text nor null', () => {
    expect(failure(decisionInputSchema, { itemId: 'p-1', outcome: 'MODIFY', parameters: { '': 'x' } }).message).toMatch(/a parameter name must not be empty/);
    expect(distinctFields(decisionInputSchema, { itemId: 'p-1', outcome: 'MODIFY', parameters: { project: 7 } })).toEqual(['parameters.project']);
  });

  it('says why a MODIFY without changes is refused', () => {
    expect(failure(decisionInputSchema, { itemId: 'p-1', outcome: 'MODIFY' }).message).toBe('outcome: MODIFY needs an endDate or parameters');
  });

  it('prefixes fields with where the input came from', () => {
    const error = failure(decisionInputSchema, { outcome: 'MAYBE' }, 'decisions.2');
    expect(error.issues.map((i) => i.field).sort()).toEqual(['decisions.2.itemId', 'decisions.2.outcome']);
    expect(error.message).toContain('decisions.2.itemId: ');
  });
});
