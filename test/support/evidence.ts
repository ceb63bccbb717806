// Evidence for tests that do not test the reports: a small report built from the campaign's records
// (rows of its entries' items), rendered as plain CSV and HTML, and one RSA key per test process, so
// that packs built in separate harnesses are byte for byte the same.
import { InMemoryApprovalStore } from '../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryEvidenceArchive, InMemoryKeySigner } from '../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { describeFile, manifestJson, parseAuditLogJsonl, signatureText, type EvidenceManifest } from '../../lambdas/shared/domain/evidence/manifest.js';
import type { CampaignReport, ReportRow } from '../../lambdas/shared/domain/reports/campaign-report.js';
import type { EvidenceDeps } from '../../lambdas/shared/use-cases/evidence/archive-evidence.js';
import { publicKeySha256, type EvidenceReports } from '../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import type { EvidenceArchive, EvidenceSigner } from '../../lambdas/shared/use-cases/ports.js';
import { aCampaign, aDecision, anEntry, anItem } from './fixtures.js';

/** The test process's signing key (made at its first use). */
export const testSigner = new InMemoryKeySigner('test');

export const stubReports: EvidenceReports = {
  async build(deps, campaignId, { now }) {
    const campaign = await deps.campaigns.getCampaign(campaignId);
    if (!campaign) throw new Error(`no campaign ${campaignId}`);
    const rows: ReportRow[] = [];
    for await (const page of deps.campaigns.listEntries(campaign.runId)) {
      for (const summary of page) {
        const loaded = await deps.campaigns.getEntryWithItems(summary.id);
        for (const item of loaded?.items ?? []) {
          const { entry } = loaded!;
          rows.push({
            entryId: entry.id,
            stage: entry.stage,
            entryState: entry.state,
            subjectId: entry.subjectId,
            subjectName: entry.subjectName,
            approverIds: entry.approverIds,
            dueDate: entry.dueDate,
            itemId: item.id,
            userId: item.userId,
            privilegeId: item.privilegeId,
            counted: true,
            ...(item.decision ? { decision: item.decision.outcome, decidedBy: item.decision.decidedBy, decidedAt: item.decision.decidedAt } : {}),
            ...(item.applied ? { appliedAction: item.applied.action, appliedAt: item.applied.at } : {}),
          });
        }
      }
    }
    rows.sort((a, b) => `${a.entryId}|${a.itemId}`.localeCompare(`${b.entryId}|${b.itemId}`));
    const count = (outcome: string) => rows.filter((r) => r.decision === outcome).length;
    return {
      format: 'idgov-campaign-report/1',
      asOf: now.toISOString(),
      source: 'LIVE',
      campaign: {
        id: campaign.id,
        name: campaign.name,
        kind: campaign.kind,
        ownerId: campaign.ownerId,
        state: campaign.state,
        run: campaign.run,
        runId: campaign.runId,
        startDate: campaign.startDate,
        revocation: campaign.revocation,
      },
      totals: {
        entries: new Set(rows.map((r) => r.entryId)).size,
        items: rows.length,
        approved: count('APPROVE'),
        rejected: count('REJECT'),
        modified: count('MODIFY'),
        expired: rows.filter((r) => !r.decision).length,
        revoked: rows.filter((r) => r.appliedAction === 'REMOVED').length,
        kept: rows.filter((r) => r.appliedAction !== undefined && r.appliedAction !== 'REMOVED').length,
        handedOver: 0,
        pending: 0,
        awaitingWorkflow: 0,
        changesFailed: 0,
      },
      rows,
      reassignments: [],
      decisionsPerDay: [],
      reviewers: [],
      thresholds: { minItems: 10, minApproveRate: 1, maxMedianSeconds: 5, sessionBreakMinutes: 30 },
    } as CampaignReport;
  },
  csv: (report) => ['entryId,itemId,decision', ...report.rows.map((r) => `${r.entryId},${r.itemId},${r.decision ?? ''}`)].join('\r\n') + '\r\n',
  html: (report) => `<!doctype html><title>${report.campaign.name}</title><p>${report.totals.items} items as of ${report.asOf}</p>\n`,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
};

/** An archive in memory, the test key and the stub reports. */
export const testEvidence = (archive: EvidenceArchive = new InMemoryEvidenceArchive()): EvidenceDeps & { archive: EvidenceArchive } => ({
  archive,
  signer: testSigner,
  reports: stubReports,
});

/**
 * In-memory stores holding one DELETED run (`c-test#1`): an entry with two decided items, its
 * notifications sent, and three records in its audit chain.
 */
