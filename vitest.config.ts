import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CI has 2 cores; heavy numeric tests must not oversubscribe them.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
