// buildCampaignReport on a run counted by hand (test/support/report-campaign.ts says how each item
// counts), on variants of it (running, refused changes, a late decision), and after the run's
// cleanup, from its archived report.json.
import { describe, expect, it } from 'vitest';
import { renderReportJson } from '../../../lambdas/shared/presenters/campaign-report-views.js';
import type { CampaignReport } from '../../../lambdas/shared/domain/reports/campaign-report.js';
import type { ArchivedEvidence } from '../../../lambdas/shared/domain/evidence/manifest.js';
import type { Entry, Item } from '../../../lambdas/shared/domain/model.js';
import { buildCampaignReport, type CampaignReportDeps } from '../../../lambdas/shared/use-cases/reports/campaign-report.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import type { EvidenceArchive, EvidenceFile } from '../../../lambdas/shared/use-cases/ports.js';
import { E1, E2, E3, FORMULA_COMMENT, REPORT_CAMPAIGN_ID, seedReportCampaign, type ReportWorld, type SeedBatch } from '../../support/report-campaign.js';

const NOW = new Date('2026-07-25T00:00:00.000Z');
const deps = (world: ReportWorld, extra: Partial<CampaignReportDeps> = {}): CampaignReportDeps => ({
  campaigns: world.campaigns,
  approvals: world.approvals,
  directory: world.directory,
  ...extra,
});

class MemoryArchive implements EvidenceArchive {
  readonly files = new Map<string, Uint8Array>();
  async putIfAbsent(prefix: string, file: EvidenceFile): Promise<boolean> {
    if (this.files.has(`${prefix}${file.name}`)) return false;
    this.files.set(`${prefix}${file.name}`, file.content);
    return true;
  }
  async get(prefix: string, name: string): Promise<Uint8Array | undefined> {
    return this.files.get(`${prefix}${name}`);
  }
  describe(prefix: string): string {
    return `memory://${prefix}`;
  }
}

