// DirectoryStore on the directory table (key design in config/tables.ts): profiles by key, lists
// from GSI1 in id order, holders of a privilege from GSI2 by origin, a user by email from GSI2.
// Its ReapprovalDirectory side: workflows, configuration and rounds by key, flagged privileges from
// GSI2, and each MANUAL assignment in the GSI1 partition of its re-approval state.
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalWorkflow, ReapprovalConfig, ReapprovalMode, ReapprovalRound, RunningReapproval } from '../../domain/approvals/model.js';
import { ConflictError } from '../../domain/errors.js';
import type { Assignment, Privilege, User } from '../../domain/model.js';
import { chunk, mapLimit } from '../../use-cases/concurrency.js';
import type { DirectoryStore, ListFrom, Pages, ReapprovalDirectory, ReapprovalIndexPosition, RiskLevelChange } from '../../use-cases/ports.js';
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
  DUE_GSI1PK,
  FLAGGED_PRIVILEGES_GSI2PK,
  KEPT_ON_LOAD,
  PRIVILEGES_GSI1PK,
  REAPPROVAL_CONFIG_KEY,
  SCHEDULED_GSI1PK,
  USERS_GSI1PK,
  WORKFLOWS_GSI1PK,
  assignmentKey,
  assignmentRecord,
  awaitingIndex,
  awaitingPk,
  dueIndex,
  emailPk,
  keepReapprovalState,
  privilegeKey,
  privilegeListingKey,
  privilegePk,
  privilegeRecord,
  reapprovalConfigRecord,
  roundKey,
  roundRecord,
  scheduledIndex,
  toEntity,
  userKey,
  userListingKey,
  userPk,
  userRecord,
  workflowKey,
  workflowRecord,
  type IndexKey1,
} from './records.js';
import { DynamoTable, ignoreConditionFailure } from './dynamo-table.js';

/** Assignments a load reads and writes at a time: a few BatchGetItem requests, then the writes. */
const LOAD_CHUNK = 500;
/** Conditional replacements of stored assignments in flight at once, and attempts of each. */
const LOAD_PUT_CONCURRENCY = 16;
const LOAD_PUT_ATTEMPTS = 5;

export class DynamoDirectoryStore extends DynamoTable implements DirectoryStore, ReapprovalDirectory {
  putUsers(users: User[]): Promise<void> {
    return this.putAll(users.map(userRecord));
  }

  putPrivileges(privileges: Privilege[]): Promise<void> {
    return this.putAll(privileges.map(privilegeRecord));
  }

  /**
   * A load replaces an assignment's own fields but keeps what only the re-approval jobs write, and
   * the later approval (keepReapprovalState). Each chunk's stored records are read first
   * (BatchGetItem, consistent, only the kept attributes). Assignments not stored yet are written in
   * BatchWriteItem, which takes no condition: only a load creates assignments (no job does), so
   * nothing but another load can write one between the read and the write, and then the last load
   * wins as it would anyway. Each assignment already stored is replaced with a PutItem of its own,
   * conditional on the re-approval state and approval as read (replaceAssignment), so that a job's
   * transition between the read and the write (a decision's completeReapproval, a start) is never
   * overwritten: the put fails, and that assignment is read and merged again.
   * Cost: about one read request per 100 assignments, one write request per 25 new ones, and one
   * write request per existing one (a reload writes each assignment on its own, 16 at a time).
   * Acceptable because this is an administrator's load (`idgov directory load`), never a job's path.
   */
  async putAssignments(assignments: Assignment[]): Promise<void> {
    // Within one load the last occurrence of an assignment wins, as with writes one after another.
    const unique = [...new Map(assignments.map((a) => [`${a.userId}\n${a.privilegeId}`, a])).values()];
    for (const part of chunk(unique, LOAD_CHUNK)) {
      const stored = await batchGet(
        this.doc,
        this.tableName,
        part.map((a) => assignmentKey(a.userId, a.privilegeId)),
        { ...this.batch, consistentRead: true, attributes: KEPT_ON_LOAD },
      );
      const byKey = new Map(stored.map((r) => [`${r.PK}\n${r.SK}`, toEntity<Partial<Assignment>>(r)]));
      const storedOf = (a: Assignment) => {
        const { PK, SK } = assignmentKey(a.userId, a.privilegeId);
        return byKey.get(`${PK}\n${SK}`);
      };
      await this.putAll(part.filter((a) => !storedOf(a)).map((a) => assignmentRecord(keepReapprovalState(a, undefined))));
      await mapLimit(
        part.filter((a) => storedOf(a)),
        LOAD_PUT_CONCURRENCY,
        (a) => this.replaceAssignment(a, storedOf(a)),
      );
    }
  }

