/**
 * The one error contract, per command: usage/config errors (commander's included) exit 2, failed inputs or a
 * run-time fault exit 1, success 0; every message is `tadsr <command>: …`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/errors.js';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { writeSafetensors } from '../../src/models/safetensors.js';
import { runCli, snapshot } from '../helpers/cli-run.js';

let root: string;
let model: string;
let hq: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-contract-'));
  model = join(root, 'model');
  await initModelDir(model, 'tiny', { seed: 1 });
  hq = join(root, 'hq');
  mkdirSync(hq);
  const sharp = (await import('sharp')).default;
  await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 10, g: 200, b: 90 } } }).png().toFile(join(hq, 'a.png'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const COMMANDS: [string, string[]][] = [
  ['degrade', ['--in', '.', '--out', 'x']],
  ['eval', ['--hr', '.']],
  ['bench', []],
  ['upscale', ['in.png', '-o', 'x']],
  ['train', ['--config', 'c.json']],
  ['init-model', ['--preset', 'tiny', '--out', 'x']],
  ['pretrain', ['--config', 'c.json']],
  ['eval-model', ['--model', 'm', '--lq', 'l', '--hr', 'h']],
];

describe('commander usage errors exit 2 with the command named', () => {
  for (const [cmd, args] of COMMANDS) {
    it(`${cmd}: unknown option`, async () => {
      const r = await runCli([cmd, ...args, '--no-such-option']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^tadsr ${cmd}: unknown option '--no-such-option'`));
    });
  }
  it('a missing required option, an unknown command', async () => {
    const r = await runCli(['degrade', '--out', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr degrade: required option '--in <dir>' not specified/);
    const u = await runCli(['nope']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^tadsr: unknown command 'nope'/);
    expect((await runCli([])).code).toBe(2); // no command: help on stderr, a usage error
  });
  it('--help and --version exit 0', async () => {
    expect((await runCli(['--version'])).code).toBe(0);
    expect((await runCli(['upscale', '--help'])).code).toBe(0);
  });
});

describe('the commands\' own checks exit 2, with clear messages', () => {
  it('bench: a bad --size is a usage error (was exit 1)', async () => {
    const r = await runCli(['bench', '--size', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tadsr bench: --size must be a positive integer, got "abc"\n');
  });

  it('unknown backend: exit 2 in upscale and eval-model alike', async () => {
    const lq = join(root, 'lq');
    mkdirSync(lq, { recursive: true });
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(join(lq, 'a.png'));
    const u = await runCli(['upscale', lq, '-o', join(root, 'sr-backend'), '--model', model, '--backend', 'nope']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^tadsr upscale: unknown backend "nope"/);
    const e = await runCli(['eval-model', '--model', model, '--lq', lq, '--hr', lq, '--backend', 'nope', '--t-s', '500']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^tadsr eval-model: unknown backend "nope"/);
  });

  it('eval: an empty --sr folder is a usage error, not a NaN table', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = await runCli(['eval', '--sr', empty, '--hr', hq, '--workers', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr eval: no images to score in .*empty/);
    expect(r.stdout).not.toMatch(/NaN/);
  });

  it('train: --steps -1 is blamed on --steps, not on the config file', async () => {
    const cfg = join(root, 'train.json');
    writeFileSync(cfg, JSON.stringify({ preset: 'tiny', data: { hq, patch: 32 }, out: join(root, 'run-steps'), steps: 2 }));
    const r = await runCli(['train', '--config', cfg, '--steps', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tadsr train: --steps must be an integer ≥ 1, got -1\n');
  });

  it('train and pretrain: a missing data.hq names the key (both exit 2)', async () => {
    const t = join(root, 'train-hq.json');
    writeFileSync(t, JSON.stringify({ preset: 'tiny', data: { hq: join(root, 'no-such'), patch: 32 }, out: join(root, 'run-hq'), steps: 2 }));
    const r = await runCli(['train', '--config', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr train: data\.hq: no such file or directory: .*no-such/);
    const p = join(root, 'pretrain-hq.json');
    writeFileSync(p, JSON.stringify({ preset: 'tiny', data: { hq: join(root, 'no-such'), patch: 32, batch: 1 }, out: join(root, 'pre-hq'), vae: { steps: 1 }, unet: { steps: 1 } }));
    const q = await runCli(['pretrain', '--config', p]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/^tadsr pretrain: data\.hq: no such file or directory/);
  });

  it('train and pretrain: every image unreadable is a failed input for both (exit 1)', async () => {
    const bad = join(root, 'bad-hq');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'x.png'), 'not a png');
    const t = join(root, 'train-bad.json');
    writeFileSync(t, JSON.stringify({ preset: 'tiny', data: { hq: bad, patch: 32 }, out: join(root, 'run-bad'), steps: 1 }));
    const r = await runCli(['train', '--config', t, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tadsr train: none of the 1 images in .*bad-hq could be read/);
    const p = join(root, 'pretrain-bad.json');
    writeFileSync(p, JSON.stringify({ preset: 'tiny', data: { hq: bad, patch: 32, batch: 1 }, out: join(root, 'pre-bad'), vae: { steps: 1 }, unet: { steps: 1 } }));
    const q = await runCli(['pretrain', '--config', p, '--quiet']);
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/tadsr pretrain: none of the 1 images in .*bad-hq could be read/);
  });
});

describe('outputs that cannot be written are refused before any work (exit 2)', () => {
  it('degrade, train, eval-model --report', async () => {
    const d = await runCli(['degrade', '--in', hq, '--out', '/proc/tadsr-pairs']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/^tadsr degrade: cannot write output \/proc\/tadsr-pairs: files cannot be created there/);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const cfg = join(root, 'train-out.json');
    writeFileSync(cfg, JSON.stringify({ preset: 'tiny', data: { hq, patch: 32 }, out: join(file, 'run'), steps: 1 }));
    const t = await runCli(['train', '--config', cfg]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^tadsr train: cannot write run folder .*a-file\/run: .*a-file is a file, not a folder/);
    const e = await runCli(['eval-model', '--model', model, '--lq', hq, '--hr', hq, '--report', join(file, 'r')]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^tadsr eval-model: cannot write report .*a-file is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});

describe('a broken model folder is named, never a raw TypeError', () => {
  async function brokenModel(edit: (manifest: Record<string, unknown>) => void): Promise<string> {
    const d = join(mkdtempSync(join(root, 'bm-')), 'm');
    await initModelDir(d, 'tiny', { seed: 1 });
    const m = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as Record<string, unknown>;
    edit(m);
    writeFileSync(join(d, 'model.json'), JSON.stringify(m));
    return d;
  }
  const upscaleWith = (m: string) => runCli(['upscale', join(hq, 'a.png'), '-o', join(root, `sr-${Math.random()}.png`), '--model', m]);

  it.each([
    ['defaultTs', (m: Record<string, unknown>) => (m['defaultTs'] = 5000), /model\.json: "defaultTs" must be an integer in \[0, 999\], got 5000/],
    ['files missing', (m: Record<string, unknown>) => delete m['files'], /model\.json: "files" must be an object/],
    ['files.unet a number', (m: Record<string, unknown>) => (m['files'] = { unet: 5, vae: 'vae.safetensors' }), /model\.json: "files\.unet" must be a file name, got 5/],
    ['files.vae out of the folder', (m: Record<string, unknown>) => (m['files'] = { unet: 'unet.safetensors', vae: '../../etc/passwd' }), /"files\.vae" \("\.\.\/\.\.\/etc\/passwd"\) must name a file inside the model folder/],
    ['formula', (m: Record<string, unknown>) => (m['formula'] = 'magic'), /"formula" must be one of ddpm-x0, official/],
  ])('model.json with a bad %s: exit 2 naming model.json and the key', async (_name, edit, message) => {
    const r = await upscaleWith(await brokenModel(edit));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr upscale: /);
    expect(r.stderr).toMatch(message);
  });

  it('a malformed safetensors header entry names the file and the tensor', async () => {
    const d = await brokenModel(() => undefined);
    const header = Buffer.from(JSON.stringify({ 'conv_in.weight': null }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(join(d, 'unet.safetensors'), Buffer.concat([len, header]));
    const r = await upscaleWith(d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr upscale: cannot read UNet weights .*unet\.safetensors: tensor "conv_in\.weight": header entry is not an object/);
  });

  it('non-finite weights are refused at load (they would give black images)', async () => {
    const d = await brokenModel(() => undefined);
    const { readSafetensors } = await import('../../src/models/safetensors.js');
    const w = await readSafetensors(join(d, 'vae.safetensors'));
    const [name, t] = [...w][3]!;
    t.data[0] = Number.NaN;
    await writeSafetensors(join(d, 'vae.safetensors'), w);
    const before = snapshot(root);
    const r = await upscaleWith(d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tensor "${name}" holds NaN at index 0; the weights are broken`);
    expect(snapshot(root)).toEqual(before); // no output written
  });
});

describe('exitCodeOf', () => {
  it('plain errors (run-time faults) are 1, classed usage errors 2', async () => {
    const { ModelDirError } = await import('../../src/graphs/model-dir.js');
    const { TrainDivergedError } = await import('../../src/graphs/train.js');
    expect(exitCodeOf(new Error('boom'))).toBe(1);
    expect(exitCodeOf(new TrainDivergedError('x', 2, 'loss_mse'))).toBe(1);
    expect(exitCodeOf(new ModelDirError('x'))).toBe(2);
  });
});
