/**
 * Bounded memory of the tiled, streamed `upscale` path on a large input (default 4000×3000 → 16000×12000), with
 * the pure-JS test double of a model (test/helpers/fake-backend.ts: block-local encoder/UNet/decoder) so that the
 * measurement is about tiling, blending, streaming and writing — not the network's own activations (measured
 * separately by bench/tadsr-infer.ts --part memory with the real tiny model: a constant ~1.3 GB of ORT arenas).
 *
 * Run: node --expose-gc --import tsx bench/tadsr-large-memory.ts [--size 4000x3000] [--tile 128]
 * Prints the peak RSS over the start, the 8-bit output buffer size and the float image size it avoids.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import sharp from 'sharp';
import { upscale } from '../src/graphs/infer.js';
import { Upscaler } from '../src/graphs/upscaler.js';
import { presets } from '../src/models/presets.js';
import { FakeBackend } from '../test/helpers/fake-backend.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const [W, H] = (args.get('size') ?? '4000x3000').split('x').map(Number) as [number, number];
const tile = Number(args.get('tile') ?? 128);
const root = mkdtempSync(join(tmpdir(), 'tadsr-large-'));
const input = join(root, 'big.png');
const raw = Buffer.alloc(W * H * 3);
for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) % 251;
await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png({ compressionLevel: 1 }).toFile(input);
(globalThis as { gc?: () => void }).gc?.();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const manifest = { format: 'tadsr-model' as const, version: 1, spec: presets.tiny, formula: 'ddpm-x0' as const, colorFix: 'adain' as const, defaultTs: 500, textCondition: 'zeros' as const, provenance: {}, files: { unet: '', vae: '' } };
const up = new Upscaler(new FakeBackend(), { manifest });
const t0 = performance.now();
let tiles = 0;
await lastValueFrom(upscale([input], join(root, 'big_x4.png'), { upscaler: up, tile, tS: 500 }).pipe(tap((e) => { if (e.type === 'tile') tiles = e.count; })));
clearInterval(timer);
const out = W * 4 * H * 4 * 3;
console.log(
  `${W}x${H} -> ${W * 4}x${H * 4}, ${tiles} tiles of ${tile} LQ px: ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
    `peak RSS +${((peak - rss0) / 1e6).toFixed(0)} MB over start (input decoded ${((W * H * 12) / 1e6).toFixed(0)} MB float); ` +
    `8-bit output buffer ${(out / 1e6).toFixed(0)} MB; a float output image would be ${((out * 4) / 1e6).toFixed(0)} MB (+ its weight sums)`,
);
