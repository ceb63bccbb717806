// An approval run as the engine stores it, for the tests of what shows runs (the CLI, the approver
// API) without running the engine: a re-approval of u1's p-fin at step 1 of a two-step workflow.
import { approvalIdFor, type ApprovalRun } from '../../lambdas/shared/domain/approvals/model.js';

export function sampleRun(overrides: Partial<ApprovalRun> = {}): ApprovalRun {
  const purpose = { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: '2026-07-01T00:00:00.000Z', intervalDays: 90 } as const;
  return {
    id: approvalIdFor(purpose, 'u1', 'p-fin'),
    purpose,
    userId: 'u1',
    privilegeId: 'p-fin',
    userName: 'Name u1',
    privilegeName: 'FinanceAdmin',
    privilegeRisk: 'HIGH',
    parameters: { region: 'eu' },
    grantedAt: '2025-01-10T00:00:00.000Z',
    approvedAt: '2026-04-02T00:00:00.000Z',
    approvedBy: 'owner1',
    workflow: {
      id: 'two-step',
      name: 'Owner, then security',
      steps: [
        { name: 'Owner', approvers: ['PRIVILEGE_OWNER'], timeoutDays: 7, onTimeout: 'ESCALATE' },
        { name: 'Security', approvers: ['sec1'], timeoutDays: 5, onTimeout: 'REJECT' },
      ],
    },
    stepIndex: 0,
    escalated: false,
    approverIds: ['owner1'],
    stepStartedAt: '2026-07-01T06:00:00.000Z',
    dueDate: '2026-07-08T06:00:00.000Z',
    state: 'RUNNING',
    history: [{ at: '2026-07-01T06:00:00.000Z', type: 'STEP_STARTED', step: 0, approverIds: ['owner1'] }],
    nextActionAt: '2026-07-05T06:00:00.000Z',
    createdAt: '2026-07-01T06:00:00.000Z',
    updatedAt: '2026-07-01T06:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
