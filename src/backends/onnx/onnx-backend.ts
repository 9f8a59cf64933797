/**
 * The ONNX Runtime inference backend: emits one ONNX graph per sub-network from the spec and weights (on first
 * use, or ahead with `prepare`), runs it with onnxruntime-node in a worker thread (sessions created once and
 * reused) on the device asked for (`auto`: CUDA, else a hardware WebGPU adapter, else CPU; see `device.ts`) —
 * `info` says which provider and adapter ran, and on a GPU provider how many nodes of each graph landed where.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Backend, BackendInfo, HostTensor, SubNetwork } from '../backend.js';
import { textEncoderParamShapes } from '../../models/clip-text.js';
import { countParams, unetParamShapes, vaeParamShapes } from '../../models/params.js';
import type { ModelSpec } from '../../models/specs.js';
import { DeviceError, formatPlacement, planDevice, providerBundled, type Device, type DevicePlan, type Placement } from './device.js';
import { type TsAdapterWeights, applyTsAdapter, uniformGate } from '../../models/ts-adapter.js';
import type { WeightMap } from '../../models/params.js';
import { type EmitWeights, emitSubNetwork, type OnnxGraphName, type WeightSource } from './emit.js';

import { decodeModel } from './onnx-proto.js';
import { type NativeSession, createNativeSession, nativeTensor } from '../tfjs/ort/ort-binding.js';
import { SessionHost } from './session-host.js';
import { createSharedNormRunner } from './shared-norm.js';
import type { SharedNormBackend } from '../shared-norm.js';
import type { ExecutionProvider, WireTensor } from './session-protocol.js';

/** The graphs a t_s adapter changes (they take `timestep`). */
const ADAPTED_GRAPHS: ReadonlySet<OnnxGraphName> = new Set(['timeAwareEncoder', 'unet', 'student']);

/** A weight source as a map (for merging; a `Map` is returned as it is). */
function asMap(w: WeightSource): WeightMap {
  if (w instanceof Map) return w as WeightMap;
  throw new Error('a t_s adapter needs its base weights in memory (a WeightMap), not read on demand');
}

/** Graphs whose weights exceed this go through an external-data file (protobuf's limit is 2 GiB). */
const INLINE_LIMIT_BYTES = 1.5 * 2 ** 30;

export interface OnnxBackendOptions {
  /**
   * Where to run: `auto` (default: CUDA when bundled, else a hardware WebGPU adapter, else CPU), `cpu`,
   * `webgpu` (any Vulkan adapter, also the software one), `cuda`. An explicit device that cannot run here, or
   * a GPU provider that leaves heavy nodes (Conv, MatMul, norms, attention) on the CPU, is an error.
   */
  readonly device?: Device;
  /**
   * Execution providers to try, in order (overrides `device`). The first that loads the model is used.
   */
  readonly providers?: readonly ExecutionProvider[];
  /** CPU intra-op threads (default: `os.availableParallelism()`). */
  readonly threads?: number;
  /**
   * ONNX Runtime session config entries, e.g. `{ 'session.intra_op.allow_spinning': '0' }` (idle threads sleep
   * instead of spinning: CPU time then measures work, which benchmarks on a shared machine want).
   */
  readonly sessionConfig?: Readonly<Record<string, string>>;
  /** Folder for external-data files of big graphs (default: a temp folder, removed on dispose). */
  readonly workDir?: string;
  /** Weights of the frozen teacher UNet (for `teacherUnet`; default: the student's). */
  readonly teacherUnet?: WeightSource;
}

/**
 * Weights by network: `Map`s (`ModelWeights`), or sources that read tensors on demand (`weightsOnDemand` of an
 * open safetensors file), so an SD-size checkpoint streams into the ONNX graph without being held in memory.
 */
export interface OnnxWeights {
  readonly unet: WeightSource;
  readonly vae: WeightSource;
  /** The text encoder, for models with `spec.text` (the `textEncoder` graph). */
  readonly text?: WeightSource;
  /** The student's t_s adapter (`ts-adapter.ts`), applied in `timeAwareEncoder`, `unet` and `student`. */
  readonly tsAdapter?: TsAdapterWeights;
}

