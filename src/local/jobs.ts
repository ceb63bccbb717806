// The scheduled jobs run locally: each job's own Lambda handler, in this process, with the environment
// the deployed function gets pointed at the local endpoints (the embedded engine, an SES emulator),
// and what only the local runtime has injected through the handler's `buildDependencies` overrides:
// the file hook invoker, the process's lease and the evidence archive and key for the controller; the operations topic as a file
// (LocalReportPublisher), metrics as a file (LocalMetricsSink) and the local health probe for the
// reports. On AWS the deployed function is invoked instead, so that the job runs with its own role.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { ENV } from '../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import type { ControllerDeps, ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { continuationEventOf } from '../../lambdas/shared/adapters/job-event.js';
import type { Clock, ProgressSink } from '../../lambdas/shared/use-cases/ports.js';
import { LOCAL_REGION } from './engine.js';
import { LocalMetricsSink, LocalReportPublisher } from './operations-files.js';
import { drawChartsOnDemand } from './report-charts.js';
import { LOCAL_PORTAL_URL, type Runtime } from './runtime.js';
import type { SesEmulator } from './ses-emulator.js';

/** What each job's handler returns (its use case's result, JSON-serialisable). */
export interface JobResults {
  'campaign-controller': ControllerReport;
  'risk-assessment': Awaited<ReturnType<ReturnType<typeof import('../../lambdas/risk-assessment/handler.js').createHandler>>>;
  'daily-operations': Awaited<ReturnType<ReturnType<typeof import('../../lambdas/daily-operations/handler.js').createHandler>>>;
  'weekly-summary': Awaited<ReturnType<ReturnType<typeof import('../../lambdas/weekly-summary/handler.js').createHandler>>>;
  'initialize-reapproval': Awaited<ReturnType<ReturnType<typeof import('../../lambdas/initialize-reapproval/handler.js').createHandler>>>;
  'start-reapproval': Awaited<ReturnType<ReturnType<typeof import('../../lambdas/start-reapproval/handler.js').createHandler>>>;
}

export type JobHandler<J extends JobName> = (event: unknown) => Promise<JobResults[J]>;

const FAKE_ACCOUNT = '000000000000';

/** Where the report jobs publish locally: nothing is sent, LocalReportPublisher writes `operations-topic.jsonl`. */
export const LOCAL_OPERATIONS_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:${FAKE_ACCOUNT}:idgov-operations-local`;
/** The operations recipient of local reports when OPERATIONS_RECIPIENTS is not set: the mail lands in the mailbox file. */
export const LOCAL_OPERATIONS_RECIPIENT = 'operations@example.com';

/** The event an EventBridge schedule rule delivers to `job`; its `time` is the run's "now". */
export function scheduledEvent(now: Date, job: JobName = 'campaign-controller', region = process.env.AWS_REGION ?? LOCAL_REGION, account = FAKE_ACCOUNT) {
  const iso = now.toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    // EventBridge writes whole seconds; keep milliseconds only when there are some.
    time: iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso,
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/idgov-${job}-schedule`],
    detail: {},
  };
}

/**
 * The environment the deployed job functions get, pointed at the local endpoints: the tables, the
 * sender, the portal link base, the controller's lease, the operations topic and recipients, and
 * nothing to monitor in CloudWatch. Set before a handler's first call: each reads its environment
 * once, like a Lambda container. What the caller already set (OPERATIONS_RECIPIENTS, ...) is kept.
 */
