/**
 * LPIPS-VGG parity with the `lpips` package (0.1.4): a random-weight fixture of the real architecture (narrow
 * widths), evaluated in PyTorch float64 by tools/convert_lpips.py, against our network on TF.js (cpu, float32).
 *
 * Optional full-width check: `python tools/convert_lpips.py fixture --out DIR --widths 64,128,256,512,512`, then
 * `TADSR_LPIPS_FULL_FIXTURE=DIR npx vitest run test/models/lpips.test.ts`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../src/backends/tfjs/register-gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lpipsParamNames, lpipsSpecFromShapes, lpipsVgg, loadLpipsWeights } from '../../src/models/lpips.js';
import { readSafetensors } from '../../src/models/safetensors.js';
import { createTfjsNetOps } from '../../src/backends/tfjs/tfjs-net-ops.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/lpips');

async function runFixture(dir: string, heavy: 'tfjs' | 'ort' = 'tfjs') {
  const { spec, weights } = await loadLpipsWeights(join(dir, 'weights.safetensors'));
  const io = await readSafetensors(join(dir, 'io.safetensors'));
  const ops = createTfjsNetOps({ heavy });
  const params = new Map([...weights].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
  const p = (n: string) => {
    const t = params.get(n);
    if (!t) throw new Error(`no param ${n}`);
    return t;
  };
  const t = (n: string) => tf.tensor(io.get(n)!.data, [...io.get(n)!.shape]);
  const before = tf.memory().numTensors;
  const res = tf.tidy(() => {
    const { value, layers } = lpipsVgg(ops, p, spec, t('in0'), t('in1'), true);
    return [value, ...layers];
  });
  const [value, ...layers] = await Promise.all(res.map((r) => r.data()));
  const shape = res[0].shape;
  res.forEach((r) => r.dispose());
  const leaked = tf.memory().numTensors - before;
  params.forEach((x) => x.dispose());
  return { spec, io, value, layers, shape, leaked };
}

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-12));
  return worst;
}

describe('LPIPS-VGG v0.1', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(['tfjs', 'ort'] as const)('matches lpips.LPIPS(net="vgg") on the random fixture to 1e-4 relative (value and every layer term), heavy ops on %s', async (heavy) => {
    const r = await runFixture(FIXTURE, heavy);
    expect(r.spec.channels).toEqual([4, 8, 12, 16, 16]);
    expect(r.shape).toEqual([2, 1, 1, 1]);
    const want = r.io.get('lpips')!.data;
    expect(want[0]).toBeGreaterThan(0.05); // a non-trivial distance
    expect(relErr(r.value, want)).toBeLessThan(1e-4);
    for (let k = 0; k < 5; k++) expect(relErr(r.layers[k], r.io.get(`layer${k}`)!.data)).toBeLessThan(1e-4);
    expect(r.leaked).toBe(0);
  });

  it('is zero for identical inputs and symmetric', async () => {
    const { spec, weights } = await loadLpipsWeights(join(FIXTURE, 'weights.safetensors'));
    const io = await readSafetensors(join(FIXTURE, 'io.safetensors'));
    const ops = createTfjsNetOps({ heavy: 'tfjs' });
    const p = (n: string) => tf.tensor(weights.get(n)!.data, [...weights.get(n)!.shape]);
    const a = () => tf.tensor(io.get('in0')!.data, [...io.get('in0')!.shape]);
    const b = () => tf.tensor(io.get('in1')!.data, [...io.get('in1')!.shape]);
    const [same, ab, ba] = tf.tidy(() => [lpipsVgg(ops, p, spec, a(), a()), lpipsVgg(ops, p, spec, a(), b()), lpipsVgg(ops, p, spec, b(), a())]);
    expect(Math.max(...(await same.data()))).toBeLessThan(1e-7);
    expect(relErr(await ba.data(), await ab.data())).toBeLessThan(1e-5);
    tf.dispose([same, ab, ba]);
  });

  it.each(['tfjs', 'ort'] as const)('has the gradient of lpips in PyTorch on TF.js (it is a loss), heavy ops on %s', async (heavy) => {
    const { spec, weights } = await loadLpipsWeights(join(FIXTURE, 'weights.safetensors'));
    const io = await readSafetensors(join(FIXTURE, 'io.safetensors'));
    const ops = createTfjsNetOps({ heavy });
    const p = (n: string) => tf.tensor(weights.get(n)!.data, [...weights.get(n)!.shape]);
    const target = tf.tensor(io.get('in1')!.data, [...io.get('in1')!.shape]);
    const x = tf.tensor(io.get('in0')!.data, [...io.get('in0')!.shape]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(lpipsVgg(ops, p, spec, v, target)))(x);
    const gd = await g.data();
    expect(gd.every(Number.isFinite)).toBe(true);
    const want = io.get('grad_in0')!.data;
    let maxErr = 0;
    let maxRef = 0;
    for (let i = 0; i < want.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(gd[i] - want[i]));
      maxRef = Math.max(maxRef, Math.abs(want[i]));
    }
    expect(maxRef).toBeGreaterThan(0);
    expect(maxErr / maxRef).toBeLessThan(1e-4);
    // one small step against the gradient lowers the distance
    const before = (await tf.tidy(() => tf.sum(lpipsVgg(ops, p, spec, x, target))).data())[0];
    const after = (await tf.tidy(() => tf.sum(lpipsVgg(ops, p, spec, tf.sub(x, tf.mul(g, 0.05)), target))).data())[0];
    expect(after).toBeLessThan(before);
    tf.dispose([g, target, x]);
  });

  it('names every problem of a wrong weights file', () => {
    const shapes = new Map(lpipsParamNames().map((n) => [n, [1]] as const));
    shapes.delete('lin3.model.1.weight');
    expect(() => lpipsSpecFromShapes(shapes, 'bad.safetensors')).toThrow(/bad\.safetensors: not LPIPS-VGG v0\.1 weights \(missing lin3\.model\.1\.weight\)/);
    const good = new Map<string, number[]>([['scaling_layer.shift', [1, 3, 1, 1]], ['scaling_layer.scale', [1, 3, 1, 1]]]);
    const widths = [4, 8, 12, 16, 16];
    let cin = 3;
    [[0, 2], [5, 7], [10, 12, 14], [17, 19, 21], [24, 26, 28]].forEach((convs, s) => {
      for (const i of convs) {
        good.set(`net.slice${s + 1}.${i}.weight`, [widths[s], cin, 3, 3]);
        good.set(`net.slice${s + 1}.${i}.bias`, [widths[s]]);
        cin = widths[s];
      }
      good.set(`lin${s}.model.1.weight`, [1, widths[s], 1, 1]);
    });
    expect(lpipsSpecFromShapes(good).channels).toEqual(widths);
    good.set('net.slice3.12.weight', [12, 8, 3, 3]);
    expect(() => lpipsSpecFromShapes(good)).toThrow(/net\.slice3\.12\.weight has shape \[12,8,3,3\], expected \[12,12,3,3\]/);
  });

  const full = process.env.TADSR_LPIPS_FULL_FIXTURE;
  it.skipIf(!full || !existsSync(join(full ?? '', 'io.safetensors')))('full-width random VGG16 (TADSR_LPIPS_FULL_FIXTURE)', async () => {
    const r = await runFixture(full!);
    expect(r.spec.channels).toEqual([64, 128, 256, 512, 512]);
    expect(relErr(r.value, r.io.get('lpips')!.data)).toBeLessThan(1e-4);
  });
});
