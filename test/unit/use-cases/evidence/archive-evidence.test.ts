// Archive before cleanup (lambdas/shared/use-cases/evidence/archive-evidence.ts) on the in-memory
// stores: nothing is archived while a notification is unsent; the pack is written absent-only and
// recorded once; a write killed anywhere is completed by a re-run with the same pack; a stored pack
// that does not verify stops the cleanup; and no record is deleted without archived evidence. The
// archive-evidence function's use case reads the campaign and refuses any but its DELETED run.
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryEvidenceArchive, InMemoryKeySigner } from '../../../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { sha256Hex } from '../../../../lambdas/shared/domain/audit/chain.js';
import { evidencePrefix, PACK_FILES } from '../../../../lambdas/shared/domain/evidence/manifest.js';
import { collect } from '../../../../lambdas/shared/use-cases/concurrency.js';
import {
  archiveCampaignEvidence,
  archiveRunEvidence,
  InProcessEvidenceArchiver,
  type ArchiveEvidenceDeps,
} from '../../../../lambdas/shared/use-cases/evidence/archive-evidence.js';
import { cleanUpRun } from '../../../../lambdas/shared/use-cases/evidence/delete-archived-run.js';
import { verifyEvidencePack } from '../../../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { failOnCall, InjectedKill } from '../../../support/fault-injection.js';
import { settledRun, testEvidence, testSigner } from '../../../support/evidence.js';

const NOW = new Date('2026-09-01T00:00:00.000Z');
const PREFIX = evidencePrefix('c-test', 'c-test#1');

let run: Awaited<ReturnType<typeof settledRun>>;
let archive: InMemoryEvidenceArchive;
let deps: ArchiveEvidenceDeps;
beforeEach(async () => {
  run = await settledRun();
  archive = new InMemoryEvidenceArchive();
  deps = { ...run, evidence: testEvidence(archive) };
});

const stored = () => new Map(PACK_FILES.map((name) => [name, archive.files.get(`${PREFIX}/${name}`)!]));
const events = () => run.audit.events('run:c-test#1').map((e) => e.type);

describe('archiveRunEvidence', () => {
  it('waits while a notification of the run is unsent, writing and recording nothing', async () => {
    run = await settledRun({ unsent: true });
    deps = { ...run, evidence: testEvidence(archive) };
    expect(await archiveRunEvidence(deps, run.campaign, NOW)).toBeUndefined();
    expect(archive.files.size).toBe(0);
    expect(events()).not.toContain('EVIDENCE_ARCHIVED');
  });

  it('archives the pack under evidence/<campaign>/<run>, verifiable with the public key, and records it once', async () => {
    const evidence = await archiveRunEvidence(deps, run.campaign, NOW);
    expect([...archive.files.keys()]).toEqual(PACK_FILES.map((name) => `${PREFIX}/${name}`));
    expect(await verifyEvidencePack(stored(), await testSigner.publicKeyPem())).toMatchObject({ ok: true });
    const head = (await run.audit.head('run:c-test#1'))!;
    expect(evidence).toEqual({
      prefix: PREFIX,
      location: `memory:${PREFIX}/`,
      archivedAt: NOW.toISOString(),
      headSeq: 3,
      headHash: head.prevHash,
      manifestSha256: sha256Hex(stored().get('manifest.json')!),
    });
    expect(head).toMatchObject({
      seq: 4,
      eventKey: 'evidence:c-test#1',
      events: [{ type: 'EVIDENCE_ARCHIVED', actor: 'job:campaign-controller', data: { prefix: PREFIX, headSeq: 3, manifestSha256: evidence!.manifestSha256 } }],
    });

    // Again (a re-run that found it done): the same answer, nothing written or recorded again.
    const before = new Map(archive.files);
    expect(await archiveRunEvidence(deps, run.campaign, new Date('2026-09-02T00:00:00.000Z'))).toEqual(evidence);
    expect(archive.files).toEqual(before);
    expect(events().filter((t) => t === 'EVIDENCE_ARCHIVED')).toHaveLength(1);
  });

  it.each(PACK_FILES.map((name, i) => [name, i + 1] as const))('killed at the write of %s, is completed by a re-run with the same pack', async (_name, call) => {
    const clean = new InMemoryEvidenceArchive();
    const reference = await archiveRunEvidence({ ...(await settledRun()), evidence: testEvidence(clean) }, run.campaign, NOW);

    const kill = failOnCall(archive, 'putIfAbsent', call);
    await expect(archiveRunEvidence(deps, run.campaign, NOW)).rejects.toThrow(InjectedKill);
    kill.restore();
    expect(archive.files.size).toBe(call - 1);
    expect(events()).not.toContain('EVIDENCE_ARCHIVED');

    expect(await archiveRunEvidence(deps, run.campaign, NOW)).toEqual(reference);
    expect(archive.files).toEqual(clean.files);
  });

  it('killed at its record, is completed by a re-run that records it once', async () => {
    const kill = failOnCall(run.audit, 'append', 1);
    await expect(archiveRunEvidence(deps, run.campaign, NOW)).rejects.toThrow(InjectedKill);
    kill.restore();
    const evidence = await archiveRunEvidence(deps, run.campaign, new Date('2026-09-01T01:00:00.000Z'));
    expect(evidence?.archivedAt).toBe('2026-09-01T01:00:00.000Z');
    expect(events().filter((t) => t === 'EVIDENCE_ARCHIVED')).toHaveLength(1);
  });

  it('stops, recording nothing, when the stored pack does not verify (signed with another key)', async () => {
    await archiveRunEvidence({ ...deps, evidence: { ...testEvidence(archive), signer: new InMemoryKeySigner('old') } }, run.campaign, NOW);
    const records = (await run.audit.head('run:c-test#1'))!.seq;
    await expect(archiveRunEvidence(deps, run.campaign, NOW)).rejects.toThrow(
      /^the evidence pack at memory:evidence\/c-test\/c-test#1\/ does not verify \(manifest\.sig: the signature .*\); run c-test#1 is not cleaned up$/,
    );
    expect((await run.audit.head('run:c-test#1'))!.seq).toBe(records);
  });
});

