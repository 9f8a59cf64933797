/**
 * Where the job queue lives: a Redis URL `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (or `rediss://` for TLS),
 * turned into the connection options BullMQ and ioredis take, plus a quick reachability check so that a wrong
 * address is a one-line usage error instead of a process that retries forever.
 *
 * ```ts
 * const conn = parseQueueUrl('redis://127.0.0.1:6379/2'); // { host: '127.0.0.1', port: 6379, db: 2, ... }
 * await checkReachable(conn);                              // throws QueueUsageError when nothing answers
 * ```
 */
import { Redis, type RedisOptions } from 'ioredis';
import { QueueUsageError } from './errors.js';

export { QueueUsageError };

/** The BullMQ queue tadsr puts its jobs on, unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'tadsr';

export function parseQueueUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUsageError(`--queue must be a URL like redis://HOST:PORT[/DB], got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new QueueUsageError(`--queue must be a redis:// or rediss:// URL, got "${url}"`);
  }
  if (!u.hostname) throw new QueueUsageError(`--queue ${url} names no host`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db) || db < 0 || db > 65535) {
    throw new QueueUsageError(`--queue ${url}: the database (the path) must be a number, got "${dbText}"`);
  }
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking calls need this; for the rest it means "wait for Redis to come back" (a restart of the
    // server is survived), which is why reachability is checked once up front.
    maxRetriesPerRequest: null,
  };
}

/** Resolve when Redis answers PING within `timeoutMs`; otherwise throw a {@link QueueUsageError}. */
export async function checkReachable(conn: RedisOptions, timeoutMs = 5000): Promise<void> {
  const client = new Redis({
    ...conn,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  let cause = '';
  client.on('error', (err: Error) => (cause ||= err.message));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new QueueUsageError(`no Redis answers at ${conn.host}:${conn.port} (${cause || (err as Error).message})`);
  } finally {
    client.disconnect();
  }
}
