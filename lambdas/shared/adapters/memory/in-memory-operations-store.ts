// OperationsStore in memory, with the Dynamo adapter's semantics (replace-by-key, conditional
// deliveries and removals, newest-first runs), for fast use-case tests. Retention (TTL) is not
// simulated: DynamoDB deletes expired items lazily, so no caller may rely on their absence.
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
  DeliveryTarget,
  OperationsStore,
  Pages,
  RemovalCompletion,
  ReportKind,
  StoredReport,
} from '../../use-cases/ports.js';
import { DEFAULT_PAGE_SIZE, byKey, inPages, stored, type InMemoryOptions } from './pages.js';

type AnyReport = DailyReport | WeeklySummary;

/** The key of a removal within its user: one record per privilege and request, as the Dynamo sort key. */
export const removalKey = (removal: Pick<AccessRemoval, 'privilegeId' | 'requestId'>) => `${removal.privilegeId}#${removal.requestId}`;

export class InMemoryOperationsStore implements OperationsStore {
  private config?: { config: OperationsConfig; loadedAt: string; loadedBy: string };
  private installedAt?: string;
  /** date → userId → assessment */
  private readonly assessments = new Map<string, Map<string, RiskAssessment>>();
  private readonly progress = new Map<string, AssessmentProgress>();
  private readonly summaries = new Map<string, RiskSummary>();
  private readonly runs = new Map<JobName, Map<string, JobRun>>();
  private readonly heartbeats = new Map<JobName, JobHeartbeat>();
  private readonly reports = new Map<string, StoredReport<AnyReport>>();
  private readonly dayCounts = new Map<string, number>();
  /** userId → removal key → removal */
  private readonly removals = new Map<string, Map<string, AccessRemoval>>();
  private readonly pageSize: number;

