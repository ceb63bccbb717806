import { describe, expect, it } from 'vitest';
import { validateForStart } from '../../../lambdas/shared/domain/campaign-start.js';
import type { CampaignLog } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, at, DUE, START } from '../../support/fixtures.js';

const NOW = START;
const EXPIRES = '2026-09-01T00:00:00.000Z';

const errors = (logs: CampaignLog[]) => logs.filter((l) => l.level === 'ERROR');
const errorFields = (logs: CampaignLog[]) => errors(logs).map((l) => l.field);

describe('validateForStart', () => {
  it('accepts a complete definition, computes the due date and logs nothing', () => {
    const result = validateForStart(aCampaign({ statusExpirationDate: EXPIRES }), at(NOW), true);
    expect(result).toEqual({ ok: true, logs: [], dueDate: DUE });
  });

  it('fails on a missing approval period, naming approvalPeriodDays', () => {
    const result = validateForStart(aCampaign({ approvalPeriodDays: undefined, statusExpirationDate: EXPIRES }), at(NOW), true);
    expect(result.ok).toBe(false);
    expect(errors(result.logs)).toEqual([
      { at: NOW, level: 'ERROR', message: 'approval period is missing', field: 'approvalPeriodDays' },
    ]);
    expect(result.dueDate).toBeUndefined();
  });

  it('requires the approval period even when a due date is given', () => {
    const campaign = aCampaign({ approvalPeriodDays: undefined, dueDate: '2026-07-20T00:00:00.000Z', statusExpirationDate: EXPIRES });
    const result = validateForStart(campaign, at(NOW), true);
    expect(errorFields(result.logs)).toEqual(['approvalPeriodDays']);
    expect(result.dueDate).toBe('2026-07-20T00:00:00.000Z');
  });

  it('computes an empty due date as start + approval period', () => {
    const campaign = aCampaign({ startDate: '2026-07-01T09:30:00.000Z', approvalPeriodDays: 30, statusExpirationDate: EXPIRES });
    expect(validateForStart(campaign, at(NOW), true).dueDate).toBe('2026-07-31T09:30:00.000Z');
  });

  it('keeps an explicit due date', () => {
    const campaign = aCampaign({ dueDate: '2026-07-08T12:00:00.000Z', statusExpirationDate: EXPIRES });
    const result = validateForStart(campaign, at(NOW), true);
    expect(result.ok).toBe(true);
    expect(result.dueDate).toBe('2026-07-08T12:00:00.000Z');
  });

  it('refuses a due date that is not after the start date', () => {
    const result = validateForStart(aCampaign({ dueDate: START, statusExpirationDate: EXPIRES }), at('2026-06-30T00:00:00.000Z'), true);
    expect(errorFields(result.logs)).toEqual(['dueDate']);
    expect(errors(result.logs)[0]!.message).toContain('not after the start date');
  });

  it('refuses a due date that has already passed at start time', () => {
    const result = validateForStart(aCampaign({ statusExpirationDate: EXPIRES }), at('2026-07-16T00:00:00.000Z'), true);
    expect(result.ok).toBe(false);
    expect(errorFields(result.logs)).toEqual(['dueDate']);
    expect(errors(result.logs)[0]!.message).toBe(`due date ${DUE} has already passed`);
  });

  it('refuses a due date equal to now (nothing left to run)', () => {
    expect(validateForStart(aCampaign({ statusExpirationDate: EXPIRES }), at(DUE), true).ok).toBe(false);
  });

  it('warns, but starts, without a status expiration date', () => {
    const result = validateForStart(aCampaign(), at(NOW), true);
    expect(result.ok).toBe(true);
    expect(result.logs).toEqual([
      expect.objectContaining({ at: NOW, level: 'WARN', field: 'statusExpirationDate' }),
    ]);
  });

  it.each([
    ['equal to', DUE],
    ['before', '2026-07-10T00:00:00.000Z'],
  ])('refuses a status expiration date %s the due date', (_, statusExpirationDate) => {
    const result = validateForStart(aCampaign({ statusExpirationDate }), at(NOW), true);
    expect(result.ok).toBe(false);
    expect(errorFields(result.logs)).toEqual(['statusExpirationDate']);
    expect(errors(result.logs)[0]!.message).toContain(DUE);
  });

  it('compares the status expiration date with an explicit due date', () => {
    const campaign = aCampaign({ dueDate: '2026-08-01T00:00:00.000Z', statusExpirationDate: '2026-07-20T00:00:00.000Z' });
    expect(errorFields(validateForStart(campaign, at(NOW), true).logs)).toEqual(['statusExpirationDate']);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a %s subject filter without a findSubjects hook', (_, filter) => {
    const result = validateForStart(aCampaign({ subjects: { filter }, statusExpirationDate: EXPIRES }), at(NOW), true);
    expect(result.ok).toBe(false);
    expect(errorFields(result.logs)).toEqual(['subjects.filter']);
    expect(errors(result.logs)[0]!.message).toContain('findSubjects');
  });

  // Hooks are not supported yet (campaign-start.ts): each one is refused by name, and a findSubjects
  // hook still stands in for the subject filter, so the owner is not also told to write a filter.
  it('accepts a findSubjects hook in place of a subject filter', () => {
    const campaign = aCampaign({ subjects: {}, hooks: { findSubjects: 'arn:aws:lambda:eu-west-1:123456789012:function:subjects' }, statusExpirationDate: EXPIRES });
    const result = validateForStart(campaign, at(NOW), true);
    expect(result.ok).toBe(true);
  });

  it('refuses hook references that are neither a Lambda function ARN nor file:, naming each hook', () => {
    const campaign = aCampaign({ hooks: { limitResources: 'local:limit', findApprovers: 'my-function' }, statusExpirationDate: EXPIRES });
    expect(errorFields(validateForStart(campaign, at(NOW), true).logs).sort()).toEqual(['hooks.findApprovers', 'hooks.limitResources']);
  });

  it('accepts file: and Lambda ARN hook references', () => {
    const campaign = aCampaign({
      hooks: { limitResources: 'file:./hooks/limit.mjs', findApprovers: 'arn:aws:lambda:eu-west-1:123456789012:function:approvers:live' },
      statusExpirationDate: EXPIRES,
    });
    expect(validateForStart(campaign, at(NOW), true).ok).toBe(true);
  });

  it('refuses an unparsable subject filter, naming subjects.filter once (not in the message again)', () => {
    const campaign = aCampaign({ subjects: { filter: '(&(department=Finance)' }, statusExpirationDate: EXPIRES });
    const result = validateForStart(campaign, at(NOW), true);
    expect(result.ok).toBe(false);
    const [error] = errors(result.logs);
    expect(error!.field).toBe('subjects.filter');
    expect(error!.message).not.toMatch(/^subjects\.filter: /);
    expect(error!.message.length).toBeGreaterThan(0);
  });

  it('ignores the subject filter, with a warning, when a findSubjects hook chooses the subjects', () => {
    const campaign = aCampaign({ subjects: { filter: 'department=Finance)' }, hooks: { findSubjects: 'file:./subjects.mjs' }, statusExpirationDate: EXPIRES });
    const result = validateForStart(campaign, at(NOW), true);
    expect(result.ok).toBe(true);
    expect(result.logs.filter((l) => l.level === 'WARN').map((l) => l.field)).toEqual(['subjects.filter']);
  });

  it('refuses a bad resource filter, naming resources.filter', () => {
    const campaign = aCampaign({ resources: { filter: '(riskLevel>=EXTREME)' }, statusExpirationDate: EXPIRES });
    const result = validateForStart(campaign, at(NOW), true);
    expect(result.ok).toBe(false);
    expect(errorFields(result.logs)).toEqual(['resources.filter']);
  });

  it('accepts a valid resource filter', () => {
    const campaign = aCampaign({ resources: { filter: '(riskLevel>=MEDIUM)' }, statusExpirationDate: EXPIRES });
    expect(validateForStart(campaign, at(NOW), true).ok).toBe(true);
  });

  it('refuses an owner who is not in the directory, naming ownerId and the owner', () => {
    const result = validateForStart(aCampaign({ statusExpirationDate: EXPIRES }), at(NOW), false);
    expect(result.ok).toBe(false);
    expect(errors(result.logs)).toEqual([expect.objectContaining({ field: 'ownerId', message: expect.stringContaining('u-owner') })]);
  });

  it('reports every problem at once, stamped with now', () => {
    const campaign = aCampaign({ approvalPeriodDays: undefined, subjects: {}, resources: { filter: '(' } });
    const result = validateForStart(campaign, at(NOW), false);
    expect(errorFields(result.logs).sort()).toEqual(['approvalPeriodDays', 'ownerId', 'resources.filter', 'subjects.filter']);
    expect(result.logs.every((l) => l.at === NOW)).toBe(true);
    expect(result.logs.some((l) => l.level === 'WARN' && l.field === 'statusExpirationDate')).toBe(true);
  });
});
