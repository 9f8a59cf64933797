import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CORRUPT, makeHqFolder, newOutDir } from '../graphs/degrade-fixtures.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entry = new URL('./run-cli.ts', import.meta.url).pathname;

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', tsx, entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done };
}

/** Run the CLI in this process, capturing stderr. */
async function runInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  const saved = process.exitCode;
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'tadsr', ...args]);
    return { code, stderr };
  } finally {
    process.stderr.write = write;
    process.exitCode = saved;
  }
}

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe('tadsr degrade (CLI)', () => {
  it('validates its arguments with one clear message (exit 2)', async () => {
    const inDir = await makeHqFolder(1, [40, 40], false);
    cleanup.push(inDir);
    const badOut = newOutDir();
    cleanup.push(badOut);
    const bad = join(inDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ noise_range: [5, 1] }));
    const cases: [string[], RegExp][] = [
      [['--in', join(inDir, 'missing'), '--out', 'x'], /--in .* is not a folder/],
      [['--in', inDir, '--out', 'x', '--workers', 'two'], /--workers must be an integer/],
      [['--in', inDir, '--out', 'x', '--size', '30'], /"gt_size" \(30\) must be a multiple of "scale"/],
      [['--in', inDir, '--out', 'x', '--config', join(inDir, 'none.json')], /--config .* does not exist/],
      [['--in', inDir, '--out', badOut, '--config', bad], /"noise_range" must be \[low, high\]/],
    ];
    for (const [args, msg] of cases) {
      const r = await runInProcess(['degrade', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('survives kill -9 half-way: the rerun completes with no duplicate or broken file', async () => {
    const GOOD = 14;
    const inDir = await makeHqFolder(GOOD, [300, 260]);
    const outDir = newOutDir();
    cleanup.push(inDir, outDir);
    const args = ['degrade', '--in', inDir, '--out', outDir, '--seed', '5', '--size', '256', '--workers', '2', '--quiet'];
    const first = start(args);
    // kill once a few pairs are done (and others are in flight)
    const fragments = join(outDir, 'manifest.d');
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      if (existsSync(fragments) && readdirSync(fragments).filter((f) => f.endsWith('.json')).length >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const doneBefore = readdirSync(fragments).filter((f) => f.endsWith('.json')).length;
    expect(doneBefore).toBeLessThan(GOOD); // it really was interrupted

    const second = await start(args).done;
    expect(second.code).toBe(1); // the five corrupt files
    for (const name of CORRUPT) expect(second.stderr).toContain(name);
    const lines = readFileSync(join(outDir, 'manifest.jsonl'), 'utf8').trim().split('\n');
    const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(GOOD);
    expect(new Set(ids).size).toBe(GOOD);
    for (const sub of ['hq', 'lq']) {
      const names = readdirSync(join(outDir, sub));
      expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
      expect(names).toHaveLength(GOOD);
      for (const n of names) {
        const meta = await sharp(join(outDir, sub, n)).metadata(); // decodes: not broken
        expect(meta.width).toBe(sub === 'hq' ? 256 : 64);
      }
    }
    expect(existsSync(join(outDir, '.lock'))).toBe(false);
  });
});
