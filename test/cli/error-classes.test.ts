/**
 * Errors are routed by class, never by their text: an unknown preset is an `UnknownPresetError` (exit 2 from
 * `init-model`, and from any graph that resolves a preset), while a plain Error that happens to say the same
 * words is a run-time fault (exit 1).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_SOME_FAILED, EXIT_USAGE, exitCodeOf } from '../../src/cli/errors.js';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { UnknownPresetError, presetByName } from '../../src/models/presets.js';
import { runCli } from '../helpers/cli-run.js';

const root = mkdtempSync(join(tmpdir(), 'tadsr-error-classes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('unknown preset', () => {
  it('presetByName and initModelDir throw an UnknownPresetError naming the known presets', async () => {
    expect(() => presetByName('huge')).toThrow(UnknownPresetError);
    expect(() => presetByName('huge')).toThrow('unknown preset "huge" (known: tiny, small, small-taef2, sd21-base)');
    await expect(initModelDir(join(root, 'm'), 'huge')).rejects.toBeInstanceOf(UnknownPresetError);
  });

  it('tadsr init-model --preset huge: exit 2, one line naming the known presets, nothing written', async () => {
    const out = join(root, 'cli-out');
    const r = await runCli(['init-model', '--preset', 'huge', '--out', out]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toBe('tadsr init-model: unknown preset "huge" (known: tiny, small, small-taef2, sd21-base)\n');
    expect(readdirSync(root)).not.toContain('cli-out');
  });

  it('the class decides the exit code, not the words', () => {
    expect(exitCodeOf(new UnknownPresetError('x'))).toBe(EXIT_USAGE);
    expect(exitCodeOf(new Error('unknown preset "huge"'))).toBe(EXIT_SOME_FAILED);
  });
});
