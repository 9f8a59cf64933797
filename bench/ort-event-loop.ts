/**
 * Does running ONNX Runtime block the event loop? The same session run (the `small` preset's decoder at
 * 64×64 latent → 512² image) three ways, with a 5 ms interval timer measuring the worst lag:
 *   1. public `InferenceSession.run` in the main thread (async API; it only defers the blocking native call)
 *   2. tadsr's ONNX backend (session in a worker thread)
 *
 *   npx tsx bench/ort-event-loop.ts
 */
import ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { createOnnxBackend } from '../src/backends/onnx/onnx-backend.js';
import { emitSubNetwork } from '../src/backends/onnx/emit.js';
import { initParams } from '../src/models/params.js';
import { presets } from '../src/models/presets.js';
import { noise } from './ort-common.js';

const spec = presets.small;
const weights = initParams(spec, 0);
const latent = noise([1, 4, 64, 64]);

async function withLagProbe(run: () => Promise<unknown>): Promise<{ ms: number; maxLagMs: number; ticks: number }> {
  let last = performance.now();
  let maxLag = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 5);
    last = now;
    ticks++;
  }, 5);
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return { ms, maxLagMs: maxLag, ticks };
}

const session = await ort.InferenceSession.create(emitSubNetwork(spec, 'vaeDecoder', weights).bytes, {
  intraOpNumThreads: availableParallelism(),
  logSeverityLevel: 3,
});
const feeds = { latent: new ort.Tensor('float32', latent.data, latent.shape) };
await session.run(feeds);
const direct = await withLagProbe(() => session.run(feeds));
await session.release();

const backend = await createOnnxBackend(spec, weights, { providers: ['cpu'] });
await backend.run('vaeDecoder', { latent });
const worker = await withLagProbe(() => backend.run('vaeDecoder', { latent }));
await backend.dispose();

console.log('path | run ms | worst event-loop lag ms | 5 ms ticks during run');
console.log(`public InferenceSession.run (main thread) | ${direct.ms.toFixed(0)} | ${direct.maxLagMs.toFixed(0)} | ${direct.ticks}`);
console.log(`tadsr ONNX backend (worker thread) | ${worker.ms.toFixed(0)} | ${worker.maxLagMs.toFixed(0)} | ${worker.ticks}`);
