import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One private TMPDIR per run, removed at the end: tests leave nothing in the system temp folder.
    globalSetup: ['test/global-tmpdir.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CI has 2 cores; heavy numeric tests must not oversubscribe them.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
