/** Run the CLI in this process, capturing stderr/stdout; and snapshot a folder's files to prove nothing changed. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export async function runCli(args: readonly string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const errWrite = process.stderr.write.bind(process.stderr);
  const outWrite = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  const saved = process.exitCode;
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'tadsr', ...args]);
    return { code, stderr, stdout };
  } finally {
    process.stderr.write = errWrite;
    process.stdout.write = outWrite;
    process.exitCode = saved;
  }
}

/** Every regular file under `dir` (recursive) with its bytes, keyed by relative path; FIFOs etc. by kind. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) {
        out.set(`${r}/`, 'dir');
        walk(r);
      } else if (st.isFile()) out.set(r, readFileSync(join(dir, r)).toString('base64'));
      else out.set(r, 'special');
    }
  };
  walk('');
  return out;
}
