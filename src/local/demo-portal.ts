// The approver portal at the end of `npm start -- --keep-open`: the API and the portal on one local
// port over the demo's state, answering as of the story's simulated time, and, since every campaign
// of the story has ended by then, one more campaign started on the last day so that approvers have
// open tasks and the owner a campaign in progress to look at.
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { CampaignDefinition } from '../../lambdas/shared/domain/model.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import type { Clock, Log } from '../../lambdas/shared/use-cases/ports.js';
import { startApiServer, type ApiServer } from './api-server.js';
import { LOCAL_PORTAL_PORT, type Runtime } from './runtime.js';

const quiet: Log = { info() {}, warn() {}, error() {} };

/**
 * `idgov api serve` with the portal, on `port` if it is free (the port the mails' links name by
 * default), else on any free port. The links in mails composed through it (a reassignment's
 * Approval Start) name the port it really listens on.
 */
export async function startPortalServer(runtime: Runtime, clock: Clock, port = LOCAL_PORTAL_PORT): Promise<ApiServer> {
  let url = `http://127.0.0.1:${port}`;
  const deps = {
    campaigns: runtime.campaigns,
    directory: runtime.directory,
    approvals: runtime.approvals,
    outbox: runtime.outbox,
    audit: runtime.auditLog,
    // Read at each request: known only once the server listens.
    get portalUrl() {
      return url;
    },
    log: quiet,
  };
  let server: ApiServer;
  try {
    server = await startApiServer({ deps, port, portal: true, clock });
  } catch (error) {
    if (!(error instanceof ValidationError && error.field === 'port')) throw error;
    server = await startApiServer({ deps, port: 0, portal: true, clock });
  }
  url = server.url;
  return server;
}

export interface PortalTour {
  campaignId: string;
  /** The approver with the most open entries in it. */
  approver: { id: string; displayName: string; tasks: number };
  ownerId: string;
}

/**
 * A USER campaign over the high-risk users, started at `now` and prepared by the controller, so
 * that the portal has work to show: managers review their reports' manual access for 14 days.
 */
export function portalTourCampaign(ownerId: string, now: Date): CampaignDefinition {
  return {
    name: 'Portal tour: high-risk users',
    description: 'Started at the end of the demo so that the approver portal has open tasks.',
    kind: 'USER',
    ownerId,
    startDate: now.toISOString(),
    approvalPeriodDays: 14,
    subjects: { filter: '(riskLevel>=HIGH)' },
    reminders: { daysBeforeDue: 3, intervalHours: 24 },
    revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'KEEP' },
  };
}

export async function startPortalTour(
  runtime: Runtime,
  options: { ownerId: string; now: Date; runController: (now: Date) => Promise<ControllerReport> },
): Promise<PortalTour> {
  const admin = { campaigns: runtime.campaigns, audit: runtime.auditLog, directory: runtime.directory, operations: runtime.operations };
  const campaign = await createCampaign(admin, portalTourCampaign(options.ownerId, options.now), options.now, undefined, 'demo-admin');
  const report = await options.runController(options.now);
  if (report.errors.length > 0) throw new Error(`the portal tour's campaign failed: ${JSON.stringify(report.errors)}`);
  const prepared = await runtime.campaigns.getCampaign(campaign.id);
  if (prepared?.state !== 'RUNNING') throw new Error(`the portal tour's campaign is ${prepared?.state ?? 'missing'}, not RUNNING`);

  const open = new Map<string, number>();
  for await (const page of runtime.campaigns.listEntries(prepared.runId)) {
    for (const entry of page) {
      if (entry.state !== 'RUNNING') continue;
      for (const id of entry.approverIds) open.set(id, (open.get(id) ?? 0) + 1);
    }
  }
  const [busiest] = [...open.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (!busiest) throw new Error("the portal tour's campaign has no open entry");
  const user = await runtime.directory.getUser(busiest[0]);
  return { campaignId: campaign.id, approver: { id: busiest[0], displayName: user?.displayName ?? busiest[0], tasks: busiest[1] }, ownerId: options.ownerId };
}
