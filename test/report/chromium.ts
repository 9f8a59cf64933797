/**
 * Headless Chromium for report tests: Debian's `chromium` at /usr/bin/chromium (override with env
 * `TADSR_CHROMIUM`). Tests that need it skip, printing why, when it is absent (`.ci/run` installs it when it can).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.TADSR_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM_REASON = `SKIPPED: ${CHROMIUM} not found — install Debian's chromium (apt-get install -y chromium) to render the HTML report`;

function run(args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'tadsr-chromium-'));
  const common = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    // let the page's load-time script run before the DOM is dumped
    '--virtual-time-budget=5000',
  ];
  return new Promise<string>((resolve, reject) => {
    execFile(CHROMIUM, [...common, ...args], { timeout: 90_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** The DOM of `htmlPath` after load (scripts run), as Chromium serialises it. */
export function dumpDom(htmlPath: string): Promise<string> {
  return run(['--dump-dom', pathToFileURL(htmlPath).href]);
}

/** Screenshot of `htmlPath` into `pngPath`. */
export async function screenshot(htmlPath: string, pngPath: string, size = '1000,1400'): Promise<void> {
  await run([`--screenshot=${pngPath}`, `--window-size=${size}`, pathToFileURL(htmlPath).href]);
}
