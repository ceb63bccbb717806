// DirectoryStore in memory, with the Dynamo adapter's semantics, for fast use-case tests.
import type { ApprovalWorkflow, ReapprovalConfig, ReapprovalMode, ReapprovalRound, RunningReapproval } from '../../domain/approvals/model.js';
import { REAPPROVAL_STATE_FIELDS, type Assignment, type Privilege, type User } from '../../domain/model.js';
import type { DirectoryStore, ListFrom, Pages, ReapprovalDirectory, ReapprovalIndexPosition, RiskLevelChange } from '../../use-cases/ports.js';
import { DEFAULT_PAGE_SIZE, afterKey, byKey, inPages, stored, type InMemoryOptions } from './pages.js';

const assignmentId = (userId: string, privilegeId: string) => `${userId}\n${privilegeId}`;

export class InMemoryDirectoryStore implements DirectoryStore, ReapprovalDirectory {
  private readonly users = new Map<string, User>();
  private readonly privileges = new Map<string, Privilege>();
  private readonly assignments = new Map<string, Assignment>();
  private readonly workflows = new Map<string, ApprovalWorkflow>();
  private readonly rounds = new Map<string, ReapprovalRound>();
  private reapprovalConfig: ReapprovalConfig | undefined;
  private readonly pageSize: number;

  constructor(options: InMemoryOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async putUsers(users: User[]): Promise<void> {
    for (const user of users) this.users.set(user.id, stored(user));
  }

  async putPrivileges(privileges: Privilege[]): Promise<void> {
    for (const privilege of privileges) this.privileges.set(privilege.id, stored(privilege));
  }

  /** Keeps the stored re-approval state and the later approval of an assignment already there (mergeLoaded). */
  async putAssignments(assignments: Assignment[]): Promise<void> {
    for (const a of assignments) {
      const id = assignmentId(a.userId, a.privilegeId);
      this.assignments.set(id, stored(mergeLoaded(a, this.assignments.get(id))));
    }
  }

  async getUser(id: string): Promise<User | undefined> {
    const user = this.users.get(id);
    return user && stored(user);
  }

  async getUsers(ids: string[]): Promise<Map<string, User>> {
    return new Map(ids.flatMap((id) => (this.users.has(id) ? [[id, stored(this.users.get(id)!)] as const] : [])));
  }

  async getPrivilege(id: string): Promise<Privilege | undefined> {
    const privilege = this.privileges.get(id);
    return privilege && stored(privilege);
  }

  async getPrivileges(ids: string[]): Promise<Map<string, Privilege>> {
    return new Map(ids.flatMap((id) => (this.privileges.has(id) ? [[id, stored(this.privileges.get(id)!)] as const] : [])));
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) return undefined;
    const found = [...this.users.values()].filter((u) => u.email.trim().toLowerCase() === wanted);
    return found.length === 1 ? stored(found[0]!) : undefined;
  }

  listUsers(from: ListFrom = {}): Pages<User> {
    return inPages(afterKey([...this.users.values()], (u) => u.id, from.after), this.pageSize);
  }

  listPrivileges(from: ListFrom = {}): Pages<Privilege> {
    return inPages(afterKey([...this.privileges.values()], (p) => p.id, from.after), this.pageSize);
  }

  async listAssignmentsOfUser(userId: string): Promise<Assignment[]> {
    return [...this.assignments.values()]
      .filter((a) => a.userId === userId)
      .sort(byKey((a) => a.privilegeId))
      .map(stored);
  }

  /** With an origin, in user id order; without, by origin and then user id. */
  listHoldersOfPrivilege(privilegeId: string, origin?: Assignment['origin'], from: ListFrom = {}): Pages<Assignment> {
    const { after } = from;
    if (after !== undefined && origin === undefined) throw new Error('listHoldersOfPrivilege: resuming after a user needs the origin');
    const holders = [...this.assignments.values()]
      .filter((a) => a.privilegeId === privilegeId && (origin === undefined || a.origin === origin) && (after === undefined || a.userId > after))
      .sort(byKey((a) => `${a.origin}#${a.userId}`));
    return inPages(holders, this.pageSize);
  }

