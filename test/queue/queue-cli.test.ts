import { describe, expect, it } from 'vitest';
import { CORRUPT, makeHqFolder, newOutDir } from '../graphs/degrade-fixtures.js';
import { runCli } from '../helpers/cli-run.js';
import { HAVE_REDIS, NO_REDIS_REASON, redisForSuite } from '../helpers/redis-server.js';
import { sameFolders, until } from './queue-fixtures.js';
import { spawnCli } from './spawn-cli.js';

if (!HAVE_REDIS) console.warn(NO_REDIS_REASON);

const runInProcess = (args: string[]) => runCli(args);

const cleanup: string[] = [];
const redis = redisForSuite(cleanup);

describe.skipIf(!HAVE_REDIS)('tadsr degrade --queue / worker / queue status (CLI, real redis-server)', () => {
  it('rejects bad queue arguments with one clear message (exit 2)', async () => {
    const inDir = await makeHqFolder(1, [40, 40], false);
    cleanup.push(inDir);
    const cases: [string[], RegExp][] = [
      [['degrade', '--in', inDir, '--out', 'x', '--queue', 'http://h:1'], /--queue must be a redis:\/\/ or rediss:\/\/ URL/],
      [['degrade', '--in', inDir, '--out', 'x', '--wait'], /--wait and --retry-failed go with --queue/],
      [['degrade', '--in', inDir, '--out', 'x', '--queue', redis.url, '--workers', '2'], /give each `tadsr worker` --concurrency/],
      [['worker', '--queue', 'redis://127.0.0.1:1'], /no Redis answers at 127.0.0.1:1/],
      [['worker', '--queue', redis.url, '--size', '256'], /pin a config: give --config too/],
      [['queue', 'status', '--queue', 'redis://127.0.0.1:1/x'], /the database \(the path\) must be a number/],
    ];
    for (const [args, msg] of cases) {
      const r = await runInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('two worker processes and one producer write the same bytes as plain tadsr degrade; failures exit 1 with reasons', async () => {
    const inDir = await makeHqFolder(8, [90, 80]);
    const ref = newOutDir();
    const out = newOutDir();
    cleanup.push(inDir, ref, out);
    const common = ['--in', inDir, '--seed', '2', '--size', '64', '--quiet'];
    const plain = await runInProcess(['degrade', ...common, '--out', ref, '--workers', '1']);
    expect(plain.code).toBe(1);

    const q = ['--queue', redis.url, '--queue-name', 'cli'];
    const workers = [0, 1].map(() => spawnCli(['worker', ...q, '--until-empty']));
    await until(() => workers.every((w) => w.stderr().includes('worker on')), 60_000, 'two workers to connect');
    const queued = await runInProcess(['degrade', ...common, '--out', out, ...q, '--wait']);
    expect(queued.code).toBe(1);
    const listed = queued.stderr.slice(queued.stderr.indexOf('failed (5):'));
    for (const name of CORRUPT) expect(listed).toContain(name);
    const ends = await Promise.all(workers.map((w) => w.done));
    let doneLines = 0;
    for (const e of ends) {
      expect(e.signal).toBeNull();
      expect([0, 1]).toContain(e.code);
      doneLines += e.stderr.split('\n').filter((l) => l.startsWith('done ')).length;
    }
    expect(doneLines).toBe(8); // each image once, no duplicate
    expect(ends.map((e) => e.code)).toContain(1); // the corrupt files failed in the workers
    expect(sameFolders(ref, out).differ).toEqual([]);

    const status = await runInProcess(['queue', 'status', ...q]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/completed 8, failed 5/);
    for (const name of CORRUPT) expect(status.stdout).toMatch(new RegExp(`${name.replace('.', '\\.')}: \\S`));
    const json = await runInProcess(['queue', 'status', ...q, '--json']);
    const s = JSON.parse(json.stdout) as { counts: { completed: number; waiting: number }; failures: { reason: string }[]; etaSeconds: number };
    expect(s.counts).toMatchObject({ completed: 8, waiting: 0 });
    expect(s.failures).toHaveLength(5);
    expect(s.etaSeconds).toBe(0);
  });
});
