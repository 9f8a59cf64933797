/**
 * `tadsr eval-model` end to end on an untrained `tiny` model (init-model) over the small paired fixture: the real
 * Upscaler on the ONNX backend, scores, report files, exit codes and usage errors.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { type PairedSet, makePairedSet } from './eval-model-fixture.js';

let set: PairedSet;
let modelDir: string;
beforeAll(async () => {
  set = await makePairedSet();
  modelDir = mkdtempSync(join(tmpdir(), 'tadsr-tiny-'));
  await initModelDir(modelDir, 'tiny', { seed: 1 });
});
afterAll(() => {
  rmSync(set.root, { recursive: true, force: true });
  rmSync(modelDir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const before = process.exitCode;
  try {
    const code = await main(['node', 'tadsr', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = before;
  }
}

describe('tadsr eval-model', () => {
  it('runs a model directory over a paired set and writes the report; bad pairs make exit code 1', async () => {
    const report = join(set.root, 'cli-report');
    const peers = join(set.root, 'peers.json');
    writeFileSync(peers, JSON.stringify({ rows: [
      { method: 'bicubic', n: 2, msMedian: 1, quality: { psnr: 1, ssim: 1, niqe: 1 } },
      { method: 'esrgan-slim', n: 2, msMedian: 407, quality: { psnr: 30.27, ssim: 0.823, niqe: 9.45 } },
      { method: 'no-quality', n: 2, msMedian: 5 },
    ] }));
    const r = await cli(['eval-model', '--model', modelDir, '--lq', set.lqDir, '--hr', set.hrDir, '--t-s', '200,800', '--limit', '2', '--comparisons', '1', '--report', report, '--peers', peers, '-q']);
    expect(r.err).toContain('img_lonely');
    expect(r.code).toBe(1); // the unpaired LQ file is reported
    expect(r.out).toMatch(/t_s = 200\s+2\s+\d+\.\d{3}/);
    expect(r.out).toMatch(/t_s = 800\s+2\s+/);
    expect(r.out).toMatch(/bicubic ×4\s+2\s+/);
    const data = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(data.rows.map((x: { tS: number }) => x.tS)).toEqual([200, 800]);
    expect(data.notes.join(' ')).toMatch(/onnxruntime-node/);
    expect(existsSync(join(report, 'index.html'))).toBe(true);
    expect(data.comparisons).toHaveLength(1);
    // peer rows from a benchmark JSON become extra baselines (its own bicubic row is dropped: ours is measured here)
    expect(data.baselines.map((b: { label: string }) => b.label)).toEqual(['bicubic ×4', 'esrgan-slim']);
    expect(r.out).toMatch(/esrgan-slim\s+2\s+30\.270\s+0\.8230\s+9\.450\s+407/);
  });

  it('names usage errors with exit code 2', async () => {
    const bad = await cli(['eval-model', '--model', modelDir, '--lq', set.lqDir, '--hr', set.hrDir, '--t-s', '100,1200']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--t-s: t_s must be an integer in \[0, 999\], got "?1200"?/);
    const missing = await cli(['eval-model', '--model', join(set.root, 'no-model'), '--lq', set.lqDir, '--hr', set.hrDir]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--model: no such file or directory/);
    const lim = await cli(['eval-model', '--model', modelDir, '--lq', set.lqDir, '--hr', set.hrDir, '--limit', 'x']);
    expect(lim.err).toMatch(/--limit must be a non-negative integer, got "x"/);
  });
});
