/**
 * Tests that catch wiring: `tadsr upscale`, `tadsr eval-model` and `tadsr bench` run the operators of src/operators.
 * Each mutant replaces one operator-level piece in its module (vi.doMock, then the CLI is imported afresh) and the
 * CLI's output must change the way the mutant dictates:
 *
 * - `colorFix` that ignores its mode → `upscale` gives exactly the `--color-fix none` image (and eval-model's PSNR moves);
 * - the two one-step formulas swapped in `schedule/one-step.ts` → `upscale` gives the `--formula official` image,
 *   on the fused ONNX graph (posterior mean) and on encode → denoise → decode (`--seed`);
 * - `oneStep` and `tiled` wrapped by counters → every command goes through them.
 *
 * An untrained `tiny` model on the ONNX backend (CPU), a 40×28 input (two tiles at `--tile 24 --overlap 8`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { type PairedSet, makePairedSet } from './eval-model-fixture.js';

let root: string;
let model: string;
let input: string;
let set: PairedSet;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-wiring-'));
  model = join(root, 'tiny');
  await initModelDir(model, 'tiny', { seed: 3 });
  input = join(root, 'in.png');
  const w = 40;
  const h = 28;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = Math.round(128 + 90 * Math.sin(i / 17) * Math.cos(i / 211));
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(input);
  set = await makePairedSet();
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(set.root, { recursive: true, force: true });
});
afterEach(() => {
  vi.doUnmock('../../src/operators/color-fix.js');
  vi.doUnmock('../../src/schedule/one-step.js');
  vi.doUnmock('../../src/operators/one-step.js');
  vi.doUnmock('../../src/operators/tiled.js');
  vi.restoreAllMocks();
});

type Main = (argv: string[]) => Promise<number>;

/** The CLI's `main`, imported afresh (after any `vi.doMock`). */
async function freshMain(): Promise<Main> {
  vi.resetModules();
  return ((await import('../../src/cli/main.js')) as { main: Main }).main;
}

async function cli(main: Main, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const before = process.exitCode;
  try {
    return { code: await main(['node', 'tadsr', ...args]), out, err };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = before;
  }
}

let runs = 0;
/** `tadsr upscale` of the test image with `args`; the output's raw RGB bytes. */
async function upscale(main: Main, args: string[] = []): Promise<Buffer> {
  const out = join(root, `out-${runs++}.png`);
  const r = await cli(main, ['upscale', input, '-o', out, '--model', model, '--backend', 'onnx', '--device', 'cpu', '--tile', '24', '--overlap', '8', '--quiet', ...args]);
  expect(r.code, r.err).toBe(0);
  return sharp(readFileSync(out)).raw().toBuffer();
}

function maxDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('the CLI runs the operators (mutants in the operator modules change its output)', () => {
  it('colorFix: a colour fix that ignores its mode makes `upscale` give the --color-fix none image; eval-model moves', async () => {
    const main = await freshMain();
    const plain = await upscale(main);
    const none = await upscale(main, ['--color-fix', 'none']);
    expect(maxDiff(plain, none)).toBeGreaterThan(8); // the fix matters on this model
    const evalArgs = ['eval-model', '--model', model, '--lq', set.lqDir, '--hr', set.hrDir, '--t-s', '500', '--limit', '1', '--device', 'cpu', '--json', '-q'];
    const psnr = (out: string) => (JSON.parse(out) as { rows: { psnr: number }[] }).rows[0]!.psnr;
    const evalPlain = psnr((await cli(main, evalArgs)).out);

    vi.doMock('../../src/operators/color-fix.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/color-fix.js')>();
      return { ...m, colorFix: () => m.colorFix('none') };
    });
    const mutant = await freshMain();
    expect(maxDiff(await upscale(mutant), none)).toBe(0);
    const evalMutant = psnr((await cli(mutant, evalArgs)).out);
    expect(Number.isFinite(evalMutant)).toBe(true);
    expect(Math.abs(evalMutant - evalPlain)).toBeGreaterThan(1e-3);
  });

  it('x0 formula: swapping the formulas in schedule/one-step.ts swaps them in `upscale`, fused graph and --seed path alike', async () => {
    const main = await freshMain();
    const ddpm = await upscale(main);
    const official = await upscale(main, ['--formula', 'official']);
    const seeded = await upscale(main, ['--seed', '5']);
    const seededOfficial = await upscale(main, ['--seed', '5', '--formula', 'official']);
    expect(maxDiff(ddpm, official)).toBeGreaterThan(8);
    expect(maxDiff(seeded, seededOfficial)).toBeGreaterThan(8);

    vi.doMock('../../src/schedule/one-step.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/schedule/one-step.js')>();
      const swap = (f: string) => (f === 'official' ? 'ddpm-x0' : 'official');
      return { ...m, oneStepCoefficients: (f: 'ddpm-x0' | 'official', t: number) => m.oneStepCoefficients(swap(f), t) };
    });
    const mutant = await freshMain();
    expect(maxDiff(await upscale(mutant), official)).toBe(0);
    expect(maxDiff(await upscale(mutant, ['--seed', '5']), seededOfficial)).toBe(0);
  });

  it('upscale, eval-model and bench all go through the oneStep operator, and upscale through the tiled loop', async () => {
    const calls = { oneStep: 0, tiled: 0 };
    vi.doMock('../../src/operators/one-step.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/one-step.js')>();
      return { ...m, oneStep: (...a: Parameters<typeof m.oneStep>) => (calls.oneStep++, m.oneStep(...a)) };
    });
    vi.doMock('../../src/operators/tiled.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/tiled.js')>();
      return { ...m, tiled: (...a: Parameters<typeof m.tiled>) => (calls.tiled++, m.tiled(...a)) };
    });
    const main = await freshMain();
    await upscale(main);
    expect(calls).toEqual({ oneStep: 1, tiled: 1 });
    const ev = await cli(main, ['eval-model', '--model', model, '--lq', set.lqDir, '--hr', set.hrDir, '--t-s', '300,700', '--limit', '1', '--device', 'cpu', '--json', '-q']);
    expect(ev.code, ev.err).toBe(1); // the fixture's unpaired file
    expect(calls.oneStep).toBe(3); // one graph per (image, t_s)
    const b = await cli(main, ['bench', '--preset', 'tiny', '--size', '16', '--backends', 'onnx:cpu', '--repeats', '1', '--json', '--quiet']);
    expect(b.code, b.err).toBe(0);
    expect(calls.oneStep).toBe(5); // warm-up + 1 timed run
  });
});
