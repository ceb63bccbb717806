// Faults at the wire, for the fault-tolerance suite (test/faults): DynamoDB answers a share of the
// calls with throttling (ProvisionedThroughputExceededException, ThrottlingException) or a 5xx
// (InternalServerError, before or after the engine applied a write), and SES and SNS refuse a share
// of the sends. The answers are real HTTP error responses the SDK deserializes and classifies as it
// would AWS's, so its retry strategy, the document client and the adapters all see them as in
// production. A run may also be killed after a write (every later call of the run fails), as a
// process dying there would leave it.
//
// Which call fails is decided by a seeded hash of the request (its operation, its bytes with ids
// that differ per run blanked, and how many times the same request was sent before), not by call
// order: concurrent calls that interleave differently still get the same answers for one seed.
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// The SDK's own standard retry strategy (a dependency of every AWS SDK client): the same error
// classification, attempts and retry quota as the clients' default, with the backoff set to zero.
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { SesMailer } from '../../lambdas/shared/adapters/ses-mailer.js';
import { SnsReportPublisher } from '../../lambdas/shared/adapters/sns-report-publisher.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/engine.js';
import { localDocumentClient } from './engine.js';

/**
 * How the clients retry what the faults refuse:
 * - `sdk`: as deployed (DynamoDB 4 attempts, SES and SNS 3, the SDK's standard strategy), without
 *   the backoff sleeps; the product code sees a fault only when every attempt of a call failed.
 * - `none`: one attempt: every injected fault reaches the product code (the adapters, use cases
 *   and handlers), which must fail the run cleanly and let the next run finish.
 */
export type RetryMode = 'sdk' | 'none';

const DYNAMODB_ATTEMPTS = 4;
const SEND_ATTEMPTS = 3;
const attempts = (mode: RetryMode, deployed: number) => (mode === 'sdk' ? deployed : 1);
const retryConfig = (mode: RetryMode, deployed: number) => ({ retryStrategy: new ConfiguredRetryStrategy(attempts(mode, deployed), 0) });

export const DYNAMO_FAULTS = [
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'InternalServerError',
  // The engine applied the write, and its answer was lost: DynamoDB's 500 "may or may not have succeeded".
  'InternalServerErrorAfterWrite',
] as const;
export type DynamoFault = (typeof DYNAMO_FAULTS)[number];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A request's text without what differs between two runs of the same work: ids made per run, and
 * an audit record's place in its chain (its number, its hashes), which depends on the order in
 * which concurrent steps appended. The same work then meets the same faults.
 */