export function applyJobEnvironment(runtime: Runtime, sesEndpoint?: string): void {
  // On AWS the deployed function runs the job (invokeJob): never in-process with our credentials.
  if (runtime.mode === 'aws') throw new Error('a job runs in-process only on a local engine');
  process.env[ENV.directoryTable] = runtime.tables.directory;
  process.env[ENV.campaignTable] = runtime.tables.campaign;
  process.env[ENV.operationsTable] = runtime.tables.operations;
  process.env[ENV.auditTable] = runtime.tables.audit;
  process.env[ENV.senderAddress] ??= 'idgov@example.com';
  process.env[ENV.approverPortalUrl] ??= LOCAL_PORTAL_URL;
  // A lease whose process is gone is taken over at once; one of another machine's run expires after 5 minutes, not 16.
  process.env[ENV.leaseSeconds] ??= '300';
  process.env[ENV.operationsTopicArn] ??= LOCAL_OPERATIONS_TOPIC_ARN;
  process.env[ENV.operationsRecipients] ??= LOCAL_OPERATIONS_RECIPIENT;
  // Locally there is no CloudWatch: the health probe is LocalHealthProbe (tables and heartbeats).
  process.env[ENV.monitoredFunctions] ??= '{}';
  process.env[ENV.monitoredQueues] ??= '{}';
  if (runtime.dynamoEndpoint) process.env.AWS_ENDPOINT_URL_DYNAMODB = runtime.dynamoEndpoint;
  if (sesEndpoint) process.env.AWS_ENDPOINT_URL_SESV2 = sesEndpoint;
}

export interface LocalJobOptions {
  /** Controller only (`controller run --take-over-lease`): take the lease whoever holds it. */
  takeOverLease?: boolean;
  /**
   * The chunked jobs only (`controller run --budget-ms N`, `job run initialize-reapproval|start-reapproval
   * --budget-ms N`): each invocation's time budget, as the Lambda context gives one on AWS; a run
   * that runs out continues in this process until it is done. Unset: no budget (one invocation does everything).
   */
  budgetMs?: number;
  /** Where long work reports where it stands (the CLI's progress line). */
  progress?: ProgressSink;
  /** The report jobs' operations topic and metrics; default files in the runtime's home, timed by the wall clock. */
  files?: LocalOperationsFiles;
  /**
   * Daily report only: when the jobs were "deployed" (the demo's first simulated day), so that a job
   * whose first scheduled run is still to come is not reported as never having run. Unset: unknown.
   */
  deployedAt?: Date;
  /**
   * Controller only: wraps the directory the controller works on (the deployed wiring's). Tests
   * put a connector's faults in it: a removal the directory accepts but does not make, which the
   * VERIFY phase must find (docs/reference/campaigns.md, "Revocation verification").
   */
  directory?: (directory: ControllerDirectory) => ControllerDirectory;
  /** Controller only: its chunk sizes (default the deployed ones); tests make them small to see many chunks. */
  chunks?: ControllerDeps['chunks'];
}

/** The directory the campaign controller reads and changes (its own and the re-approval side). */
export type ControllerDirectory = ControllerDeps['directory'];

/** The report jobs' local stand-ins for the operations topic and CloudWatch metrics: files in IDGOV_HOME. */
export interface LocalOperationsFiles {
  publisher: LocalReportPublisher;
  metrics: LocalMetricsSink;
}

/**
 * The topic and metrics files of `runtime`; each line records `clock`'s time (the run's "now" for a
 * CLI run, the simulated time in the demo).
 */
export const localOperationsFiles = (runtime: Pick<Runtime, 'topicPath' | 'metricsPath'>, clock: Clock): LocalOperationsFiles => ({
  publisher: new LocalReportPublisher({ path: runtime.topicPath, clock }),
  metrics: new LocalMetricsSink({ path: runtime.metricsPath, clock }),
});

/**
 * `job`'s handler as the Lambda builds it: the same `createHandler` over the same wiring from the
 * environment (apply it first), plus what only the local runtime knows (see the file's head).
 * Imported on demand: a handler brings the AWS clients, which only job commands need.
 */
