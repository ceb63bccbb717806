// Hooks and downstream stages through the real controller handler: a three-stage PRIVILEGE campaign
// whose approvers come from a `file:` findApprovers hook, and hooks that fail in every way.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entryIdFor } from '../../lambdas/shared/domain/entries.js';
import { showCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { ForbiddenError } from '../../lambdas/shared/domain/errors.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { createHookInvoker } from '../../src/local/file-hook-invoker.js';
import { createHarness, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const hookFile = (path: string) => `file:${fileURLToPath(new URL(path, import.meta.url))}`;
const THREE_STAGES = hookFile('../../examples/hooks/find-approvers-three-stages.mjs');

async function setup(): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names, { hooks: createHookInvoker(), hookTimeoutMs: 3_000 });
  const org = smallOrg();
  org.users.push({ id: 'security-officer', displayName: 'Sec Officer', email: 'sec@example.com', department: 'IT', status: 'ACTIVE', riskLevel: 'LOW' });
  await h.load(org);
  return h;
}

const privilegeCampaign = (hooks: Record<string, string>) =>
  highRiskUserCampaign({ name: 'FinanceAdmin holders', kind: 'PRIVILEGE', subjects: { filter: '(id=p-fin)' }, hooks });

describe('three-stage approval from a file: findApprovers hook', () => {
  it('hands each stage what the previous approved; a later rejection removes the access', async () => {
    const h = await setup();
    const id = await h.create(privilegeCampaign({ findApprovers: THREE_STAGES }), T0, 'c-3stage');
    await h.run(day(0, 1));
    const stage1 = entryIdFor(`${id}#1`, 1, 'p-fin');
    let view = await showCampaign(h.campaigns, id);
    expect(view.entries.map((e) => [e.entry.stage, e.entry.approverIds])).toEqual([[1, ['m1']]]);
    expect(view.entries[0]!.entry.plan!.map((p) => p.name)).toEqual(['Owner review', 'Security review', 'Owner sign-off']);
    expect(view.entries[0]!.entry.dueDate).toBe(day(7)); // the stage's own period

    await h.decide(stage1, 'm1', [{ itemId: 'u1', outcome: 'APPROVE' }, { itemId: 'u2', outcome: 'APPROVE' }, { itemId: 'u6', outcome: 'MODIFY', endDate: '2026-12-31' }], day(1));
    await h.run(day(1, 1));
    view = await showCampaign(h.campaigns, id);
    const stage2 = view.entries.find((e) => e.entry.stage === 2)!;
    expect(stage2.entry).toMatchObject({ approverIds: ['security-officer'], state: 'RUNNING', dueDate: day(5, 1) });
    expect(stage2.items.map((i) => i.id).sort()).toEqual(['u1', 'u2', 'u6']);
    expect(stage2.items.find((i) => i.id === 'u6')!.priorDecisions!.map((d) => d.outcome)).toEqual(['MODIFY']);
    const starts = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'APPROVAL_START');
    expect(starts.map((n) => n.recipientId).sort()).toEqual(['m1', 'security-officer']);
    // The first stage's approver has no say in the second.
    await expect(h.decide(stage2.entry.id, 'm1', [{ itemId: 'u1', outcome: 'APPROVE' }], day(2))).rejects.toBeInstanceOf(ForbiddenError);

    await h.decide(stage2.entry.id, 'security-officer', [{ itemId: 'u2', outcome: 'REJECT', comment: 'no business need' }, { itemId: 'u1', outcome: 'APPROVE' }, { itemId: 'u6', outcome: 'APPROVE' }], day(2));
    await h.run(day(2, 1));
    view = await showCampaign(h.campaigns, id);
    const stage3 = view.entries.find((e) => e.entry.stage === 3)!;
    expect(stage3.entry.approverIds).toEqual(['admin']);
    expect(stage3.items.map((i) => i.id).sort()).toEqual(['u1', 'u6']); // u2 was rejected at stage 2

    await h.decide(stage3.entry.id, 'admin', [{ itemId: 'u1', outcome: 'APPROVE' }], day(3)); // u6 left open
    // The campaign's due date (day 14) passes while stage 3 (due day 5 + 3) is already over: it finishes.
    await h.run(day(14, 1));
    view = await showCampaign(h.campaigns, id);
    expect(view.campaign.state).toBe('SUCCEEDED');
    expect(view.entries.map((e) => [e.entry.stage, e.entry.state]).sort()).toEqual([
      [1, 'FINISHED'],
      [2, 'FINISHED'],
      [3, 'FINISHED'],
    ]);
    expect(view.campaign.stats).toMatchObject({ items: 3, rejected: 1, approved: 1, uncertified: 1, revoked: 2 });
    expect((await h.directory.listAssignmentsOfUser('u1')).map((a) => a.privilegeId)).toContain('p-fin');
    expect((await h.directory.listAssignmentsOfUser('u2')).map((a) => a.privilegeId)).not.toContain('p-fin');
    expect((await h.directory.listAssignmentsOfUser('u6')).map((a) => a.privilegeId)).not.toContain('p-fin');
    const rejects = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'ASSIGNMENT_REJECT');
    expect(rejects.map((n) => n.recipientId).sort()).toEqual(['u2', 'u6']);
  });

  it('applies an earlier stage’s modification when the last stage approves', async () => {
    const h = await setup();
    const id = await h.create(privilegeCampaign({ findApprovers: THREE_STAGES }), T0, 'c-3mod');
    await h.run(day(0, 1));
    const stage1 = entryIdFor(`${id}#1`, 1, 'p-fin');
    await h.decide(stage1, 'm1', [{ itemId: 'u1', outcome: 'MODIFY', endDate: '2026-12-31' }, { itemId: 'u2', outcome: 'APPROVE' }, { itemId: 'u6', outcome: 'APPROVE' }], day(1));
    for (const [stage, actor, at] of [[2, 'security-officer', 2], [3, 'admin', 3]] as const) {
      await h.run(day(at - 1, 1));
      const entry = (await showCampaign(h.campaigns, id)).entries.find((e) => e.entry.stage === stage)!;
      await decide(h, { entryId: entry.entry.id, actorId: actor, all: { outcome: 'APPROVE' } }, new Date(day(at)));
    }
    await h.run(day(14, 1));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('SUCCEEDED');
    expect((await h.directory.listAssignmentsOfUser('u1')).find((a) => a.privilegeId === 'p-fin')!.endDate).toBe('2026-12-31T00:00:00.000Z');
  });
});

