// DirectoryStore in memory, with the Dynamo adapter's semantics, for fast use-case tests.
import type { ApprovalWorkflow, ReapprovalConfig, ReapprovalMode, ReapprovalRound, RunningReapproval } from '../../domain/approvals/model.js';
import type { Assignment, Privilege, User } from '../../domain/model.js';
import type { DirectoryStore, Pages, ReapprovalDirectory, RiskLevelChange } from '../../use-cases/ports.js';
import { DEFAULT_PAGE_SIZE, byKey, inPages, stored, type InMemoryOptions } from './pages.js';

const assignmentId = (userId: string, privilegeId: string) => `${userId}\n${privilegeId}`;

export class InMemoryDirectoryStore implements DirectoryStore, ReapprovalDirectory {
  private readonly users = new Map<string, User>();
  private readonly privileges = new Map<string, Privilege>();
  private readonly assignments = new Map<string, Assignment>();
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

  async putAssignments(assignments: Assignment[]): Promise<void> {
    for (const a of assignments) this.assignments.set(assignmentId(a.userId, a.privilegeId), stored(a));
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

  listUsers(): Pages<User> {
    return inPages([...this.users.values()].sort(byKey((u) => u.id)), this.pageSize);
  }

  listPrivileges(): Pages<Privilege> {
    return inPages([...this.privileges.values()].sort(byKey((p) => p.id)), this.pageSize);
  }

  async listAssignmentsOfUser(userId: string): Promise<Assignment[]> {
    return [...this.assignments.values()]
      .filter((a) => a.userId === userId)
      .sort(byKey((a) => a.privilegeId))
      .map(stored);
  }

  /** With an origin, in user id order; without, by origin and then user id. */
  listHoldersOfPrivilege(privilegeId: string, origin?: Assignment['origin']): Pages<Assignment> {
    const holders = [...this.assignments.values()]
      .filter((a) => a.privilegeId === privilegeId && (origin === undefined || a.origin === origin))
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

  // ReapprovalDirectory: placeholders until the engine branch of issue 8 lands.
  async putWorkflows(_workflows: ApprovalWorkflow[]): Promise<void> {
    throw new Error('InMemoryDirectoryStore.putWorkflows: not implemented yet');
  }
  async getWorkflow(_id: string): Promise<ApprovalWorkflow | undefined> {
    throw new Error('InMemoryDirectoryStore.getWorkflow: not implemented yet');
  }
  async listWorkflows(): Promise<ApprovalWorkflow[]> {
    throw new Error('InMemoryDirectoryStore.listWorkflows: not implemented yet');
  }
  async getReapprovalConfig(): Promise<ReapprovalConfig | undefined> {
    throw new Error('InMemoryDirectoryStore.getReapprovalConfig: not implemented yet');
  }
  async putReapprovalConfig(_config: ReapprovalConfig): Promise<void> {
    throw new Error('InMemoryDirectoryStore.putReapprovalConfig: not implemented yet');
  }
  async getRound(_date: string): Promise<ReapprovalRound | undefined> {
    throw new Error('InMemoryDirectoryStore.getRound: not implemented yet');
  }
  async putRound(_round: ReapprovalRound): Promise<void> {
    throw new Error('InMemoryDirectoryStore.putRound: not implemented yet');
  }
  async getAssignment(_userId: string, _privilegeId: string): Promise<Assignment | undefined> {
    throw new Error('InMemoryDirectoryStore.getAssignment: not implemented yet');
  }
  async *listFlaggedPrivileges(): Pages<Privilege> {
    throw new Error('InMemoryDirectoryStore.listFlaggedPrivileges: not implemented yet');
  }
  async *listAwaitingInitialization(_privilegeId: string): Pages<Assignment> {
    throw new Error('InMemoryDirectoryStore.listAwaitingInitialization: not implemented yet');
  }
  async *listDueAssignments(_by: string): Pages<Assignment> {
    throw new Error('InMemoryDirectoryStore.listDueAssignments: not implemented yet');
  }
  async *listScheduledAssignments(_round: string): Pages<Assignment> {
    throw new Error('InMemoryDirectoryStore.listScheduledAssignments: not implemented yet');
  }
  async initializeReapproval(_userId: string, _privilegeId: string, _plan: { mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED' }): Promise<boolean> {
    throw new Error('InMemoryDirectoryStore.initializeReapproval: not implemented yet');
  }
  async resetReapproval(_userId: string, _privilegeId: string): Promise<boolean> {
    throw new Error('InMemoryDirectoryStore.resetReapproval: not implemented yet');
  }
  async markReapprovalStarted(_userId: string, _privilegeId: string, _expected: { mode: ReapprovalMode; nextReapprovalAt?: string; lastReapprovalRound?: string }, _running: RunningReapproval): Promise<boolean> {
    throw new Error('InMemoryDirectoryStore.markReapprovalStarted: not implemented yet');
  }
  async completeReapproval(_userId: string, _privilegeId: string, _approvalId: string, _result: { approvedAt: string; approvedBy: string } & ({ mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED'; lastReapprovalRound: string })): Promise<boolean> {
    throw new Error('InMemoryDirectoryStore.completeReapproval: not implemented yet');
  }
  async recordApproval(_userId: string, _privilegeId: string, _approval: { approvedAt: string; approvedBy: string; nextReapprovalAt?: string }): Promise<boolean> {
    throw new Error('InMemoryDirectoryStore.recordApproval: not implemented yet');
  }
}
