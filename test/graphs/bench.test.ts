import { describe, expect, it } from 'vitest';
import { benchmarkBackends, formatBenchTable } from '../../src/graphs/bench.js';
import { flopsOf } from '../../src/models/flops.js';
import { presets } from '../../src/models/presets.js';
import { buildProgram } from '../../src/cli/main.js';

describe('benchmarkBackends', () => {
  it('times the student on ONNX CPU and reports a complete row', async () => {
    const r = await benchmarkBackends({ spec: presets.tiny, size: 8, backends: ['onnx:cpu'], repeats: 1 });
    expect(r.inputSize).toBe(32);
    expect(r.gflopPerImage).toBeCloseTo((flopsOf(presets.tiny, 'student', 32, 32).dense + flopsOf(presets.tiny, 'student', 32, 32).other) / 1e9, 9);
    expect(r.rows).toHaveLength(1);
    const row = r.rows[0]!;
    expect(row.error).toBeUndefined();
    expect(row.runtime).toMatch(/onnxruntime-node .*cpu/);
    expect(row.msPerImage).toBeGreaterThan(0);
    expect(row.imagesPerSecond).toBeCloseTo(1000 / row.msPerImage, 6);
    expect(row.maxAbsDiff).toBe(0);
    expect(row.peakRssMiB).toBeGreaterThan(10);
    const table = formatBenchTable(r);
    expect(table).toMatch(/^student at 32×32 px/);
    expect(table).toMatch(/onnx:cpu/);
  });

  it('refuses sizes the model cannot take, and unknown backends', async () => {
    await expect(benchmarkBackends({ spec: presets.tiny, size: 3, backends: ['onnx:cpu'] })).rejects.toThrow(/multiple of 16/);
    await expect(benchmarkBackends({ spec: presets.tiny, size: 8, backends: ['nope'] })).rejects.toThrow(/unknown backend "nope"/);
    await expect(benchmarkBackends({ spec: presets.tiny, size: 8, backends: ['onnx:tpu'] })).rejects.toThrow(/no variant "tpu"/);
  });

  it('is wired as `tadsr bench`', () => {
    const cmd = buildProgram().commands.find((c) => c.name() === 'bench');
    expect(cmd?.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--preset', '--size', '--backends', '--json', '--graph']));
  });
});
