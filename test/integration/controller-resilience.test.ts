// The controller may be killed at any write, re-run, or run twice at once: the end state, the
// outbox and the mail sent must be exactly those of one clean run.
import { describe, expect, it } from 'vitest';
import { collect, mapLimit } from '../../lambdas/shared/use-cases/concurrency.js';
import { createHarness, KilledError, outboxOf, type Harness, type Snapshot } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0, day, type Step } from '../support/small-org.js';
import { entryIdFor } from '../../lambdas/shared/domain/entries.js';
import { createHookInvoker } from '../../src/local/file-hook-invoker.js';
import { fileURLToPath } from 'node:url';
import { canonicalJson, verifyChain } from '../../lambdas/shared/domain/audit/chain.js';
import { runChain, type AuditRecord } from '../../lambdas/shared/domain/audit/model.js';

const engine = useEngine();
const CAMPAIGN = 'c-kill';

interface Scenario {
  campaign: Record<string, unknown>;
  steps: Step[];
  /** The entry a scripted decision is about. */
  entryOf(step: Extract<Step, { decide: unknown }>): string;
}

const singleStage: Scenario = {
  campaign: highRiskUserCampaign(),
  steps: lifecycleSteps(),
  entryOf: (step) => entryOf(CAMPAIGN, step.decide.subjectId),
};

const stage1 = entryIdFor(`${CAMPAIGN}#1`, 1, 'p-fin');
const twoStages: Scenario = {
  campaign: highRiskUserCampaign({
    kind: 'PRIVILEGE',
    subjects: { filter: '(id=p-fin)' },
    hooks: { findApprovers: `file:${fileURLToPath(new URL('../fixtures/hooks/two-stages.mjs', import.meta.url))}` },
  }),
  steps: [
    { at: day(0, 1), run: true },
    { at: day(1), decide: { subjectId: '1', actor: 'm1', decisions: [{ itemId: 'u1', outcome: 'APPROVE' }, { itemId: 'u2', outcome: 'APPROVE' }, { itemId: 'u6', outcome: 'REJECT' }] } },
    { at: day(1, 1), run: true },
    { at: day(2), decide: { subjectId: '2', actor: 'm2', decisions: [{ itemId: 'u1', outcome: 'APPROVE' }] } },
    { at: day(7), run: true },
    { at: day(14, 1), run: true },
    { at: day(70), run: true },
  ],
  entryOf: (step) => (step.decide.subjectId === '1' ? stage1 : entryIdFor(`${CAMPAIGN}#1`, 2, `p-fin|after:${stage1}`)),
};

async function setup(scenario: Scenario): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names, { hooks: createHookInvoker() });
  await h.load(smallOrg());
  await h.create(scenario.campaign, T0, CAMPAIGN);
  return h;
}

interface Outcome {
  /** The state after each run step. */
  snapshots: Snapshot[];
  mail: string[];
  controllerWrites: number;
  killedAt?: string;
  /** The run's audit chain at the end. */
  records: AuditRecord[];
}

/**
 * Plays a scripted lifecycle. With `killAt`, the k-th controller write (counted across all runs)
 * kills that run; the next run starts once its lease and send claims have expired (wall clock +16 min).
 */
async function play(scenario: Scenario, killAt?: number): Promise<Outcome> {
  const h = await setup(scenario);
  let writes = 0;
  let killedAt: string | undefined;
  const snapshots: Snapshot[] = [];
  for (const step of scenario.steps) {
    if (!('run' in step)) {
      await h.decide(scenario.entryOf(step), step.decide.actor, step.decide.decisions, step.at);
      continue;
    }
    const remaining = killAt !== undefined && killedAt === undefined ? killAt - writes : undefined;
    h.kill.arm(remaining !== undefined && remaining > 0 ? remaining : undefined);
    try {
      await h.run(step.at);
      writes += h.kill.count;
    } catch (error) {
      if (!(error instanceof KilledError) && !(error instanceof AggregateError && error.errors.every((e) => e instanceof KilledError))) throw error;
      writes += h.kill.count;
      killedAt = step.at;
      h.kill.arm(undefined);
      h.wall.advance(16 * 60_000);
      await h.run(step.at);
    }
    h.kill.arm(undefined);
    snapshots.push(await h.snapshot());
  }
  return {
    snapshots,
    mail: h.mailer.sent.map((m) => `${m.to}|${m.subject}`).sort(),
    controllerWrites: writes,
    killedAt,
    records: await collect(h.audit.listRecords(runChain(`${CAMPAIGN}#1`))),
  };
}