describe('a finished run, counted by hand', () => {
  it('totals each assignment once, by its latest stage, with its applied outcome', async () => {
    const report = await buildCampaignReport(deps(await seedReportCampaign()), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(report.totals).toEqual({
      entries: 3,
      items: 8,
      approved: 2,
      rejected: 2,
      modified: 2,
      expired: 2,
      revoked: 3,
      kept: 4,
      handedOver: 2,
      pending: 0,
      awaitingWorkflow: 1,
      changesFailed: 0,
      stillPresent: 1,
    });
    expect(report).toMatchObject({ format: 'idgov-campaign-report/1', source: 'LIVE', asOf: NOW.toISOString() });
    expect(report.campaign).toMatchObject({ id: REPORT_CAMPAIGN_ID, state: 'SUCCEEDED', run: 1, runId: `${REPORT_CAMPAIGN_ID}#1` });
  });

  it('lists every item of every stage, and says what each counts as', async () => {
    const report = await buildCampaignReport(deps(await seedReportCampaign()), REPORT_CAMPAIGN_ID, { now: NOW });
    const view = report.rows.map((r) => [r.stage, r.entryId, r.itemId, r.decision ?? '-', r.counted, r.result ?? '-', r.outcome ?? '-']);
    expect(view).toEqual([
      [1, E1, 'p-crm', '-', true, 'EXPIRED', 'REVOKED'],
      [1, E1, 'p-ledger', 'APPROVE', false, '-', '-'],
      [1, E1, 'p-payments', 'MODIFY', false, '-', '-'],
      [1, E1, 'p-wiki', 'REJECT', true, 'REJECTED', 'REVOKED'],
      [1, E2, 'p-crm', '-', true, 'EXPIRED', 'AWAITING_WORKFLOW'],
      [1, E2, 'p-ledger', 'APPROVE', true, 'APPROVED', 'KEPT'],
      [1, E2, 'p-payments', 'APPROVE', true, 'APPROVED', 'KEPT'],
      [1, E2, 'p-wiki', 'MODIFY', true, 'MODIFIED', 'KEPT'],
      [2, E3, 'p-ledger', 'REJECT', true, 'REJECTED', 'REVOKED'],
      // Approved at stage 2 after stage 1's modification: the modification is what was applied.
      [2, E3, 'p-payments', 'APPROVE', true, 'MODIFIED', 'KEPT'],
    ]);
    const wiki = report.rows.find((r) => r.entryId === E1 && r.itemId === 'p-wiki')!;
    expect(wiki).toMatchObject({ decidedBy: 'mgr', decidedAt: '2026-07-02T10:00:09.000Z', comment: FORMULA_COMMENT, appliedAction: 'REMOVED', privilegeName: 'Wiki', userName: 'Alice Archer' });
    const bobWiki = report.rows.find((r) => r.entryId === E2 && r.itemId === 'p-wiki')!;
    expect(bobWiki.modifiedParameters).toEqual({ project: null });
    const payments = report.rows.find((r) => r.entryId === E1 && r.itemId === 'p-payments')!;
    expect(payments.modifiedEndDate).toBe('2026-12-31T00:00:00.000Z');
    // Bob's hand-over: read from its approval run, which was decided after the item last heard of it.
    const bobCrm = report.rows.find((r) => r.entryId === E2 && r.itemId === 'p-crm')!;
    expect(bobCrm).toMatchObject({ appliedAction: 'HANDED_OVER', workflowState: 'REJECTED', workflowOutcomeBy: 'u-owner', workflowOutcomeAt: '2026-07-22T10:00:00.000Z' });
    expect(bobCrm.workflowAppliedAction).toBeUndefined();
    const aliceCrm = report.rows.find((r) => r.entryId === E1 && r.itemId === 'p-crm')!;
    expect(aliceCrm).toMatchObject({ workflowState: 'REJECTED', workflowAppliedAction: 'REMOVED' });
  });

  it('says of each removal how it was read back from the directory, and counts those still present', async () => {
    const report = await buildCampaignReport(deps(await seedReportCampaign()), REPORT_CAMPAIGN_ID, { now: NOW });
    const verified = report.rows.filter((r) => r.verification !== undefined).map((r) => [r.entryId, r.itemId, r.verification, r.verifiedAt]);
    expect(verified).toEqual([
      [E1, 'p-wiki', 'ABSENT', '2026-07-15T06:00:01.000Z'],
      [E3, 'p-ledger', 'STILL_PRESENT', '2026-07-15T06:00:01.000Z'],
    ]);
    // Stage 1's approval of alice's ledger (handed on, not removed there) says nothing of it.
    expect(report.rows.find((r) => r.entryId === E1 && r.itemId === 'p-ledger')!.verification).toBeUndefined();
    expect(report.totals.stillPresent).toBe(1);
  });

  it('shows a removal found granted by a rule since as absent, with the origin found', async () => {
    const world = await seedReportCampaign();
    const [ledger] = (await collect(world.campaigns.listRevocations(`${REPORT_CAMPAIGN_ID}#1`))).filter((r) => r.privilegeId === 'p-ledger');
    await world.campaigns.saveRevocationVerifications([{ ...ledger!, verification: { status: 'ABSENT', at: '2026-07-16T06:00:01.000Z', origin: 'RULE' } }]);
    const report = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(report.rows.find((r) => r.entryId === E3 && r.itemId === 'p-ledger')).toMatchObject({ verification: 'ABSENT', verifiedAt: '2026-07-16T06:00:01.000Z', verifiedOrigin: 'RULE' });
    expect(report.totals.stillPresent).toBe(0);
  });

  it('counts decisions per UTC day and lists the reassignment', async () => {
    const report = await buildCampaignReport(deps(await seedReportCampaign()), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(report.decisionsPerDay).toEqual([
      { date: '2026-07-02', approved: 1, rejected: 1, modified: 1 },
      { date: '2026-07-03', approved: 2, rejected: 0, modified: 1 },
      { date: '2026-07-10', approved: 1, rejected: 1, modified: 0 },
    ]);
    expect(report.reassignments).toEqual([
      {
        entryId: E2,
        stage: 1,
        subjectId: 'bob',
        subjectName: 'Bob Baker',
        from: ['mgr'],
        to: 'carol',
        by: 'u-owner',
        at: '2026-07-02T08:00:00.000Z',
        justification: 'mgr on leave until August',
        previousDueDate: '2026-07-15T00:00:00.000Z',
        dueDate: '2026-07-15T00:00:00.000Z',
      },
    ]);
  });

  it('works out reviewer analytics with the names from the directory, and flags by the thresholds given', async () => {
    const world = await seedReportCampaign();
    const plain = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(plain.thresholds).toEqual({ minItems: 20, minApproveRate: 1, maxMedianSeconds: 5, sessionBreakMinutes: 30 });
    expect(plain.reviewers.map((r) => [r.approverId, r.approverName, r.itemsDecided, r.approved, r.rejected, r.modified, r.medianSecondsPerDecision, r.largestBulkDecision, r.rubberStamp])).toEqual([
      ['carol', 'Carol Cover', 3, 2, 0, 1, 15, 2, false],
      ['mgr', 'Maria Manager', 3, 1, 1, 1, 4.5, 1, false],
      ['sec', 'Sam Security', 2, 1, 1, 0, 20, 1, false],
    ]);
    // sec sits exactly on every threshold (2 items, 50 %, 20 s); carol is above them; mgr approved a third.
    const strict = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW, thresholds: { minItems: 2, minApproveRate: 0.5, maxMedianSeconds: 20 } });
    expect(strict.reviewers.filter((r) => r.rubberStamp).map((r) => r.approverId)).toEqual(['carol', 'sec']);
    expect(strict.reviewers.find((r) => r.approverId === 'sec')!.rubberStampReason).toBe(
      'approved 50 % of 2 items at a median of 20 s each (thresholds: ≥ 2 items, ≥ 50 %, ≤ 20 s)',
    );
    expect(strict.thresholds).toEqual({ minItems: 2, minApproveRate: 0.5, maxMedianSeconds: 20, sessionBreakMinutes: 30 });
  });

  it('is the same report whenever it is built as of the same instant', async () => {
    const world = await seedReportCampaign();
    const first = renderReportJson(await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW }));
    const second = renderReportJson(await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW }));
    expect(second).toBe(first);
  });
});

