/**
 * The README's upscale graph is the code that runs: the `ts` block after "The graph `tadsr upscale` runs" must be,
 * character for character, the `#region upscale-graph` of src/graphs/upscale-graph.ts (which Upscaler, and so
 * `tadsr upscale`, `eval-model` and the queue workers, call: test/graphs/upscale-wiring.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (rel: string) => readFileSync(new URL(`../../${rel}`, import.meta.url), 'utf8');

describe('README graph', () => {
  it('shows exactly the marked region of src/graphs/upscale-graph.ts', () => {
    const src = read('src/graphs/upscale-graph.ts');
    const m = /\/\/ #region upscale-graph\n([\s\S]*?)\/\/ #endregion upscale-graph/.exec(src);
    expect(m, 'region markers in upscale-graph.ts').not.toBeNull();
    const region = m![1]!;
    expect(region).toContain('export function upscaleGraph');
    const readme = read('README.md');
    const at = readme.indexOf('The graph `tadsr upscale` runs on every image');
    expect(at).toBeGreaterThan(0);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
    expect(block![1]).toBe(region);
  });
});
