#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (`npm install` runs no scripts here: .npmrc).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(`tadsr: the CLI is not built (${fileURLToPath(entry)} is missing): run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}`);
  process.exit(1);
}
const { main } = await import(entry.href);

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`tadsr: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
