import { describe, expect, it } from 'vitest';
import {
  addStats,
  countPlan,
  emptyStats,
  itemWorkflowOf,
  missingRemovedParameter,
  parametersSeen,
  planItem,
  type ItemPlan,
} from '../../../lambdas/shared/domain/application.js';
import { DEFAULT_WORKFLOW, type ApprovalRun } from '../../../lambdas/shared/domain/approvals/model.js';
import type { Decision, EntryStats, RevocationAction, RevocationSettings } from '../../../lambdas/shared/domain/model.js';
import { aDecision, anItem } from '../../support/fixtures.js';

const open = {};
const settings = (rejected: RevocationAction, modified: RevocationAction, uncertified: RevocationAction): RevocationSettings => ({
  rejected,
  modified,
  uncertified,
});
const KEEP_ALL = settings('KEEP', 'KEEP', 'KEEP');
const REMOVE_ALL = settings('REMOVE', 'REMOVE', 'REMOVE');
const decided = (d: Partial<Decision>) => anItem({ decision: aDecision(d) });

describe('planItem', () => {
  it.each([KEEP_ALL, REMOVE_ALL])('keeps an approved assignment whatever the settings', (revocation) => {
    expect(planItem(decided({ outcome: 'APPROVE' }), open, revocation)).toEqual({ category: 'approved', change: 'NONE' });
  });

  it('keeps a rejected assignment when rejected is KEEP', () => {
    expect(planItem(decided({ outcome: 'REJECT' }), open, settings('KEEP', 'REMOVE', 'REMOVE'))).toEqual({
      category: 'rejected',
      change: 'NONE',
    });
  });

  it('removes a rejected assignment when rejected is REMOVE', () => {
    expect(planItem(decided({ outcome: 'REJECT' }), open, settings('REMOVE', 'KEEP', 'KEEP'))).toEqual({
      category: 'rejected',
      change: 'REMOVE',
      reason: 'REJECTED',
    });
  });

  it('applies a modification carrying the new end date and parameters when modified is KEEP', () => {
    const item = decided({ outcome: 'MODIFY', endDate: '2026-09-30T00:00:00.000Z', parameters: { project: 'gemini' } });
    expect(planItem(item, open, settings('REMOVE', 'KEEP', 'REMOVE'))).toEqual({
      category: 'modified',
      change: 'MODIFY',
      endDate: '2026-09-30T00:00:00.000Z',
      parameters: { project: 'gemini' },
    });
  });

  it('carries a removed end date (null) distinctly from an unchanged one', () => {
    const removed = planItem(decided({ outcome: 'MODIFY', endDate: null }), open, KEEP_ALL);
    expect(removed).toStrictEqual({ category: 'modified', change: 'MODIFY', endDate: null });
    const unchanged = planItem(decided({ outcome: 'MODIFY', parameters: { project: 'apollo' } }), open, KEEP_ALL);
    expect(unchanged).toStrictEqual({ category: 'modified', change: 'MODIFY', parameters: { project: 'apollo' } });
    expect('endDate' in unchanged).toBe(false);
  });

  it('removes a modified assignment when modified is REMOVE', () => {
    const item = decided({ outcome: 'MODIFY', endDate: '2026-09-30T00:00:00.000Z' });
    expect(planItem(item, open, settings('KEEP', 'REMOVE', 'KEEP'))).toStrictEqual({
      category: 'modified',
      change: 'REMOVE',
      reason: 'MODIFIED',
    });
  });

  it('keeps an undecided assignment, as uncertified, when uncertified is KEEP', () => {
    expect(planItem(anItem(), open, settings('REMOVE', 'REMOVE', 'KEEP'))).toEqual({ category: 'uncertified', change: 'NONE' });
  });

  it('removes an undecided assignment when uncertified is REMOVE', () => {
    expect(planItem(anItem(), open, settings('KEEP', 'KEEP', 'REMOVE'))).toEqual({
      category: 'uncertified',
      change: 'REMOVE',
      reason: 'UNCERTIFIED',
    });
  });

  it('treats a decision made after the entry closed as no decision', () => {
    const late = decided({ outcome: 'APPROVE', decidedAt: '2026-07-16T00:00:00.000Z' });
    const entry = { closedAt: '2026-07-15T00:00:00.000Z' };
    expect(planItem(late, entry, settings('KEEP', 'KEEP', 'REMOVE'))).toEqual({
      category: 'uncertified',
      change: 'REMOVE',
      reason: 'UNCERTIFIED',
    });
    const inTime = decided({ outcome: 'REJECT', decidedAt: '2026-07-15T00:00:00.000Z' });
    expect(planItem(inTime, entry, REMOVE_ALL)).toMatchObject({ category: 'rejected', change: 'REMOVE' });
  });

  // Every (decision x revocation setting) combination, in one table.
  const cases: [string, Partial<Decision> | undefined, keyof RevocationSettings | undefined, RevocationAction, ItemPlan['change']][] = [
    ['approve', { outcome: 'APPROVE' }, undefined, 'KEEP', 'NONE'],
    ['approve', { outcome: 'APPROVE' }, undefined, 'REMOVE', 'NONE'],
    ['reject', { outcome: 'REJECT' }, 'rejected', 'KEEP', 'NONE'],
    ['reject', { outcome: 'REJECT' }, 'rejected', 'REMOVE', 'REMOVE'],
    ['modify', { outcome: 'MODIFY', endDate: null }, 'modified', 'KEEP', 'MODIFY'],
    ['modify', { outcome: 'MODIFY', endDate: null }, 'modified', 'REMOVE', 'REMOVE'],
    ['undecided', undefined, 'uncertified', 'KEEP', 'NONE'],
    ['undecided', undefined, 'uncertified', 'REMOVE', 'REMOVE'],
    ['approve', { outcome: 'APPROVE' }, undefined, 'WORKFLOW', 'NONE'],
    ['reject', { outcome: 'REJECT' }, 'rejected', 'WORKFLOW', 'WORKFLOW'],
    ['modify', { outcome: 'MODIFY', endDate: null }, 'modified', 'WORKFLOW', 'WORKFLOW'],
    ['undecided', undefined, 'uncertified', 'WORKFLOW', 'WORKFLOW'],
  ];
  it.each(cases)('%s with its setting %s=%s only follows that setting', (_, decision, setting, action, change) => {
    const item = decision ? decided(decision) : anItem();
    // The other two settings take the opposite value: they must not matter.
    const opposite: RevocationAction = action === 'KEEP' ? 'REMOVE' : 'KEEP';
    const revocation: RevocationSettings = { rejected: opposite, modified: opposite, uncertified: opposite };
    if (setting) revocation[setting] = action;
    else Object.assign(revocation, { rejected: action, modified: action, uncertified: action });
    expect(planItem(item, open, revocation).change).toBe(change);
  });
});

