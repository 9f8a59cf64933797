/**
 * Backend-agnostic benchmark: the same graph (the one-step student, or one sub-network) on every backend and
 * runtime present, with the same weights and inputs — ms per image, images/s, effective GFLOP/s (FLOPs counted
 * from the spec, `models/flops.ts`), peak process memory while that backend ran, and the max abs difference of
 * its output from the first backend's. The `student` graph is the `oneStep` operator (`tadsr upscale`'s per-tile
 * step: bicubic ×4 → encode(t_s) → denoise → decode, as one fused graph where the backend has it) on a random LQ
 * image of `size`; the other graphs are single sub-network calls.
 *
 * ```ts
 * const rows = await benchmarkBackends({ spec: presets.tiny, size: 32 });
 * console.log(formatBenchTable(rows));
 * ```
 */
import type { Backend, HostTensor } from '../backends/backend.js';
import { availableBackendFactories, backendFactory, type BackendFactory } from '../backends/registry.js';
import { flopsOf, type FlopGraph } from '../models/flops.js';
import { initParams, type ModelWeights } from '../models/params.js';
import type { ModelSpec } from '../models/specs.js';
import { lastValueFrom, of } from 'rxjs';
import { isFrameError } from '../frame.js';
import { createImage } from '../image.js';
import { oneStep } from '../operators/one-step.js';
import { modelFacts } from './model-dir.js';

/** The graphs `benchmarkBackends` can time. */
export type BenchGraph = FlopGraph;

export interface BenchOptions {
  readonly spec: ModelSpec;
  /** LQ size in pixels; the network sees the ×4 upsampled image (`size·4` square). Default 128. */
  readonly size?: number;
  /** Default `student` (encoder/TAE + UNet + decoder). */
  readonly graph?: BenchGraph;
  /** `all` (default) or a list of `name` / `name:variant` (e.g. `onnx:cpu`, `tfjs:wasm`). */
  readonly backends?: 'all' | readonly string[];
  /** Timed runs per backend after one warm-up (default 3; the median is reported). */
  readonly repeats?: number;
  /** t_s of the student (default 500). */
  readonly timestep?: number;
  /** Weights seed (default 0); every backend gets the same weights. */
  readonly seed?: number;
  /** Called before each backend starts and after it ends. */
  readonly onProgress?: (msg: string) => void;
}

export interface BenchRow {
  readonly backend: string;
  readonly variant: string;
  /** What ran the maths, from the backend's `info.runtime`. */
  readonly runtime: string;
  readonly msPerImage: number;
  readonly imagesPerSecond: number;
  readonly gflopsPerSecond: number;
  /** Peak resident memory of the process while this backend loaded and ran (MiB). */
  readonly peakRssMiB: number;
  /** Max |output − first backend's output|; 0 for the first, null if it failed. */
  readonly maxAbsDiff: number | null;
  /** Set when the backend could not run the graph. */
  readonly error?: string;
}