/**
 * The state with the campaign's evidence head set aside: it is the hash of the run's chain at its
 * archiving, and a kill may order that chain's records differently from a clean run (entries and
 * sends are worked on concurrently, and a killed run leaves some of them to the next). The chain is
 * compared on its own: the same records, each once.
 */
const withoutChainHead = (snapshot: Snapshot): Snapshot => ({
  ...snapshot,
  campaigns: snapshot.campaigns.map((r) => (r.evidence ? { ...r, evidence: { ...(r.evidence as object), headHash: '(the chain head)', manifestSha256: '(the manifest of that chain)' } } : r)),
});

/**
 * A chain's records as a set: each record's key and events, in key order; the head that
 * EVIDENCE_ARCHIVED names (and the manifest that holds it) set aside, as in the state.
 */
const recordSet = (records: AuditRecord[]) =>
  records
    .map((r) => {
      const events = r.events.map((e) => (e.type === 'EVIDENCE_ARCHIVED' ? { ...e, data: { ...e.data, headHash: '(the chain head)', manifestSha256: '(the manifest of that chain)' } } : e));
      return `${r.eventKey} ${canonicalJson(events)}`;
    })
    .sort();

describe.each([
  ['a single-stage USER campaign', singleStage, 12],
  ['a two-stage PRIVILEGE campaign from a hook', twoStages, 7],
])('a controller run killed after any write, in %s', (_, scenario, notifications) => {
  it('is completed by the next run with exactly the state, outbox and mail of a clean run', async () => {
    const clean = await play(scenario);
    expect(clean.controllerWrites).toBeGreaterThan(20);
    // Every notification is recorded before the status expiration, and the cleanup takes them all.
    expect(outboxOf(clean.snapshots.at(-2)!).length).toBe(notifications);
    expect(outboxOf(clean.snapshots.at(-1)!)).toEqual([]);
    // Replay once per write position (a few at a time: each has its own tables); a kill must land
    // in every run of the script.
    const positions = Array.from({ length: clean.controllerWrites }, (_, i) => i + 1);
    const killedIn = new Set<string>();
    await mapLimit(positions, 3, async (k) => {
      const killed = await play(scenario, k);
      expect(killed.killedAt, `kill at write ${k}`).toBeDefined();
      killedIn.add(killed.killedAt!);
      // Not only the end: after every run of the script the state is the clean run's.
      clean.snapshots.forEach((snapshot, step) =>
        expect(withoutChainHead(killed.snapshots[step]!), `state after run ${step + 1}, kill at write ${k}`).toEqual(withoutChainHead(snapshot)),
      );
      expect(killed.mail, `mail after kill at write ${k}`).toEqual(clean.mail);
      // The audit log: the clean run's records, none twice, none missing, a valid chain whose head the evidence names.
      expect(recordSet(killed.records), `audit records after kill at write ${k}`).toEqual(recordSet(clean.records));
      expect(verifyChain(killed.records, runChain(`${CAMPAIGN}#1`))).toBeUndefined();
      const evidence = killed.snapshots.at(-1)!.campaigns.find((r) => r.PK === `CAMPAIGN#${CAMPAIGN}`)!.evidence as { headSeq: number; headHash: string; manifestSha256: string };
      expect(evidence.headHash).toBe(killed.records.find((r) => r.seq === evidence.headSeq)!.hash);
      const archived = killed.records.flatMap((r) => r.events).find((e) => e.type === 'EVIDENCE_ARCHIVED')!;
      expect(archived.data).toMatchObject({ headSeq: evidence.headSeq, headHash: evidence.headHash, manifestSha256: evidence.manifestSha256 });
    });
    expect(killedIn.size).toBe(scenario.steps.filter((s) => 'run' in s).length);
  }, 600_000);
});

describe('concurrent controller runs', () => {
  it('never both work: the second run is skipped while the first holds the lease', async () => {
    const h = await setup(singleStage);
    let release!: () => void;
    h.mailer.gate = new Promise<void>((resolve) => (release = resolve));
    const first = h.run(day(0, 1));
    // Wait until the first run is inside its dispatch phase (it holds the lease).
    while ((await h.campaigns.getCampaign(CAMPAIGN))!.state !== 'RUNNING') await new Promise((r) => setTimeout(r, 5));
    const second = await h.run(day(0, 1));
    expect(second.status).toBe('SKIPPED');
    release();
    expect((await first).status).toBe('COMPLETED');
    expect(h.mailer.sent).toHaveLength(4);
  });

  it('two runs started together end as one clean run', async () => {
    const reference = await setup(singleStage);
    await reference.run(day(0, 1));
    const h = await setup(singleStage);
    const reports = await Promise.all([h.run(day(0, 1)), h.run(day(0, 1))]);
    expect(reports.map((r) => r.status)).toContain('COMPLETED');
    // Whatever the interleaving, a last run settles it; nothing is duplicated.
    await h.run(day(0, 1));
    expect(await h.snapshot()).toEqual(await reference.snapshot());
    expect(h.mailer.sent.map((m) => m.subject).sort()).toEqual(reference.mailer.sent.map((m) => m.subject).sort());
  });
});

