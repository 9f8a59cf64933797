/**
 * The seven wiring mutants of issue 10 (and those of its per-sample timesteps and official behaviours), applied one at a time to the source, each run against the test files that
 * must kill it; prints which named tests fail (by an assertion) and restores the source after each one.
 * A benchmark, not part of `npm test` (≈ 4 minutes on 2 cores). Run with a clean working tree:
 *
 *   nice -n 10 npx tsx bench/wiring-mutants.ts [ID-prefix …]      # e.g. M1 M4
 *
 * Exit status 1 when a mutant survives, or a pattern no longer matches the source (update the table then).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

interface Mutant {
  readonly id: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly tests: readonly string[];
  /** Only the tests whose name matches (vitest `-t`), to save time. */
  readonly only?: string;
}

const WIRING = 'test/graphs/train-wiring.test.ts';
/** The wiring test's official-behaviours case (per-sample draws, clamp, posterior sample, conv_in fake LoRA). */
const OFFICIAL_CASE = 'ddpm-x0 step, official behaviours';
/** The CFG cases: the operator's formula test and the training step with a text-conditioned teacher. */
const CFG_CASES = 'classifier-free guidance|text-conditioned teacher';
/** The fake-score operator's own test, and the training step's official case. */
const FAKE_OP = 'test/operators/fake-score.test.ts';
const FAKE_CASES = `${OFFICIAL_CASE}|fake-score`;
const MUTANTS: readonly Mutant[] = [
  { id: 'M1 noise at t_s instead of t_v', file: 'src/graphs/train.ts', from: 'const out = noiseLatentsAt(zHat, ts.tV, n, sched);', to: 'const out = noiseLatentsAt(zHat, ts.tS, n, sched);', tests: [WIRING] },
  { id: 'M1b ẑ and the noise swapped in the one noising (noise-at.ts)', file: 'src/operators/noise-at.ts', from: 'zHat.data, noise)', to: 'noise, zHat.data)', tests: [WIRING, 'test/operators/tadsr-operators.test.ts'] },
  { id: 'M2a TAVSD sign flipped (teacher and fake swapped at the call)', file: 'src/graphs/train.ts', from: 'tavsdLoss(zHat, x0T!, x0F!)', to: 'tavsdLoss(zHat, x0F!, x0T!)', tests: [WIRING] },
  { id: 'M2b TAVSD sign flipped (gradient term)', file: 'src/losses/tavsd.ts', from: 'tf.sub(x0Fake, x0Teacher)', to: 'tf.sub(x0Teacher, x0Fake)', tests: [WIRING] },
  { id: 'M2c TAVSD sign flipped (target ẑ + grad)', file: 'src/losses/tavsd.ts', from: 'const stopped = tf.sub(zHat, g);', to: 'const stopped = tf.add(zHat, g);', tests: [WIRING] },
  { id: 'M3 blur kernel fixed at t_s = 0', file: 'src/graphs/train.ts', from: 'const mse = blurredMse(sr, hq, ts.tS);', to: 'const mse = blurredMse(sr, hq, 0);', tests: [WIRING] },
  {
    id: 'M4 attention removed from the UNet LoRA targets',
    file: 'src/models/lora.ts',
    from: '(?:to_k|to_q|to_v|to_out\\\\.0|conv|',
    to: '(?:conv|',
    tests: ['test/graphs/training/lora.test.ts', 'test/graphs/training/nets.test.ts'],
  },
  {
    id: 'M5a time-aware encoder not used (DistillNets.encode)',
    file: 'src/graphs/training/nets.ts',
    from: '...(this.tae ? { tae: this.spec.tae, timestep: this.timestep(tS, batch) } : {}),',
    to: '',
    tests: [WIRING, 'test/graphs/training/nets.test.ts'],
  },
  { id: 'M5b time-aware encoder off when the run builds its nets', file: 'src/graphs/train.ts', from: 'teacherUnet, tae: cfg.tae,', to: 'teacherUnet, tae: false,', tests: [WIRING] },
  { id: 'M6a CFG scale ignored (s = 1)', file: 'src/operators/score.ts', from: 'guide(u.data, c.data, tVs.map(cfgScale))', to: 'guide(u.data, c.data, 1)', tests: ['test/operators/score-cfg.test.ts', WIRING], only: CFG_CASES },
  { id: 'M6b CFG scale ignored inside guide()', file: 'src/operators/score.ts', from: 'u + sj * (epsCond[i]! - u)', to: 'u + (epsCond[i]! - u)', tests: ['test/operators/score-cfg.test.ts', WIRING], only: CFG_CASES },
  { id: "M6c CFG scale of sample 0's t_v for the whole batch", file: 'src/operators/score.ts', from: 'guide(u.data, c.data, tVs.map(cfgScale))', to: 'guide(u.data, c.data, cfgScale(tVs[0]!))', tests: ['test/operators/score-cfg.test.ts', WIRING], only: CFG_CASES },
  { id: 'M6d training ignores the guidance (teacher on the fixed condition)', file: 'src/graphs/train.ts', from: '...(scorers.guidance ? { guidance: scorers.guidance } : {})', to: '', tests: [WIRING], only: 'text-conditioned teacher' },
  { id: "M7a x0 formula swapped: student always 'ddpm-x0'", file: 'src/graphs/train.ts', from: 'oneStepCoefficientsPerSample(cfg.formula, ts.tS, sched)', to: "oneStepCoefficientsPerSample('ddpm-x0', ts.tS, sched)", tests: [WIRING] },
  { id: 'M7b x0 formula swapped: student uses the other formula', file: 'src/graphs/train.ts', from: 'oneStepCoefficientsPerSample(cfg.formula, ts.tS, sched)', to: "oneStepCoefficientsPerSample(cfg.formula === 'official' ? 'ddpm-x0' : 'official', ts.tS, sched)", tests: [WIRING] },
  {
    id: "M7c x0 formula swapped: the scores' x0 in the 'official' form",
    file: 'src/operators/score.ts',
    from: 'const k = x0CoefficientsPerSample(tVs, scheduleOf(facts));',
    to: 'const k = { a: x0CoefficientsPerSample(tVs, scheduleOf(facts)).a, b: Float64Array.from(tVs, () => -1) };',
    tests: [WIRING],
  },
  // per-sample timesteps and the official behaviours (issue 10, items 2 and 3)
  { id: 'M8a timesteps drawn once per step (per-sample draw collapsed)', file: 'src/graphs/training/per-sample.ts', from: "const n = o.timesteps === 'per-sample' ? o.batch : 1;", to: 'const n = 1;', tests: [WIRING], only: OFFICIAL_CASE },
  { id: "M8b student UNet gets sample 0's t_s for the whole batch", file: 'src/graphs/train.ts', from: 'const eps = nets.studentEps(zL, ts.tS);', to: 'const eps = nets.studentEps(zL, ts.tS[0]!);', tests: [WIRING], only: OFFICIAL_CASE },
  { id: "M8c blur kernel of sample 0 for the whole batch", file: 'src/graphs/train.ts', from: 'const mse = blurredMse(sr, hq, ts.tS);', to: 'const mse = blurredMse(sr, hq, ts.tS[0]!);', tests: [WIRING], only: OFFICIAL_CASE },
  { id: "M8d fake score trained at sample 0's t for the whole batch", file: 'src/graphs/training/fake-score.ts', from: 'return diffusionLoss(nets.fakeEps(zt, t), n);', to: 'return diffusionLoss(nets.fakeEps(zt, t[0]!), n);', tests: [WIRING, FAKE_OP], only: FAKE_CASES },
  // the fake-score update as an operator (src/operators/fake-score.ts)
  { id: "M12a fake score noised at sample 0's t", file: 'src/operators/fake-score.ts', from: 'noisingCoefficientsPerSample(ts, scheduleOf(facts))', to: 'noisingCoefficientsPerSample(ts.map(() => ts[0]!), scheduleOf(facts))', tests: [WIRING, FAKE_OP], only: FAKE_CASES },
  { id: 'M12b fake score trained towards the noised latent, not the noise', file: 'src/operators/fake-score.ts', from: '{ shape: zHat.shape, data: zt }, ts, { shape: zHat.shape, data: n }', to: '{ shape: zHat.shape, data: zt }, ts, { shape: zHat.shape, data: zt }', tests: [WIRING, FAKE_OP], only: FAKE_CASES },
  { id: 'M12c fake score trained on the noise alone (ẑ dropped)', file: 'src/operators/fake-score.ts', from: 'zHat.data, n);', to: 'new Float32Array(n.length), n);', tests: [WIRING, FAKE_OP], only: FAKE_CASES },
  { id: 'M9 SR not clamped before the losses', file: 'src/graphs/train.ts', from: 'const sr = cfg.clampSr ? tf.clipByValue(decoded, -1, 1) : decoded;', to: 'const sr = decoded;', tests: [WIRING], only: OFFICIAL_CASE },
  { id: 'M10 student encodes the posterior mean in training', file: 'src/graphs/train.ts', from: 'const zL = nets.encode(x, ts.tS, encNoise);', to: 'const zL = nets.encode(x, ts.tS);', tests: [WIRING], only: OFFICIAL_CASE },
  { id: 'M11a fake-score LoRA without conv_in (nets)', file: 'src/graphs/training/nets.ts', from: 'o.fakeLoraConvIn ?? true', to: 'false', tests: [WIRING, 'test/graphs/training/nets.test.ts'], only: 'conv_in' },
  { id: 'M11b fake-score LoRA without conv_in (the run)', file: 'src/graphs/train.ts', from: 'fakeLoraConvIn: cfg.fakeLoraConvIn });', to: 'fakeLoraConvIn: false });', tests: [WIRING], only: 'runTraining trains' },
];

