/**
 * The tadsr rows of the peer benchmarks: a model directory (or a GAN peer name: realesr-general-x4v3,
 * realesrgan-x4plus) run by the code behind `tadsr upscale` (`loadUpscaler`) — whole 128² images, and a large
 * input tiled with Gaussian blending.
 */
import type { RgbImage } from '../src/image.js';
import { type ImageUpscaler, loadUpscaler } from '../src/peers/load-upscaler.js';

export interface TadsrPeer {
  readonly loadMs: number;
  /** What ran it and how the large input is tiled, for the table. */
  readonly runtime: string;
  readonly tiling: string;
  upscale(lq: RgbImage): Promise<RgbImage>;
  upscaleTiled(lq: RgbImage): Promise<RgbImage>;
  dispose(): Promise<void>;
}

/** Load the model in `dir` (default backend: onnx); `{ skipped }` with the reason when it cannot be loaded. */
export async function loadTadsrPeer(
  dir: string,
  tS: number,
  opts: { backend?: string; tile?: number; overlap?: number } = {},
): Promise<TadsrPeer | { skipped: string }> {
  const t0 = performance.now();
  let up: ImageUpscaler;
  try {
    up = await loadUpscaler(dir, opts.backend ? { backend: opts.backend } : {});
  } catch (err) {
    return { skipped: `cannot load ${dir}: ${(err as Error).message.split('\n')[0]}` };
  }
  const loadMs = performance.now() - t0;
  const tile = opts.tile ?? 128;
  const overlap = opts.overlap ?? 32;
  return {
    loadMs,
    get runtime() {
      return up.backend.info.runtime;
    },
    tiling: `tile ${tile}, overlap ${overlap}`,
    upscale: (lq) => up.upscale(lq, { tS, id: 'bench' }),
    upscaleTiled: (lq) => up.upscale(lq, { tS, tile, overlap, id: 'bench' }),
    dispose: () => up.dispose(),
  };
}
