// A small organisation and a scripted USER campaign over it, used by the controller integration
// tests: small enough to replay once per write, rich enough to reach every lifecycle step.
import { entryIdFor } from '../../lambdas/shared/domain/entries.js';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';

const user = (id: string, managerId: string | undefined, riskLevel: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL', department = 'Finance') => ({
  id,
  displayName: `Name ${id}`,
  email: `${id}@example.com`,
  ...(managerId ? { managerId } : {}),
  department,
  status: 'ACTIVE' as const,
  riskLevel,
});

export const smallOrg = (): DirectoryFile => ({
  users: [
    user('admin', undefined, 'LOW', 'IT'),
    user('m1', 'admin', 'LOW'),
    user('m2', 'admin', 'LOW'),
    user('u1', 'm1', 'HIGH'),
    user('u2', 'm1', 'LOW'),
    user('u4', 'm2', 'CRITICAL'),
    // HIGH risk without a manager: No Approver.
    user('u6', undefined, 'HIGH'),
  ],
  privileges: [
    { id: 'p-fin', name: 'FinanceAdmin', ownerIds: ['m1'], riskLevel: 'HIGH' },
    { id: 'p-git', name: 'GitHub-Org-Owner', ownerIds: ['m2'], riskLevel: 'LOW' },
    { id: 'p-prod', name: 'AWS-Prod-Admin', ownerIds: [], riskLevel: 'CRITICAL' },
    { id: 'p-mail', name: 'Office365', ownerIds: ['admin'], riskLevel: 'LOW' },
  ],
  assignments: [
    { userId: 'u1', privilegeId: 'p-fin', origin: 'MANUAL' },
    { userId: 'u1', privilegeId: 'p-git', origin: 'MANUAL' },
    { userId: 'u1', privilegeId: 'p-prod', origin: 'MANUAL', endDate: '2027-01-01T00:00:00.000Z', parameters: { account: 'prod-1' } },
    { userId: 'u1', privilegeId: 'p-mail', origin: 'RULE' },
    { userId: 'u2', privilegeId: 'p-fin', origin: 'MANUAL' },
    { userId: 'u4', privilegeId: 'p-prod', origin: 'MANUAL' },
    { userId: 'u4', privilegeId: 'p-git', origin: 'MANUAL' },
    { userId: 'u4', privilegeId: 'p-fin', origin: 'INHERITED' },
    { userId: 'u6', privilegeId: 'p-fin', origin: 'MANUAL' },
  ],
});

export const T0 = '2026-07-01T00:00:00.000Z';
export const day = (n: number, hour = 0) => new Date(Date.parse(T0) + n * 86_400_000 + hour * 3_600_000).toISOString();

export const highRiskUserCampaign = (overrides: Record<string, unknown> = {}) => ({
  name: 'Finance high-risk users',
  kind: 'USER',
  ownerId: 'admin',
  startDate: '2026-07-01',
  approvalPeriodDays: 14,
  statusExpirationDate: '2026-09-01',
  subjects: { filter: '(&(department=Finance)(riskLevel>=HIGH))' },
  reminders: { daysBeforeDue: 3, intervalHours: 24 },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
  // The scripted lifecycle removes 3 of its 5 items, over the default revocation cap (20 %), where
  // the campaign would wait for its owner's confirmation. These scenarios are about the lifecycle;
  // the cap has its own (test/integration/guards.test.ts): here it lets every removal through.
  guard: { maxRemovalShare: 1 },
  ...overrides,
});

export type Step =
  | { at: string; run: true }
  | { at: string; decide: { subjectId: string; actor: string; decisions: unknown[] } };

/**
 * The scripted lifecycle of campaign `id`: start, decisions on u1 (approve, reject, modify), no
 * decision on u4 (expires), reminders, finish at the due date, status expiration and cleanup.
 */
export const lifecycleSteps = (): Step[] => [
  { at: day(0, 1), run: true },
  {
    at: day(2),
    decide: {
      subjectId: 'u1',
      actor: 'm1',
      decisions: [
        { itemId: 'p-fin', outcome: 'APPROVE', comment: 'needed for month-end close' },
        { itemId: 'p-git', outcome: 'REJECT', comment: 'left the platform team' },
      ],
    },
  },
  { at: day(11, 1), run: true },
  { at: day(12, 1), run: true },
  {
    at: day(13),
    decide: { subjectId: 'u1', actor: 'm1', decisions: [{ itemId: 'p-prod', outcome: 'MODIFY', endDate: '2026-10-01', comment: 'until the audit' }] },
  },
  { at: day(14, 1), run: true },
  { at: day(70), run: true },
];

export const entryOf = (campaignId: string, subjectId: string, run = 1, stage = 1) => entryIdFor(`${campaignId}#${run}`, stage, subjectId);
