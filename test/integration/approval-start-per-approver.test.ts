// Approval Start is one mail per approver and stage (docs/reference/notifications.md), through the real
// controller handler on a real engine: stage 1 is announced after preparation, chunk by chunk, with
// approvers whose entries span chunks; a chain killed between (or inside) chunks still tells each
// approver exactly once; a later stage's entries written by one controller run are announced in one
// mail per approver, and entries written by a later run in a later one.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';
import type { TimeBudget } from '../../lambdas/shared/use-cases/ports.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { createHookInvoker } from '../../src/local/file-hook-invoker.js';
import { createHarness, KilledError, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-starts';
const RUN = `${CAMPAIGN}#1`;
const THREE_STAGES = `file:${fileURLToPath(new URL('../../examples/hooks/find-approvers-three-stages.mjs', import.meta.url))}`;

/** 9 finance subjects; managers m1..m3 take turns (u01 m1, u02 m2, u03 m3, u04 m1, …): each one's entries span chunks. */
function org(): DirectoryFile {
  const person = (id: string, managerId?: string) => ({
    id,
    displayName: `Name ${id}`,
    email: `${id}@example.com`,
    ...(managerId ? { managerId } : {}),
    department: 'Finance',
    status: 'ACTIVE' as const,
    riskLevel: id.startsWith('u') ? ('HIGH' as const) : ('LOW' as const),
  });
  const subjects = Array.from({ length: 9 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
  return {
    users: [person('admin'), person('security-officer', 'admin'), ...['m1', 'm2', 'm3'].map((m) => person(m, 'admin')), ...subjects.map((id, i) => person(id, `m${(i % 3) + 1}`))],
    privileges: ['p1', 'p2'].map((id) => ({ id, name: `Privilege ${id}`, ownerIds: ['admin'], riskLevel: 'LOW' as const })),
    assignments: subjects.flatMap((userId, i) => [
      { userId, privilegeId: 'p1', origin: 'MANUAL' as const },
      ...(i % 2 === 0 ? [{ userId, privilegeId: 'p2', origin: 'MANUAL' as const }] : []),
    ]),
  };
}

const NO_TIME: TimeBudget = { hasTimeLeft: () => false, remainingMs: () => 0 };

async function harness(options: { stages?: boolean } = {}): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  // Two entries a chunk and no time left: every chunk of preparation and of the announcement is an invocation of its own.
  const h = createHarness(doc, names, { chunks: { prepare: { subjects: 2, items: 1_000 }, entries: 2 }, budgetFor: () => NO_TIME, hooks: createHookInvoker(), hookTimeoutMs: 3_000 });
  await h.load(org());
  await h.create(highRiskUserCampaign({ statusExpirationDate: '2026-09-01', ...(options.stages ? { hooks: { findApprovers: THREE_STAGES } } : {}) }), T0, CAMPAIGN);
  return h;
}

async function runToEnd(h: Harness, at: string): Promise<ControllerReport[]> {
  const reports = [await h.run(at)];
  while (reports.at(-1)!.continue) {
    expect(reports.length, 'a chain that never ends').toBeLessThan(200);
    reports.push(await h.invoke({ now: at, continuation: reports.length }));
  }
  return reports;
}

/** The Approval Start mails, as (recipient, reviews announced). */
const startMails = (h: Harness) =>
  h.mailer.sent
    .filter((m) => m.subject.startsWith('Action required'))
    .map((m) => ({ to: m.to.split('@')[0]!, reviews: Number(/Reviews assigned to you \(one per user or privilege\): (\d+)/.exec(m.body)?.[1]) }));

/** Each approver's running entries of a stage, from the entries themselves. */
async function entriesPerApprover(h: Harness, stage: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of await collect(h.campaigns.listEntries(RUN))) {
    if (e.stage !== stage || e.state !== 'RUNNING') continue;
    for (const a of e.approverIds) counts[a] = (counts[a] ?? 0) + 1;
  }
  return counts;
}

describe('Approval Start: one mail per approver and stage', () => {
  it('announces stage 1 after preparation, in chunks, one mail per approver with all of their entries', async () => {
    const h = await harness();
    const chain = await runToEnd(h, day(0, 1));
    expect(chain.length).toBeGreaterThan(5 + 5); // 5 chunks of preparation, 5 of announcement
    expect(await entriesPerApprover(h, 1)).toEqual({ m1: 3, m2: 3, m3: 3 });
    expect(startMails(h).sort((a, b) => a.to.localeCompare(b.to))).toEqual([
      { to: 'm1', reviews: 3 },
      { to: 'm2', reviews: 3 },
      { to: 'm3', reviews: 3 },
    ]);
    const starts = (await collect(h.outbox.listByCampaign(CAMPAIGN))).filter((n) => n.kind === 'APPROVAL_START');
    expect(starts.map((n) => n.key).sort()).toEqual([`${RUN}|APPROVAL_START|1|m1`, `${RUN}|APPROVAL_START|1|m2`, `${RUN}|APPROVAL_START|1|m3`]);
    // About no single entry: the mail links the approver's tasks, with the stage's due date and the assignments in all.
    const m1 = h.mailer.sent.find((m) => m.to === 'm1@example.com' && m.subject.startsWith('Action required'))!;
    expect(m1.body).toContain('https://idgov.example.com/tasks?approver=m1');
    expect(m1.body).toContain('Assignments to review: 5'); // u01 (2), u04 (1), u07 (2)
    expect(m1.body).not.toContain('Under review:');
    expect(await h.campaigns.getCampaign(CAMPAIGN)).toMatchObject({ state: 'RUNNING' });
  }, 60_000);

  it('tells each approver exactly once when the chain is killed between or inside chunks', async () => {
    const killedIn = new Set<string>();
    for (const k of [9, 22, 30, 33, 36, 39, 42, 45]) {
      const h = await harness();
      h.kill.arm(k);
      await expect(runToEnd(h, day(0, 1)), `kill after write ${k}`).rejects.toSatisfy(
        (error: unknown) => error instanceof KilledError || (error instanceof AggregateError && error.errors.every((e) => e instanceof KilledError)),
      );
      h.kill.arm(undefined);
      killedIn.add((await h.campaigns.getCampaign(CAMPAIGN))!.phase.name);
      h.wall.advance(16 * 60_000);
      await runToEnd(h, day(0, 1));
      const mails = startMails(h).sort((a, b) => a.to.localeCompare(b.to));
      expect(mails, `after a kill after write ${k}`).toEqual([
        { to: 'm1', reviews: 3 },
        { to: 'm2', reviews: 3 },
        { to: 'm3', reviews: 3 },
      ]);
      expect(await h.campaigns.getCampaign(CAMPAIGN), `after a kill after write ${k}`).toMatchObject({ state: 'RUNNING' });
    }
    // The kills landed in preparation and between the announcement's chunks.
    expect([...killedIn].sort()).toEqual(['ANNOUNCE', 'PREPARE']);
  }, 120_000);

  it('announces a later stage once per approver for the entries one run wrote, and a later run’s entries in a later mail', async () => {
    const h = await harness({ stages: true });
    await runToEnd(h, day(0, 1));
    expect(startMails(h).map((m) => m.to).sort()).toEqual(['m1', 'm2', 'm3']);
    // Five subjects' stage 1 decided: the next run starts stage 2 for all five (security-officer).
    const subjects = ['u01', 'u02', 'u03', 'u04', 'u05'];
    const decideAll = async (ids: string[], at: string) => {
      for (const s of ids) {
        const entry = (await h.campaigns.getEntryWithItems(entryOf(CAMPAIGN, s)))!;
        await h.decide(entry.entry.id, entry.entry.approverIds[0]!, entry.items.map((i) => ({ itemId: i.id, outcome: 'APPROVE' })), at);
      }
    };
    await decideAll(subjects, day(1));
    await runToEnd(h, day(1, 1));
    expect(await entriesPerApprover(h, 2)).toEqual({ 'security-officer': 5 });
    expect(startMails(h).filter((m) => m.to === 'security-officer')).toEqual([{ to: 'security-officer', reviews: 5 }]);
    const marked = (await collect(h.campaigns.listEntries(RUN))).filter((e) => e.announceBatch !== undefined);
    expect(marked, 'marks removed once announced').toEqual([]);
    // A run with nothing new sends nothing more.
    await runToEnd(h, day(1, 2));
    expect(startMails(h).filter((m) => m.to === 'security-officer')).toHaveLength(1);
    // Two more decided: a later run writes their stage 2, and a later mail announces those two only.
    await decideAll(['u06', 'u07'], day(2));
    await runToEnd(h, day(2, 1));
    expect(startMails(h).filter((m) => m.to === 'security-officer')).toEqual([
      { to: 'security-officer', reviews: 5 },
      { to: 'security-officer', reviews: 2 },
    ]);
  }, 60_000);

  it('announces a later stage exactly once per entry when the run that writes it is killed', async () => {
    for (const k of [2, 5, 8, 11]) {
      const h = await harness({ stages: true });
      await runToEnd(h, day(0, 1));
      for (const s of ['u01', 'u02', 'u03', 'u04', 'u05']) {
        const entry = (await h.campaigns.getEntryWithItems(entryOf(CAMPAIGN, s)))!;
        await h.decide(entry.entry.id, entry.entry.approverIds[0]!, entry.items.map((i) => ({ itemId: i.id, outcome: 'APPROVE' })), day(1));
      }
      h.kill.arm(k);
      await runToEnd(h, day(1, 1)).catch((error: unknown) => {
        if (!(error instanceof KilledError) && !(error instanceof AggregateError)) throw error;
      });
      h.kill.arm(undefined);
      h.wall.advance(16 * 60_000);
      await runToEnd(h, day(1, 1));
      await runToEnd(h, day(1, 2));
      const mails = startMails(h).filter((m) => m.to === 'security-officer');
      // Entries written before the kill and after it may be told in two mails; each entry is in exactly one.
      expect(mails.reduce((n, m) => n + m.reviews, 0), `kill after write ${k}: ${JSON.stringify(mails)}`).toBe(5);
      expect(await entriesPerApprover(h, 2)).toEqual({ 'security-officer': 5 });
    }
  }, 120_000);
});
