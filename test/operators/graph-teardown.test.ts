/**
 * Stream behaviour of a real graph on a real backend (the tiny preset on TF.js, real tensors): a FrameError
 * from the first stage reaches the sink past every later operator, unsubscribing stops work (no backend call
 * starts after it) and leaves no tensor behind, and `upscale()` torn down mid-run processes no further image
 * and disposes the backend it loaded.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { from, lastValueFrom, take, toArray } from 'rxjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Backend, HostTensor, SubNetwork } from '../../src/backends/backend.js';
import { registerBackendFactory } from '../../src/backends/registry.js';
import { onnxFactory } from '../../src/backends/onnx/factory.js';
import { tfjsFactory } from '../../src/backends/tfjs/factory.js';
import { createTfjsBackend } from '../../src/backends/tfjs/tfjs-backend.js';
import { type FrameError, isFrameError } from '../../src/frame.js';
import { type UpscaleEvent, upscale } from '../../src/graphs/infer.js';
import { initModelDir, modelFacts } from '../../src/graphs/model-dir.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { colorFix } from '../../src/operators/color-fix.js';
import { decode } from '../../src/operators/decode.js';
import { denoise } from '../../src/operators/denoise.js';
import { encode } from '../../src/operators/encode.js';
import { readImages } from '../../src/operators/read-images.js';
import { writeImages } from '../../src/operators/write-images.js';

/** A real backend with counters around it: calls started, calls in flight, disposals. */
class Counted implements Backend {
  started: SubNetwork[] = [];
  inFlight = 0;
  maxInFlight = 0;
  disposed = 0;
  constructor(readonly inner: Backend) {}
  get info() {
    return this.inner.info;
  }
  async run(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
    this.started.push(net);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // yield first, as a session on another thread would: the stream can move on while a call is in flight
      await new Promise((r) => setTimeout(r, 5));
      return await this.inner.run(net, inputs);
    } finally {
      this.inFlight--;
    }
  }
  async dispose(): Promise<void> {
    this.disposed++;
    await this.inner.dispose();
  }
}

const spec = presets.tiny;
const facts = modelFacts(spec);
let root: string;

function lq(w: number, h: number, seed: number): RgbImage {
  return createImage(w, h, new Float32Array(w * h * 3).map((_, i) => (((i + seed) * 2654435761) % 997) / 997));
}

async function png(path: string, w: number, h: number): Promise<void> {
  const px = Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256));
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-teardown-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('a FrameError travels to the end of a real graph', () => {
  it('read-images fails one file; encode, denoise, decode, color-fix and write-images pass it on; the sink reports it', async () => {
    const dir = join(root, 'frame-error');
    mkdirSync(join(dir, 'in'), { recursive: true });
    await png(join(dir, 'in', 'a.png'), 8, 8);
    writeFileSync(join(dir, 'in', 'b.png'), 'not an image');
    await png(join(dir, 'in', 'c.png'), 8, 8);
    const backend = new Counted(await createTfjsBackend(spec, initParams(spec, 1)));
    try {
      const frames = ['a', 'b', 'c'].map((id) => ({ id, path: join(dir, 'in', `${id}.png`) }));
      const out = await lastValueFrom(
        from(frames).pipe(
          readImages('lq', { concurrency: 1 }),
          encode(backend, facts, { tS: 250 }),
          denoise(backend, facts),
          decode(backend, facts),
          colorFix('adain'),
          writeImages(join(dir, 'out'), 'sr'),
          toArray(),
        ),
      );
      // mergeMap stages do not keep order: the error frame may overtake the good ones
      expect(out.map((x) => x.id).sort()).toEqual(['a', 'b', 'c']);
      expect(out.filter(isFrameError)).toHaveLength(1);
      const err = out.find(isFrameError) as FrameError;
      expect(err).toMatchObject({ id: 'b', path: join(dir, 'in', 'b.png'), stage: 'read-images' });
      // the error frame never reached a network: three calls for each good image only (stages may interleave images)
      expect([...backend.started].sort()).toEqual(['timeAwareEncoder', 'timeAwareEncoder', 'unet', 'unet', 'vaeDecoder', 'vaeDecoder']);
      expect(readdirSync(join(dir, 'out')).sort()).toEqual(['a.png', 'c.png']);
    } finally {
      await backend.dispose();
    }
  });
});

