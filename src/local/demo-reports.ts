// The demo's reports and evidence (README, "Quick start"): for every campaign run it made, the report
// in its three formats and the signed evidence pack, written under $IDGOV_DEMO_HOME/reports/, each
// pack verified with the local public key, and each run's audit chain verified as stored.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChain } from '../../lambdas/shared/domain/audit/model.js';
import type { CampaignReport } from '../../lambdas/shared/domain/reports/campaign-report.js';
import { renderReport } from '../../lambdas/shared/presenters/campaign-report-views.js';
import { verifyStoredChain } from '../../lambdas/shared/use-cases/audit/audit-chain.js';
import { listAllCampaigns } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { buildEvidencePack, verifyEvidencePack } from '../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { buildCampaignReport } from '../../lambdas/shared/use-cases/reports/campaign-report.js';
import type { Runtime } from './runtime.js';

export interface DemoReport {
  report: CampaignReport;
  /** The folder holding report.html, report.csv, report.json and evidence/. */
  dir: string;
  /** Where the controller archived the run's pack before its cleanup, if it did. */
  archivedAt?: string;
  chain: { ok: boolean; records: number; problem?: string };
  evidenceVerified: boolean;
}

export async function writeDemoReports(runtime: Runtime, now: Date): Promise<DemoReport[]> {
  const written: DemoReport[] = [];
  const deps = { campaigns: runtime.campaigns, approvals: runtime.approvals, directory: runtime.directory, archive: runtime.evidenceArchive };
  for (const campaign of await listAllCampaigns(runtime.campaigns)) {
    const dir = join(runtime.home, 'reports', campaign.id);
    await mkdir(join(dir, 'evidence'), { recursive: true });
    const report = await buildCampaignReport(deps, campaign.id, { now });
    for (const format of ['html', 'csv', 'json'] as const) await writeFile(join(dir, `report.${format}`), await renderReport(report, format));

    const pack = await buildEvidencePack({ ...deps, audit: runtime.auditLog, signer: runtime.evidenceSigner }, campaign.id, now);
    for (const file of pack) await writeFile(join(dir, 'evidence', file.name), file.content);
    const verification = await verifyEvidencePack(new Map(pack.map((f) => [f.name, f.content])), await runtime.evidenceSigner.publicKeyPem());

    const chain = await verifyStoredChain(runtime.auditLog, runChain(campaign.runId));
    written.push({
      report,
      dir,
      ...(campaign.evidence ? { archivedAt: campaign.evidence.location } : {}),
      chain: chain.ok ? { ok: true, records: chain.records } : { ok: false, records: chain.records, problem: `record ${chain.problem.seq} ${chain.problem.reason}` },
      evidenceVerified: verification.ok,
    });
  }
  return written;
}
