// The finish of a campaign whose revocation hands items to approval workflows (`WORKFLOW`), on the
// in-memory stores. The approval engine is replaced by a stand-in that keeps its contract (a run's id
// is its purpose's; a start finds the run a killed one created; a campaign hand-over follows the
// privilege's approvalWorkflowId, else the default): what is tested here is the finish around it.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import {
  approvalIdFor,
  DEFAULT_REAPPROVAL_CONFIG,
  DEFAULT_WORKFLOW,
  type ApprovalRun,
  type ApprovalWorkflow,
  type ReapprovalConfig,
} from '../../../lambdas/shared/domain/approvals/model.js';
import { NotFoundError } from '../../../lambdas/shared/domain/errors.js';
import type { Assignment, Campaign, Item, RevocationSettings } from '../../../lambdas/shared/domain/model.js';
import { startApprovalRun, type StartApprovalRequest } from '../../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { applyDecisions, closeCampaign, retryFailedChanges, type FinishDeps } from '../../../lambdas/shared/use-cases/finish-campaign.js';
import { verifyRevocations } from '../../../lambdas/shared/use-cases/verify-revocations.js';
import { silentLog, type ApprovalStore, type Pages } from '../../../lambdas/shared/use-cases/ports.js';
import { refuseChangesTo } from '../../support/refusing-directory.js';
import { sampleRun } from '../../support/approval-run.js';
import { killAtWrite } from '../../support/write-kill.js';
import { InjectedKill } from '../../support/fault-injection.js';
import { CAMPAIGN_ID, DUE, OWNER_ID, aCampaign, aDecision, aPrivilege, aUser, anAssignment, anEntry, anItem, at } from '../../support/fixtures.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const engine = vi.hoisted(() => ({
  starts: [] as { request: StartApprovalRequest; config: ReapprovalConfig; now: string }[],
}));

