import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type FrameError, isFrameError } from '../../src/frame.js';
import { niqe, psnr, ssim } from '../../src/metrics/index.js';
import { measure } from '../../src/operators/measure.js';
import { noisy, texture } from '../graphs/evaluate-fixtures.js';

describe('measure()', () => {
  const hq = texture(128, 1);
  const sr = noisy(hq, 30, 1);

  it('adds psnr / ssim (pyiqa Y) and niqe (BasicSR) to frames with sr and hq', async () => {
    const out = await lastValueFrom(from([{ id: 'a', sr, hq }]).pipe(measure(), toArray()));
    const f = out[0];
    if (isFrameError(f)) throw new Error(f.message);
    expect(f.metrics).toEqual({ psnr: psnr(sr, hq), ssim: ssim(sr, hq), niqe: niqe(sr) });
    expect(f.id).toBe('a');
  });

  it('measures NIQE alone on frames without a reference, and honours convention options', async () => {
    const [a] = await lastValueFrom(from([{ id: 'n', sr }]).pipe(measure({ metrics: ['niqe'] }), toArray()));
    expect(isFrameError(a) ? a : a.metrics).toEqual({ niqe: niqe(sr) });
    const [b] = await lastValueFrom(
      from([{ id: 'b', sr, hq }]).pipe(measure({ metrics: ['psnr'], psnr: { convention: 'basicsr', cropBorder: 4 } }), toArray()),
    );
    expect(isFrameError(b) ? b : b.metrics).toEqual({ psnr: psnr(sr, hq, { convention: 'basicsr', cropBorder: 4 }) });
  });

  it('turns unmeasurable frames into errors and lets the others and upstream errors through', async () => {
    const upstream: FrameError = { kind: 'frame-error', id: 'up', stage: 'read-images', message: 'broken' };
    const small = texture(64, 2);
    const out = await lastValueFrom(
      from([{ id: 'size', sr, hq: small }, upstream, { id: 'tiny', sr: small, hq: small }, { id: 'ok', sr, hq }]).pipe(measure(), toArray()),
    );
    expect(out.map((x) => (isFrameError(x) ? `${x.id}:${x.stage}` : x.id))).toEqual(['size:measure', 'up:read-images', 'tiny:measure', 'ok']);
    expect((out[0] as FrameError).message).toMatch(/sizes differ/);
    expect((out[2] as FrameError).message).toMatch(/96x96/);
  });
});
