/**
 * Inference of the `small` preset's full student (TAE + UNet + decoder, one fused ONNX graph) at 128→512 on
 * ONNX Runtime CPU, beside ORT's own 2048³ MatMul measured in the same rounds (paired, so load from other
 * processes hits both alike). Goal: student GFLOP/s ≥ 60 % of the MatMul's.
 *
 *   npx tsx bench/ort-small-student.ts [--preset small] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { createOnnxBackend } from '../src/backends/onnx/onnx-backend.js';
import { flopsOf } from '../src/models/flops.js';
import { initParams } from '../src/models/params.js';
import { presetByName } from '../src/models/presets.js';
import { oneStepCoefficients } from '../src/schedule/one-step.js';
import { NO_SPIN, cpuMs, matmulBaseline, median, noise, peakRssMiB } from './ort-common.js';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'small' }, rounds: { type: 'string', default: '3' } } });
const spec = presetByName(values.preset!);
const rounds = Number(values.rounds);
const f = flopsOf(spec, 'student', 512, 512);
const gflop = (f.dense + f.other) / 1e9;

const backend = await createOnnxBackend(spec, initParams(spec, 0), { providers: ['cpu'], sessionConfig: NO_SPIN });
const t0 = performance.now();
await backend.prepare(['student']);
const loadMs = performance.now() - t0;
const { a, b } = oneStepCoefficients('ddpm-x0', 500);
const feeds = {
  sample: noise([1, 3, 512, 512]),
  timestep: { shape: [1], data: Float32Array.of(500) },
  zCoef: { shape: [1], data: Float32Array.of(a) },
  epsCoef: { shape: [1], data: Float32Array.of(b) },
};
await backend.runGraph('student', feeds); // warm-up

const rows: { student: number; matmul: number; wall: number; cpuRate: number; mmCpuRate: number }[] = [];
for (let r = 0; r < rounds; r++) {
  const mm = await matmulBaseline(2048, 3);
  const w0 = performance.now();
  const c0 = cpuMs();
  await backend.runGraph('student', feeds);
  const cpu = cpuMs() - c0;
  const wall = performance.now() - w0;
  rows.push({ student: gflop / (backend.lastRunMs / 1e3), matmul: mm.gflops, wall: backend.lastRunMs, cpuRate: gflop / (cpu / 1e3), mmCpuRate: mm.gflopsPerCpuS });
  console.log(
    `round ${r + 1}: student ${backend.lastRunMs.toFixed(0)} ms (${(gflop / (backend.lastRunMs / 1e3)).toFixed(1)} GFLOP/s; ${wall.toFixed(0)} ms incl. transfer) | MatMul 2048³ ${mm.gflops.toFixed(1)} GFLOP/s | share ${((100 * gflop) / (backend.lastRunMs / 1e3) / mm.gflops).toFixed(0)} % | per CPU-second: student ${(gflop / (cpu / 1e3)).toFixed(1)}, MatMul ${mm.gflopsPerCpuS.toFixed(1)} → ${((100 * gflop) / (cpu / 1e3) / mm.gflopsPerCpuS).toFixed(0)} %`,
  );
}
await backend.dispose();
console.log(`\n${values.preset} student 128→512, ${gflop.toFixed(1)} GFLOP/image, ${backend.info.runtime}, session load ${loadMs.toFixed(0)} ms`);
console.log(`median: ${median(rows.map((r) => r.wall)).toFixed(0)} ms/image, ${median(rows.map((r) => r.student)).toFixed(1)} GFLOP/s; MatMul ${median(rows.map((r) => r.matmul)).toFixed(1)} GFLOP/s; share (median of paired ratios) ${(100 * median(rows.map((r) => r.student / r.matmul))).toFixed(0)} %`);
console.log(`per CPU-second (spinning off): student ${median(rows.map((r) => r.cpuRate)).toFixed(1)}, MatMul ${median(rows.map((r) => r.mmCpuRate)).toFixed(1)} GFLOP/CPU-s → share ${(100 * median(rows.map((r) => r.cpuRate / r.mmCpuRate))).toFixed(0)} %`);
console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