export async function loadJobHandler<J extends JobName>(runtime: Runtime, job: J, options: LocalJobOptions = {}): Promise<JobHandler<J>> {
  const files = () => options.files ?? localOperationsFiles(runtime, { now: () => new Date() });
  const handlers: { [K in JobName]: () => Promise<JobHandler<K>> } = {
    'campaign-controller': async () => {
      const { createHandler, buildDependencies } = await import('../../lambdas/campaign-controller/handler.js');
      const { createHookInvoker } = await import('./file-hook-invoker.js');
      const { localLease } = await import('./lease-holder.js');
      const { InProcessEvidenceArchiver } = await import('../../lambdas/shared/use-cases/evidence/archive-evidence.js');
      const { evidenceReports } = await import('../../lambdas/shared/use-cases/evidence/evidence-pack.js');
      // Packs built in this process (charts drawn here too), into the archive and with the key of the local runtime
      // ($IDGOV_HOME/evidence, $IDGOV_HOME/keys), where on AWS the controller invokes the archive-evidence function.
      const evidence = new InProcessEvidenceArchiver({
        campaigns: runtime.campaigns,
        approvals: runtime.approvals,
        outbox: runtime.outbox,
        audit: runtime.auditLog,
        directory: runtime.directory,
        evidence: { archive: runtime.evidenceArchive, signer: runtime.evidenceSigner, reports: evidenceReports(drawChartsOnDemand) },
      });
      const { fixedBudget } = await import('../../lambdas/shared/adapters/time-budget.js');
      const budgetMs = options.budgetMs;
      const handler = createHandler(async () => {
        const deps = await buildDependencies({
          hooks: createHookInvoker(),
          evidence,
          audit: runtime.auditLog,
          ...progressOf(options),
          ...(options.chunks ? { chunks: options.chunks } : {}),
          // No self-invocation: invokeLocalJob continues in this process.
          continuation: undefined,
          ...(budgetMs !== undefined ? { budgetFor: () => fixedBudget(budgetMs) } : {}),
        });
        return localLease(options)(options.directory ? { ...deps, directory: options.directory(deps.directory) } : deps);
      });
      return (event) => handler(event);
    },
    'risk-assessment': async () => {
      const { createHandlerFromEnvironment } = await import('../../lambdas/risk-assessment/handler.js');
      const handler = createHandlerFromEnvironment();
      return (event) => handler(event);
    },
    'daily-operations': async () => {
      const { createHandlerFromEnvironment } = await import('../../lambdas/daily-operations/handler.js');
      const { DynamoTableProbe, LocalHealthProbe } = await import('../../lambdas/shared/adapters/dynamo/dynamo-table-probe.js');
      const { publisher, metrics } = files();
      // The tables as the deployed function names them; no CloudWatch locally, and the report adds the heartbeats.
      const { directory, campaign: campaigns, operations } = runtime.tables;
      const health = new LocalHealthProbe({ tables: new DynamoTableProbe({ doc: runtime.doc, tables: { directory, campaigns, operations } }) });
      const handler = createHandlerFromEnvironment({ health, publisher, metrics, ...(options.deployedAt ? { deployedAt: options.deployedAt } : {}) });
      return (event) => handler(event);
    },
    'weekly-summary': async () => {
      const { createHandlerFromEnvironment } = await import('../../lambdas/weekly-summary/handler.js');
      const { publisher, metrics } = files();
      const handler = createHandlerFromEnvironment({ publisher, metrics });
      return (event) => handler(event);
    },
    'initialize-reapproval': async () => {
      const { createHandlerFromEnvironment } = await import('../../lambdas/initialize-reapproval/handler.js');
      const handler = createHandlerFromEnvironment({ continuation: undefined, ...(await localBudget(options)), ...progressOf(options) });
      return (event) => handler(event);
    },
    'start-reapproval': async () => {
      const { createHandlerFromEnvironment } = await import('../../lambdas/start-reapproval/handler.js');
      const handler = createHandlerFromEnvironment({ continuation: undefined, ...(await localBudget(options)), ...progressOf(options) });
      return (event) => handler(event);
    },
  };
  return (await handlers[job]()) as JobHandler<J>;
}

const progressOf = (options: LocalJobOptions) => (options.progress ? { progress: options.progress } : {});

/** A re-approval job's budget per invocation (`--budget-ms`): no self-invocation locally, invokeLocalJob continues. */
async function localBudget(options: LocalJobOptions) {
  if (options.budgetMs === undefined) return {};
  const { fixedBudget } = await import('../../lambdas/shared/adapters/time-budget.js');
  const budgetMs = options.budgetMs;
  return { budgetFor: () => fixedBudget(budgetMs) };
}

