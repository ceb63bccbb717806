// The small organisation on in-memory stores, and the campaign controller over them at any business
// instant: the setup of the unit tests that play a campaign through runCampaignController.
import { InMemoryApprovalStore } from '../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';
import { runCampaignController, type ControllerDeps, type ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { testEvidenceArchiver } from './evidence.js';
import { smallOrg } from './small-org.js';

/** `pageSize`: records per listing page of the directory and the campaign store (1 forces many pages). */
export async function inMemoryWorld(options: { org?: DirectoryFile; pageSize?: number } = {}) {
  const org = options.org ?? smallOrg();
  const paging = options.pageSize === undefined ? {} : { pageSize: options.pageSize };
  const directory = new InMemoryDirectoryStore(paging);
  await directory.putUsers(org.users);
  await directory.putPrivileges(org.privileges);
  await directory.putAssignments(org.assignments);
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox, ...paging });
  const approvals = new InMemoryApprovalStore();
  const audit = new InMemoryAuditLog();
  return { directory, outbox, campaigns, approvals, audit };
}

export type InMemoryWorld = Awaited<ReturnType<typeof inMemoryWorld>>;

/**
 * A controller run at business instant `at`, mail discarded unless `overrides` give a mailer. The
 * wall clock moves an hour a run, so a lease left by a run that failed has expired by the next.
 */
export function controllerRunner(world: InMemoryWorld, overrides: Partial<ControllerDeps> = {}): (at: string) => Promise<ControllerReport> {
  let wallMs = Date.parse('2030-01-01T00:00:00.000Z');
  return (at) =>
    runCampaignController({
      ...world,
      mailer: { send: async () => ({ messageId: 'm' }) },
      clock: { now: () => new Date(at) },
      wallClock: { now: () => new Date((wallMs += 3_600_000)) },
      log: silentLog,
      settings: { portalUrl: 'https://idgov.example.com', leaseSeconds: 900 },
      evidence: testEvidenceArchiver(world),
      ...overrides,
    });
}
