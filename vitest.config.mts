import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites each boot their own engine on a free port, so files may run in parallel.
    pool: 'forks',
  },
});