const stableText = (request: string) =>
  request
    .replace(UUID, '<id>')
    .replace(/"(seq|prevHash|hash)":\{"[NS]":"[^"]*"\}/g, '"$1":"<chain>"')
    .replace(/"(SK|:from|:to)":\{"S":"\d{12}"\}/g, '"$1":"<chain>"');

/** A uniform number in [0, 1) per (seed, text): the first 32 bits of their SHA-256. */
function uniform(seed: number, text: string): number {
  const digest = createHash('sha256').update(`${seed}\n${text}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Which calls fail, at what rate; `enabled` off lets every call through (the outage is over). */
export class FaultSchedule {
  enabled = true;
  /** Faults injected, by channel and kind. */
  readonly injected = new Map<string, number>();
  /** Calls that reached the schedule, by channel. */
  readonly calls = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  /** The run's kill: after its `at`-th write (counted from arming) every call fails, as if the process had died there. */
  private kill: { at: number; writes: number } | undefined;
  /** The armed kill happened: the run is dead. */
  killed = false;
  /** Runs armed so far (each job attempt is one), and those that were killed. */
  run = 0;
  readonly killedRuns = new Set<number>();

  constructor(
    readonly seed: number,
    readonly rate: number,
  ) {}

  /** The fault for this call, if any. `request`: its bytes (ids that differ per run are blanked here). */
  pick<K extends string>(channel: string, request: string, kinds: readonly K[]): K | undefined {
    this.calls.set(channel, (this.calls.get(channel) ?? 0) + 1);
    if (!this.enabled) return undefined;
    const stable = `${channel}\n${stableText(request)}`;
    const occurrence = (this.seen.get(stable) ?? 0) + 1;
    this.seen.set(stable, occurrence);
    const roll = uniform(this.seed, `${stable}\n${occurrence}`);
    if (roll >= this.rate) return undefined;
    const kind = kinds[Math.floor((roll / this.rate) * kinds.length)]!;
    const counted = `${channel} ${kind}`;
    this.injected.set(counted, (this.injected.get(counted) ?? 0) + 1);
    return kind;
  }

  /**
   * A schedule that injects `fault` into the calls `matches` selects, the first `times` of them
   * (a lost answer, say, for one conditional write), and lets every other call through.
   */
  static scripted<K extends string>(fault: K, matches: (channel: string, request: string) => boolean, times = 1): FaultSchedule {
    let left = times;
    const schedule = new FaultSchedule(0, 0);
    schedule.pick = <P extends string>(channel: string, request: string, kinds: readonly P[]): P | undefined => {
      schedule.calls.set(channel, (schedule.calls.get(channel) ?? 0) + 1);
      if (!schedule.enabled || left === 0 || !(kinds as readonly string[]).includes(fault) || !matches(channel, request)) return undefined;
      left -= 1;
      schedule.injected.set(`${channel} ${fault}`, (schedule.injected.get(`${channel} ${fault}`) ?? 0) + 1);
      return fault as unknown as P;
    };
    return schedule;
  }

  /** A number in [0, 1) for `label` under this seed (the same every time). */
  roll(label: string): number {
    return uniform(this.seed, label);
  }

  /** Kills the next run at its `at`-th DynamoDB write (undefined: no kill); each arming revives the process. */
  armKill(at: number | undefined): void {
    this.run += 1;
    this.kill = at === undefined ? undefined : { at, writes: 0 };
    this.killed = false;
  }

  /** Throws if the run was killed: every call of a dead process fails. */
  checkAlive(): void {
    if (this.killed) throw new KilledRunError();
  }

  /** Counts a write that reached the engine; the armed one kills the run (the write landed, its answer is lost). */
  afterWrite(): void {
    if (!this.kill) return;
    this.kill.writes += 1;
    if (this.kill.writes === this.kill.at) {
      this.killed = true;
      this.killedRuns.add(this.run);
      const counted = 'process killed';
      this.injected.set(counted, (this.injected.get(counted) ?? 0) + 1);
      throw new KilledRunError();
    }
  }

  total(): number {
    return [...this.injected.values()].reduce((a, b) => a + b, 0);
  }

  describe(): string {
    const kinds = [...this.injected.entries()].map(([k, n]) => `${k}: ${n}`).join(', ');
    return `seed ${this.seed}, rate ${this.rate}: ${this.total()} faults injected (${kinds || 'none'})`;
  }
}

/** The process of a run died: this call, and every later one of the run, never happens. */
export class KilledRunError extends Error {
  constructor() {
    super('process killed (injected)');
    this.name = 'KilledRunError';
  }
}

type RawResponse = { statusCode: number; headers: Record<string, string>; body: Uint8Array };
const bytes = (text: string) => new TextEncoder().encode(text);
/** A request body as text (the SDK hands some as a string, some as bytes). */
const text = (body: unknown) => (body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body ?? ''));

function dynamoError(type: string, status: number): RawResponse {
  const prefix = type === 'ThrottlingException' ? 'com.amazon.coral.availability' : 'com.amazonaws.dynamodb.v20120810';
  return {
    statusCode: status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'injected-fault' },
    body: bytes(JSON.stringify({ __type: `${prefix}#${type}`, message: `${type} (injected)` })),
  };
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * A document client of the engine whose every call may meet a fault, with the document client
 * settings the product uses (read from a client `createDocumentClient` made).
 */
export function faultyDocumentClient(endpoint: string, schedule: FaultSchedule, mode: RetryMode): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, ...retryConfig(mode, DYNAMODB_ATTEMPTS) });
  client.middlewareStack.add(
    (next) => async (args) => {
      schedule.checkAlive();
      const request = args.request as { headers: Record<string, string>; body?: unknown };
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '?';
      const kinds = DYNAMO_WRITES.has(operation) ? DYNAMO_FAULTS : DYNAMO_FAULTS.filter((k) => k !== 'InternalServerErrorAfterWrite');
      const fault = schedule.pick(`dynamodb:${operation}`, text(request.body), kinds);
      if (!fault) {
        const answer = await next(args);
        if (DYNAMO_WRITES.has(operation)) schedule.afterWrite();
        return answer;
      }
      if (fault === 'InternalServerErrorAfterWrite') {
        const applied = await next(args);
        (applied.response as { body?: { resume?: () => void } }).body?.resume?.();
        schedule.afterWrite();
      }
      const status = fault.startsWith('InternalServerError') ? 500 : 400;
      return { response: dynamoError(fault.startsWith('InternalServerError') ? 'InternalServerError' : fault, status), output: undefined as never };
    },
    // Closest to the wire, inside the retry loop: each attempt meets the schedule.
    { step: 'deserialize', priority: 'low', name: 'injectedFaults' },
  );
  const settings = localDocumentClient(endpoint);
  const doc = DynamoDBDocumentClient.from(client, settings.config.translateConfig);
  settings.destroy();
  return doc;
}