export interface BenchResult {
  readonly graph: BenchGraph;
  readonly inputSize: number;
  readonly gflopPerImage: number;
  readonly rows: readonly BenchRow[];
  /** Backends that could not be loaded here, and why. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

function randomImage(shape: number[], seed: number): HostTensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return { shape, data };
}

const only = (r: Record<string, HostTensor>): HostTensor => Object.values(r)[0]!;

/** One pass of `graph` through the Backend contract (so every backend runs exactly the same computation). */
async function runGraph(b: Backend, spec: ModelSpec, graph: BenchGraph, px: number, t: number): Promise<HostTensor> {
  const down = 2 ** (spec.vae.blockOutChannels.length - 1);
  const L = spec.vae.latentChannels;
  const ts: HostTensor = { shape: [1], data: Float32Array.of(t) };
  const ctx: HostTensor | null =
    spec.unet.crossAttentionDim === null ? null : { shape: [1, 1, spec.unet.crossAttentionDim], data: new Float32Array(spec.unet.crossAttentionDim) };
  const unetInputs = (z: HostTensor): Record<string, HostTensor> => (ctx === null ? { sample: z, timestep: ts } : { sample: z, timestep: ts, encoderHiddenStates: ctx });
  const image = randomImage([1, spec.vae.inChannels, px, px], 7);
  const latent = randomImage([1, L, px / down, px / down], 11);
  switch (graph) {
    case 'vaeEncoder':
      return only(await b.run('vaeEncoder', { sample: image }));
    case 'timeAwareEncoder':
      return only(await b.run('timeAwareEncoder', { sample: image, timestep: ts }));
    case 'unet':
      return only(await b.run('unet', unetInputs(latent)));
    case 'vaeDecoder':
      return only(await b.run('vaeDecoder', { latent }));
    case 'student': {
      // what `tadsr upscale` runs on one tile: the oneStep operator (fused graph where the backend has one)
      const lq = createImage(px / 4, px / 4, image.data.subarray(0, (px / 4) * (px / 4) * 3).map((v) => (v + 1) / 2));
      const out = await lastValueFrom(of({ id: 'bench', lq }).pipe(oneStep(b, modelFacts(spec), { tS: t, formula: 'ddpm-x0' })));
      if (isFrameError(out)) throw new Error(out.message);
      return { shape: [out.sr.height, out.sr.width, 3], data: out.sr.data };
    }
  }
}

async function targets(sel: 'all' | readonly string[]): Promise<{ list: { f: BackendFactory; variant: string }[]; skipped: { name: string; reason: string }[] }> {
  const list: { f: BackendFactory; variant: string }[] = [];
  if (sel === 'all') {
    const { factories, skipped } = await availableBackendFactories();
    for (const f of factories) for (const v of await f.variants()) list.push({ f, variant: v });
    return { list, skipped };
  }
  for (const s of sel) {
    const [name, variant] = s.split(':') as [string, string | undefined];
    const f = await backendFactory(name);
    const vs = await f.variants();
    if (variant !== undefined && !vs.includes(variant) && f.accepts?.(variant) !== true) throw new Error(`backend ${name} has no variant "${variant}" here (available: ${vs.join(', ') || 'none'})`);
    for (const v of variant === undefined ? vs : [variant]) list.push({ f, variant: v });
  }
  return { list, skipped: [] };
}

/** Time `graph` on each selected backend; rows in the order run. See `formatBenchTable`. */
export async function benchmarkBackends(opts: BenchOptions): Promise<BenchResult> {
  const spec = opts.spec;
  const size = opts.size ?? 128;
  const px = size * 4;
  const graph = opts.graph ?? 'student';
  const repeats = Math.max(1, opts.repeats ?? 3);
  const t = opts.timestep ?? 500;
  const multiple = 2 ** (spec.vae.blockOutChannels.length - 1) * 2 ** (spec.unet.blockOutChannels.length - 1);
  if (px % multiple !== 0) throw new Error(`--size ${size}: the network input ${px} px must be a multiple of ${multiple} for this model`);
  const flops = flopsOf(spec, graph, px, px);
  const gflop = (flops.dense + flops.other) / 1e9;
  const weights: ModelWeights = initParams(spec, opts.seed ?? 0);
  const { list, skipped } = await targets(opts.backends ?? 'all');
  const rows: BenchRow[] = [];
  let reference: HostTensor | null = null;
  for (const { f, variant } of list) {
    opts.onProgress?.(`${f.name}:${variant} …`);
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    let backend: Backend | null = null;
    try {
      backend = await f.create(spec, weights, { variant });
      const first = await runGraph(backend, spec, graph, px, t); // warm-up: loads sessions / compiles
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        await runGraph(backend, spec, graph, px, t);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const ms = times[Math.floor(times.length / 2)]!;
      let diff = 0;
      if (reference === null) reference = first;
      else for (let i = 0; i < first.data.length; i++) diff = Math.max(diff, Math.abs(first.data[i]! - reference.data[i]!));
      rows.push({
        backend: f.name,
        variant,
        runtime: backend.info.runtime,
        msPerImage: ms,
        imagesPerSecond: 1000 / ms,
        gflopsPerSecond: gflop / (ms / 1000),
        peakRssMiB: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20,
        maxAbsDiff: diff,
      });
    } catch (err) {
      rows.push({ backend: f.name, variant, runtime: backend?.info.runtime ?? '', msPerImage: NaN, imagesPerSecond: NaN, gflopsPerSecond: NaN, peakRssMiB: peak / 2 ** 20, maxAbsDiff: null, error: (err as Error).message.split('\n')[0] });
    } finally {
      clearInterval(sampler);
      await backend?.dispose();
    }
    opts.onProgress?.(`${f.name}:${variant} done`);
  }
  return { graph, inputSize: px, gflopPerImage: gflop, rows, skipped };
}

/** The result as a plain-text table (one row per backend/variant). */
export function formatBenchTable(r: BenchResult): string {
  const head = ['backend', 'runtime', 'ms/image', 'images/s', 'GFLOP/s', 'peak RSS MiB', 'max |Δ| vs first'];
  const body = r.rows.map((x) =>
    x.error !== undefined
      ? [`${x.backend}:${x.variant}`, `failed: ${x.error}`, '', '', '', '', '']
      : [
          `${x.backend}:${x.variant}`,
          x.runtime,
          x.msPerImage.toFixed(1),
          x.imagesPerSecond.toFixed(3),
          x.gflopsPerSecond.toFixed(1),
          x.peakRssMiB.toFixed(0),
          x.maxAbsDiff === null ? '' : x.maxAbsDiff.toExponential(2),
        ],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [
    `${r.graph} at ${r.inputSize}×${r.inputSize} px: ${r.gflopPerImage.toFixed(1)} GFLOP/image`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  for (const s of r.skipped) out.push(`(skipped ${s.name}: ${s.reason})`);
  return out.join('\n');
}
