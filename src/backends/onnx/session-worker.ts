/**
 * Worker thread that owns ONNX Runtime sessions, so their blocking `run` never stalls the main event loop
 * (onnxruntime-node's async `run` only defers the same blocking native call with `setImmediate`).
 *
 * Messages: `create` (model bytes or path + session options; answers which execution provider ran and, after a
 * profiled probe run on a GPU provider, how many nodes of each op landed on which provider),
 * `run` (feeds → outputs, output buffers transferred back), `release`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { formatPlacement, heavyOnCpu, placementFromProfile, type Placement } from './device.js';
import type { WireTensor, WorkerReply, WorkerRequest } from './session-protocol.js';

const sessions = new Map<string, ort.InferenceSession>();

/** `{ 'session.intra_op.allow_spinning': '0' }` → `{ session: { intra_op: { allow_spinning: '0' } } }` (onnxruntime-node's `extra`). */
function configTree(flat: Readonly<Record<string, string>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/** One profiled run of `session` on `probe`; the placement it shows. The profile file is removed. */
async function profiledPlacement(session: ort.InferenceSession, dir: string, probe: Record<string, WireTensor>): Promise<Placement> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(probe)) feeds[name] = new ort.Tensor('float32', t.data, t.shape);
  const out = await session.run(feeds);
  for (const t of Object.values(out)) t.dispose();
  session.endProfiling();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error('ONNX Runtime wrote no profile');
  return placementFromProfile(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as Parameters<typeof placementFromProfile>[0]);
}

async function create(req: Extract<WorkerRequest, { type: 'create' }>): Promise<WorkerReply> {
  const errors: string[] = [];
  for (const ep of req.providers) {
    const profileDir = ep !== 'cpu' && req.probe !== undefined ? mkdtempSync(join(tmpdir(), 'tadsr-ort-profile-')) : null;
    let session: ort.InferenceSession | undefined;
    try {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'],
        intraOpNumThreads: req.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(req.config !== undefined ? { extra: configTree(req.config) } : {}),
        ...(profileDir !== null ? { enableProfiling: true, profileFilePrefix: join(profileDir, 'placement') } : {}),
      };
      session =
        req.model.kind === 'path'
          ? await ort.InferenceSession.create(req.model.path, options)
          : await ort.InferenceSession.create(req.model.bytes, options);
      let placement: Placement | undefined;
      if (profileDir !== null) {
        placement = await profiledPlacement(session, profileDir, req.probe!);
        const heavy = heavyOnCpu(placement);
        if (heavy !== '') throw new Error(`heavy nodes fell back to the CPU (${heavy}; placement ${formatPlacement(placement)})`);
      }
      sessions.set(req.key, session);
      return { type: 'created', id: req.id, provider: ep, errors, ...(placement ? { placement } : {}) };
    } catch (err) {
      await session?.release().catch(() => undefined);
      errors.push(`${ep}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      if (profileDir !== null) rmSync(profileDir, { recursive: true, force: true });
    }
  }
  return { type: 'error', id: req.id, message: `no execution provider could load the model (${errors.join('; ')})` };
}

async function run(req: Extract<WorkerRequest, { type: 'run' }>): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  const session = sessions.get(req.key);
  if (session === undefined) return { reply: { type: 'error', id: req.id, message: `no session ${req.key}` }, transfer: [] };
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.shape);
  const started = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - started;
  const outputs: Record<string, { shape: number[]; data: Float32Array }> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(out)) {
    const data = new Float32Array(t.data as Float32Array); // own copy, transferable
    outputs[name] = { shape: [...t.dims], data };
    transfer.push(data.buffer);
    t.dispose();
  }
  return { reply: { type: 'ran', id: req.id, outputs, ms }, transfer };
}

parentPort!.on('message', (req: WorkerRequest) => {
  void (async () => {
    try {
      if (req.type === 'create') parentPort!.postMessage(await create(req));
      else if (req.type === 'run') {
        const { reply, transfer } = await run(req);
        parentPort!.postMessage(reply, transfer);
      } else if (req.type === 'release') {
        await sessions.get(req.key)?.release();
        sessions.delete(req.key);
        parentPort!.postMessage({ type: 'released', id: req.id } satisfies WorkerReply);
      }
    } catch (err) {
      parentPort!.postMessage({ type: 'error', id: req.id, message: (err as Error).message } satisfies WorkerReply);
    }
  })();
});
