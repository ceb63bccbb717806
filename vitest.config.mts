import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites each boot their own engine on a free port, so files may run in parallel.
    pool: 'forks',
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
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/infra/**'],
        },
      },
    ],
  },
});
