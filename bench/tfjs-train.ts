/**
 * Training-step benchmark of the reference UNet (bench/tfjs-reference-unet.ts: ~375k params, input
 * [4, 3, 64, 64], MSE loss, AdamW) on every TF.js runtime combination present, beside ONNX Runtime's forward
 * pass of the same net in the same run.
 *
 *   npx tsx bench/tfjs-train.ts [--steps 5] [--combos wasm+ort,wasm+ort/unfused,wasm+ort/im2col,cpu+ort,wasm,cpu] [--cpu-batch 1]
 *
 * Effective GFLOP/s = analytic FLOPs (conv / linear / attention multiply-adds × 2; training = 3 × forward)
 * divided by the median wall time per step. The pure-JS `cpu` (TF.js ops) row runs at batch `--cpu-batch`
 * with a single timed step (a batch-4 step takes minutes); its GFLOP/s is per its own FLOPs.
 */
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../src/backends/onnx/graph-builder.js';
import { OnnxNetOps } from '../src/backends/onnx/onnx-net-ops.js';
import { pickTfjsRuntime, type TfjsRuntimeName } from '../src/backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../src/backends/tfjs/tfjs-net-ops.js';
import { ortKernelSettings } from '../src/backends/tfjs/ort/ort-op-cache.js';
import { AdamW } from '../src/backends/tfjs/train/adamw.js';
import { Rng } from '../src/random/rng.js';
import { countForwardFlops } from './tfjs-flops.js';
import { referenceUnet, referenceUnetOptions, referenceUnetShapes } from './tfjs-reference-unet.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const STEPS = Number(arg('steps', '5'));
const COMBOS = arg('combos', 'wasm+ort,wasm+ort/unfused,cpu+ort,wasm,cpu').split(',');
const CPU_BATCH = Number(arg('cpu-batch', '1'));
const BATCH = 4;
const HW = 64;

const shapes = referenceUnetShapes();
const nParams = [...shapes.values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);

/** Deterministic PyTorch-like init: U(±1/√fan_in) for weights, norms at 1/0, biases small. */
function initWeights(seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const rng = Rng.forImage(seed, 'bench-tfjs-train', 'init');
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNorm = name.includes('norm');
    const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 64;
    for (let i = 0; i < size; i++) {
      data[i] = isNorm ? (name.endsWith('weight') ? 1 : 0) : (2 * rng.random() - 1) / Math.sqrt(fanIn);
    }
    out.set(name, { shape, data });
  }
  return out;
}

const weights = initWeights(1);
const rng = Rng.forImage(2, 'bench-tfjs-train', 'inputs');
const normals = (r: Rng, n: number) => {
  const out = new Float32Array(n);
  r.fillNormal(out);
  return out;
};
const inputData = (b: number) => normals(rng, b * 3 * HW * HW);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  readonly combo: string;
  /** ORT forward GFLOP/s measured interleaved with this row's steps (same load). */
  readonly ortFwdGflops?: number;
  /** Median CPU seconds (user + system, all threads) per step. */
  readonly cpuSPerStep?: number;
  /** CPU-bound GFLOP/s (see the table legend) of the ORT forward and of the calibration conv. */
  readonly ortFwdCpuBound?: number;
  readonly convCpuBound?: number;
  /** GFLOP/s of ANCHORS.md's calibration conv (3×3, 4×64×64×64, ORT, 2 threads), interleaved likewise. */
  readonly convGflops?: number;
  readonly runtime: string;
  readonly batch: number;
  readonly msPerStep: number;
  readonly gflops: number;
  readonly note: string;
}

interface ComboRun {
  readonly combo: string;
  readonly backend: string;
  readonly runtime: string;
  readonly batch: number;
  readonly flops: number;
  /** One training step; returns wall ms, CPU s, loss, tensors leaked by the step. */
  step(): { ms: number; cpu: number; loss: number; leaked: number };
  dispose(): void;
}

