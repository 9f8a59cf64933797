/**
 * Nothing a user owns is lost: every refused case exits with its code and message and leaves every file the user
 * had byte-identical (a snapshot of the whole folder before and after).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initModelDir, readModelDir, writeModelDir } from '../../src/graphs/model-dir.js';
import { checkTileMemory, defaultMaxPixels, estimateUpscaleSeconds, planUpscale, tileMemoryBytes } from '../../src/graphs/upscale-plan.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { runCli, snapshot } from '../helpers/cli-run.js';

let root: string;
let model: string;
const png = (path: string, w: number, h: number, g: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 120, g, b: 30 } } }).png().toFile(path);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-safe-'));
  model = join(root, 'model');
  await initModelDir(model, 'tiny', { seed: 1 });
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh folder with a/x.png, b/x.png (same name, other content) and a user note. */
async function userFolder(): Promise<string> {
  const d = mkdtempSync(join(root, 'user-'));
  mkdirSync(join(d, 'a'));
  mkdirSync(join(d, 'b'));
  await png(join(d, 'a', 'x.png'), 12, 10, 40);
  await png(join(d, 'b', 'x.png'), 12, 10, 200);
  writeFileSync(join(d, 'a', 'notes.txt'), 'mine\n');
  return d;
}

describe('model folders are written only if new, empty or a tadsr model', () => {
  it('init-model into a folder of user files: exit 2, the files untouched', async () => {
    const d = mkdtempSync(join(root, 'm-'));
    writeFileSync(join(d, 'README.txt'), 'my notes');
    mkdirSync(join(d, 'photos'));
    writeFileSync(join(d, 'photos', 'p.jpg'), 'jpeg bytes');
    const before = snapshot(d);
    const r = await runCli(['init-model', '--preset', 'tiny', '--out', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr init-model: refusing to write a model into .*not empty and not a tadsr model folder \(it holds README\.txt, photos\)/);
    expect(snapshot(d)).toEqual(before);
  });

  it('over a tadsr model: replaced, and a user file inside it is kept byte-identical; no temp files left', async () => {
    const d = join(mkdtempSync(join(root, 'm-')), 'model');
    await initModelDir(d, 'tiny', { seed: 1 });
    writeFileSync(join(d, 'README.txt'), 'how I trained it');
    const oldUnet = readFileSync(join(d, 'unet.safetensors'));
    const r = await runCli(['init-model', '--preset', 'tiny', '--out', d, '--seed', '2']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 'README.txt'), 'utf8')).toBe('how I trained it');
    expect(readFileSync(join(d, 'unet.safetensors')).equals(oldUnet)).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['README.txt', 'model.json', 'teacher-unet.safetensors', 'unet.safetensors', 'vae.safetensors']);
    expect((await readModelDir(d)).manifest.provenance['seed']).toBe(2);
  });

  it('a write that fails part-way leaves the previous model whole', async () => {
    const d = join(mkdtempSync(join(root, 'm-')), 'model');
    await initModelDir(d, 'tiny', { seed: 1 });
    const before = snapshot(d);
    const w = initParams(presets.tiny, 5);
    // a tensor whose data does not match its shape makes the second file's writer throw
    const vae = new Map(w.vae);
    const [k, t] = [...vae][0]!;
    vae.set(k, { shape: [...t.shape, 2], data: t.data });
    await expect(writeModelDir(d, presets.tiny, { unet: w.unet, vae })).rejects.toThrow();
    expect(snapshot(d)).toEqual(before);
  });

  it('a file where the folder should be: refused', async () => {
    const f = join(mkdtempSync(join(root, 'm-')), 'file');
    writeFileSync(f, 'x');
    const r = await runCli(['init-model', '--preset', 'tiny', '--out', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr init-model: cannot write a model to .*: it is a file/);
    expect(readFileSync(f, 'utf8')).toBe('x');
  });
});

