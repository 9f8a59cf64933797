/**
 * `tadsr` command line: one sub-command per file in `commands/`, each a thin wrapper over a graph. Every error that
 * leaves a command goes through one contract (`./errors.ts`): `tadsr <command>: <message>` on stderr and exit
 * 2 for usage/config errors (commander's included), 1 for anything else.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { commands } from './commands/index.js';
import { EXIT_USAGE, exitCodeOf, isHelpOrVersion, prefix, reportError } from './errors.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('tadsr')
    .description('One-step time-aware diffusion super-resolution (TADSR) for Node.js')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  // Commander's own messages ("error: unknown option …") in the one format, naming the command.
  for (const cmd of [program, ...program.commands]) {
    const name = cmd === program ? undefined : cmd.name();
    cmd.configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, prefix(name))) });
  }
  return program;
}

/** Run the CLI; resolves to the process exit code (0 ok, 1 some inputs failed or a run-time fault, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  let command: string | undefined;
  program.hook('preAction', (_root, action) => {
    command = action.name();
  });
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return isHelpOrVersion(err) ? 0 : EXIT_USAGE; // commander printed it
    return reportError(command, err);
  }
}

export { exitCodeOf };
