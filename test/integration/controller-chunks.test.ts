// Time-budgeted chunks and continuations (docs/reference/scale.md), through the real controller
// handler on a real engine: with no budget at all and chunks of a few records, every phase
// (prepare, apply, tell the users, clean up) takes one chunk per invocation and continues in the
// next, and the run ends exactly as one unlimited run does: the same records, the same mail, nothing
// twice. A kill between (or inside) chunks is resumed by the next chain.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';
import type { Campaign } from '../../lambdas/shared/domain/model.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import type { TimeBudget } from '../../lambdas/shared/use-cases/ports.js';
import { runChain } from '../../lambdas/shared/domain/audit/model.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { createHarness, KilledError, type Harness, type Snapshot } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-chunks';
const RUN = `${CAMPAIGN}#1`;

/** 8 finance subjects (one with no manager: No Approver), two or three MANUAL assignments each. */
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
  const subjects = Array.from({ length: 8 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
  const managerOf = (i: number) => (i % 11 === 6 ? undefined : `m${(i % 3) + 1}`);
  return {
    users: [person('admin'), person('m1', 'admin'), person('m2', 'admin'), person('m3', 'admin'), ...subjects.map((id, i) => person(id, managerOf(i)))],
    privileges: ['p1', 'p2', 'p3'].map((id) => ({ id, name: `Privilege ${id}`, ownerIds: ['admin'], riskLevel: 'LOW' as const })),
    assignments: subjects.flatMap((userId, i) => [
      { userId, privilegeId: 'p1', origin: 'MANUAL' as const },
      { userId, privilegeId: 'p2', origin: 'MANUAL' as const },
      ...(i % 2 === 0 ? [{ userId, privilegeId: 'p3', origin: 'MANUAL' as const }] : []),
    ]),
  };
}

/** Half the subjects decided (p2 rejected for every other one); the rest expire: uncertified, removed. */
const decisions = org()
  .users.filter((u) => u.id.startsWith('u') && u.managerId)
  .slice(0, 4)
  .map((u, i) => ({
    subjectId: u.id,
    actor: u.managerId!,
    decisions: [
      { itemId: 'p1', outcome: 'APPROVE' },
      { itemId: 'p2', outcome: i % 2 === 0 ? 'REJECT' : 'APPROVE' },
    ],
  }));

const STAGES = { start: day(0, 1), finish: day(14, 1), expiry: day(70) };

/** Not one chunk more than it must: no time left from the start, so each invocation does one step or chunk. */
const NO_TIME: TimeBudget = { hasTimeLeft: () => false, remainingMs: () => 0 };
const TINY_CHUNKS = { prepare: { subjects: 2, items: 1_000 }, entries: 2 };

async function harness(chunked: boolean, cleanup: 'DELETE' | 'TTL' = 'DELETE'): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  // The same chunks either way (each chunk saves its cursor): only the budget differs.
  const h = createHarness(doc, names, { chunks: TINY_CHUNKS, cleanup, ...(chunked ? { budgetFor: () => NO_TIME } : {}) });
  await h.load(org());
  await h.create(highRiskUserCampaign({ statusExpirationDate: '2026-09-01' }), T0, CAMPAIGN);
  return h;
}

/** One scheduled run and every continuation it asks for, as the Lambda chain or the local runtime runs them. */
async function runToEnd(h: Harness, at: string, watch?: (report: ControllerReport) => Promise<void>): Promise<ControllerReport[]> {
  const reports = [await h.run(at)];
  await watch?.(reports[0]!);
  while (reports.at(-1)!.continue) {
    expect(reports.length, 'a chain that never ends').toBeLessThan(500);
    const report = await h.invoke({ now: at, continuation: reports.length });
    reports.push(report);
    await watch?.(report);
  }
  return reports;
}

async function decide(h: Harness) {
  for (const d of decisions) await h.decide(entryOf(CAMPAIGN, d.subjectId), d.actor, d.decisions, day(2));
}

