import { describe, expect, it } from 'vitest';
import { ClosedError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import {
  nameApprover,
  reassign,
  reassignmentNoticeKey,
  repeatedRescue,
  rescueDueDate,
  rescueLogMessage,
  type NameApproverRequest,
  type ReassignRequest,
} from '../../../lambdas/shared/domain/reassignment.js';
import { DUE, aCampaign, anEntry, at } from '../../support/fixtures.js';

const NOW = '2026-07-05T09:30:00.000Z';
const request = (overrides: Partial<ReassignRequest> = {}): ReassignRequest => ({
  to: 'u-deputy',
  by: 'u-manager',
  justification: 'on parental leave until August',
  now: at(NOW),
  ...overrides,
});

/** The refusal as `field: message`, or the error's message when it names no field. */
function refusal(run: () => unknown): { type: string; field?: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return { type: 'ValidationError', field: error.field, message: error.message };
    if (error instanceof ClosedError) return { type: 'ClosedError', message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('reassign', () => {
  it('hands the entry to the new approver alone and records who, when and why', () => {
    const entry = anEntry({ approverIds: ['u-manager', 'u-second'], version: 4 });
    const next = reassign(entry, request({ justification: '  on parental leave until August  ' }));
    expect(next).toMatchObject({ approverIds: ['u-deputy'], dueDate: DUE, version: 5, updatedAt: NOW, state: 'RUNNING' });
    expect(next.reassignments).toEqual([
      { from: ['u-manager', 'u-second'], to: 'u-deputy', by: 'u-manager', at: NOW, justification: 'on parental leave until August' },
    ]);
    // The input is not mutated.
    expect(entry.approverIds).toEqual(['u-manager', 'u-second']);
    expect(entry.reassignments).toBeUndefined();
  });

  it('moves the due date by extendDays and records both dates', () => {
    const next = reassign(anEntry(), request({ extendDays: 7 }));
    expect(next.dueDate).toBe('2026-07-22T00:00:00.000Z');
    expect(next.reassignments![0]).toMatchObject({ previousDueDate: DUE, dueDate: '2026-07-22T00:00:00.000Z' });
  });

  it('appends to earlier reassignments, and may hand the entry back', () => {
    const first = reassign(anEntry(), request());
    const second = reassign(first, request({ to: 'u-manager', by: 'u-deputy', justification: 'back from leave early', now: at('2026-07-06T00:00:00.000Z') }));
    expect(second.approverIds).toEqual(['u-manager']);
    expect(second.reassignments!.map((r) => `${r.from.join('+')}->${r.to} by ${r.by}`)).toEqual([
      'u-manager->u-deputy by u-manager',
      'u-deputy->u-manager by u-deputy',
    ]);
  });

  it.each([
    ['an empty justification', { justification: '' }, 'justification'],
    ['a short justification', { justification: 'because' }, 'justification'],
    ['a justification of spaces around a short word', { justification: '    leave     ' }, 'justification'],
    ['an overlong justification', { justification: 'x'.repeat(2001) }, 'justification'],
    ['zero days', { extendDays: 0 }, 'extendDays'],
    ['negative days', { extendDays: -3 }, 'extendDays'],
    ['fractional days', { extendDays: 1.5 }, 'extendDays'],
    ['more than a year', { extendDays: 366 }, 'extendDays'],
    ['not a number', { extendDays: Number.NaN }, 'extendDays'],
    ['no new approver', { to: '  ' }, 'to'],
    ['the current approver', { to: 'u-manager' }, 'to'],
    ['the user under review', { to: 'u-alice' }, 'to'],
  ] as const)('refuses %s, naming the field', (_, overrides, field) => {
    expect(refusal(() => reassign(anEntry(), request(overrides)))).toMatchObject({ type: 'ValidationError', field });
  });

  it('accepts exactly 365 days and a 10-character justification', () => {
    expect(reassign(anEntry(), request({ extendDays: 365, justification: '0123456789' })).dueDate).toBe('2027-07-15T00:00:00.000Z');
  });

  it('refuses a holder of an item of a PRIVILEGE entry: nobody certifies their own access', () => {
    const entry = anEntry({ subjectKind: 'PRIVILEGE', subjectId: 'p-finance-admin', approverIds: ['u-owner'] });
    expect(refusal(() => reassign(entry, request({ to: 'u-bob', holderIds: ['u-alice', 'u-bob'] })))).toMatchObject({
      field: 'to',
      message: expect.stringContaining('nobody certifies their own access'),
    });
    // The privilege's id is no person: a user of that id may take a PRIVILEGE entry.
    expect(reassign(entry, request({ to: 'u-carol', holderIds: ['u-alice', 'u-bob'] })).approverIds).toEqual(['u-carol']);
  });

  it('refuses an entry that is not RUNNING', () => {
    for (const state of ['APPROVAL.FINISHED', 'FAILED.EXPIRED', 'FINISHED', 'FAILED.PREPARE'] as const) {
      expect(refusal(() => reassign(anEntry({ state }), request()))).toMatchObject({ type: 'ClosedError' });
    }
  });

  it('refuses a due entry unless the extension moves the due date into the future', () => {
    const late = request({ now: at('2026-07-16T00:00:00.000Z') });
    expect(refusal(() => reassign(anEntry(), late))).toMatchObject({ type: 'ClosedError', message: expect.stringContaining('was due') });
    expect(refusal(() => reassign(anEntry(), { ...late, extendDays: 1 }))).toMatchObject({ field: 'extendDays' });
    expect(reassign(anEntry(), { ...late, extendDays: 2 }).dueDate).toBe('2026-07-17T00:00:00.000Z');
  });

  it('keeps the due date before the campaign status expiration date', () => {
    const bounded = request({ dueBefore: '2026-08-01T00:00:00.000Z' });
    expect(reassign(anEntry(), { ...bounded, extendDays: 16 }).dueDate).toBe('2026-07-31T00:00:00.000Z');
    expect(refusal(() => reassign(anEntry(), { ...bounded, extendDays: 17 }))).toMatchObject({
      field: 'extendDays',
      message: expect.stringContaining('status expiration date'),
    });
  });
});

describe('reassignmentNoticeKey', () => {
  it('is unique per written version and never one of preparation keys', () => {
    expect(reassignmentNoticeKey('e-1', 'u-deputy', 5)).toBe('e-1|APPROVAL_START|u-deputy|v5');
    expect(reassignmentNoticeKey('e-1', 'u-deputy', 6)).not.toBe(reassignmentNoticeKey('e-1', 'u-deputy', 5));
  });
});

describe('nameApprover (rescue of a FAILED.PREPARE entry)', () => {
  /** As preparation leaves an entry without an approver. */
  const failed = anEntry({ state: 'FAILED.PREPARE', approverIds: [], error: 'no approver found', closedAt: '2026-07-01T00:00:00.000Z', version: 1, itemCount: 2 });
  const campaign = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, statusExpirationDate: '2026-09-01T00:00:00.000Z' });
  const rescue = (overrides: Partial<NameApproverRequest> = {}): NameApproverRequest => ({
    approverId: 'u-deputy',
    by: 'ops-admin',
    now: at(NOW),
    holderIds: ['u-alice'],
    campaign,
    ...overrides,
  });

  it('runs the entry with the named approver until the campaign’s due date, and records who named them', () => {
    const next = nameApprover(failed, rescue());
    expect(next).toMatchObject({ state: 'RUNNING', approverIds: ['u-deputy'], dueDate: DUE, version: 2, updatedAt: NOW });
    // Open again: decisions count (closedAt), and the preparation error is gone.
    expect(next.closedAt).toBeUndefined();
    expect(next.error).toBeUndefined();
    expect(next.reassignments).toEqual([
      { from: [], to: 'u-deputy', by: 'ops-admin', at: NOW, justification: 'approver named by the administrator: preparation found none', previousDueDate: DUE, dueDate: DUE },
    ]);
  });

  it('gives now + the approval period when the campaign’s due date has passed, or the due date the administrator names', () => {
    const late = at('2026-07-16T10:00:00.000Z');
    expect(nameApprover(failed, rescue({ now: late })).dueDate).toBe('2026-07-30T10:00:00.000Z');
    expect(nameApprover(failed, rescue({ dueDate: '2026-07-20T00:00:00.000Z' })).dueDate).toBe('2026-07-20T00:00:00.000Z');
  });

  it('follows the campaign’s due date as the administrator moved it, and a stage’s own period', () => {
    const moved = { ...campaign, dueDate: '2026-07-25T00:00:00.000Z' };
    expect(rescueDueDate(failed, moved, at(NOW))).toBe('2026-07-25T00:00:00.000Z');
    const secondStage = { ...failed, stage: 2, dueDate: '2026-07-08T00:00:00.000Z', plan: [{ approverIds: ['u-a'] }, { approverIds: [], periodDays: 5 }] };
    expect(rescueDueDate(secondStage, moved, at(NOW))).toBe('2026-07-08T00:00:00.000Z');
    expect(rescueDueDate(secondStage, moved, at('2026-07-09T00:00:00.000Z'))).toBe('2026-07-14T00:00:00.000Z');
  });

  it('refuses any entry that is not FAILED.PREPARE, naming its state', () => {
    for (const state of ['RUNNING', 'APPROVAL.FINISHED', 'FAILED.EXPIRED', 'FAILED.APPLIED.CHANGES', 'FINISHED'] as const) {
      expect(refusal(() => nameApprover({ ...failed, state }, rescue()))).toEqual({
        type: 'ClosedError',
        message: `entry e-1 is ${state}; only a FAILED.PREPARE entry can be given an approver${state === 'RUNNING' ? ' (hand a running entry to someone else with `entry reassign`)' : ''}`,
      });
    }
  });

  it('applies the self-review rule: neither the user under review nor a holder of its access', () => {
    expect(refusal(() => nameApprover(failed, rescue({ approverId: 'u-alice', holderIds: [] })))).toMatchObject({
      field: 'approver',
      message: expect.stringContaining('u-alice is the user under review in entry e-1: nobody certifies their own access'),
    });
    const privilegeEntry = { ...failed, subjectKind: 'PRIVILEGE' as const, subjectId: 'p-fin' };
    expect(refusal(() => nameApprover(privilegeEntry, rescue({ approverId: 'u-bob', holderIds: ['u-alice', 'u-bob'] })))).toMatchObject({
      field: 'approver',
      message: expect.stringContaining('u-bob holds access certified in entry e-1'),
    });
    expect(refusal(() => nameApprover(failed, rescue({ approverId: '  ' })))).toMatchObject({ field: 'approver' });
  });

  it('refuses a due date that has passed or is not before the status expiration date', () => {
    expect(refusal(() => nameApprover(failed, rescue({ dueDate: '2026-07-05T09:00:00.000Z' })))).toMatchObject({ field: 'dueDate', message: expect.stringContaining('has already passed') });
    expect(refusal(() => nameApprover(failed, rescue({ dueDate: '2026-09-01T00:00:00.000Z' })))).toMatchObject({ field: 'dueDate' });
    // Computed past the status expiration: the administrator must name an earlier date.
    expect(refusal(() => nameApprover(failed, rescue({ now: at('2026-08-25T00:00:00.000Z') })))).toMatchObject({
      field: 'dueDate',
      message: expect.stringContaining('give an earlier due date'),
    });
  });

  it('spends the reminder slots already due, so no reminder follows on the heels of Approval Start', () => {
    const inWindow = at('2026-07-13T05:00:00.000Z');
    const next = nameApprover(failed, rescue({ now: inWindow }));
    expect(next.lastReminderSlot).toBe(12);
    expect(nameApprover(failed, rescue()).lastReminderSlot).toBeUndefined();
  });
});

describe('repeatedRescue (the same rescue run again)', () => {
  const failed = anEntry({ state: 'FAILED.PREPARE', approverIds: [], version: 1 });
  const campaign = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, statusExpirationDate: '2026-09-01T00:00:00.000Z' });
  const rescued = nameApprover(failed, { approverId: 'u-deputy', by: 'ops-admin', now: at(NOW), holderIds: ['u-alice'], campaign });

  it('finds the rescue a RUNNING entry had when the request names the same approver (and, if any, the same due date)', () => {
    const record = rescued.reassignments![0]!;
    expect(repeatedRescue(rescued, 'u-deputy', undefined)).toEqual(record);
    expect(repeatedRescue(rescued, ' u-deputy ', DUE)).toEqual(record);
    expect(rescueLogMessage(rescued, record)).toBe(`entry e-1 (${rescued.subjectName}) was FAILED.PREPARE: approver u-deputy named by ops-admin; RUNNING, due ${DUE}`);
  });

  it('leaves an entry that was not rescued, or was handed on since, to the rescue’s own rules', () => {
    expect(repeatedRescue(failed, 'u-deputy', undefined)).toBeUndefined();
    expect(repeatedRescue(anEntry({ state: 'RUNNING' }), 'u-deputy', undefined)).toBeUndefined();
    const handedOn = reassign(rescued, request({ to: 'u-other', by: 'u-deputy', now: at(NOW) }));
    expect(repeatedRescue(handedOn, 'u-other', undefined)).toBeUndefined();
    expect(repeatedRescue({ ...rescued, state: 'APPROVAL.FINISHED' }, 'u-deputy', undefined)).toBeUndefined();
  });

  it('refuses one naming someone else, or another due date', () => {
    expect(refusal(() => repeatedRescue(rescued, 'u-other', undefined))).toEqual({
      type: 'ClosedError',
      message: `entry e-1 already has the approver the administrator named: u-deputy, by ops-admin at ${NOW}; hand it to someone else with \`entry reassign\``,
    });
    expect(refusal(() => repeatedRescue(rescued, 'u-deputy', '2026-07-20T00:00:00.000Z'))).toMatchObject({ field: 'dueDate' });
    expect(refusal(() => repeatedRescue(rescued, ' ', undefined))).toMatchObject({ field: 'approver' });
  });
});
