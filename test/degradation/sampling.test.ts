import { describe, expect, it } from 'vitest';
import { defaultDegradationConfig } from '../../src/degradation/config.js';
import { Rng } from '../../src/random/rng.js';
import { type KernelRecord, sampleBlurKernel, sampleFinalKernel } from '../../src/degradation/sample-kernels.js';

const cfg = defaultDegradationConfig();
const N = 6000;

function draw(stage: 1 | 2): { rec: KernelRecord; sum: number; padded: number }[] {
  return Array.from({ length: N }, (_, i) => {
    const { kernel, record } = sampleBlurKernel(cfg, stage, Rng.forImage(9, `img${i}`, `kernel${stage}`));
    return { rec: record, sum: kernel.data.reduce((a, b) => a + b, 0), padded: kernel.size };
  });
}

describe('kernel sampling (RealESRGANDataset)', () => {
  const s1 = draw(1);
  it('kernels sum to 1, are zero-padded to 21×21, and sizes are the 8 odd sizes 7..21, uniformly', () => {
    const sizes = new Map<number, number>();
    for (const { rec, sum, padded } of s1) {
      expect(sum).toBeCloseTo(1, 12);
      expect(padded).toBe(21);
      sizes.set(rec.size, (sizes.get(rec.size) ?? 0) + 1);
    }
    expect([...sizes.keys()].sort((a, b) => a - b)).toEqual([7, 9, 11, 13, 15, 17, 19, 21]);
    for (const c of sizes.values()) expect(Math.abs(c / N - 1 / 8)).toBeLessThan(0.02);
  });
  it('sinc p = 0.1, then the six families with kernel_prob', () => {
    const count = (t: string) => s1.filter((s) => s.rec.type === t).length / N;
    expect(Math.abs(count('sinc') - 0.1)).toBeLessThan(0.015);
    const probs = { iso: 0.45, aniso: 0.25, generalized_iso: 0.12, generalized_aniso: 0.03, plateau_iso: 0.12, plateau_aniso: 0.03 };
    for (const [t, p] of Object.entries(probs)) expect(Math.abs(count(t) - 0.9 * p)).toBeLessThan(0.02);
  });
  it('σ ranges, isotropic records σy = σx and θ = 0, anisotropic σy independent and θ in [−π, π)', () => {
    for (const { rec } of s1) {
      if (rec.type === 'sinc' || rec.type === 'pulse') continue;
      expect(rec.sigmaX).toBeGreaterThanOrEqual(0.2);
      expect(rec.sigmaX).toBeLessThan(3);
      if (rec.type.endsWith('iso') && !rec.type.endsWith('aniso')) {
        expect(rec.sigmaY).toBe(rec.sigmaX);
        expect(rec.theta).toBe(0);
      } else {
        expect(Math.abs(rec.theta)).toBeLessThanOrEqual(Math.PI);
      }
    }
    const aniso = s1.filter((s) => s.rec.type === 'aniso').map((s) => s.rec as { sigmaX: number; sigmaY: number });
    expect(aniso.filter((r) => r.sigmaY > r.sigmaX).length / aniso.length).toBeCloseTo(0.5, 1);
  });
  it('plateau β quirk: half the draws are exactly 1; generalized β splits at 1', () => {
    const plateau = s1.filter((s) => s.rec.type.startsWith('plateau')).map((s) => (s.rec as { beta: number }).beta);
    const ones = plateau.filter((b) => b === 1).length / plateau.length;
    expect(Math.abs(ones - 0.5)).toBeLessThan(0.06);
    for (const b of plateau) expect(b >= 1 && b <= 2).toBe(true);
    const gen = s1.filter((s) => s.rec.type.startsWith('generalized')).map((s) => (s.rec as { beta: number }).beta);
    expect(Math.abs(gen.filter((b) => b < 1).length / gen.length - 0.5)).toBeLessThan(0.06);
    for (const b of gen) expect(b >= 0.5 && b <= 4).toBe(true);
  });
  it('sinc cut-off: U(π/3, π) below size 13, U(π/5, π) from 13', () => {
    for (const { rec } of s1) {
      if (rec.type !== 'sinc') continue;
      expect(rec.omega).toBeLessThanOrEqual(Math.PI);
      expect(rec.omega).toBeGreaterThanOrEqual(rec.size < 13 ? Math.PI / 3 : Math.PI / 5);
    }
  });
  it('stage 2 uses blur_sigma2 = [0.2, 1.5]', () => {
    for (const { rec } of draw(2)) if ('sigmaX' in rec) expect(rec.sigmaX).toBeLessThan(1.5);
  });
  it('final kernel: sinc with p = 0.8 (padded to 21), else the pulse', () => {
    let sinc = 0;
    for (let i = 0; i < 3000; i++) {
      const { kernel, record } = sampleFinalKernel(cfg, Rng.forImage(1, `f${i}`, 'final-kernel'));
      expect(kernel.size).toBe(21);
      if (record.type === 'sinc') {
        sinc++;
        expect(record.omega).toBeGreaterThanOrEqual(Math.PI / 3);
      }
    }
    expect(Math.abs(sinc / 3000 - 0.8)).toBeLessThan(0.03);
  });
});
