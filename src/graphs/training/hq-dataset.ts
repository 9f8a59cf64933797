/**
 * Training samples from a folder of HQ images: a seeded order per epoch (so a resumed run sees the same data in
 * the same order), decoded on demand, degraded on the fly (Real-ESRGAN second order, or plain bicubic ×1/4 for a
 * fraction of samples as the official code), each sample's randomness a function of (seed, sample index) only.
 * Unreadable files are skipped with a warning (the run goes on) and remembered.
 *
 * ```ts
 * const ds = await HqDataset.open({ dir: 'hq/', patch: 64, seed: 0 });
 * const { hq, lq } = await ds.sample(17);
 * ```
 */
import { type DegradationConfig, parseDegradationConfig } from '../../degradation/config.js';
import { degradeImage } from '../../degradation/pipeline.js';
import { cropPlanes, flipHorizontal, fromPlanes, padBottomRightReflect101, toPlanes } from '../../degradation/planes.js';
import { resizePlanes } from '../../degradation/resize.js';
import { Rng } from '../../random/rng.js';
import type { RgbImage } from '../../image.js';
import { readImageFile } from '../../io/read-image-file.js';
import { ConfigError } from '../config-json.js';
import { idFromPath, resolveImagePaths } from '../../io/list-images.js';

export interface HqDatasetOptions {
  readonly dir: string;
  readonly patch: number;
  readonly seed: number;
  readonly bicubicFraction?: number;
  readonly degradation?: Record<string, unknown>;
  readonly limit?: number;
}

export interface Sample {
  readonly id: string;
  readonly hq: RgbImage;
  readonly lq: RgbImage;
  readonly bicubic: boolean;
}

export class HqDataset {
  readonly skipped = new Map<string, string>();
  private readonly orders = new Map<number, number[]>();

  private constructor(
    readonly paths: readonly string[],
    private readonly opts: HqDatasetOptions,
    private readonly cfg: DegradationConfig,
  ) {}

  /** List the folder and validate the degradation config (usage errors throw here). */
  static async open(opts: HqDatasetOptions): Promise<HqDataset> {
    let paths: string[];
    try {
      paths = resolveImagePaths(opts.dir);
    } catch (err) {
      throw new ConfigError(`data.hq: ${(err as Error).message}`);
    }
    if (opts.limit) paths = paths.slice(0, opts.limit);
    if (paths.length === 0) throw new ConfigError(`data.hq: no images in ${opts.dir} (extensions .png .jpg .jpeg .webp .tif .bmp)`);
    const cfg = parseDegradationConfig({ ...opts.degradation, gt_size: opts.patch, scale: 4 }, 'data.degradation');
    return new HqDataset(paths, opts, cfg);
  }

  /** Index of the file used for sample `k` (epoch-wise seeded permutation). */
  fileIndex(k: number): number {
    const n = this.paths.length;
    const epoch = Math.floor(k / n);
    let order = this.orders.get(epoch);
    if (!order) {
      order = Array.from({ length: n }, (_, i) => i);
      const rng = Rng.forImage(this.opts.seed, `epoch-${epoch}`, 'order');
      for (let i = n - 1; i > 0; i--) {
        const j = rng.randint(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      this.orders.clear();
      this.orders.set(epoch, order);
    }
    return order[k % n]!;
  }

  /**
   * The image for index `k` and its id: skips unreadable files (trying the next index, remembering the failure),
   * so it always returns an image or throws if none is readable.
   */
  private async readImage(k: number): Promise<{ readonly id: string; readonly img: RgbImage }> {
    for (let attempt = 0; attempt < this.paths.length; attempt++) {
      const path = this.paths[this.fileIndex(k + attempt)]!;
      if (this.skipped.has(path)) continue;
      try {
        return { id: `${idFromPath(path)}#${k}`, img: await readImageFile(path) };
      } catch (err) {
        this.skipped.set(path, (err as Error).message);
      }
    }
    throw new Error(`none of the ${this.paths.length} images in ${this.opts.dir} could be read`);
  }

  /** A plain HQ crop (`patch`², random position and h-flip seeded by (seed, k)) for teacher pre-training. */
  async crop(k: number): Promise<{ readonly id: string; readonly hq: RgbImage }> {
    const { id, img } = await this.readImage(k);
    const rng = Rng.forImage(this.opts.seed, id, 'crop');
    const size = this.opts.patch;
    let p = padBottomRightReflect101(toPlanes(img), size, size);
    if (rng.random() < 0.5) p = flipHorizontal(p);
    const top = rng.randint(0, p.height - size);
    const left = rng.randint(0, p.width - size);
    return { id, hq: fromPlanes(cropPlanes(p, left, top, size, size), img.bitDepth) };
  }

  /** Sample `k`: skips unreadable files (trying the next index), so always returns a sample or throws if none is readable. */
  async sample(k: number): Promise<Sample> {
    const { id, img } = await this.readImage(k);
    const { hq, lq } = await degradeImage(img, this.cfg, this.opts.seed, id);
    const bicubic = Rng.forImage(this.opts.seed, id, 'bicubic-lq').random() < (this.opts.bicubicFraction ?? 0);
    if (bicubic) {
      const p = resizePlanes(toPlanes(hq), hq.width / 4, hq.height / 4, 'bicubic');
      return { id, hq, lq: fromPlanes(p, 8), bicubic };
    }
    return { id, hq, lq, bicubic };
  }
}
