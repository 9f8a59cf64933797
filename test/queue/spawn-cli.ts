/** Spawn the tadsr CLI from source in a child process (tsx), collecting its stderr. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entry = new URL('../cli/run-cli.ts', import.meta.url).pathname;

export interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

export function spawnCli(args: string[]): Spawned {
  const child = spawn(process.execPath, ['--import', tsx, entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

