// `idgov controller run` killed with SIGKILL, as a user's Ctrl-C or `kill -9` would stop it, and run
// again at once: the second run takes over the lease the killed one left (its process is gone) and
// ends in exactly the state, outbox and mail of a run that was never interrupted.
//
// One controller run does everything at once: it finishes one campaign (decisions applied, access
// removed, Assignment Rejects, Campaign End) and starts another (preparation through a file hook,
// Approval Starts, Campaign Start), then sends it all. It is killed:
//  - on an engine the test serves through a tap, just before its k-th write reaches the engine, for
//    k from its first work write to its lease release (deterministic points, no timing);
//  - on the embedded engine of its IDGOV_HOME (LevelDB, which the OS unlocks when the process dies),
//    while its preparation waits in a hook that tells the test where it is, and while the engine
//    writes (its indexes, written apart from the items, are then rebuilt when the folder is opened).
// A lease held by a live process is respected, and `--take-over-lease` takes it anyway.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/shared/adapters/dynamo/document-client.js';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { CONTROLLER_LEASE, type ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { mapLimit } from '../../lambdas/shared/use-cases/concurrency.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, createTables, startDynamoDbLocal, startEmbeddedEngine, type LocalEngine } from '../../src/local/engine.js';
import { idgovBin, PROJECT_ROOT } from '../support/cli.js';
import { createHarness, type Snapshot } from '../support/controller-harness.js';
import { testEngineKind } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0 } from '../support/small-org.js';

const RUN_AT = day(14, 1);
const holdHook = fileURLToPath(new URL('../fixtures/hooks/hold-on-marker.mjs', import.meta.url));

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An engine with state of its own: dynalite in this process, or a DynamoDB Local account (data is kept per access key). */
interface Backend {
  endpoint: string;
  credentials: Credentials;
  stop(): Promise<void>;
}

let dynamoDbLocal: LocalEngine | undefined;
let backends = 0;
const temporary: string[] = [];

async function backend(): Promise<Backend> {
  if (dynamoDbLocal) return { endpoint: dynamoDbLocal.endpoint, credentials: { accessKeyId: `kill${++backends}`, secretAccessKey: 'local' }, stop: async () => {} };
  const engine = await startEmbeddedEngine();
  return { endpoint: engine.endpoint, credentials: LOCAL_CREDENTIALS, stop: engine.stop };
}

async function freshHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'idgov-kill-'));
  temporary.push(home);
  return home;
}

/**
 * The state before the run under test, written in this process with the same use cases: campaign
 * c-finish played up to its due date (decisions, reminders, an expired entry), c-start due to start.
 */