describe('cleanUpRun', () => {
  const cleanup = () => ({ ...deps, wallClock: { now: () => NOW }, mode: 'DELETE' as const });

  it('refuses a run without archived evidence, deleting nothing', async () => {
    await expect(cleanUpRun(cleanup(), run.campaign, NOW)).rejects.toThrow('campaign c-test: run c-test#1 has no archived evidence; its records are not deleted');
    expect(await collect(run.campaigns.listEntries('c-test#1'))).toHaveLength(1);
    expect(await collect(run.outbox.listByRun('c-test', 'c-test#1'))).toHaveLength(1);
  });

  it('deletes the run and records the cleanup once archived', async () => {
    const evidence = (await archiveRunEvidence(deps, run.campaign, NOW))!;
    expect(await cleanUpRun(cleanup(), { ...run.campaign, evidence }, NOW)).toMatchObject({ cleanedAt: NOW.toISOString(), phase: { name: 'DONE' } });
    expect(await collect(run.campaigns.listEntries('c-test#1'))).toEqual([]);
    expect(await collect(run.outbox.listByRun('c-test', 'c-test#1'))).toEqual([]);
    expect(events().slice(-2)).toEqual(['EVIDENCE_ARCHIVED', 'CAMPAIGN_CLEANED_UP']);
    // The evidence is untouched by the cleanup.
    expect(await verifyEvidencePack(stored(), await testSigner.publicKeyPem())).toMatchObject({ ok: true });
  });
});

describe('archiveCampaignEvidence (the archive-evidence function)', () => {
  const request = { campaignId: 'c-test', runId: 'c-test#1', now: NOW };

  it("archives the campaign's DELETED run as the controller's step does, and answers the same again", async () => {
    const evidence = await archiveCampaignEvidence(deps, request);
    expect(evidence).toEqual(await archiveRunEvidence({ ...(await settledRun()), evidence: testEvidence() }, run.campaign, NOW));
    expect(await verifyEvidencePack(stored(), await testSigner.publicKeyPem())).toMatchObject({ ok: true });
    expect(await archiveCampaignEvidence(deps, { campaignId: 'c-test', now: new Date('2026-09-02T00:00:00.000Z') })).toEqual(evidence);
    expect(events().filter((type) => type === 'EVIDENCE_ARCHIVED')).toHaveLength(1);
  });

  it('waits while a notification of the run is unsent, writing nothing', async () => {
    run = await settledRun({ unsent: true });
    expect(await archiveCampaignEvidence({ ...run, evidence: testEvidence(archive) }, request)).toBeUndefined();
    expect(archive.files.size).toBe(0);
  });

  it('answers the evidence the campaign records without building the pack again', async () => {
    const recorded = { prefix: PREFIX, location: archive.describe(PREFIX), archivedAt: NOW.toISOString(), headSeq: 4, headHash: 'a'.repeat(64), manifestSha256: 'b'.repeat(64) };
    await run.campaigns.saveCampaign({ ...run.campaign, version: run.campaign.version + 1, evidence: recorded });
    expect(await archiveCampaignEvidence(deps, request)).toEqual(recorded);
    expect(archive.files.size).toBe(0);
  });

  it('refuses an unknown campaign, another run and a campaign that is not DELETED, writing nothing', async () => {
    await expect(archiveCampaignEvidence(deps, { ...request, campaignId: 'c-nope' })).rejects.toThrow('campaign c-nope not found');
    await expect(archiveCampaignEvidence(deps, { ...request, runId: 'c-test#2' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'campaign c-test is on run c-test#1, not c-test#2: nothing archived',
    });
    await run.campaigns.saveCampaign({ ...run.campaign, version: run.campaign.version + 1, state: 'SUCCEEDED' });
    await expect(archiveCampaignEvidence(deps, request)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/^campaign c-test is SUCCEEDED: a run's evidence is archived once it is DELETED/),
    });
    expect(archive.files.size).toBe(0);
    expect(events()).not.toContain('EVIDENCE_ARCHIVED');
  });
});

describe('InProcessEvidenceArchiver', () => {
  it('archives the run it is given, as archiveRunEvidence does', async () => {
    const evidence = await new InProcessEvidenceArchiver(deps).archiveRun(run.campaign, NOW);
    expect(evidence).toMatchObject({ prefix: PREFIX, archivedAt: NOW.toISOString() });
    expect(await verifyEvidencePack(stored(), await testSigner.publicKeyPem())).toMatchObject({ ok: true });
  });
});
