/**
 * The README's command synopses (the table under "## Commands") list every option that `tadsr <command> --help`
 * shows, and no other, with the same defaults (issue 11). Options and defaults are read from the help commander
 * prints (`Help.visibleOptions` / `Help.optionDescription`, the text of `--help`), for every command of src/cli.
 *
 * Synopsis conventions (stated in the README above the table):
 * - `[--opt VALUE]`: VALUE is the default, the same as the one `--help` shows;
 * - `[--opt a|b|c]`: the choices; the first is the default when `--help` shows one;
 * - an upper-case placeholder (`N`, `DIR`, `FILE` …): no fixed default — `--help` shows none, a description
 *   without a literal value (`posterior mean`), or one that depends on the machine (`this machine's …`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, Help, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Leaf commands with their path below `tadsr` ("degrade", "queue status"), commander's `help` excluded. */
function leafCommands(cmd: Command, path: string[] = []): { path: string; cmd: Command }[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return path.length > 0 ? [{ path: path.join(' '), cmd }] : [];
  return subs.flatMap((c) => leafCommands(c, [...path, c.name()]));
}

/** The `(default …)` text of an option's help line: commander's `(default: "x")` or a hand-written one. */
export function helpDefault(description: string): string | undefined {
  const at = description.search(/\(default\b/);
  if (at < 0) return undefined;
  let depth = 0;
  let end = at;
  for (; end < description.length; end++) {
    if (description[end] === '(') depth++;
    else if (description[end] === ')' && --depth === 0) break;
  }
  return description
    .slice(at + '(default'.length, end)
    .replace(/^:?\s*/, '')
    .replace(/^"(.*)"$/, '$1');
}

/** The code spans `npx tadsr …` of the README's "## Commands" section. */
export function synopses(readme: string): string[] {
  const start = readme.indexOf('\n## Commands');
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0) throw new Error('README has no "## Commands" section');
  const section = readme.slice(start, end < 0 ? undefined : end);
  const spans: string[] = [];
  // table cells escape "|" as "\|" inside code spans
  for (const m of section.matchAll(/`(npx tadsr [^`]*)`/g)) spans.push(m[1]!.replace(/\\\|/g, '|'));
  return spans;
}

/** Flags and the value written after each, of the synopses of one command path (longest path wins). */
export function synopsisFlags(spans: string[], path: string, allPaths: string[]): Map<string, (string | undefined)[]> {
  const flags = new Map<string, (string | undefined)[]>();
  for (const span of spans) {
    const words = span.replace(/^npx tadsr /, '');
    const owner = [...allPaths]
      .sort((a, b) => b.length - a.length)
      .find((p) => words === p || words.startsWith(`${p} `));
    if (owner !== path) continue;
    const tokens = words.slice(path.length).split(/\s+/).map((t) => t.replace(/^\[+|\]+$/g, '')).filter(Boolean);
    tokens.forEach((t, i) => {
      if (!/^--?[a-z]/.test(t)) return;
      const next = tokens[i + 1];
      const value = next !== undefined && !next.startsWith('-') && next !== '|' && next !== '...' ? next : undefined;
      flags.set(t, [...(flags.get(t) ?? []), value]);
    });
  }
  return flags;
}

const isPlaceholder = (v: string): boolean => /^[A-Z][A-Z0-9_]*$/.test(v);

/** Whether `value` occurs in `text` as a whole word (paths and numbers included). */
function occursIn(value: string, text: string): boolean {
  const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${esc}($|[^A-Za-z0-9_-])`).test(text);
}

/** A default a user could type: commander's own, or a hand-written one holding a number or a path. */
function literalDefault(d: string, fromCommander: boolean): boolean {
  if (/\bmachine/.test(d)) return false; // depends on the machine: a placeholder in the README
  return fromCommander || /(^|[\s,(])(\d+(\.\d+)?|[\w.-]*\/[\w./-]+)($|[\s,)])/.test(d) || !/\s/.test(d);
}

