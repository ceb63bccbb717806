// DirectoryStore on the directory table (key design in config/tables.ts): profiles by key, lists
// from GSI1 in id order, holders of a privilege from GSI2 by origin, a user by email from GSI2.
import type { ApprovalWorkflow, ReapprovalConfig, ReapprovalMode, ReapprovalRound, RunningReapproval } from '../../domain/approvals/model.js';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import type { Assignment, Privilege, User } from '../../domain/model.js';
import type { DirectoryStore, Pages, ReapprovalDirectory, RiskLevelChange } from '../../use-cases/ports.js';
import {
  batchGet,
  batchWrite,
  isConditionFailure,
  queryAll,
  queryPages,
  type DynamoRecord,
} from './document-client.js';
import {
  ASSIGN_PREFIX,
  PRIVILEGES_GSI1PK,
  USERS_GSI1PK,
  assignmentKey,
  assignmentRecord,
  emailPk,
  privilegeKey,
  privilegePk,
  privilegeRecord,
  toEntity,
  userKey,
  userPk,
  userRecord,
} from './records.js';
import { DynamoTable } from './dynamo-table.js';

export class DynamoDirectoryStore extends DynamoTable implements DirectoryStore, ReapprovalDirectory {
  putUsers(users: User[]): Promise<void> {
    return this.putAll(users.map(userRecord));
  }

  putPrivileges(privileges: Privilege[]): Promise<void> {
    return this.putAll(privileges.map(privilegeRecord));
  }

  putAssignments(assignments: Assignment[]): Promise<void> {
    return this.putAll(assignments.map(assignmentRecord));
  }

  async getUser(id: string): Promise<User | undefined> {
    return this.get<User>(userKey(id));
  }

  async getUsers(ids: string[]): Promise<Map<string, User>> {
    const records = await batchGet(this.doc, this.tableName, ids.map(userKey), this.batch);
    return new Map(records.map((r) => toEntity<User>(r)).map((u) => [u.id, u]));
  }

  async getPrivilege(id: string): Promise<Privilege | undefined> {
    return this.get<Privilege>(privilegeKey(id));
  }

