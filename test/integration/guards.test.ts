// Blast-radius guards end to end on a real DynamoDB engine (docs/reference/guards.md): protected
// users and privileges are never removed by a campaign (REMOVE or WORKFLOW), a re-approval's
// rejection or an emergency removal, through the real handlers; a campaign over its revocation cap
// waits, removes nothing and tells its owner, until `confirm-apply`; the apply preview says exactly
// what applying then does.
import { describe, expect, it } from 'vitest';
import { createHandler as createEmergencyHandler } from '../../lambdas/emergency-access/handler.js';
import { createHandler as createInitializeHandler } from '../../lambdas/initialize-reapproval/handler.js';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOperationsStore } from '../../lambdas/shared/adapters/dynamo/dynamo-operations-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import type { ApprovalWorkflow } from '../../lambdas/shared/domain/approvals/model.js';
import { ADMIN_CHAIN, privilegeChain, runChain } from '../../lambdas/shared/domain/audit/model.js';
import { ClosedError, NotFoundError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { AppliedAction, Campaign, Item } from '../../lambdas/shared/domain/model.js';
import type { ApplyAction } from '../../lambdas/shared/domain/blast-radius.js';
import { confirmApply } from '../../lambdas/shared/use-cases/apply-guard.js';
import { previewApply } from '../../lambdas/shared/use-cases/apply-preview.js';
import { showCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { KEPT_BY_GUARD_PREFIX } from '../../lambdas/shared/use-cases/emergency-revoke.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { buildCampaignReport } from '../../lambdas/shared/use-cases/reports/campaign-report.js';
import { createHandler as createStartHandler } from '../../lambdas/start-reapproval/handler.js';
import { createHarness, RecordingMailer, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { aPrivilege, aUser, anAssignment } from '../support/fixtures.js';
import { day, entryOf, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();

/** The small organisation with a break-glass user (u4) and a protected privilege (p-prod, AWS-Prod-Admin). */
function guardedOrg() {
  const org = smallOrg();
  return {
    ...org,
    users: org.users.map((u) => (u.id === 'u4' ? { ...u, protected: { reason: 'break-glass account' } } : u)),
    privileges: org.privileges.map((p) => (p.id === 'p-prod' ? { ...p, protected: { reason: 'last production administrator role' } } : p)),
  };
}

async function harness(org = guardedOrg()): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  await h.load(org);
  return h;
}

const itemsOf = async (h: Harness, entryId: string): Promise<Record<string, Item>> =>
  Object.fromEntries((await h.campaigns.getEntryWithItems(entryId))!.items.map((i) => [i.id, i]));
const heldBy = async (h: Harness, userId: string) => (await h.directory.listAssignmentsOfUser(userId)).map((a) => a.privilegeId).sort();
const eventsOf = (h: Harness, chain: Parameters<InMemoryAuditLog['events']>[0]) => h.audit.events(chain);

describe('protected users and privileges at a campaign finish', () => {
  it('keeps every protected item the decisions would remove or hand over, reports it KEPT_BY_GUARD, and removes the rest', async () => {
    const h = await harness();
    // Rejections removed, the undecided handed to the privileges' workflows.
    const id = await h.create(highRiskUserCampaign({ revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'WORKFLOW' } }), T0, 'c-guarded');
    await h.run(day(0, 1));
    await h.decide(entryOf(id, 'u1'), 'm1', [
      { itemId: 'p-fin', outcome: 'APPROVE' },
      { itemId: 'p-git', outcome: 'REJECT', comment: 'left the platform team' },
      // The protected privilege: rejected, and kept.
      { itemId: 'p-prod', outcome: 'REJECT', comment: 'no longer on call' },
    ], day(2));
    // u4 (the break-glass user) is never decided: uncertified, WORKFLOW, and kept without a hand-over.
    await h.run(day(14, 1));

    const campaign = (await h.campaigns.getCampaign(id))!;
    expect(campaign).toMatchObject({ state: 'SUCCEEDED', stats: { approved: 1, rejected: 2, uncertified: 2, revoked: 1, handedOver: 0, keptByGuard: 3 } });
    expect(await heldBy(h, 'u1')).toEqual(['p-fin', 'p-mail', 'p-prod']);
    expect(await heldBy(h, 'u4')).toEqual(['p-fin', 'p-git', 'p-prod']);

    const u1 = await itemsOf(h, entryOf(id, 'u1'));
    expect(u1['p-git']!.applied).toMatchObject({ action: 'REMOVED' });
    expect(u1['p-prod']!.applied).toEqual({ action: 'KEPT_BY_GUARD', at: day(14, 1), reason: 'protected privilege p-prod: last production administrator role' });
    const u4 = await itemsOf(h, entryOf(id, 'u4'));
    for (const item of Object.values(u4)) {
      expect(item.applied).toEqual({ action: 'KEPT_BY_GUARD', at: day(14, 1), reason: 'protected user u4: break-glass account' });
      expect(item.workflow).toBeUndefined();
    }
    // No approval run was started for them (a hand-over would record APPROVAL_STARTED in the run's chain).
    expect(eventsOf(h, runChain(`${id}#1`)).some((e) => e.type === 'APPROVAL_STARTED' || e.type === 'ITEM_HANDED_OVER')).toBe(false);
    expect((await h.campaigns.getEntry(entryOf(id, 'u4')))!).toMatchObject({ state: 'FINISHED', stats: { uncertified: 2, handedOver: 0, revoked: 0, keptByGuard: 2 } });

    // Only what was removed is a revocation, and only its user is told.
    expect((await collect(h.campaigns.listRevocations(`${id}#1`))).map((r) => `${r.userId}/${r.privilegeId}`)).toEqual(['u1/p-git']);
    const rejects = h.mailer.sent.filter((m) => m.subject.startsWith('Your access has changed'));
    expect(rejects.map((m) => m.to)).toEqual(['u1@example.com']);
    expect(rejects[0]!.body).toContain('GitHub-Org-Owner (p-git)');
    expect(rejects[0]!.body).not.toContain('p-prod');
    const end = h.mailer.sent.find((m) => m.subject.startsWith('Certification campaign finished'))!;
    expect(end.body).toContain('- Kept because the user or the privilege is protected: 3\n');

    // The audit log lists each kept item with its protection.
    const kept = eventsOf(h, runChain(`${id}#1`)).filter((e) => e.type === 'ITEM_KEPT_BY_GUARD').flatMap((e) => e.data.items as Record<string, unknown>[]);
    expect(kept.map((i) => `${String(i.userId)}/${String(i.privilegeId)} ${String(i.category)} ${String(i.reason)}: ${String(i.guard)}`).sort()).toEqual([
      'u1/p-prod rejected REJECTED: protected privilege p-prod: last production administrator role',
      'u4/p-git uncertified UNCERTIFIED: protected user u4: break-glass account',
      'u4/p-prod uncertified UNCERTIFIED: protected user u4: break-glass account',
    ]);

    // The campaign report shows them, with why.
    const report = await buildCampaignReport({ campaigns: h.campaigns, approvals: h.approvals }, id, { now: new Date(day(15)) });
    expect(report.totals).toMatchObject({ revoked: 1, keptByGuard: 3, handedOver: 0 });
    const row = report.rows.find((r) => r.userId === 'u1' && r.privilegeId === 'p-prod')!;
    expect(row).toMatchObject({ appliedAction: 'KEPT_BY_GUARD', appliedReason: 'protected privilege p-prod: last production administrator role', outcome: 'KEPT', result: 'REJECTED' });
  });
});

describe('a re-approval rejection of a protected privilege', () => {
  /** Rejected when its owner stays silent for two days. */
  const REJECTS: ApprovalWorkflow = { id: 'wf-silent-rejects', name: 'Owner, rejected when silent', steps: [{ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 2, onTimeout: 'REJECT' }] };

  it('keeps the assignment (KEPT_BY_GUARD), ends the re-approval with its next date, tells nobody; the unprotected one is removed', async () => {
    const { doc, names } = await engine.freshTables();
    const directory = new DynamoDirectoryStore({ doc, tableName: names.directory });
    const operations = new DynamoOperationsStore({ doc, tableName: names.operations });
    const approvals = new DynamoApprovalStore({ doc, tableName: names.campaign });
    const outbox = new DynamoOutbox({ doc, tableName: names.campaign });
    const audit = new InMemoryAuditLog();
    const mailer = new RecordingMailer();
    const wallClock = { now: () => new Date('2030-01-01T00:00:00.000Z') };
    const initialize = createInitializeHandler(() => ({ directory, operations, wallClock, log: silentLog }));
    const start = createStartHandler(() => ({
      directory,
      operations,
      approvals,
      campaigns: new DynamoCampaignStore({ doc, tableName: names.campaign }),
      outbox,
      audit,
      mailer,
      portalUrl: 'https://portal.example',
      wallClock,
      log: silentLog,
    }));
    await directory.putUsers([aUser({ id: 'u-owner' }), aUser({ id: 'u-a', managerId: 'u-owner' }), aUser({ id: 'u-b', managerId: 'u-owner' })]);
    const reapproval = { mode: 'CONTINUOUS' as const, intervalDays: 30, workflowId: REJECTS.id };
    await directory.putPrivileges([
      aPrivilege({ id: 'p-root', ownerIds: ['u-owner'], reapproval, protected: { reason: 'last administrator role' } }),
      aPrivilege({ id: 'p-plain', ownerIds: ['u-owner'], reapproval }),
    ]);
    await directory.putWorkflows([REJECTS]);
    await directory.putAssignments([
      anAssignment({ userId: 'u-a', privilegeId: 'p-root', approvedAt: '2026-05-01T00:00:00.000Z', approvedBy: 'u-owner' }),
      anAssignment({ userId: 'u-b', privilegeId: 'p-plain', approvedAt: '2026-05-01T00:00:00.000Z', approvedBy: 'u-owner' }),
    ]);
    const at = (iso: string) => ({ now: iso }) as never;

    await initialize(at('2026-07-01T05:00:00.000Z'));
    expect(await start(at('2026-07-01T06:00:00.000Z'))).toMatchObject({ started: { continuous: 2 } });
    // Both steps time out (due 2026-07-04): rejected, and the outcomes applied.
    expect(await start(at('2026-07-05T06:00:00.000Z'))).toMatchObject({ rejected: 2 });

    expect(await directory.getAssignment('u-b', 'p-plain')).toBeUndefined();
    const kept = (await directory.getAssignment('u-a', 'p-root'))!;
    // Still held, with the approval it had; reviewed again 30 days after the rejection (as after an approval).
    expect(kept).toMatchObject({ origin: 'MANUAL', approvedAt: '2026-05-01T00:00:00.000Z', approvedBy: 'u-owner', reapprovalMode: 'CONTINUOUS', nextReapprovalAt: '2026-08-04T00:00:00.000Z' });
    expect(kept.reapproval).toBeUndefined();
    const events = audit.events(privilegeChain('p-root'));
    const applied = events.find((e) => e.type === 'REAPPROVAL_OUTCOME_APPLIED')!;
    expect(applied.data).toMatchObject({ userId: 'u-a', result: 'REJECTED', action: 'KEPT_BY_GUARD', guard: 'protected privilege p-root: last administrator role' });
    expect(events.some((e) => e.type === 'ASSIGNMENT_REVOKED')).toBe(false);
    expect(audit.events(privilegeChain('p-plain')).some((e) => e.type === 'ASSIGNMENT_REVOKED')).toBe(true);
    // Only the removed one's holder is told of a loss.
    expect(mailer.sent.filter((m) => m.subject.startsWith('Your access')).map((m) => m.to)).toEqual(['u-b@example.com']);
  });
});

describe('an emergency removal', () => {
  it('removes what it may and records each protected assignment NOT_REMOVED with the guard as the reason', async () => {
    const { doc, names } = await engine.freshTables();
    const directory = new DynamoDirectoryStore({ doc, tableName: names.directory });
    const operations = new DynamoOperationsStore({ doc, tableName: names.operations });
    const audit = new InMemoryAuditLog();
    const handler = createEmergencyHandler(() => ({ directory, operations, audit, clock: { now: () => new Date('2026-12-01T10:00:00.000Z') }, log: silentLog }));
    await directory.putUsers([aUser({ id: 'u-mallory' }), aUser({ id: 'u-bg', protected: { reason: 'break-glass account' } })]);
    await directory.putPrivileges([aPrivilege({ id: 'p-pay' }), aPrivilege({ id: 'p-root', protected: { reason: 'last administrator role' } })]);
    await directory.putAssignments([
      anAssignment({ userId: 'u-mallory', privilegeId: 'p-pay' }),
      anAssignment({ userId: 'u-mallory', privilegeId: 'p-root' }),
      anAssignment({ userId: 'u-bg', privilegeId: 'p-pay' }),
    ]);
    const event = (userId: string) => ({ userId, reason: 'credentials leaked (INC-42)', requestedBy: 'oncall@example.com' });

    const mallory = await handler(event('u-mallory'), { awsRequestId: 'req-1' } as never);
    expect(mallory.removed.map((r) => r.privilegeId)).toEqual(['p-pay']);
    expect(mallory.notRemoved).toEqual([
      expect.objectContaining({
        privilegeId: 'p-root',
        status: 'NOT_REMOVED',
        notRemovedReason: `${KEPT_BY_GUARD_PREFIX}protected privilege p-root: last administrator role (no emergency removal removes it: take the protection off in the directory file first)`,
      }),
    ]);
    expect((await directory.listAssignmentsOfUser('u-mallory')).map((a) => a.privilegeId)).toEqual(['p-root']);

    // A protected user: nothing removed, every assignment recorded with why.
    const bg = await handler(event('u-bg'), { awsRequestId: 'req-2' } as never);
    expect(bg.removed).toEqual([]);
    expect(bg.notRemoved.map((r) => `${r.privilegeId}: ${r.notRemovedReason}`)).toEqual([`p-pay: ${KEPT_BY_GUARD_PREFIX}protected user u-bg: break-glass account (no emergency removal removes it: take the protection off in the directory file first)`]);
    expect((await directory.listAssignmentsOfUser('u-bg')).map((a) => a.privilegeId)).toEqual(['p-pay']);
    expect((await operations.listRemovals('u-bg')).map((r) => r.status)).toEqual(['NOT_REMOVED']);

    // Asked again (Lambda's retry of the same request): nothing new is recorded or removed.
    const again = await handler(event('u-bg'), { awsRequestId: 'req-2' } as never);
    expect(again).toMatchObject({ removed: [], notRemoved: [], alreadyRecorded: 0 });
    expect(await operations.listRemovals('u-bg')).toHaveLength(1);
    expect((await directory.listAssignmentsOfUser('u-bg')).map((a) => a.privilegeId)).toEqual(['p-pay']);

    const revocations = audit.events(ADMIN_CHAIN).filter((e) => e.type === 'EMERGENCY_REVOCATION');
    expect(revocations[0]!.data).toMatchObject({ userId: 'u-mallory', removed: ['p-pay'], notRemoved: [{ privilegeId: 'p-root', reason: expect.stringContaining('protected privilege p-root') }] });
  });
});

describe('the revocation cap', () => {
  /** The scripted decisions: u1 approves p-fin, rejects p-git, modifies p-prod; u4 (2 items) never decided. */
  async function decideAsScripted(h: Harness, id: string) {
    await h.decide(entryOf(id, 'u1'), 'm1', [
      { itemId: 'p-fin', outcome: 'APPROVE' },
      { itemId: 'p-git', outcome: 'REJECT' },
      { itemId: 'p-prod', outcome: 'MODIFY', endDate: '2026-10-01' },
    ], day(2));
  }

  it('waits over the cap, removing nothing and telling the owner once, until confirm-apply; then applies what the preview said', async () => {
    const h = await harness(smallOrg());
    // The default cap (20 %): removing 3 of the 5 items is over it.
    const id = await h.create(highRiskUserCampaign({ guard: undefined }), T0, 'c-capped');
    // A campaign stored before the Apply Confirmation existed has no template of it: the default speaks.
    const stored = (await h.campaigns.getCampaign(id))!;
    const { APPLY_CONFIRMATION: _none, ...older } = stored.templates;
    await h.campaigns.saveCampaign({ ...stored, templates: older as Campaign['templates'], version: stored.version + 1 });

    await h.run(day(0, 1));
    await decideAsScripted(h, id);
    // u4's approver rejects one item on day 3 and leaves the other: the entry stays open.
    await h.decide(entryOf(id, 'u4'), 'm2', [{ itemId: 'p-git', outcome: 'REJECT' }], day(3));

    // Before the end, what applying would do as of an instant: an open entry (u4) is taken to close
    // then, so a decision recorded after it does not count (the item is uncertified).
    const early = await previewApply(h, id, new Date(day(2, 1)));
    expect(early).toMatchObject({ phase: 'DONE', openEntries: 1, totals: { items: 5, remove: 3, modify: 1, keep: 1, handOver: 0, keptByGuard: 0 }, cap: { exceeded: true, maxRemovals: 1 } });
    const u4Git = (p: typeof early) => p.items.find((i) => i.userId === 'u4' && i.privilegeId === 'p-git')!;
    expect(u4Git(early)).toMatchObject({ category: 'uncertified', action: 'REMOVE', revocation: 'REMOVE' });
    expect(u4Git(await previewApply(h, id, new Date(day(4))))).toMatchObject({ category: 'rejected', decision: 'REJECT', decidedBy: 'm2', action: 'REMOVE' });

    await h.run(day(14, 1));
    const waiting = (await h.campaigns.getCampaign(id))!;
    expect(waiting).toMatchObject({ state: 'RUNNING', phase: { name: 'AWAIT_CONFIRMATION', since: day(14, 1), counts: { items: 5, remove: 3, modify: 1, keep: 1, handOver: 0, keptByGuard: 0 } } });
    // Nothing removed or modified.
    expect(await heldBy(h, 'u1')).toEqual(['p-fin', 'p-git', 'p-mail', 'p-prod']);
    expect(await heldBy(h, 'u4')).toEqual(['p-fin', 'p-git', 'p-prod']);
    expect((await h.directory.getAssignment('u1', 'p-prod'))!.endDate).toBe('2027-01-01T00:00:00.000Z');
    const asked = h.mailer.sent.filter((m) => m.subject.startsWith('Confirmation needed'));
    expect(asked.map((m) => m.to)).toEqual(['admin@example.com']);
    expect(asked[0]!.subject).toBe('Confirmation needed: campaign "Finance high-risk users" would remove 60 % of its items');
    expect(asked[0]!.body).toContain(`idgov campaign confirm-apply ${id}`);
    expect(asked[0]!.body).toContain('- Remove: 3 (60 %)');

    // It waits: later runs change nothing and tell nobody again (the campaign is not even due).
    const later = await h.run(day(20));
    expect(later.transitions).toEqual([]);
    expect((await h.campaigns.getCampaign(id))!.version).toBe(waiting.version);
    expect(h.mailer.sent.filter((m) => m.subject.startsWith('Confirmation needed'))).toHaveLength(1);
    await expect(confirmApply(h, 'c-missing', 'admin', new Date(day(21)))).rejects.toThrow(NotFoundError);
    await expect(confirmApply(h, id, '  ', new Date(day(21)))).rejects.toThrow(ValidationError);

    // The preview while it waits: every item, and why.
    const preview = await previewApply(h, id, new Date(day(21)));
    expect(preview).toMatchObject({ phase: 'AWAIT_CONFIRMATION', openEntries: 0, totals: waiting.phase.name === 'AWAIT_CONFIRMATION' ? waiting.phase.counts : {}, cap: { exceeded: true, awaitingSince: day(14, 1) } });
    expect(preview.items.map((i) => `${i.userId}/${i.privilegeId} ${i.action}: ${i.why}`)).toEqual([
      'u1/p-fin KEEP: approved by m1',
      'u1/p-git REMOVE: rejected by m1; revocation.rejected REMOVE',
      'u1/p-prod MODIFY: modified by m1; revocation.modified KEEP',
      'u4/p-git REMOVE: rejected by m2; revocation.rejected REMOVE',
      'u4/p-prod REMOVE: not certified by the due date; revocation.uncertified REMOVE',
    ]);

    const confirmed = await confirmApply(h, id, 'admin', new Date(day(21)));
    expect(confirmed.phase).toEqual({ name: 'APPLY', confirmed: { by: 'admin', at: day(21), counts: preview.totals } });
    // Confirmed again: the same, one record.
    expect((await confirmApply(h, id, 'admin', new Date(day(21, 1)))).version).toBe(confirmed.version);
    const confirmations = eventsOf(h, runChain(`${id}#1`)).filter((e) => e.type === 'APPLY_CONFIRMED');
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatchObject({ actor: 'user:admin', data: { by: 'admin', asOwner: true, maxRemovalShare: 0.2, counts: { remove: 3, items: 5 } } });
    expect(eventsOf(h, runChain(`${id}#1`)).find((e) => e.type === 'APPLY_GUARD_CHECKED')!.data).toMatchObject({ exceeded: true, next: 'AWAIT_CONFIRMATION', removalShare: 0.6 });

    await h.run(day(21, 2));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('SUCCEEDED');
    expect(await heldBy(h, 'u1')).toEqual(['p-fin', 'p-mail', 'p-prod']);
    expect(await heldBy(h, 'u4')).toEqual(['p-fin']);
    await expect(confirmApply(h, id, 'admin', new Date(day(22)))).rejects.toThrow(ClosedError);

    // What applying did is what the preview said, item by item.
    const done = new Map<string, AppliedAction | undefined>();
    for (const subject of ['u1', 'u4']) {
      for (const item of Object.values(await itemsOf(h, entryOf(id, subject)))) done.set(`${item.userId}/${item.privilegeId}`, item.applied?.action);
    }
    const APPLIED_AS: Record<ApplyAction, AppliedAction | undefined> = { REMOVE: 'REMOVED', MODIFY: 'MODIFIED', HAND_OVER: 'HANDED_OVER', KEPT_BY_GUARD: 'KEPT_BY_GUARD', KEEP: undefined };
    expect(Object.fromEntries(preview.items.map((i) => [`${i.userId}/${i.privilegeId}`, APPLIED_AS[i.action]]))).toEqual(Object.fromEntries(done));
    await expect(previewApply(h, id, new Date(day(22)))).rejects.toThrow(/SUCCEEDED: only a RUNNING campaign can be previewed; its decisions were applied/);
  });

  it('counts in chunks with its cursor: out of budget, each invocation counts one entry and saves where it stands', async () => {
    const { doc, names } = await engine.freshTables();
    const NO_TIME = { hasTimeLeft: () => false, remainingMs: () => 0 };
    const h = createHarness(doc, names, { chunks: { entries: 1 }, budgetFor: () => NO_TIME });
    await h.load(smallOrg());
    const id = await h.create(highRiskUserCampaign({ guard: undefined }), T0, 'c-chunked');
    const toEnd = async (at: string) => {
      for (let report = await h.run(at), n = 1; report.continue; n++) report = await h.invoke({ now: at, continuation: n });
    };
    await toEnd(day(0, 1));
    await decideAsScripted(h, id);
    // The finish's first invocation closes u4 and starts GUARD; then one entry a chunk (u1, u4, u6), each saved with its cursor.
    const seen: string[] = [];
    let report = await h.run(day(14, 1));
    for (let n = 1; report.continue; n++) {
      const c = (await h.campaigns.getCampaign(id))!;
      if (c.phase.name === 'GUARD') seen.push(`${c.phase.after ?? '-'} ${c.phase.counted?.items ?? 0}/${c.phase.counted?.remove ?? 0}`);
      report = await h.invoke({ now: day(14, 1), continuation: n });
    }
    // Entered with nothing counted; then u1's entry (3 items, 1 removal) and u4's (2 more removals), each with its cursor; u6's (nothing applied) last, with the verdict.
    expect(seen.map((s) => s.split(' ')[1])).toEqual(['0/0', '3/1', '5/3']);
    const entryIds = [entryOf(id, 'u1'), entryOf(id, 'u4'), entryOf(id, 'u6')];
    expect(seen.slice(1).every((s) => entryIds.includes(s.split(' ')[0]!))).toBe(true);
    expect((await h.campaigns.getCampaign(id))!.phase).toMatchObject({ name: 'AWAIT_CONFIRMATION', counts: { items: 5, remove: 3 } });
    expect(await heldBy(h, 'u4')).toEqual(['p-fin', 'p-git', 'p-prod']);
    expect(eventsOf(h, runChain(`${id}#1`)).filter((e) => e.type === 'APPLY_GUARD_CHECKED')).toHaveLength(1);
  });

  it('goes straight to APPLY within the cap, with the guard\'s count in the audit log', async () => {
    const h = await harness(smallOrg());
    const id = await h.create(highRiskUserCampaign({ guard: { maxRemovalShare: 0.6 } }), T0, 'c-within');
    await h.run(day(0, 1));
    await decideAsScripted(h, id);
    await h.run(day(14, 1));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('SUCCEEDED');
    expect(h.mailer.sent.some((m) => m.subject.startsWith('Confirmation needed'))).toBe(false);
    expect(eventsOf(h, runChain(`${id}#1`)).find((e) => e.type === 'APPLY_GUARD_CHECKED')!.data).toMatchObject({ exceeded: false, next: 'APPLY', maxRemovalShare: 0.6 });
    expect((await showCampaign(h.campaigns, id)).campaign.stats).toMatchObject({ revoked: 3 });
  });
});
