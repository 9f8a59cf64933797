/**
 * vitest global setup: every test run gets one private temporary folder (TMPDIR, read by `os.tmpdir()` in the
 * test workers and in every CLI or worker process they spawn), removed whole at the end, so `npm test` leaves
 * nothing behind in the system temp folder even when a test does not clean up after itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env['TMPDIR'];
  const dir = mkdtempSync(join(tmpdir(), 'tadsr-test-run-'));
  process.env['TMPDIR'] = dir;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
