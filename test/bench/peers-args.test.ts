import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs, usageOf } from '../../bench/peers-args.js';

describe('bench argument parsing', () => {
  it('reads values, lists, integers and flags; rejects stray words and bad integers', () => {
    const a = parseArgs(['--limit', '5', '--models=a,b', '--no-tiled']);
    expect([a.int('limit', 0), a.list('models', []), a.flag('no-tiled'), a.get('lr')]).toEqual([5, ['a', 'b'], true, undefined]);
    expect(() => parseArgs(['oops'])).toThrow(/unexpected argument oops/);
    expect(() => parseArgs(['--limit', 'x']).int('limit', 0)).toThrow(/--limit must be an integer/);
  });
  it('usageOf gives a script its doc comment as --help text', () => {
    const text = usageOf(readFileSync(new URL('../../bench/peers-upscalerjs.ts', import.meta.url), 'utf8'));
    expect(text.startsWith('Peers on DRealSR')).toBe(true);
    expect(text).toContain('--thick-limit N');
    expect(text).not.toMatch(/^\s*\*/m);
  });
});
