/** Runs the tadsr CLI from source (`node --import <tsx> test/cli/run-cli.ts <args>`), for tests that spawn it. */
import { main } from '../../src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`tadsr: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