describe('tadsr upscale never overwrites what it was not asked to', () => {
  const up = (...args: string[]) => runCli(['upscale', ...args, '--model', model, '--quiet']);

  it('a folder onto itself: exit 2, originals byte-identical', async () => {
    const d = await userFolder();
    const before = snapshot(d);
    const r = await up(join(d, 'a'), '-o', join(d, 'a'), '--overwrite');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr upscale: output .*a\/x\.png is the input .*a\/x\.png: writing it would destroy the original/);
    expect(snapshot(d)).toEqual(before);
  });

  it('a file onto itself (through another spelling of the path): exit 2', async () => {
    const d = await userFolder();
    const before = snapshot(d);
    const r = await up(join(d, 'a', 'x.png'), '-o', join(d, 'b', '..', 'a', 'x.png'), '--overwrite');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is the input/);
    expect(snapshot(d)).toEqual(before);
  });

  it('two inputs with the same name into one folder: exit 2, nothing written', async () => {
    const d = await userFolder();
    const before = snapshot(d);
    const r = await up(join(d, 'a', 'x.png'), join(d, 'b', 'x.png'), '-o', join(d, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a\/x\.png and .*b\/x\.png would both be written to .*out\/x\.png/);
    expect(snapshot(d)).toEqual(before);
  });

  it('-o with a non-image name for one file: exit 2, no folder of that name', async () => {
    const d = await userFolder();
    const before = snapshot(d);
    const r = await up(join(d, 'a', 'x.png'), '-o', join(d, 'out.txt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-o .*out\.txt: "\.txt" is not an image type tadsr writes/);
    expect(snapshot(d)).toEqual(before);
  });

  it('-o x.png writes that file; an existing output needs --overwrite', async () => {
    const d = await userFolder();
    const out = join(d, 'y.png');
    expect((await up(join(d, 'a', 'x.png'), '-o', out)).code).toBe(0);
    expect((await sharp(out).metadata()).width).toBe(48);
    writeFileSync(out, 'precious');
    const before = snapshot(d);
    const r = await up(join(d, 'a', 'x.png'), '-o', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr upscale: 1 output file\(s\) already exist: .*y\.png; pass --overwrite to replace them/);
    expect(snapshot(d)).toEqual(before);
    expect((await up(join(d, 'a', 'x.png'), '-o', out, '--overwrite')).code).toBe(0);
    expect((await sharp(out).metadata()).width).toBe(48);
  });

  it('an output that cannot be written is refused before the model loads', async () => {
    const d = await userFolder();
    const r = await runCli(['upscale', join(d, 'a'), '-o', '/proc/tadsr-out', '--model', '/nonexistent/model']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr upscale: cannot write output \/proc\/tadsr-out: /);
    const f = join(d, 'a', 'notes.txt');
    const r2 = await runCli(['upscale', join(d, 'a', 'x.png'), '-o', join(f, 'sub'), '--model', '/nonexistent/model']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/notes\.txt is a file, not a folder/);
  });

  it('a FIFO among the inputs is skipped and reported (never opened: it would block), exit 1', async () => {
    const d = await userFolder();
    execFileSync('mkfifo', [join(d, 'a', 'pipe.png')]);
    const r = await runCli(['upscale', join(d, 'a'), '-o', join(d, 'out'), '--model', model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tadsr upscale: skipped .*pipe\.png: not a regular file \(a FIFO\)/);
    // no terminal: one line per image, numbered against the total
    expect(r.stderr).toMatch(/^2 image\(s\) on .*\n\[2\/2\] .*out\/x\.png \(48x40, \d+ ms\)\n/m);
    expect(r.stderr).toMatch(/^1 written, 1 failed$/m);
    expect(readdirSync(join(d, 'out'))).toEqual(['x.png']);
  });
});

describe('EXIF orientation', () => {
  it('upscale honours it: a 12x10 JPEG stored with orientation 6 (shown 10x12) gives a 40x48 output', async () => {
    const d = mkdtempSync(join(root, 'exif-'));
    const src = join(d, 'rot.jpg');
    await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 200, g: 20, b: 20 } } }).jpeg().withMetadata({ orientation: 6 }).toFile(src);
    expect((await sharp(src).metadata()).orientation).toBe(6);
    const out = join(d, 'sr.png');
    expect((await up2(src, '-o', out)).code).toBe(0);
    const m = await sharp(out).metadata();
    expect([m.width, m.height]).toEqual([40, 48]);
  });
});