describe('unsubscribing a real graph', () => {
  it('stops work (no backend call starts afterwards) and leaves no tensor behind; dispose frees the weights', async () => {
    const before = tf.memory().numTensors;
    const backend = new Counted(await createTfjsBackend(spec, initParams(spec, 2)));
    const loaded = tf.memory().numTensors;
    expect(loaded).toBeGreaterThan(before); // the weights are tensors: the count can see a leak
    const frames = Array.from({ length: 8 }, (_, i) => ({ id: `f${i}`, lq: lq(8, 8, i) }));
    let startedAtUnsubscribe = -1;
    const first = await lastValueFrom(
      from(frames).pipe(
        encode(backend, facts, { tS: 500 }),
        denoise(backend, facts),
        decode(backend, facts),
        take(1), // unsubscribes everything upstream on the first output
        toArray(),
      ),
    ).finally(() => (startedAtUnsubscribe = backend.started.length));
    expect(first).toHaveLength(1);
    // frames behind the first one may be in flight in earlier stages: let them finish, then wait as long again
    await vi.waitFor(() => expect(backend.inFlight).toBe(0), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(backend.started.length).toBe(startedAtUnsubscribe);
    // every stage runs at concurrency 1: when f0 leaves decode, f1 can have been through encode and denoise and
    // f2 through encode, and no more (3 + 2 + 1 calls); never more than one call per stage at once
    expect(backend.started.length).toBeLessThanOrEqual(6);
    expect(backend.maxInFlight).toBeLessThanOrEqual(3);
    expect(backend.maxInFlight).toBeGreaterThan(1); // the stages did overlap: the bound is what held it at 3
    expect(tf.memory().numTensors).toBe(loaded); // no tensor of an abandoned call was left alive
    await backend.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('upscale() torn down mid-run', () => {
  for (const kind of ['tfjs', 'onnx'] as const) {
    it(`${kind}: processes no further image, disposes the backend it loaded${kind === 'tfjs' ? ' and frees its tensors' : ' (its session worker)'}`, async () => {
      const dir = join(root, `upscale-${kind}`);
      mkdirSync(join(dir, 'in'), { recursive: true });
      await initModelDir(join(dir, 'model'), 'tiny', { seed: 5 });
      for (const n of ['a', 'b', 'c', 'd', 'e']) await png(join(dir, 'in', `${n}.png`), 8, 8);
      const made: Counted[] = [];
      const real = kind === 'tfjs' ? tfjsFactory : onnxFactory;
      registerBackendFactory(`counted-${kind}`, async () => ({
        ...real,
        name: `counted-${kind}`,
        create: async (s, w, o) => {
          const b = new Counted(await real.create(s, w, o));
          made.push(b);
          return b;
        },
      }));
      const before = tf.memory().numTensors;
      const events: UpscaleEvent[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = upscale([join(dir, 'in')], join(dir, 'out'), { model: join(dir, 'model'), backend: `counted-${kind}`, tS: 300 }).subscribe({
          next: (e) => {
            events.push(e);
            if (e.type === 'file') {
              sub.unsubscribe();
              resolve();
            }
          },
          error: reject,
          complete: () => reject(new Error('completed before the first file')),
        });
      });
      expect(made).toHaveLength(1);
      const backend = made[0]!;
      const startedAtUnsubscribe = backend.started.length;
      await vi.waitFor(() => expect(backend.disposed).toBe(1), { timeout: 30_000 });
      expect(backend.inFlight).toBe(0);
      expect(backend.started.length).toBe(startedAtUnsubscribe); // no image after the first was started
      expect(events.filter((e) => e.type === 'file')).toHaveLength(1);
      expect(events.some((e) => e.type === 'done')).toBe(false);
      expect(readdirSync(join(dir, 'out'))).toHaveLength(1);
      expect(existsSync(join(dir, 'out', 'a.png'))).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
