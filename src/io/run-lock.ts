/**
 * One process per run folder: `DIR/.lock` holds the owner's pid, created with O_EXCL so two processes starting at
 * the same moment cannot both take it. A lock left by a dead process (kill -9, power loss) is taken over.
 *
 * ```ts
 * const release = acquireRunLock('runs/distill', 'tadsr train');
 * try { … } finally { release(); }
 * ```
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The folder is in use by another live process; the message names it and the lock file. */
export class RunLockError extends Error {
  override name = 'RunLockError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `dir/.lock` (creating `dir`); returns the function that releases it. */
export function acquireRunLock(dir: string, what: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RunLockError(`${dir} is in use by another ${what} (${lock} appeared while taking it); try again`);
        throw err;
      }
      let text = '';
      try {
        text = readFileSync(lock, 'utf8').trim();
      } catch {
        /* removed meanwhile: retry */
      }
      const pid = Number(text);
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new RunLockError(`${dir} is in use by another ${what} (pid ${pid}); wait for it to end, or remove ${lock} if that process is not a tadsr run`);
      }
      try {
        unlinkSync(lock); // left by a process that is gone
      } catch {
        /* already gone */
      }
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', release);
  return release;
}
