/**
 * `tadsr bench --model realesr-general-x4v3` — time a GAN peer on the ONNX backend: one seeded random LQ image of
 * `size`², one warm-up run, then `repeats` timed runs (median), and the peak process memory meanwhile.
 *
 * ```ts
 * const r = await benchmarkPeer('realesr-general-x4v3', { size: 128, repeats: 3 });
 * console.log(formatPeerBench(r));
 * ```
 */
import { createImage } from '../image.js';
import { ModelDirError } from '../graphs/model-dir.js';
import { KNOWN_PEERS, resolvePeerModel } from './peer-dir.js';
import { PeerUpscaler } from './peer-upscaler.js';

export interface PeerBenchResult {
  readonly model: string;
  readonly runtime: string;
  readonly params: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly msPerImage: number;
  readonly imagesPerSecond: number;
  readonly peakRssMiB: number;
  readonly repeats: number;
}

export async function benchmarkPeer(model: string, o: { readonly size?: number; readonly repeats?: number; readonly tile?: number } = {}): Promise<PeerBenchResult> {
  const dir = resolvePeerModel(model);
  if (dir === undefined) throw new ModelDirError(`--model ${model} is not a GAN peer (known: ${Object.keys(KNOWN_PEERS).join(', ')}, or a folder with peer.json)`);
  const size = o.size ?? 128;
  const repeats = Math.max(1, o.repeats ?? 3);
  const data = new Float32Array(size * size * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s / 2 ** 32;
  }
  const lq = createImage(size, size, data);
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const up = await PeerUpscaler.load(dir);
  try {
    const opts = { tile: o.tile ?? 128 };
    await up.upscale(lq, opts); // warm-up
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await up.upscale(lq, opts);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)]!;
    return {
      model,
      runtime: up.backend.info.runtime,
      params: up.manifest.params,
      inputSize: size,
      outputSize: size * up.scale,
      msPerImage: ms,
      imagesPerSecond: 1000 / ms,
      peakRssMiB: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20,
      repeats,
    };
  } finally {
    clearInterval(sampler);
    await up.dispose();
  }
}

export function formatPeerBench(r: PeerBenchResult): string {
  return [
    `${r.model} (GAN peer, ${(r.params / 1e6).toFixed(2)} M params) at ${r.inputSize}² → ${r.outputSize}², median of ${r.repeats}`,
    `runtime ${r.runtime}: ${r.msPerImage.toFixed(1)} ms/image, ${r.imagesPerSecond.toFixed(3)} images/s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`,
  ].join('\n');
}
