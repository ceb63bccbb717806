// OperationsStore on the operations table (key design in config/tables.ts, records in
// operations-records.ts). Every read is a GetItem, a BatchGetItem or a Query on a key: the daily
// jobs' cost follows the day they work on, never the history the table keeps.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { addDays } from '../../domain/dates.js';
import { NotFoundError } from '../../domain/errors.js';
import type {
  DailyReport,
  JobHeartbeat,
  JobName,
  JobRun,
  OperationsConfig,
  RiskAssessment,
  RiskSummary,
  WeeklySummary,
} from '../../domain/operations.js';
import type {
  AccessRemoval,
  AssessmentProgress,
  Delivery,
  DeliveryClaim,
  DeliveryState,
  DeliveryTarget,
  OperationsStore,
  Pages,
  RemovalCompletion,
  ReportKind,
  StoredReport,
} from '../../use-cases/ports.js';
import { batchGet, batchWrite, isConditionFailure, queryAll, queryPages, type DynamoRecord } from './document-client.js';
import { DynamoTable } from './dynamo-table.js';
import {
  ASSESSMENT_PREFIX,
  DAY_COUNT_PK,
  RISK_SUMMARY_PK,
  RUN_PREFIX,
  assessmentDayPk,
  assessmentRecord,
  assessmentUserPk,
  configKey,
  dayCountRecord,
  expiresAfterDate,
  fromOperationsRecord,
  heartbeatKey,
  installationKey,
  jobPk,
  lastCompletedOrder,
  lastRunOrder,
  progressKey,
  removalPk,
  removalRecord,
  reportKey,
  removalKey,
  reportPk,
  riskSummaryRecord,
  runRecord,
} from './operations-records.js';

type StoredConfig = { config: OperationsConfig; loadedAt: string; loadedBy: string };
type AnyReport = DailyReport | WeeklySummary;

/** Outcomes after which a run counts as completed for the heartbeat. */
const COMPLETED: ReadonlySet<JobRun['outcome']> = new Set(['SUCCEEDED', 'SKIPPED']);

export class DynamoOperationsStore extends DynamoTable implements OperationsStore {
  async getConfig(): Promise<StoredConfig | undefined> {
    const record = await this.getRecord(configKey());
    return record ? { config: record.config as OperationsConfig, loadedAt: record.loadedAt as string, loadedBy: record.loadedBy as string } : undefined;
  }

  async putConfig(config: OperationsConfig, loadedBy: string, at: Date): Promise<void> {
    await this.put({ ...configKey(), entity: 'config', config, loadedAt: at.toISOString(), loadedBy });
  }

  async getInstallation(): Promise<{ installedAt: string } | undefined> {
    const record = await this.getRecord(installationKey());
    return record ? { installedAt: record.installedAt as string } : undefined;
  }

