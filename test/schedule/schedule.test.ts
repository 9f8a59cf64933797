import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelFacts } from '../../src/graphs/model-dir.js';
import { presetByName } from '../../src/models/presets.js';
import { ModelSpecError, validateModelSpec } from '../../src/models/schema.js';
import {
  ONE_STEP_FORMULAS,
  OFFICIAL_TS,
  SD_SCHEDULE,
  applyLinear,
  applyLinearPerSample,
  cfgScale,
  checkTs,
  noiseSchedule,
  noisingCoefficients,
  noisingCoefficientsPerSample,
  oneStepCoefficients,
  oneStepCoefficientsPerSample,
  parseTs,
  scheduleOf,
  sdSchedule,
  tvFromTs,
  x0CoefficientsPerSample,
} from '../../src/schedule/index.js';

/** diffusers' own float32 ᾱ table (tools/make_schedule_fixture.py). */
const DIFFUSERS = (JSON.parse(readFileSync(new URL('../fixtures/schedule/sd-alphas-cumprod.json', import.meta.url), 'utf8')) as { alphas_cumprod: number[] }).alphas_cumprod;

// Reference values from numpy (float64): betas = linspace(sqrt(0.00085), sqrt(0.012), 1000)**2, cumprod(1 - betas).
const NUMPY = [
  [0, 0.99915, 0.9995749096490968, 0.029154759474226803],
  [1, 0.9982960278384514, 0.9991476506695351, 0.04127919768537908],
  [250, 0.6737926252333215, 0.8208487225020951, 0.571145668605373],
  [500, 0.2763326838229746, 0.5256735525237831, 0.8506863794472235],
  [999, 0.004660098513077238, 0.0682649142171675, 0.9976672298351403],
] as const;

const NUMPY_TS = [1, 21, 41, 62, 82, 102, 123, 143, 163, 184, 204, 225, 245, 265, 286, 306, 326, 347, 367, 387, 408, 428,
  449, 469, 489, 510, 530, 550, 571, 591, 612, 632, 652, 673, 693, 713, 734, 754, 774, 795, 815, 836, 856, 876, 897, 917,
  937, 958, 978, 999];

describe('SD noise schedule', () => {
  it("is diffusers' float32 ᾱ table bit for bit", () => {
    const s = sdSchedule();
    expect(DIFFUSERS).toHaveLength(1000);
    const off = DIFFUSERS.flatMap((v, t) => (s.alphasCumprod[t] === v ? [] : [`t=${t}: ${s.alphasCumprod[t]} vs ${v}`]));
    expect(off).toEqual([]);
  });
  it('is within float32 rounding of the float64 (numpy) scaled_linear ᾱ, α, σ', () => {
    const s = sdSchedule();
    for (const [t, ac, a, sg] of NUMPY) {
      expect(Math.abs(s.alphasCumprod[t]! - ac) / ac).toBeLessThan(2e-6);
      expect(Math.abs(s.alpha(t) - a) / a).toBeLessThan(1e-6);
      expect(Math.abs(s.sigma(t) - sg) / sg).toBeLessThan(2e-5);
    }
  });
  it('lives in the model spec: absent = SD (every existing model.json), present = its own betas', () => {
    expect(scheduleOf(presetByName('tiny'))).toBe(sdSchedule());
    expect(scheduleOf({})).toBe(noiseSchedule(SD_SCHEDULE));
    const lin = { betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02, numTrainTimesteps: 1000 } as const;
    const s = scheduleOf({ schedule: lin });
    // ᾱ_0 = 1 − β_0, ᾱ_1 = (1 − β_0)(1 − β_1) with β linear
    expect(s.alphasCumprod[0]).toBeCloseTo(1 - 0.0001, 7);
    expect(s.alphasCumprod[1]).toBeCloseTo((1 - 0.0001) * (1 - (0.0001 + 0.0199 / 999)), 7);
    expect(s.alpha(500)).not.toBeCloseTo(sdSchedule().alpha(500), 3);
    expect(noisingCoefficients(500, s).alpha).toBe(s.alpha(500));
    const spec = { ...presetByName('tiny'), schedule: lin };
    expect(validateModelSpec(JSON.parse(JSON.stringify(spec))).schedule).toEqual(lin);
    // what the inference operators and the upscaler read it from
    expect(scheduleOf(modelFacts(spec))).toBe(s);
    expect(scheduleOf(modelFacts(presetByName('tiny')))).toBe(sdSchedule());
    expect(() => validateModelSpec({ ...spec, schedule: { ...lin, betaSchedule: 'cosine' } })).toThrow(ModelSpecError);
    expect(() => validateModelSpec({ ...spec, schedule: { ...lin, betaStart: 0.05 } })).toThrow(/betaEnd/);
  });
  it('takes timestep vectors: each sample reads its own timestep', () => {
    const s = sdSchedule();
    const ts = [1, 500, 999, 500];
    expect([...s.alphas(ts)]).toEqual(ts.map((t) => s.alpha(t)));
    expect([...s.sigmas(ts)]).toEqual(ts.map((t) => s.sigma(t)));
    expect(() => s.alphas([3, 1000])).toThrow(RangeError);
  });
  it('rejects non-integer and out-of-range steps', () => {
    expect(() => sdSchedule().alpha(1000)).toThrow(/\[0, 999\]/);
    expect(() => sdSchedule().alpha(2.5)).toThrow(RangeError);
  });
});

