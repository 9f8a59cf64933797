/**
 * Shared pieces of the ORT benchmarks: the 2048³ MatMul baseline (what ONNX Runtime reaches on a pure GEMM on
 * this machine, in the same run), timing, RSS high-water, random inputs.
 */
import ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { OnnxGraphBuilder } from '../src/backends/onnx/graph-builder.js';

/** GFLOP/s of ORT on a 2048×2048 @ 2048×2048 MatMul (median of `reps` after a warm-up), threads = cores. */
export async function matmulBaseline(n = 2048, reps = 5): Promise<{ gflops: number; ms: number }> {
  const g = new OnnxGraphBuilder({ name: 'matmul' });
  const a = g.input('a', [n, n]);
  const b = g.input('b', [n, n]);
  g.output(g.op('MatMul', [a, b]), 'c', [n, n]);
  const s = await ort.InferenceSession.create(g.build(), { intraOpNumThreads: availableParallelism(), logSeverityLevel: 3 });
  const rand = () => new ort.Tensor('float32', Float32Array.from({ length: n * n }, () => Math.random() - 0.5), [n, n]);
  const feeds = { a: rand(), b: rand() };
  await s.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t0);
  }
  await s.release();
  const ms = median(times);
  return { gflops: (2 * n ** 3) / (ms / 1e3) / 1e9, ms };
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
