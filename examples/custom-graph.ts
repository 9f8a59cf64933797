/**
 * Compose your own graph from operators: read HQ photos → Real-ESRGAN degradation → TADSR one step
 * (encode at t_s → denoise → decode → colour fix) → PSNR/SSIM against the HQ → write the SR images.
 * Each operator is typed by the fields it needs: `decode` only accepts frames that carry `zHat`, etc.
 *
 *   npx tsx examples/custom-graph.ts HQ_DIR OUT_DIR [MODEL_DIR] [T_S]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import {
  Upscaler,
  colorFix,
  decode,
  degrade,
  denoise,
  encode,
  initModelDir,
  isFrameError,
  listImages,
  measure,
  readImages,
  writeImages,
} from '../src/index.js';

const [hqDir, outDir, modelArg, tsArg] = process.argv.slice(2);
if (!hqDir || !outDir) {
  console.error('usage: npx tsx examples/custom-graph.ts HQ_DIR OUT_DIR [MODEL_DIR] [T_S]');
  process.exit(2);
}
let model = modelArg;
if (!model) {
  model = join(mkdtempSync(join(tmpdir(), 'tadsr-example-')), 'tiny');
  await initModelDir(model, 'tiny');
}
const up = await Upscaler.load(model, { backend: 'onnx' });
const { backend, facts } = up;
const tS = tsArg ? Number(tsArg) : 500;

await lastValueFrom(
  listImages(hqDir).pipe(
    readImages('hq'),
    degrade({ gt_size: 128 }, 1), // 128² HQ crop → 32² LQ
    encode(backend, facts, { tS }),
    denoise(backend, facts, { formula: up.model.manifest.formula }),
    decode(backend, facts),
    colorFix('adain'),
    measure({ metrics: ['psnr', 'ssim'] }),
    writeImages(outDir, 'sr'),
    tap((f) => {
      if (isFrameError(f)) console.error(`${f.id}: ${f.stage}: ${f.message}`);
      else console.log(`${f.id}: PSNR ${f.metrics.psnr?.toFixed(2)} dB, SSIM ${f.metrics.ssim?.toFixed(4)} → ${f.written}`);
    }),
  ),
);
await up.dispose();
