// Runs the tadsr CLI from source (for spawn-based CLI tests): node --import tsx test/cli/eval-run.ts eval ...
import { main } from '../../src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tadsr: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
