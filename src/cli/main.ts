/**
 * `tadsr` command line: one sub-command per file in `commands/`, each a thin wrapper over a graph.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { commands } from './commands/index.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('tadsr')
    .description('One-step time-aware diffusion super-resolution (TADSR) for Node.js')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}