  async removeAssignment(userId: string, privilegeId: string): Promise<'REMOVED' | 'NOT_MANUAL'> {
    const current = this.assignments.get(assignmentId(userId, privilegeId));
    if (current && current.origin !== 'MANUAL') return 'NOT_MANUAL';
    this.assignments.delete(assignmentId(userId, privilegeId));
    return 'REMOVED';
  }

  async modifyAssignment(
    userId: string,
    privilegeId: string,
    change: { endDate?: string | null; parameters?: Record<string, string | null> },
  ): Promise<void> {
    const current = this.assignments.get(assignmentId(userId, privilegeId));
    if (!current || current.origin !== 'MANUAL') return;
    const next: Assignment = { ...current };
    if (change.endDate === null) delete next.endDate;
    else if (change.endDate !== undefined) next.endDate = change.endDate;
    const changes = Object.entries(change.parameters ?? {});
    // Like the DynamoDB store: removing from an assignment without parameters creates no empty map.
    if (current.parameters || changes.some(([, value]) => value !== null)) {
      const parameters: Record<string, string> = { ...current.parameters };
      for (const [name, value] of changes) {
        if (value === null) delete parameters[name];
        else parameters[name] = value;
      }
      if (changes.length > 0) next.parameters = parameters;
    }
    this.assignments.set(assignmentId(userId, privilegeId), stored(next));
  }

  async setRiskLevel(userId: string, change: RiskLevelChange): Promise<void> {
    const user = this.users.get(userId);
    if (!user) return;
    const { declaredRiskLevel, ...rest } = change;
    const next: User = { ...user, ...rest };
    if (declaredRiskLevel) next.declaredRiskLevel = declaredRiskLevel;
    else delete next.declaredRiskLevel;
    this.users.set(userId, stored(next));
  }

  // ReapprovalDirectory (ports.ts): the sparse indexes are filters over the assignments here, with
  // the Dynamo store's membership rules and orders.
  async putWorkflows(workflows: ApprovalWorkflow[]): Promise<void> {
    for (const workflow of workflows) this.workflows.set(workflow.id, stored(workflow));
  }

  async getWorkflow(id: string): Promise<ApprovalWorkflow | undefined> {
    const workflow = this.workflows.get(id);
    return workflow && stored(workflow);
  }

  async listWorkflows(): Promise<ApprovalWorkflow[]> {
    return [...this.workflows.values()].sort(byKey((w) => w.id)).map(stored);
  }

  async getReapprovalConfig(): Promise<ReapprovalConfig | undefined> {
    return this.reapprovalConfig && stored(this.reapprovalConfig);
  }

  async putReapprovalConfig(config: ReapprovalConfig): Promise<void> {
    this.reapprovalConfig = stored(config);
  }

  async getRound(date: string): Promise<ReapprovalRound | undefined> {
    const round = this.rounds.get(date);
    return round && stored(round);
  }

  /** Like the Dynamo store's update: the first startedAt stays; a completedAt is never removed. */
  async putRound(round: ReapprovalRound): Promise<void> {
    const existing = this.rounds.get(round.date);
    const completedAt = round.completedAt ?? existing?.completedAt;
    this.rounds.set(round.date, stored({ ...round, startedAt: existing?.startedAt ?? round.startedAt, ...(completedAt !== undefined ? { completedAt } : {}) }));
  }

  async getAssignment(userId: string, privilegeId: string): Promise<Assignment | undefined> {
    const assignment = this.assignments.get(assignmentId(userId, privilegeId));
    return assignment && stored(assignment);
  }

  listFlaggedPrivileges(options: ListFrom = {}): Pages<Privilege> {
    const { after } = options;
    const flagged = [...this.privileges.values()].filter((p) => p.reapproval !== undefined && (after === undefined || p.id > after));
    return inPages(flagged.sort(byKey((p) => p.id)), this.pageSize);
  }