describe('a failed send', () => {
  it('is retried by the next run, not lost and not duplicated', async () => {
    const h = await setup(singleStage);
    h.mailer.failNext = 2;
    const report = await h.run(day(0, 1));
    expect(report.dispatch).toMatchObject({ sent: 2, retrying: 2 });
    const retried = await h.run(day(0, 2));
    expect(retried.dispatch).toMatchObject({ sent: 2, retrying: 0 });
    expect(new Set(h.mailer.sent.map((m) => `${m.to}|${m.subject}`)).size).toBe(4);
    expect(h.mailer.sent).toHaveLength(4);
  });
});

describe('a campaign cancelled before its notices went out', () => {
  it('skips the work notices, saying why, and the next run cleans the run up', async () => {
    const h = await setup(singleStage);
    h.mailer.failNext = 4; // the first run records and tries, but every send fails
    await h.run(day(0, 1));
    const { changeCampaign } = await import('../../lambdas/shared/use-cases/campaign-admin.js');
    await changeCampaign(h, CAMPAIGN, { state: 'DELETED' }, new Date(day(0, 2)), 'admin');
    const report = await h.run(day(0, 3));
    expect(report.dispatch).toMatchObject({ sent: 0, skipped: 4 });
    expect(h.mailer.sent).toEqual([]);
    const outbox = await collect(h.outbox.listByCampaign(CAMPAIGN));
    expect(outbox.map((n) => n.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(outbox.map((n) => n.lastError)).toEqual(Array(4).fill(`campaign ${CAMPAIGN} was deleted before this was sent`));
    expect((await h.campaigns.getCampaign(CAMPAIGN))!.cleanedAt).toBeUndefined();

    await h.run(day(0, 4));
    expect((await h.campaigns.getCampaign(CAMPAIGN))!.cleanedAt).toBe(day(0, 4));
    expect(await collect(h.outbox.listByCampaign(CAMPAIGN))).toEqual([]);
  });

  it('still tells the users who lost access, and the owner, before the cleanup removes the notices', async () => {
    const h = await setup(singleStage);
    const steps = lifecycleSteps();
    const finish = steps.findIndex((s) => 'run' in s && s.at === day(14, 1));
    expect(finish).toBeGreaterThan(0);
    for (const step of steps.slice(0, finish)) {
      if ('run' in step) await h.run(step.at);
      else await h.decide(singleStage.entryOf(step), step.decide.actor, step.decide.decisions, step.at);
    }
    // The finishing run applies the decisions, but every send fails.
    h.mailer.failNext = 100;
    await h.run(day(14, 1));
    const told = (kind: string) => collect(h.outbox.listByCampaign(CAMPAIGN)).then((all) => all.filter((n) => n.kind === kind));
    expect((await told('ASSIGNMENT_REJECT')).map((n) => n.status)).toEqual(['PENDING', 'PENDING']);
    expect((await told('CAMPAIGN_END')).map((n) => n.status)).toEqual(['PENDING']);
    h.mailer.failNext = 0;

    const { changeCampaign } = await import('../../lambdas/shared/use-cases/campaign-admin.js');
    await changeCampaign(h, CAMPAIGN, { state: 'DELETED' }, new Date(day(14, 2)), 'admin');
    const report = await h.run(day(14, 3));
    // What already happened is told; the approver's timeout notice is moot once the campaign is cancelled.
    expect(report.dispatch).toMatchObject({ sent: 3, skipped: 1 });
    expect((await told('ASSIGNMENT_REJECT')).map((n) => n.status)).toEqual(['SENT', 'SENT']);
    expect((await told('CAMPAIGN_END')).map((n) => n.status)).toEqual(['SENT']);
    expect((await told('APPROVAL_TIMEOUT')).map((n) => n.status)).toEqual(['SKIPPED']);
    expect(h.mailer.sent.map((m) => m.to)).toEqual(expect.arrayContaining((await told('ASSIGNMENT_REJECT')).map((n) => n.to)));
    await h.run(day(14, 4));
    expect((await h.campaigns.getCampaign(CAMPAIGN))!.cleanedAt).toBe(day(14, 4));
    expect(await collect(h.outbox.listByCampaign(CAMPAIGN))).toEqual([]);
  });
});