/**
 * What a chain legitimately changes: when a notice was sent (a kill moves the wall clock on, for the
 * lease), and the evidence pack's hashes, which follow the audit log's order: a continuation sends
 * what is safe to send between chunks, so its records interleave with the chunks' (compared apart).
 */
const comparable = (snapshot: Snapshot) => ({
  ...snapshot,
  campaigns: snapshot.campaigns.map((r) => {
    if (String(r.PK).startsWith('OUTBOX#')) return { ...r, sentAt: undefined };
    if (r.evidence) return { ...r, evidence: { ...(r.evidence as object), headHash: undefined, manifestSha256: undefined } };
    return r;
  }),
});
/** The audit log's records, by key, whatever their order. */
const auditOf = async (h: Harness) =>
  (await collect(h.audit.listRecords(runChain(RUN))))
    .map((r) => `${r.eventKey} ${r.events.map((e) => `${e.type}:${JSON.stringify(e.data)}`).join(',')}`.replace(/"(headHash|manifestSha256)":"[0-9a-f]+"/g, '"$1":"-"'))
    .sort();
const mailOf = (h: Harness) => h.mailer.sent.map((m) => `${m.to}|${m.subject}|${m.body}`).sort();
const campaignOf = async (h: Harness) => (await h.campaigns.getCampaign(CAMPAIGN)) as Campaign;

/** What an unlimited run leaves after each stage: the same chunks, all in one invocation per stage. */
interface Stage {
  snapshot: ReturnType<typeof comparable>;
  mail: string[];
  audit: string[];
  transitions: ControllerReport['transitions'];
}

