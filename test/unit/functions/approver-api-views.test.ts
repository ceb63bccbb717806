// The approver API's views (lambdas/approver-api/views.ts): what an entry, a task and a campaign's
// progress look like to the portal, from the records and the directory users the routes read.
import { describe, expect, it } from 'vitest';
import {
  campaignListView,
  campaignProgressView,
  campaignTaskView,
  entryPeopleIds,
  entryView,
  itemView,
  meView,
  subjectView,
} from '../../../lambdas/approver-api/views.js';
import { campaignProgress } from '../../../lambdas/shared/domain/campaign-progress.js';
import type { Campaign } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, aDecision, anEntry, anItem, at, aUser, DUE, peopleById } from '../../support/fixtures.js';

const NOW = at('2026-07-10T08:00:00.000Z');
const campaign: Campaign = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, description: 'Quarterly review' });
const alice = aUser({ id: 'u-alice', displayName: 'Alice Adams', department: 'Finance', riskLevel: 'HIGH', managerId: 'u-manager' });
const manager = aUser({ id: 'u-manager', displayName: 'Mia Manager' });
const owner = aUser({ id: 'u-owner', displayName: 'Olga Owner' });
const entry = anEntry({
  approverIds: ['u-manager', 'u-deputy'],
  stage: 2,
  plan: [{ approverIds: ['u-boss'], name: 'Line manager' }, { approverIds: ['u-manager', 'u-deputy'], name: 'Data owner' }],
});
const items = [
  anItem({ privilegeId: 'p-ledger', privilegeName: 'Ledger', privilegeRisk: 'HIGH', origin: 'MANUAL', grantedAt: '2025-01-01T00:00:00.000Z' }),
  // Prepared before items carried their origin.
  anItem({ privilegeId: 'p-old', decision: aDecision() }),
];

describe('entryView', () => {
  const view = entryView({ entry, items, campaign, people: peopleById(alice, manager, owner), callerId: 'u-manager', now: NOW });

  it('describes the subject from the directory: email, department, manager by name, risk level and status', () => {
    expect(view.subject).toEqual({
      kind: 'USER',
      id: 'u-alice',
      name: 'User u-alice',
      email: 'u-alice@example.com',
      department: 'Finance',
      manager: { id: 'u-manager', displayName: 'Mia Manager' },
      riskLevel: 'HIGH',
      status: 'ACTIVE',
    });
  });

  it("names the campaign owner, the approvers (by id when one is not in the directory) and the stage's name", () => {
    expect(view).toMatchObject({
      kind: 'CAMPAIGN',
      campaignName: campaign.name,
      campaignOwner: { id: 'u-owner', displayName: 'Olga Owner' },
      approvers: [
        { id: 'u-manager', displayName: 'Mia Manager' },
        { id: 'u-deputy', displayName: 'u-deputy' },
      ],
      stage: 2,
      stageName: 'Data owner',
    });
    expect(entryView({ entry: { ...entry, plan: undefined }, items, campaign, people: peopleById(), callerId: 'u-manager', now: NOW })).toMatchObject({
      stageName: null,
      campaignOwner: null,
    });
  });

  it("says as of when, whether it is overdue, and what the caller may do", () => {
    expect(view).toMatchObject({ asOf: NOW.toISOString(), overdue: false, permissions: { canDecide: true, canReassign: true, isCampaignOwner: false } });
    const late = entryView({ entry, items, campaign, people: peopleById(), callerId: 'u-owner', now: at('2026-07-16T00:00:00.000Z') });
    expect(late).toMatchObject({ overdue: true, permissions: { canDecide: false, canReassign: true, isCampaignOwner: true } });
  });

  it("shows each item's origin (null for an item prepared before it was copied) and whether it is still open", () => {
    expect(view.items.map((i) => [i.id, i.origin, i.open])).toEqual([
      ['p-ledger', 'MANUAL', true],
      ['p-old', null, false],
    ]);
    expect(view).toMatchObject({ itemCount: 2, openItemCount: 1 });
  });

  it('needs the subject (a user), the owner and the approvers from the directory', () => {
    expect(entryPeopleIds(entry, campaign)).toEqual(['u-alice', 'u-owner', 'u-manager', 'u-deputy']);
    expect(entryPeopleIds({ ...entry, subjectKind: 'PRIVILEGE', subjectId: 'p-ledger' }, campaign)).toEqual(['u-owner', 'u-manager', 'u-deputy']);
  });
});

describe('subjectView', () => {
  it('has no directory details for a privilege, nor for a user gone from the directory', () => {
    const empty = { email: null, department: null, manager: null, riskLevel: null, status: null };
    expect(subjectView({ subjectKind: 'PRIVILEGE', subjectId: 'u-alice', subjectName: 'Ledger' }, peopleById(alice))).toEqual({ kind: 'PRIVILEGE', id: 'u-alice', name: 'Ledger', ...empty });
    expect(subjectView({ subjectKind: 'USER', subjectId: 'u-gone', subjectName: 'Gone' }, peopleById(alice))).toEqual({ kind: 'USER', id: 'u-gone', name: 'Gone', ...empty });
  });

  it('shows a manager missing from the directory by id', () => {
    expect(subjectView(entry, peopleById(alice)).manager).toEqual({ id: 'u-manager', displayName: 'u-manager' });
  });
});

