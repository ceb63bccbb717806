// What `idgov campaign show` and `idgov tasks` print of an item handed to an approval workflow.
import { describe, expect, it } from 'vitest';
import type { ItemWorkflow } from '../../../lambdas/shared/domain/model.js';
import { describeWorkflow, itemView } from '../../../src/cli/campaign.js';
import { aDecision, anItem } from '../../support/fixtures.js';

const running: ItemWorkflow = { approvalId: 'a-0123456789ab', workflowId: 'wf-fin', startedAt: '2026-07-15T01:00:00.000Z', state: 'RUNNING' };

describe('itemView', () => {
  it('shows the run an item was handed to, and how it ended', () => {
    const ended: ItemWorkflow = { ...running, state: 'REJECTED', outcomeAt: '2026-07-20T09:00:00.000Z', outcomeBy: 'u-cfo', appliedAction: 'REMOVED' };
    const item = anItem({ decision: aDecision({ outcome: 'REJECT' }), applied: { action: 'HANDED_OVER', at: '2026-07-15T01:00:00.000Z' }, workflow: ended });
    expect(itemView(item)).toMatchObject({ applied: { action: 'HANDED_OVER' }, workflow: ended });
  });

  it('has no workflow field for an item that was not handed over', () => {
    expect(itemView(anItem({ decision: aDecision() }))).not.toHaveProperty('workflow');
  });
});

describe('describeWorkflow', () => {
  it('names the run, its state and workflow while it runs', () => {
    expect(describeWorkflow(running)).toBe('a-0123456789ab RUNNING (workflow wf-fin)');
  });

  it('says who ended it, when, and what it did to the assignment', () => {
    expect(describeWorkflow({ ...running, state: 'REJECTED', outcomeAt: '2026-07-20T09:00:00.000Z', outcomeBy: 'u-cfo', appliedAction: 'REMOVED' })).toBe(
      'a-0123456789ab REJECTED by u-cfo 2026-07-20T09:00:00Z, REMOVED (workflow wf-fin)',
    );
    expect(describeWorkflow({ ...running, state: 'APPROVED', outcomeAt: '2026-07-29T01:00:00.000Z', appliedAction: 'KEPT' })).toBe(
      'a-0123456789ab APPROVED 2026-07-29T01:00:00Z, KEPT (workflow wf-fin)',
    );
  });
});