  async recordReapprovalInitialized(privilegeId: string, mode: ReapprovalMode): Promise<boolean> {
    const privilege = this.privileges.get(privilegeId);
    if (privilege?.reapproval?.mode !== mode) return false;
    this.privileges.set(privilegeId, stored({ ...privilege, reapprovalInitializedFor: mode }));
    return true;
  }

  listAwaitingInitialization(privilegeId: string): Pages<Assignment> {
    const awaiting = [...this.assignments.values()].filter((a) => a.privilegeId === privilegeId && reapprovalIndex(a) === 'AWAIT').sort(byKey((a) => a.userId));
    return inPages(awaiting, this.pageSize);
  }

  listDueAssignments(by: string, options: { after?: ReapprovalIndexPosition } = {}): Pages<Assignment> {
    const position = (p: ReapprovalIndexPosition) => indexPosition(p.at!, p);
    const after = options.after && position(options.after);
    const due = [...this.assignments.values()]
      .filter((a) => reapprovalIndex(a) === 'DUE' && a.nextReapprovalAt! <= by)
      .filter((a) => after === undefined || comparePositions(position({ at: a.nextReapprovalAt, ...a }), after) > 0)
      .sort((a, b) => comparePositions(position({ at: a.nextReapprovalAt, ...a }), position({ at: b.nextReapprovalAt, ...b })));
    return inPages(due, this.pageSize);
  }

  listScheduledAssignments(round: string, options: { after?: ReapprovalIndexPosition } = {}): Pages<Assignment> {
    const position = (p: ReapprovalIndexPosition) => indexPosition(p.at ?? NO_ROUND, p);
    const lastRound = (a: Assignment) => a.lastReapprovalRound ?? NO_ROUND;
    const after = options.after && position(options.after);
    const scheduled = [...this.assignments.values()]
      .filter((a) => reapprovalIndex(a) === 'SCHEDULED' && lastRound(a) < round)
      .filter((a) => after === undefined || comparePositions(position({ at: a.lastReapprovalRound, ...a }), after) > 0)
      .sort((a, b) => comparePositions(position({ at: a.lastReapprovalRound, ...a }), position({ at: b.lastReapprovalRound, ...b })));
    return inPages(scheduled, this.pageSize);
  }