describe('a campaign in chunks of a few records, with no time budget: one chunk per invocation', () => {
  const reference: Record<string, Stage> = {};

  beforeAll(async () => {
    const h = await harness(false);
    for (const [stage, at] of Object.entries(STAGES)) {
      if (stage === 'finish') await decide(h);
      const reports = await runToEnd(h, at);
      expect(reports, `${stage}: an unlimited run needs no continuation`).toHaveLength(1);
      reference[stage] = { snapshot: comparable(await h.snapshot()), mail: mailOf(h), audit: await auditOf(h), transitions: reports[0]!.transitions };
    }
  }, 60_000);

  it('ends each stage exactly as an unlimited run, with every notice sent once, and holds the dispatch while preparing; a TTL cleanup stamps what a delete removes', async () => {
    const h = await harness(true, 'TTL');
    const cleanupStartedAt = Math.floor(h.wall.now().getTime() / 1000);
    const counts: Record<string, number> = {};
    for (const [stage, at] of Object.entries(STAGES)) {
      if (stage === 'finish') await decide(h);
      const chain = await runToEnd(h, at, async (report) => {
        // A campaign still preparing holds its Approval Starts: none is sent before it runs.
        if ((await campaignOf(h)).state === 'PREPARING') {
          expect(report.dispatch).toBeUndefined();
          expect(report.dispatchHeld).toMatch(/preparing/);
          expect(h.mailer.sent).toEqual([]);
        }
      });
      counts[stage] = chain.length;
      expect(chain.slice(0, -1).every((r) => r.continue && r.status === 'COMPLETED')).toBe(true);
      expect(chain.at(-1)!.continue).toBeUndefined();
      const expected = reference[stage]!;
      const snapshot = comparable(await h.snapshot());
      if (stage === 'expiry') {
        // Every record the unlimited run deleted is here, stamped with the table's TTL attribute
        // (the wall clock's epoch seconds) and out of every index; nothing else differs.
        const stamped = snapshot.campaigns.filter((r) => r.expiresAt !== undefined);
        const kept = new Set(expected.snapshot.campaigns.map((r) => `${r.PK}|${r.SK}`));
        expect(stamped.length).toBeGreaterThan(8 * 3);
        expect(stamped.filter((r) => kept.has(`${r.PK}|${r.SK}`))).toEqual([]);
        expect(new Set(stamped.map((r) => String(r.PK).split('#')[0]))).toEqual(new Set(['ENTRY', 'RUN', 'OUTBOX']));
        for (const r of stamped) {
          expect(r.expiresAt).toBe(cleanupStartedAt);
          expect(Object.keys(r).filter((k) => k.startsWith('GSI'))).toEqual([]);
        }
        // A TTL cleanup saves its cursor after each chunk of revocations and notifications (stamped ones
        // stay listed), so its campaign has more versions; nothing else of it differs.
        const unversioned = (records: Record<string, unknown>[]) => records.map((r) => (String(r.PK).startsWith('CAMPAIGN#') ? { ...r, version: undefined } : r));
        expect(unversioned(snapshot.campaigns.filter((r) => r.expiresAt === undefined)), `${stage}: the records`).toEqual(unversioned(expected.snapshot.campaigns));
        expect(snapshot.directory).toEqual(expected.snapshot.directory);
        expect(await collect(h.campaigns.listEntries(RUN))).toEqual([]);
      } else {
        expect(snapshot, `${stage}: the records`).toEqual(expected.snapshot);
      }
      expect(mailOf(h), `${stage}: the mail`).toEqual(expected.mail);
      expect(new Set(mailOf(h)).size, `${stage}: a notice sent twice`).toBe(h.mailer.sent.length);
      expect(await auditOf(h), `${stage}: the audit records`).toEqual(expected.audit);
      // The transitions of the chain are the unlimited run's, in order.
      expect(chain.flatMap((r) => r.transitions)).toEqual(expected.transitions);
    }

    // 8 subjects, 2 a chunk: 4 chunks of preparation; 8 entries, 2 a chunk: 4 of applying, then telling, cleaning.
    expect(counts.start).toBeGreaterThanOrEqual(4);
    expect(counts.finish).toBeGreaterThanOrEqual(4 + 1);
    expect(counts.expiry).toBeGreaterThanOrEqual(4);
    const end = await campaignOf(h);
    expect(end).toMatchObject({ state: 'DELETED', phase: { name: 'DONE' }, stats: { entries: 8 } });
    expect(end.cleanedAt).toBeDefined();
    expect(end.runTotals).toBeUndefined();
  }, 60_000);

  it('resumes a chain killed after any of several writes: the same records and mail as an unlimited run', async () => {
    // Kills across the finish's chain (inside applying an entry, inside telling the users), then the cleanup's.
    let h: Harness | undefined;
    for (const k of [7, 41]) {
      h = await harness(true);
      await runToEnd(h, STAGES.start);
      await decide(h);
      h.kill.arm(k);
      await expect(runToEnd(h, STAGES.finish), `kill after write ${k}`).rejects.toSatisfy(
        (error: unknown) => error instanceof KilledError || (error instanceof AggregateError && error.errors.every((e) => e instanceof KilledError)),
      );
      h.kill.arm(undefined);
      // The killed invocation's lease expires; the next scheduled run resumes from the saved cursors.
      h.wall.advance(16 * 60_000);
      await runToEnd(h, STAGES.finish);
      expect(comparable(await h.snapshot()), `records after a kill after write ${k}`).toEqual(reference.finish!.snapshot);
      expect(mailOf(h), `mail after a kill after write ${k}`).toEqual(reference.finish!.mail);
    }
    // The expiry: archive, then delete the run's records a chunk at a time, killed in the middle.
    h!.kill.arm(30);
    await expect(runToEnd(h!, STAGES.expiry)).rejects.toBeInstanceOf(KilledError);
    h!.kill.arm(undefined);
    h!.wall.advance(16 * 60_000);
    await runToEnd(h!, STAGES.expiry);
    expect(comparable(await h!.snapshot()), 'records after a kill in the cleanup').toEqual(reference.expiry!.snapshot);
  }, 60_000);
});