/** What ran: the contract's name + runtime, and the device facts behind them. */
export interface OnnxBackendInfo extends BackendInfo {
  /** The device asked for. */
  readonly device: Device;
  /** The execution provider of the last graph loaded (`null` before the first). */
  readonly provider: ExecutionProvider | null;
  /** The WebGPU adapter (`name`, `type`: `discrete` … `cpu` = software), when WebGPU runs. */
  readonly adapter?: { readonly name: string; readonly type: string; readonly driver: string };
  /** Per loaded graph: nodes per provider and op type (GPU providers; on the CPU provider every node is on CPU). */
  readonly placements: Readonly<Record<string, Placement>>;
  /** Why providers were skipped or fell back. */
  readonly notes: readonly string[];
}

/** The ONNX backend: the contract plus `prepare`, per-run timing and tiles with shared GroupNorm statistics. */
export interface OnnxBackend extends Backend, SharedNormBackend {
  readonly info: OnnxBackendInfo;
  /** Emit and load the sessions of `nets` now (otherwise on first run). */
  prepare(nets: readonly OnnxGraphName[]): Promise<void>;
  /** Run a graph, also the fused `student` (see `emit.ts` for its inputs). */
  runGraph(net: OnnxGraphName, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  /** Milliseconds ONNX Runtime spent inside the last run (worker side). */
  readonly lastRunMs: number;
  /** Most bytes of tile activations the host held during the last `runSharedNorm`. */
  readonly sharedNormPeakBytes: number;
}

/** Providers onnxruntime-node can use here without a GPU check: CUDA only when its binaries are bundled. */
export function defaultProviders(): ExecutionProvider[] {
  return providerBundled('cuda') ? ['cuda', 'cpu'] : ['cpu'];
}

/** Small inputs of `net` (the smallest image the model takes) for the placement probe of a GPU provider. */
function probeFeeds(spec: ModelSpec, net: OnnxGraphName): Record<string, WireTensor> {
  const vaeDown = 2 ** (spec.vae.blockOutChannels.length - 1);
  const side = vaeDown * 2 ** (spec.unet.blockOutChannels.length - 1);
  const L = spec.vae.latentChannels;
  const t = (shape: number[], f: (i: number) => number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });
  const wave = (i: number) => Math.sin(i * 0.37) * 0.5;
  const image = () => t([1, spec.vae.inChannels, side, side], wave);
  const latent = () => t([1, L, side / vaeDown, side / vaeDown], wave);
  const timestep = () => t([1], () => 500);
  const ctx = (): Record<string, WireTensor> => (spec.unet.crossAttentionDim === null ? {} : { encoderHiddenStates: t([1, 1, spec.unet.crossAttentionDim], wave) });
  switch (net) {
    case 'vaeEncoder':
      return { sample: image() };
    case 'timeAwareEncoder':
      return { sample: image(), timestep: timestep() };
    case 'unet':
    case 'teacherUnet':
      return { sample: latent(), timestep: timestep(), ...ctx() };
    case 'vaeDecoder':
      return { latent: latent() };
    case 'student':
      return { sample: image(), timestep: timestep(), zCoef: t([1], () => 0.9), epsCoef: t([1], () => -0.3), ...ctx() };
    case 'textEncoder':
      return { inputIds: t([1, 8], (i) => (i === 0 ? 0 : Math.min(i, 7))) };
  }
}

/**
 * An ONNX Runtime backend for `spec` with `weights`.
 *
 * @example
 * const backend = await createOnnxBackend(presets.tiny, initParams(presets.tiny, 0));
 * const { eps } = await backend.run('unet', { sample, timestep, encoderHiddenStates });
 * console.log(backend.info.runtime); // "onnxruntime-node 1.22.0 cpu (2 threads)"
 * await backend.dispose();
 */
