/**
 * The `sd21-base` student (TADSR time-aware encoder + SD 2.1-base UNet + SD decoder) at 512² with random
 * weights on ONNX Runtime CPU: seconds per image and GFLOP/s, with the process's peak memory (it must fit
 * in 24 GB: weights are made tensor by tensor and streamed into an ONNX external-data file, never held twice).
 *
 * The UNet cross-attends to `--tokens` context tokens: 77 (default) is a prompt's `last_hidden_state`, what a model
 * exported with SD 2.1's text encoder reads; 1 is the fixed zero condition of text-free models.
 *
 *   npx tsx bench/ort-sd21-student.ts [--runs 2] [--size 512] [--tokens 77]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { emitSubNetwork } from '../src/backends/onnx/emit.js';
import { SessionHost } from '../src/backends/onnx/session-host.js';
import { flopsOf } from '../src/models/flops.js';
import { lazyInitWeights, unetParamShapes, vaeParamShapes } from '../src/models/params.js';
import { presets } from '../src/models/presets.js';
import { oneStepCoefficients } from '../src/schedule/one-step.js';
import { NO_SPIN, cpuMs, matmulBaseline, noise, peakRssMiB } from './ort-common.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '2' }, size: { type: 'string', default: '512' }, tokens: { type: 'string', default: '77' } },
});
const tokens = Number(values.tokens);
const runs = Number(values.runs);
const px = Number(values.size);
const spec = presets['sd21-base'];
const f = flopsOf(spec, 'student', px, px);
const gflop = (f.dense + f.other) / 1e9;
const rssGiB = () => (process.memoryUsage.rss() / 2 ** 30).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'tadsr-sd21-'));
const host = new SessionHost();
try {
  const mm = await matmulBaseline(2048, 3);
  console.log(`ORT MatMul 2048³ (same run, before): ${mm.gflops.toFixed(1)} GFLOP/s, ${mm.gflopsPerCpuS.toFixed(1)} GFLOP per CPU-second`);
  let t = performance.now();
  const emitted = emitSubNetwork(
    spec,
    'student',
    {
      unet: lazyInitWeights(unetParamShapes(spec.unet), 1),
      vae: lazyInitWeights(vaeParamShapes(spec.vae, spec.tae), 2, (n) => n.includes('.time_emb_proj.')),
    },
    { externalDataPath: join(dir, 'student.onnx.data') },
  );
  writeFileSync(join(dir, 'student.onnx'), emitted.bytes);
  console.log(
    `emitted ${emitted.nodeCount} nodes, ${(emitted.initializerBytes / 2 ** 30).toFixed(2)} GiB of weights (external data ${(statSync(join(dir, 'student.onnx.data')).size / 2 ** 30).toFixed(2)} GiB) in ${((performance.now() - t) / 1e3).toFixed(1)} s; RSS ${rssGiB()} GiB`,
  );
  t = performance.now();
  const threads = availableParallelism();
  const { provider } = await host.create('student', { kind: 'path', path: join(dir, 'student.onnx') }, ['cpu'], threads, NO_SPIN);
  console.log(`session (${provider}, ${threads} threads) created in ${((performance.now() - t) / 1e3).toFixed(1)} s; RSS ${rssGiB()} GiB`);
  const { a, b } = oneStepCoefficients('ddpm-x0', 500);
  const feeds = {
    sample: noise([1, 3, px, px]),
    timestep: { shape: [1], data: Float32Array.of(500) },
    zCoef: { shape: [1], data: Float32Array.of(a) },
    epsCoef: { shape: [1], data: Float32Array.of(b) },
    encoderHiddenStates: noise([1, tokens, 1024]),
  };
  for (let r = 0; r < runs; r++) {
    const c0 = cpuMs();
    const { outputs, ms } = await host.run('student', feeds);
    const cpu = cpuMs() - c0;
    const img = outputs.image!;
    const finite = img.data.every(Number.isFinite);
    console.log(
      `run ${r + 1}${r === 0 ? ' (cold)' : ''}: ${(ms / 1e3).toFixed(1)} s/image, ${(gflop / (ms / 1e3)).toFixed(1)} GFLOP/s (${gflop.toFixed(0)} GFLOP), ${(gflop / (cpu / 1e3)).toFixed(1)} GFLOP per CPU-second, output [${img.shape.join(', ')}] ${finite ? 'finite' : 'HAS NaN/Inf'}; RSS ${rssGiB()} GiB`,
    );
  }
  const mm2 = await matmulBaseline(2048, 3);
  console.log(`ORT MatMul 2048³ (same run, after): ${mm2.gflops.toFixed(1)} GFLOP/s, ${mm2.gflopsPerCpuS.toFixed(1)} GFLOP per CPU-second`);
  console.log(`peak RSS of the process (incl. ORT worker): ${(peakRssMiB() / 1024).toFixed(1)} GiB; UNet context ${tokens} token(s) (GFLOP counted with 1)`);
} finally {
  await host.terminate();
  rmSync(dir, { recursive: true, force: true });
}
