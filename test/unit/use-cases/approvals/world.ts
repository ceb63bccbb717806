// A small directory with flagged privileges, over the in-memory stores, and helpers to run the
// re-approval jobs on an injected clock: one "day" is 05:00 InitializeReapproval, 06:00 StartReapproval.
import { InMemoryApprovalStore } from '../../../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryCampaignStore } from '../../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import type { ApprovalRun, ApprovalWorkflow } from '../../../../lambdas/shared/domain/approvals/model.js';
import type { Assignment, Notification, Privilege, User } from '../../../../lambdas/shared/domain/model.js';
import { approvalItemId } from '../../../../lambdas/shared/domain/approvals/model.js';
import { collect } from '../../../../lambdas/shared/use-cases/concurrency.js';
import { decideApproval } from '../../../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { initializeReapproval } from '../../../../lambdas/shared/use-cases/approvals/initialize-reapproval.js';
import { startReapproval, type StartReapprovalDeps } from '../../../../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { DEFAULT_REAPPROVAL_CONFIG } from '../../../../lambdas/shared/domain/approvals/model.js';
import { silentLog, type OutgoingMail } from '../../../../lambdas/shared/use-cases/ports.js';
import { InMemoryAuditLog } from '../../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

export const DAY_MS = 86_400_000;
/** Day 0 of every scenario, 00:00 UTC. */
export const DAY0 = Date.parse('2027-01-04T00:00:00.000Z');
export const dayAt = (day: number, hour = 0) => new Date(DAY0 + day * DAY_MS + hour * 3_600_000);
export const dayOf = (iso: string) => Math.floor((Date.parse(iso) - DAY0) / DAY_MS);
export const iso = (day: number, hour = 0) => dayAt(day, hour).toISOString();

export const person = (id: string, managerId?: string, overrides: Partial<User> = {}): User => ({
  id,
  displayName: `Name ${id}`,
  email: `${id}@example.com`,
  status: 'ACTIVE',
  ...(managerId ? { managerId } : {}),
  ...overrides,
});

/**
 *   dan (director)
 *   ├── mary (manager) ── alice, bob, carol (users holding access)
 *   └── owen (owner of the privileges)
 */
export const PEOPLE: User[] = [
  person('dan'),
  person('mary', 'dan'),
  person('owen', 'dan'),
  person('alice', 'mary'),
  person('bob', 'mary'),
  person('carol', 'mary'),
];

export const privilege = (id: string, overrides: Partial<Privilege> = {}): Privilege => ({ id, name: `Privilege ${id}`, ownerIds: ['owen'], riskLevel: 'CRITICAL', ...overrides });
export const manual = (userId: string, privilegeId: string, overrides: Partial<Assignment> = {}): Assignment => ({ userId, privilegeId, origin: 'MANUAL', ...overrides });

export interface WorldOptions {
  users?: User[];
  privileges: Privilege[];
  assignments: Assignment[];
  workflows?: ApprovalWorkflow[];
  pageSize?: number;
}

export type World = Awaited<ReturnType<typeof buildWorld>>;

export async function buildWorld(options: WorldOptions) {
  const pageSize = options.pageSize ?? 2;
  const directory = new InMemoryDirectoryStore({ pageSize });
  const outbox = new InMemoryOutbox({ pageSize });
  const campaigns = new InMemoryCampaignStore({ outbox, pageSize });
  const approvals = new InMemoryApprovalStore({ pageSize });
  const audit = new InMemoryAuditLog();
  await directory.putUsers(options.users ?? PEOPLE);
  await directory.putPrivileges(options.privileges);
  await directory.putAssignments(options.assignments);
  if (options.workflows) await directory.putWorkflows(options.workflows);
  const mails: OutgoingMail[] = [];
  let wall = Date.parse('2030-01-01T00:00:00.000Z');
  const mailer = { send: async (mail: OutgoingMail) => (mails.push(mail), { messageId: `mail-${mails.length}` }) };
  const wallClock = { now: () => new Date(wall) };
  const deps: StartReapprovalDeps = { directory, approvals, campaigns, outbox, audit, portalUrl: 'https://portal.example', log: silentLog, mailer, wallClock };

  const world = {
    directory,
    /** Every record the jobs and decisions of this world appended. */
    audit,
    approvals,
    campaigns,
    outbox,
    deps,
    mails,
    /** Moves the wall clock past every send claim (a run after a killed one). */
    later: () => void (wall += 10 * 60_000),
    initialize: (now: Date) => initializeReapproval({ directory, log: silentLog }, now),
    start: (now: Date) => startReapproval(deps, now),
    /** InitializeReapproval at 05:00, StartReapproval at 06:00. */
    async day(day: number) {
      await world.initialize(dayAt(day, 5));
      return world.start(dayAt(day, 6));
    },
    assignment: (userId: string, privilegeId: string) => directory.getAssignment(userId, privilegeId),
    runs: () => approvals.all(),
    tasks: (approverId: string) => approvals.listApprovalTasks(approverId),
    async decide(approverId: string, outcome: 'APPROVE' | 'REJECT', at: Date, comment?: string) {
      const results = [];
      for (const run of await approvals.listApprovalTasks(approverId)) {
        const config = (await directory.getReapprovalConfig()) ?? DEFAULT_REAPPROVAL_CONFIG;
        results.push(await decideApproval(deps, { approvalId: run.id, actorId: approverId, itemId: approvalItemId(run), outcome, ...(comment ? { comment } : {}) }, config, at));
      }
      return results;
    },
    /** Every notice of every run, by key. */
    async notices(): Promise<Notification[]> {
      const all: Notification[] = [];
      for (const run of approvals.all()) all.push(...(await collect(outbox.listByCampaign(run.id))));
      return all.sort((a, b) => a.key.localeCompare(b.key));
    },
    async noticeKeys(): Promise<string[]> {
      return (await world.notices()).map((n) => n.key);
    },
    /** Every assignment of the world's users. */
    async allAssignments(): Promise<Assignment[]> {
      const all: Assignment[] = [];
      for (const page of await collect(directory.listUsers())) all.push(...(await directory.listAssignmentsOfUser(page.id)));
      return all;
    },
  };
  return world;
}

/** Notices of one run by kind and recipient, e.g. `APPROVAL_START owen`. */
export const describeNotices = (notices: Notification[], run: Pick<ApprovalRun, 'id'>) =>
  notices.filter((n) => n.approvalId === run.id).map((n) => `${n.kind} ${n.recipientId}`);
