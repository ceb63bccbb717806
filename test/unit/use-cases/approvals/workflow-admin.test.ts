// `idgov workflow load|list` and `idgov reapproval schedule|status` as use cases: validated input,
// named fields, nothing written on any error.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKFLOW } from '../../../../lambdas/shared/domain/approvals/model.js';
import { ValidationError } from '../../../../lambdas/shared/domain/errors.js';
import { resolveWorkflow } from '../../../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { listWorkflows, loadWorkflows, reapprovalStatus, scheduleReapproval } from '../../../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { NotFoundError } from '../../../../lambdas/shared/domain/errors.js';
import { buildWorld, dayAt, privilege } from './world.js';

const NOW = new Date('2027-03-01T10:00:00.000Z');

const file = (...workflows: unknown[]) => ({ workflows });
const security = {
  id: 'wf-security',
  name: 'Manager, then security officers',
  steps: [
    { name: 'Manager', approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'ESCALATE' },
    { approvers: ['dan', 'owen'], timeoutDays: 5, onTimeout: 'REJECT' },
  ],
};

async function failure(attempt: Promise<unknown>): Promise<ValidationError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('loadWorkflows', () => {
  it('stores valid workflows with who loaded them and when, and replaces them by id', async () => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    expect(await loadWorkflows(world, file(security), 'admin', NOW)).toEqual({ loaded: ['wf-security'], created: ['wf-security'], replaced: [] });
    expect(await world.directory.getWorkflow('wf-security')).toEqual({ ...security, loadedAt: NOW.toISOString(), loadedBy: 'admin' });

    const renamed = { ...security, name: 'Renamed' };
    const other = { id: 'wf-other', name: 'Other', steps: [{ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 1, onTimeout: 'APPROVE' }] };
    expect(await loadWorkflows(world, file(renamed, other), 'root', dayAt(1))).toEqual({
      loaded: ['wf-security', 'wf-other'],
      created: ['wf-other'],
      replaced: ['wf-security'],
    });
    expect((await world.directory.getWorkflow('wf-security'))?.name).toBe('Renamed');
  });

  it('refuses a named approver who is not in the directory, naming each one, and writes nothing', async () => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    const bad = { ...security, steps: [security.steps[0], { ...security.steps[1], approvers: ['dan', 'nobody', 'ghost'] }] };
    const error = await failure(loadWorkflows(world, file({ ...security, id: 'wf-fine' }, bad), 'admin', NOW));
    expect(error.issues.map((i) => i.field)).toEqual(['workflows.1.steps.1.approvers.1', 'workflows.1.steps.1.approvers.2']);
    expect(error.message).toContain('unknown user nobody');
    expect(await world.directory.listWorkflows()).toEqual([]);
  });

  it.each([
    ['an unknown field', file({ ...security, owner: 'x' }), 'workflows.0.owner'],
    ['an unknown step field', file({ ...security, steps: [{ ...security.steps[0], retries: 2 }] }), 'workflows.0.steps.0.retries'],
    ['the reserved id default', file({ ...security, id: 'default' }), 'workflows.0.id'],
    ['a duplicate id', file(security, security), 'workflows.1.id'],
    ['no step', file({ ...security, steps: [] }), 'workflows.0.steps'],
    ['no approver', file({ ...security, steps: [{ ...security.steps[0], approvers: [] }] }), 'workflows.0.steps.0.approvers'],
    ['a timeout of 0 days', file({ ...security, steps: [{ ...security.steps[0], timeoutDays: 0 }] }), 'workflows.0.steps.0.timeoutDays'],
    ['a timeout over a year', file({ ...security, steps: [{ ...security.steps[0], timeoutDays: 366 }] }), 'workflows.0.steps.0.timeoutDays'],
    ['an unknown timeout action', file({ ...security, steps: [{ ...security.steps[0], onTimeout: 'IGNORE' }] }), 'workflows.0.steps.0.onTimeout'],
    ['afterEscalation without ESCALATE', file({ ...security, steps: [{ ...security.steps[1], afterEscalation: 'APPROVE' }] }), 'workflows.0.steps.0.afterEscalation'],
    ['no workflows', {}, 'workflows'],
  ])('refuses %s, naming the field, and writes nothing', async (_what, raw, field) => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    const error = await failure(loadWorkflows(world, raw, 'admin', NOW));
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(await world.directory.listWorkflows()).toEqual([]);
  });
});

