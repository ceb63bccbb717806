// The workflow file, a privilege's re-approval settings and an approval decision: strict schemas
// whose every refusal names the field.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { approvalDecisionSchema, reapprovalSettingsSchema, workflowFileSchema } from '../../../../lambdas/shared/domain/approvals/workflow-schemas.js';
import { ValidationError } from '../../../../lambdas/shared/domain/errors.js';
import { directoryFileSchema, parseInput } from '../../../../lambdas/shared/domain/schemas.js';

/** The distinct fields a refusal names. */
function fields(schema: z.ZodType, value: unknown): string[] {
  try {
    parseInput(schema, value);
  } catch (error) {
    if (error instanceof ValidationError) return [...new Set(error.issues.map((i) => i.field))];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

const step = { approvers: ['MANAGER'], timeoutDays: 14, onTimeout: 'ESCALATE' };
const workflow = { id: 'wf-1', name: 'One', steps: [step] };

describe('workflowFileSchema', () => {
  it('accepts a file of workflows with keyword and named approvers', () => {
    const parsed = parseInput(workflowFileSchema, {
      workflows: [
        { ...workflow, description: 'd', steps: [{ ...step, name: 'Manager', afterEscalation: 'APPROVE' }, { approvers: ['PRIVILEGE_OWNER', 'u-1'], timeoutDays: 1, onTimeout: 'REJECT' }] },
        { ...workflow, id: 'wf.2_b-c' },
      ],
    });
    expect(parsed.workflows.map((w) => w.id)).toEqual(['wf-1', 'wf.2_b-c']);
    expect(parsed.workflows[0]!.steps[0]).toEqual({ ...step, name: 'Manager', afterEscalation: 'APPROVE' });
  });

  it.each([
    ['unknown top-level field', { workflows: [workflow], version: 2 }, ['version']],
    ['unknown workflow field', { workflows: [{ ...workflow, owner: 'x' }] }, ['workflows.0.owner']],
    ['unknown step field', { workflows: [{ ...workflow, steps: [{ ...step, retries: 1 }] }] }, ['workflows.0.steps.0.retries']],
    ['reserved id', { workflows: [{ ...workflow, id: 'default' }] }, ['workflows.0.id']],
    ['id with a space', { workflows: [{ ...workflow, id: 'my workflow' }] }, ['workflows.0.id']],
    ['empty name', { workflows: [{ ...workflow, name: ' ' }] }, ['workflows.0.name']],
    ['duplicate ids', { workflows: [workflow, { ...workflow, name: 'again' }] }, ['workflows.1.id']],
    ['no steps', { workflows: [{ ...workflow, steps: [] }] }, ['workflows.0.steps']],
    ['no approvers', { workflows: [{ ...workflow, steps: [{ ...step, approvers: [] }] }] }, ['workflows.0.steps.0.approvers']],
    ['a duplicate approver', { workflows: [{ ...workflow, steps: [{ ...step, approvers: ['u-1', 'u-1'] }] }] }, ['workflows.0.steps.0.approvers.1']],
    ['timeout 0', { workflows: [{ ...workflow, steps: [{ ...step, timeoutDays: 0 }] }] }, ['workflows.0.steps.0.timeoutDays']],
    ['timeout 366', { workflows: [{ ...workflow, steps: [{ ...step, timeoutDays: 366 }] }] }, ['workflows.0.steps.0.timeoutDays']],
    ['fractional timeout', { workflows: [{ ...workflow, steps: [{ ...step, timeoutDays: 1.5 }] }] }, ['workflows.0.steps.0.timeoutDays']],
    ['timeout as text', { workflows: [{ ...workflow, steps: [{ ...step, timeoutDays: '14' }] }] }, ['workflows.0.steps.0.timeoutDays']],
    ['unknown timeout action', { workflows: [{ ...workflow, steps: [{ ...step, onTimeout: 'WAIT' }] }] }, ['workflows.0.steps.0.onTimeout']],
    ['afterEscalation ESCALATE', { workflows: [{ ...workflow, steps: [{ ...step, afterEscalation: 'ESCALATE' }] }] }, ['workflows.0.steps.0.afterEscalation']],
    ['afterEscalation without ESCALATE', { workflows: [{ ...workflow, steps: [{ ...step, onTimeout: 'APPROVE', afterEscalation: 'REJECT' }] }] }, ['workflows.0.steps.0.afterEscalation']],
    ['no workflows', { workflows: [] }, ['workflows']],
  ])('refuses %s, naming %j', (_what, value, expected) => {
    expect(fields(workflowFileSchema, value)).toEqual(expected);
  });
});

describe('reapprovalSettingsSchema', () => {
  it('accepts CONTINUOUS with an interval and SCHEDULED, each with an optional workflow', () => {
    expect(parseInput(reapprovalSettingsSchema, { mode: 'CONTINUOUS', intervalDays: 90, workflowId: 'wf-1' })).toEqual({ mode: 'CONTINUOUS', intervalDays: 90, workflowId: 'wf-1' });
    expect(parseInput(reapprovalSettingsSchema, { mode: 'SCHEDULED' })).toEqual({ mode: 'SCHEDULED' });
  });

  it.each([
    ['an unknown mode', { mode: 'YEARLY' }, ['mode']],
    ['no mode', { intervalDays: 90 }, ['mode']],
    ['CONTINUOUS without interval', { mode: 'CONTINUOUS' }, ['intervalDays']],
    ['an interval of 0', { mode: 'CONTINUOUS', intervalDays: 0 }, ['intervalDays']],
    ['an interval over ten years', { mode: 'CONTINUOUS', intervalDays: 3651 }, ['intervalDays']],
    ['SCHEDULED with an interval', { mode: 'SCHEDULED', intervalDays: 90 }, ['intervalDays']],
    ['a bad workflow id', { mode: 'SCHEDULED', workflowId: '' }, ['workflowId']],
  ])('refuses %s, naming %j', (_what, value, expected) => {
    expect(fields(reapprovalSettingsSchema, value)).toEqual(expected);
  });
});

describe('the directory file', () => {
  const users = [{ id: 'u-1', displayName: 'One', email: 'one@example.com' }];
  const privilege = { id: 'p-1', name: 'P', ownerIds: ['u-1'] };

  it('carries a privilege approval workflow and re-approval settings, and an assignment grantedAt', () => {
    const parsed = parseInput(directoryFileSchema, {
      users,
      privileges: [{ ...privilege, approvalWorkflowId: 'wf-1', reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } }],
      assignments: [{ userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', grantedAt: '2026-01-01', approvedAt: '2026-02-01T10:00:00+01:00' }],
    });
    expect(parsed.privileges[0]).toMatchObject({ approvalWorkflowId: 'wf-1', reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } });
    expect(parsed.assignments[0]).toMatchObject({ grantedAt: '2026-01-01T00:00:00.000Z', approvedAt: '2026-02-01T09:00:00.000Z' });
  });

  it.each([
    ['a bad re-approval mode', { privileges: [{ ...privilege, reapproval: { mode: 'SOMETIMES' } }] }, ['privileges.0.reapproval.mode']],
    ['a missing interval', { privileges: [{ ...privilege, reapproval: { mode: 'CONTINUOUS' } }] }, ['privileges.0.reapproval.intervalDays']],
    ['an unknown settings field', { privileges: [{ ...privilege, reapproval: { mode: 'SCHEDULED', date: '2027-01-01' } }] }, ['privileges.0.reapproval.date']],
    ['a bad workflow id', { privileges: [{ ...privilege, approvalWorkflowId: 'a b' }] }, ['privileges.0.approvalWorkflowId']],
    ['a bad grantedAt', { assignments: [{ userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', grantedAt: 'yesterday' }] }, ['assignments.0.grantedAt']],
  ])('refuses %s, naming %j', (_what, value: Record<string, unknown>, expected) => {
    expect(fields(directoryFileSchema, { users, privileges: [privilege], ...value })).toEqual(expected);
  });

  it.each(['nextReapprovalAt', 'reapprovalMode', 'lastReapprovalRound', 'reapproval'])('refuses the re-approval state field %s on an assignment (only the jobs set it)', (field) => {
    const assignment = { userId: 'u-1', privilegeId: 'p-1', origin: 'MANUAL', [field]: '2027-01-01' };
    expect(fields(directoryFileSchema, { users, privileges: [privilege], assignments: [assignment] })).toEqual([`assignments.0.${field}`]);
  });
});

describe('approvalDecisionSchema', () => {
  it('accepts APPROVE and REJECT with an optional item and comment', () => {
    expect(parseInput(approvalDecisionSchema, { outcome: 'REJECT', itemId: 'p-1', comment: 'gone' })).toEqual({ outcome: 'REJECT', itemId: 'p-1', comment: 'gone' });
  });

  it('refuses MODIFY with a message that says why', () => {
    expect(() => parseInput(approvalDecisionSchema, { outcome: 'MODIFY' })).toThrow(/outcome: an approval run is approved or rejected: MODIFY is not available/);
    expect(fields(approvalDecisionSchema, { outcome: 'APPROVE', endDate: '2027-01-01' })).toEqual(['endDate']);
  });
});
