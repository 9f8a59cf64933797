/**
 * `tadsr upscale --shared-norm`, as a user runs it (the built CLI, `bin/tadsr.js`, in a child process): tiles that
 * share GroupNorm, attention and colour statistics give the image that the whole input run as one tile gives, to
 * ≥ 45 dB; tiles on their own (no flag) do not. The shipped `models/default` (ONNX backend, CPU; AdaIN colour fix),
 * a 96×80 input cut into 2×2 tiles at `--tile 64 --overlap 16` (measured: 56.9 dB shared, 43.9 dB on their own).
 *
 * Not the untrained `tiny` model of the wiring tests: its random networks see far past a tile's border (their
 * receptive field is not local, as a trained one's is), so even shared statistics leave it at 16–28 dB
 * (measured at 24/8 to 48/16 tiles); what the statistics add there is tested in test/graphs/upscale-wiring.test.ts.
 * Needs `npm run build` (`npm test` runs it first).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/graphs/model-dir.js';
import { planTiles } from '../../src/tiling/plan.js';

const run = promisify(execFile);
const bin = new URL('../../bin/tadsr.js', import.meta.url).pathname;
const built = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const W = 96;
const H = 80;
const repoModel = new URL('../../models/default', import.meta.url).pathname;

let root: string;
const model = repoModel;
let input: string;

beforeAll(async () => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
  root = mkdtempSync(join(tmpdir(), 'tadsr-shared-norm-cli-'));
  input = join(root, 'in.png');
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const disc = (x - 18) ** 2 + (y - 20) ** 2 < 81;
      const v = 90 + 60 * Math.sin(x / 7) * Math.cos(y / 9) + (disc ? 70 : 0);
      px.set([v + 20, v, disc ? 40 : v - 15].map((c) => Math.max(0, Math.min(255, Math.round(c)))), (y * W + x) * 3);
    }
  }
  await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(input);
});
afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

/** `node bin/tadsr.js upscale` of the test image with `args`: the output's raw RGB bytes. */
async function upscale(name: string, args: string[]): Promise<Buffer> {
  const out = join(root, `${name}.png`);
  await run(process.execPath, [bin, 'upscale', input, '-o', out, '--model', model, '--backend', 'onnx', '--device', 'cpu', '--quiet', ...args], { timeout: 240_000 });
  const { data, info } = await sharp(readFileSync(out)).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([W * 4, H * 4, 3]);
  return data;
}

/** PSNR (dB) of two 8-bit images. */
function psnr8(a: Buffer, b: Buffer): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}

describe('tadsr upscale --shared-norm (the built CLI)', () => {
  it('tiles sharing statistics give the whole-image output (≥ 45 dB); tiles on their own do not', async () => {
    expect((await readManifest(model)).colorFix).toBe('adain'); // the colour fix's statistics are shared too
    expect(planTiles(W, H, { tile: 64, overlap: 16 }).tiles.length).toBe(4);
    const tiles = ['--tile', '64', '--overlap', '16'];
    const whole = await upscale('whole', ['--tile', String(W)]);
    const shared = await upscale('shared', [...tiles, '--shared-norm']);
    const own = await upscale('own', tiles);
    const pShared = psnr8(shared, whole);
    const pOwn = psnr8(own, whole);
    const msg = `shared ${pShared.toFixed(2)} dB, on their own ${pOwn.toFixed(2)} dB`;
    expect(pShared, msg).toBeGreaterThanOrEqual(45);
    expect(pOwn, msg).toBeLessThan(pShared - 6);
  }, 600_000);
});