/** The result says the run stopped with work left (its time budget ran out). */
const continues = (result: unknown): boolean =>
  typeof result === 'object' && result !== null && ((result as { continue?: unknown }).continue === true || resumeOf(result) !== undefined);

/** Where a re-approval job's result says to resume (its cursor travels in the continuation event). */
const resumeOf = (result: unknown): unknown => (result as { resume?: unknown }).resume;

/** The jobs that are chunked and continue: the controller, and the re-approval jobs. */
const CHUNKED_JOBS: readonly JobName[] = ['campaign-controller', 'initialize-reapproval', 'start-reapproval'];

/** One report for a run and its continuations: the controller's and the re-approval jobs' add up; another job's last one stands. */
async function combine<J extends JobName>(job: J, first: JobResults[J], next: JobResults[J]): Promise<JobResults[J]> {
  if (job === 'start-reapproval') {
    const { addStartReapprovalResults } = await import('../../lambdas/shared/use-cases/approvals/start-reapproval.js');
    return addStartReapprovalResults(first as JobResults['start-reapproval'], next as JobResults['start-reapproval']) as JobResults[J];
  }
  if (job === 'initialize-reapproval') {
    const { addInitializeReapprovalResults } = await import('../../lambdas/shared/use-cases/approvals/initialize-reapproval.js');
    return addInitializeReapprovalResults(first as JobResults['initialize-reapproval'], next as JobResults['initialize-reapproval']) as JobResults[J];
  }
  if (job !== 'campaign-controller') return next;
  const [a, b] = [first as ControllerReport, next as ControllerReport];
  const combined: ControllerReport = {
    ...b,
    transitions: [...a.transitions, ...b.transitions],
    errors: [...a.errors, ...b.errors],
    ...(a.leaseTakenOver ? { leaseTakenOver: a.leaseTakenOver } : {}),
    ...(a.dispatch || b.dispatch ? { dispatch: sumDispatch(a.dispatch, b.dispatch) } : {}),
  };
  return combined as JobResults[J];
}

function sumDispatch(a: ControllerReport['dispatch'], b: ControllerReport['dispatch']): NonNullable<ControllerReport['dispatch']> {
  const zero = { sent: 0, failed: 0, retrying: 0, skipped: 0 };
  const [x, y] = [a ?? zero, b ?? zero];
  // The last invocation's retrying count is what is still to retry.
  return { sent: x.sent + y.sent, failed: x.failed + y.failed, retrying: (b ?? a ?? zero).retrying, skipped: x.skipped + y.skipped };
}

/** Appends what the SES emulator captured since the last flush to the mailbox file. */
export class MailCapture {
  private flushed = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly emulator: SesEmulator,
    readonly mailboxPath: string,
  ) {}

  /** Returns how many messages were appended. One flush at a time, so that none is written twice. */
  flush(context: { now: Date }): Promise<number> {
    const flushed = this.queue.then(() => this.flushNow(context));
    this.queue = flushed.catch(() => undefined);
    return flushed;
  }

  private async flushNow(context: { now: Date }): Promise<number> {
    const all = await this.emulator.mailbox();
    const fresh = all.slice(this.flushed);
    this.flushed = all.length;
    if (fresh.length === 0) return 0;
    const lines = fresh.map((m) =>
      JSON.stringify({
        simulatedAt: context.now.toISOString(),
        messageId: m.messageId,
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        // Reports carry an HTML alternative; notifications are text only.
        ...(m.html !== undefined ? { html: m.html } : {}),
      }),
    );
    await appendFile(this.mailboxPath, `${lines.join('\n')}\n`);
    return fresh.length;
  }
}

export interface JobInvocation<J extends JobName> {
  job: J;
  result: JobResults[J];
  /** Local runs whose budget ran out: the invocations that continued the run in this process. */
  continuations?: number;
  /** Local runs: mail captured by the SES emulator and where it was appended. */
  mail?: { captured: number; mailbox: string };
  /** Local runs of the report jobs: messages published to the operations topic and where they were appended. */
  topic?: { published: number; file: string };
}

