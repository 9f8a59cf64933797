/**
 * Outputs that never destroy what the user did not ask to replace, checked before any work starts:
 * a write probe in the output's folder (or its nearest existing ancestor), so a read-only folder, a path under a
 * file or a pseudo file system (`/proc`) is one clear {@link OutputError} before a model is loaded.
 *
 * ```ts
 * await probeWritable('out/sr');      // throws OutputError: cannot write to out/sr: …
 * ```
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** An output that cannot or must not be written; nothing was written. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** The nearest existing ancestor of `path` (itself when it exists). */
export function nearestExisting(path: string): string {
  let p = resolve(path);
  for (;;) {
    try {
      statSync(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/**
 * Check that files can be created in folder `dir` (which may not exist yet: its nearest existing ancestor is
 * probed, nothing is created but a probe file that is removed at once).
 */
export function probeWritable(dir: string, what = 'output'): void {
  const at = nearestExisting(dir);
  let st;
  try {
    st = statSync(at);
  } catch (err) {
    throw new OutputError(`cannot write ${what} ${dir}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new OutputError(`cannot write ${what} ${dir}: ${at} is a file, not a folder`);
  const probe = join(at, `.tadsr-write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOENT' ? 'files cannot be created there' : (err as Error).message;
    throw new OutputError(`cannot write ${what} ${dir}: ${why} (in ${at})`);
  }
  try {
    unlinkSync(probe);
  } catch {
    /* gone already */
  }
}
