/**
 * The tests StrykerJS runs against each mutant of src/losses and src/schedule (bench/mutation/stryker.config.json):
 * the fast unit tests of those modules and of the operators that use them. The training-graph wiring tests
 * (test/graphs/train-wiring.test.ts, ~15 s a run) are left out so a run fits a coffee break on 2 cores; the
 * seven wiring mutants are checked by hand (README "Tests that catch wiring").
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/losses/**/*.test.ts', 'test/schedule/**/*.test.ts', 'test/operators/tadsr-operators.test.ts', 'test/operators/score-cfg.test.ts'],
    testTimeout: 60_000,
    // a fresh module graph per run: modules that cache what they compute (the noise schedule's table) would
    // otherwise keep the unmutated value across mutants (measured: 78.5 % with isolate: false, 82.8 % with true)
    isolate: true,
  },
});