describe('variants of the run', () => {
  it('a running run: undecided items of open entries are pending, and nothing has an outcome yet', async () => {
    const world = await seedReportCampaign(
      { state: 'RUNNING', endDate: undefined, statusExpirationDate: undefined },
      changeEntry(E2, ({ closedAt: _c, endDate: _e, ...e }) => ({ ...e, state: 'RUNNING' }), unapplied),
    );
    const report = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW });
    // E2's four items are now undecided-or-decided in an open entry: p-crm pending; 5, 6, 7 still decided.
    expect(report.totals).toMatchObject({ items: 8, approved: 2, rejected: 2, modified: 2, expired: 1, pending: 1, handedOver: 1, awaitingWorkflow: 0 });
    expect(report.rows.filter((r) => r.entryId === E2).every((r) => r.outcome === undefined)).toBe(true);
  });

  it('a change the directory refused: the entry FAILED.APPLIED.CHANGES, the item CHANGE_FAILED, the others as applied', async () => {
    const world = await seedReportCampaign(
      {},
      changeEntry(E1, (e) => ({ ...e, state: 'FAILED.APPLIED.CHANGES', error: 'changes failed to apply: p-wiki: throttled' }), (i) => (i.id === 'p-wiki' ? unapplied(i) : i)),
    );
    const report = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(report.rows.find((r) => r.entryId === E1 && r.itemId === 'p-wiki')).toMatchObject({ result: 'REJECTED', outcome: 'CHANGE_FAILED' });
    expect(report.totals).toMatchObject({ revoked: 2, kept: 4, awaitingWorkflow: 1, changesFailed: 1 });
  });

  it('a decision recorded after its entry closed is shown but not counted', async () => {
    const world = await seedReportCampaign();
    await world.campaigns.saveItemDecision(E1, 'p-crm', { outcome: 'APPROVE', decidedBy: 'mgr', decidedAt: '2026-07-03T00:00:00.000Z' });
    const report = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(report.rows.find((r) => r.entryId === E1 && r.itemId === 'p-crm')).toMatchObject({ decision: 'APPROVE', decisionAfterClose: true, result: 'EXPIRED' });
    expect(report.totals).toMatchObject({ approved: 2, expired: 2 });
    expect(report.reviewers.find((r) => r.approverId === 'mgr')!.itemsDecided).toBe(3);
  });

  it('refuses an unknown campaign, naming it', async () => {
    await expect(buildCampaignReport(deps(await seedReportCampaign()), 'c-nope', { now: NOW })).rejects.toThrow('campaign c-nope not found');
  });
});