  async recordInstallation(at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...installationKey(), entity: 'installation', installedAt: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async putAssessments(assessments: RiskAssessment[], retentionDays: number): Promise<void> {
    await batchWrite(
      this.doc,
      this.tableName,
      assessments.map((a) => ({ PutRequest: { Item: assessmentRecord(a, retentionDays) } })),
      this.batch,
    );
  }

  async *listAssessments(date: string): Pages<RiskAssessment> {
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': assessmentDayPk(date), ':prefix': ASSESSMENT_PREFIX },
    });
    for await (const page of pages) yield page.map((r) => fromOperationsRecord<RiskAssessment>(r));
  }

  async listAssessmentsOfUser(userId: string, fromDate: string, toDate: string): Promise<RiskAssessment[]> {
    if (fromDate > toDate) return [];
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': assessmentUserPk(userId), ':from': fromDate, ':to': toDate },
    });
    return records.map((r) => fromOperationsRecord<RiskAssessment>(r));
  }

  async getAssessmentProgress(date: string): Promise<AssessmentProgress | undefined> {
    const record = await this.getRecord(progressKey(date));
    if (!record) return undefined;
    return {
      ...(record.afterUserId !== undefined ? { afterUserId: record.afterUserId as string } : {}),
      done: record.done === true,
      ...(record.round !== undefined ? { round: record.round as string } : {}),
    };
  }

  async putAssessmentProgress(date: string, progress: AssessmentProgress, retentionDays: number): Promise<void> {
    await this.put({
      ...progressKey(date),
      entity: 'assessment-progress',
      date,
      ...(progress.afterUserId !== undefined ? { afterUserId: progress.afterUserId } : {}),
      done: progress.done,
      ...(progress.round !== undefined ? { round: progress.round } : {}),
      expiresAt: expiresAfterDate(date, retentionDays),
    });
  }

  async putRiskSummary(summary: RiskSummary, retentionDays: number): Promise<void> {
    await this.put(riskSummaryRecord(summary, retentionDays));
  }

  async getLatestRiskSummary(onOrBefore: string, lookbackDays: number): Promise<RiskSummary | undefined> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': RISK_SUMMARY_PK, ':from': addDays(onOrBefore, -lookbackDays), ':to': onOrBefore },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const record = output.Items?.[0];
    return record ? fromOperationsRecord<RiskSummary>(record) : undefined;
  }

  async startRun(run: JobRun, retentionDays: number): Promise<void> {
    // A retried start never overwrites the run's end.
    await this.doc
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: runRecord(run, retentionDays),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      )
      .catch(ignoreConditionFailure);
    await this.pointHeartbeat(run.job, 'lastRun', run, lastRunOrder(run));
  }

  async finishRun(run: JobRun, retentionDays: number): Promise<void> {
    await this.put(runRecord(run, retentionDays));
    await this.pointHeartbeat(run.job, 'lastRun', run, lastRunOrder(run));
    if (COMPLETED.has(run.outcome)) await this.pointHeartbeat(run.job, 'lastCompleted', run, lastCompletedOrder(run));
  }

  async getHeartbeats(jobs: readonly JobName[]): Promise<Map<JobName, JobHeartbeat>> {
    const records = await batchGet(this.doc, this.tableName, jobs.map(heartbeatKey), { ...this.batch, consistentRead: true });
    const heartbeats = new Map<JobName, JobHeartbeat>();
    for (const record of records) {
      const job = record.job as JobName;
      heartbeats.set(job, {
        job,
        ...(record.lastRun ? { lastRun: record.lastRun as JobRun } : {}),
        ...(record.lastCompleted ? { lastCompleted: record.lastCompleted as JobRun } : {}),
      });
    }
    return heartbeats;
  }

  async listRuns(job: JobName, limit: number): Promise<JobRun[]> {
    if (limit <= 0) return [];
    const runs: JobRun[] = [];
    const pages = queryPages(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': jobPk(job), ':prefix': RUN_PREFIX },
      ScanIndexForward: false,
      Limit: Math.min(limit, this.limit.Limit ?? limit),
    });
    for await (const page of pages) {
      runs.push(...page.map((r) => fromOperationsRecord<JobRun>(r)));
      if (runs.length >= limit) break;
    }
    return runs.slice(0, limit);
  }

  putReport(kind: 'daily', report: DailyReport, retentionDays: number): Promise<void>;
  putReport(kind: 'weekly', report: WeeklySummary, retentionDays: number): Promise<void>;
  async putReport(kind: ReportKind, report: AnyReport, retentionDays: number): Promise<void> {
    // The report is replaced; the deliveries already made for its date stay on the record.
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: reportKey(kind, report.date),
        UpdateExpression:
          'SET #entity = :entity, #date = :date, #report = :report, #deliveries = if_not_exists(#deliveries, :none), #expiresAt = :expiresAt',
        ExpressionAttributeNames: {
          '#entity': 'entity',
          '#date': 'date',
          '#report': 'report',
          '#deliveries': 'deliveries',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':entity': `${kind}-report`,
          ':date': report.date,
          ':report': report,
          ':none': {},
          ':expiresAt': expiresAfterDate(report.date, retentionDays),
        },
      }),
    );
  }

  getReport(kind: 'daily', date: string): Promise<StoredReport<DailyReport> | undefined>;
  getReport(kind: 'weekly', date: string): Promise<StoredReport<WeeklySummary> | undefined>;
  getReport(kind: ReportKind, date: string): Promise<StoredReport<AnyReport> | undefined>;
  async getReport(kind: ReportKind, date: string): Promise<StoredReport<AnyReport> | undefined> {
    const record = await this.getRecord(reportKey(kind, date));
    if (!record) return undefined;
    return { report: record.report as AnyReport, deliveries: (record.deliveries ?? {}) as StoredReport<AnyReport>['deliveries'] };
  }

  async listDailyReports(fromDate: string, toDate: string): Promise<DailyReport[]> {
    if (fromDate > toDate) return [];
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': reportPk('daily'), ':from': fromDate, ':to': toDate },
      ProjectionExpression: '#report',
      ExpressionAttributeNames: { '#report': 'report' },
      ConsistentRead: true,
    });
    return records.map((r) => r.report as DailyReport);
  }

  async claimDelivery(kind: ReportKind, date: string, target: DeliveryTarget, claim: DeliveryClaim, staleBefore: string): Promise<boolean> {
    const state: DeliveryState = { status: 'SENDING', owner: claim.owner, claimedAt: claim.claimedAt };
    return this.updateDelivery(kind, date, {
      UpdateExpression: 'SET #deliveries.#target = :state',
      // The report is stored first (putReport); a target is claimed when free, or when its claim went stale.
      ConditionExpression:
        'attribute_exists(#deliveries) AND (attribute_not_exists(#deliveries.#target) OR ' +
        '(#deliveries.#target.#status = :sending AND #deliveries.#target.#claimedAt < :staleBefore))',
      ExpressionAttributeNames: { '#deliveries': 'deliveries', '#target': target, '#status': 'status', '#claimedAt': 'claimedAt' },
      ExpressionAttributeValues: { ':state': state, ':sending': 'SENDING', ':staleBefore': staleBefore },
    });
  }

  async recordDelivery(kind: ReportKind, date: string, target: DeliveryTarget, delivery: DeliveryClaim & Delivery): Promise<boolean> {
    const state: DeliveryState = { status: 'SENT', owner: delivery.owner, claimedAt: delivery.claimedAt, at: delivery.at, messageId: delivery.messageId };
    return this.updateDelivery(kind, date, {
      UpdateExpression: 'SET #deliveries.#target = :state',
      ConditionExpression: '#deliveries.#target.#status = :sending AND #deliveries.#target.#owner = :owner',
      ExpressionAttributeNames: { '#deliveries': 'deliveries', '#target': target, '#status': 'status', '#owner': 'owner' },
      ExpressionAttributeValues: { ':state': state, ':sending': 'SENDING', ':owner': delivery.owner },
    });
  }

  async releaseDelivery(kind: ReportKind, date: string, target: DeliveryTarget, owner: string): Promise<void> {
    await this.updateDelivery(kind, date, {
      UpdateExpression: 'REMOVE #deliveries.#target',
      ConditionExpression: '#deliveries.#target.#status = :sending AND #deliveries.#target.#owner = :owner',
      ExpressionAttributeNames: { '#deliveries': 'deliveries', '#target': target, '#status': 'status', '#owner': 'owner' },
      ExpressionAttributeValues: { ':sending': 'SENDING', ':owner': owner },
    });
  }

  async getDayCounts(fromDate: string, toDate: string): Promise<Map<string, number>> {
    if (fromDate > toDate) return new Map();
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': DAY_COUNT_PK, ':from': fromDate, ':to': toDate },
      ConsistentRead: true,
    });
    return new Map(records.map((r) => [r.date as string, Number(r.certified)]));
  }

  async putDayCount(date: string, certified: number, retentionDays: number, countedAt: Date): Promise<void> {
    await this.put(dayCountRecord(date, certified, retentionDays, countedAt));
  }

  async completeRemoval(removal: Pick<AccessRemoval, 'userId' | 'privilegeId' | 'requestId'>, completion: RemovalCompletion): Promise<boolean> {
    const values: Record<string, string> = { ':status': completion.status, ':at': completion.at, ':removing': 'REMOVING' };
    if (completion.notRemovedReason !== undefined) values[':why'] = completion.notRemovedReason;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: removalKey(removal),
          UpdateExpression: `SET #status = :status, completedAt = :at${completion.notRemovedReason !== undefined ? ', notRemovedReason = :why' : ''}`,
          // Only a pending record is completed, once; never a record that does not exist.
          ConditionExpression: 'attribute_exists(PK) AND #status = :removing',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    if (!(await this.getRecord(removalKey(removal)))) throw new NotFoundError('removal record of', `${removal.userId}/${removal.privilegeId}/${removal.requestId}`);
    return false;
  }

  async recordRemoval(removal: AccessRemoval): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: removalRecord(removal), ConditionExpression: 'attribute_not_exists(PK)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async listRemovals(userId: string): Promise<AccessRemoval[]> {
    const records = await queryAll(this.doc, {
      TableName: this.tableName,
      ...this.limit,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': removalPk(userId) },
      ConsistentRead: true,
    });
    return records.map((r) => fromOperationsRecord<AccessRemoval>(r));
  }

  /**
   * Points the heartbeat's `lastRun` or `lastCompleted` at `run` unless it already points at a
   * later one (`order`, kept beside it): a run that ends after a newer one started leaves it alone.
   */
  private async pointHeartbeat(job: JobName, field: 'lastRun' | 'lastCompleted', run: JobRun, order: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: heartbeatKey(job),
          UpdateExpression: 'SET #entity = :entity, #job = :job, #field = :run, #order = :order',
          ConditionExpression: 'attribute_not_exists(#order) OR #order <= :order',
          ExpressionAttributeNames: { '#entity': 'entity', '#job': 'job', '#field': field, '#order': `${field}Order` },
          ExpressionAttributeValues: { ':entity': 'heartbeat', ':job': job, ':run': run, ':order': order },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  /** A conditional update of a report's deliveries: false when the condition fails, NotFoundError when no report is stored. */
  private async updateDelivery(
    kind: ReportKind,
    date: string,
    update: Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>>,
  ): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: reportKey(kind, date), ...update }));
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    if (!(await this.getRecord(reportKey(kind, date)))) throw new NotFoundError(`${kind} report of`, date);
    return false;
  }

  private async getRecord(key: DynamoRecord): Promise<DynamoRecord | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return output.Item as DynamoRecord | undefined;
  }

  private async put(record: DynamoRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }
}

function ignoreConditionFailure(error: unknown): void {
  if (!isConditionFailure(error)) throw error;
}