  /**
   * Writes a loaded assignment merged over the stored one, on condition that the stored one still has
   * the re-approval state and approval it was merged with (or, read absent, is still absent). A failed
   * condition means a transition (or a removal) came in between: read again, merge again, retry.
   */
  private async replaceAssignment(loaded: Assignment, read: Partial<Assignment> | undefined): Promise<void> {
    let stored = read;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(
          new PutCommand({ TableName: this.tableName, Item: assignmentRecord(keepReapprovalState(loaded, stored)), ...unchangedSince(stored) }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        if (attempt >= LOAD_PUT_ATTEMPTS) {
          throw new ConflictError(`assignment ${loaded.userId}/${loaded.privilegeId} kept changing while it was loaded; load it again`);
        }
        stored = await this.get<Assignment>(assignmentKey(loaded.userId, loaded.privilegeId));
      }
    }
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

  listUsers(from: ListFrom = {}): Pages<User> {
    return this.pages<User>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': USERS_GSI1PK },
      ...(from.after !== undefined ? { ExclusiveStartKey: userListingKey(from.after) } : {}),
    });
  }

  listPrivileges(from: ListFrom = {}): Pages<Privilege> {
    return this.pages<Privilege>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': PRIVILEGES_GSI1PK },
      ...(from.after !== undefined ? { ExclusiveStartKey: privilegeListingKey(from.after) } : {}),
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
  listHoldersOfPrivilege(privilegeId: string, origin?: Assignment['origin'], from: ListFrom = {}): Pages<Assignment> {
    const { after } = from;
    if (after !== undefined && origin === undefined) throw new Error('listHoldersOfPrivilege: resuming after a user needs the origin');
    return this.pages<Assignment>({
      IndexName: 'GSI2',
      KeyConditionExpression: origin ? 'GSI2PK = :pk AND begins_with(GSI2SK, :origin)' : 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': privilegePk(privilegeId), ...(origin ? { ':origin': `${origin}#` } : {}) },
      // That holder's place in the privilege's GSI2 (assignmentRecord's key), whether or not it still holds it.
      ...(after === undefined ? {} : { ExclusiveStartKey: { ...assignmentKey(after, privilegeId), GSI2PK: privilegePk(privilegeId), GSI2SK: `${origin}#${after}` } }),
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

  private async *pages<T>(input: {
    IndexName: string;
    KeyConditionExpression: string;
    ExpressionAttributeValues: DynamoRecord;
    ExclusiveStartKey?: DynamoRecord;
  }): Pages<T> {
    for await (const page of queryPages(this.doc, { TableName: this.tableName, ...input, ...this.limit })) {
      yield page.map((r) => toEntity<T>(r));
    }
  }

  // ReapprovalDirectory (the re-approval side of the same table).

  async putWorkflows(workflows: ApprovalWorkflow[]): Promise<void> {
    await this.putAll(workflows.map(workflowRecord));
  }

  getWorkflow(id: string): Promise<ApprovalWorkflow | undefined> {
    return this.get<ApprovalWorkflow>(workflowKey(id));
  }

  async listWorkflows(): Promise<ApprovalWorkflow[]> {
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': WORKFLOWS_GSI1PK },
    });
    return records.map((r) => toEntity<ApprovalWorkflow>(r));
  }

  getReapprovalConfig(): Promise<ReapprovalConfig | undefined> {
    return this.get<ReapprovalConfig>(REAPPROVAL_CONFIG_KEY);
  }

  async putReapprovalConfig(config: ReapprovalConfig): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: reapprovalConfigRecord(config) }));
  }

  getRound(date: string): Promise<ReapprovalRound | undefined> {
    return this.get<ReapprovalRound>(roundKey(date));
  }

  /**
   * An UpdateItem, not a PutItem: the jobs that write rounds may update items but never put one
   * (lib/constructs/reapproval-jobs.ts), so that they can not replace a user, a privilege or an
   * assignment wholesale. The first startedAt stays; a completedAt is never removed.
   */
  async putRound(round: ReapprovalRound): Promise<void> {
    const { PK: _pk, SK: _sk, ...attributes } = roundRecord(round);
    const kept = new Set(['startedAt']);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(attributes)
      .filter(([, value]) => value !== undefined)
      .map(([name, value], i) => {
        names[`#f${i}`] = name;
        values[`:f${i}`] = value;
        return kept.has(name) ? `#f${i} = if_not_exists(#f${i}, :f${i})` : `#f${i} = :f${i}`;
      });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: roundKey(round.date),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  getAssignment(userId: string, privilegeId: string): Promise<Assignment | undefined> {
    return this.get<Assignment>(assignmentKey(userId, privilegeId));
  }

  async *listFlaggedPrivileges(options: ListFrom = {}): Pages<Privilege> {
    const { after } = options;
    for await (const page of this.pages<Privilege>({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': FLAGGED_PRIVILEGES_GSI2PK },
      // The flagged index's key of that privilege (GSI2SK is its id): the query starts past it.
      ...(after === undefined ? {} : { ExclusiveStartKey: { ...privilegeKey(after), GSI2PK: FLAGGED_PRIVILEGES_GSI2PK, GSI2SK: after } }),
    })) {
      const flagged = page.filter((p) => p.reapproval !== undefined);
      if (flagged.length > 0) yield flagged;
    }
  }

  /** One conditional UpdateItem of the privilege record (a missing one fails the condition: nothing is created). */
  async recordReapprovalInitialized(privilegeId: string, mode: ReapprovalMode): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: privilegeKey(privilegeId),
          UpdateExpression: 'SET #initializedFor = :mode',
          ConditionExpression: '#settings.#mode = :mode',
          ExpressionAttributeNames: { '#initializedFor': 'reapprovalInitializedFor', '#settings': 'reapproval', '#mode': 'mode' },
          ExpressionAttributeValues: { ':mode': mode },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async *listAwaitingInitialization(privilegeId: string): Pages<Assignment> {
    yield* this.assignmentPages(
      { KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': awaitingPk(privilegeId) } },
      (a) => a.reapprovalMode === undefined && a.reapproval === undefined,
    );
  }

  async *listDueAssignments(by: string, options: { after?: ReapprovalIndexPosition } = {}): Pages<Assignment> {
    const { after } = options;
    if (after !== undefined && after.at === undefined) throw new Error('listDueAssignments: a position in the due index has a date (at)');
    yield* this.assignmentPages(
      {
        // GSI1SK is `<nextReapprovalAt>#<uid>#<pid>`: `#` sorts below `~`, so this keeps the dates <= by, whatever the ids.
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :by',
        ExpressionAttributeValues: { ':pk': DUE_GSI1PK, ':by': `${by}~` },
        ...(after === undefined ? {} : { ExclusiveStartKey: startKey(after, dueIndex(after.userId, after.privilegeId, after.at!)) }),
      },
      (a) => a.reapprovalMode === 'CONTINUOUS' && a.nextReapprovalAt !== undefined && a.nextReapprovalAt <= by && a.reapproval === undefined,
    );
  }

  async *listScheduledAssignments(round: string, options: { after?: ReapprovalIndexPosition } = {}): Pages<Assignment> {
    const { after } = options;
    yield* this.assignmentPages(
      {
        // GSI1SK is `<last round|0000-00-00>#<uid>#<pid>`: below `<round>` exactly when the last round is earlier.
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :round',
        ExpressionAttributeValues: { ':pk': SCHEDULED_GSI1PK, ':round': round },
        ...(after === undefined ? {} : { ExclusiveStartKey: startKey(after, scheduledIndex(after.userId, after.privilegeId, after.at)) }),
      },
      (a) => a.reapprovalMode === 'SCHEDULED' && (a.lastReapprovalRound === undefined || a.lastReapprovalRound < round) && a.reapproval === undefined,
    );
  }

  // The transitions: one UpdateItem each, on condition of the state it expects (no read first),
  // that writes the new state and the GSI1 key of that state together. A failed condition is false.

  async initializeReapproval(
    userId: string,
    privilegeId: string,
    plan: { mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED' },
  ): Promise<boolean> {
    const awaiting = '#origin = :manual AND attribute_not_exists(#mode) AND attribute_not_exists(#running)';
    if (plan.mode === 'CONTINUOUS') {
      return this.transition(userId, privilegeId, {
        update: 'SET #mode = :mode, #next = :next, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk',
        condition: awaiting,
        values: { ':mode': plan.mode, ':next': plan.nextReapprovalAt, ...indexValues(dueIndex(userId, privilegeId, plan.nextReapprovalAt)) },
      });
    }
    const scheduled = (lastRound: string | undefined) =>
      this.transition(userId, privilegeId, {
        update: 'SET #mode = :mode, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk',
        condition: `${awaiting} AND ${lastRound === undefined ? 'attribute_not_exists(#round)' : '#round = :round'}`,
        values: { ':mode': plan.mode, ...(lastRound === undefined ? {} : { ':round': lastRound }), ...indexValues(scheduledIndex(userId, privilegeId, lastRound)) },
      });
    if (await scheduled(undefined)) return true;
    // The index key holds the last round, which only an assignment reset after a round has (kept for
    // the record): then, and only then, it is read, and written on condition that it is still so.
    const current = await this.getAssignment(userId, privilegeId);
    if (current?.origin !== 'MANUAL' || current.reapprovalMode || current.reapproval || current.lastReapprovalRound === undefined) return false;
    return scheduled(current.lastReapprovalRound);
  }

  async resetReapproval(userId: string, privilegeId: string): Promise<boolean> {
    return this.transition(userId, privilegeId, {
      update: 'SET #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk REMOVE #mode',
      condition: '#origin = :manual AND attribute_exists(#mode) AND attribute_not_exists(#running)',
      values: indexValues(awaitingIndex(userId, privilegeId)),
    });
  }

  async markReapprovalStarted(
    userId: string,
    privilegeId: string,
    expected: { mode: ReapprovalMode; nextReapprovalAt?: string; lastReapprovalRound?: string },
    running: RunningReapproval,
  ): Promise<boolean> {
    const [attribute, value] = expected.mode === 'CONTINUOUS' ? ['#next', expected.nextReapprovalAt] : ['#round', expected.lastReapprovalRound];
    return this.transition(userId, privilegeId, {
      update: 'SET #running = :running REMOVE #gsi1pk, #gsi1sk',
      condition: `#origin = :manual AND attribute_not_exists(#running) AND #mode = :mode AND ${
        value === undefined ? `attribute_not_exists(${attribute})` : `${attribute} = :expected`
      }`,
      values: { ':running': running, ':mode': expected.mode, ...(value === undefined ? {} : { ':expected': value }) },
    });
  }

  async completeReapproval(
    userId: string,
    privilegeId: string,
    approvalId: string,
    result: { approvedAt?: string; approvedBy?: string } & ({ mode: 'CONTINUOUS'; nextReapprovalAt: string } | { mode: 'SCHEDULED'; lastReapprovalRound: string }),
  ): Promise<boolean> {
    const next =
      result.mode === 'CONTINUOUS'
        ? { set: '#next = :next', values: { ':next': result.nextReapprovalAt, ...indexValues(dueIndex(userId, privilegeId, result.nextReapprovalAt)) } }
        : { set: '#round = :round', values: { ':round': result.lastReapprovalRound, ...indexValues(scheduledIndex(userId, privilegeId, result.lastReapprovalRound)) } };
    // Without an approval (a rejection the guard kept) the one on record stays.
    const approved = result.approvedAt !== undefined && result.approvedBy !== undefined;
    return this.transition(userId, privilegeId, {
      // reapprovalMode is left as it is (the port): a running assignment keeps the mode it started in.
      update: `SET ${approved ? '#approvedAt = :approvedAt, #approvedBy = :approvedBy, ' : ''}${next.set}, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk REMOVE #running`,
      condition: '#origin = :manual AND #running.#approvalId = :approvalId',
      values: { ...(approved ? { ':approvedAt': result.approvedAt, ':approvedBy': result.approvedBy } : {}), ':approvalId': approvalId, ...next.values },
    });
  }

  /**
   * The date moves only on a CONTINUOUS assignment that runs nothing: that form is tried first, and
   * if its condition fails, the approval alone is recorded on any MANUAL assignment.
   */
  async recordApproval(userId: string, privilegeId: string, approval: { approvedAt: string; approvedBy: string; nextReapprovalAt?: string }): Promise<boolean> {
    const approved = { ':approvedAt': approval.approvedAt, ':approvedBy': approval.approvedBy };
    if (approval.nextReapprovalAt !== undefined) {
      const dated = await this.transition(userId, privilegeId, {
        update: 'SET #approvedAt = :approvedAt, #approvedBy = :approvedBy, #next = :next, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk',
        condition: '#origin = :manual AND #mode = :continuous AND attribute_not_exists(#running)',
        values: {
          ...approved,
          ':next': approval.nextReapprovalAt,
          ':continuous': 'CONTINUOUS',
          ...indexValues(dueIndex(userId, privilegeId, approval.nextReapprovalAt)),
        },
      });
      if (dated) return true;
    }
    return this.transition(userId, privilegeId, {
      update: 'SET #approvedAt = :approvedAt, #approvedBy = :approvedBy',
      condition: '#origin = :manual',
      values: approved,
    });
  }

  /** One conditional UpdateItem of an assignment; on a missing one the condition (MANUAL) fails, so nothing is created. */
  private async transition(
    userId: string,
    privilegeId: string,
    change: { update: string; condition: string; values: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: assignmentKey(userId, privilegeId),
          UpdateExpression: change.update,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: namesIn(change.update, change.condition),
          ExpressionAttributeValues: { ':manual': 'MANUAL', ...change.values },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Assignments of one GSI1 partition, each checked against the state that partition stands for. */
  private async *assignmentPages(
    query: { KeyConditionExpression: string; ExpressionAttributeValues: DynamoRecord; ExclusiveStartKey?: DynamoRecord },
    inState: (a: Assignment) => boolean,
  ): Pages<Assignment> {
    for await (const page of this.pages<Assignment>({ IndexName: 'GSI1', ...query })) {
      const assignments = page.filter((a) => a.origin === 'MANUAL' && inState(a));
      if (assignments.length > 0) yield assignments;
    }
  }
}

/**
 * The ExclusiveStartKey of a GSI1 query that resumes past an assignment's position: the table key
 * and the index key it had there (DynamoDB takes a position, whether or not an item is still at it).
 */
const startKey = (position: ReapprovalIndexPosition, index: IndexKey1): DynamoRecord => ({ ...assignmentKey(position.userId, position.privilegeId), ...index });

/** The attribute names the transitions use, by their placeholders. */
const TRANSITION_NAMES: Record<string, string> = {
  '#origin': 'origin',
  '#mode': 'reapprovalMode',
  '#next': 'nextReapprovalAt',
  '#round': 'lastReapprovalRound',
  '#running': 'reapproval',
  '#approvalId': 'approvalId',
  '#approvedAt': 'approvedAt',
  '#approvedBy': 'approvedBy',
  '#gsi1pk': 'GSI1PK',
  '#gsi1sk': 'GSI1SK',
};

/** DynamoDB refuses names an expression does not use: only those that appear. */
function namesIn(...expressions: string[]): Record<string, string> {
  const used = new Set(expressions.join(' ').match(/#\w+/g) ?? []);
  return Object.fromEntries(Object.entries(TRANSITION_NAMES).filter(([placeholder]) => used.has(placeholder)));
}

/**
 * The condition of a load's replacement: the re-approval state (the running approval by its id) and
 * the approval are as read; read absent, the assignment is still absent.
 */
function unchangedSince(stored: Partial<Assignment> | undefined): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
  if (!stored) return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'PK' } };
  const names: Record<string, string> = { '#pk': 'PK' };
  const values: Record<string, unknown> = {};
  const conditions = ['attribute_exists(#pk)'];
  const read: [string, string, unknown][] = [
    ['#mode', 'reapprovalMode', stored.reapprovalMode],
    ['#next', 'nextReapprovalAt', stored.nextReapprovalAt],
    ['#round', 'lastReapprovalRound', stored.lastReapprovalRound],
    ['#approvedAt', 'approvedAt', stored.approvedAt],
  ];
  for (const [placeholder, name, value] of read) {
    names[placeholder] = name;
    if (value === undefined) conditions.push(`attribute_not_exists(${placeholder})`);
    else {
      values[`:${placeholder.slice(1)}`] = value;
      conditions.push(`${placeholder} = :${placeholder.slice(1)}`);
    }
  }
  names['#running'] = 'reapproval';
  if (stored.reapproval === undefined) conditions.push('attribute_not_exists(#running)');
  else {
    names['#approvalId'] = 'approvalId';
    values[':approvalId'] = stored.reapproval.approvalId;
    conditions.push('#running.#approvalId = :approvalId');
  }
  return { ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) };
}

const indexValues = (index: IndexKey1) => ({ ':gsi1pk': index.GSI1PK, ':gsi1sk': index.GSI1SK });

