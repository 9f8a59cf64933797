import { describe, expect, it } from 'vitest';
import { addGaussianNoise, addPoissonNoise } from '../../src/degradation/noise.js';
import type { Planes } from '../../src/degradation/planes.js';
import { Rng } from '../../src/random/rng.js';

const W = 200;
const H = 100;
function constant(v: number): Planes {
  return { width: W, height: H, data: new Float32Array(3 * W * H).fill(v) };
}
/** Left half: all 256 levels (so V = 256); right half: constant `v`. */
function mixed(v: number): Planes {
  const p = constant(v);
  for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W / 2; x++) p.data[c * W * H + y * W + x] = ((x + y * 7) % 256) / 255;
  return p;
}
function stats(p: Planes, c: number, v: number, x0 = 0): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let y = 0; y < H; y++) {
    for (let x = x0; x < W; x++) {
      const d = p.data[c * W * H + y * W + x] - v;
      s += d;
      s2 += d * d;
      n++;
    }
  }
  return { mean: s / n, variance: s2 / n - (s / n) ** 2 };
}

describe('Gaussian noise', () => {
  it('colour: σ/255 per channel, independent channels', () => {
    const p = addGaussianNoise(constant(0.5), 10, false, Rng.forImage(1, 'g', 'n'));
    for (let c = 0; c < 3; c++) {
      const { mean, variance } = stats(p, c, 0.5);
      expect(Math.abs(mean)).toBeLessThan(0.001);
      expect(Math.sqrt(variance) * 255).toBeCloseTo(10, 0);
    }
    expect(p.data[0]).not.toBe(p.data[W * H]);
  });
  it('gray: one field shared by the three channels', () => {
    const p = addGaussianNoise(constant(0.5), 10, true, Rng.forImage(1, 'g', 'n'));
    let differ = 0;
    for (let i = 0; i < W * H; i++) if (p.data[W * H + i] !== p.data[i] || p.data[2 * W * H + i] !== p.data[i]) differ++;
    expect(differ).toBe(0);
  });
  it('clips to [0, 1]', () => {
    const p = addGaussianNoise(constant(0.99), 30, false, Rng.forImage(2, 'g', 'n'));
    expect(Math.max(...p.data)).toBeLessThanOrEqual(1);
  });
});

describe('Poisson noise', () => {
  it('colour: zero mean, variance scale²·q/V with V = 2^ceil(log2(#levels))', () => {
    const v = 128 / 255;
    const scale = 2;
    const p = addPoissonNoise(mixed(v), scale, false, Rng.forImage(3, 'p', 'n'));
    for (let c = 0; c < 3; c++) {
      const { mean, variance } = stats(p, c, v, W / 2);
      expect(Math.abs(mean)).toBeLessThan(0.002);
      const expected = (scale * scale * v) / 256;
      expect(variance / expected).toBeGreaterThan(0.9);
      expect(variance / expected).toBeLessThan(1.1);
    }
  });
  it('counts the distinct levels: a constant image has V = 1', () => {
    const v = 100 / 255;
    const p = addPoissonNoise(constant(v), 0.1, false, Rng.forImage(4, 'p', 'n'));
    // noise = (Poisson(q) − q)·0.1: values lie on the lattice v + 0.1·(k − q)
    for (let i = 0; i < 200; i++) {
      const k = (p.data[i] - v) / 0.1 + v;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-5);
    }
  });
  it('gray: the same noise on all three channels', () => {
    const p = addPoissonNoise(mixed(0.4), 1, true, Rng.forImage(5, 'p', 'n'));
    const q = mixed(0.4);
    let differ = 0;
    let noisy = 0;
    for (let i = 0; i < W * H; i++) {
      const d0 = p.data[i] - q.data[i];
      const d1 = p.data[W * H + i] - q.data[W * H + i];
      const clipped = [p.data[i], p.data[W * H + i]].some((x) => x === 0 || x === 1);
      if (!clipped && Math.abs(d0 - d1) > 1e-6) differ++;
      if (d0 !== 0) noisy++;
    }
    expect(differ).toBe(0);
    expect(noisy).toBeGreaterThan(W * H * 0.5);
  });
});
