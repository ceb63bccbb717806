// The scheduled jobs run locally: each job's own Lambda handler, in this process, with the environment
// the deployed function gets pointed at the local endpoints (the embedded engine, an SES emulator),
// and what only the local runtime has injected through the handler's `buildDependencies` overrides:
// the file hook invoker, the process's lease and the evidence archive and key for the controller; the operations topic as a file
// (LocalReportPublisher), metrics as a file (LocalMetricsSink) and the local health probe for the
// reports. On AWS the deployed function is invoked instead, so that the job runs with its own role.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { continuationEvent, requestedTime } from '../../lambdas/shared/adapters/job-event.js';
import type { InvocationContext } from '../../lambdas/shared/adapters/job-handler.js';
import { fixedTimeBudget } from '../../lambdas/shared/adapters/lambda-time-budget.js';
import { ENV } from '../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
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
  /** The report jobs' operations topic and metrics; default files in the runtime's home, timed by the wall clock. */
  files?: LocalOperationsFiles;
  /**
   * Daily report only: when the jobs were "deployed" (the demo's first simulated day), so that a job
   * whose first scheduled run is still to come is not reported as never having run. Unset: unknown.
   */
  deployedAt?: Date;
  /**
   * The time budget of each invocation of a chunked job (`--budget-ms`), as a Lambda's remaining
   * time would be: out of it, the job stops after its chunk and the runtime invokes it again with
   * its continuation, until it is done. Unset: no budget, one invocation.
   */
  budgetMs?: number;
  /** Where long work reports where it stands (the CLI's progress line). */
  progress?: ProgressSink;
}

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
      const handler = createHandler(async () =>
        localLease(options)(await buildDependencies({ hooks: createHookInvoker(), evidence, audit: runtime.auditLog, ...progressOf(options) })),
      );
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
      const { addInitializeReapprovalResults } = await import('../../lambdas/shared/use-cases/approvals/initialize-reapproval.js');
      const handler = createHandlerFromEnvironment(progressOf(options));
      return continuing('initialize-reapproval', handler, { resumeOf: (r) => r.resume, add: addInitializeReapprovalResults }, options);
    },
    'start-reapproval': async () => {
      const { createHandlerFromEnvironment } = await import('../../lambdas/start-reapproval/handler.js');
      const { addStartReapprovalResults } = await import('../../lambdas/shared/use-cases/approvals/start-reapproval.js');
      const handler = createHandlerFromEnvironment(progressOf(options));
      return continuing('start-reapproval', handler, { resumeOf: (r) => r.resume, add: addStartReapprovalResults }, options);
    },
  };
  return (await handlers[job]()) as JobHandler<J>;
}

const progressOf = (options: LocalJobOptions) => (options.progress ? { progress: options.progress } : {});

/**
 * A chunked job's handler as the local runtime runs it: each invocation gets its own budget (if
 * any), and while a result says where to resume, the handler is invoked again with the
 * continuation event Lambda would deliver (same business time, the count, the cursor); the
 * invocations' results add up to the run's. On AWS the function sends that event to itself, at
 * most MAX_CONTINUATIONS times; here there is no cap, as each invocation does at least one chunk
 * and its cursor only moves forward: a cursor that did not move is an error, not a loop.
 */
function continuing<J extends JobName>(
  job: J,
  handler: (event: unknown, context?: InvocationContext) => Promise<JobResults[J]>,
  chunked: { resumeOf(result: JobResults[J]): unknown; add(a: JobResults[J], b: JobResults[J]): JobResults[J] },
  options: LocalJobOptions,
): JobHandler<J> {
  const context = (): InvocationContext | undefined => (options.budgetMs === undefined ? undefined : { budget: fixedTimeBudget(options.budgetMs) });
  return async (event) => {
    const now = requestedTime(event) ?? new Date();
    let result = await handler(event, context());
    for (let count = 1; chunked.resumeOf(result) !== undefined; count++) {
      const cursor = chunked.resumeOf(result);
      result = chunked.add(result, await handler(continuationEvent(job, now, count, cursor), context()));
      if (JSON.stringify(chunked.resumeOf(result)) === JSON.stringify(cursor)) throw new Error(`${job}: continuation ${count} made no progress (cursor ${JSON.stringify(cursor)})`);
    }
    return result;
  };
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
  if (runtime.mode === 'aws') {
    if (options.takeOverLease) throw new ValidationError('only for local runs; on AWS a lease frees itself when it expires', 'take-over-lease');
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
    try {
      result = await handler(scheduledEvent(now, job));
    } finally {
      // Mail sent before a failure was sent: record it either way.
      await capture.flush({ now });
    }
    const captured = (await emulator.mailbox()).length;
    const reports = job === 'daily-operations' || job === 'weekly-summary';
    return {
      job,
      result,
      mail: { captured, mailbox: runtime.mailboxPath },
      ...(reports ? { topic: { published: files.publisher.published, file: runtime.topicPath } } : {}),
    };
  } finally {
    await emulator.stop();
  }
}
