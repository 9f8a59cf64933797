/**
 * SD 2.1's text encoder (CLIPTextModel, OpenCLIP ViT-H text tower: 23 layers, width 1024, 340 M parameters) with
 * random weights on ONNX Runtime CPU: emit time, session creation, milliseconds per prompt (77 tokens) and peak
 * memory. A prompt is encoded once per distinct prompt (the empty one once per model), so this is added per image
 * only when every image has its own tags.
 *
 *   npx tsx bench/ort-sd21-text-encoder.ts [--runs 3] [--prompt "building, sky, clean, high-resolution, 8k,"]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { emitSubNetwork } from '../src/backends/onnx/emit.js';
import { SessionHost } from '../src/backends/onnx/session-host.js';
import { SD21_TEXT_ENCODER, textEncoderParamShapes } from '../src/models/clip-text.js';
import { countParams, lazyInitWeights } from '../src/models/params.js';
import { presets } from '../src/models/presets.js';
import { ClipTokenizer } from '../src/text/clip-tokenizer.js';
import { NO_SPIN, cpuMs, peakRssMiB } from './ort-common.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, prompt: { type: 'string', default: 'building, city, sky, tree, clean, high-resolution, 8k,' } },
});
const runs = Number(values.runs);
const spec = { ...presets['sd21-base'], text: SD21_TEXT_ENCODER };
const shapes = textEncoderParamShapes(SD21_TEXT_ENCODER);
const rssGiB = () => (process.memoryUsage.rss() / 2 ** 30).toFixed(1);
// ids from the committed (6,514-token) fixture vocabulary: valid ids of SD 2.1's 49,408-token one
const tok = await ClipTokenizer.fromFolder(new URL('../test/fixtures/clip/tokenizer', import.meta.url).pathname);
const ids = tok.encode(values.prompt);

const dir = mkdtempSync(join(tmpdir(), 'tadsr-text-'));
const host = new SessionHost();
try {
  let t = performance.now();
  const emitted = emitSubNetwork(spec, 'textEncoder', { text: lazyInitWeights(shapes, 7) }, { externalDataPath: join(dir, 'text.onnx.data') });
  writeFileSync(join(dir, 'text.onnx'), emitted.bytes);
  console.log(
    `SD 2.1 text encoder: ${(countParams(shapes) / 1e6).toFixed(1)} M parameters, ${emitted.nodeCount} nodes, ${(emitted.initializerBytes / 2 ** 30).toFixed(2)} GiB, emitted in ${((performance.now() - t) / 1e3).toFixed(1)} s; RSS ${rssGiB()} GiB`,
  );
  t = performance.now();
  const threads = availableParallelism();
  const { provider } = await host.create('text', { kind: 'path', path: join(dir, 'text.onnx') }, ['cpu'], threads, NO_SPIN);
  console.log(`session (${provider}, ${threads} threads) created in ${((performance.now() - t) / 1e3).toFixed(1)} s; RSS ${rssGiB()} GiB`);
  const feeds = { inputIds: { shape: [1, ids.length], data: Float32Array.from(ids) } };
  for (let r = 0; r < runs; r++) {
    const c0 = cpuMs();
    const { outputs, ms } = await host.run('text', feeds);
    const cpu = cpuMs() - c0;
    const h = outputs.lastHiddenState!;
    console.log(`run ${r + 1}${r === 0 ? ' (cold)' : ''}: ${ms.toFixed(0)} ms/prompt (${cpu.toFixed(0)} ms CPU), output [${h.shape.join(', ')}] ${h.data.every(Number.isFinite) ? 'finite' : 'HAS NaN/Inf'}`);
  }
  console.log(`peak RSS of the process (incl. ORT worker): ${(peakRssMiB() / 1024).toFixed(1)} GiB`);
} finally {
  await host.terminate();
  rmSync(dir, { recursive: true, force: true });
}