export async function createOnnxBackend(spec: ModelSpec, weights: OnnxWeights, opts: OnnxBackendOptions = {}): Promise<OnnxBackend> {
  const device: Device = opts.device ?? 'auto';
  const plan: DevicePlan = opts.providers !== undefined ? { providers: opts.providers, notes: [] } : await planDevice(device);
  const providers = plan.providers;
  const threads = opts.threads ?? availableParallelism();
  const host = new SessionHost();
  const loading = new Map<string, Promise<void>>();
  let ownedDir: string | null = null;
  let lastRunMs = 0;
  const version = (ort as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? '';

  const placements: Record<string, Placement> = {};
  const notes: string[] = [...plan.notes];
  let provider: ExecutionProvider | null = null;
  const adapterText = () =>
    plan.adapter === undefined ? '' : ` on ${plan.adapter.name}${plan.adapter.type === 'cpu' ? ' [software]' : ''}`;
  let runtime = `onnxruntime-node ${version} (${providers.join(' > ')}${providers.includes('webgpu') ? adapterText() : ''}, not loaded yet)`;

  const emitWeights = { unet: weights.unet, vae: weights.vae, teacherUnet: opts.teacherUnet, text: weights.text, tsAdapter: weights.tsAdapter };

  const unetBytes = 4 * countParams(unetParamShapes(spec.unet));
  const vaeBytes = 4 * countParams(vaeParamShapes(spec.vae, spec.tae));
  const textBytes = spec.text === undefined ? 0 : 4 * countParams(textEncoderParamShapes(spec.text));
  /** fp32 weight bytes of a graph: above INLINE_LIMIT_BYTES it needs external data (a file), not inline bytes. */
  const weightBytes = (net: OnnxGraphName): number =>
    net === 'student' ? unetBytes + vaeBytes : net === 'unet' || net === 'teacherUnet' ? unetBytes : net === 'textEncoder' ? textBytes : vaeBytes;

  /**
   * The weights a graph is emitted with: `emitWeights`, or for a model with a t_s adapter run at one gate value g
   * for the whole batch, the adapter merged in at g (no adapter branches in the graph: the same maths, at the
   * base model's cost). A batch of mixed g runs the gated graph.
   */
  function weightsAt(g: number | undefined): EmitWeights {
    const a = weights.tsAdapter;
    if (g === undefined || a === undefined) return emitWeights;
    const merged = (base: WeightSource, delta: WeightMap): WeightSource =>
      g === 0 || delta.size === 0 ? base : applyTsAdapter(asMap(base), delta, g);
    return { unet: merged(weights.unet, a.unet), vae: merged(weights.vae, a.vae), teacherUnet: opts.teacherUnet, text: weights.text };
  }

  async function load(key: string, net: OnnxGraphName, g: number | undefined): Promise<void> {
    let model: { kind: 'bytes'; bytes: Uint8Array } | { kind: 'path'; path: string };
    const w = weightsAt(g);
    if (weightBytes(net) > INLINE_LIMIT_BYTES) {
      const dir = opts.workDir ?? (ownedDir ??= mkdtempSync(join(tmpdir(), 'tadsr-onnx-')));
      const file = key.replace(/[^A-Za-z0-9_.-]/g, '_');
      const emitted = emitSubNetwork(spec, net, w, { externalDataPath: join(dir, `${file}.onnx.data`) });
      const path = join(dir, `${file}.onnx`);
      writeFileSync(path, emitted.bytes);
      model = { kind: 'path', path };
    } else {
      model = { kind: 'bytes', bytes: emitSubNetwork(spec, net, w).bytes };
    }
    const probe = providers.some((p) => p !== 'cpu') ? probeFeeds(spec, net) : undefined;
    let r;
    try {
      r = await host.create(key, model, providers, threads, opts.sessionConfig, probe);
    } catch (err) {
      // an explicit GPU device that fails (no adapter, heavy nodes on the CPU) is the user's to fix: say so
      if (device !== 'auto' && device !== 'cpu' && opts.providers === undefined) throw new DeviceError(`--device ${device}: ${(err as Error).message}`);
      throw err;
    }
    provider = r.provider;
    if (r.placement !== undefined) placements[net] = r.placement;
    for (const e of r.errors) notes.push(`${net}: ${e}`);
    runtime = `onnxruntime-node ${version} ${r.provider}` +
      (r.provider === 'cpu' ? ` (${threads} threads)` : r.provider === 'webgpu' ? adapterText() : '') +
      (r.errors.length > 0 ? ` [fell back: ${r.errors.join('; ')}]` : '');
  }

  /** The session key of `net` for these inputs: `net`, or `net@g` when a t_s adapter runs at one g for the batch. */
  function sessionKey(net: OnnxGraphName, inputs?: Readonly<Record<string, HostTensor>>): { key: string; g?: number } {
    const a = weights.tsAdapter;
    const t = inputs?.['timestep'];
    if (a === undefined || t === undefined || !ADAPTED_GRAPHS.has(net)) return { key: net };
    const g = uniformGate(a.gate, t.data);
    return g === undefined ? { key: net } : { key: `${net}@${g}`, g };
  }

  function ensure(net: OnnxGraphName, inputs?: Readonly<Record<string, HostTensor>>): Promise<string> {
    const { key, g } = sessionKey(net, inputs);
    let p = loading.get(key);
    if (p === undefined) {
      p = load(key, net, g);
      loading.set(key, p);
      p.catch(() => loading.delete(key));
    }
    return p.then(() => key);
  }

  async function runGraph(net: OnnxGraphName, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
    const key = await ensure(net, inputs);
    const feeds: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, t] of Object.entries(inputs)) feeds[k] = { shape: [...t.shape], data: t.data };
    const { outputs, ms } = await host.run(key, feeds);
    lastRunMs = ms;
    return outputs;
  }

  const sharedNorm = createSharedNormRunner({
    emit: (net, netOps) => emitSubNetwork(spec, net, emitWeights, { netOps }).bytes,
    create: async (key, bytes) => void (await host.create(key, { kind: 'bytes', bytes }, providers, threads, opts.sessionConfig)),
    run: async (key, feeds) => {
      const wire: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [k, t] of Object.entries(feeds)) wire[k] = { shape: [...t.shape], data: t.data };
      return (await host.run(key, wire)).outputs;
    },
  });

  // `runSync`: the same emitted graphs on onnxruntime-node's native session, answered on the calling thread (CPU
  // only; graphs that fit in memory inline). A training step takes the teacher's scores inside its gradient tape
  // through it. Sessions are made on first use, apart from the async ones above.
  const syncSessions = new Map<SubNetwork, NativeSession>();
  const syncOutputs = new Map<SubNetwork, string[]>();
  const unetFitsInline = unetBytes <= INLINE_LIMIT_BYTES;
  function runSync(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Record<string, HostTensor> {
    let session = syncSessions.get(net);
    if (session === undefined) {
      if (weightBytes(net) > INLINE_LIMIT_BYTES) {
        throw new Error(`runSync: ${net} is too large for a synchronous session; use run()`);
      }
      const bytes = emitSubNetwork(spec, net, emitWeights).bytes;
      session = createNativeSession(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        // no busy-waiting intra-op threads between calls: the caller's own work (a TF.js step) needs those cores
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      syncSessions.set(net, session);
      syncOutputs.set(net, decodeModel(bytes).graph.output.map((o) => o.name));
    }
    const feeds: Record<string, ReturnType<typeof nativeTensor>> = {};
    for (const [k, t] of Object.entries(inputs)) feeds[k] = nativeTensor(t.data, t.shape);
    const fetches = Object.fromEntries(syncOutputs.get(net)!.map((n) => [n, null]));
    const out: Record<string, HostTensor> = {};
    for (const [k, t] of Object.entries(session.run(feeds, fetches, {}))) {
      if (!(t.data instanceof Float32Array)) throw new Error(`runSync: ${net} output ${k} is not float32`);
      out[k] = { shape: [...t.dims], data: Float32Array.from(t.data) };
    }
    return out;
  }
  const cpuOnly = providers.every((p) => p === 'cpu');

  return {
    ...(cpuOnly && unetFitsInline ? { runSync } : {}),
    get info(): OnnxBackendInfo {
      const loaded = Object.entries(placements).map(([n, p]) => `${n}: ${formatPlacement(p)}`);
      return {
        name: 'onnx',
        runtime: runtime + (loaded.length > 0 ? ` {nodes ${loaded.join('; ')}}` : ''),
        device,
        provider,
        ...(provider === 'webgpu' && plan.adapter ? { adapter: { ...plan.adapter } } : {}),
        placements: { ...placements },
        notes: [...notes],
      };
    },
    get lastRunMs() {
      return lastRunMs;
    },
    prepare: async (nets) => {
      for (const n of nets) await ensure(n);
    },
    runGraph,
    run: (net: SubNetwork, inputs) => runGraph(net, inputs),
    runSharedNorm: (net, tiles, o) => sharedNorm.runSharedNorm(net, tiles, o),
    get sharedNormPeakBytes() {
      return sharedNorm.lastPeakBytes;
    },
    dispose: async () => {
      for (const session of syncSessions.values()) session.dispose();
      syncSessions.clear();
      await host.terminate();
      if (ownedDir !== null) rmSync(ownedDir, { recursive: true, force: true });
    },
  };
}
