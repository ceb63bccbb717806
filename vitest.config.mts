import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slow tier: suites that drive whole lifecycles many times over (a kill after every write,
 * concurrent runs) or hundreds of `idgov` child processes. `npm test` (scripts/test.mjs) leaves them
 * out (IDGOV_TEST_SKIP_SLOW=1) to keep the CI under its time budget; `npm run test:full`, a plain
 * `npx vitest run` and a file filter naming them run them.
 */
export const SLOW_TIER = [
  'test/integration/controller-kill.test.ts',
  'test/integration/controller-resilience.test.ts',
  'test/integration/cli-reapproval.test.ts',
  'test/integration/cli-operations.test.ts',
  // The administrator's powers and a campaign file's validation through the command line: the same
  // use cases run in every `npm test` through admin-powers.test.ts and the definition's unit tests.
  'test/integration/cli-admin-powers.test.ts',
  'test/integration/cli-campaign-definition.test.ts',
];
const skipSlow = process.env.IDGOV_TEST_SKIP_SLOW === '1';

/**
 * The integration files that run a second time, on DynamoDB Local, in the same run (the project
 * `dynamodb-local`): named by scripts/test.mjs (`npm test`), which holds the tiers. A plain
 * `npx vitest run` runs every file once, on the engine IDGOV_TEST_ENGINE names (dynalite by default).
 */
const DYNAMODB_LOCAL_FILES = JSON.parse(process.env.IDGOV_TEST_DYNAMODB_LOCAL_FILES ?? '[]') as string[];

/**
 * What a unit test file may change for the files after it: module mocks, stubbed AWS clients,
 * spies, fake timers, the environment, the process's or the global object's state.
 */
const CHANGES_SHARED_STATE =
  /\bvi\.(mock|doMock|unmock|stubGlobal|stubEnv|spyOn|useFakeTimers|setSystemTime)\b|mockClient|process\.(env|chdir|on\(|once\(|exitCode|stdout|stderr|argv)|globalThis\.|Date\.now *=|console\.[a-z]+ *=/;

/**
 * The unit test files that change none of that share their worker's module registry (isolate:
 * false): each file's own process and module loading cost more CPU than most unit files' tests
 * (~120 s of a CI run). The others, found by reading them, run isolated as every other file does.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
export const SHARED_REGISTRY_UNIT_FILES = readdirSync(join(root, 'test/unit'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => join('test/unit', file))
  .filter((file) => !CHANGES_SHARED_STATE.test(readFileSync(join(root, file), 'utf8')))
  .sort();

/**
 * The files that take longest (a minute or more of a CI run each), started first and longest
 * first, so that the short files fill the end and no worker is left alone with a long one while
 * the other waits. vitest orders a clean checkout's files by size instead (it knows no durations
 * yet), which started the demo last. A hint only: a file missing here just runs in vitest's order.
 */
const LONGEST_FIRST = [
  'test/integration/demo.test.ts',
  'test/browser/portal-views.test.ts',
  'test/browser/approver-review.test.ts',
  'test/integration/bundled-handlers.test.ts',
  'test/browser/approver-bulk-reassign.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/cli-reports.test.ts',
  'test/integration/three-stage-e2e.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((file) => spec.moduleId === join(root, file));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the others keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites each boot their own engine on a free port, so files may run in parallel.
    pool: 'forks',
    // vitest's default on 2 cores is one worker; the integration suites mostly wait on engines and
    // child processes, so two files at a time keep both cores busy.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // The infrastructure tests only build templates: one module cache per worker saves loading
          // aws-cdk-lib again for every file (about two minutes of a CI run).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'unit',
          include: SHARED_REGISTRY_UNIT_FILES,
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          // Builds `idgov` once for the suites that run it as a child process (test/support/cli-build.ts);
          // on the DynamoDB Local run, starts the one DynamoDB Local the files share.
          globalSetup: ['test/support/cli-build.setup.ts', 'test/support/engine.setup.ts'],
          exclude: [...configDefaults.exclude, 'test/infra/**', ...SHARED_REGISTRY_UNIT_FILES, ...(skipSlow ? SLOW_TIER : [])],
        },
      },
      ...(DYNAMODB_LOCAL_FILES.length === 0
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'dynamodb-local',
                include: DYNAMODB_LOCAL_FILES,
                env: { IDGOV_TEST_ENGINE: 'dynamodb-local' },
                globalSetup: ['test/support/cli-build.setup.ts', 'test/support/engine.setup.ts'],
              },
            },
          ]),
    ],
  },
});
