/**
 * The repository is self-contained: no JSON file shipped under models/ (model manifests, training configs) holds an
 * absolute path of the machine that made it; paths there are relative to the repository root.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const modelsDir = new URL('../../models/', import.meta.url).pathname;

/** models/peers/ holds GAN peers converted on this machine (git-ignored, never shipped): not checked. */
const LOCAL_ONLY = new Set([join(modelsDir, 'peers')]);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return LOCAL_ONLY.has(p) ? [] : jsonFiles(p);
    return e.name.endsWith('.json') ? [p] : [];
  });
}

function strings(v: unknown, at: string): [string, string][] {
  if (typeof v === 'string') return [[at, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${at}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, `${at}.${k}`));
  return [];
}

describe('shipped model files', () => {
  it('hold no absolute paths', () => {
    const files = jsonFiles(modelsDir);
    expect(files.some((f) => f.endsWith(join('default', 'model.json')))).toBe(true);
    const bad = files.flatMap((f) => strings(JSON.parse(readFileSync(f, 'utf8')), f.slice(modelsDir.length)).filter(([, s]) => isAbsolute(s)).map(([at, s]) => `${at}: ${s}`));
    expect(bad).toEqual([]);
  });
});
