// Builds a campaign run's report (docs/reference/reports.md): from the operational records while the
// run's entries exist, from its archived evidence pack once cleaned up.
import type { CampaignReport, RubberStampThresholds } from '../../domain/reports/campaign-report.js';
import type { ApprovalStore, CampaignStore, DirectoryStore, EvidenceArchive } from '../ports.js';

export interface CampaignReportDeps {
  campaigns: CampaignStore;
  approvals: ApprovalStore;
  /** Names of approvers (reviewer analytics); optional. */
  directory?: Pick<DirectoryStore, 'getUsers'>;
  /** Needed for a run that was cleaned up: its report is read from the archived pack. */
  archive?: EvidenceArchive;
}

export interface CampaignReportOptions {
  now: Date;
  thresholds?: Partial<RubberStampThresholds>;
}

export async function buildCampaignReport(_deps: CampaignReportDeps, _campaignId: string, _options: CampaignReportOptions): Promise<CampaignReport> {
  throw new Error('buildCampaignReport: not implemented yet');
}