describe('listWorkflows', () => {
  it('lists the default workflow, marked, then the loaded ones by id', async () => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    await loadWorkflows(world, file({ ...security, id: 'wf-z' }, { ...security, id: 'wf-a' }), 'admin', NOW);
    const listed = await listWorkflows(world.directory);
    expect(listed.map((w) => `${w.id} ${w.isDefault}`)).toEqual(['default true', 'wf-a false', 'wf-z false']);
    expect(listed[0]).toMatchObject({ ...DEFAULT_WORKFLOW, isDefault: true });
  });
});

describe('resolveWorkflow', () => {
  it('re-approval: reapproval.workflowId, else approvalWorkflowId, else the default; a campaign hand-over ignores reapproval.workflowId', async () => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    await loadWorkflows(world, file({ ...security, id: 'wf-a' }, { ...security, id: 'wf-b' }), 'admin', NOW);
    const both = privilege('p', { approvalWorkflowId: 'wf-a', reapproval: { mode: 'SCHEDULED', workflowId: 'wf-b' } });
    expect((await resolveWorkflow(world.directory, both, 'REAPPROVAL')).id).toBe('wf-b');
    expect((await resolveWorkflow(world.directory, both, 'CAMPAIGN')).id).toBe('wf-a');
    expect((await resolveWorkflow(world.directory, privilege('p', { approvalWorkflowId: 'wf-a', reapproval: { mode: 'SCHEDULED' } }), 'REAPPROVAL')).id).toBe('wf-a');
    expect(await resolveWorkflow(world.directory, privilege('p'), 'REAPPROVAL')).toBe(DEFAULT_WORKFLOW);
    expect(await resolveWorkflow(world.directory, privilege('p', { approvalWorkflowId: 'default' }), 'CAMPAIGN')).toBe(DEFAULT_WORKFLOW);
    const missing = resolveWorkflow(world.directory, privilege('p', { reapproval: { mode: 'SCHEDULED', workflowId: 'wf-gone' } }), 'REAPPROVAL');
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toThrow(/wf-gone.*reapproval\.workflowId/);
  });
});

describe('scheduleReapproval and reapprovalStatus', () => {
  it('sets the domain date (today or later), keeping the reminder settings', async () => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    expect(await reapprovalStatus(world.directory, NOW)).toMatchObject({ roundState: 'NOT_SCHEDULED', config: { reminders: { daysBeforeDue: 3, intervalHours: 24 } } });
    const first = await scheduleReapproval(world, '2027-03-01', 'admin', NOW);
    expect(first).toEqual({ config: { reminders: { daysBeforeDue: 3, intervalHours: 24 }, scheduledDate: '2027-03-01', updatedAt: NOW.toISOString(), updatedBy: 'admin' } });
    const second = await scheduleReapproval(world, '2027-06-30', 'root', NOW);
    expect(second.previousDate).toBe('2027-03-01');
    expect(await reapprovalStatus(world.directory, NOW)).toMatchObject({ scheduledDate: '2027-06-30', roundState: 'SCHEDULED' });
    expect((await reapprovalStatus(world.directory, new Date('2027-06-30T00:00:00.000Z'))).roundState).toBe('DUE');
  });

  it.each([
    ['not a date', 'next monday'],
    ['an impossible date', '2027-02-30'],
    ['a date-time', '2027-06-30T00:00:00Z'],
    ['a past date', '2027-02-28'],
  ])('refuses %s naming the field date, and writes nothing', async (_what, date) => {
    const world = await buildWorld({ privileges: [], assignments: [] });
    const error = await failure(scheduleReapproval(world, date, 'admin', NOW));
    expect(error.issues.map((i) => i.field)).toEqual(['date']);
    expect(await world.directory.getReapprovalConfig()).toBeUndefined();
  });

  it('reports a round started, then completed', async () => {
    const world = await buildWorld({ privileges: [privilege('p-s', { reapproval: { mode: 'SCHEDULED' } })], assignments: [] });
    await scheduleReapproval(world, '2027-03-02', 'admin', NOW);
    await world.directory.putRound({ date: '2027-03-02', startedAt: '2027-03-02T06:00:00.000Z', started: 4 });
    expect(await reapprovalStatus(world.directory, NOW)).toMatchObject({ roundState: 'STARTED', round: { started: 4 } });
    await world.directory.putRound({ date: '2027-03-02', startedAt: '2027-03-02T06:00:00.000Z', started: 5, completedAt: '2027-03-03T06:00:00.000Z' });
    expect((await reapprovalStatus(world.directory, NOW)).roundState).toBe('COMPLETED');
  });
});