/** Set up one runtime combination (variables, data, optimizer) and take its warm-up step. */
async function setUpCombo(combo: string): Promise<ComboRun> {
  // e.g. `wasm+ort`, `cpu`, `wasm+ort/unfused` (GroupNorm and SiLU as two kernels instead of one),
  // `wasm+ort/im2col` (conv filter gradient as one im2col GEMM instead of one GEMM per kernel tap)
  const [name, variant] = combo.split('/') as [string, string | undefined];
  const [rt, heavyName] = name.split('+') as [TfjsRuntimeName, string | undefined];
  const heavy = heavyName === 'ort' ? 'ort' : 'tfjs';
  const fuse = variant !== 'unfused';
  const filterGrad = variant === 'im2col' ? 'im2col' : 'taps';
  const runtime = await pickTfjsRuntime({ runtime: rt });
  const ops = createTfjsNetOps({ heavy });
  const batch = rt === 'cpu' && heavy === 'tfjs' ? CPU_BATCH : BATCH;
  const vars = new Map<string, tf.Variable>();
  for (const [n, w] of weights) vars.set(n, tf.variable(tf.tensor(w.data, w.shape), true, `${combo}/${n}`));
  const byVarName = new Map([...vars].map(([n, v]) => [v.name, v]));
  const p = (n: string) => vars.get(n)!;
  const x = tf.tensor(inputData(batch), [batch, 3, HW, HW]);
  const target = tf.tensor(inputData(batch), [batch, 3, HW, HW]);
  const opt = new AdamW(byVarName, { lr: 1e-3, weightDecay: 0.01 });
  const run: ComboRun = {
    combo,
    backend: runtime.backend,
    runtime: runtime.detail + (heavy === 'ort' ? ' + ORT kernels' : ' (TF.js ops)') + (fuse ? '' : ', GN and SiLU unfused') + (filterGrad === 'im2col' ? ', im2col filter grad' : ''),
    batch,
    flops: 3 * countForwardFlops(referenceUnet, shapes, [batch, 3, HW, HW]),
    step: () => {
      referenceUnetOptions.fuseNormAct = fuse;
      ortKernelSettings.convFilterGrad = filterGrad;
      const before = tf.memory().numTensors;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(referenceUnet(ops, p, x), target))) as tf.Scalar,
        [...vars.values()],
      );
      opt.apply(grads);
      const loss = value.dataSync()[0]!;
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      return { ms, cpu: (cpu.user + cpu.system) / 1e6, loss, leaked: tf.memory().numTensors - before };
    },
    dispose: () => {
      for (const v of vars.values()) v.dispose();
      x.dispose();
      target.dispose();
      opt.dispose();
    },
  };
  return run;
}

/**
 * Time combos round-robin: each round, for each combo, one ORT forward, one calibration conv and one training
 * step — so every combo sees the same load. Step 0 (warm-up: ORT sessions, wasm compile) is not timed.
 */
async function timeInterleaved(
  runs: readonly ComboRun[],
  rounds: number,
  ortFwd: () => Promise<readonly [number, number]>,
  conv: () => Promise<readonly [number, number]>,
): Promise<Row[]> {
  const acc = runs.map(() => ({ ms: [] as number[], cpu: [] as number[], ort: [] as number[], ortCpu: [] as number[], conv: [] as number[], convCpu: [] as number[], losses: [] as number[], leaked: 0 }));
  for (let r = 0; r <= rounds; r++) {
    for (const [i, run] of runs.entries()) {
      await tf.setBackend(run.backend);
      const a = acc[i]!;
      const o = await ortFwd();
      const c = await conv();
      const s = run.step();
      a.losses.push(s.loss);
      if (r === 0 && rounds > 0) continue; // warm-up (optimizer moments are created here)
      a.ms.push(s.ms);
      a.cpu.push(s.cpu);
      a.ort.push(o[0]);
      a.ortCpu.push(o[1]);
      a.conv.push(c[0]);
      a.convCpu.push(c[1]);
      a.leaked += s.leaked;
    }
  }
  const fwd = countForwardFlops(referenceUnet, shapes, [BATCH, 3, HW, HW]);
  return runs.map((run, i) => {
    const a = acc[i]!;
    const ms = median(a.ms);
    return {
      combo: run.combo,
      runtime: run.runtime,
      batch: run.batch,
      msPerStep: ms,
      gflops: run.flops / ms / 1e6,
      ortFwdGflops: fwd / median(a.ort) / 1e6,
      convGflops: CONV_FLOPS / median(a.conv) / 1e6,
      cpuSPerStep: median(a.cpu),
      ortFwdCpuBound: fwd / (median(a.ortCpu) / availableParallelism()) / 1e9,
      convCpuBound: CONV_FLOPS / (median(a.convCpu) / availableParallelism()) / 1e9,
      note: `loss ${a.losses[0]!.toFixed(4)}→${a.losses[a.losses.length - 1]!.toFixed(4)}, tensors leaked ${rounds === 0 ? 'n/a (first step creates the AdamW moments)' : a.leaked}, ${a.ms.length} timed`,
    };
  });
}

type TimedRunner = { run: () => Promise<readonly [number, number]>; release: () => Promise<void> };

/** After one warm-up run: a function timing one run of `session` on `feed` as [wall ms, CPU seconds]. */
async function timedSession(session: ort.InferenceSession, feed: Record<string, ort.Tensor>): Promise<TimedRunner> {
  await session.run(feed);
  return {
    run: async () => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await session.run(feed);
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      return [ms, (c.user + c.system) / 1e6] as const;
    },
    release: () => session.release(),
  };
}