  constructor(options: InMemoryOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async getConfig() {
    return this.config && stored(this.config);
  }

  async putConfig(config: OperationsConfig, loadedBy: string, at: Date): Promise<void> {
    this.config = stored({ config, loadedAt: at.toISOString(), loadedBy });
  }

  async getInstallation(): Promise<{ installedAt: string } | undefined> {
    return this.installedAt === undefined ? undefined : { installedAt: this.installedAt };
  }

  async recordInstallation(at: Date): Promise<boolean> {
    if (this.installedAt !== undefined) return false;
    this.installedAt = at.toISOString();
    return true;
  }

  async putAssessments(assessments: RiskAssessment[]): Promise<void> {
    for (const assessment of assessments) {
      const day = this.assessments.get(assessment.date) ?? new Map<string, RiskAssessment>();
      day.set(assessment.userId, stored(assessment));
      this.assessments.set(assessment.date, day);
    }
  }

  listAssessments(date: string): Pages<RiskAssessment> {
    const day = [...(this.assessments.get(date)?.values() ?? [])].sort(byKey((a) => a.userId));
    return inPages(day, this.pageSize);
  }

  async listAssessmentsOfUser(userId: string, fromDate: string, toDate: string): Promise<RiskAssessment[]> {
    return [...this.assessments.entries()]
      .filter(([date]) => date >= fromDate && date <= toDate)
      .flatMap(([, day]) => (day.has(userId) ? [stored(day.get(userId)!)] : []))
      .sort(byKey((a) => a.date));
  }

  async getAssessmentProgress(date: string) {
    const progress = this.progress.get(date);
    return progress && stored(progress);
  }

  async putAssessmentProgress(date: string, progress: AssessmentProgress): Promise<void> {
    this.progress.set(date, stored(progress));
  }

  async putRiskSummary(summary: RiskSummary): Promise<void> {
    this.summaries.set(summary.date, stored(summary));
  }

  async getLatestRiskSummary(onOrBefore: string, lookbackDays: number): Promise<RiskSummary | undefined> {
    const oldest = addDays(onOrBefore, -lookbackDays);
    const latest = [...this.summaries.keys()]
      .filter((date) => date <= onOrBefore && date >= oldest)
      .sort()
      .at(-1);
    return latest === undefined ? undefined : stored(this.summaries.get(latest)!);
  }

  async startRun(run: JobRun): Promise<void> {
    // A retried start never overwrites the run's end.
    if (!this.runs.get(run.job)?.has(run.runId)) this.saveRun(run);
    const heartbeat = this.heartbeats.get(run.job) ?? { job: run.job };
    if (!heartbeat.lastRun || isLater(run, heartbeat.lastRun)) heartbeat.lastRun = stored(run);
    this.heartbeats.set(run.job, heartbeat);
  }

  async finishRun(run: JobRun): Promise<void> {
    this.saveRun(run);
    const heartbeat = this.heartbeats.get(run.job) ?? { job: run.job };
    // A late finish of an older run never moves the heartbeat backwards.
    if (!heartbeat.lastRun || heartbeat.lastRun.runId === run.runId || isLater(run, heartbeat.lastRun)) heartbeat.lastRun = stored(run);
    const completed = run.outcome === 'SUCCEEDED' || run.outcome === 'SKIPPED';
    // lastCompleted follows the business time: a re-run for an earlier date never makes the schedule look missed.
    if (completed && (!heartbeat.lastCompleted || completedOrder(run) >= completedOrder(heartbeat.lastCompleted))) {
      heartbeat.lastCompleted = stored(run);
    }
    this.heartbeats.set(run.job, heartbeat);
  }

  async getHeartbeats(jobs: readonly JobName[]): Promise<Map<JobName, JobHeartbeat>> {
    return new Map(jobs.flatMap((job) => (this.heartbeats.has(job) ? [[job, stored(this.heartbeats.get(job)!)] as const] : [])));
  }

  async listRuns(job: JobName, limit: number): Promise<JobRun[]> {
    return [...(this.runs.get(job)?.values() ?? [])]
      .sort(byKey(runSortKey))
      .reverse()
      .slice(0, limit)
      .map(stored);
  }

  putReport(kind: 'daily', report: DailyReport): Promise<void>;
  putReport(kind: 'weekly', report: WeeklySummary): Promise<void>;
  async putReport(kind: ReportKind, report: AnyReport): Promise<void> {
    const id = reportId(kind, report.date);
    this.reports.set(id, { report: stored(report), deliveries: this.reports.get(id)?.deliveries ?? {} });
  }

  getReport(kind: 'daily', date: string): Promise<StoredReport<DailyReport> | undefined>;
  getReport(kind: 'weekly', date: string): Promise<StoredReport<WeeklySummary> | undefined>;
  getReport(kind: ReportKind, date: string): Promise<StoredReport<AnyReport> | undefined>;
  async getReport(kind: ReportKind, date: string): Promise<StoredReport<AnyReport> | undefined> {
    const found = this.reports.get(reportId(kind, date));
    return found && stored(found);
  }

  async listDailyReports(fromDate: string, toDate: string): Promise<DailyReport[]> {
    return [...this.reports.entries()]
      .filter(([id]) => id.startsWith('daily\n'))
      .map(([, found]) => found.report as DailyReport)
      .filter((report) => report.date >= fromDate && report.date <= toDate)
      .sort(byKey((report) => report.date))
      .map(stored);
  }

  async claimDelivery(kind: ReportKind, date: string, target: DeliveryTarget, claim: DeliveryClaim, staleBefore: string): Promise<boolean> {
    const found = this.storedReport(kind, date);
    const state = found.deliveries[target];
    if (state && !(state.status === 'SENDING' && state.claimedAt < staleBefore)) return false;
    found.deliveries[target] = { status: 'SENDING', owner: claim.owner, claimedAt: claim.claimedAt };
    return true;
  }

  async recordDelivery(kind: ReportKind, date: string, target: DeliveryTarget, delivery: DeliveryClaim & Delivery): Promise<boolean> {
    const found = this.storedReport(kind, date);
    const state = found.deliveries[target];
    if (state?.status !== 'SENDING' || state.owner !== delivery.owner) return false;
    found.deliveries[target] = { status: 'SENT', owner: delivery.owner, claimedAt: delivery.claimedAt, at: delivery.at, messageId: delivery.messageId };
    return true;
  }

  async releaseDelivery(kind: ReportKind, date: string, target: DeliveryTarget, owner: string): Promise<void> {
    const found = this.storedReport(kind, date);
    const state = found.deliveries[target];
    if (state?.status === 'SENDING' && state.owner === owner) delete found.deliveries[target];
  }

  async getDayCounts(fromDate: string, toDate: string): Promise<Map<string, number>> {
    return new Map([...this.dayCounts.entries()].filter(([date]) => date >= fromDate && date <= toDate).sort(byKey(([date]) => date)));
  }

  async putDayCount(date: string, certified: number): Promise<void> {
    this.dayCounts.set(date, certified);
  }

  async recordRemoval(removal: AccessRemoval): Promise<boolean> {
    const ofUser = this.removals.get(removal.userId) ?? new Map<string, AccessRemoval>();
    this.removals.set(removal.userId, ofUser);
    if (ofUser.has(removalKey(removal))) return false;
    ofUser.set(removalKey(removal), stored(removal));
    return true;
  }

  async completeRemoval(removal: Pick<AccessRemoval, 'userId' | 'privilegeId' | 'requestId'>, completion: RemovalCompletion): Promise<boolean> {
    const found = this.removals.get(removal.userId)?.get(removalKey(removal));
    if (!found) throw new NotFoundError('removal record of', `${removal.userId}/${removal.privilegeId}/${removal.requestId}`);
    if (found.status !== 'REMOVING') return false;
    found.status = completion.status;
    found.completedAt = completion.at;
    if (completion.notRemovedReason !== undefined) found.notRemovedReason = completion.notRemovedReason;
    return true;
  }

  async listRemovals(userId: string): Promise<AccessRemoval[]> {
    return [...(this.removals.get(userId)?.entries() ?? [])]
      .sort(byKey(([key]) => key))
      .map(([, removal]) => stored(removal));
  }

  private storedReport(kind: ReportKind, date: string): StoredReport<AnyReport> {
    const found = this.reports.get(reportId(kind, date));
    if (!found) throw new NotFoundError(`${kind} report of`, date);
    return found;
  }

  private saveRun(run: JobRun): void {
    const runs = this.runs.get(run.job) ?? new Map<string, JobRun>();
    runs.set(run.runId, stored(run));
    this.runs.set(run.job, runs);
  }
}

const reportId = (kind: ReportKind, date: string) => `${kind}\n${date}`;
/** Runs sort by start time, as the Dynamo sort key RUN#<startedAt>#<runId> does. */
const runSortKey = (run: JobRun) => `${run.startedAt}#${run.runId}`;
const isLater = (run: JobRun, than: JobRun) => runSortKey(run) > runSortKey(than);
/** Completed runs are ordered by business time first, as the Dynamo heartbeat's lastCompletedOrder. */
const completedOrder = (run: JobRun) => `${run.scheduledFor}#${run.startedAt}#${run.runId}`;
