import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isFrameError, type Item } from '../../src/frame.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { colorFix } from '../../src/operators/color-fix.js';
import { decode } from '../../src/operators/decode.js';
import { denoise } from '../../src/operators/denoise.js';
import { encode } from '../../src/operators/encode.js';
import { noiseAt } from '../../src/operators/noise-at.js';
import { score } from '../../src/operators/score.js';
import { tile } from '../../src/operators/tile.js';
import { untile } from '../../src/operators/untile.js';
import { OFFICIAL_TIME_MAPPING, sdSchedule } from '../../src/schedule/index.js';
import { FAKE_FACTS, FakeBackend } from '../helpers/fake-backend.js';

function img(w: number, h: number, seed = 1): RgbImage {
  const d = new Float32Array(w * h * 3);
  for (let i = 0; i < d.length; i++) d[i] = (((i + seed) * 2654435761) % 997) / 997;
  return createImage(w, h, d);
}

describe('encode → denoise → decode', () => {
  it('runs the TAE at t_s, applies the named formula and crops back to ×4', async () => {
    const b = new FakeBackend();
    const out = await firstValueFrom(
      from([{ id: 'a', lq: img(5, 3) }]).pipe(encode(b, FAKE_FACTS, { tS: 500 }), denoise(b, FAKE_FACTS, { formula: 'official' }), decode(b, FAKE_FACTS)),
    );
    if (isFrameError(out)) throw new Error(out.message);
    expect(out.sr.width).toBe(20);
    expect(out.sr.height).toBe(12);
    expect(out.tS).toBe(500);
    expect(b.calls.map((c) => c.net)).toEqual(['timeAwareEncoder', 'unet', 'vaeDecoder']);
    expect(b.calls[0]!.shape).toEqual([1, 3, 16, 24]); // padded to multiples of 8
    expect(b.calls[1]!.inputs).toEqual(['encoderHiddenStates', 'sample', 'timestep']);
    // official: ẑ = z/α − ε with ε = 0.1 z + t/1e4
    const a = sdSchedule().alpha(500);
    const z = out.zL.data[0]!;
    expect(out.zHat.data[0]).toBeCloseTo(z / a - (0.1 * z + 0.05), 5);
  });
  it('uses the plain encoder when the TAE is off', async () => {
    const b = new FakeBackend();
    await firstValueFrom(from([{ id: 'a', lq: img(4, 4) }]).pipe(encode(b, FAKE_FACTS, { tS: 10, tae: false })));
    expect(b.calls[0]).toMatchObject({ net: 'vaeEncoder', inputs: ['sample'] });
  });
  it('rejects t_s out of range when the graph is built', () => {
    expect(() => encode(new FakeBackend(), FAKE_FACTS, { tS: 1000 })).toThrow('t_s must be an integer in [0, 999], got 1000');
  });
  it('colour-fixes toward the upsampled LQ', async () => {
    const b = new FakeBackend();
    const out = await firstValueFrom(from([{ id: 'a', lq: img(8, 8) }]).pipe(encode(b, FAKE_FACTS, { tS: 200 }), denoise(b, FAKE_FACTS), decode(b, FAKE_FACTS), colorFix('adain')));
    if (isFrameError(out)) throw new Error(out.message);
    const mean = (im: RgbImage) => im.data.reduce((s, v) => s + v, 0) / im.data.length;
    expect(mean(out.sr)).toBeCloseTo(mean(out.lqUp), 2);
  });
});

describe('noiseAt and score', () => {
  it('noises to t_v = λ t_s and forms x0 predictions from both scores', async () => {
    const b = new FakeBackend();
    const out = await firstValueFrom(
      from([{ id: 'a', lq: img(8, 8) }]).pipe(
        encode(b, FAKE_FACTS, { tS: 600 }),
        denoise(b, FAKE_FACTS),
        noiseAt({ mapping: OFFICIAL_TIME_MAPPING }, 3),
        score(b, FAKE_FACTS, { fake: b }),
      ),
    );
    if (isFrameError(out)) throw new Error(out.message);
    expect(out.tV).toBe(300);
    const s = sdSchedule();
    const zt = out.zTv.data[0]!;
    expect(zt).toBeCloseTo(s.alpha(300) * out.zHat.data[0]! + s.sigma(300) * out.noise.data[0]!, 5);
    const epsT = 0.2 * zt + 0.03;
    expect(out.x0Teacher.data[0]).toBeCloseTo((zt - s.sigma(300) * epsT) / s.alpha(300), 4);
    expect(b.calls.filter((c) => c.net === 'teacherUnet')).toHaveLength(1); // no CFG with the fixed embedding
  });
});

describe('tile / untile', () => {
  it('tiled graph equals the untiled one for a block-local model (tiles aligned to 8 px)', async () => {
    const b = new FakeBackend();
    const lq = img(40, 24);
    const whole = await firstValueFrom(from([{ id: 'x', lq }]).pipe(encode(b, FAKE_FACTS, { tS: 300 }), denoise(b, FAKE_FACTS), decode(b, FAKE_FACTS)));
    const tiled = await firstValueFrom(
      from([{ id: 'x', lq }]).pipe(tile({ tile: 16, overlap: 8 }), encode(b, FAKE_FACTS, { tS: 300 }), denoise(b, FAKE_FACTS), decode(b, FAKE_FACTS), untile()),
    );
    if (isFrameError(whole) || isFrameError(tiled)) throw new Error('unexpected error');
    expect(tiled.sr.width).toBe(160);
    let maxErr = 0;
    // bicubic at tile borders differs slightly; compare away from the 2-px LQ border effects via max over all
    for (let i = 0; i < whole.sr.data.length; i++) maxErr = Math.max(maxErr, Math.abs(whole.sr.data[i]! - tiled.sr.data[i]!));
    expect(maxErr).toBeLessThan(0.02);
    // every tile ran at the same t_s
    expect(b.calls.filter((c) => c.net === 'timeAwareEncoder').length).toBe(1 + 4 * 2);
  });
  it('a bad frame becomes one error and the stream goes on', async () => {
    const b = new FakeBackend();
    const items: Item<{ id: string; lq: RgbImage }>[] = [
      { kind: 'frame-error', id: 'bad', stage: 'read-images', message: 'cannot read file' },
      { id: 'ok', lq: img(16, 16) },
    ];
    const out = await lastValueFrom(from(items).pipe(tile({ tile: 8, overlap: 4 }), encode(b, FAKE_FACTS, { tS: 1 }), denoise(b, FAKE_FACTS), decode(b, FAKE_FACTS), untile(), toArray()));
    expect(out).toHaveLength(2);
    expect(isFrameError(out[0])).toBe(true);
    expect(isFrameError(out[1])).toBe(false);
  });
});