export async function settledRun(options: { unsent?: boolean } = {}) {
  const campaigns = new InMemoryCampaignStore();
  const outbox = campaigns.outbox;
  const approvals = new InMemoryApprovalStore();
  const audit = new InMemoryAuditLog();
  const campaign = aCampaign({ state: 'DELETED', phase: { name: 'DONE' }, version: 7, updatedAt: '2026-08-20T00:00:00.000Z', dueDate: '2026-07-15T00:00:00.000Z' });
  await campaigns.createCampaign(campaign);
  await campaigns.putEntriesWithItems([
    {
      entry: anEntry({ state: 'FINISHED', itemCount: 2 }),
      items: [
        anItem({ decision: aDecision(), applied: { action: 'KEPT', at: '2026-07-15T01:00:00.000Z' } }),
        anItem({ id: 'p-payments', privilegeId: 'p-payments', decision: aDecision({ outcome: 'REJECT', comment: 'not needed' }), applied: { action: 'REMOVED', at: '2026-07-15T01:00:00.000Z' } }),
      ],
    },
  ]);
  await outbox.enqueue([
    {
      key: 'e-1|APPROVAL_START|u-manager',
      kind: 'APPROVAL_START',
      campaignId: campaign.id,
      runId: campaign.runId,
      recipientId: 'u-manager',
      to: 'manager@example.com',
      subject: 'please review',
      body: 'body',
      status: 'PENDING',
      createdAt: '2026-07-01T00:00:00.000Z',
      attempts: 0,
    },
  ]);
  if (!options.unsent) {
    for await (const page of outbox.listByRun(campaign.id, campaign.runId)) {
      for (const n of page) await outbox.markSent(n, 'm-1', new Date('2026-07-01T00:05:00.000Z'));
    }
  }
  const chainId = `run:${campaign.runId}` as const;
  const event = (type: 'CAMPAIGN_CREATED' | 'ITEM_DECIDED' | 'CAMPAIGN_STATE_CHANGED', at: string, data: Record<string, unknown>) => ({ type, at, actor: 'user:u-manager' as const, data });
  await audit.append({ chainId, eventKey: 'campaign:c-test:v1', at: '2026-06-01T00:00:00.000Z', campaignId: campaign.id, events: [event('CAMPAIGN_CREATED', '2026-06-01T00:00:00.000Z', { campaignId: 'c-test' })] });
  await audit.append({ chainId, eventKey: 'decide:e-1:1', at: '2026-07-05T00:00:00.000Z', campaignId: campaign.id, events: [event('ITEM_DECIDED', '2026-07-05T00:00:00.000Z', { entryId: 'e-1', itemId: 'p-finance-admin', outcome: 'APPROVE' })] });
  await audit.append({ chainId, eventKey: 'campaign:c-test:v7', at: '2026-08-14T00:00:00.000Z', campaignId: campaign.id, events: [event('CAMPAIGN_STATE_CHANGED', '2026-08-14T00:00:00.000Z', { from: 'SUCCEEDED', to: 'DELETED' })] });
  return { campaigns, outbox, approvals, audit, campaign };
}

// Tampering, as an attacker with the pack (but not the signing key) would: each returns a new file map.
export type PackFiles = Map<string, Uint8Array>;

const text = (files: PackFiles, name: string) => new TextDecoder().decode(files.get(name)!);
const withFile = (files: PackFiles, name: string, content: string | Uint8Array): PackFiles =>
  new Map(files).set(name, typeof content === 'string' ? new TextEncoder().encode(content) : content);
const logLines = (files: PackFiles) => text(files, 'audit-log.jsonl').split('\n').slice(0, -1);
const withLog = (files: PackFiles, lines: string[]) => withFile(files, 'audit-log.jsonl', lines.map((l) => `${l}\n`).join(''));

/** One byte of `name` changed (at `offset`, default the middle). */
export function changeByte(files: PackFiles, name: string, offset?: number): PackFiles {
  const content = new Uint8Array(files.get(name)!);
  const at = offset ?? Math.floor(content.length / 2);
  content[at] = content[at] === 0x41 ? 0x42 : 0x41;
  return withFile(files, name, content);
}

/** The record `seq` of audit-log.jsonl edited (its `at`), still valid JSON, its hash left as it was. */
export function changeRecord(files: PackFiles, seq: number): PackFiles {
  return withLog(
    files,
    logLines(files).map((line) => {
      const record = JSON.parse(line) as { seq: number; at: string };
      return record.seq === seq ? line.replace(`"at":"${record.at}"`, `"at":"${record.at.replace(/^\d{4}/, '1999')}"`) : line;
    }),
  );
}

export const removeRecord = (files: PackFiles, seq: number): PackFiles => withLog(files, logLines(files).filter((line) => (JSON.parse(line) as { seq: number }).seq !== seq));

/** Records `seq` and `seq + 1` swapped. */
export function swapRecords(files: PackFiles, seq: number): PackFiles {
  const lines = logLines(files);
  const index = lines.findIndex((line) => (JSON.parse(line) as { seq: number }).seq === seq);
  [lines[index], lines[index + 1]] = [lines[index + 1]!, lines[index]!];
  return withLog(files, lines);
}

/**
 * The manifest made to fit the tampered files again (each file's size and SHA-256, the chain's
 * length and last record) and signed with `signer`: what an attacker without the real key can do.
 */
export async function resign(files: PackFiles, signer: EvidenceSigner): Promise<PackFiles> {
  const manifest = JSON.parse(text(files, 'manifest.json')) as EvidenceManifest;
  const parsed = parseAuditLogJsonl(text(files, 'audit-log.jsonl'));
  const records = parsed.ok ? parsed.records : [];
  const last = records.at(-1);
  const forged: EvidenceManifest = {
    ...manifest,
    files: manifest.files.map((f) => describeFile(f.name, files.get(f.name)!)),
    chain: { ...manifest.chain, records: records.length, headSeq: last?.seq ?? 0, headHash: last?.hash ?? '0'.repeat(64) },
    signature: { ...manifest.signature, keyId: await signer.keyId(), publicKeySha256: publicKeySha256(await signer.publicKeyPem()) },
  };
  const bytes = new TextEncoder().encode(manifestJson(forged));
  return withFile(withFile(files, 'manifest.json', bytes), 'manifest.sig', signatureText(await signer.sign(bytes)));
}
