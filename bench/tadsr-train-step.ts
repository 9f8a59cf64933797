/**
 * ms per distillation step (student update + fake-score update) for the `tiny` and `small` presets, with the
 * frozen teacher on TF.js (the distillation nets as a backend) vs on ONNX Runtime (the ONNX backend), both read
 * through the `Backend` contract before the gradient tape,
 * measured in the same process, interleaved (A, B, A, B) so machine load hits both alike. Data: HQ patches from
 * ../shared/data/train/kodak24 (read by path), degraded on the fly. Untrained weights (speed only).
 *
 * Run: npx tsx bench/tadsr-train-step.ts [--steps 4] [--presets tiny,small] [--patch-tiny 64] [--patch-small 128]
 * Prints per configuration: mean ms of student step (incl. the scores), teacher + fake-score forward at z_{t_v}, fake step, data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StepRecord, runTraining } from '../src/graphs/train.js';
import { parseTrainConfig } from '../src/graphs/train-config.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const steps = Number(args.get('steps') ?? 4);
const presets = (args.get('presets') ?? 'tiny,small').split(',');
const patch: Record<string, number> = { tiny: Number(args.get('patch-tiny') ?? 64), small: Number(args.get('patch-small') ?? 128) };
const data = new URL('../../shared/data/train/kodak24', import.meta.url).pathname;

async function measure(preset: string, teacher: 'tfjs' | 'onnx'): Promise<StepRecord[]> {
  const out = mkdtempSync(join(tmpdir(), 'tadsr-bench-'));
  const cfg = parseTrainConfig({ preset, data: { hq: data, patch: patch[preset] }, out, steps: steps + 1, checkpointEvery: 10_000, teacherBackend: teacher, debug: { fixedTs: 500 } });
  const recs: StepRecord[] = [];
  await runTraining(cfg, { skipExport: true }, (e) => {
    if (e.type === 'step') recs.push(e);
  });
  rmSync(out, { recursive: true, force: true });
  return recs.slice(1); // first step warms sessions up
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`steps measured per run: ${steps} (after 1 warm-up), t_s fixed 500, batch 1; machine shared (2 cores, other jobs)`);
for (const preset of presets) {
  const rows: Record<string, StepRecord[]> = { tfjs: [], onnx: [] };
  for (const t of ['tfjs', 'onnx', 'tfjs', 'onnx'] as const) rows[t]!.push(...(await measure(preset, t)));
  for (const t of ['tfjs', 'onnx'] as const) {
    const r = rows[t]!;
    console.log(
      `${preset} patch ${patch[preset]} teacher=${t}: step ${mean(r.map((x) => x.ms_student + x.ms_fake)).toFixed(0)} ms ` +
        `(student ${mean(r.map((x) => x.ms_student)).toFixed(0)} incl. teacher fwd ${mean(r.map((x) => x.ms_teacher)).toFixed(0)}, ` +
        `fake ${mean(r.map((x) => x.ms_fake)).toFixed(0)}, data ${mean(r.map((x) => x.ms_data)).toFixed(0)})`,
    );
  }
  const a = mean(rows.tfjs!.map((x) => x.ms_student + x.ms_fake));
  const b = mean(rows.onnx!.map((x) => x.ms_student + x.ms_fake));
  console.log(`${preset}: ONNX teacher / TF.js teacher step time = ${(b / a).toFixed(2)}`);
}