describe('planItem with WORKFLOW', () => {
  const WORKFLOW_ALL = settings('WORKFLOW', 'WORKFLOW', 'WORKFLOW');

  it.each([
    ['rejected', decided({ outcome: 'REJECT' }), 'REJECTED'],
    ['uncertified', anItem(), 'UNCERTIFIED'],
  ] as const)('hands a %s assignment over with the reason the run records', (category, item, reason) => {
    expect(planItem(item, open, WORKFLOW_ALL)).toStrictEqual({ category, change: 'WORKFLOW', reason });
  });

  it('hands a modified assignment over without the modification: the workflow keeps it as it is or removes it', () => {
    const item = decided({ outcome: 'MODIFY', endDate: '2026-09-30T00:00:00.000Z', parameters: { project: 'gemini' } });
    expect(planItem(item, open, WORKFLOW_ALL)).toStrictEqual({ category: 'modified', change: 'WORKFLOW', reason: 'MODIFIED' });
  });

  it('never hands over an approved assignment', () => {
    expect(planItem(decided({ outcome: 'APPROVE' }), open, WORKFLOW_ALL)).toEqual({ category: 'approved', change: 'NONE' });
  });

  it('hands over a decision made after the entry closed as uncertified', () => {
    const late = decided({ outcome: 'REJECT', decidedAt: '2026-07-16T00:00:00.000Z' });
    expect(planItem(late, { closedAt: '2026-07-15T00:00:00.000Z' }, settings('REMOVE', 'REMOVE', 'WORKFLOW'))).toStrictEqual({
      category: 'uncertified',
      change: 'WORKFLOW',
      reason: 'UNCERTIFIED',
    });
  });
});

describe('itemWorkflowOf', () => {
  const run = (overrides: Partial<ApprovalRun> = {}): ApprovalRun => ({
    id: 'a-123456789abc',
    purpose: { kind: 'CAMPAIGN', campaignId: 'c-1', runId: 'c-1#1', entryId: 'e-1', itemId: 'p-fin', reason: 'REJECTED' },
    userId: 'u1',
    privilegeId: 'p-fin',
    workflow: { ...DEFAULT_WORKFLOW },
    stepIndex: 0,
    escalated: false,
    approverIds: ['owner'],
    stepStartedAt: '2026-07-15T01:00:00.000Z',
    dueDate: '2026-07-29T01:00:00.000Z',
    state: 'RUNNING',
    history: [],
    createdAt: '2026-07-15T01:00:00.000Z',
    updatedAt: '2026-07-15T01:00:00.000Z',
    version: 1,
    ...overrides,
  });

  it('records a running run by id, workflow and start', () => {
    expect(itemWorkflowOf(run())).toStrictEqual({ approvalId: 'a-123456789abc', workflowId: 'default', startedAt: '2026-07-15T01:00:00.000Z', state: 'RUNNING' });
  });

  it('records how a run that ended at once ended, and what it did', () => {
    const ended = run({
      state: 'REJECTED',
      outcome: { result: 'REJECTED', at: '2026-07-15T01:00:00.000Z', via: 'NO_APPROVER' },
      applied: { action: 'REMOVED', at: '2026-07-15T01:00:00.000Z' },
    });
    expect(itemWorkflowOf(ended)).toStrictEqual({
      approvalId: 'a-123456789abc',
      workflowId: 'default',
      startedAt: '2026-07-15T01:00:00.000Z',
      state: 'REJECTED',
      outcomeAt: '2026-07-15T01:00:00.000Z',
      appliedAction: 'REMOVED',
    });
    expect(itemWorkflowOf(run({ state: 'APPROVED', outcome: { result: 'APPROVED', at: '2026-07-20T00:00:00.000Z', via: 'DECISION', by: 'owner' } }))).toMatchObject({
      state: 'APPROVED',
      outcomeAt: '2026-07-20T00:00:00.000Z',
      outcomeBy: 'owner',
    });
  });
});

