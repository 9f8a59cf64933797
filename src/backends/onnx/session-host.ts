/**
 * Main-thread side of the ONNX Runtime worker: one worker thread per host owns the sessions; requests are
 * answered by id. Sessions are created once per key and reused.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExecutionProvider, WireTensor, WorkerReply, WorkerRequest } from './session-protocol.js';

type Pending = { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

/**
 * Start the worker: the compiled `session-worker.js` beside this file, or — when running from the TypeScript
 * sources (tsx, vitest) — the `.ts` file through tsx's loader registered inside the worker.
 */
function startWorker(): Worker {
  const js = new URL('./session-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL('./session-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true });
}

/** A worker thread owning ONNX Runtime sessions. */
export class SessionHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor() {
    this.worker = startWorker();
    this.worker.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (p === undefined) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (r.type === 'error') p.reject(new Error(r.message));
      else p.resolve(r);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`ONNX Runtime worker exited (code ${code})`)));
    this.worker.unref();
  }

  private request(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.dead !== null) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.ref(); // keep the process alive while a request is in flight; idle workers do not
      this.worker.postMessage(req, transfer);
    });
  }

  /**
   * Create session `key`; resolves to the execution provider that loaded it (and, with `probe` on a GPU provider,
   * the node placement of one profiled run on those inputs).
   */
  async create(
    key: string,
    model: { kind: 'bytes'; bytes: Uint8Array } | { kind: 'path'; path: string },
    providers: readonly ExecutionProvider[],
    threads: number,
    config?: Readonly<Record<string, string>>,
    probe?: Record<string, WireTensor>,
  ): Promise<{ provider: ExecutionProvider; errors: readonly string[]; placement?: Record<string, Record<string, number>> }> {
    const transfer = model.kind === 'bytes' ? [model.bytes.buffer as ArrayBuffer] : [];
    const r = await this.request({ type: 'create', id: this.nextId++, key, model, providers, threads, config, probe }, transfer);
    if (r.type !== 'created') throw new Error(`unexpected reply ${r.type}`);
    return { provider: r.provider, errors: r.errors, ...(r.placement ? { placement: r.placement } : {}) };
  }

  /** Run session `key` (inputs are copied to the worker; outputs are transferred back). */
  async run(key: string, feeds: Record<string, WireTensor>): Promise<{ outputs: Record<string, WireTensor>; ms: number }> {
    const r = await this.request({ type: 'run', id: this.nextId++, key, feeds });
    if (r.type !== 'ran') throw new Error(`unexpected reply ${r.type}`);
    return { outputs: r.outputs, ms: r.ms };
  }

  async release(key: string): Promise<void> {
    await this.request({ type: 'release', id: this.nextId++, key });
  }

  /** Stop the worker (its sessions go with it). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