describe('degrade with a FIFO among its inputs', () => {
  it('reports it and goes on (it would block a read forever), exit 1', async () => {
    const d = mkdtempSync(join(root, 'deg-'));
    mkdirSync(join(d, 'in'));
    await png(join(d, 'in', 'a.png'), 40, 40, 80);
    execFileSync('mkfifo', [join(d, 'in', 'b.png')]);
    const r = await runCli(['degrade', '--in', join(d, 'in'), '--out', join(d, 'out'), '--size', '32', '--workers', '1', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/b\.png: not a regular file \(a FIFO\)/);
    expect(readdirSync(join(d, 'out', 'hq'))).toEqual(['a.png']);
  });
});

describe('budgets', () => {
  it('an image over --max-pixels fails from its header, with the estimated time; the others are written', async () => {
    const d = await userFolder();
    await png(join(d, 'a', 'big.png'), 40, 30, 90);
    const r = await up2(join(d, 'a'), '-o', join(d, 'out'), '--max-pixels', '500');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/skipped .*big\.png: image is 40x30 \(1200 pixels\), over the budget of 500 pixels \(--max-pixels 500\): the ×4 output would take ~\d+ s .*pass --max-pixels 1200/);
    expect(readdirSync(join(d, 'out'))).toEqual(['x.png']);
  });

  it('a tile too large for this machine is refused before allocating', async () => {
    const d = await userFolder();
    const r = await up2(join(d, 'a'), '-o', join(d, 'out'), '--tile', '4096');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr upscale: --tile 4096 needs about [\d.]+ GiB .* use --tile \d+ or less/);
    expect(existsSync(join(d, 'out'))).toBe(false);
    const r2 = await runCli(['bench', '--preset', 'small', '--size', '4096']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/^tadsr bench: --size 4096 needs about/);
  });

  it('the estimates grow as they should', () => {
    const spec = presets.small;
    expect(tileMemoryBytes(spec, 256)).toBeGreaterThan(4 * tileMemoryBytes(spec, 128));
    expect(() => checkTileMemory(spec, 128, 8 * 2 ** 30)).not.toThrow();
    expect(() => checkTileMemory(spec, 1024, 8 * 2 ** 30)).toThrow(/use --tile \d+ or less/);
    const t1 = estimateUpscaleSeconds(spec, 128, 128);
    const t4 = estimateUpscaleSeconds(spec, 512, 512);
    expect(t4).toBeGreaterThan(16 * t1 * 0.9);
    expect(defaultMaxPixels(8 * 2 ** 30)).toBe(Math.floor((8 * 2 ** 30) / 512));
  });

  it('planUpscale pairs inputs and outputs as documented', async () => {
    const d = await userFolder();
    expect(planUpscale([join(d, 'a', 'x.png')], join(d, 'o.webp')).jobs).toEqual([{ path: join(d, 'a', 'x.png'), out: join(d, 'o.webp') }]);
    expect(planUpscale([join(d, 'a', 'x.png')], join(d, 'o')).jobs).toEqual([{ path: join(d, 'a', 'x.png'), out: join(d, 'o', 'x.png') }]);
    expect(planUpscale([join(d, 'a')], join(d, 'o')).jobs.map((j) => j.out)).toEqual([join(d, 'o', 'x.png')]);
  });
});

function up2(...args: string[]) {
  return runCli(['upscale', ...args, '--model', model, '--quiet']);
}
