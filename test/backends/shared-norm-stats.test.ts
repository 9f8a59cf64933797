import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/backends/backend.js';
import { GroupStats, cellWeights } from '../../src/backends/shared-norm.js';

function tensor(c: number, h: number, w: number, f: (k: number, y: number, x: number) => number): HostTensor {
  const data = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(k * h + y) * w + x] = f(k, y, x);
  return { shape: [1, c, h, w], data };
}

function cols(t: HostTensor, x0: number, x1: number): HostTensor {
  const [, c, h, w] = t.shape as [number, number, number, number];
  return tensor(c, h, x1 - x0, (k, y, x) => t.data[(k * h + y) * w + x0 + x]!);
}

/** PyTorch GroupNorm statistics of a whole tensor (two passes, float64). */
function direct(t: HostTensor, groups: number, eps: number) {
  const [, c, h, w] = t.shape as [number, number, number, number];
  const per = (c / groups) * h * w;
  const mean: number[] = [];
  const rstd: number[] = [];
  for (let g = 0; g < groups; g++) {
    const vals = t.data.subarray(g * per, (g + 1) * per);
    const m = vals.reduce((a, v) => a + v, 0) / per;
    mean.push(m);
    rstd.push(1 / Math.sqrt(vals.reduce((a, v) => a + (v - m) ** 2, 0) / per + eps));
  }
  return { mean, rstd };
}

describe('shared GroupNorm statistics (host side)', () => {
  it('cellWeights: the fraction of each cell inside the owned interval; tiles that partition sum to 1', () => {
    expect([...cellWeights(4, 0, 0.5)]).toEqual([1, 1, 0, 0]);
    expect([...cellWeights(4, 0.125, 0.625)].map((v) => +v.toFixed(9))).toEqual([0.5, 1, 0.5, 0]);
    // the same cut seen from a coarser and a finer map
    const a = cellWeights(8, 0, 0.3);
    const b = cellWeights(8, 0.3, 1);
    for (let j = 0; j < 8; j++) expect(a[j]! + b[j]!).toBeCloseTo(1, 12);
  });

  it('overlapping tiles, each counting what it owns, give the whole tensor\'s statistics; counting whole tiles does not', () => {
    const x = tensor(6, 5, 20, (k, y, xx) => Math.sin(k * 1.3 + y * 0.7 + xx * 0.41) * (1 + k) + (xx > 12 ? 2 : 0));
    const want = direct(x, 3, 1e-5);
    // tiles [0, 12) and [8, 20) overlap on [8, 12); the cut is at 10
    const s = new GroupStats(3);
    s.add(cols(x, 0, 12), { x0: 0, x1: 10 / 12, y0: 0, y1: 1 });
    s.add(cols(x, 8, 20), { x0: 2 / 12, x1: 1, y0: 0, y1: 1 });
    const got = s.finish(1e-5);
    expect(got.mean.shape).toEqual([1, 3, 1]);
    for (let g = 0; g < 3; g++) {
      expect(got.mean.data[g]).toBeCloseTo(want.mean[g]!, 5);
      expect(got.rstd.data[g]! / want.rstd[g]!).toBeCloseTo(1, 5);
    }
    // control: whole tiles double-count the overlap
    const naive = new GroupStats(3);
    naive.add(cols(x, 0, 12), { x0: 0, x1: 1, y0: 0, y1: 1 });
    naive.add(cols(x, 8, 20), { x0: 0, x1: 1, y0: 0, y1: 1 });
    const bad = naive.finish(1e-5);
    expect(Math.max(...[0, 1, 2].map((g) => Math.abs(bad.mean.data[g]! - want.mean[g]!)))).toBeGreaterThan(1e-2);
  });

  it('refuses a batch, channels that do not split into the groups, and an empty ownership', () => {
    const s = new GroupStats(4);
    expect(() => s.add({ shape: [2, 4, 1, 1], data: new Float32Array(8) }, { x0: 0, x1: 1, y0: 0, y1: 1 })).toThrow(/\[1, C, h, w\]/);
    expect(() => s.add({ shape: [1, 6, 1, 1], data: new Float32Array(6) }, { x0: 0, x1: 1, y0: 0, y1: 1 })).toThrow(/groups/);
    expect(() => s.finish(1e-5)).toThrow(/no tile/);
  });
});
