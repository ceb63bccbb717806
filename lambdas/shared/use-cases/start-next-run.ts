// The one way a finished run is archived and the next run begins, for the recurrence (docs/reference/campaigns.md step 6)
// and the administrator's restart alike: the archive first, then the campaign as its next run. The
// finished run's chain records the archive, the new run's chain opens with the restart.
import { auditKey, campaignRecord, campaignRunArchived, campaignStateChanged, definitionOf } from '../domain/audit/events.js';
import type { AuditActor } from '../domain/audit/model.js';
import { ConflictError } from '../domain/errors.js';
import type { Campaign } from '../domain/model.js';
import { appendRecord, recordThenChange, type AuditDeps } from './audit-trail.js';
import type { CampaignStore } from './ports.js';

export interface NextRunAudit {
  actor: AuditActor;
  at: string;
  /** The controller's recurrence (records before each write) or the administrator's restart (after). */
  job: boolean;
  reason: 'RECURRENCE' | 'RESTART';
}

export async function startNextRun(
  deps: AuditDeps & { campaigns: CampaignStore },
  run: { archive: Campaign; next: Campaign },
  audit: NextRunAudit,
): Promise<Campaign> {
  const { archive, next } = run;
  const archived = campaignRecord(archive, auditKey.archive(archive), audit.at, [campaignRunArchived(archive, audit.actor, audit.at, next.runId)]);
  const key = audit.job ? auditKey.campaign(next) : auditKey.campaignChange(next);
  const opened = campaignRecord(next, key, audit.at, [
    campaignStateChanged(archive.state, next, audit.actor, audit.at, {
      run: next.run,
      previousRunId: archive.runId,
      archiveId: archive.id,
      reason: audit.reason,
      definition: definitionOf(next),
    }),
  ]);
  if (audit.job) await appendRecord(deps.audit, archived);
  try {
    await deps.campaigns.createCampaign(archive);
  } catch (error) {
    // Archived by an attempt that was killed before it saved the next run.
    if (!(error instanceof ConflictError)) throw error;
  }
  if (!audit.job) {
    await deps.campaigns.saveCampaign(next);
    await appendRecord(deps.audit, archived);
    await appendRecord(deps.audit, opened);
    return next;
  }
  await recordThenChange(deps, opened, () => deps.campaigns.saveCampaign(next));
  return next;
}
