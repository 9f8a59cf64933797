/**
 * A converted GAN peer (see {@link peer-dir}) as an upscaler with the same surface as the TADSR
 * {@link Upscaler}: `upscaleRows` / `upscale` over images of any size, tiled with the same Gaussian-blended
 * tiles (`src/tiling`), run on ONNX Runtime through the ONNX backend's session worker. The peer is a
 * feed-forward GAN: t_s, colour fix, formula and seed do not apply and are ignored.
 *
 * ```ts
 * const up = await PeerUpscaler.load(resolvePeerModel('realesr-general-x4v3')!);
 * const sr = await up.upscale(lq);
 * await up.dispose();
 * ```
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { BackendInfo } from '../backends/backend.js';
import { defaultProviders } from '../backends/onnx/onnx-backend.js';
import { SessionHost } from '../backends/onnx/session-host.js';
import type { ExecutionProvider } from '../backends/onnx/session-protocol.js';
import type { UpscaleImageOptions } from '../graphs/upscaler.js';
import { type RgbImage, createImage } from '../image.js';
import { mergeMapFrames } from '../operators/frame-operator.js';
import { type Tiled, cropToTile } from '../operators/tile.js';
import { collectRows, runFrame, tiled } from '../operators/tiled.js';
import type { RowSink } from '../tiling/blend-accumulator.js';
import { type PeerManifest, readPeerManifest } from './peer-dir.js';

/** LQ pixels of context read around each tile and cropped away after (Real-ESRGAN's `tile_pad` default). */
export const PEER_TILE_PAD = 10;

export interface PeerLoadOptions {
  /** Only `onnx` runs peers. */
  readonly backend?: string;
  readonly threads?: number;
  readonly providers?: readonly ExecutionProvider[];
}

export class PeerUpscaler {
  /** GAN peers have no timestep: t_s (and colour fix, formula, seed) are ignored. */
  readonly ignoresTs = true;
  readonly scale: number;
  private lastInfo: BackendInfo;

  private constructor(
    readonly dir: string,
    readonly manifest: PeerManifest,
    private readonly host: SessionHost,
    runtime: string,
  ) {
    this.scale = manifest.scale;
    this.lastInfo = { name: 'onnx', runtime };
  }

  /** The backend that runs the peer (for the `backend.info.runtime` the reports print). */
  get backend(): { readonly info: BackendInfo } {
    return { info: this.lastInfo };
  }

  static async load(dir: string, opts: PeerLoadOptions = {}): Promise<PeerUpscaler> {
    if (opts.backend !== undefined && opts.backend !== 'onnx') throw new Error(`unknown backend "${opts.backend}" for the GAN peer in ${dir}: peers run on onnx only`);
    const manifest = await readPeerManifest(dir);
    const providers = opts.providers ?? defaultProviders();
    const threads = opts.threads ?? availableParallelism();
    const host = new SessionHost();
    try {
      const r = await host.create('peer', { kind: 'path', path: join(dir, manifest.files.onnx) }, providers, threads);
      const version = (ort as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? '';
      const runtime = `onnxruntime-node ${version} ${r.provider}${r.provider === 'cpu' ? ` (${threads} threads)` : ''}`;
      return new PeerUpscaler(dir, manifest, host, runtime);
    } catch (err) {
      await host.terminate();
      throw err;
    }
  }

  /** Run the net on one whole image (no tiling, no 8-bit rounding): RGB [0,1] in, ×scale out, clamped to [0,1]. */
  async run(img: RgbImage): Promise<RgbImage> {
    const { width: w, height: h } = img;
    const plane = w * h;
    const x = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) {
      x[i] = img.data[3 * i]!;
      x[plane + i] = img.data[3 * i + 1]!;
      x[2 * plane + i] = img.data[3 * i + 2]!;
    }
    const { outputs } = await this.host.run('peer', { data: { shape: [1, 3, h, w], data: x } });
    const y = outputs['output'];
    const W = w * this.scale;
    const H = h * this.scale;
    if (!y || y.shape[2] !== H || y.shape[3] !== W) throw new Error(`peer ${this.manifest.name}: output shape [${y?.shape.join(', ')}], expected [1, 3, ${H}, ${W}]`);
    const P = W * H;
    const out = new Float32Array(3 * P);
    for (let i = 0; i < P; i++) {
      for (let c = 0; c < 3; c++) {
        const v = y.data[c * P + i]!;
        out[3 * i + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
    return createImage(W, H, out);
  }

  /**
   * Stream the output rows of an image of any size (tiles with {@link PEER_TILE_PAD} context, blended) to `sink`,
   * quantised to 8 bits as Real-ESRGAN's last step does (`round(255·clamp(y))`): the peer's own output, which the
   * published scores measure (NIQE moves by ~0.05 on DRealSR without it).
   */
  async upscaleRows(lq: RgbImage, opts: UpscaleImageOptions, sink: RowSink): Promise<void> {
    const tile = opts.tile ?? 128;
    const overlap = opts.overlap ?? Math.min(32, Math.floor(tile / 4));
    const s = this.scale;
    // the same tile loop as TADSR's upscale graph (`tiled`): each tile read with PEER_TILE_PAD context, the net's
    // output cropped back to the tile
    const perTile = mergeMapFrames('peer', async (t: Tiled<{ id: string; lq: RgbImage }>) => {
      const sr = cropToTile(await this.run(t.lq), t, s);
      opts.onTile?.(t.tile.index, t.tile.count);
      return { ...t, sr };
    });
    const rows = (): RowSink => (y, row) => {
      for (let i = 0; i < row.length; i++) row[i] = Math.round(row[i]! * 255) / 255;
      sink(y, row);
    };
    await runFrame({ id: opts.id ?? 'image', lq }, tiled({ tile, overlap, margin: PEER_TILE_PAD, rows }, perTile));
  }

  /** Upscale a whole image into memory. */
  async upscale(lq: RgbImage, opts: UpscaleImageOptions = {}): Promise<RgbImage> {
    return collectRows(lq.width * this.scale, lq.height * this.scale, (sink) => this.upscaleRows(lq, opts, sink));
  }

  async dispose(): Promise<void> {
    await this.host.terminate();
  }
}
