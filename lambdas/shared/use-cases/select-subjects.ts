// Selection (docs/reference/campaigns.md, "Selection" and "Approvers"): which subjects a campaign certifies, which of
// their MANUAL assignments, and who approves them — by filters and default approvers, or by the
// campaign's hooks. Shared by preparation and the pre-launch preview; writes nothing.
import { defaultApproverIds, type CertifiableAssignment } from '../domain/entries.js';
import { compileFilter, privilegeFilterSubject, userFilterSubject, type CompiledFilter } from '../domain/filter.js';
import { hookCampaignOf } from '../domain/hook-contracts.js';
import type { Assignment, Campaign, Privilege, StagePlan, User } from '../domain/model.js';
import { callHook, HookError } from './call-hook.js';
import { chunk, collect, mapLimit } from './concurrency.js';
import type { DirectoryStore, HookInvoker, ListFrom } from './ports.js';

export interface SubjectWork {
  subject: { id: string; name: string; managerId?: string; ownerIds?: string[] };
  /** The approval stages; stage 1 starts now. Default: one stage of the default approvers. */
  plan: StagePlan[];
  assignments: CertifiableAssignment[];
}

export interface SelectionDeps {
  directory: DirectoryStore;
  hooks?: HookInvoker;
  /** How long one hook call may take (default 10 s). */
  hookTimeoutMs?: number;
}

const READ_CONCURRENCY = 8;
/**
 * Subjects whose assignments are read together: a listing page (up to 1 MB, thousands of users) is
 * taken this many at a time, so what is held is a few hundred subjects' assignments, not a page's.
 */
const SUBJECTS_PER_READ = 100;
const HOOK_CONCURRENCY = 4;

export const usesHooks = (campaign: Campaign) => Object.values(campaign.hooks ?? {}).some((ref) => !!ref);

/**
 * The campaign's subjects in id order, a page at a time, from `after` on. Hook failures surface as
 * HookError; with hooks, the caller collects everything before writing anything.
 */
export async function* selectWork(deps: SelectionDeps, campaign: Campaign, now: Date, after?: string): AsyncGenerator<SubjectWork[]> {
  const hooks = campaign.hooks ?? {};
  const subjectFilter = hooks.findSubjects ? undefined : compileFilter(campaign.subjects.filter ?? '', 'subjects.filter');
  const resourceFilter = campaign.resources?.filter ? compileFilter(campaign.resources.filter, 'resources.filter') : undefined;
  const chosen = hooks.findSubjects ? await hookSubjectIds(deps, campaign, now) : undefined;
  const base =
    campaign.kind === 'USER'
      ? userWork(deps.directory, chosen, subjectFilter, resourceFilter, after)
      : privilegeWork(deps.directory, chosen, subjectFilter, resourceFilter, after);
  for await (const works of base) {
    yield hooks.limitResources || hooks.findApprovers ? await mapLimit(works, HOOK_CONCURRENCY, (w) => applyHooks(deps, campaign, now, w)) : works;
  }
}

async function hookSubjectIds(deps: SelectionDeps, campaign: Campaign, now: Date): Promise<string[]> {
  const ref = campaign.hooks!.findSubjects!;
  const answer = await callHook(invokerOf(deps, 'findSubjects', ref), 'findSubjects', ref, {
    version: 1,
    hook: 'findSubjects',
    campaign: hookCampaignOf(campaign),
    now: now.toISOString(),
  }, { timeoutMs: deps.hookTimeoutMs });
  const ids = [...answer.subjectIds].sort();
  const known = campaign.kind === 'USER' ? await deps.directory.getUsers(ids) : await deps.directory.getPrivileges(ids);
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new HookError('findSubjects', ref, `answered ids that are not in the directory: ${unknown.slice(0, 10).join(', ')}`, 'OUTSIDE_CONTRACT');
  }
  return ids;
}

