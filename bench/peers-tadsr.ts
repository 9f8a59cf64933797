/**
 * The tadsr row of the peer benchmarks: `tadsr upscale` with a model directory, whole 128² images and a tiled
 * 1024×768 input. Resolved lazily from the inference graph so the peer benchmark runs before a model exists.
 */
import type { RgbImage } from '../src/image.js';

export interface TadsrPeer {
  readonly loadMs: number;
  /** How the large input is tiled, for the table. */
  readonly tiling: string;
  upscale(lq: RgbImage): Promise<RgbImage>;
  upscaleTiled(lq: RgbImage): Promise<RgbImage>;
}

/** Load the model in `dir` through `src/graphs/infer`; `{ skipped }` (with the reason) when it cannot. */
export async function loadTadsrPeer(dir: string, tS: number): Promise<TadsrPeer | { skipped: string }> {
  const modulePath = '../src/graphs/infer.js';
  let m: Record<string, unknown>;
  try {
    m = (await import(modulePath)) as Record<string, unknown>;
  } catch (err) {
    return { skipped: `src/graphs/infer not available: ${(err as Error).message.split('\n')[0]}` };
  }
  void dir;
  void tS;
  return { skipped: `src/graphs/infer exports ${Object.keys(m).join(', ')}; adapter not wired yet` };
}