/** Build the ORT session of the same net; returns a function timing one forward pass (ms). */
async function ortForwardRunner(): Promise<TimedRunner> {
  const g = new OnnxGraphBuilder({ name: 'reference_unet' });
  const ops = new OnnxNetOps(g);
  const x = g.input('x', [BATCH, 3, HW, HW]);
  const y = referenceUnet(ops, (n) => g.initializer(n, weights.get(n)!), x);
  g.output(y, 'y', [BATCH, 3, HW, HW]);
  const session = await ort.InferenceSession.create(g.build(), {
    intraOpNumThreads: availableParallelism(),
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const feed = { x: new ort.Tensor('float32', inputData(BATCH), [BATCH, 3, HW, HW]) };
  return timedSession(session, feed);
}

const CONV_FLOPS = 2 * 4 * 64 * 64 * 9 * 64 * 64;

/** ANCHORS.md's calibration: one 3×3 conv 4×64×64×64 → 64 on ORT CPU (idle machine: 133–166 GFLOP/s). */
async function convCalibrationRunner(): Promise<TimedRunner> {
  const g = new OnnxGraphBuilder({ name: 'calibration_conv' });
  const x = g.input('x', [4, 64, 64, 64]);
  const w = g.initializer('w', { shape: [64, 64, 3, 3], data: normals(Rng.forImage(5, 'bench-tfjs-train', 'w'), 64 * 64 * 9) });
  g.output(g.op('Conv', [x, w], { pads: { ints: [1, 1, 1, 1] } }), 'y', [4, 64, 64, 64]);
  const session = await ort.InferenceSession.create(g.build(), { intraOpNumThreads: availableParallelism(), logSeverityLevel: 3 });
  const feed = { x: new ort.Tensor('float32', normals(Rng.forImage(6, 'bench-tfjs-train', 'x'), 4 * 64 * 64 * 64), [4, 64, 64, 64]) };
  return timedSession(session, feed);
}

const fwdFlops = countForwardFlops(referenceUnet, shapes, [BATCH, 3, HW, HW]);
console.log(
  `reference UNet: ${nParams} params, forward ${(fwdFlops / 1e9).toFixed(3)} GFLOP at batch ${BATCH}×3×${HW}×${HW}, ` +
    `training step ${((3 * fwdFlops) / 1e9).toFixed(3)} GFLOP; ${availableParallelism()} cores (machine shared, timings noisy)`,
);
const ortRunner = await ortForwardRunner();
const convRunner = await convCalibrationRunner();
const rows: Row[] = [];
// Batch-4 combos interleaved; the pure-JS cpu (TF.js ops) combo (minutes per step) alone, one step, at the end.
const slow = (c: string) => c === 'cpu';
const fast: ComboRun[] = [];
for (const c of COMBOS.filter((c) => !slow(c))) {
  try {
    fast.push(await setUpCombo(c));
  } catch (e) {
    rows.push({ combo: c, runtime: '-', batch: 0, msPerStep: NaN, gflops: NaN, note: `failed: ${(e as Error).message}` });
  }
}
rows.push(...(await timeInterleaved(fast, STEPS, ortRunner.run, convRunner.run)));
for (const r of fast) r.dispose();
for (const r of rows) console.error(`done: ${r.combo}: ${r.msPerStep.toFixed(1)} ms/step, ${r.gflops.toFixed(1)} GFLOP/s (ORT fwd ${(r.ortFwdGflops ?? NaN).toFixed(1)}, conv ${(r.convGflops ?? NaN).toFixed(1)}) ${r.note}`);
if (COMBOS.some(slow)) {
  const run = await setUpCombo('cpu');
  rows.push(...(await timeInterleaved([run], 0, ortRunner.run, convRunner.run)));
  run.dispose();
}
await ortRunner.release();
await convRunner.release();
console.log('\nCombos run round-robin; each training step follows one ORT forward of the same net (batch 4) and one calibration conv');
console.log("(ANCHORS.md: 3×3 conv 4×64×64×64 on ORT, 133–166 GFLOP/s on the idle machine), so all see the same load.");
console.log('"idle-projected" = effective × 150 / calibration GFLOP/s (a projection, not a measurement).');
console.log('"CPU-bound" = FLOPs / (CPU seconds per step / cores): the rate if every CPU second the step used ran back to back on');
console.log('all cores (an upper bound for an idle machine; the JS thread and ORT threads are not always all busy).');
console.log('| combination | runtime | batch | ms / step | effective GFLOP/s | ORT fwd GFLOP/s (same run) | train / ORT fwd | calibration conv GFLOP/s | idle-projected GFLOP/s | CPU s / step | CPU-bound GFLOP/s | ORT fwd CPU-bound | calib. conv CPU-bound | note |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const o = r.ortFwdGflops ?? NaN;
  const c = r.convGflops ?? NaN;
  console.log(
    `| ${r.combo} | ${r.runtime} | ${r.batch} | ${r.msPerStep.toFixed(1)} | ${r.gflops.toFixed(1)} | ${o.toFixed(1)} | ` +
      `${(r.gflops / o).toFixed(2)} | ${c.toFixed(1)} | ${((r.gflops * 150) / c).toFixed(1)} | ${(r.cpuSPerStep ?? NaN).toFixed(2)} | ` +
      `${((r.gflops * r.msPerStep) / 1000 / ((r.cpuSPerStep ?? NaN) / availableParallelism())).toFixed(1)} | ` +
      `${(r.ortFwdCpuBound ?? NaN).toFixed(1)} | ${(r.convCpuBound ?? NaN).toFixed(1)} | ${r.note} |`,
  );
}
console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