async function applyHooks(deps: SelectionDeps, campaign: Campaign, now: Date, work: SubjectWork): Promise<SubjectWork> {
  const hooks = campaign.hooks!;
  const base = { campaign: hookCampaignOf(campaign), now: now.toISOString() };
  const hookAssignments = (list: CertifiableAssignment[]) =>
    list.map((a) => ({
      userId: a.user.id,
      privilegeId: a.privilege.id,
      ...(a.endDate ? { endDate: a.endDate } : {}),
      ...(a.parameters ? { parameters: a.parameters } : {}),
    }));
  let assignments = work.assignments;
  if (hooks.limitResources) {
    const ref = hooks.limitResources;
    const answer = await callHook(invokerOf(deps, 'limitResources', ref), 'limitResources', ref, {
      version: 1,
      hook: 'limitResources',
      ...base,
      subject: { kind: campaign.kind, id: work.subject.id, name: work.subject.name },
      assignments: hookAssignments(assignments),
    }, { timeoutMs: deps.hookTimeoutMs });
    const keep = new Set(answer.keep.map((k) => `${k.userId}\u0000${k.privilegeId}`));
    assignments = assignments.filter((a) => keep.has(`${a.user.id}\u0000${a.privilege.id}`));
  }
  let plan = work.plan;
  if (hooks.findApprovers) {
    const ref = hooks.findApprovers;
    const answer = await callHook(invokerOf(deps, 'findApprovers', ref), 'findApprovers', ref, {
      version: 1,
      hook: 'findApprovers',
      ...base,
      subject: {
        kind: campaign.kind,
        id: work.subject.id,
        name: work.subject.name,
        ...(work.subject.managerId ? { managerId: work.subject.managerId } : {}),
        ...(work.subject.ownerIds ? { ownerIds: work.subject.ownerIds } : {}),
      },
      assignments: hookAssignments(assignments),
      defaultApproverIds: work.plan[0]?.approverIds ?? [],
    }, { timeoutMs: deps.hookTimeoutMs });
    const named = [...new Set(answer.stages.flatMap((s) => s.approverIds))];
    const people = await deps.directory.getUsers(named);
    const unusable = named.filter((id) => people.get(id)?.status !== 'ACTIVE');
    if (unusable.length > 0) {
      throw new HookError(
        'findApprovers',
        ref,
        `answered approvers that are not active directory users (subject ${work.subject.id}): ${unusable.slice(0, 10).join(', ')}`,
        'OUTSIDE_CONTRACT',
      );
    }
    plan = answer.stages.map((s) => ({ approverIds: s.approverIds, ...(s.name ? { name: s.name } : {}), ...(s.periodDays ? { periodDays: s.periodDays } : {}) }));
  }
  return { ...work, assignments, plan };
}

function invokerOf(deps: SelectionDeps, hook: 'findSubjects' | 'limitResources' | 'findApprovers', ref: string): HookInvoker {
  if (!deps.hooks) throw new HookError(hook, ref, 'cannot be called: no hook invoker is configured in this environment', 'FAILED');
  return deps.hooks;
}

/**
 * Every subject from the directory's listing, or only the hook's chosen ids (sorted), a page at a
 * time; from the first id after `after` on (the listing resumes there by key, never from the start).
 */
async function* subjectPages<T>(
  list: (from: ListFrom) => AsyncIterable<T[]>,
  chosen: string[] | undefined,
  getMany: (ids: string[]) => Promise<Map<string, T>>,
  after: string | undefined,
): AsyncGenerator<T[]> {
  if (!chosen) {
    yield* list(after === undefined ? {} : { after });
    return;
  }
  const rest = after === undefined ? chosen : chosen.filter((id) => id > after);
  for (let i = 0; i < rest.length; i += 100) {
    const ids = rest.slice(i, i + 100);
    const found = await getMany(ids);
    yield ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
  }
}

const certifiable = (user: Pick<User, 'id' | 'displayName' | 'managerId'>, privilege: Privilege, a: Assignment): CertifiableAssignment => ({
  user,
  privilege,
  origin: a.origin,
  endDate: a.endDate,
  parameters: a.parameters,
  grantedAt: a.grantedAt,
  approvedAt: a.approvedAt,
  approvedBy: a.approvedBy,
});