interface VitestJson {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

const only = process.argv.slice(2);
let original: { file: string; text: string } | undefined;
const restore = () => {
  if (original) writeFileSync(original.file, original.text);
  original = undefined;
};
process.on('SIGINT', () => {
  restore();
  process.exit(130);
});

let bad = 0;
for (const m of MUTANTS) {
  if (only.length && !only.some((p) => m.id.startsWith(p))) continue;
  const text = readFileSync(m.file, 'utf8');
  const hits = text.split(m.from).length - 1;
  if (hits !== 1) {
    console.log(`## ${m.id}: pattern found ${hits} times in ${m.file}; update bench/wiring-mutants.ts`);
    bad++;
    continue;
  }
  original = { file: m.file, text };
  let out = '';
  try {
    writeFileSync(m.file, text.replace(m.from, m.to));
    try {
      out = execFileSync('npx', ['vitest', 'run', '--reporter=json', ...(m.only ? ['-t', m.only] : []), ...m.tests], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? '';
    }
  } finally {
    restore();
  }
  const json = JSON.parse(out.slice(out.indexOf('{'))) as VitestJson;
  const failed = json.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed'));
  const byAssertion = failed.filter((a) => (a.failureMessages?.[0] ?? '').startsWith('AssertionError'));
  console.log(`## ${m.id}: ${byAssertion.length ? 'KILLED' : 'SURVIVED'}`);
  for (const a of failed) console.log(`   - ${a.fullName}\n       ${(a.failureMessages?.[0] ?? '').split('\n')[0]!.slice(0, 150)}`);
  if (!byAssertion.length) bad++;
}
process.exit(bad ? 1 : 0);