/** Everything wrong between one command's `--help` and its README synopses, one line each. */
export function synopsisProblems(path: string, cmd: Command, help: Help, flags: Map<string, (string | undefined)[]>): string[] {
  const problems: string[] = [];
  if (flags.size === 0) return [`${path}: no synopsis \`npx tadsr ${path} …\` in the README's Commands table`];
  const known = new Set<string>();
  for (const opt of help.visibleOptions(cmd) as Option[]) {
    if (opt.long === '--help') continue;
    const names = [opt.long, opt.short].filter((n): n is string => n !== undefined);
    names.forEach((n) => known.add(n));
    const written = names.flatMap((n) => flags.get(n) ?? []);
    const shown = names.find((n) => flags.has(n));
    if (shown === undefined) {
      problems.push(`${path}: ${opt.flags} is in --help, not in the README synopsis`);
      continue;
    }
    if (opt.isBoolean()) continue;
    const description = help.optionDescription(opt);
    const d = helpDefault(description);
    const literal = d !== undefined && literalDefault(d, opt.defaultValue !== undefined);
    for (const value of written) {
      if (value === undefined) {
        problems.push(`${path}: ${shown} takes a value (${opt.flags}) but the synopsis shows none`);
        continue;
      }
      const choices = value.split('|');
      const first = choices[0]!;
      if (isPlaceholder(first)) {
        if (literal) problems.push(`${path}: ${shown} ${value}: --help shows the default "${d}", the synopsis a placeholder`);
      } else if (d === undefined || !literal) {
        if (choices.length < 2) {
          problems.push(`${path}: ${shown} ${value}: --help shows ${d === undefined ? 'no default' : `"${d}"`}, the synopsis a value`);
        }
      } else if (!occursIn(first, d)) {
        problems.push(`${path}: ${shown} ${value}: --help's default is "${d}"`);
      }
    }
  }
  for (const flag of flags.keys()) {
    if (!known.has(flag)) problems.push(`${path}: ${flag} is in the README synopsis but not an option of --help`);
  }
  return problems;
}

describe('README synopses match --help', () => {
  const program = buildProgram();
  const leaves = leafCommands(program);
  const spans = synopses(readFileSync(README, 'utf8'));

  it('finds every command of src/cli', () => {
    const paths = leaves.map((l) => l.path);
    for (const p of ['upscale', 'degrade', 'eval', 'eval-model', 'bench', 'train', 'pretrain', 'init-model', 'worker', 'queue status']) {
      expect(paths).toContain(p);
    }
  });

  it.each(leaves.map((l) => [l.path, l.cmd] as const))('tadsr %s: every --help option, same defaults', (path, cmd) => {
    const flags = synopsisFlags(spans, path, leaves.map((l) => l.path));
    expect(synopsisProblems(path, cmd, cmd.createHelp(), flags)).toEqual([]);
  });

  it('the checker catches a missing option, a wrong default and a stale option', () => {
    const degrade = leaves.find((l) => l.path === 'degrade')!.cmd;
    const bad = synopsisFlags(
      ['npx tadsr degrade --in DIR --out DIR [--seed 1] [--size 512] [--scale 4] [--workers N] [--config F] [--png-compression 6] [--quiet] [--queue URL] [--queue-name tadsr] [--wait] [--retry-failed] [--threads 2]'],
      'degrade',
      ['degrade'],
    );
    expect(synopsisProblems('degrade', degrade, degrade.createHelp(), bad)).toEqual([
      'degrade: --seed 1: --help\'s default is "0"',
      'degrade: --threads is in the README synopsis but not an option of --help',
    ]);
    const missing = synopsisFlags(['npx tadsr degrade --in DIR --out DIR [--seed 0]'], 'degrade', ['degrade']);
    expect(synopsisProblems('degrade', degrade, degrade.createHelp(), missing)).toContain(
      'degrade: --png-compression <n> is in --help, not in the README synopsis',
    );
    const placeholder = synopsisFlags(['npx tadsr degrade [--png-compression N]'], 'degrade', ['degrade']);
    expect(synopsisProblems('degrade', degrade, degrade.createHelp(), placeholder)).toContain(
      'degrade: --png-compression N: --help shows the default "6", the synopsis a placeholder',
    );
  });
});