async function prepare(endpoint: string, credentials: Credentials) {
  const doc = createDocumentClient({ endpoint, region: LOCAL_REGION, credentials });
  const names = await createTables(doc);
  const h = createHarness(doc, names);
  await h.load(smallOrg());
  await h.create(highRiskUserCampaign(), T0, 'c-finish');
  await h.create(
    highRiskUserCampaign({ name: 'Finance high-risk users, second review', startDate: '2026-07-15', statusExpirationDate: '2026-09-15', hooks: { findApprovers: `file:${holdHook}` } }),
    T0,
    'c-start',
  );
  for (const step of lifecycleSteps()) {
    if (step.at >= RUN_AT) break;
    if ('run' in step) expect((await h.run(step.at)).status).toBe('COMPLETED');
    else await h.decide(entryOf('c-finish', step.decide.subjectId), step.decide.actor, step.decide.decisions, step.at);
  }
  return { doc, harness: h, campaigns: new DynamoCampaignStore({ doc, tableName: names.campaign }) };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `idgov [--endpoint URL] controller run --now RUN_AT …` as a child process of its own. */
function startRun(home: string, options: { endpoint?: string; credentials?: Credentials; args?: string[]; env?: Record<string, string> } = {}) {
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const child = spawn(
    process.execPath,
    [idgovBin(), ...(options.endpoint ? ['--endpoint', options.endpoint] : []), 'controller', 'run', '--now', RUN_AT, ...(options.args ?? ['--json'])],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        IDGOV_HOME: home,
        IDGOV_DEBUG: '',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: LOCAL_REGION,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exit };
}

/** A run that must complete: its JSON report. */
async function completed(run: ReturnType<typeof startRun>): Promise<ControllerReport> {
  const exit = await run.exit;
  expect(exit, exit.stderr).toMatchObject({ code: 0, signal: null });
  return JSON.parse(exit.stdout) as ControllerReport;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** A write request as the engine would receive it: the operation and its JSON body. */
interface Write {
  operation: string;
  body: string;
}

/**
 * A pass-through to an engine that records write requests. Armed with k, it stops the process at the
 * arrival of its k-th write: SIGKILL, and neither that write nor anything after it reaches the engine
 * (writes 1…k-1 did, as they would have reached DynamoDB before the process died).
 */
class WriteTap {
  writes: Write[] = [];
  private killAt?: { write: number; process: ChildProcess };
  private killed = false;
  private server?: Server;

  constructor(private readonly upstream: string) {}

  async listen(): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        if (!this.killed && WRITES.has(operation)) {
          this.writes.push({ operation, body: body.toString() });
          if (this.killAt && this.writes.length >= this.killAt.write) {
            this.killed = true;
            this.killAt.process.kill('SIGKILL');
          }
        }
        if (this.killed) {
          req.socket.destroy();
          return;
        }
        const forward = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        forward.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Records from nothing again; with `killAt`, kills that process at that write. */
  reset(killAt?: { write: number; process: ChildProcess }) {
    this.writes = [];
    this.killAt = killAt;
    this.killed = false;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}

/** The local mailbox, one entry per delivered mail: who, what, and the text (ids and times differ between runs). */
async function mailbox(home: string): Promise<string[]> {
  const path = join(home, 'mailbox.jsonl');
  if (!existsSync(path)) return [];
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as { to: string[]; subject: string; text: string }).map((m) => JSON.stringify([m.to, m.subject, m.text])).sort();
}

/**
 * The mail of a killed run and its re-run against the clean run's: every mail delivered, and a mail
 * delivered twice only if the killed run died between SES accepting it and marking it SENT (its
 * claims, released by the re-run): at-least-once, as with SES itself.
 */
function expectSameMail(actual: string[], clean: string[], releasedSendClaims: number, context: string) {
  expect([...new Set(actual)].sort(), context).toEqual(clean);
  const duplicates = actual.length - new Set(actual).size;
  expect(duplicates, `${context}: mail delivered twice`).toBeLessThanOrEqual(releasedSendClaims);
  expect(actual.length - clean.length, context).toBe(duplicates);
}

interface Reference {
  snapshot: Snapshot;
  mail: string[];
  writes: Write[];
}
let clean: Reference;

beforeAll(async () => {
  if (testEngineKind() === 'dynamodb-local') dynamoDbLocal = await startDynamoDbLocal();
}, 120_000);

afterAll(async () => {
  await dynamoDbLocal?.stop();
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('a controller run killed with SIGKILL', () => {
  it('an uninterrupted run finishes one campaign and starts another', async () => {
    const engine = await backend();
    const tap = new WriteTap(engine.endpoint);
    try {
      const { harness } = await prepare(engine.endpoint, engine.credentials);
      const home = await freshHome();
      const report = await completed(startRun(home, { endpoint: await tap.listen(), credentials: engine.credentials }));
      expect(report).toMatchObject({
        status: 'COMPLETED',
        errors: [],
        transitions: [
          { campaignId: 'c-finish', from: 'RUNNING', to: 'SUCCEEDED' },
          { campaignId: 'c-start', from: 'PREPARING', to: 'RUNNING' },
        ],
      });
      expect(report.leaseTakenOver).toBeUndefined();
      clean = { snapshot: await harness.snapshot(), mail: await mailbox(home), writes: tap.writes };
      expect(report.dispatch!.sent).toBe(clean.mail.length);
      // Enough sends for kills to land among them (Approval Starts are one per approver, not per entry).
      expect(clean.mail.length).toBeGreaterThanOrEqual(7);
    } finally {
      await tap.close();
      await engine.stop();
    }
  }, 120_000);

  it('just before one of its writes: the next run takes the lease over at once and ends as the uninterrupted run', async () => {
    expect(clean, 'the uninterrupted run').toBeDefined();
    // Where the uninterrupted run wrote what (1-based). Killed before the second access change
    // (one access removed, the campaign not finished); before the first send is marked SENT (every
    // notification claimed, some delivered); before the lease's release (all done but that and the
    // record of the run's end).
    const position = (what: string, test: (w: Write) => boolean, nth = 1) => {
      const found = clean.writes.flatMap((w, i) => (test(w) ? [i + 1] : []))[nth - 1];
      expect(found, `the uninterrupted run's write: ${what}`).toBeDefined();
      return found!;
    };
    const positions = [
      position('second access change', (w) => w.body.includes('"TableName":"idgov-directory"'), 2),
      position('first send marked SENT', (w) => w.operation === 'UpdateItem' && w.body.includes('SET #status = :sent')),
      position('lease released', (w) => w.operation === 'DeleteItem' && w.body.includes('LEASE#')),
    ];
    // After the lease's release the run only records its own end (the operations table's run and heartbeat).
    expect(clean.writes.slice(positions.at(-1)!).map((w) => /"TableName":"([^"]+)"/.exec(w.body)?.[1])).toEqual(
      clean.writes.slice(positions.at(-1)!).map(() => 'idgov-operations'),
    );
    expect(clean.writes.length - positions.at(-1)!).toBeGreaterThan(0);
    await mapLimit(positions, 2, async (k) => {
      const engine = await backend();
      const tap = new WriteTap(engine.endpoint);
      try {
        const { harness } = await prepare(engine.endpoint, engine.credentials);
        const home = await freshHome();
        const endpoint = await tap.listen();
        const killed = startRun(home, { endpoint, credentials: engine.credentials });
        tap.reset({ write: k, process: killed.child });
        expect((await killed.exit).signal, `killed before write ${k}`).toBe('SIGKILL');

        tap.reset();
        const report = await completed(startRun(home, { endpoint, credentials: engine.credentials }));
        expect(report, `re-run after a kill before write ${k}`).toMatchObject({
          status: 'COMPLETED',
          errors: [],
          leaseTakenOver: { reason: 'HOLDER_GONE', holder: { kind: 'local', pid: killed.child.pid, hostname: hostname() } },
        });
        expect(await harness.snapshot(), `state after a kill before write ${k}`).toEqual(clean.snapshot);
        expectSameMail(await mailbox(home), clean.mail, report.leaseTakenOver!.releasedSendClaims, `kill before write ${k}`);
      } finally {
        await tap.close();
        await engine.stop();
      }
    });
  }, 300_000);

  describe.skipIf(testEngineKind() === 'dynamodb-local')('on the embedded engine of its IDGOV_HOME', () => {
    /** A state folder holding the state before the run, written by an engine that stopped cleanly. */
    async function preparedHome(): Promise<string> {
      const home = await freshHome();
      await mkdir(join(home, 'db'));
      const seed = await startEmbeddedEngine({ path: join(home, 'db') });
      try {
        (await prepare(seed.endpoint, LOCAL_CREDENTIALS)).doc.destroy();
      } finally {
        await seed.stop();
      }
      return home;
    }

    /** The re-run, then the state folder read as the next command would open it. */
    async function rerun(home: string, killedPid: number) {
      const report = await completed(startRun(home));
      expect(report).toMatchObject({ status: 'COMPLETED', errors: [], leaseTakenOver: { reason: 'HOLDER_GONE', holder: { kind: 'local', pid: killedPid } } });
      const engine = await startEmbeddedEngine({ path: join(home, 'db') });
      try {
        const doc = createDocumentClient({ endpoint: engine.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
        const snapshot = await createHarness(doc, await createTables(doc)).snapshot();
        doc.destroy();
        return { report, snapshot };
      } finally {
        await engine.stop();
      }
    }

    it('while it prepares: the OS frees the state folder, and the next run completes the work', async () => {
      expect(clean, 'the uninterrupted run').toBeDefined();
      const home = await preparedHome();
      const marker = join(home, 'hook-reached');
      const killed = startRun(home, { env: { IDGOV_TEST_HOLD_MARKER: marker } });
      await waitFor(() => existsSync(marker) || killed.child.exitCode !== null, 60_000);
      expect(existsSync(marker), 'the run reached its preparation hook').toBe(true);
      killed.child.kill('SIGKILL');
      expect((await killed.exit).signal).toBe('SIGKILL');
      // Nothing was sent: the hook held the run before its dispatch.
      expect(await mailbox(home)).toEqual([]);

      // The re-run opens the folder the killed process held (LevelDB's lock went with it).
      const { report, snapshot } = await rerun(home, killed.child.pid!);
      expect(report).toMatchObject({ leaseTakenOver: { releasedSendClaims: 0 }, transitions: [{ campaignId: 'c-start', from: 'PREPARING', to: 'RUNNING' }] });
      expect(snapshot).toEqual(clean.snapshot);
      expect(await mailbox(home)).toEqual(clean.mail);
    }, 120_000);

    it('while the engine writes: its indexes are rebuilt from the items, and the next run completes the work', async () => {
      expect(clean, 'the uninterrupted run').toBeDefined();
      const home = await preparedHome();
      // The engine's write-ahead log: the run's writes go to a log file LevelDB opens for it. Killed
      // once ~48 KB are written (of ~190 KB): inside the run's writes, likely inside one of them.
      const db = join(home, 'db');
      const before = new Set((await readdir(db)).filter((f) => f.endsWith('.log')));
      const written = async () => {
        let bytes = 0;
        for (const f of await readdir(db)) if (f.endsWith('.log') && !before.has(f)) bytes += (await stat(join(db, f)).catch(() => ({ size: 0 }))).size;
        return bytes;
      };
      const killed = startRun(home);
      let bytes = 0;
      while (killed.child.exitCode === null && (bytes = await written()) < 48 * 1024) await new Promise((resolve) => setTimeout(resolve, 2));
      killed.child.kill('SIGKILL');
      expect((await killed.exit).signal, `killed after ${bytes} bytes written`).toBe('SIGKILL');

      const { report, snapshot } = await rerun(home, killed.child.pid!);
      expect(snapshot).toEqual(clean.snapshot);
      expectSameMail(await mailbox(home), clean.mail, report.leaseTakenOver!.releasedSendClaims, `killed after ${bytes} bytes written`);
    }, 120_000);
  });

  it('a live holder is respected, naming it; --take-over-lease takes the lease anyway, and says so', async () => {
    expect(clean, 'the uninterrupted run').toBeDefined();
    const engine = await backend();
    try {
      const { harness, campaigns } = await prepare(engine.endpoint, engine.credentials);
      // This test's own process: alive, on this machine.
      const holder = { kind: 'local' as const, pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
      const acquiredAt = new Date();
      expect(await campaigns.acquireLease(CONTROLLER_LEASE, 'run-alive', acquiredAt, 300, holder)).toBe(true);
      const home = await freshHome();

      const skipped = await startRun(home, { endpoint: engine.endpoint, credentials: engine.credentials, args: [] }).exit;
      expect(skipped.code).toBe(0);
      expect(skipped.stdout).toContain(
        `SKIPPED (another controller run holds the lease: pid ${process.pid}@${hostname()} since ${acquiredAt.toISOString()}, until `,
      );
      expect(skipped.stderr).toContain('--take-over-lease');

      const forced = await startRun(home, { endpoint: engine.endpoint, credentials: engine.credentials, args: ['--take-over-lease'] }).exit;
      expect(forced, forced.stderr).toMatchObject({ code: 0 });
      expect(forced.stdout).toContain(`took over the lease of pid ${process.pid}@${hostname()} since `);
      expect(forced.stdout).toContain('(forced with --take-over-lease)');
      // Logged as well (the handler's structured log, on stderr).
      expect(forced.stderr).toMatch(/"message":"took over the lease by force"/);
      expect(await harness.snapshot()).toEqual(clean.snapshot);
      expect(await mailbox(home)).toEqual(clean.mail);
    } finally {
      await engine.stop();
    }
  }, 120_000);
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
