/** Shared bits of the queue tests: a single-process reference run and a folder comparison. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { degradeDataset } from '../../src/graphs/degrade-dataset.js';

/** Every file under `dir` (relative paths, sorted), skipping nothing. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** Expect two output folders to hold the same files with the same bytes. */
export function sameFolders(a: string, b: string): { files: string[]; differ: string[] } {
  const fa = listFiles(a);
  const fb = listFiles(b);
  if (fa.join('\n') !== fb.join('\n')) return { files: fa, differ: [`file lists differ: ${fa.join(',')} vs ${fb.join(',')}`] };
  const differ = fa.filter((f) => !readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
  return { files: fa, differ };
}

/** `degradeDataset` in this process, one thread: the bytes a queue run must reproduce. */
export async function referenceRun(inDir: string, outDir: string, seed: number, size: number): Promise<void> {
  await lastValueFrom(degradeDataset({ inDir, outDir, seed, size, workers: 1 }));
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