describe('countPlan and addStats', () => {
  it('counts each plan in its category and removals as revoked', () => {
    const plans: ItemPlan[] = [
      { category: 'approved', change: 'NONE' },
      { category: 'approved', change: 'NONE' },
      { category: 'rejected', change: 'REMOVE', reason: 'REJECTED' },
      { category: 'rejected', change: 'NONE' },
      { category: 'modified', change: 'MODIFY', endDate: null },
      { category: 'modified', change: 'REMOVE', reason: 'MODIFIED' },
      { category: 'uncertified', change: 'REMOVE', reason: 'UNCERTIFIED' },
    ];
    expect(plans.reduce(countPlan, emptyStats())).toEqual({ approved: 2, rejected: 2, modified: 2, uncertified: 1, revoked: 3, handedOver: 0 });
  });

  it('counts hand-overs in their category and as handedOver, never as revoked', () => {
    const plans: ItemPlan[] = [
      { category: 'rejected', change: 'WORKFLOW', reason: 'REJECTED' },
      { category: 'modified', change: 'WORKFLOW', reason: 'MODIFIED' },
      { category: 'uncertified', change: 'WORKFLOW', reason: 'UNCERTIFIED' },
      { category: 'uncertified', change: 'REMOVE', reason: 'UNCERTIFIED' },
    ];
    expect(plans.reduce(countPlan, emptyStats())).toEqual({ approved: 0, rejected: 1, modified: 1, uncertified: 2, revoked: 1, handedOver: 3 });
  });

  it('does not change the stats it was given', () => {
    const stats = emptyStats();
    countPlan(stats, { category: 'rejected', change: 'REMOVE', reason: 'REJECTED' });
    expect(stats).toEqual(emptyStats());
  });

  it('adds stats field by field', () => {
    const a = { approved: 1, rejected: 2, modified: 3, uncertified: 4, revoked: 5, handedOver: 6 };
    const b = { approved: 10, rejected: 20, modified: 30, uncertified: 40, revoked: 50, handedOver: 60 };
    expect(addStats(a, b)).toEqual({ approved: 11, rejected: 22, modified: 33, uncertified: 44, revoked: 55, handedOver: 66 });
    expect(addStats(emptyStats(), a)).toEqual(a);
  });

  it('adds the stats of an entry applied before hand-overs were counted as none handed over', () => {
    const legacy = { approved: 1, rejected: 2, modified: 3, uncertified: 4, revoked: 5 } as EntryStats;
    expect(addStats({ ...emptyStats(), handedOver: 2 }, legacy)).toEqual({ ...legacy, handedOver: 2 });
  });
});

describe('removing a role parameter', () => {
  it('hands the removal (null) to the directory when modified is KEEP', () => {
    const item = decided({ outcome: 'MODIFY', parameters: { project: null, site: 'Lyon' } });
    expect(planItem(item, open, KEEP_ALL)).toEqual({ category: 'modified', change: 'MODIFY', parameters: { project: null, site: 'Lyon' } });
  });

  it('sees the parameters as granted and as earlier stages changed them', () => {
    const item = anItem({
      parameters: { project: 'apollo', site: 'Paris' },
      priorDecisions: [aDecision({ outcome: 'MODIFY', parameters: { site: null, level: '2' } }), aDecision({ outcome: 'APPROVE' })],
    });
    expect(parametersSeen(item)).toEqual({ project: 'apollo', level: '2' });
    expect(missingRemovedParameter(item, { level: null, project: null })).toBeUndefined();
    expect(missingRemovedParameter(item, { project: 'gemini', site: null })).toBe('site');
    expect(missingRemovedParameter(anItem(), { project: null })).toBe('project');
    expect(missingRemovedParameter(anItem(), undefined)).toBeUndefined();
  });
});