/** USER campaign: users chosen, their MANUAL assignments, approver = manager. */
async function* userWork(
  directory: DirectoryStore,
  chosen: string[] | undefined,
  subjectFilter: CompiledFilter | undefined,
  resourceFilter: CompiledFilter | undefined,
  after: string | undefined,
): AsyncGenerator<SubjectWork[]> {
  const privileges = new Map((await collect(directory.listPrivileges())).map((p) => [p.id, p]));
  for await (const page of subjectPages((from) => directory.listUsers(from), chosen, (ids) => directory.getUsers(ids), after)) {
    const matching = page.filter((u) => !subjectFilter || subjectFilter.matches(userFilterSubject(u)));
    for (const users of chunk(matching, SUBJECTS_PER_READ)) yield await usersWork(directory, users, privileges, resourceFilter);
  }
}

async function usersWork(directory: DirectoryStore, users: User[], privileges: Map<string, Privilege>, resourceFilter: CompiledFilter | undefined): Promise<SubjectWork[]> {
  const managers = await directory.getUsers(users.flatMap((u) => (u.managerId ? [u.managerId] : [])));
  return mapLimit(users, READ_CONCURRENCY, async (user) => {
    const assignments = (await directory.listAssignmentsOfUser(user.id))
      .filter((a) => a.origin === 'MANUAL')
      .flatMap((a): CertifiableAssignment[] => {
        const privilege: Privilege = privileges.get(a.privilegeId) ?? { id: a.privilegeId, name: a.privilegeId, ownerIds: [] };
        if (resourceFilter && !resourceFilter.matches(privilegeFilterSubject(privilege))) return [];
        return [certifiable(user, privilege, a)];
      });
    return {
      subject: { id: user.id, name: user.displayName, ...(user.managerId ? { managerId: user.managerId } : {}) },
      plan: [{ approverIds: defaultApproverIds('USER', user, managers) }],
      assignments,
    };
  });
}

/** PRIVILEGE campaign: privileges chosen, their MANUAL holders, approvers = owners. */
async function* privilegeWork(
  directory: DirectoryStore,
  chosen: string[] | undefined,
  subjectFilter: CompiledFilter | undefined,
  resourceFilter: CompiledFilter | undefined,
  after: string | undefined,
): AsyncGenerator<SubjectWork[]> {
  for await (const page of subjectPages((from) => directory.listPrivileges(from), chosen, (ids) => directory.getPrivileges(ids), after)) {
    const matching = page.filter((p) => !subjectFilter || subjectFilter.matches(privilegeFilterSubject(p)));
    for (const privileges of chunk(matching, SUBJECTS_PER_READ)) yield await privilegesWork(directory, privileges, resourceFilter);
  }
}

async function privilegesWork(directory: DirectoryStore, privileges: Privilege[], resourceFilter: CompiledFilter | undefined): Promise<SubjectWork[]> {
  const owners = await directory.getUsers(privileges.flatMap((p) => p.ownerIds));
  return mapLimit(privileges, READ_CONCURRENCY, async (privilege) => {
    const holders = await collect(directory.listHoldersOfPrivilege(privilege.id, 'MANUAL'));
    const users = await directory.getUsers(holders.map((h) => h.userId));
    const assignments = holders.flatMap((a): CertifiableAssignment[] => {
      const user: User = users.get(a.userId) ?? { id: a.userId, displayName: a.userId, email: '', status: 'ACTIVE' };
      if (resourceFilter && !resourceFilter.matches(userFilterSubject(user))) return [];
      return [certifiable(user, privilege, a)];
    });
    return {
      subject: { id: privilege.id, name: privilege.name, ownerIds: privilege.ownerIds },
      plan: [{ approverIds: defaultApproverIds('PRIVILEGE', privilege, owners) }],
      assignments,
    };
  });
}