  async initializeReapproval(userId: string, privilegeId: string, plan: { mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED' }): Promise<boolean> {
    return this.transition(userId, privilegeId, (a) => reapprovalIndex(a) === 'AWAIT', (a) => ({
      ...a,
      reapprovalMode: plan.mode,
      ...(plan.mode === 'CONTINUOUS' ? { nextReapprovalAt: plan.nextReapprovalAt } : {}),
    }));
  }

  async resetReapproval(userId: string, privilegeId: string): Promise<boolean> {
    return this.transition(
      userId,
      privilegeId,
      (a) => a.reapprovalMode !== undefined && a.reapproval === undefined,
      ({ reapprovalMode: _mode, ...a }) => a,
    );
  }

  async markReapprovalStarted(
    userId: string,
    privilegeId: string,
    expected: { mode: ReapprovalMode; nextReapprovalAt?: string; lastReapprovalRound?: string },
    running: RunningReapproval,
  ): Promise<boolean> {
    return this.transition(
      userId,
      privilegeId,
      (a) =>
        a.reapproval === undefined &&
        a.reapprovalMode === expected.mode &&
        (expected.mode === 'CONTINUOUS' ? a.nextReapprovalAt === expected.nextReapprovalAt : a.lastReapprovalRound === expected.lastReapprovalRound),
      (a) => ({ ...a, reapproval: running }),
    );
  }

  async completeReapproval(
    userId: string,
    privilegeId: string,
    approvalId: string,
    result: { approvedAt?: string; approvedBy?: string } & ({ mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED'; lastReapprovalRound: string }),
  ): Promise<boolean> {
    return this.transition(
      userId,
      privilegeId,
      (a) => a.reapproval?.approvalId === approvalId,
      ({ reapproval: _running, ...a }) => ({
        ...a,
        // Without an approval (a rejection the guard kept) the one on record stays.
        ...(result.approvedAt !== undefined && result.approvedBy !== undefined ? { approvedAt: result.approvedAt, approvedBy: result.approvedBy } : {}),
        ...(result.mode === 'CONTINUOUS' ? { nextReapprovalAt: result.nextReapprovalAt } : { lastReapprovalRound: result.lastReapprovalRound }),
      }),
    );
  }

  async recordApproval(userId: string, privilegeId: string, approval: { approvedAt: string; approvedBy: string; nextReapprovalAt?: string }): Promise<boolean> {
    return this.transition(
      userId,
      privilegeId,
      () => true,
      (a) => ({
        ...a,
        approvedAt: approval.approvedAt,
        approvedBy: approval.approvedBy,
        ...(approval.nextReapprovalAt !== undefined && a.reapprovalMode === 'CONTINUOUS' && a.reapproval === undefined
          ? { nextReapprovalAt: approval.nextReapprovalAt }
          : {}),
      }),
    );
  }

  /** A conditional write: false, changing nothing, when the assignment is gone, not MANUAL, or not as expected. */
  private transition(userId: string, privilegeId: string, expects: (a: Assignment) => boolean, change: (a: Assignment) => Assignment): boolean {
    const current = this.assignments.get(assignmentId(userId, privilegeId));
    if (!current || current.origin !== 'MANUAL' || !expects(current)) return false;
    this.assignments.set(assignmentId(userId, privilegeId), stored(change(current)));
    return true;
  }
}

/** Sorts before every real round date: an assignment never started in a round. */
const NO_ROUND = '0000-00-00';

/** An assignment's place in a re-approval index: its date, then its user and privilege ids (the DynamoDB sort key's order). */
const indexPosition = (at: string, p: { userId: string; privilegeId: string }) => `${at}#${p.userId}#${p.privilegeId}`;
const comparePositions = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The re-approval index an assignment is in (ports.ts ReapprovalDirectory): only MANUAL ones, and
 * none while a re-approval runs; AWAIT until initialized (every MANUAL holder of any privilege).
 */
function reapprovalIndex(a: Assignment): 'AWAIT' | 'DUE' | 'SCHEDULED' | undefined {
  if (a.origin !== 'MANUAL' || a.reapproval !== undefined) return undefined;
  if (a.reapprovalMode === undefined) return 'AWAIT';
  if (a.reapprovalMode === 'CONTINUOUS') return a.nextReapprovalAt !== undefined ? 'DUE' : undefined;
  return 'SCHEDULED';
}

/**
 * What a directory load writes over a stored assignment: the file's fields, but the stored
 * re-approval state (REAPPROVAL_STATE_FIELDS), and the later of the two approvals with its approver.
 * Loaded with another origin than MANUAL, it keeps no re-approval state at all (as the Dynamo store's
 * keepReapprovalState): MANUAL again later, it awaits initialization.
 */
function mergeLoaded(loaded: Assignment, existing: Assignment | undefined): Assignment {
  const next: Record<string, unknown> = { ...loaded };
  for (const field of REAPPROVAL_STATE_FIELDS) delete next[field];
  if (!existing) return loaded.origin === 'MANUAL' ? loaded : (next as unknown as Assignment);
  if (loaded.origin === 'MANUAL') {
    for (const field of REAPPROVAL_STATE_FIELDS) if (existing[field] !== undefined) next[field] = existing[field];
  }
  if (existing.approvedAt !== undefined && (loaded.approvedAt === undefined || Date.parse(existing.approvedAt) > Date.parse(loaded.approvedAt))) {
    next.approvedAt = existing.approvedAt;
    if (existing.approvedBy !== undefined) next.approvedBy = existing.approvedBy;
    else delete next.approvedBy;
  }
  return next as unknown as Assignment;
}
