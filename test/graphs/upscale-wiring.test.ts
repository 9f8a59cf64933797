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
 * `upscale --shared-norm` (tiles sharing statistics, `tiledShared`) runs the same per-tile graph, so the same
 * mutants — and mutants of `encode` and `decode`, which the shared path runs unfused — move its output too.
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
  vi.doUnmock('../../src/operators/tiled-shared.js');
  vi.doUnmock('../../src/operators/encode.js');
  vi.doUnmock('../../src/operators/decode.js');
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

describe('upscale --shared-norm runs the same operators (mutants in the operator modules change its output too)', () => {
  const shared = ['--shared-norm'];

  it('goes through tiledShared and the oneStep operator, and differs from tiles on their own', async () => {
    const calls = { oneStep: 0, tiled: 0, tiledShared: 0 };
    vi.doMock('../../src/operators/one-step.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/one-step.js')>();
      return { ...m, oneStep: (...a: Parameters<typeof m.oneStep>) => (calls.oneStep++, m.oneStep(...a)) };
    });
    vi.doMock('../../src/operators/tiled-shared.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/tiled-shared.js')>();
      return { ...m, tiledShared: (...a: Parameters<typeof m.tiledShared>) => (calls.tiledShared++, m.tiledShared(...a)) };
    });
    vi.doMock('../../src/operators/tiled.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/tiled.js')>();
      return { ...m, tiled: (...a: Parameters<typeof m.tiled>) => (calls.tiled++, m.tiled(...a)) };
    });
    const main = await freshMain();
    const own = await upscale(main);
    expect(calls).toEqual({ oneStep: 1, tiled: 1, tiledShared: 0 });
    const sharedOut = await upscale(main, shared);
    expect(calls.tiledShared).toBe(1);
    expect(calls.oneStep).toBeGreaterThanOrEqual(1 + 4); // the per-tile graph of each of the 4 tiles (and of the one-tile fallback)
    expect(maxDiff(own, sharedOut)).toBeGreaterThan(0);
  });

  it('colorFix: a colour fix that ignores its mode makes --shared-norm give the --shared-norm --color-fix none image', async () => {
    const main = await freshMain();
    const plain = await upscale(main, shared);
    const none = await upscale(main, [...shared, '--color-fix', 'none']);
    expect(maxDiff(plain, none)).toBeGreaterThan(8);
    vi.doMock('../../src/operators/color-fix.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/color-fix.js')>();
      return { ...m, colorFix: () => m.colorFix('none') };
    });
    expect(maxDiff(await upscale(await freshMain(), shared), none)).toBe(0);
  });

  it('x0 formula: swapping the formulas in schedule/one-step.ts swaps them under --shared-norm', async () => {
    const main = await freshMain();
    const ddpm = await upscale(main, shared);
    const official = await upscale(main, [...shared, '--formula', 'official']);
    expect(maxDiff(ddpm, official)).toBeGreaterThan(8);
    vi.doMock('../../src/schedule/one-step.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/schedule/one-step.js')>();
      const swap = (f: string) => (f === 'official' ? 'ddpm-x0' : 'official');
      return { ...m, oneStepCoefficients: (f: 'ddpm-x0' | 'official', t: number) => m.oneStepCoefficients(swap(f), t) };
    });
    expect(maxDiff(await upscale(await freshMain(), shared), official)).toBe(0);
  });

  it('encode: an encode operator that ignores its t_s makes --shared-norm give the --t-s 700 image', async () => {
    const main = await freshMain();
    const plain = await upscale(main, [...shared, '--t-s', '200']);
    const at700 = await upscale(main, [...shared, '--t-s', '700']);
    expect(maxDiff(plain, at700)).toBeGreaterThan(8);
    vi.doMock('../../src/operators/encode.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/encode.js')>();
      return { ...m, encode: (b: Parameters<typeof m.encode>[0], f: Parameters<typeof m.encode>[1], o: Parameters<typeof m.encode>[2]) => m.encode(b, f, { ...o, tS: 700 }) };
    });
    expect(maxDiff(await upscale(await freshMain(), [...shared, '--t-s', '200']), at700)).toBe(0);
  });

  it('decode: a decode operator that inverts its output changes --shared-norm', async () => {
    const main = await freshMain();
    const plain = await upscale(main, [...shared, '--color-fix', 'none']);
    vi.doMock('../../src/operators/decode.js', async (importOriginal) => {
      const m = await importOriginal<typeof import('../../src/operators/decode.js')>();
      const { map } = await import('rxjs');
      const { createImage } = await import('../../src/image.js');
      const invert = <T,>(t: T): T => {
        const f = t as { kind?: string; sr?: { width: number; height: number; data: Float32Array } };
        return f.kind === 'frame-error' || f.sr === undefined ? t : ({ ...f, sr: createImage(f.sr.width, f.sr.height, f.sr.data.map((v) => 1 - v)) } as T);
      };
      return { ...m, decode: (...a: Parameters<typeof m.decode>) => (src: Parameters<ReturnType<typeof m.decode>>[0]) => m.decode(...a)(src).pipe(map(invert)) };
    });
    const mutant = await upscale(await freshMain(), [...shared, '--color-fix', 'none']);
    let inverted = 0; // the mutant's output is the plain output turned negative
    for (let i = 0; i < plain.length; i++) inverted = Math.max(inverted, Math.abs(255 - plain[i]! - mutant[i]!));
    expect(maxDiff(plain, mutant)).toBeGreaterThan(8);
    expect(inverted).toBeLessThanOrEqual(1);
  });
});