describe('findSubjects and limitResources hooks', () => {
  it('choose the subjects and narrow their assignments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idgov-hooks-'));
    await writeFile(join(dir, 'subjects.mjs'), 'export default async (r) => ({ version: 1, subjectIds: r.campaign.kind === "USER" ? ["u1", "u2"] : [] });');
    await writeFile(
      join(dir, 'limit.mjs'),
      'export default async (r) => ({ version: 1, keep: r.assignments.filter((a) => a.privilegeId !== "p-git").map(({ userId, privilegeId }) => ({ userId, privilegeId })) });',
    );
    const h = await setup();
    const id = await h.create(
      highRiskUserCampaign({ subjects: {}, hooks: { findSubjects: `file:${join(dir, 'subjects.mjs')}`, limitResources: `file:${join(dir, 'limit.mjs')}` } }),
      T0,
      'c-hooks',
    );
    await h.run(day(0, 1));
    const view = await showCampaign(h.campaigns, id);
    expect(view.campaign.state).toBe('RUNNING');
    // u2 is LOW risk: no filter would choose it, the hook does; p-git is limited away.
    expect(Object.fromEntries(view.entries.map((e) => [e.entry.subjectId, e.items.map((i) => i.id).sort()]))).toEqual({
      u1: ['p-fin', 'p-prod'],
      u2: ['p-fin'],
    });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a failing hook', () => {
  it.each([
    ['answers garbage', hookFile('../fixtures/hooks/garbage-answer.mjs'), /findApprovers hook .* answered outside the contract/],
    ['throws', hookFile('../fixtures/hooks/throwing-hook.mjs'), /findApprovers hook .* failed: /],
    ['never answers', hookFile('../fixtures/hooks/never-resolves.mjs'), /findApprovers hook .* timed out after 3000 ms/],
    ['does not exist', 'file:/nonexistent/hook.mjs', /findApprovers hook .* failed: hook module .* not found/],
  ])('%s: the campaign fails preparation, says why, writes no entry', async (_, ref, message) => {
    const h = await setup();
    const id = await h.create(privilegeCampaign({ findApprovers: ref }), T0, 'c-hookfail');
    await h.run(day(0, 1));
    const view = await showCampaign(h.campaigns, id);
    expect(view.campaign.state).toBe('FAILED.PREPARED');
    const error = view.campaign.logs.find((l) => l.level === 'ERROR')!;
    expect(error.field).toBe('hooks.findApprovers');
    expect(error.message).toMatch(message);
    expect(view.entries).toEqual([]);
    const outbox = await collect(h.outbox.listByCampaign(id));
    expect(outbox.map((n) => n.kind)).toEqual(['PREPARE_ERROR']);
    expect(outbox[0]!.body).toContain('hooks.findApprovers');
  });

  it('a reference that is neither an ARN nor file: fails validation naming the hook', async () => {
    const h = await setup();
    const id = await h.create(privilegeCampaign({ findApprovers: 'my-function' }), T0, 'c-hookref');
    await h.run(day(0, 1));
    const campaign = (await h.campaigns.getCampaign(id))!;
    expect(campaign.state).toBe('FAILED.PREPARED');
    expect(campaign.logs.filter((l) => l.level === 'ERROR').map((l) => l.field)).toEqual(['hooks.findApprovers']);
  });
});
