/**
 * VAE reconstruction on held-out HR images: encode (posterior mean) → decode, no super-resolution. The scores are
 * the ceiling the decoder puts on any student that uses it: a student whose latents were perfect would still score
 * only this. Images are read by path (default the first 16 of ../shared/data/drealsr/hr, never trained on).
 *
 * ```sh
 * npx tsx bench/vae-reconstruction.ts --model models/default --limit 16
 * npx tsx bench/vae-reconstruction.ts --model runs/small-vae16/teacher/model --decoder-from runs/small-vae16/decoder-ft
 * ```
 * Options: `--model DIR` (a tadsr model directory), `--decoder-from RUN` (use the decoder of the latest checkpoint of
 * a `tadsr pretrain` run, e.g. a decoder fine-tune in progress), `--hr DIR`, `--limit N` (default 16; 0 = all).
 * Prints one JSON line: mean PSNR-Y / SSIM-Y (pyiqa convention) and NIQE (BasicSR convention) of the reconstructions.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOnnxBackend } from '../src/backends/onnx/onnx-backend.js';
import { modelFacts, readModelDir } from '../src/graphs/model-dir.js';
import { isDecoderParam } from '../src/graphs/pretrain.js';
import { readLatestCheckpoint } from '../src/graphs/training/run-files.js';
import { resolveImagePaths } from '../src/io/list-images.js';
import { readImageFile } from '../src/io/read-image-file.js';
import { loadNiqeParams, niqe, psnr, ssim } from '../src/metrics/index.js';
import { decodeLatent, encodeLatent } from '../src/operators/net-calls.js';
import { imageToTensor, tensorToImage } from '../src/operators/tensor-image.js';
import { mean, parseArgs } from './peers-args.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const modelDir = args.get('model') ?? join(repoRoot, 'models/default');
const hrDir = args.get('hr') ?? resolve(repoRoot, '../shared/data/drealsr/hr');
const limit = args.int('limit', 16);
const ftRun = args.get('decoder-from');

const model = await readModelDir(modelDir);
const vae = new Map(model.weights.vae);
let decoder = `${modelDir} (its own)`;
if (ftRun) {
  const ck = await readLatestCheckpoint(ftRun, ['unet', 'vae', 'opt']);
  if (!ck) throw new Error(`--decoder-from ${ftRun}: no checkpoint found`);
  let n = 0;
  for (const [k, t] of ck.groups['vae']!) if (isDecoderParam(k)) { vae.set(k, t); n++; }
  decoder = `${ck.dir} (${n} tensors)`;
}
const backend = await createOnnxBackend(model.manifest.spec, { unet: model.weights.unet, vae }, { providers: ['cpu'] });
const facts = modelFacts(model.manifest.spec);
const params = loadNiqeParams();
const paths = resolveImagePaths(hrDir).sort();
const chosen = limit > 0 ? paths.slice(0, limit) : paths;
const scores: { psnr: number; ssim: number; niqe: number }[] = [];
try {
  for (const p of chosen) {
    const img = await readImageFile(p);
    const z = await encodeLatent(backend, facts, imageToTensor(img, 8), 0, { tae: false }); // posterior mean
    const rec = tensorToImage(await decodeLatent(backend, facts, z), img.width, img.height);
    scores.push({ psnr: psnr(rec, img), ssim: ssim(rec, img), niqe: niqe(rec, { params }) });
  }
} finally {
  await backend.dispose();
}
console.log(JSON.stringify({
  model: modelDir, decoder, images: scores.length,
  psnrY: +mean(scores.map((s) => s.psnr)).toFixed(3), ssimY: +mean(scores.map((s) => s.ssim)).toFixed(4), niqe: +mean(scores.map((s) => s.niqe)).toFixed(3),
}));
