// The GPU kit's benchmark (run by ./bench.sh with the kit's Node). For each preset (KIT_PRESETS, default
// "small sd21-base"): `tadsr bench` of the whole student at KIT_SIZE² LQ → (4·KIT_SIZE)² (default 128 → 512) on the
// CPU provider and on WebGPU (ms per image, max |Δ| between them), then the command-line path end to end: a
// random-weight model made here with `tadsr init-model`, one LQ image upscaled with --device webgpu and with
// --device cpu (wall ms, PNGs compared). Prints a Markdown table and writes results.json / results.md to
// KIT_WORK (default: a temp folder, removed unless KIT_KEEP=1). Exit 1 when a run fails or parity is off.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KIT = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const presets = (process.env.KIT_PRESETS ?? 'small sd21-base').split(/\s+/).filter(Boolean);
const size = Number(process.env.KIT_SIZE ?? 128);
const repeats = Number(process.env.KIT_REPEATS ?? 3);
const ownWork = process.env.KIT_WORK === undefined;
const work = process.env.KIT_WORK ?? mkdtempSync(join(tmpdir(), 'tadsr-kit-'));
/** Largest |Δ| of the student's output in [−1, 1] allowed between WebGPU and CPU (1e-3 of the range). */
const MAX_DIFF = 2e-3;

function tadsr(args) {
  const t0 = performance.now();
  const r = spawnSync(join(KIT, 'tadsr'), args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ...r, ms: performance.now() - t0 };
}
const log = (m) => process.stderr.write(`${m}\n`);

const vk = spawnSync(process.env.TADSR_VULKANINFO ?? join(KIT, 'bin', 'vulkaninfo'), ['--summary'], {
  encoding: 'utf8',
  env: { ...process.env, LD_LIBRARY_PATH: `${join(KIT, 'lib', 'vulkan')}:${process.env.LD_LIBRARY_PATH ?? ''}` },
});
const adapters = [...(vk.stdout ?? '').matchAll(/deviceType\s*=\s*(\S+)[\s\S]*?deviceName\s*=\s*(.+)/g)].map((m) => ({
  type: m[1].replace('PHYSICAL_DEVICE_TYPE_', '').toLowerCase(),
  name: m[2].trim(),
}));
log(`Vulkan adapters: ${adapters.map((a) => `${a.name} (${a.type})`).join(', ') || `none (${(vk.stderr ?? vk.error?.message ?? '').trim().split('\n')[0]})`}`);

