/**
 * Ship a trained student as `models/default`: the model directory written by `tadsr train` (`OUT/model`, F32)
 * re-stored with F16 weights (16.6 M parameters: 33 MB instead of 66 MB, under the 50 MB limit for the repo),
 * the manifest kept and its provenance extended, and this model's card linked; a t_s adapter goes along (F16). Inference reads F16 back as F32.
 *
 * ```sh
 * npx tsx bench/shipped-model-export.ts runs/small-vae16/distill-full/model models/default
 * npx tsx bench/shipped-model-export.ts runs/small-taef2/teacher/model models/small-taef2/snapshot/teacher models/small-taef2/MODEL_CARD.md
 * ```
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readModelDir } from '../src/graphs/model-dir.js';
import { tsAdapterFileWeights } from '../src/models/ts-adapter.js';
import { writeSafetensors } from '../src/models/safetensors.js';

/** Copy `src` (a tadsr model directory) to `dst` with F16 weights; returns the manifest written. */
export async function exportDefault(
  src: string,
  dst: string,
  extra: Record<string, string | number | boolean> = {},
  card = 'models/small-vae16/MODEL_CARD.md',
): Promise<unknown> {
  const model = await readModelDir(src);
  const manifest = JSON.parse(await readFile(join(src, 'model.json'), 'utf8')) as Record<string, unknown> & { files: Record<string, string>; provenance: Record<string, unknown> };
  const out = {
    ...manifest,
    provenance: { ...manifest.provenance, ...extra, exportedFrom: src, storedAs: 'F16', card },
    files: { unet: 'unet.safetensors', vae: 'vae.safetensors', ...(model.weights.tsAdapter ? { tsAdapter: 'ts-adapter.safetensors' } : {}) },
  };
  const tmp = `${dst}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeSafetensors(join(tmp, 'unet.safetensors'), model.weights.unet, { dtype: 'F16', metadata: { format: 'pt' } });
  await writeSafetensors(join(tmp, 'vae.safetensors'), model.weights.vae, { dtype: 'F16', metadata: { format: 'pt' } });
  if (model.weights.tsAdapter) {
    await writeSafetensors(join(tmp, 'ts-adapter.safetensors'), tsAdapterFileWeights(model.weights.tsAdapter), { dtype: 'F16', metadata: { format: 'pt' } });
  }
  await writeFile(join(tmp, 'model.json'), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(
    join(tmp, 'README.md'),
    `# ${dst}\n\nA tadsr model folder exported from \`${src}\` with F16 weights (read back as F32). How it was made, what it\n` +
      `scores and its limits: \`${card}\`.\n`,
  );
  await rm(dst, { recursive: true, force: true });
  await rename(tmp, dst);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [src, dst = 'models/default', card] = process.argv.slice(2);
  if (!src) {
    process.stderr.write('usage: npx tsx bench/shipped-model-export.ts SRC_MODEL_DIR [DST=models/default] [CARD]\n');
    process.exit(2);
  }
  await exportDefault(src, dst, {}, card);
  process.stderr.write(`wrote ${dst}\n`);
}
