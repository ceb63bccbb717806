import { describe, expect, it } from 'vitest';
import { planItem } from '../../../lambdas/shared/domain/application.js';
import { splitSelfReview } from '../../../lambdas/shared/domain/review-groups.js';
import { awaitsNextStage, effectiveDecision, forwardedItems, isForwarded } from '../../../lambdas/shared/domain/stages.js';
import { aDecision, anEntry, anItem } from '../../support/fixtures.js';

const holder = (i: { userId: string; privilegeId: string }) => i;
const plan = [{ approverIds: ['u-manager'] }, { approverIds: ['u-owner'] }];

describe('splitSelfReview', () => {
  const items = [anItem({ userId: 'u-a', privilegeId: 'p' }), anItem({ userId: 'u-owner', privilegeId: 'p' }), anItem({ userId: 'u-b', privilegeId: 'p' })];

  it('keeps everything together when no approver holds an item', () => {
    const groups = splitSelfReview('PRIVILEGE', ['u-x'], items, holder, () => 'boss');
    expect(groups).toEqual([{ key: '', approverIds: ['u-x'], members: items, substitutions: [] }]);
  });

  it('hands an approver’s own item to the other approvers of the stage', () => {
    const groups = splitSelfReview('PRIVILEGE', ['u-owner', 'u-co'], items, holder, () => 'boss');
    expect(groups.map((g) => [g.key, g.approverIds, g.members.map((m) => m.userId)])).toEqual([
      ['', ['u-owner', 'u-co'], ['u-a', 'u-b']],
      ['self:u-owner', ['u-co'], ['u-owner']],
    ]);
  });

  it('goes one up when the holder is the only approver, and records the substitution', () => {
    const [, own] = splitSelfReview('PRIVILEGE', ['u-owner'], items, holder, (u) => (u === 'u-owner' ? 'u-boss' : undefined));
    expect(own).toMatchObject({ approverIds: ['u-boss'], substitutions: [{ itemId: 'u-owner', from: 'u-owner', to: 'u-boss' }] });
  });

  it('leaves no approver when nobody is above, and never the holder themself', () => {
    const [, own] = splitSelfReview('PRIVILEGE', ['u-owner'], items, holder, () => 'u-owner');
    expect(own!.approverIds).toEqual([]);
  });

  it('drops the empty main group of a USER subject who approves themself', () => {
    const mine = [anItem({ userId: 'u-m', privilegeId: 'p1' }), anItem({ userId: 'u-m', privilegeId: 'p2' })];
    const groups = splitSelfReview('USER', ['u-m'], mine, holder, () => 'u-boss');
    expect(groups.map((g) => g.key)).toEqual(['self:u-m']);
    expect(groups[0]!.substitutions.map((s) => s.itemId)).toEqual(['p1', 'p2']);
  });

  it('keeps one empty main group for a subject with nothing to certify', () => {
    expect(splitSelfReview('USER', ['u-m'], [], holder, () => undefined)).toHaveLength(1);
  });
});

describe('downstream stages', () => {
  const closed = anEntry({ state: 'APPROVAL.FINISHED', plan, closedAt: '2026-07-05T00:00:00.000Z' });
  const approved = anItem({ id: 'a', decision: aDecision({ outcome: 'APPROVE' }) });
  const modified = anItem({ id: 'm', decision: aDecision({ outcome: 'MODIFY', endDate: '2026-12-31T00:00:00.000Z' }) });
  const rejected = anItem({ id: 'r', decision: aDecision({ outcome: 'REJECT' }) });
  const late = anItem({ id: 'l', decision: aDecision({ outcome: 'APPROVE', decidedAt: '2026-07-06T00:00:00.000Z' }) });

  it('awaits the next stage when finished or expired with a stage left', () => {
    expect(awaitsNextStage(closed)).toBe(true);
    expect(awaitsNextStage({ ...closed, state: 'FAILED.EXPIRED' })).toBe(true);
    expect(awaitsNextStage({ ...closed, stage: 2 })).toBe(false);
    expect(awaitsNextStage({ ...closed, advancedAt: '2026-07-05T01:00:00.000Z' })).toBe(false);
    expect(awaitsNextStage({ ...closed, state: 'RUNNING' })).toBe(false);
  });

  it('forwards only what was approved or modified before the stage closed, keeping the decision as history', () => {
    const forwarded = forwardedItems(closed, [approved, modified, rejected, late]);
    expect(forwarded.map((i) => i.id)).toEqual(['a', 'm']);
    expect(forwarded[1]!.priorDecisions).toEqual([modified.decision]);
  });

  it('leaves forwarded items to the next stage when applying', () => {
    const advanced = { ...closed, advancedAt: '2026-07-05T01:00:00.000Z', nextEntryIds: ['e-2'] };
    expect([approved, modified, rejected, late].map((i) => isForwarded(advanced, i))).toEqual([true, true, false, false]);
    expect(isForwarded({ ...advanced, nextEntryIds: [] }, approved)).toBe(false);
  });

  it('applies an earlier modification when the last stage approves', () => {
    const item = anItem({ decision: aDecision({ outcome: 'APPROVE' }), priorDecisions: [modified.decision!] });
    expect(effectiveDecision(item)).toMatchObject({ outcome: 'MODIFY', endDate: '2026-12-31T00:00:00.000Z' });
    expect(planItem(item, anEntry(), { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' })).toMatchObject({ change: 'MODIFY', endDate: '2026-12-31T00:00:00.000Z' });
    const rejectedLater = anItem({ decision: aDecision({ outcome: 'REJECT' }), priorDecisions: [modified.decision!] });
    expect(effectiveDecision(rejectedLater)!.outcome).toBe('REJECT');
  });
});
