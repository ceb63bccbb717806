// Archive before cleanup survives a kill after every write (docs/reference/evidence.md): the real
// controller handler on a real engine reaches a run's status expiration; its last run writes the
// evidence pack, records it, saves `campaign.evidence`, deletes the run's records and marks it
// cleaned. That run is killed after each of its writes in turn (table writes, archive writes and
// audit appends alike), and re-run: it must end exactly as an uninterrupted run, with the same pack,
// and nothing of the run may have been deleted before its pack and `campaign.evidence` existed.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../lambdas/shared/domain/audit/chain.js';
import { runChain } from '../../lambdas/shared/domain/audit/model.js';
import { evidencePrefix, PACK_FILES } from '../../lambdas/shared/domain/evidence/manifest.js';
import type { Campaign } from '../../lambdas/shared/domain/model.js';
import { collect, mapLimit } from '../../lambdas/shared/use-cases/concurrency.js';
import { buildEvidencePack, verifyEvidencePack } from '../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { createHarness, KilledError, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { stubReports, testSigner } from '../support/evidence.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-evidence';
const RUN = `${CAMPAIGN}#1`;
const PREFIX = evidencePrefix(CAMPAIGN, RUN);
const steps = lifecycleSteps();
const expiry = steps.at(-1)!;

interface Setup {
  h: Harness;
  /** Deletes made while the run's pack or `campaign.evidence` was missing. */
  earlyDeletes: string[];
}

