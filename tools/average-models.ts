/**
 * Average the weights of several tadsr model folders of one spec (checkpoint averaging, a "model soup"): the
 * distillation on this CPU oscillates between checkpoints 50 steps apart, and the mean of neighbouring
 * checkpoints is a steadier student than any one of them. Every tensor of every network is the arithmetic mean;
 * the manifest (spec, formula, colour fix, default t_s) is the first folder's, its provenance names the sources.
 *
 * ```sh
 * npx tsx tools/average-models.ts --out runs/avg/model runs/a/model runs/b/model [runs/c/model …]
 * ```
 */
import { readModelDir, writeModelDir, checkModelDirTarget } from '../src/graphs/model-dir.js';
import type { WeightMap } from '../src/models/params.js';

/** Thrown when the folders cannot be averaged (different specs or tensor sets); the message says which. */
export class AverageModelsError extends Error {
  override name = 'AverageModelsError';
}

function meanOf(maps: readonly WeightMap[], net: string): WeightMap {
  const out: WeightMap = new Map();
  const first = maps[0]!;
  for (const [k, t0] of first) {
    const acc = new Float32Array(t0.data.length);
    for (const [i, m] of maps.entries()) {
      const t = m.get(k);
      if (!t) throw new AverageModelsError(`${net}: ${k} is missing in folder ${i + 1}`);
      if (t.data.length !== acc.length || t.shape.join(',') !== t0.shape.join(',')) {
        throw new AverageModelsError(`${net}: ${k} is [${t.shape.join(', ')}] in folder ${i + 1}, [${t0.shape.join(', ')}] in folder 1`);
      }
      for (let j = 0; j < acc.length; j++) acc[j]! += t.data[j]!;
    }
    for (let j = 0; j < acc.length; j++) acc[j]! /= maps.length;
    out.set(k, { shape: t0.shape, data: acc });
  }
  for (const [i, m] of maps.entries()) {
    for (const k of m.keys()) if (!first.has(k)) throw new AverageModelsError(`${net}: ${k} is in folder ${i + 1} but not in folder 1`);
  }
  return out;
}

/** Write the mean of the model folders `dirs` to `out` (a new, empty or tadsr model folder). */
export async function averageModels(dirs: readonly string[], out: string): Promise<void> {
  if (dirs.length < 2) throw new AverageModelsError(`need at least two model folders, got ${dirs.length}`);
  checkModelDirTarget(out);
  const models = await Promise.all(dirs.map((d) => readModelDir(d)));
  const spec0 = JSON.stringify(models[0]!.manifest.spec);
  for (const [i, m] of models.entries()) {
    if (JSON.stringify(m.manifest.spec) !== spec0) throw new AverageModelsError(`${dirs[i]} has another spec than ${dirs[0]}`);
    if (m.weights.tsAdapter !== undefined) throw new AverageModelsError(`${dirs[i]}: has a t_s adapter; average the models it was built from, then add the adapter`);
    if (Boolean(m.weights.text) !== Boolean(models[0]!.weights.text)) throw new AverageModelsError(`${dirs[i]}: text encoder present in some folders only`);
  }
  const w = models.map((m) => m.weights);
  const m0 = models[0]!.manifest;
  await writeModelDir(
    out,
    m0.spec,
    {
      unet: meanOf(w.map((x) => x.unet), 'unet'),
      vae: meanOf(w.map((x) => x.vae), 'vae'),
      ...(w[0]!.text ? { text: meanOf(w.map((x) => x.text!), 'text') } : {}),
    },
    {
      ...(m0.preset ? { preset: m0.preset } : {}),
      formula: m0.formula,
      colorFix: m0.colorFix,
      defaultTs: m0.defaultTs,
      provenance: { source: 'tools/average-models.ts', averageOf: dirs.join(' ') },
    },
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const i = argv.indexOf('--out');
  if (i < 0 || !argv[i + 1]) {
    console.error('usage: npx tsx tools/average-models.ts --out OUT MODEL MODEL [MODEL …]');
    process.exit(2);
  }
  const out = argv[i + 1]!;
  const dirs = argv.filter((_, j) => j !== i && j !== i + 1);
  try {
    await averageModels(dirs, out);
    console.log(`average of ${dirs.length} models → ${out}`);
  } catch (e) {
    console.error(`average-models: ${(e as Error).message}`);
    process.exit(e instanceof AverageModelsError ? 2 : 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