/**
 * One run of `job` at `now`: on AWS, the deployed function invoked with the manual event (the job
 * runs with the function's role, not the operator's credentials; without `now`, at the function's
 * own clock, not this machine's); locally, the handler as EventBridge would trigger it (without
 * `now`, at the wall clock), with an SES emulator for the run.
 */
export async function invokeJob<J extends JobName>(runtime: Runtime, job: J, now: Date | undefined, options: LocalJobOptions = {}): Promise<JobInvocation<J>> {
  if (options.takeOverLease && job !== 'campaign-controller') throw new ValidationError('only the controller holds a lease', 'take-over-lease');
  if (options.budgetMs !== undefined && !CHUNKED_JOBS.includes(job)) throw new ValidationError('only the controller and the re-approval jobs work in time-budgeted chunks', 'budget-ms');
  if (options.budgetMs !== undefined && (!Number.isInteger(options.budgetMs) || options.budgetMs < 0)) {
    throw new ValidationError('must be a whole number of milliseconds, 0 or more', 'budget-ms');
  }
  if (runtime.mode === 'aws') {
    if (options.takeOverLease) throw new ValidationError('only for local runs; on AWS a lease frees itself when it expires', 'take-over-lease');
    if (options.budgetMs !== undefined) throw new ValidationError("only for local runs; on AWS the budget is the invocation's remaining time", 'budget-ms');
    if (!runtime.deployment) throw new Error('an aws runtime without its deployment');
    const { jobFunction } = await import('../aws/job-function.js');
    return { job, result: (await jobFunction(runtime.deployment, job).run(now)) as JobResults[J] };
  }
  return invokeLocalJob(runtime, job, now ?? new Date(), options);
}

async function invokeLocalJob<J extends JobName>(runtime: Runtime, job: J, now: Date, options: LocalJobOptions): Promise<JobInvocation<J>> {
  // Loaded on demand: the emulator's web stack is the heaviest import, and only job commands send mail.
  const { startSesEmulator } = await import('./ses-emulator.js');
  await mkdir(runtime.home, { recursive: true });
  // Each mail is in the mailbox file before SES answers the send, as a real mail service holds
  // what it accepted: a run killed after a send leaves its mail there, marked SENT or not.
  const mail: { capture?: MailCapture } = {};
  const emulator = await startSesEmulator({ beforeAnswer: async () => void (await mail.capture?.flush({ now })) });
  const capture = (mail.capture = new MailCapture(emulator, runtime.mailboxPath));
  const files = options.files ?? localOperationsFiles(runtime, { now: () => now });
  try {
    applyJobEnvironment(runtime, emulator.endpoint);
    const handler = await loadJobHandler(runtime, job, { ...options, files });
    let result: JobResults[J];
    let continuations = 0;
    try {
      result = await handler(scheduledEvent(now, job));
      // A run whose budget ran out continues here, as its Lambda would in a new invocation (at the same instant).
      while (continues(result)) {
        continuations += 1;
        const cursor = resumeOf(result);
        result = await combine(job, result, await handler(continuationEventOf(now, continuations, cursor)));
        // A re-approval job's cursor only moves forward: one that did not move is an error, not a loop.
        if (cursor !== undefined && JSON.stringify(resumeOf(result)) === JSON.stringify(cursor)) {
          throw new Error(`${job}: continuation ${continuations} made no progress (cursor ${JSON.stringify(cursor)})`);
        }
      }
    } finally {
      // Mail sent before a failure was sent: record it either way.
      await capture.flush({ now });
    }
    const captured = (await emulator.mailbox()).length;
    const reports = job === 'daily-operations' || job === 'weekly-summary';
    return {
      job,
      result,
      ...(continuations > 0 ? { continuations } : {}),
      mail: { captured, mailbox: runtime.mailboxPath },
      ...(reports ? { topic: { published: files.publisher.published, file: runtime.topicPath } } : {}),
    };
  } finally {
    await emulator.stop();
  }
}