vi.mock('../../../lambdas/shared/use-cases/approvals/approval-engine.js', async () => {
  // The real look-up (it only reads runs by id), in the stand-in as in the finish.
  const { findApprovalRun } = await vi.importActual<typeof import('../../../lambdas/shared/use-cases/approvals/approval-engine.js')>('../../../lambdas/shared/use-cases/approvals/approval-engine.js');
  return {
    findApprovalRun,
    async resolveWorkflow(directory: FinishDeps['directory'], privilege: { approvalWorkflowId?: string }, purpose: string) {
      if (purpose !== 'CAMPAIGN') throw new Error(`a campaign hand-over resolves for CAMPAIGN, not ${purpose}`);
      if (!privilege.approvalWorkflowId) return DEFAULT_WORKFLOW;
      const workflow = await directory.getWorkflow(privilege.approvalWorkflowId);
      if (!workflow) throw new NotFoundError('workflow', `${privilege.approvalWorkflowId} (approvalWorkflowId)`);
      return workflow;
    },
    async startApprovalRun(deps: FinishDeps, request: StartApprovalRequest, config: ReapprovalConfig, now: Date): Promise<ApprovalRun> {
      const { assignment, privilege, workflow, purpose } = request;
      const { id, run: found } = await findApprovalRun(deps.approvals, purpose, assignment.userId, assignment.privilegeId);
      if (found) return found;
      engine.starts.push({ request, config, now: now.toISOString() });
      const at = now.toISOString();
      const run: ApprovalRun = {
        id,
        purpose,
        userId: assignment.userId,
        privilegeId: assignment.privilegeId,
        workflow,
        stepIndex: 0,
        escalated: false,
        approverIds: privilege.ownerIds,
        stepStartedAt: at,
        dueDate: new Date(now.getTime() + workflow.steps[0]!.timeoutDays * 86_400_000).toISOString(),
        state: 'RUNNING',
        history: [],
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      await deps.approvals.createApproval(run);
      return run;
    },
  };
});

/** Approval runs in a map: the two calls the finish and the stand-in engine make. */
class RunsInMemory implements ApprovalStore {
  readonly runs = new Map<string, ApprovalRun>();
  async createApproval(run: ApprovalRun) {
    if (this.runs.has(run.id)) return false;
    this.runs.set(run.id, structuredClone(run));
    return true;
  }
  async getApproval(id: string) {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }
  async saveApproval(run: ApprovalRun) {
    this.runs.set(run.id, structuredClone(run));
  }
  async listApprovalTasks(): Promise<ApprovalRun[]> {
    throw new Error('not used by the finish');
  }
  async *listApprovalsNeedingAction(): Pages<ApprovalRun> {
    throw new Error('not used by the finish');
  }
}

/** The in-memory directory with the three re-approval reads the finish makes. */
class Directory extends InMemoryDirectoryStore {
  readonly loadedWorkflows = new Map<string, ApprovalWorkflow>();
  config: ReapprovalConfig | undefined;
  configReads = 0;
  override async getWorkflow(id: string) {
    return this.loadedWorkflows.get(id);
  }
  override async getReapprovalConfig() {
    this.configReads += 1;
    return this.config;
  }
  override async getAssignment(userId: string, privilegeId: string): Promise<Assignment | undefined> {
    return (await this.listAssignmentsOfUser(userId)).find((a) => a.privilegeId === privilegeId);
  }
}

const NOW = at('2026-07-15T01:00:00.000Z');
const RUN_ID = `${CAMPAIGN_ID}#1`;
const FIN_WORKFLOW: ApprovalWorkflow = {
  id: 'wf-fin',
  name: 'Finance controller, then the CFO',
  steps: [
    { approvers: ['u-controller'], timeoutDays: 5, onTimeout: 'ESCALATE' },
    { approvers: ['u-cfo'], timeoutDays: 5, onTimeout: 'REJECT' },
  ],
};
const HAND_OVER: RevocationSettings = { rejected: 'WORKFLOW', modified: 'WORKFLOW', uncertified: 'REMOVE' };

/**
 * u-alice's entry, due now: p-fin rejected (its privilege names wf-fin), p-git approved, p-prod
 * modified (its privilege names no workflow: the default), p-x never decided (removed).
 */
async function world(options: { revocation?: RevocationSettings; finWorkflowLoaded?: boolean } = {}) {
  engine.starts.length = 0;
  const directory = new Directory();
  await directory.putUsers([aUser({ id: 'u-alice' }), aUser({ id: OWNER_ID }), aUser({ id: 'u-manager' })]);
  await directory.putPrivileges([
    aPrivilege({ id: 'p-fin', approvalWorkflowId: 'wf-fin' }),
    aPrivilege({ id: 'p-git' }),
    aPrivilege({ id: 'p-prod', ownerIds: ['u-prod-owner'] }),
    aPrivilege({ id: 'p-x' }),
  ]);
  const assignments = ['p-fin', 'p-git', 'p-prod', 'p-x'].map((privilegeId) => anAssignment({ privilegeId, endDate: '2027-01-01T00:00:00.000Z' }));
  await directory.putAssignments(assignments);
  if (options.finWorkflowLoaded !== false) directory.loadedWorkflows.set(FIN_WORKFLOW.id, FIN_WORKFLOW);
  directory.config = { reminders: { daysBeforeDue: 2, intervalHours: 12 } };

  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  const approvals = new RunsInMemory();
  const campaign = aCampaign({ state: 'RUNNING', dueDate: DUE, phase: { name: 'APPLY' }, revocation: options.revocation ?? HAND_OVER });
  await campaigns.createCampaign(campaign);
  const items: Item[] = [
    anItem({ privilegeId: 'p-fin', decision: aDecision({ outcome: 'REJECT' }) }),
    anItem({ privilegeId: 'p-git', decision: aDecision({ outcome: 'APPROVE' }) }),
    anItem({ privilegeId: 'p-prod', decision: aDecision({ outcome: 'MODIFY', endDate: '2026-08-01T00:00:00.000Z' }) }),
    anItem({ privilegeId: 'p-x' }),
  ];
  await campaigns.putEntriesWithItems([{ entry: anEntry({ itemCount: items.length }), items }]);
  const deps: FinishDeps = { directory, campaigns, approvals, outbox, audit: new InMemoryAuditLog(), portalUrl: 'https://idgov.example.com', log: silentLog };
  return { deps, directory, campaigns, approvals, outbox };
}
type World = Awaited<ReturnType<typeof world>>;

/** The controller's finish phases, from wherever the campaign stands. */
async function finish(w: World, now = NOW): Promise<Campaign> {
  let campaign = (await w.campaigns.getCampaign(CAMPAIGN_ID))!;
  if (campaign.phase.name === 'APPLY') campaign = await applyDecisions(w.deps, campaign, now);
  if (campaign.phase.name === 'VERIFY') campaign = await verifyRevocations(w.deps, campaign, now);
  if (campaign.phase.name === 'NOTIFY_REJECTS') campaign = await closeCampaign(w.deps, campaign, now);
  return campaign;
}

const itemsOf = async (w: World) => Object.fromEntries((await w.campaigns.getEntryWithItems('e-1'))!.items.map((i) => [i.id, i]));
const assignmentsOf = async (w: World) => Object.fromEntries((await w.directory.listAssignmentsOfUser('u-alice')).map((a) => [a.privilegeId, a]));
const purposeOf = (itemId: string, reason: 'REJECTED' | 'MODIFIED' | 'UNCERTIFIED') =>
  ({ kind: 'CAMPAIGN', campaignId: CAMPAIGN_ID, runId: RUN_ID, entryId: 'e-1', itemId, reason }) as const;
const runIdOf = (itemId: string, reason: 'REJECTED' | 'MODIFIED' | 'UNCERTIFIED') => approvalIdFor(purposeOf(itemId, reason), 'u-alice', itemId);

describe('the finish of a campaign with WORKFLOW revocation', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('hands each rejected and modified item to its privilege workflow, and leaves the assignment as it is', async () => {
    const campaign = await finish(w);

    expect(engine.starts.map((s) => [s.request.purpose, s.request.workflow.id, s.request.assignment.privilegeId, s.request.privilege.id])).toEqual([
      [purposeOf('p-fin', 'REJECTED'), 'wf-fin', 'p-fin', 'p-fin'],
      [purposeOf('p-prod', 'MODIFIED'), 'default', 'p-prod', 'p-prod'],
    ]);
    // The domain's reminder settings, read once for the entry; the business time of the finish.
    expect(engine.starts.map((s) => [s.config, s.now])).toEqual([
      [{ reminders: { daysBeforeDue: 2, intervalHours: 12 } }, NOW.toISOString()],
      [{ reminders: { daysBeforeDue: 2, intervalHours: 12 } }, NOW.toISOString()],
    ]);
    expect(w.directory.configReads).toBe(1);

    const items = await itemsOf(w);
    expect(items['p-fin']).toMatchObject({
      applied: { action: 'HANDED_OVER', at: NOW.toISOString() },
      workflow: { approvalId: runIdOf('p-fin', 'REJECTED'), workflowId: 'wf-fin', startedAt: NOW.toISOString(), state: 'RUNNING' },
    });
    expect(items['p-prod']).toMatchObject({
      applied: { action: 'HANDED_OVER' },
      workflow: { approvalId: runIdOf('p-prod', 'MODIFIED'), workflowId: 'default', state: 'RUNNING' },
    });
    expect(items['p-git']!.applied).toBeUndefined();
    expect(items['p-x']!.applied).toMatchObject({ action: 'REMOVED' });
    expect([...w.approvals.runs.keys()].sort()).toEqual([runIdOf('p-fin', 'REJECTED'), runIdOf('p-prod', 'MODIFIED')].sort());

    // Handed over: nothing removed and the modification not applied (the workflow keeps it as it is or removes it).
    const assignments = await assignmentsOf(w);
    expect(Object.keys(assignments).sort()).toEqual(['p-fin', 'p-git', 'p-prod']);
    expect(assignments['p-prod']!.endDate).toBe('2027-01-01T00:00:00.000Z');

    // The user loses only p-x now: one Assignment Reject, from the one revocation.
    expect((await collect(w.campaigns.listRevocations(RUN_ID))).map((r) => r.privilegeId)).toEqual(['p-x']);
    const notices = await collect(w.outbox.listByCampaign(CAMPAIGN_ID));
    expect(notices.filter((n) => n.kind === 'ASSIGNMENT_REJECT').map((n) => n.recipientId)).toEqual(['u-alice']);

    const stats = { approved: 1, rejected: 1, modified: 1, uncertified: 1, revoked: 1, handedOver: 2 };
    expect((await w.campaigns.getEntry('e-1'))!).toMatchObject({ state: 'FINISHED', stats });
    expect(campaign).toMatchObject({ state: 'SUCCEEDED', stats: { ...stats, entries: 1, items: 4 } });
  });

  it('reads no re-approval setting for an entry with nothing to hand over', async () => {
    w = await world({ revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' } });
    await finish(w);
    expect(w.directory.configReads).toBe(0);
    expect(engine.starts).toEqual([]);
    expect((await w.campaigns.getEntry('e-1'))!.stats).toMatchObject({ revoked: 1, handedOver: 0 });
  });

  it('uses the default reminder settings when the domain has none', async () => {
    w.directory.config = undefined;
    await finish(w);
    expect(engine.starts.map((s) => s.config)).toEqual([DEFAULT_REAPPROVAL_CONFIG, DEFAULT_REAPPROVAL_CONFIG]);
  });

  it('hands nothing over when the assignment is gone or no longer MANUAL: kept, and not counted as handed over', async () => {
    await w.directory.removeAssignment('u-alice', 'p-fin');
    await w.directory.putAssignments([anAssignment({ privilegeId: 'p-prod', origin: 'RULE' })]);

    const campaign = await finish(w);

    expect(engine.starts).toEqual([]);
    expect(w.approvals.runs.size).toBe(0);
    const items = await itemsOf(w);
    expect(items['p-fin']).toMatchObject({ applied: { action: 'KEPT', at: NOW.toISOString() } });
    expect(items['p-prod']).toMatchObject({ applied: { action: 'KEPT' } });
    expect(items['p-fin']!.workflow).toBeUndefined();
    expect((await w.campaigns.getEntry('e-1'))!).toMatchObject({ state: 'FINISHED', stats: { rejected: 1, modified: 1, handedOver: 0, revoked: 1 } });
    expect(campaign.stats).toMatchObject({ handedOver: 0 });
    // The rule-based assignment is untouched.
    expect((await assignmentsOf(w))['p-prod']).toMatchObject({ origin: 'RULE' });
  });

  it('does not count an item kept for want of an assignment as handed over when a retry applies the rest of its entry', async () => {
    await w.directory.removeAssignment('u-alice', 'p-fin');
    const refusal = refuseChangesTo(w.directory, 'u-alice', 'p-x');
    const campaign = await finish(w);
    expect((await w.campaigns.getEntry('e-1'))!).toMatchObject({ state: 'FAILED.APPLIED.CHANGES', stats: { handedOver: 1, revoked: 0 } });

    refusal.heal();
    const retried = await retryFailedChanges(w.deps, campaign, at('2026-07-16T01:00:00.000Z'));

    expect((await itemsOf(w))['p-fin']!.applied).toMatchObject({ action: 'KEPT', at: NOW.toISOString() });
    expect((await w.campaigns.getEntry('e-1'))!).toMatchObject({ state: 'FINISHED', stats: { rejected: 1, handedOver: 1, revoked: 1 } });
    expect(retried.stats).toMatchObject({ handedOver: 1, revoked: 1 });
    expect(engine.starts.map((s) => s.request.privilege.id)).toEqual(['p-prod']);
  });

  it('fails the entry naming a workflow that is not loaded, hands over the rest, and a later run hands it over once it is loaded', async () => {
    w = await world({ finWorkflowLoaded: false });
    const campaign = await finish(w);

    const failed = (await w.campaigns.getEntry('e-1'))!;
    expect(failed.state).toBe('FAILED.APPLIED.CHANGES');
    expect(failed.error).toMatch(/^changes failed to apply: p-fin: .*wf-fin/);
    expect(failed.stats).toMatchObject({ rejected: 1, handedOver: 1, revoked: 1 });
    expect(engine.starts.map((s) => s.request.privilege.id)).toEqual(['p-prod']);
    expect((await itemsOf(w))['p-fin']).not.toHaveProperty('applied');
    expect(campaign).toMatchObject({ state: 'SUCCEEDED', stats: { handedOver: 1, entriesByState: { 'FAILED.APPLIED.CHANGES': 1 } } });

    // Still not loaded: the retry changes nothing.
    expect(await retryFailedChanges(w.deps, campaign, at('2026-07-16T01:00:00.000Z'))).toBe(campaign);

    w.directory.loadedWorkflows.set(FIN_WORKFLOW.id, FIN_WORKFLOW);
    const retried = await retryFailedChanges(w.deps, campaign, at('2026-07-17T01:00:00.000Z'));

    expect(engine.starts.map((s) => s.request.privilege.id)).toEqual(['p-prod', 'p-fin']);
    expect((await itemsOf(w))['p-fin']).toMatchObject({ applied: { action: 'HANDED_OVER' }, workflow: { workflowId: 'wf-fin', state: 'RUNNING' } });
    expect((await w.campaigns.getEntry('e-1'))!).toMatchObject({ state: 'FINISHED', stats: { handedOver: 2 } });
    expect(retried.stats).toMatchObject({ handedOver: 2, entriesByState: { FINISHED: 1 } });
    // A hand-over is no removal: the retry tells the user nothing.
    expect((await collect(w.outbox.listByCampaign(CAMPAIGN_ID))).filter((n) => n.kind === 'ASSIGNMENT_REJECT')).toHaveLength(1);
  });

  it('keeps the outcome of a run that ended at its start (it removed the assignment): handed over, not kept', async () => {
    // A killed pass: the engine started p-fin's run, nobody could approve, its REJECT rule removed
    // the assignment and recorded the outcome on the item; the pass died before marking the item applied.
    const id = runIdOf('p-fin', 'REJECTED');
    await w.approvals.createApproval({
      ...(await startedRun(w, 'p-fin', 'REJECTED')),
      state: 'REJECTED',
      outcome: { result: 'REJECTED', at: NOW.toISOString(), via: 'NO_APPROVER' },
      applied: { action: 'REMOVED', at: NOW.toISOString() },
    });
    await w.directory.removeAssignment('u-alice', 'p-fin');
    const ended = { approvalId: id, workflowId: 'wf-fin', startedAt: NOW.toISOString(), state: 'REJECTED', outcomeAt: NOW.toISOString(), appliedAction: 'REMOVED' } as const;
    await w.campaigns.saveItemWorkflow('e-1', 'p-fin', ended);

    await finish(w);

    expect(engine.starts.map((s) => s.request.privilege.id)).toEqual(['p-prod']);
    expect((await itemsOf(w))['p-fin']).toMatchObject({ applied: { action: 'HANDED_OVER' }, workflow: ended });
    expect((await w.campaigns.getEntry('e-1'))!.stats).toMatchObject({ handedOver: 2, revoked: 1 });
    // The engine told the user (its own Assignment Reject); the finish's lists only p-x.
    expect((await collect(w.campaigns.listRevocations(RUN_ID))).map((r) => r.privilegeId)).toEqual(['p-x']);
  });

  it("never overwrites an outcome the engine wrote on the item after the finish read it (a concurrent or resumed run)", async () => {
    const ended = { approvalId: runIdOf('p-fin', 'REJECTED'), workflowId: 'wf-fin', startedAt: NOW.toISOString(), state: 'APPROVED', outcomeAt: NOW.toISOString(), outcomeBy: 'u-controller', appliedAction: 'KEPT' } as const;
    // The engine's outcome lands between the finish's read of the items and its hand-over record.
    const original = w.campaigns.saveItemWorkflow.bind(w.campaigns);
    w.campaigns.saveItemWorkflow = async (entryId, itemId, workflow, options) => {
      if (itemId === 'p-fin') await original(entryId, itemId, ended);
      return original(entryId, itemId, workflow, options);
    };

    await finish(w);

    expect((await itemsOf(w))['p-fin']).toMatchObject({ applied: { action: 'HANDED_OVER' }, workflow: ended });
    expect((await itemsOf(w))['p-prod']!.workflow).toMatchObject({ state: 'RUNNING' });
  });

  it('records a run that a killed pass started and never recorded on the item, as the run is now', async () => {
    const run = await startedRun(w, 'p-fin', 'REJECTED');
    await w.approvals.createApproval({ ...run, state: 'APPROVED', outcome: { result: 'APPROVED', at: NOW.toISOString(), via: 'DECISION', by: 'u-controller' } });

    await finish(w);

    expect(engine.starts.map((s) => s.request.privilege.id)).toEqual(['p-prod']);
    expect((await itemsOf(w))['p-fin']!.workflow).toEqual({
      approvalId: run.id,
      workflowId: 'wf-fin',
      startedAt: NOW.toISOString(),
      state: 'APPROVED',
      outcomeAt: NOW.toISOString(),
      outcomeBy: 'u-controller',
    });
  });

  it('ends, after a kill at any write and a re-run, exactly as a clean finish, with one run per item handed over', async () => {
    const clean = await world();
    await finish(clean);
    const expected = await stateOf(clean);
    expect(expected.runs).toHaveLength(2);

    let writes = 0;
    for (let k = 1; ; k++) {
      const killed = await world();
      const kill = killAtWrite(k, targetsOf(killed));
      let died = false;
      try {
        await finish(killed);
      } catch (error) {
        if (!(error instanceof InjectedKill)) throw error;
        died = true;
      }
      writes = kill.count();
      kill.restore();
      if (!died) break;
      await finish(killed);
      expect(await stateOf(killed), `killed at write ${k}`).toEqual(expected);
    }
    // Every write of the finish was a kill point: runs, item workflows, applied marks, the entry, the campaign.
    expect(writes).toBeGreaterThanOrEqual(10);
  });

  it("hands an item over whose run's first id another run holds: the item records its own run, under the next id", async () => {
    const held = runIdOf('p-fin', 'REJECTED');
    await w.approvals.createApproval(sampleRun({ id: held }));
    await finish(w);
    const own = approvalIdFor(purposeOf('p-fin', 'REJECTED'), 'u-alice', 'p-fin', 1);
    expect((await itemsOf(w))['p-fin']!.workflow).toMatchObject({ approvalId: own, workflowId: 'wf-fin', state: 'RUNNING' });
    expect(await w.approvals.getApproval(own)).toMatchObject({ userId: 'u-alice', privilegeId: 'p-fin', purpose: purposeOf('p-fin', 'REJECTED') });
    expect(await w.approvals.getApproval(held)).toEqual(sampleRun({ id: held }));
  });
});

/** A run as the stand-in engine starts it, not stored. */
async function startedRun(w: World, privilegeId: string, reason: 'REJECTED' | 'MODIFIED' | 'UNCERTIFIED'): Promise<ApprovalRun> {
  const scratch = new RunsInMemory();
  const request: StartApprovalRequest = {
    purpose: purposeOf(privilegeId, reason),
    assignment: (await w.directory.getAssignment('u-alice', privilegeId))!,
    privilege: (await w.directory.getPrivilege(privilegeId))!,
    workflow: FIN_WORKFLOW,
  };
  const run = await startApprovalRun({ ...w.deps, approvals: scratch }, request, DEFAULT_REAPPROVAL_CONFIG, NOW);
  engine.starts.length = 0;
  return run;
}

function targetsOf(w: World) {
  return [
    [w.campaigns, ['saveItemWorkflow', 'saveItemApplied', 'saveEntry', 'saveAppliedChanges', 'saveCampaign']],
    [w.approvals, ['createApproval', 'saveApproval']],
    [w.directory, ['removeAssignment', 'modifyAssignment']],
    [w.outbox, ['enqueue']],
  ] as const;
}

async function stateOf(w: World) {
  const campaign = (await w.campaigns.getCampaign(CAMPAIGN_ID))!;
  const loaded = (await w.campaigns.getEntryWithItems('e-1'))!;
  return {
    campaign: { state: campaign.state, phase: campaign.phase, stats: campaign.stats, version: campaign.version },
    entry: loaded.entry,
    items: loaded.items,
    runs: [...w.approvals.runs.values()].sort((a, b) => a.id.localeCompare(b.id)),
    revocations: await collect(w.campaigns.listRevocations(RUN_ID)),
    notices: (await collect(w.outbox.listByCampaign(CAMPAIGN_ID))).map((n) => [n.key, n.kind, n.recipientId]).sort(),
    assignments: await assignmentsOf(w),
  };
}
