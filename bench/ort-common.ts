/**
 * Shared pieces of the ORT benchmarks: the 2048³ MatMul baseline (what ONNX Runtime reaches on a pure GEMM on
 * this machine, in the same run), timing, RSS high-water, random inputs.
 */
import ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { OnnxGraphBuilder } from '../src/backends/onnx/graph-builder.js';

/** Process CPU time (all threads, user + system) in ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

/** ORT session config that makes idle intra-op threads sleep, so CPU time measures work, not spinning. */
export const NO_SPIN = { 'session.intra_op.allow_spinning': '0' } as const;

/**
 * GFLOP/s of ORT on an n×n @ n×n MatMul (median of `reps` after a warm-up), threads = cores; also per CPU-second
 * (`gflopsPerCpuS`, spinning off), which a shared, loaded machine disturbs far less than wall time.
 */
export async function matmulBaseline(n = 2048, reps = 5): Promise<{ gflops: number; ms: number; gflopsPerCpuS: number }> {
  const g = new OnnxGraphBuilder({ name: 'matmul' });
  const a = g.input('a', [n, n]);
  const b = g.input('b', [n, n]);
  g.output(g.op('MatMul', [a, b]), 'c', [n, n]);
  const s = await ort.InferenceSession.create(g.build(), {
    intraOpNumThreads: availableParallelism(),
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const rand = () => new ort.Tensor('float32', Float32Array.from({ length: n * n }, () => Math.random() - 0.5), [n, n]);
  const feeds = { a: rand(), b: rand() };
  await s.run(feeds);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  await s.release();
  const ms = median(times);
  const flop = 2 * n ** 3;
  return { gflops: flop / (ms / 1e3) / 1e9, ms, gflopsPerCpuS: flop / (median(cpu) / 1e3) / 1e9 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Uniform noise in [−1, 1) of `shape`. */
export function noise(shape: number[]): { shape: number[]; data: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => Math.random() * 2 - 1) };
}

/** Process RSS high-water mark in MiB (includes native ORT memory). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
