/**
 * UpscalerJS (ESRGAN slim / medium / thick, from npm) in Node without tfjs-node: the browser UMD bundle
 * (`upscaler/dist/browser/umd/upscaler.js`) on `@tensorflow/tfjs` with the WASM backend, and the model's
 * `model.json` + weight shards read from its npm package through a `file://` load router registered on `tf.io`
 * (the package's ESM entry fails on directory imports in Node, and its default model path is a CDN URL).
 *
 * ```ts
 * const peer = await loadUpscalerJsPeer('esrgan-slim');
 * const sr = await peer.upscale(lq);                          // whole image in one pass
 * const big = await peer.upscale(photo, { patchSize: 128, padding: 8 }); // tiled by UpscalerJS
 * peer.dispose();
 * ```
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createImage, type RgbImage } from '../src/image.js';

const require = createRequire(import.meta.url);

export type UpscalerJsModelName = 'esrgan-slim' | 'esrgan-medium' | 'esrgan-thick';
export const UPSCALERJS_MODELS: readonly UpscalerJsModelName[] = ['esrgan-slim', 'esrgan-medium', 'esrgan-thick'];

/** Minimal view of the parts of `@tensorflow/tfjs` used here (the package is a devDependency of the benchmark). */
interface TfTensor {
  readonly shape: number[];
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface TfLike {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor3d(values: Float32Array, shape: [number, number, number], dtype?: string): TfTensor;
  memory(): { numTensors: number };
  io: { registerLoadRouter(router: (url: string | string[]) => unknown): void };
}
interface UpscalerInstance {
  getModel(): Promise<unknown>;
  upscale(input: TfTensor, opts: Record<string, unknown>): Promise<TfTensor>;
  dispose(): Promise<void>;
}
type UpscalerCtor = new (opts: { model: Record<string, unknown> }) => UpscalerInstance;

/** Directory of an installed package, found by walking up `node_modules` (its `exports` hide `package.json`). */
export function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`package ${name} is not installed (npm install --include=dev)`);
    dir = up;
  }
}

/** A tfjs `IOHandler.load()` result read from a layers/graph `model.json` and its shards on disk. */
function loadModelArtifacts(modelJsonPath: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: unknown[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
  };
  const specs: unknown[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(readFileSync(join(dirname(modelJsonPath), p)));
  }
  const all = Buffer.concat(shards);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
}

let tfReady: Promise<TfLike> | undefined;

/** `@tensorflow/tfjs` on the WASM backend, exposed as `globalThis.tf`, with a `file://` model loader. Once. */
export function tfjsForUpscalerJs(): Promise<TfLike> {
  tfReady ??= (async () => {
    const tf = require('@tensorflow/tfjs') as TfLike;
    require('@tensorflow/tfjs-backend-wasm');
    (globalThis as { tf?: unknown }).tf = tf;
    tf.io.registerLoadRouter((url) => {
      if (typeof url !== 'string' || !url.startsWith('file://')) return null;
      const path = fileURLToPath(url);
      return { load: async () => loadModelArtifacts(path) };
    });
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return tfReady;
}

export interface UpscaleOptions {
  /** Tile the input into patches of this many LR pixels (UpscalerJS `patchSize`); whole image when absent. */
  readonly patchSize?: number;
  /** Overlap kept around each patch (UpscalerJS `padding`). */
  readonly padding?: number;
}

export interface UpscalerJsPeer {
  readonly name: UpscalerJsModelName;
  /** What ran it, for the report. */
  readonly runtime: string;
  /** ×4 upscale; output quantised to 8 bits as a saved PNG would be. */
  upscale(img: RgbImage, opts?: UpscaleOptions): Promise<RgbImage>;
  /** Live tfjs tensors (memory check). */
  numTensors(): number;
  dispose(): Promise<void>;
}

/** Load one UpscalerJS ×4 ESRGAN model from its npm package (model load is done before this resolves). */
export async function loadUpscalerJsPeer(name: UpscalerJsModelName): Promise<UpscalerJsPeer> {
  const tf = await tfjsForUpscalerJs();
  const Upscaler = require(join(packageDir('upscaler'), 'dist/browser/umd/upscaler.js')) as UpscalerCtor;
  const pkg = packageDir(`@upscalerjs/${name}`);
  // The CJS build of the model definition (its ESM entry imports directories, which Node refuses).
  const definition = require(join(pkg, `dist/cjs/models/${name}/src/x4/cjs.js`)) as Record<string, unknown>;
  const modelJson = resolve(pkg, 'models/x4/model.json');
  const upscaler = new Upscaler({ model: { ...definition, path: pathToFileURL(modelJson).href } });
  await upscaler.getModel();
  return {
    name,
    runtime: `upscaler 1.0.0 UMD on @tensorflow/tfjs ${tf.getBackend()} (Node ${process.versions.node})`,
    async upscale(img, opts = {}) {
      const px = new Float32Array(img.data.length);
      for (let i = 0; i < px.length; i++) px[i] = Math.round(img.data[i] * 255);
      const input = tf.tensor3d(px, [img.height, img.width, 3], 'float32');
      const upOpts: Record<string, unknown> = { output: 'tensor' };
      if (opts.patchSize !== undefined) {
        upOpts.patchSize = opts.patchSize;
        upOpts.padding = opts.padding ?? 0;
      }
      try {
        const out = await upscaler.upscale(input, upOpts);
        const [h, w] = out.shape;
        const raw = await out.data();
        out.dispose();
        const data = new Float32Array(raw.length);
        for (let i = 0; i < raw.length; i++) {
          const v = Math.round(raw[i]);
          data[i] = (v < 0 ? 0 : v > 255 ? 255 : v) / 255;
        }
        return createImage(w, h, data, 8);
      } finally {
        input.dispose();
      }
    },
    numTensors: () => tf.memory().numTensors,
    dispose: () => upscaler.dispose(),
  };
}
