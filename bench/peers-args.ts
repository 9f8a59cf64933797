/**
 * Tiny `--name value` / `--flag` parser for the peer benchmarks (they are scripts, not CLI commands).
 */
import { existsSync, readFileSync } from 'node:fs';
export interface ParsedArgs {
  get(name: string): string | undefined;
  list(name: string, fallback: readonly string[]): string[];
  int(name: string, fallback: number): number;
  flag(name: string): boolean;
}

/** The leading doc comment of a script file, without the comment markers: its usage text. */
export function usageOf(source: string): string {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(source);
  return m ? m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim() : '';
}

/** `--help` / `-h` print the running script's doc comment and exit 0 (instead of starting a long run). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) {
    const script = process.argv[1];
    process.stdout.write(`${script && existsSync(script) ? usageOf(readFileSync(script, 'utf8')) : 'no usage text found'}\n`);
    process.exit(0);
  }
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) values.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.set(a.slice(2), argv[++i]);
    else flags.add(a.slice(2));
  }
  return {
    get: (n) => values.get(n),
    list: (n, fallback) => (values.get(n)?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...fallback]),
    int: (n, fallback) => {
      const v = values.get(n);
      if (v === undefined) return fallback;
      const x = Number(v);
      if (!Number.isInteger(x)) throw new Error(`--${n} must be an integer, got ${v}`);
      return x;
    },
    flag: (n) => flags.has(n),
  };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
