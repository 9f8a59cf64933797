/**
 * The ONNX Runtime inference backend: emits one ONNX graph per sub-network from the spec and weights (on first
 * use, or ahead with `prepare`), runs it with onnxruntime-node in a worker thread (sessions created once and
 * reused), CUDA when present else CPU — `info.runtime` says which ran.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Backend, BackendInfo, HostTensor, SubNetwork } from '../backend.js';
import { textEncoderParamShapes } from '../../models/clip-text.js';
import { countParams, unetParamShapes, vaeParamShapes } from '../../models/params.js';
import type { ModelSpec } from '../../models/specs.js';
import { emitSubNetwork, type OnnxGraphName, type WeightSource } from './emit.js';
import { SessionHost } from './session-host.js';
import type { ExecutionProvider } from './session-protocol.js';

/** Graphs whose weights exceed this go through an external-data file (protobuf's limit is 2 GiB). */
const INLINE_LIMIT_BYTES = 1.5 * 2 ** 30;

export interface OnnxBackendOptions {
  /**
   * Execution providers to try, in order. Default: `['cuda', 'cpu']` when onnxruntime-node lists CUDA as
   * bundled, else `['cpu']`. The first that loads the model is used.
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
}

/** The ONNX backend: the contract plus `prepare` and per-run timing. */
export interface OnnxBackend extends Backend {
  /** Emit and load the sessions of `nets` now (otherwise on first run). */
  prepare(nets: readonly OnnxGraphName[]): Promise<void>;
  /** Run a graph, also the fused `student` (see `emit.ts` for its inputs). */
  runGraph(net: OnnxGraphName, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  /** Milliseconds ONNX Runtime spent inside the last run (worker side). */
  readonly lastRunMs: number;
}

/** Providers onnxruntime-node can use here: CUDA only when its binaries are bundled. */
export function defaultProviders(): ExecutionProvider[] {
  const listed = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [];
  return listed.some((b) => b.name === 'cuda' && b.bundled) ? ['cuda', 'cpu'] : ['cpu'];
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
  const providers = opts.providers ?? defaultProviders();
  const threads = opts.threads ?? availableParallelism();
  const host = new SessionHost();
  const loading = new Map<OnnxGraphName, Promise<void>>();
  let ownedDir: string | null = null;
  let lastRunMs = 0;
  const version = (ort as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? '';

  const info: { name: string; runtime: string } = {
    name: 'onnx',
    runtime: `onnxruntime-node ${version} (${providers.join(' > ')}, not loaded yet)`,
  };

  const emitWeights = { unet: weights.unet, vae: weights.vae, teacherUnet: opts.teacherUnet, text: weights.text };

  async function load(net: OnnxGraphName): Promise<void> {
    const unetBytes = 4 * countParams(unetParamShapes(spec.unet));
    const vaeBytes = 4 * countParams(vaeParamShapes(spec.vae, spec.tae));
    const textBytes = spec.text === undefined ? 0 : 4 * countParams(textEncoderParamShapes(spec.text));
    const bytesNeeded =
      net === 'student' ? unetBytes + vaeBytes : net === 'unet' || net === 'teacherUnet' ? unetBytes : net === 'textEncoder' ? textBytes : vaeBytes;
    let model: { kind: 'bytes'; bytes: Uint8Array } | { kind: 'path'; path: string };
    if (bytesNeeded > INLINE_LIMIT_BYTES) {
      const dir = opts.workDir ?? (ownedDir ??= mkdtempSync(join(tmpdir(), 'tadsr-onnx-')));
      const emitted = emitSubNetwork(spec, net, emitWeights, { externalDataPath: join(dir, `${net}.onnx.data`) });
      const path = join(dir, `${net}.onnx`);
      writeFileSync(path, emitted.bytes);
      model = { kind: 'path', path };
    } else {
      model = { kind: 'bytes', bytes: emitSubNetwork(spec, net, emitWeights).bytes };
    }
    const r = await host.create(net, model, providers, threads, opts.sessionConfig);
    info.runtime = `onnxruntime-node ${version} ${r.provider}${r.provider === 'cpu' ? ` (${threads} threads)` : ''}` +
      (r.errors.length > 0 ? ` [fell back: ${r.errors.join('; ')}]` : '');
  }

  function ensure(net: OnnxGraphName): Promise<void> {
    let p = loading.get(net);
    if (p === undefined) {
      p = load(net);
      loading.set(net, p);
      p.catch(() => loading.delete(net));
    }
    return p;
  }

  async function runGraph(net: OnnxGraphName, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
    await ensure(net);
    const feeds: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, t] of Object.entries(inputs)) feeds[k] = { shape: [...t.shape], data: t.data };
    const { outputs, ms } = await host.run(net, feeds);
    lastRunMs = ms;
    return outputs;
  }

  return {
    get info(): BackendInfo {
      return { ...info };
    },
    get lastRunMs() {
      return lastRunMs;
    },
    prepare: async (nets) => {
      for (const n of nets) await ensure(n);
    },
    runGraph,
    run: (net: SubNetwork, inputs) => runGraph(net, inputs),
    dispose: async () => {
      await host.terminate();
      if (ownedDir !== null) rmSync(ownedDir, { recursive: true, force: true });
    },
  };
}
