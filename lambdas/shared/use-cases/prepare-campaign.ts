// SPEC 2, step 2 (Prepare): select subjects, collect their manual assignments, limit resources,
// find approvers, and write one entry per subject in chunks. After each chunk the campaign saves
// the last subject written, so a killed run resumes there; a half-written chunk is rewritten with
// the same deterministic keys.
import { withPhase } from '../domain/campaign-lifecycle.js';
import { buildEntry, defaultApproverIds, type CertifiableAssignment } from '../domain/entries.js';
import { compileFilter, privilegeFilterSubject, userFilterSubject, type CompiledFilter } from '../domain/filter.js';
import type { Campaign, Entry, Item, Notification, Privilege, User } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { collect, mapLimit } from './concurrency.js';
import type { CampaignStore, DirectoryStore } from './ports.js';

export interface PrepareDeps {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  portalUrl: string;
}

/** Chunk bounds: large enough to fill write batches, small enough to resume cheaply. */
const CHUNK_ITEMS = 10_000;
const CHUNK_SUBJECTS = 1_000;
const READ_CONCURRENCY = 8;

interface SubjectWork {
  subject: { id: string; name: string };
  approverIds: string[];
  assignments: CertifiableAssignment[];
}

export async function prepareCampaign(deps: PrepareDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  const subjectFilter = compileFilter(campaign.subjects.filter ?? '', 'subjects.filter');
  const resourceFilter = campaign.resources?.filter ? compileFilter(campaign.resources.filter, 'resources.filter') : undefined;
  const after = campaign.phase.name === 'PREPARE' ? campaign.phase.afterSubjectId : undefined;
  const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
  await notifier.prefetch([campaign.ownerId]);

  let current = campaign;
  let pending: SubjectWork[] = [];
  let pendingItems = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const work = pending;
    pending = [];
    pendingItems = 0;
    current = await writeChunk(deps, current, work, notifier, now);
  };

  const selected =
    campaign.kind === 'USER'
      ? userSubjects(deps.directory, subjectFilter, resourceFilter, after)
      : privilegeSubjects(deps.directory, subjectFilter, resourceFilter, after);
  for await (const works of selected) {
    for (const work of works) {
      pending.push(work);
      pendingItems += work.assignments.length;
      if (pendingItems >= CHUNK_ITEMS || pending.length >= CHUNK_SUBJECTS) await flush();
    }
  }
  await flush();
  const next = withPhase(current, { name: 'ANNOUNCE' }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

async function writeChunk(
  deps: PrepareDeps,
  campaign: Campaign,
  work: SubjectWork[],
  notifier: CampaignNotifier,
  now: Date,
): Promise<Campaign> {
  const batch: { entry: Entry; items: Item[] }[] = [];
  const notifications: Notification[] = [];
  await notifier.prefetch(work.flatMap((w) => w.approverIds));
  for (const w of work) {
    const built = buildEntry({ campaign, subject: w.subject, stage: 1, approverIds: w.approverIds, assignments: w.assignments, now });
    batch.push(built);
    const { entry } = built;
    const extras = { subjectName: entry.subjectName, itemCount: entry.itemCount, stage: entry.stage };
    if (entry.state === 'FAILED.PREPARE') {
      notifications.push(notifier.compose('NO_APPROVER', notificationKey.noApprover(entry.id), campaign.ownerId, extras, entry.id));
    } else {
      for (const approverId of entry.approverIds) {
        notifications.push(
          notifier.compose('APPROVAL_START', notificationKey.approvalStart(entry.id, approverId), approverId, extras, entry.id),
        );
      }
    }
  }
  await deps.campaigns.putEntriesWithItems(batch, notifications);
  const next = withPhase(campaign, { name: 'PREPARE', afterSubjectId: work[work.length - 1]!.subject.id }, now);
  await deps.campaigns.saveCampaign(next);
  return next;
}

/** USER campaign: users matching the filter, their MANUAL assignments, approver = manager. */
async function* userSubjects(
  directory: DirectoryStore,
  subjectFilter: CompiledFilter,
  resourceFilter: CompiledFilter | undefined,
  after: string | undefined,
): AsyncGenerator<SubjectWork[]> {
  const privileges = new Map((await collect(directory.listPrivileges())).map((p) => [p.id, p]));
  for await (const page of directory.listUsers()) {
    const users = page.filter((u) => (after === undefined || u.id > after) && subjectFilter.matches(userFilterSubject(u)));
    if (users.length === 0) continue;
    const managers = await directory.getUsers(users.flatMap((u) => (u.managerId ? [u.managerId] : [])));
    yield await mapLimit(users, READ_CONCURRENCY, async (user) => {
      const assignments = (await directory.listAssignmentsOfUser(user.id))
        .filter((a) => a.origin === 'MANUAL')
        .flatMap((a): CertifiableAssignment[] => {
          const privilege: Privilege = privileges.get(a.privilegeId) ?? { id: a.privilegeId, name: a.privilegeId, ownerIds: [] };
          if (resourceFilter && !resourceFilter.matches(privilegeFilterSubject(privilege))) return [];
          return [{ user, privilege, endDate: a.endDate, parameters: a.parameters, approvedAt: a.approvedAt, approvedBy: a.approvedBy }];
        });
      return {
        subject: { id: user.id, name: user.displayName },
        approverIds: defaultApproverIds('USER', user, managers),
        assignments,
      };
    });
  }
}

/** PRIVILEGE campaign: privileges matching the filter, their MANUAL holders, approvers = owners. */
async function* privilegeSubjects(
  directory: DirectoryStore,
  subjectFilter: CompiledFilter,
  resourceFilter: CompiledFilter | undefined,
  after: string | undefined,
): AsyncGenerator<SubjectWork[]> {
  for await (const page of directory.listPrivileges()) {
    const privileges = page.filter(
      (p) => (after === undefined || p.id > after) && subjectFilter.matches(privilegeFilterSubject(p)),
    );
    if (privileges.length === 0) continue;
    const owners = await directory.getUsers(privileges.flatMap((p) => p.ownerIds));
    const works: SubjectWork[] = [];
    for (const privilege of privileges) {
      const holders = await collect(directory.listHoldersOfPrivilege(privilege.id, 'MANUAL'));
      const users = await directory.getUsers(holders.map((h) => h.userId));
      const assignments = holders.flatMap((a): CertifiableAssignment[] => {
        const user: User = users.get(a.userId) ?? { id: a.userId, displayName: a.userId, email: '', status: 'ACTIVE' };
        if (resourceFilter && !resourceFilter.matches(userFilterSubject(user))) return [];
        return [{ user, privilege, endDate: a.endDate, parameters: a.parameters, approvedAt: a.approvedAt, approvedBy: a.approvedBy }];
      });
      works.push({
        subject: { id: privilege.id, name: privilege.name },
        approverIds: defaultApproverIds('PRIVILEGE', privilege, owners),
        assignments,
      });
    }
    yield works;
  }
}
