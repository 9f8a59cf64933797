/**
 * A real Redis for queue tests: Debian's `redis-server` (override the binary with env `TADSR_REDIS_SERVER`) on a
 * free loopback port, with its data in a fresh temporary folder and the append-only file on (`appendfsync always`,
 * so a kill -9 loses nothing acknowledged). `stop()` ends it and removes the folder. Tests that need it skip,
 * printing why, when the binary is absent (`.ci/run` installs it when it can).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

function findRedisServer(): string | null {
  const own = process.env.TADSR_REDIS_SERVER;
  if (own) return existsSync(own) ? own : null;
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const REDIS_SERVER = findRedisServer();
export const HAVE_REDIS = REDIS_SERVER !== null;
export const NO_REDIS_REASON =
  'SKIPPED: no redis-server binary — install Debian\'s redis-server (apt-get install -y redis-server) to run the queue tests';

export interface RedisHandle {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** The server's process id (for CPU accounting in benches). */
  readonly pid: number;
  /** Kill the server (SIGKILL: a crash, not a clean shutdown). */
  kill(): Promise<void>;
  /** Start it again on the same port and folder (it reloads the append-only file). */
  restart(): Promise<void>;
  /** Stop it and remove its folder. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function launch(bin: string, port: number, dir: string, fsync: string): Promise<ChildProcess> {
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', 'yes', '--appendfsync', fsync, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning',
  ];
  // --loglevel warning hides the "Ready" line: wait for the port to accept a PING instead
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let exited = false;
    child.once('exit', (code) => {
      exited = true;
      reject(new Error(`redis-server exited with code ${code}: ${log.slice(-1000)}`));
    });
    const probe = (): void => {
      if (exited) return;
      ping(port).then(
        (ok) => {
          if (ok) resolve(child);
          else if (Date.now() - t0 > 20_000) {
            child.kill('SIGKILL');
            reject(new Error(`redis-server did not answer on port ${port}: ${log.slice(-1000)}`));
          } else setTimeout(probe, 50);
        },
        reject,
      );
    };
    probe();
  });
}

/** One PING over a raw socket (no client library: the helper must not depend on what it tests). */
async function ping(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) {
        s.destroy();
        resolve(buf.startsWith('+PONG'));
      }
    });
    s.on('error', () => resolve(false));
  });
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `appendfsync`: `always` (default: a kill -9 loses nothing acknowledged) or `everysec` (production speed, for benches). */
export async function startRedis(opts: { appendfsync?: 'always' | 'everysec' } = {}): Promise<RedisHandle> {
  const fsync = opts.appendfsync ?? 'always';
  if (!REDIS_SERVER) throw new Error(NO_REDIS_REASON);
  const bin = REDIS_SERVER;
  const dir = mkdtempSync(join(tmpdir(), 'tadsr-redis-'));
  let port = 0;
  let child: ChildProcess | null = null;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(bin, port, dir, fsync);
    } catch (err) {
      if (attempt === 4) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  const current = (): ChildProcess => child as ChildProcess;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return current().pid ?? -1;
    },
    async kill() {
      current().kill('SIGKILL');
      await exitOf(current());
    },
    async restart() {
      child = await launch(bin, port, dir, fsync);
    },
    async stop() {
      const c = current();
      c.kill('SIGTERM');
      await exitOf(c);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One real Redis for a test file: started in `beforeAll` (when the binary exists), stopped in `afterAll`, which also
 * removes the folders pushed onto `cleanup`. The handle is usable inside the tests (before `beforeAll` has run, any
 * use throws).
 */
export function redisForSuite(cleanup: string[] = []): RedisHandle {
  let h: RedisHandle | undefined;
  beforeAll(async () => {
    if (HAVE_REDIS) h = await startRedis();
  });
  afterAll(async () => {
    await h?.stop();
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  });
  const get = (): RedisHandle => {
    if (!h) throw new Error('redis-server is not running (started in beforeAll when the binary exists)');
    return h;
  };
  return {
    get port() {
      return get().port;
    },
    get url() {
      return get().url;
    },
    get pid() {
      return get().pid;
    },
    kill: () => get().kill(),
    restart: () => get().restart(),
    stop: () => get().stop(),
  };
}