describe('itemView and campaignTaskView', () => {
  it("gives the item's context with nulls for what it lacks", () => {
    expect(itemView(anItem(), entry)).toEqual({
      id: 'p-finance-admin',
      userId: 'u-alice',
      userName: null,
      privilegeId: 'p-finance-admin',
      privilegeName: null,
      privilegeRisk: null,
      origin: null,
      endDate: null,
      parameters: {},
      grantedAt: null,
      grantedBy: null,
      open: true,
      decision: null,
    });
  });

  it('marks a task overdue once its due date has passed', () => {
    const task = { entry, campaignName: 'Finance', items, openItems: [items[0]!] };
    expect(campaignTaskView(task, NOW)).toMatchObject({ kind: 'CAMPAIGN', overdue: false, itemCount: 2, openItemCount: 1 });
    expect(campaignTaskView(task, at('2026-07-15T00:00:01.000Z')).overdue).toBe(true);
  });
});

describe('meView and the campaign views', () => {
  it("tells who the caller is and which of the portal's views apply", () => {
    expect(meView(owner, { isApprover: false, isCampaignOwner: true }, NOW)).toEqual({
      id: 'u-owner',
      displayName: 'Olga Owner',
      email: 'u-owner@example.com',
      isApprover: false,
      isCampaignOwner: true,
      asOf: NOW.toISOString(),
    });
  });

  it("lists the owner's campaigns with their counts", () => {
    const progress = { entriesByState: { RUNNING: 1 }, entries: 1, overdueEntries: 0, completion: 0 };
    expect(campaignListView(owner, [{ campaign, progress }], NOW)).toEqual({
      owner: { id: 'u-owner', displayName: 'Olga Owner' },
      asOf: NOW.toISOString(),
      campaigns: [
        { id: campaign.id, name: campaign.name, kind: 'USER', state: 'RUNNING', run: 1, startDate: campaign.startDate, dueDate: DUE, ...progress, awaitingConfirmation: null },
      ],
    });
  });

  it('says what applying would do while a campaign waits over its revocation cap, and nothing otherwise', () => {
    const progress = { entriesByState: { RUNNING: 1 }, entries: 1, overdueEntries: 0, completion: 0 };
    const counts = { items: 40, remove: 12, modify: 1, handOver: 2, keep: 24, keptByGuard: 1 };
    const waiting = { ...campaign, guard: { maxRemovalShare: 0.25 }, phase: { name: 'AWAIT_CONFIRMATION' as const, counts, since: '2026-07-15T01:00:00.000Z' } };
    expect(campaignListView(owner, [{ campaign: waiting, progress }], NOW).campaigns[0]!.awaitingConfirmation).toEqual({
      counts,
      removalShare: 0.3,
      maxRemovalShare: 0.25,
      since: '2026-07-15T01:00:00.000Z',
    });
    // Confirmed (APPLY), or any other phase: nothing waits.
    const confirmed = { ...waiting, phase: { name: 'APPLY' as const, confirmed: { by: 'u-owner', at: '2026-07-15T02:00:00.000Z', counts } } };
    expect(campaignListView(owner, [{ campaign: confirmed, progress }], NOW).campaigns[0]!.awaitingConfirmation).toBeNull();
  });

  it('shows a campaign with its approvers by name and its entries in the order of the progress', () => {
    const late = anEntry({ id: 'e-late', subjectId: 'u-bob', subjectName: 'Bob', approverIds: ['u-deputy'], dueDate: '2026-07-09T00:00:00.000Z', itemCount: 4 });
    const progress = campaignProgress(campaign, [entry, late], NOW);
    const view = campaignProgressView(campaign, progress, peopleById(manager));
    expect(view).toMatchObject({ description: 'Quarterly review', entries: 2, overdueEntries: 1, completion: 0 });
    expect(view.approvers).toEqual([
      { approver: { id: 'u-deputy', displayName: 'u-deputy' }, entries: 2, open: 2, overdue: 1 },
      { approver: { id: 'u-manager', displayName: 'Mia Manager' }, entries: 1, open: 1, overdue: 0 },
    ]);
    expect(view.entryList[0]).toEqual({
      id: 'e-late',
      subjectKind: 'USER',
      subjectId: 'u-bob',
      subjectName: 'Bob',
      stage: 1,
      state: 'RUNNING',
      approvers: [{ id: 'u-deputy', displayName: 'u-deputy' }],
      dueDate: '2026-07-09T00:00:00.000Z',
      overdue: true,
      itemCount: 4,
      canReassign: true,
    });
    expect(view.entryList.map((e) => e.id)).toEqual(['e-late', entry.id]);
  });
});