/** A campaign played to just before its status expiration, with records in its run's chain. */
async function beforeExpiry(): Promise<Setup> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  await h.load(smallOrg());
  await h.create(highRiskUserCampaign(), T0, CAMPAIGN);
  for (const step of steps.slice(0, -1)) {
    if ('run' in step) await h.run(step.at);
    else await h.decide(entryOf(CAMPAIGN, step.decide.subjectId), step.decide.actor, step.decide.decisions, step.at);
  }
  // What the audit events record during the run (written by the steps themselves in the product).
  for (const [i, at] of [day(0, 1), day(2), day(14, 1)].entries()) {
    await h.audit.append({ chainId: runChain(RUN), eventKey: `step:${i}`, at, campaignId: CAMPAIGN, events: [{ type: 'CAMPAIGN_STATE_CHANGED', at, actor: 'job:campaign-controller', data: { step: i } }] });
  }

  // Every archive write and audit append counts as a write of the run, like a table write.
  const countAsWrite = (target: object, method: string) => {
    const record = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = record[method]!.bind(target);
    record[method] = async (...args) => {
      h.kill.beforeCommand();
      const result = await original(...args);
      h.kill.afterWrite();
      return result;
    };
  };
  countAsWrite(h.archive, 'putIfAbsent');
  countAsWrite(h.audit, 'append');

  // Watch every delete of the run's records: the pack must be complete and recorded on the campaign first.
  const earlyDeletes: string[] = [];
  const campaignTable = engine.doc;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: Record<string, unknown>; RequestItems?: Record<string, { DeleteRequest?: { Key: Record<string, unknown> } }[]> };
      const keys = [
        ...(context.commandName === 'DeleteItemCommand' && input.Key ? [input.Key] : []),
        ...(context.commandName === 'BatchWriteItemCommand' ? Object.values(input.RequestItems ?? {}).flat().flatMap((r) => (r.DeleteRequest ? [r.DeleteRequest.Key] : [])) : []),
      ].map((key) => JSON.stringify(key));
      const deletesRunRecords = keys.some((key) => !key.includes('LEASE#'));
      if (deletesRunRecords) {
        const stored = (await campaignTable.send(new GetCommand({ TableName: names.campaign, Key: { PK: `CAMPAIGN#${CAMPAIGN}`, SK: '#META' } }))).Item as Campaign | undefined;
        const missing = [
          ...PACK_FILES.filter((name) => !h.archive.files.has(`${PREFIX}/${name}`)),
          ...(stored?.evidence ? [] : ['campaign.evidence']),
        ];
        if (missing.length > 0) earlyDeletes.push(`${context.commandName} before ${missing.join(', ')}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'watchEarlyDeletes' },
  );
  return { h, earlyDeletes };
}

interface End {
  pack: Map<string, Uint8Array>;
  campaign: Campaign;
  events: string[];
  /** The sequence number of each record, and its events' types. */
  records: { seq: number; types: string[] }[];
  snapshot: Awaited<ReturnType<Harness['snapshot']>>;
}

async function endOf({ h }: Setup): Promise<End> {
  const pack = new Map(PACK_FILES.map((name) => [name, h.archive.files.get(`${PREFIX}/${name}`)!]));
  const records = await collect(h.audit.listRecords(runChain(RUN)));
  expect(verifyChain(records, runChain(RUN))).toBeUndefined();
  return {
    pack,
    campaign: (await h.campaigns.getCampaign(CAMPAIGN))!,
    events: records.flatMap((r) => r.events.map((e) => e.type)),
    records: records.map((r) => ({ seq: r.seq, types: r.events.map((e) => e.type) })),
    snapshot: await h.snapshot(),
  };
}

describe('archive before cleanup, killed after any write of the run that expires the campaign', () => {
  it('ends, after a re-run, as an uninterrupted run: the same verified pack, the run deleted, nothing deleted early', async () => {
    const clean = await beforeExpiry();
    clean.h.kill.arm(undefined);
    await clean.h.run(expiry.at);
    const writes = clean.h.kill.count;
    const reference = await endOf(clean);

    // The uninterrupted run: pack archived and verified, recorded, the run's records gone, the report resolvable.
    expect(clean.earlyDeletes).toEqual([]);
    // The pack holds the chain up to the record before EVIDENCE_ARCHIVED: the expiry's state change.
    const archivedFrom = reference.records.at(-3)!;
    expect(archivedFrom.types).toEqual(['CAMPAIGN_STATE_CHANGED']);
    expect(reference.campaign).toMatchObject({ state: 'DELETED', cleanedAt: expiry.at, evidence: { prefix: PREFIX, archivedAt: expiry.at, headSeq: archivedFrom.seq } });
    expect(await verifyEvidencePack(reference.pack, await testSigner.publicKeyPem())).toMatchObject({ ok: true });
    expect(reference.events.slice(-2)).toEqual(['EVIDENCE_ARCHIVED', 'CAMPAIGN_CLEANED_UP']);
    expect(await collect(clean.h.campaigns.listEntries(RUN))).toEqual([]);
    expect(await collect(clean.h.outbox.listByRun(CAMPAIGN, RUN))).toEqual([]);
    expect(reference.snapshot.campaigns.filter((r) => String(r.PK).startsWith('ENTRY#') || String(r.PK).startsWith('RUN#') || String(r.PK).startsWith('OUTBOX#'))).toEqual([]);
    const report = JSON.parse(new TextDecoder().decode(reference.pack.get('report.json'))) as { campaign: { id: string; runId: string }; rows: unknown[] };
    expect(report.campaign).toMatchObject({ id: CAMPAIGN, runId: RUN });
    expect(report.rows.length).toBeGreaterThan(0);
    // Part of the archive and the log writes, besides the table writes: six files and two records at least.
    expect(writes).toBeGreaterThan(PACK_FILES.length + 2 + 3);

    const positions = Array.from({ length: writes }, (_, i) => i + 1);
    await mapLimit(positions, 2, async (k) => {
      const setup = await beforeExpiry();
      setup.h.kill.arm(k);
      await expect(setup.h.run(expiry.at), `kill after write ${k}`).rejects.toSatisfy(
        (error: unknown) => error instanceof KilledError || (error instanceof AggregateError && error.errors.every((e) => e instanceof KilledError)),
      );
      setup.h.kill.arm(undefined);
      setup.h.wall.advance(16 * 60_000);
      await setup.h.run(expiry.at);

      const end = await endOf(setup);
      expect(setup.earlyDeletes, `kill after write ${k}`).toEqual([]);
      expect(end.pack, `pack after a kill after write ${k}`).toEqual(reference.pack);
      expect(end.events, `audit events after a kill after write ${k}`).toEqual(reference.events);
      expect(end.snapshot, `state after a kill after write ${k}`).toEqual(reference.snapshot);
      // Evidence and report still resolve once the run's records are gone.
      const resolved = await buildEvidencePack({ ...setup.h, signer: testSigner, reports: stubReports }, CAMPAIGN, new Date(day(90)));
      expect(new Map(resolved.map((f) => [f.name, f.content]))).toEqual(reference.pack);
    });
  }, 600_000);
});
