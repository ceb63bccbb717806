#!/usr/bin/env node
// `npm test`: every test once (integration tests on dynalite), and the integration tests again on
// AWS's DynamoDB Local (Java), so that both engines hold the product to the same behaviour. Both
// in one vitest run: the second engine's files are the project `dynamodb-local` of
// vitest.config.mts (IDGOV_TEST_DYNAMODB_LOCAL_FILES names them), so that its files, which mostly
// wait on the engine, share the workers with the others instead of running after them.
// The last line printed is `N passed, N failed` over both engines: the CI reads that line.
//
// Extra arguments go to vitest: `npm test -- test/unit/local -t "bad email"`. File filters that
// select no integration test run nothing on DynamoDB Local.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const integrationDir = 'test/integration';
/**
 * Integration files run once, on dynalite: the demo always runs on the embedded engine; the
 * bundled handlers' test proves the bundles (its synth is the slow part), which the engine does not
 * change; and the suites that drive `idgov` as a child process test the command line (options,
 * output, exit codes) over the same stores and use cases whose behaviour on each engine the store
 * contracts and the handler suites prove on both. Run them on DynamoDB Local too with
 * `IDGOV_TEST_ENGINE=dynamodb-local npx vitest run <file>`.
 */
const ENGINE_INDEPENDENT = [
  'test/integration/demo.test.ts',
  'test/integration/demo-portal.test.ts',
  'test/integration/bundled-handlers.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/cli-bin.test.ts',
  'test/integration/cli-operations.test.ts',
  'test/integration/cli-admin-powers.test.ts',
  'test/integration/cli-campaign-definition.test.ts',
  'test/integration/cli-reapproval.test.ts',
  'test/integration/cli-reports.test.ts',
  'test/integration/cli-audit.test.ts',
  'test/integration/api-cli.test.ts',
  'test/integration/cli-evidence.test.ts',
];

/**
 * The slow tier on DynamoDB Local: the suites that replay a whole lifecycle many times over
 * (a kill after every write, concurrent runs, a three-stage end to end, the archive killed after
 * every write). `npm test` runs them on dynalite only, which keeps the CI under its time budget;
 * `npm run test:full` (IDGOV_TEST_TIER=full) runs them on DynamoDB Local too. The store contracts and
 * the other handler suites, which hold each engine to the same key, index and condition behaviour,
 * run on both engines in every `npm test`.
 */
const FULL_TIER_ON_DYNAMODB_LOCAL = [
  'test/integration/controller-resilience.test.ts',
  'test/integration/controller-kill.test.ts',
  'test/integration/three-stage-e2e.test.ts',
  'test/integration/evidence-archive-kill.test.ts',
  'test/integration/revocation-verification-kill.test.ts',
  // Kills between chunks and whole seasons of runs: the cursors and keys they rely on are held to
  // both engines by the store contracts (listings from a position, conditional writes) every run.
  'test/integration/approval-start-per-approver.test.ts',
  'test/integration/reapproval-chunks.test.ts',
  // The administrator's powers over the same stores the lifecycle suites run on both engines.
  'test/integration/admin-powers.test.ts',
];
const fullTier = process.env.IDGOV_TEST_TIER === 'full';

/** vitest options that take the next argument as their value (so it is not a file filter). */
const OPTIONS_WITH_VALUE = new Set([
  '-t', '--testNamePattern', '--project', '--shard', '-c', '--config', '-r', '--root', '--dir', '--exclude',
  '--maxWorkers', '--pool', '--environment', '--retry', '--bail', '--testTimeout', '--hookTimeout', '--mode',
]);

function splitArgs(args) {
  const filters = [];
  const options = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('-')) {
      options.push(arg);
      if (OPTIONS_WITH_VALUE.has(arg) && i + 1 < args.length) options.push(args[++i]);
    } else {
      filters.push(arg);
    }
  }
  return { filters, options };
}

