import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { type EvalSet, makeEvalSet } from '../graphs/evaluate-fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runner = join(root, 'test', 'cli', 'eval-run.ts');

function tadsr(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', runner, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run the CLI in this process (no spawn cost), capturing stdout / stderr. */
async function tadsrInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'tadsr', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}

let clean: EvalSet;
let bad: EvalSet;
beforeAll(async () => {
  clean = await makeEvalSet(2, 192, { bad: false });
  bad = await makeEvalSet(2, 192);
});
afterAll(() => {
  rmSync(clean.root, { recursive: true, force: true });
  rmSync(bad.root, { recursive: true, force: true });
});

describe('tadsr eval', () => {
  it('--json prints exactly one JSON object { n, mean, images, errors } on stdout, exit 0', () => {
    const r = tadsr('eval', '--sr', clean.sr, '--hr', clean.hr, '--json', '--workers', '0');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(1);
    const j = JSON.parse(lines[0]);
    expect(Object.keys(j)).toEqual(['n', 'mean', 'images', 'errors']);
    expect(j.n).toBe(2);
    expect(Object.keys(j.mean)).toEqual(['psnr', 'ssim', 'niqe']);
    expect(j.images.map((i: { name: string }) => i.name)).toEqual(clean.names);
    for (const i of j.images) {
      expect(Object.keys(i)).toEqual(['name', 'psnr', 'ssim', 'niqe']);
      for (const k of ['psnr', 'ssim', 'niqe']) expect(typeof i[k]).toBe('number');
    }
    expect(j.mean.psnr).toBeCloseTo((j.images[0].psnr + j.images[1].psnr) / 2, 10);
    expect(j.errors).toEqual([]);
  });

  it('reports unreadable and unpaired files on stderr and in errors, still scores the rest, exit 1', () => {
    const r = tadsr('eval', '--sr', bad.sr, '--hr', bad.hr, '--json', '--metrics', 'psnr', '--workers', '0');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.n).toBe(2);
    expect(Object.keys(j.mean)).toEqual(['psnr']);
    expect(j.errors.map((e: { name: string }) => e.name).sort()).toEqual(['stray', 'zz_broken_x1']);
    expect(r.stderr).toMatch(/stray\.png: no SR-to-HR match/);
    expect(r.stderr).toMatch(/zz_broken_x1\.png/);
  });

  it('--bicubic scores the MATLAB-bicubic baseline (in worker threads), and prints a table without --json', async () => {
    const r = await tadsrInProcess('eval', '--bicubic', clean.lq, '--hr', clean.hr, '--workers', '2');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^name\s+PSNR\s+SSIM\s+NIQE$/);
    expect(lines.length).toBe(2 + 1 + 2);
    expect(lines[1]).toMatch(new RegExp(`^${clean.names[0]}\\s+\\d+\\.\\d{4}\\s+0\\.\\d{4}\\s+\\d+\\.\\d{4}$`));
    expect(lines[lines.length - 1]).toMatch(/^mean \(n=2\)/);
  });

  it('usage errors name the problem (exit 2); --help states the conventions', async () => {
    const none = await tadsrInProcess('eval', '--hr', clean.hr);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give --sr SR_DIR \(or --bicubic LQ_DIR/);
    const badMetric = await tadsrInProcess('eval', '--sr', clean.sr, '--hr', clean.hr, '--metrics', 'psnr,lpips');
    expect(badMetric.code).toBe(2);
    expect(badMetric.stderr).toMatch(/unknown metric "lpips"/);
    const missing = await tadsrInProcess('eval', '--sr', join(clean.root, 'nope'), '--hr', clean.hr);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory/);
    const help = await tadsrInProcess('eval', '--help');
    expect(help.stdout).toMatch(/pyiqa/);
    expect(help.stdout).toMatch(/BasicSR/);
  });
});
