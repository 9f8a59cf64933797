/**
 * Training ms/step before and after a change, in one run: the distillation step of this checkout and of another
 * source tree (e.g. the parent commit's `src/`, extracted with `git archive`), each in its own child process,
 * alternated (A, B, A, B, …) so machine load hits both alike. Tiny preset, batch 2, TF.js teacher (`--teacher onnx`: the
 * teacher on ONNX Runtime), the same seed
 * and data; the first step of each run warms up and is not counted. This checkout runs its defaults (per-sample
 * timesteps, clamp, posterior sample, conv_in fake LoRA) and, as a third row, the pinned earlier behaviours.
 *
 *   mkdir -p /tmp/base && git archive HEAD~N src | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/node_modules \
 *     && cp package.json /tmp/base/
 *   nice -n 10 npx tsx bench/train-step-ab.ts --base /tmp/base [--after /tmp/after] [--rounds 3] [--steps 4] [--patch 64]
 *
 * Data: ../shared/data/train/kodak24 (read by path) when present, else synthetic HQ images.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const steps = Number(args.get('steps') ?? 4);
const patch = Number(args.get('patch') ?? 64);
const teacher = args.get('teacher') ?? 'tfjs';
const here = resolve(new URL('..', import.meta.url).pathname);

interface Row { readonly ms: number[]; readonly student: number[]; readonly fake: number[] }

async function child(tree: string, legacy: boolean): Promise<void> {
  const shared = join(here, '../shared/data/train/kodak24');
  let hq = shared;
  let made: string | undefined;
  if (!existsSync(shared)) {
    const { makeHqFolder } = await import(pathToFileURL(join(here, 'test/helpers/hq-folder.ts')).href);
    hq = made = await (makeHqFolder as (n: number, s: number) => Promise<string>)(4, Math.max(96, patch + 16));
  }
  const { runTraining } = await import(pathToFileURL(join(tree, 'src/graphs/train.ts')).href);
  const { parseTrainConfig } = await import(pathToFileURL(join(tree, 'src/graphs/train-config.ts')).href);
  const out = mkdtempSync(join(tmpdir(), 'tadsr-ab-'));
  const pinned = legacy ? { timesteps: 'per-batch', clampSr: false, encoderSample: false, fakeLoraConvIn: false } : {};
  const cfg = parseTrainConfig({ preset: 'tiny', data: { hq, patch, batch: 2 }, out, steps: steps + 1, seed: 3, checkpointEvery: 10_000, teacherBackend: teacher, ...pinned });
  const recs: { ms_student: number; ms_fake: number }[] = [];
  try {
    await runTraining(cfg, { skipExport: true }, (e: { type: string; ms_student: number; ms_fake: number }) => {
      if (e.type === 'step') recs.push(e);
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
    if (made) rmSync(made, { recursive: true, force: true });
  }
  const r = recs.slice(1);
  console.log(`RESULT ${JSON.stringify({ ms: r.map((x) => x.ms_student + x.ms_fake), student: r.map((x) => x.ms_student), fake: r.map((x) => x.ms_fake) })}`);
}

if (args.has('child')) {
  await child(args.get('child')!, args.get('legacy') === '1');
} else {
  const base = args.get('base');
  if (!base) throw new Error('--base TREE: the source tree to compare with (see the header)');
  const rounds = Number(args.get('rounds') ?? 3);
  // --after TREE: a snapshot of this checkout's src/ (so edits made while the bench runs do not leak into it)
  const after = resolve(args.get('after') ?? here);
  const runs: [string, string, boolean][] = [['before (base)', resolve(base), false], ['after (defaults: official)', after, false], ['after (earlier behaviours pinned)', after, true]];
  const rows = new Map<string, Row>(runs.map(([n]) => [n, { ms: [], student: [], fake: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, tree, legacy] of runs) {
      const out = execFileSync('npx', ['tsx', join(here, 'bench/train-step-ab.ts'), '--child', tree, '--legacy', legacy ? '1' : '0', '--steps', String(steps), '--patch', String(patch), '--teacher', teacher], { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`${name}: no result`);
      const res = JSON.parse(line.slice(7)) as Row;
      const row = rows.get(name)!;
      row.ms.push(...res.ms);
      row.student.push(...res.student);
      row.fake.push(...res.fake);
      console.log(`round ${r + 1} ${name}: ${res.ms.join(', ')} ms/step`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`tiny preset, batch 2, patch ${patch}, teacher ${teacher}, ${steps} steps per run after 1 warm-up, ${rounds} rounds alternated`);
  for (const [name, row] of rows) {
    console.log(`${name}: mean ${mean(row.ms).toFixed(0)} ms/step, median ${median(row.ms).toFixed(0)} (student ${mean(row.student).toFixed(0)}, fake ${mean(row.fake).toFixed(0)}; n = ${row.ms.length})`);
  }
}