const results = { adapters, size, px: size * 4, repeats, presets: [], ok: true };
for (const preset of presets) {
  const entry = { preset };
  log(`${preset}: tadsr bench (cpu, webgpu) at ${size}² → ${size * 4}² …`);
  const b = tadsr(['bench', '--preset', preset, '--size', String(size), '--graph', 'student', '--backends', 'onnx:cpu,onnx:webgpu', '--repeats', String(repeats), '--json', '--quiet']);
  try {
    const j = JSON.parse(b.stdout);
    entry.bench = j.rows.map((r) => ({ variant: r.variant, runtime: r.runtime, msPerImage: r.msPerImage, peakRssMiB: r.peakRssMiB, maxAbsDiff: r.maxAbsDiff, error: r.error }));
    const gpu = j.rows.find((r) => r.variant === 'webgpu');
    if (j.rows.some((r) => r.error !== undefined) || gpu === undefined || !(gpu.maxAbsDiff <= MAX_DIFF)) results.ok = false;
  } catch {
    entry.bench = { error: (b.stderr || b.error?.message || '').trim().split('\n').slice(-3).join(' | ') };
    results.ok = false;
  }

  // end to end through the command line, with a random-weight model made here
  const model = join(work, `model-${preset}`);
  const init = tadsr(['init-model', '--preset', preset, '--out', model, '--seed', '0']);
  if (init.status !== 0) {
    entry.e2e = { error: `init-model: ${init.stderr.trim().split('\n').slice(-2).join(' | ')}` };
    results.ok = false;
  } else {
    const lq = join(work, `lq-${preset}.png`);
    const px = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const v = 90 + (x * 120) / size + 40 * Math.sin(x / 3) * Math.cos(y / 4);
      px.set([v + 12, v, v - 10].map((c) => Math.max(0, Math.min(255, Math.round(c)))), 3 * (y * size + x));
    }
    await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(lq);
    const e2e = {};
    const pngs = {};
    for (const device of ['webgpu', 'cpu']) {
      const out = join(work, `sr-${preset}-${device}.png`);
      const r = tadsr(['upscale', lq, '-o', out, '--model', model, '--device', device, '--tile', String(size)]);
      const line = /^(\S+) \((\d+)x(\d+), (\d+) ms\)$/m.exec(r.stderr);
      e2e[device] = r.status === 0 ? { wallMs: Math.round(r.ms), imageMs: line ? Number(line[4]) : null, runtime: /on (onnxruntime-node .*); model/.exec(r.stderr)?.[1] } : { error: r.stderr.trim().split('\n').slice(-2).join(' | ') };
      if (r.status === 0) pngs[device] = await sharp(out).raw().toBuffer();
      else results.ok = false;
    }
    if (pngs.webgpu && pngs.cpu) {
      let worst = 0;
      let differing = 0;
      for (let i = 0; i < pngs.cpu.length; i++) {
        const d = Math.abs(pngs.cpu[i] - pngs.webgpu[i]);
        worst = Math.max(worst, d);
        if (d > 0) differing++;
      }
      e2e.parity = { maxLevels: worst, differingFraction: differing / pngs.cpu.length };
      if (worst > 2 || differing / pngs.cpu.length > 0.01) results.ok = false;
    }
    entry.e2e = e2e;
  }
  results.presets.push(entry);
}

const fmt = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–');
const lines = [
  `GPU kit benchmark: student ${size}² → ${size * 4}², ${repeats} timed run(s) after a warm-up; adapter: ${adapters[0] ? `${adapters[0].name} (${adapters[0].type})` : 'none listed'}`,
  '',
  '| preset | device | ms / image (bench) | max abs diff vs CPU | CLI upscale wall ms | CLI image ms | runtime |',
  '|---|---|---|---|---|---|---|',
];
for (const e of results.presets) {
  const rows = Array.isArray(e.bench) ? e.bench : [{ variant: '?', error: e.bench.error }];
  for (const r of rows) {
    const cli = e.e2e?.[r.variant] ?? {};
    lines.push(`| ${e.preset} | ${r.variant} | ${r.error ? `failed: ${r.error}` : fmt(r.msPerImage)} | ${r.variant === 'cpu' ? '(reference)' : r.maxAbsDiff === null || r.maxAbsDiff === undefined ? '–' : r.maxAbsDiff.toExponential(2)} | ${cli.error ? `failed: ${cli.error}` : fmt(cli.wallMs, 0)} | ${fmt(cli.imageMs, 0)} | ${r.runtime ?? ''} |`);
  }
  if (e.e2e?.parity) lines.push(`| ${e.preset} | PNG webgpu vs cpu | max ${e.e2e.parity.maxLevels} level(s), ${(100 * e.e2e.parity.differingFraction).toFixed(3)} % of values differ | | | | |`);
  if (e.e2e?.error) lines.push(`| ${e.preset} | CLI | failed: ${e.e2e.error} | | | | |`);
}
lines.push('', results.ok ? 'parity: OK' : 'parity or a run: FAILED');
const md = lines.join('\n');
process.stdout.write(`${md}\n`);
writeFileSync(join(work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(work, 'results.md'), `${md}\n`);
if (ownWork && process.env.KIT_KEEP !== '1') rmSync(work, { recursive: true, force: true });
else log(`results in ${work}`);
process.exitCode = results.ok ? 0 : 1;
