/**
 * The import rules of `.dependency-cruiser.cjs` (no cycle; models never import backends; libraries never import
 * the layers that compose them) hold for src/, and they do catch a violation: a fixture tree breaks each once.
 */
import { resolve } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

async function cruiseSrc(baseDir: string): Promise<{ violations: string[]; result: ICruiseResult }> {
  const options = await extractDepcruiseOptions(resolve(ROOT, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(resolve(ROOT, 'tsconfig.json'));
  const result = (await cruise(['src'], { ...options, baseDir, validate: true }, undefined, { tsConfig })).output as ICruiseResult;
  const violations = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  return { violations, result };
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  it('src/ has no import cycle, no models → backends import, no library → composition import', async () => {
    const { violations, result } = await cruiseSrc(ROOT);
    expect(violations).toEqual([]);
    // The cruise followed the `.js` → `.ts` imports, dynamic ones included (an empty graph would pass vacuously).
    const registry = result.modules.find((m) => m.source === 'src/backends/registry.ts');
    expect(registry?.dependencies.map((d) => d.resolved)).toContain('src/backends/onnx/factory.ts');
    expect(result.summary.totalCruised).toBeGreaterThan(200);
  });

  it('a tree with a cycle, a model importing a backend and a model importing a graph breaks each rule', async () => {
    const { violations } = await cruiseSrc(resolve(ROOT, 'test/fixtures/import-rules'));
    expect(violations.filter((s) => s.startsWith('no-circular: src/graphs/')).length).toBeGreaterThan(0);
    expect(violations).toContain('models-not-to-backends: src/models/spec.ts → src/backends/backend.ts');
    expect(violations).toContain('lower-layers-not-to-compositions: src/models/uses-graph.ts → src/graphs/a.ts');
  });
});
