/**
 * Upscale every image of a folder ×4 with TADSR, at a chosen t_s, into another folder (same file names).
 *
 *   npx tsx examples/upscale-folder.ts IN_DIR OUT_DIR [MODEL_DIR] [T_S]
 *
 * Without MODEL_DIR an untrained `tiny` model is made in a temp folder, so the example always runs (its output is
 * noise-like: train one with examples/train-folder.ts or `tadsr train`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import { initModelDir, upscale } from '../src/index.js';

const [inDir, outDir, modelArg, tsArg] = process.argv.slice(2);
if (!inDir || !outDir) {
  console.error('usage: npx tsx examples/upscale-folder.ts IN_DIR OUT_DIR [MODEL_DIR] [T_S]');
  process.exit(2);
}
let model = modelArg;
if (!model) {
  model = join(mkdtempSync(join(tmpdir(), 'tadsr-example-')), 'tiny');
  await initModelDir(model, 'tiny');
  console.error(`no model given: using an untrained tiny model in ${model}`);
}

await lastValueFrom(
  upscale([inDir], outDir, { model, tS: tsArg ? Number(tsArg) : 500, tile: 128, overlap: 32, colorFix: 'adain' }).pipe(
    tap((e) => {
      if (e.type === 'file') console.log(`${e.out}  ${e.width}x${e.height}  ${e.ms} ms`);
      if (e.type === 'error') console.error(`skipped ${e.path}: ${e.message}`);
    }),
  ),
);
