/**
 * Where the reference goldens live: `../shared/reference/golden` beside the repository (the workspace and CI
 * layout), or `$TADSR_SHARED/reference/golden`. Tests that need them skip, saying so, when neither exists.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.TADSR_SHARED ?? join(repoRoot, '..', 'shared');
export const GOLDEN_DIR = join(SHARED_DIR, 'reference', 'golden');
export const HAVE_GOLDEN = existsSync(join(GOLDEN_DIR, 'metrics.json'));
if (!HAVE_GOLDEN) console.warn(`golden files not found in ${GOLDEN_DIR}: golden metric tests are skipped`);
