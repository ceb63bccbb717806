// The pre-launch preview: same selection, hooks and self-review rules as preparation; writes nothing.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { previewCampaign } from '../../lambdas/shared/use-cases/preview-campaign.js';
import { createHookInvoker } from '../../src/local/file-hook-invoker.js';
import { createHarness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { highRiskUserCampaign, smallOrg } from '../support/small-org.js';

const engine = useEngine();

describe('campaign preview', () => {
  it('shows subjects, items, workload, gaps and substitutions, and writes nothing', async () => {
    const { doc, names } = await engine.freshTables();
    const h = createHarness(doc, names);
    const org = smallOrg();
    org.assignments.push({ userId: 'm1', privilegeId: 'p-fin', origin: 'MANUAL' });
    await h.load(org);
    const before = await h.snapshot();
    const preview = await previewCampaign(
      { directory: h.directory },
      highRiskUserCampaign({ kind: 'PRIVILEGE', subjects: { filter: '(riskLevel>=HIGH)' } }),
      new Date('2026-06-20T00:00:00.000Z'),
    );
    expect(await h.snapshot()).toEqual(before);
    expect(preview).toMatchObject({ valid: true, dueDate: '2026-07-15T00:00:00.000Z', totals: { subjects: 2, entries: 3, items: 6 } });
    expect(preview.subjects.find((s) => s.id === 'p-fin')!.entries).toEqual([
      { key: 'p-fin', approverIds: ['m1'], items: 3 },
      { key: 'p-fin|self:m1', approverIds: ['admin'], items: 1 },
    ]);
    expect(preview.workload).toEqual([
      { approverId: 'm1', approverName: 'Name m1', entries: 1, items: 3 },
      { approverId: 'admin', approverName: 'Name admin', entries: 1, items: 1 },
    ]);
    expect(preview.withoutApprover).toEqual([{ subjectId: 'p-prod', items: 2 }]);
    expect(preview.substitutions).toEqual([{ subjectId: 'p-fin', itemId: 'm1', from: 'm1', to: 'admin', reason: 'm1 would certify their own access' }]);
  });

  it('reports what would fail preparation: a bad filter, a failing hook', async () => {
    const { doc, names } = await engine.freshTables();
    const h = createHarness(doc, names);
    await h.load(smallOrg());
    const bad = await previewCampaign({ directory: h.directory }, highRiskUserCampaign({ subjects: { filter: '(riskLevel>=HUGE)' } }), new Date('2026-06-20'));
    expect(bad.valid).toBe(false);
    expect(bad.logs.filter((l) => l.level === 'ERROR').map((l) => l.field)).toEqual(['subjects.filter']);
    const garbage = `file:${fileURLToPath(new URL('../fixtures/hooks/garbage-answer.mjs', import.meta.url))}`;
    const hooked = await previewCampaign(
      { directory: h.directory, hooks: createHookInvoker() },
      highRiskUserCampaign({ hooks: { findApprovers: garbage } }),
      new Date('2026-06-20'),
    );
    expect(hooked.valid).toBe(false);
    expect(hooked.logs.at(-1)).toMatchObject({ level: 'ERROR', field: 'hooks.findApprovers' });
  });
});
