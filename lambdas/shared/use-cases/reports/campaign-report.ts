// Builds a campaign run's report (docs/reference/reports.md): from the operational records while the
// run's entries exist, from its archived evidence pack once cleaned up.
import { itemWorkflowOf } from '../../domain/application.js';
import { DomainError, NotFoundError } from '../../domain/errors.js';
import { EVIDENCE_FILES } from '../../domain/evidence/manifest.js';
import type { Campaign, Item, RevocationVerification } from '../../domain/model.js';
import { parseCampaignReport } from '../../domain/reports/campaign-report-schema.js';
import type { CampaignReport, RubberStampThresholds } from '../../domain/reports/campaign-report.js';
import {
  buildReportRows,
  countedDecisions,
  decisionsPerDay,
  reportReassignments,
  reportTotals,
  type EntryWithItems,
} from '../../domain/reports/report-rows.js';
import { analyseReviewers, resolveThresholds, sameThresholds } from '../../domain/reports/reviewer-analytics.js';
import { revocationCursor } from '../chunked.js';
import { chunk, mapLimit } from '../concurrency.js';
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
  /** The report's `asOf`: the only time it carries (a settled run's report is the same bytes at any later call with the same instant). */
  now: Date;
  /** Over the defaults, field by field (the operations configuration's, then the command line's). */
  thresholds?: Partial<RubberStampThresholds>;
}

/** Entries read with their items this many at a time. */
const READ_CONCURRENCY = 4;

/**
 * The report of one campaign run (an archived run's id gives that run's). A run whose evidence is
 * archived is read from its pack's report.json (its records are being, or have been, deleted);
 * a run cleaned up without archived evidence, or without the archive to read it from, is an error
 * that says so.
 */
export async function buildCampaignReport(deps: CampaignReportDeps, campaignId: string, options: CampaignReportOptions): Promise<CampaignReport> {
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  if (campaign.evidence?.prefix && deps.archive) return archivedReport(deps.archive, campaign, campaign.evidence.prefix, options);
  if (campaign.cleanedAt) {
    throw new DomainError(
      'NOT_FOUND',
      campaign.evidence?.prefix
        ? `campaign ${campaign.id} was cleaned up on ${campaign.cleanedAt}; its report is in the evidence archive (${campaign.evidence.location}), which this runtime cannot read`
        : `campaign ${campaign.id} was cleaned up on ${campaign.cleanedAt} and no evidence of it was archived: its report cannot be rebuilt`,
    );
  }
  return liveReport(deps, campaign, options);
}

async function liveReport(deps: CampaignReportDeps, campaign: Campaign, options: CampaignReportOptions): Promise<CampaignReport> {
  const listed: string[] = [];
  for await (const page of deps.campaigns.listEntries(campaign.runId)) listed.push(...page.map((e) => e.id));
  // Each entry with its items in one paginated query, read consistently (the listing may lag).
  const loaded = (await mapLimit(listed, READ_CONCURRENCY, (id) => deps.campaigns.getEntryWithItems(id))).filter((e): e is EntryWithItems => e !== undefined);
  const withOutcomes: EntryWithItems[] = [];
  for (const { entry, items } of loaded) withOutcomes.push({ entry, items: await mapLimit(items, READ_CONCURRENCY, (i) => currentWorkflow(deps.approvals, i)) });

  const verifications = new Map<string, RevocationVerification>();
  for await (const page of deps.campaigns.listRevocations(campaign.runId)) {
    for (const r of page) if (r.verification) verifications.set(revocationCursor(r), r.verification);
  }
  const rows = buildReportRows(campaign, withOutcomes, verifications);
  const decisions = countedDecisions(rows);
  const thresholds = resolveThresholds(options.thresholds);
  const names = await approverNames(deps.directory, [...new Set(decisions.map((d) => d.approverId))]);
  return {
    format: 'idgov-campaign-report/1',
    asOf: options.now.toISOString(),
    source: 'LIVE',
    campaign: {
      id: campaign.id,
      name: campaign.name,
      ...(campaign.description !== undefined ? { description: campaign.description } : {}),
      kind: campaign.kind,
      ownerId: campaign.ownerId,
      state: campaign.state,
      run: campaign.run,
      runId: campaign.runId,
      ...(campaign.archivedFrom !== undefined ? { archivedFrom: campaign.archivedFrom } : {}),
      startDate: campaign.startDate,
      ...(campaign.dueDate !== undefined ? { dueDate: campaign.dueDate } : {}),
      ...(campaign.endDate !== undefined ? { endDate: campaign.endDate } : {}),
      ...(campaign.statusExpirationDate !== undefined ? { statusExpirationDate: campaign.statusExpirationDate } : {}),
      revocation: { rejected: campaign.revocation.rejected, modified: campaign.revocation.modified, uncertified: campaign.revocation.uncertified },
    },
    totals: reportTotals(withOutcomes.length, rows),
    rows,
    reassignments: reportReassignments(withOutcomes.map((e) => e.entry)),
    decisionsPerDay: decisionsPerDay(decisions),
    reviewers: analyseReviewers(decisions, thresholds, names),
    thresholds,
  };
}

/**
 * A handed-over item as its approval run is now: the engine records the outcome on the item only
 * once it has applied it, so a run decided since (or timed out) is read from the run itself.
 */
async function currentWorkflow(approvals: ApprovalStore, item: Item): Promise<Item> {
  if (!item.workflow || item.workflow.appliedAction !== undefined) return item;
  const run = await approvals.getApproval(item.workflow.approvalId);
  return run ? { ...item, workflow: itemWorkflowOf(run) } : item;
}

async function approverNames(directory: CampaignReportDeps['directory'], ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (!directory) return names;
  for (const part of chunk(ids.sort(), 100)) {
    for (const [id, user] of await directory.getUsers(part)) names.set(id, user.displayName);
  }
  return names;
}

/**
 * The report archived with the run's evidence, as it was written (source ARCHIVE). Its reviewer
 * analytics are worked out again from its rows only when the thresholds asked for differ from the
 * ones it was written with.
 */
async function archivedReport(archive: EvidenceArchive, campaign: Campaign, prefix: string, options: CampaignReportOptions): Promise<CampaignReport> {
  const where = `${archive.describe(prefix)} (${EVIDENCE_FILES.json})`;
  const bytes = await archive.get(prefix, EVIDENCE_FILES.json);
  if (!bytes) throw new DomainError('NOT_FOUND', `campaign ${campaign.id}: the archived evidence has no ${EVIDENCE_FILES.json}: ${where}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new DomainError('VALIDATION', `campaign ${campaign.id}: the archived ${EVIDENCE_FILES.json} is not JSON (${(error as Error).message}): ${where}`);
  }
  let stored: CampaignReport;
  try {
    stored = parseCampaignReport(json);
  } catch (error) {
    throw new DomainError('VALIDATION', `campaign ${campaign.id}: the archived report is not a valid campaign report: ${(error as Error).message} (${where})`);
  }
  const report: CampaignReport = { ...stored, source: 'ARCHIVE' };
  const thresholds = resolveThresholds(stored.thresholds, options.thresholds);
  if (sameThresholds(thresholds, stored.thresholds)) return report;
  const names = new Map(stored.reviewers.flatMap((r) => (r.approverName !== undefined ? [[r.approverId, r.approverName] as const] : [])));
  return { ...report, reviewers: analyseReviewers(countedDecisions(stored.rows), thresholds, names), thresholds };
}