  async getPrivileges(ids: string[]): Promise<Map<string, Privilege>> {
    const records = await batchGet(this.doc, this.tableName, ids.map(privilegeKey), this.batch);
    return new Map(records.map((r) => toEntity<Privilege>(r)).map((p) => [p.id, p]));
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    if (!email.trim()) return undefined;
    // Two records are enough to tell "one" from "ambiguous"; the index is eventually consistent,
    // so the profile is read again by key.
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': emailPk(email) },
        ProjectionExpression: 'GSI2SK',
        Limit: 2,
      }),
    );
    const found = output.Items ?? [];
    if (found.length !== 1) return undefined;
    const user = await this.getUser(found[0]!.GSI2SK as string);
    return user && user.email.trim().toLowerCase() === email.trim().toLowerCase() ? user : undefined;
  }

  listUsers(): Pages<User> {
    return this.pages<User>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': USERS_GSI1PK },
    });
  }

  listPrivileges(): Pages<Privilege> {
    return this.pages<Privilege>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': PRIVILEGES_GSI1PK },
    });
  }

  async listAssignmentsOfUser(userId: string): Promise<Assignment[]> {
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': ASSIGN_PREFIX },
      ConsistentRead: true,
      ...this.limit,
    });
    return records.map((r) => toEntity<Assignment>(r));
  }

  /** With an origin, in user id order; without, by origin and then user id (GSI2SK order). */
  listHoldersOfPrivilege(privilegeId: string, origin?: Assignment['origin']): Pages<Assignment> {
    return this.pages<Assignment>({
      IndexName: 'GSI2',
      KeyConditionExpression: origin ? 'GSI2PK = :pk AND begins_with(GSI2SK, :origin)' : 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': privilegePk(privilegeId), ...(origin ? { ':origin': `${origin}#` } : {}) },
    });
  }

  async removeAssignment(userId: string, privilegeId: string): Promise<'REMOVED' | 'NOT_MANUAL'> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: assignmentKey(userId, privilegeId),
          ConditionExpression: 'attribute_not_exists(PK) OR origin = :manual',
          ExpressionAttributeValues: { ':manual': 'MANUAL' },
        }),
      );
      return 'REMOVED';
    } catch (error) {
      if (isConditionFailure(error)) return 'NOT_MANUAL';
      throw error;
    }
  }

  async setRiskLevel(userId: string, change: RiskLevelChange): Promise<void> {
    const values: Record<string, string> = { ':level': change.riskLevel, ':computed': change.computedRiskLevel, ':at': change.riskAssessedAt };
    if (change.declaredRiskLevel) values[':declared'] = change.declaredRiskLevel;
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(userId),
          UpdateExpression:
            'SET riskLevel = :level, computedRiskLevel = :computed, riskAssessedAt = :at' +
            (change.declaredRiskLevel ? ', declaredRiskLevel = :declared' : ' REMOVE declaredRiskLevel'),
          // A user removed meanwhile stays removed.
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: values,
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async modifyAssignment(
    userId: string,
    privilegeId: string,
    change: { endDate?: string | null; parameters?: Record<string, string | null> },
  ): Promise<void> {
    const parameters = Object.entries(change.parameters ?? {});
    if (change.endDate === undefined && parameters.length === 0) return;
    // Only MANUAL assignments are ever changed by a campaign.
    const current = await this.get<Assignment>(assignmentKey(userId, privilegeId));
    if (!current || current.origin !== 'MANUAL') return;
    if (parameters.length === 0) {
      await this.updateAssignment(userId, privilegeId, change.endDate, 'none', parameters).catch(ignoreConditionFailure);
      return;
    }
    const sets = parameters.some(([, value]) => value !== null);
    // Merging into (or removing from) the parameters map needs the map to exist, and creating the map
    // would replace a concurrent merge: each form is conditional on the map's presence, a lost race
    // tries the other. Without a map there is nothing to remove.
    for (let round = 0; round < 3; round++) {
      for (const mode of ['merge', 'create'] as const) {
        if (mode === 'create' && !sets && change.endDate === undefined) return;
        try {
          await this.updateAssignment(userId, privilegeId, change.endDate, mode, parameters);
          return;
        } catch (error) {
          ignoreConditionFailure(error);
        }
      }
      // Both conditions failed: the assignment is gone (nothing to do), or the map appeared meanwhile.
      if (!(await this.get(assignmentKey(userId, privilegeId)))) return;
    }
    throw new ConflictError(`assignment ${userId}/${privilegeId} kept changing while its parameters were merged`);
  }

  private async updateAssignment(
    userId: string,
    privilegeId: string,
    endDate: string | null | undefined,
    mode: 'none' | 'merge' | 'create',
    parameters: [string, string | null][],
  ): Promise<void> {
    const names: Record<string, string> = { '#pk': 'PK' };
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    const remove: string[] = [];
    const conditions = ['attribute_exists(#pk)'];
    if (endDate !== undefined) {
      names['#endDate'] = 'endDate';
      if (endDate === null) remove.push('#endDate');
      else {
        values[':endDate'] = endDate;
        set.push('#endDate = :endDate');
      }
    }
    if (mode !== 'none') names['#params'] = 'parameters';
    if (mode === 'merge') {
      parameters.forEach(([name, value], i) => {
        names[`#p${i}`] = name;
        if (value === null) remove.push(`#params.#p${i}`);
        else {
          values[`:p${i}`] = value;
          set.push(`#params.#p${i} = :p${i}`);
        }
      });
      values[':map'] = 'M';
      conditions.push('attribute_type(#params, :map)');
    } else if (mode === 'create') {
      // No map yet: the removals have nothing to remove.
      const created = parameters.filter((p): p is [string, string] => p[1] !== null);
      if (created.length > 0) {
        values[':params'] = Object.fromEntries(created);
        set.push('#params = :params');
      }
      conditions.push('attribute_not_exists(#params)');
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: assignmentKey(userId, privilegeId),
        UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
          .filter(Boolean)
          .join(' '),
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  }

  private async putAll(records: DynamoRecord[]): Promise<void> {
    await batchWrite(
      this.doc,
      this.tableName,
      records.map((Item) => ({ PutRequest: { Item } })),
      this.batch,
    );
  }

  private async *pages<T>(input: { IndexName: string; KeyConditionExpression: string; ExpressionAttributeValues: DynamoRecord }): Pages<T> {
    for await (const page of queryPages(this.doc, { TableName: this.tableName, ...input, ...this.limit })) {
      yield page.map((r) => toEntity<T>(r));
    }
  }

  // ReapprovalDirectory: placeholders until the stores branch of issue 8 lands.
  async putWorkflows(_workflows: ApprovalWorkflow[]): Promise<void> {
    throw new Error('DynamoDirectoryStore.putWorkflows: not implemented yet');
  }
  async getWorkflow(_id: string): Promise<ApprovalWorkflow | undefined> {
    throw new Error('DynamoDirectoryStore.getWorkflow: not implemented yet');
  }
  async listWorkflows(): Promise<ApprovalWorkflow[]> {
    throw new Error('DynamoDirectoryStore.listWorkflows: not implemented yet');
  }
  async getReapprovalConfig(): Promise<ReapprovalConfig | undefined> {
    throw new Error('DynamoDirectoryStore.getReapprovalConfig: not implemented yet');
  }
  async putReapprovalConfig(_config: ReapprovalConfig): Promise<void> {
    throw new Error('DynamoDirectoryStore.putReapprovalConfig: not implemented yet');
  }
  async getRound(_date: string): Promise<ReapprovalRound | undefined> {
    throw new Error('DynamoDirectoryStore.getRound: not implemented yet');
  }
  async putRound(_round: ReapprovalRound): Promise<void> {
    throw new Error('DynamoDirectoryStore.putRound: not implemented yet');
  }
  async getAssignment(_userId: string, _privilegeId: string): Promise<Assignment | undefined> {
    throw new Error('DynamoDirectoryStore.getAssignment: not implemented yet');
  }
  async *listFlaggedPrivileges(): Pages<Privilege> {
    throw new Error('DynamoDirectoryStore.listFlaggedPrivileges: not implemented yet');
  }
  async *listAwaitingInitialization(_privilegeId: string): Pages<Assignment> {
    throw new Error('DynamoDirectoryStore.listAwaitingInitialization: not implemented yet');
  }
  async *listDueAssignments(_by: string): Pages<Assignment> {
    throw new Error('DynamoDirectoryStore.listDueAssignments: not implemented yet');
  }
  async *listScheduledAssignments(_round: string): Pages<Assignment> {
    throw new Error('DynamoDirectoryStore.listScheduledAssignments: not implemented yet');
  }
  async initializeReapproval(_userId: string, _privilegeId: string, _plan: { mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED' }): Promise<boolean> {
    throw new Error('DynamoDirectoryStore.initializeReapproval: not implemented yet');
  }
  async resetReapproval(_userId: string, _privilegeId: string): Promise<boolean> {
    throw new Error('DynamoDirectoryStore.resetReapproval: not implemented yet');
  }
  async markReapprovalStarted(_userId: string, _privilegeId: string, _expected: { mode: ReapprovalMode; nextReapprovalAt?: string; lastReapprovalRound?: string }, _running: RunningReapproval): Promise<boolean> {
    throw new Error('DynamoDirectoryStore.markReapprovalStarted: not implemented yet');
  }
  async completeReapproval(_userId: string, _privilegeId: string, _approvalId: string, _result: { approvedAt: string; approvedBy: string } & ({ mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED'; lastReapprovalRound: string })): Promise<boolean> {
    throw new Error('DynamoDirectoryStore.completeReapproval: not implemented yet');
  }
  async recordApproval(_userId: string, _privilegeId: string, _approval: { approvedAt: string; approvedBy: string; nextReapprovalAt?: string }): Promise<boolean> {
    throw new Error('DynamoDirectoryStore.recordApproval: not implemented yet');
  }
}

function ignoreConditionFailure(error: unknown): void {
  if (!isConditionFailure(error)) throw error;
}