/** What SES (or SNS) accepted, and in which run: the sends a test counts. */
export interface AcceptedMail {
  to: string;
  subject: string;
  /** The run (FaultSchedule.run) that sent it. */
  run: number;
}

export const SEND_FAULTS = ['Throttling', 'ServiceUnavailable'] as const;

/**
 * The product's SES mailer over a client whose endpoint is this function: it accepts a mail (and
 * records it) or refuses it, SES not having taken it (throttled, or unavailable).
 */
export function faultySesMailer(schedule: FaultSchedule, mode: RetryMode): { mailer: SesMailer; accepted: AcceptedMail[] } {
  const accepted: AcceptedMail[] = [];
  const client = new SESv2Client({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: 'http://ses.invalid',
    ...retryConfig(mode, SEND_ATTEMPTS),
    requestHandler: {
      async handle(request: { body?: unknown }) {
        schedule.checkAlive();
        const body = text(request.body);
        const fault = schedule.pick('ses:SendEmail', body, SEND_FAULTS);
        if (fault) {
          const [status, type] = fault === 'Throttling' ? [429, 'TooManyRequestsException'] : [500, 'InternalFailure'];
          return { response: { statusCode: status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: bytes(JSON.stringify({ message: `${type} (injected)` })) } };
        }
        const sent = JSON.parse(body) as { Destination: { ToAddresses: string[] }; Content: { Simple: { Subject: { Data: string } } } };
        accepted.push({ to: sent.Destination.ToAddresses[0]!, subject: sent.Content.Simple.Subject.Data, run: schedule.run });
        return { response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: bytes(JSON.stringify({ MessageId: `ses-${accepted.length}` })) } };
      },
    },
  });
  return { mailer: new SesMailer({ client, fromAddress: 'IdGov <idgov@example.com>' }), accepted };
}

/** The product's SNS publisher over a client whose endpoint is this function (awsQuery XML answers). */
export function faultySnsPublisher(schedule: FaultSchedule, mode: RetryMode): { publisher: SnsReportPublisher; published: AcceptedMail[] } {
  const published: AcceptedMail[] = [];
  const client = new SNSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: 'http://sns.invalid',
    ...retryConfig(mode, SEND_ATTEMPTS),
    requestHandler: {
      async handle(request: { body?: unknown }) {
        schedule.checkAlive();
        const body = text(request.body);
        const fault = schedule.pick('sns:Publish', body, SEND_FAULTS);
        if (fault) {
          const [status, code] = fault === 'Throttling' ? [400, 'Throttled'] : [500, 'InternalError'];
          const xml = `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status === 400 ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${code} (injected)</Message></Error><RequestId>injected-fault</RequestId></ErrorResponse>`;
          return { response: { statusCode: status, headers: { 'content-type': 'text/xml' }, body: bytes(xml) } };
        }
        published.push({ to: 'topic', subject: new URLSearchParams(body).get('Subject') ?? '', run: schedule.run });
        const xml = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sns-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r-${published.length}</RequestId></ResponseMetadata></PublishResponse>`;
        return { response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: bytes(xml) } };
      },
    },
  });
  return { publisher: new SnsReportPublisher({ client, topicArn: 'arn:aws:sns:us-east-1:000000000000:idgov-operations' }), published };
}

/**
 * The suite's seeds. IDGOV_FAULT_SEED reproduces a failure the suite printed (`7`), or explores
 * more (`1-200`, `3,5,8`).
 */
export function faultSeeds(defaults: readonly number[]): number[] {
  const given = process.env.IDGOV_FAULT_SEED?.trim();
  if (!given) return [...defaults];
  const seeds = given.split(',').flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
    return [Number(part)];
  });
  if (seeds.length === 0 || !seeds.every(Number.isSafeInteger)) throw new Error(`IDGOV_FAULT_SEED must be seeds (7), a range (1-200) or a list (3,5,8); got "${given}"`);
  return seeds;
}