describe('timesteps', () => {
  it('has the 50 official t_s values of floor(linspace(1, 999, 50))', () => {
    expect(OFFICIAL_TS).toEqual(NUMPY_TS);
  });
  it('maps t_v = λ t_s + γ, integer and clamped', () => {
    expect(tvFromTs(500)).toBe(250);
    expect(tvFromTs(999)).toBe(499);
    expect(tvFromTs(1)).toBe(0);
    expect(tvFromTs(900, { lambda: 1, gamma: 300 })).toBe(999);
    expect(tvFromTs(0, { lambda: 1, gamma: -10 })).toBe(0);
  });
  it('validates t_s with a message naming the range', () => {
    expect(checkTs(0)).toBe(0);
    expect(checkTs(999)).toBe(999);
    expect(() => checkTs(1000)).toThrow('t_s must be an integer in [0, 999], got 1000');
    expect(() => parseTs('-1')).toThrow(/got -1/);
    expect(() => parseTs('12.5')).toThrow(/"12.5"/);
    expect(parseTs(' 300 ')).toBe(300);
  });
  it('guidance scale is 7.5 + t_v/200', () => {
    expect(cfgScale(0)).toBe(7.5);
    expect(cfgScale(250)).toBe(8.75);
  });
});

describe('one-step formulas', () => {
  it('ddpm-x0 inverts forward noising exactly', () => {
    const t = 500;
    const s = sdSchedule();
    const x0 = Float32Array.from([0.3, -1.2, 2]);
    const eps = Float32Array.from([0.5, 0.1, -0.7]);
    const z = x0.map((v, i) => s.alpha(t) * v + s.sigma(t) * eps[i]);
    const back = applyLinear(oneStepCoefficients('ddpm-x0', t), z, eps);
    back.forEach((v, i) => expect(v).toBeCloseTo(x0[i], 5));
  });
  it('official is z/α − ε and differs from ddpm-x0 at large t', () => {
    const { a, b } = oneStepCoefficients('official', 999);
    // diffusers' float32 ᾱ_999 (the fixture), α = √ᾱ
    const ac = DIFFUSERS[999]!;
    expect(a).toBeCloseTo(1 / Math.sqrt(ac), 9);
    expect(b).toBe(-1);
    expect(oneStepCoefficients('ddpm-x0', 999).b).toBeCloseTo(-Math.sqrt(1 - ac) / Math.sqrt(ac), 9);
    expect(oneStepCoefficients('ddpm-x0', 999).b).toBeCloseTo(-0.9976672298351403 / 0.0682649142171675, 4); // float64 table
  });
  it('names both formulas (the CLI and configs accept exactly these), and rejects others and mismatched inputs', () => {
    expect([...ONE_STEP_FORMULAS].sort()).toEqual(['ddpm-x0', 'official']);
    const coeffs = ONE_STEP_FORMULAS.map((f) => oneStepCoefficients(f, 700).b);
    expect(new Set(coeffs).size).toBe(2);
    expect(() => oneStepCoefficients('x0' as never, 700)).toThrow('unknown one-step formula x0');
    expect(() => applyLinear({ a: 1, b: 1 }, new Float32Array(3), new Float32Array(2))).toThrow('z has 3 values, ε has 2');
  });
  it('per sample: a batch of 2 at different t equals the two single-sample computations', () => {
    const ts = [41, 877];
    const z = Float32Array.from([0.3, -1.2, 2, 0.7, 0.1, -0.4]);
    const eps = Float32Array.from([0.5, 0.1, -0.7, -0.2, 0.9, 0.05]);
    for (const formula of ONE_STEP_FORMULAS) {
      const both = applyLinearPerSample(oneStepCoefficientsPerSample(formula, ts), z, eps);
      const one = ts.flatMap((t, i) => [...applyLinear(oneStepCoefficients(formula, t), z.subarray(3 * i, 3 * i + 3), eps.subarray(3 * i, 3 * i + 3))]);
      expect([...both], formula).toEqual(one);
    }
    const x0 = x0CoefficientsPerSample(ts);
    expect(x0.b[1]).toBeCloseTo(-sdSchedule().sigma(877) / sdSchedule().alpha(877), 6);
    const nz = noisingCoefficientsPerSample(ts);
    expect([nz.a[0], nz.b[1]]).toEqual([sdSchedule().alpha(41), sdSchedule().sigma(877)]);
    expect(() => applyLinearPerSample(x0, new Float32Array(5), new Float32Array(5))).toThrow(/do not split into 2/);
  });
});