describe('after the run was cleaned up', () => {
  const prefix = `evidence/${REPORT_CAMPAIGN_ID}/${REPORT_CAMPAIGN_ID}#1/`;
  const evidence: ArchivedEvidence = {
    prefix,
    location: `memory://${prefix}`,
    archivedAt: '2026-08-14T06:00:00.000Z',
    headSeq: 12,
    headHash: 'a'.repeat(64),
    manifestSha256: 'b'.repeat(64),
  };

  /** The live report archived as the evidence pack's report.json, then the run's records deleted. */
  async function archivedWorld(): Promise<{ world: ReportWorld; archive: MemoryArchive; live: CampaignReport }> {
    const world = await seedReportCampaign({ state: 'DELETED' });
    const live = await buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: new Date('2026-08-14T06:00:00.000Z') });
    const archive = new MemoryArchive();
    await archive.putIfAbsent(prefix, { name: 'report.json', content: new TextEncoder().encode(renderReportJson(live)) });
    await world.campaigns.deleteRun(`${REPORT_CAMPAIGN_ID}#1`);
    const campaign = (await world.campaigns.getCampaign(REPORT_CAMPAIGN_ID))!;
    await world.campaigns.saveCampaign({ ...campaign, version: campaign.version + 1, evidence, cleanedAt: '2026-08-14T07:00:00.000Z' });
    return { world, archive, live };
  }

  it('reads the archived report.json and returns it as it was written, with source ARCHIVE', async () => {
    const { world, archive, live } = await archivedWorld();
    const report = await buildCampaignReport(deps(world, { archive }), REPORT_CAMPAIGN_ID, { now: NOW });
    expect(report.source).toBe('ARCHIVE');
    expect(report.totals.items).toBe(8);
    // Byte for byte the archived JSON but for the source: nothing lost or reordered in the round trip.
    expect(renderReportJson({ ...report, source: 'LIVE' })).toBe(renderReportJson(live));
  });

  it('works the analytics out again from the archived rows when other thresholds are asked for', async () => {
    const { world, archive } = await archivedWorld();
    const report = await buildCampaignReport(deps(world, { archive }), REPORT_CAMPAIGN_ID, { now: NOW, thresholds: { minItems: 2, minApproveRate: 0.5, maxMedianSeconds: 20 } });
    expect(report.reviewers.filter((r) => r.rubberStamp).map((r) => [r.approverId, r.approverName])).toEqual([
      ['carol', 'Carol Cover'],
      ['sec', 'Sam Security'],
    ]);
    expect(report.thresholds.minItems).toBe(2);
  });

  it('says so when the archive cannot be read, the file is missing or not a report, or nothing was archived', async () => {
    const { world, archive } = await archivedWorld();
    await expect(buildCampaignReport(deps(world), REPORT_CAMPAIGN_ID, { now: NOW })).rejects.toThrow(
      `campaign ${REPORT_CAMPAIGN_ID} was cleaned up on 2026-08-14T07:00:00.000Z; its report is in the evidence archive (memory://${prefix}), which this runtime cannot read`,
    );
    await expect(buildCampaignReport(deps(world, { archive: new MemoryArchive() }), REPORT_CAMPAIGN_ID, { now: NOW })).rejects.toThrow(
      `campaign ${REPORT_CAMPAIGN_ID}: the archived evidence has no report.json: memory://${prefix} (report.json)`,
    );
    const damaged = new MemoryArchive();
    const json = JSON.parse(new TextDecoder().decode(await archive.get(prefix, 'report.json'))) as { totals: { items: unknown } };
    json.totals.items = 'eight';
    await damaged.putIfAbsent(prefix, { name: 'report.json', content: new TextEncoder().encode(JSON.stringify(json)) });
    await expect(buildCampaignReport(deps(world, { archive: damaged }), REPORT_CAMPAIGN_ID, { now: NOW })).rejects.toThrow(/not a valid campaign report: report\.json\.totals\.items: /);
    const garbage = new MemoryArchive();
    await garbage.putIfAbsent(prefix, { name: 'report.json', content: new TextEncoder().encode('{"format": ') });
    await expect(buildCampaignReport(deps(world, { archive: garbage }), REPORT_CAMPAIGN_ID, { now: NOW })).rejects.toThrow(/the archived report\.json is not JSON/);

    const campaign = (await world.campaigns.getCampaign(REPORT_CAMPAIGN_ID))!;
    const { evidence: _evidence, ...unarchived } = campaign;
    await world.campaigns.saveCampaign({ ...unarchived, version: campaign.version + 1 });
    await expect(buildCampaignReport(deps(world, { archive }), REPORT_CAMPAIGN_ID, { now: NOW })).rejects.toThrow(
      `campaign ${REPORT_CAMPAIGN_ID} was cleaned up on 2026-08-14T07:00:00.000Z and no evidence of it was archived: its report cannot be rebuilt`,
    );
  });
});

/** Changes one entry (and its items) of the seeded run before it is stored. */
const changeEntry =
  (entryId: string, entry: (e: Entry) => Entry, item: (i: Item) => Item = (i) => i) =>
  (batch: SeedBatch): SeedBatch =>
    batch.map((b) => (b.entry.id === entryId ? { entry: entry(b.entry), items: b.items.map(item) } : b));

/** An item as before the finish applied it: no applied record, no hand-over. */
const unapplied = ({ applied: _applied, workflow: _workflow, ...rest }: Item): Item => rest;
