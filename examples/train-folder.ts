/**
 * Distil a TADSR student on a folder of HQ photos and use it: a few steps of `tiny` (untrained teacher: a smoke
 * run that shows the whole loop), then upscale one image with the result.
 *
 *   npx tsx examples/train-folder.ts HQ_DIR RUN_DIR [STEPS]
 *
 * For a real model: `tadsr pretrain --config configs/small-pretrain.json`, then
 * `tadsr train --config configs/small-distill.json` (see README).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { parseTrainConfig, runTraining, upscale } from '../src/index.js';

const [hqDir, runDir, stepsArg] = process.argv.slice(2);
if (!hqDir || !runDir) {
  console.error('usage: npx tsx examples/train-folder.ts HQ_DIR RUN_DIR [STEPS]');
  process.exit(2);
}
const cfg = parseTrainConfig({
  preset: 'tiny',
  data: { hq: hqDir, patch: 64, batch: 1 },
  out: runDir,
  steps: stepsArg ? Number(stepsArg) : 10,
  checkpointEvery: 5,
  lr: 5e-4,
});
await runTraining(cfg, {}, (e) => {
  if (e.type === 'step') console.log(`step ${e.step} t_s ${e.tS} t_v ${e.tV} mse ${e.loss_mse.toFixed(4)} tavsd ${e.loss_tavsd?.toExponential(2)} diff ${e.loss_diffusion.toFixed(3)} (${e.ms_student + e.ms_fake} ms)`);
  if (e.type === 'done') console.log(`model: ${e.modelDir}`);
});
const first = readdirSync(hqDir).find((f) => /\.(png|jpe?g)$/i.test(f));
if (first) {
  await lastValueFrom(upscale([join(hqDir, first)], join(runDir, `sr_${first.replace(/\.\w+$/, '.png')}`), { model: join(runDir, 'model'), tS: 500 }));
  console.log(`upscaled ${first} with the trained student`);
}
