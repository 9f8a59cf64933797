import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.js';

describe('Rng', () => {
  it('is a pure function of (seed, id, purpose)', () => {
    const a = Rng.forImage(5, 'img', 'noise1');
    const b = Rng.forImage(5, 'img', 'noise1');
    const xs = Array.from({ length: 100 }, () => a.random());
    expect(Array.from({ length: 100 }, () => b.random())).toEqual(xs);
    expect(Rng.forImage(6, 'img', 'noise1').random()).not.toBe(xs[0]);
    expect(Rng.forImage(5, 'img2', 'noise1').random()).not.toBe(xs[0]);
    expect(Rng.forImage(5, 'img', 'noise2').random()).not.toBe(xs[0]);
  });
  it('pins the stream (changing the generator changes every dataset: do it on purpose)', () => {
    const r = Rng.forImage(0, 'a', 'b');
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toMatchSnapshot();
  });
  it('uniform moments', () => {
    const r = Rng.forImage(1, 'u', 'u');
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.random();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 3);
  });
  it('normal moments (Box-Muller, fillNormal and normal agree)', () => {
    const r = Rng.forImage(2, 'n', 'n');
    const buf = new Float64Array(200_001);
    r.fillNormal(buf, 2);
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    for (const v of buf) {
      s += v;
      s2 += v * v;
      s4 += v ** 4;
    }
    const n = buf.length;
    expect(s / n).toBeCloseTo(0, 1);
    expect(s2 / n).toBeCloseTo(4, 1);
    expect(s4 / n / 16).toBeCloseTo(3, 1); // kurtosis of a normal
    const a = Rng.forImage(3, 'x', 'y');
    const b = Rng.forImage(3, 'x', 'y');
    const f = new Float64Array(7);
    a.fillNormal(f);
    expect(Array.from(f)).toEqual(Array.from({ length: 7 }, () => b.normal()));
  });
  it('randint is inclusive and uniform; choices follows the weights', () => {
    const r = Rng.forImage(4, 'c', 'c');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.randint(0, 3)]++;
    for (const c of counts) expect(c / 40_000).toBeCloseTo(0.25, 1);
    const w = [0.2, 0.7, 0.1];
    const k = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) k[r.choices([0, 1, 2], w)]++;
    k.forEach((c, i) => expect(Math.abs(c / 60_000 - w[i])).toBeLessThan(0.01));
  });
});
