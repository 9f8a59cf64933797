/**
 * Where a degrade worker thread's CPU goes, thread by thread (/proc/self/task), with 1 and 2 threads — the
 * measurement behind "why does a second worker thread cost more CPU per pair":
 *
 *   nice -n 10 npx tsx bench/degrade-threads.ts [N=30] [WORKERS=1,2]
 *
 * For each worker count: a DegradePool is started and given one pair per thread (start-up, not counted), then N
 * pairs of ../shared/data/train (every k-th file, 512² crops, OSEDiff flow), 2 × workers in flight. Printed: the
 * start-up CPU, the steady CPU s/pair of the whole process, and each thread's CPU seconds during the steady part.
 * Reading it: the worker threads are the two busy `node` threads; the four `node` threads present from the start
 * are V8's platform workers (concurrent GC); four more appear with the first file read (libuv's pool); the rest
 * are tsx's module-loader threads. CPU s/pair does not depend on the machine's load; pairs/s does.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDegradationConfig } from '../src/degradation/config.js';
import { DegradePool } from '../src/graphs/degrade-pool.js';
import { idFromPath, isImagePath } from '../src/io/list-images.js';

const N = Number(process.argv[2] ?? 30);
const WS = (process.argv[3] ?? '1,2').split(',').map(Number);
const TRAIN = new URL('../../shared/data/train', import.meta.url).pathname;
const all: string[] = [];
for (const sub of readdirSync(TRAIN).sort()) for (const f of readdirSync(join(TRAIN, sub)).sort()) if (isImagePath(f)) all.push(join(TRAIN, sub, f));
const step = all.length / N;
const imgs = Array.from({ length: N }, (_, i) => all[Math.floor(i * step)]);
const cfg = parseDegradationConfig({ gt_size: 512, usm: false });

function threads(): Map<string, number> {
  const m = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(`${tid}:${comm}`, (Number(f[11]) + Number(f[12])) / 100);
    } catch {}
  }
  return m;
}
function diff(a: Map<string, number>, b: Map<string, number>): string {
  const byComm = new Map<string, number>();
  const rows: string[] = [];
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0);
    if (d > 0) rows.push(`${k}=${d.toFixed(2)}`);
    const c = k.split(':')[1];
    byComm.set(c, (byComm.get(c) ?? 0) + d);
  }
  return rows.join(' ') + '\n   by name: ' + [...byComm].map(([c, v]) => `${c}=${v.toFixed(2)}`).join(' ');
}
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const w of WS) {
  const out = mkdtempSync(join(tmpdir(), 'hq-thr-'));
  const c0 = cpu(); const t0 = threads();
  const pool = new DegradePool(w);
  await Promise.all(Array.from({ length: w }, (_, i) => pool.run({ id: `warm${i}`, path: imgs[i], outDir: out, seed: 1, config: cfg })));
  const c1 = cpu(); const t1 = threads(); const wall1 = performance.now();
  let next = 0;
  const lane = async () => { while (next < imgs.length) { const p = imgs[next++]; const r = await pool.run({ id: idFromPath(p) + next, path: p, outDir: out, seed: 0, config: cfg }); if (!r.ok) throw new Error(r.message); } };
  await Promise.all(Array.from({ length: 2 * w }, lane));
  const c2 = cpu(); const t2 = threads(); const wall = (performance.now() - wall1) / 1000;
  await pool.close();
  rmSync(out, { recursive: true });
  console.log(`workers=${w}: startup+warm CPU ${(c1 - c0).toFixed(2)} s; steady ${((c2 - c1) / N).toFixed(3)} CPU s/pair, ${(N / wall).toFixed(2)} pairs/s`);
  console.log('  startup threads: ' + diff(t0, t1));
  console.log('  steady threads: ' + diff(t1, t2));
}
