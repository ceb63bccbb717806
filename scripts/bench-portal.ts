// `npm run bench:portal`: what the approver portal's first page costs a browser. The portal is built
// as it is deployed (src/portal/build.ts: esbuild, minified) and served by the local server
// (`idgov api serve`) over the sample organisation, with a campaign running so that the approver has
// open tasks (the one `npm start -- --keep-open` starts). Debian's chromium, already signed in as
// that approver, loads `/` until "My tasks" is shown and the network is idle; every response of
// that load is counted, and its body compressed with gzip (what CloudFront serves). The target is
// at most 150 kB (153,600 bytes) compressed; the exit code is 1 above it. The last line printed is
// one JSON object: { "bytesCompressed": N, "requests": M }.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { loadDirectory } from '../lambdas/shared/use-cases/directory-load.js';
import { startPortalServer, startPortalTour } from '../src/local/demo-portal.js';
import { applyJobEnvironment, loadJobHandler, scheduledEvent } from '../src/local/jobs.js';
import { USER_COOKIE } from '../src/local/portal-server.js';
import { openRuntime } from '../src/local/runtime.js';
import { generateSampleOrganization } from '../src/local/sample-org.js';

const BUDGET_BYTES = 150 * 1024;
const CHROMIUM = '/usr/bin/chromium';
/** As the browser tests launch it (test/support/portal.ts): no connection but to the page's own server. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!existsSync(CHROMIUM)) {
  process.stderr.write(`${CHROMIUM} is missing (Debian: apt-get install -y chromium)\n`);
  process.exit(2);
}
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const now = new Date('2026-07-01T12:00:00.000Z');
const home = await mkdtemp(join(tmpdir(), 'idgov-bench-portal-'));
const runtime = await openRuntime({ home, inMemory: true });
try {
  const admin = { campaigns: runtime.campaigns, audit: runtime.auditLog, directory: runtime.directory, operations: runtime.operations };
  await loadDirectory(admin, generateSampleOrganization(), 'bench', new Date(now.getTime() - 86_400_000), 'sample organisation');
  applyJobEnvironment(runtime);
  const controller = await loadJobHandler(runtime, 'campaign-controller');
  const tour = await startPortalTour(runtime, { ownerId: 'u-0001', now, runController: (at) => controller(scheduledEvent(at)) });
  const server = await startPortalServer(runtime, { now: () => now }, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Signed in already: the local sign-in's cookie, as /?as= would set it.
    await context.addCookies([{ name: USER_COOKIE, value: tour.approver.id, url: server.url, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const responses: { url: string; status: number; bytes: number; compressed: number }[] = [];
    const reading: Promise<void>[] = [];
    page.on('response', (response) => {
      const at = responses.length;
      const status = response.status();
      responses.push({ url: response.url(), status, bytes: 0, compressed: 0 });
      reading.push(
        (async () => {
          const body = status >= 300 && status < 400 ? Buffer.alloc(0) : await response.body().catch(() => Buffer.alloc(0));
          responses[at] = { ...responses[at]!, bytes: body.byteLength, compressed: body.byteLength === 0 ? 0 : gzipSync(body).byteLength };
        })(),
      );
    });
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await Promise.all(reading);

    const origin = server.url;
    for (const r of responses) {
      const where = r.url.startsWith(origin) ? r.url.slice(origin.length) : r.url;
      console.log(`${String(r.status).padEnd(4)} ${where.padEnd(48)} ${String(r.bytes).padStart(8)} bytes  ${String(r.compressed).padStart(7)} gzip`);
    }
    const bytesCompressed = responses.reduce((sum, r) => sum + r.compressed, 0);
    console.log(
      `initial load as ${tour.approver.id} (${tour.approver.tasks} open tasks): ${responses.length} requests, ${bytesCompressed} bytes compressed ` +
        `(${(bytesCompressed / 1024).toFixed(1)} kB of the ${BUDGET_BYTES / 1024} kB budget)`,
    );
    console.log(`{ "bytesCompressed": ${bytesCompressed}, "requests": ${responses.length} }`);
    if (bytesCompressed > BUDGET_BYTES) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await runtime.close();
  await rm(home, { recursive: true, force: true });
}