function listTestFiles(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The integration files a vitest filter list would select (vitest: a path substring, `file:line` allowed). */
function selectIntegrationFiles(filters) {
  const files = listTestFiles(integrationDir);
  return files.filter((file) => {
    const rel = relative(root, file).toLowerCase();
    return filters.some((filter) => {
      const f = filter.replace(/:\d+(-\d+)?$/, '');
      if (isAbsolute(f) && file.startsWith(f)) return true;
      return rel.includes(f.toLowerCase()) || rel.includes(relative(root, resolve(root, f)).toLowerCase());
    });
  });
}

/** Runs vitest with the JSON reporter next to the default one and tallies its report. */
function runVitest(label, args, env, outputFile) {
  const output = join(root, outputFile);
  rmSync(output, { force: true }); // never count a previous run's report
  const child = spawnSync(
    process.execPath,
    [vitestBin, 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const tally = { passed: 0, failed: 0, skipped: 0, exitOk: child.status === 0 };
  let report;
  try {
    report = JSON.parse(readFileSync(output, 'utf8'));
  } catch {
    console.error(`\n[test] ${label}: vitest wrote no readable report to ${outputFile} (exit ${child.status ?? child.signal}); counted as 1 failure.`);
    tally.failed = 1;
    return tally;
  }
  // A file that fails to load, or a failing beforeAll, fails no single test: count the file.
  const fileFailures = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  );
  for (const file of fileFailures) console.error(`[test] ${label}: ${relative(root, file.name)} failed: ${file.message}`);
  tally.passed = report.numPassedTests;
  tally.failed = report.numFailedTests + fileFailures.length;
  tally.skipped = report.numPendingTests + report.numTodoTests;
  if (!tally.exitOk && tally.failed === 0) {
    console.error(`[test] ${label}: vitest exited with ${child.status ?? child.signal} although no test failed (see its errors above); counted as 1 failure.`);
    tally.failed = 1;
  }
  return tally;
}

function javaAvailable() {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

const { filters } = splitArgs(process.argv.slice(2));
const tallies = [];

// Without a file filter, `npm test` leaves the slow tier out (vitest.config.mts); test:full runs it.
const skipSlow = !fullTier && filters.length === 0;
// Named file by file: vitest's --exclude does not reach the projects of vitest.config.mts.
const dynamoDbLocalFiles = (filters.length === 0 ? listTestFiles(integrationDir) : selectIntegrationFiles(filters))
  .map((f) => relative(root, f))
  .filter((f) => !ENGINE_INDEPENDENT.includes(f))
  .filter((f) => fullTier || filters.length > 0 || !FULL_TIER_ON_DYNAMODB_LOCAL.includes(f));

let onDynamoDbLocal = false;
if (dynamoDbLocalFiles.length === 0) {
  console.log('[test] The file filter selects no integration test: nothing runs on DynamoDB Local.');
} else if (!javaAvailable()) {
  console.error(
    '[test] DynamoDB Local FAILED: it needs Java 17 and `java` is not on PATH.\n' +
      '[test] Install a JRE (Debian: apt-get install -y openjdk-17-jre-headless) and run again; counted as 1 failure.',
  );
  tallies.push({ passed: 0, failed: 1, skipped: 0, exitOk: false });
} else {
  onDynamoDbLocal = true;
}

console.log(
  `[test] All tests, integration tests on dynalite${onDynamoDbLocal ? `; ${dynamoDbLocalFiles.length} integration files again on DynamoDB Local (project dynamodb-local)` : ''}`,
);
if (skipSlow) console.log('[test] the slow tier (vitest.config.mts SLOW_TIER) runs with npm run test:full');
if (onDynamoDbLocal && !fullTier && filters.length === 0) {
  console.log(`[test] on DynamoDB Local, the slow tier (${FULL_TIER_ON_DYNAMODB_LOCAL.length} suites) runs with npm run test:full`);
}
tallies.push(
  runVitest(
    'all tests',
    process.argv.slice(2),
    {
      ...(skipSlow ? { IDGOV_TEST_SKIP_SLOW: '1' } : {}),
      ...(onDynamoDbLocal ? { IDGOV_TEST_DYNAMODB_LOCAL_FILES: JSON.stringify(dynamoDbLocalFiles) } : {}),
    },
    '.vitest-results.json',
  ),
);

const sum = (key) => tallies.reduce((n, t) => n + t[key], 0);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
process.exitCode = failed > 0 || tallies.some((t) => !t.exitOk) ? 1 : 0;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
