import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initParams, unetParamShapes } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { SafetensorsFile, loadCheckpoint, readSafetensors, toHalf, writeSafetensors } from '../../src/models/safetensors.js';
import { PARITY_DIR } from '../fixtures/parity/load-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tadsr-st-'));
const t = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });

describe('safetensors', () => {
  it('round-trips F32 exactly, F16 and BF16 to their precision', async () => {
    const m = new Map([
      ['a.weight', t([2, 3], [0, 1, -2, 0.1, 65504, 1e-5])],
      ['b', t([1], [3.140625])],
    ]);
    for (const [dtype, tol] of [['F32', 0], ['F16', 1e-3], ['BF16', 8e-3]] as const) {
      const p = join(dir, `x-${dtype}.safetensors`);
      await writeSafetensors(p, m, { dtype, metadata: { format: 'pt' } });
      const f = await SafetensorsFile.open(p);
      expect(f.metadata).toEqual({ format: 'pt' });
      expect(f.entries.get('a.weight')!.dtype).toBe(dtype);
      const a = await f.read('a.weight');
      await f.close();
      expect(a.shape).toEqual([2, 3]);
      a.data.forEach((v, i) => expect(Math.abs(v - m.get('a.weight')!.data[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))));
    }
  });

  it('converts to half with round-to-nearest-even', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(2 ** -24)).toBe(1);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
  });

  it('reads the F16 fixtures written by PyTorch', async () => {
    const w = await readSafetensors(`${PARITY_DIR}vae.safetensors`);
    expect(w.get('encoder.conv_in.weight')!.shape).toEqual([8, 3, 3, 3]);
    expect(w.get('encoder.conv_in.weight')!.data.some((v) => v !== 0)).toBe(true);
  });

  it('names missing, unexpected and mis-shaped tensors; says "another preset"', async () => {
    const p = join(dir, 'small-unet.safetensors');
    await writeSafetensors(p, initParams(presets.tiny, 0).unet);
    await expect(loadCheckpoint(p, unetParamShapes(presets.small.unet))).rejects.toThrow(/another preset/);
    const partial = new Map([...initParams(presets.tiny, 0).unet].slice(1));
    partial.set('extra.weight', t([1], [0]));
    const q = join(dir, 'partial.safetensors');
    await writeSafetensors(q, partial);
    await expect(loadCheckpoint(q, unetParamShapes(presets.tiny.unet))).rejects.toThrow(/missing \(1\): conv_in\.weight[\s\S]*unexpected \(1\): extra\.weight/);
  });

  it('rejects a file that is not safetensors, and a truncated one', async () => {
    const p = join(dir, 'junk.safetensors');
    writeFileSync(p, 'hello world, not a checkpoint');
    await expect(SafetensorsFile.open(p)).rejects.toThrow(/not a safetensors file/);
    const good = join(dir, 'good.safetensors');
    await writeSafetensors(good, new Map([['a', t([4], [1, 2, 3, 4])]]));
    const bytes = (await import('node:fs')).readFileSync(good);
    const cut = join(dir, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4));
    await expect(SafetensorsFile.open(cut)).rejects.toThrow(/outside the file/);
  });
});
