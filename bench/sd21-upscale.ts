/**
 * The whole full-size path as a user runs it: `tadsr upscale --model DIR --tags FILE --prompt TEXT` on a model of
 * SD 2.1-base's size (random weights: `tools/make_random_sd21.py`), text encoder included — each image has its
 * own tags, so each is encoded. Each process runs under `/usr/bin/time` (wall seconds, CPU seconds user+system —
 * the figure that survives a shared, loaded machine —, peak RSS of the process, the ONNX Runtime worker thread
 * included): one image, then N images; the difference over N−1 is the cost of one more image (text encoding +
 * time-aware encoder + UNet + decoder), the rest is start-up (graph emission, sessions, the empty prompt).
 * --images 1 runs only the first process (total cost of one image, start-up included).
 *
 *   npm run build && ~/venvs/fixtures/bin/python tools/make_random_sd21.py --out /tmp/tadsr-sd21-random
 *   nice -n 10 npx tsx bench/sd21-upscale.ts --model /tmp/tadsr-sd21-random [--size 128] [--images 2] [--device cpu]
 *
 * --size is the LQ side (the output is 4× that: 128 → 512²). LQ images are a smooth seeded pattern (the cost does
 * not depend on the content).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    size: { type: 'string', default: '128' },
    images: { type: 'string', default: '2' },
    device: { type: 'string', default: 'cpu' },
    prompt: { type: 'string', default: 'clean, high-resolution, 8k' },
    json: { type: 'boolean', default: false },
  },
});
if (!values.model) throw new Error('bench/sd21-upscale.ts: --model DIR (made by tools/make_random_sd21.py) is required');
const model = values.model;
const manifest = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')) as { files: Record<string, string> };
if (!manifest.files.textEncoder) throw new Error(`bench/sd21-upscale.ts: ${model} has no text encoder (export it with SD 2.1's text_encoder/)`);
const bin = fileURLToPath(new URL('../bin/tadsr.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('bench/sd21-upscale.ts: run `npm run build` first');
const side = Number(values.size);
const n = Number(values.images);
if (!(n >= 1)) throw new Error('--images must be at least 1');

const TAGS = ['building, city, sky, tree', 'cat, sofa, window, plant', 'mountain, lake, forest, cloud', 'street, car, person, sign'];

async function lq(path: string, seed: number): Promise<void> {
  const px = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      for (let c = 0; c < 3; c++) {
        px[(y * side + x) * 3 + c] = Math.round(127.5 + 100 * Math.sin(x / (3 + seed) + c) * Math.cos(y / 5 - c * seed));
      }
    }
  }
  await sharp(px, { raw: { width: side, height: side, channels: 3 } }).png().toFile(path);
}

interface Run { images: number; wallS: number; cpuS: number; peakRssGiB: number }

function run(dir: string, images: number): Run {
  const inDir = join(dir, `in${images}`);
  const outDir = join(dir, `out${images}`);
  const tags = join(dir, `tags${images}.jsonl`);
  const args = ['-f', '%e %U %S %M', process.execPath, bin, 'upscale', inDir, '-o', outDir, '--model', model, '--tags', tags, '--prompt', values.prompt!, '--device', values.device!, '--quiet'];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(last);
  if (r.status !== 0 || !m) throw new Error(`tadsr upscale failed (exit ${r.status}):\n${r.stderr}`);
  return { images, wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]), peakRssGiB: Number(m[4]) / 2 ** 20 };
}

const dir = mkdtempSync(join(tmpdir(), 'tadsr-sd21-upscale-'));
try {
  for (const k of n > 1 ? [1, n] : [1]) {
    mkdirSync(join(dir, `in${k}`));
    const lines: string[] = [];
    for (let i = 0; i < k; i++) {
      const name = `img${i}.png`;
      await lq(join(dir, `in${k}`, name), i + 1);
      lines.push(JSON.stringify({ name, tags: TAGS[i % TAGS.length] }));
    }
    writeFileSync(join(dir, `tags${k}.jsonl`), `${lines.join('\n')}\n`);
  }
  const one = run(dir, 1);
  const many = n > 1 ? run(dir, n) : undefined;
  const perImage = many ? { wallS: (many.wallS - one.wallS) / (n - 1), cpuS: (many.cpuS - one.cpuS) / (n - 1) } : undefined;
  const result = {
    model,
    output: `${4 * side}²`,
    device: values.device,
    cpu: `${cpus()[0]?.model ?? '?'} (${availableParallelism()} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    runs: many ? [one, many] : [one],
    perImage,
    startup: perImage ? { wallS: one.wallS - perImage.wallS, cpuS: one.cpuS - perImage.cpuS } : undefined,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`tadsr upscale --model ${model} (--tags per image, --prompt), ${result.output} outputs, --device ${values.device}; ${result.cpu}`);
    for (const r of result.runs) {
      console.log(`  ${r.images} image(s): ${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(1)} s CPU, peak RSS ${r.peakRssGiB.toFixed(2)} GiB`);
    }
    if (result.perImage && result.startup) {
      console.log(`  per ${result.output} image (its prompt encoded, TAE, UNet, decoder): ${result.perImage.wallS.toFixed(1)} s wall, ${result.perImage.cpuS.toFixed(1)} s CPU`);
      console.log(`  start-up: ${result.startup.wallS.toFixed(1)} s wall, ${result.startup.cpuS.toFixed(1)} s CPU`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
