// ApprovalStore on the campaign table (key design in config/tables.ts): a run record under a
// version condition, approver pointers for its 2nd.. approvers (as an entry's), the task lists from
// GSI2 and the runs needing the job's attention from GSI1 (only while nextActionAt is set).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRun } from '../../domain/approvals/model.js';
import type { ApprovalRunPosition, ApprovalStore, Pages } from '../../use-cases/ports.js';
import { batchGet, batchWrite, isConditionFailure, queryAll, queryPages, type DynamoRecord, type WriteRequest } from './document-client.js';
import { DynamoTable } from './dynamo-table.js';
import {
  APPROVALS_OPEN_GSI1PK,
  approvalApproverRecords,
  approvalIndexKey,
  approvalKey,
  approvalRecord,
  approverPk,
  isOpenApprovalTask,
  taskSortKey,
  toEntity,
} from './records.js';

const put = (Item: DynamoRecord): WriteRequest => ({ PutRequest: { Item } });
const byTaskOrder = (a: ApprovalRun, b: ApprovalRun) => (taskSortKey(a) < taskSortKey(b) ? -1 : taskSortKey(a) > taskSortKey(b) ? 1 : 0);

export class DynamoApprovalStore extends DynamoTable implements ApprovalStore {
  /**
   * Pointers first and the run record last, on condition that it is absent: a run that exists is
   * complete. The read before spares an existing run's approvers pointers of another version.
   */
  async createApproval(run: ApprovalRun): Promise<boolean> {
    if (await this.getApproval(run.id)) return false;
    const pointers = approvalApproverRecords(run);
    if (pointers.length > 0) await batchWrite(this.doc, this.tableName, pointers.map(put), this.batch);
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: approvalRecord(run), ConditionExpression: 'attribute_not_exists(PK)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  getApproval(id: string): Promise<ApprovalRun | undefined> {
    return this.get<ApprovalRun>(approvalKey(id));
  }

  /**
   * As saveEntry: the run record is the truth and pointers follow it. New pointers are written
   * before it and stale ones removed after, each only if an older version wrote it, so a crash in
   * between leaves only extra pointers, which listApprovalTasks checks against the run.
   */
  async saveApproval(run: ApprovalRun): Promise<void> {
    await this.saveWithPointers(approvalRecord(run), run.version, `approval ${run.id}`, approvalApproverRecords(run), 'approvalVersion');
  }

  /**
   * The approver's partition of GSI2 holds entries too (the campaign store's): only run records and
   * run pointers are taken. Every run is read again by key, since the index trails the table and a
   * pointer may be stale; what the run itself says decides.
   */
  async listApprovalTasks(approverId: string): Promise<ApprovalRun[]> {
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': approverPk(approverId) },
      ProjectionExpression: '#entity, #id, #approvalId',
      ExpressionAttributeNames: { '#entity': 'entity', '#id': 'id', '#approvalId': 'approvalId' },
    });
    const ids = new Set<string>();
    for (const r of records) {
      if (r.entity === 'approval') ids.add(r.id as string);
      else if (r.entity === 'approval-approver') ids.add(r.approvalId as string);
    }
    if (ids.size === 0) return [];
    const runs = await batchGet(this.doc, this.tableName, [...ids].map(approvalKey), { ...this.batch, consistentRead: true });
    return runs
      .map((r) => toEntity<ApprovalRun>(r))
      .filter((run) => isOpenApprovalTask(run) && run.approverIds.includes(approverId))
      .sort(byTaskOrder);
  }

  async *listApprovalsNeedingAction(by: string, options: { after?: ApprovalRunPosition } = {}): Pages<ApprovalRun> {
    const { after } = options;
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :by',
      // GSI1SK is `<nextActionAt>#<id>`: `#` sorts below `~`, so this keeps nextActionAt <= by, whatever the id.
      ExpressionAttributeValues: { ':pk': APPROVALS_OPEN_GSI1PK, ':by': `${by}~` },
      // Past the place that run had in the index, whether or not it is still there.
      ...(after === undefined ? {} : { ExclusiveStartKey: { ...approvalKey(after.id), ...approvalIndexKey(after) } }),
    });
    for await (const page of pages) {
      const runs = page.map((r) => toEntity<ApprovalRun>(r)).filter((run) => run.nextActionAt !== undefined && run.nextActionAt <= by);
      if (runs.length > 0) yield runs;
    }
  }
}

