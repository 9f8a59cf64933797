/**
 * Stream behaviour of the frame helpers every operator is built on (marble tests with rxjs/testing where time is
 * virtual; real promises where the stage is async): a FrameError passes every later stage untouched and reaches
 * the sink, a DataError becomes one, a bug errors the stream, and `mergeMapFrames` never has more than its
 * concurrency in flight.
 */
import { Subject, from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DataError, type Frame, type FrameError, type Item, isFrameError } from '../../src/frame.js';
import { mapFrames, mergeMapFrames } from '../../src/operators/frame-operator.js';
import { type Tiled, tile } from '../../src/operators/tile.js';
import { untile } from '../../src/operators/untile.js';
import { createImage } from '../../src/image.js';

type N = Frame & { readonly n: number };
const f = (id: string, n: number): N => ({ id, n });
const bad: FrameError = { kind: 'frame-error', id: 'b', path: 'in/b.png', stage: 'read-images', message: 'not an image' };

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('mapFrames (marbles)', () => {
  it('a FrameError travels through later stages unchanged, in order, to the sink', () => {
    const calls: string[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold<Item<N>>('a-b-c|', { a: f('a', 1), b: bad, c: f('c', 3) });
      const out = src.pipe(
        mapFrames('double', (x: N) => (calls.push(`double ${x.id}`), { ...x, n: x.n * 2 })),
        mapFrames('plus', (x: N) => (calls.push(`plus ${x.id}`), { ...x, n: x.n + 1 })),
      );
      expectObservable(out).toBe('a-b-c|', { a: f('a', 3), b: bad, c: f('c', 7) });
    });
    // run() has flushed the virtual time: no stage ever saw the error frame
    expect(calls).toEqual(['double a', 'plus a', 'double c', 'plus c']);
  });

  it('keeps the error object itself (stage and path of the stage that failed, not of a later one)', async () => {
    const out = await lastValueFrom(from<Item<N>[]>([bad]).pipe(mapFrames('later', (x: N) => ({ ...x, n: x.n + 1 })), toArray()));
    expect(out[0]).toBe(bad);
  });

  it('a DataError becomes a FrameError of that stage; the stream goes on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold<Item<N & { path?: string }>>('a-b-c|', { a: f('a', 1), b: { ...f('b', -1), path: 'in/b.png' }, c: f('c', 3) });
      const out = src.pipe(
        mapFrames('check', (x: N) => {
          if (x.n < 0) throw new DataError(`negative n ${x.n}`);
          return x;
        }),
        mapFrames('after', (x: N) => ({ ...x, n: x.n * 10 })),
      );
      expectObservable(out).toBe('a-b-c|', {
        a: f('a', 10),
        b: { kind: 'frame-error', id: 'b', path: 'in/b.png', stage: 'check', message: 'negative n -1' },
        c: f('c', 30),
      });
    });
  });

  it('any other error is a bug: the stream errors with it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const boom = new TypeError('bug');
      const src = cold<Item<N>>('a-b-c|', { a: f('a', 1), b: f('b', 2), c: f('c', 3) });
      const out = src.pipe(
        mapFrames('buggy', (x: N) => {
          if (x.id === 'b') throw boom;
          return x;
        }),
      );
      expectObservable(out).toBe('a-#', { a: f('a', 1) }, boom);
    });
  });
});

describe('tile → per-tile stage → untile (marbles)', () => {
  const img = (w: number, h: number) => createImage(w, h, new Float32Array(w * h * 3).fill(0.5));
  type L = Frame & { readonly lq: ReturnType<typeof img> };

  it('an error frame from upstream passes tile and untile once; the other frames are blended', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a: L = { id: 'a', lq: img(24, 8) };
      const src = cold<Item<L>>('a-b|', { a, b: bad });
      const out = src.pipe(
        tile({ tile: 16, overlap: 8 }),
        mapFrames('sr', (t: Tiled<L>) => ({ ...t, sr: t.lq })),
        untile(),
        mapFrames('id', (x: Frame) => ({ id: x.id })),
      );
      expectObservable(out).toBe('a-b|', { a: { id: 'a' }, b: bad });
    });
  });

  it('a tile that fails fails its frame once (one error, later tiles dropped), and the next frame goes on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold<Item<L>>('a-c|', { a: { id: 'a', lq: img(40, 8) }, c: { id: 'c', lq: img(8, 8) } });
      const out = src.pipe(
        tile({ tile: 16, overlap: 8 }),
        mapFrames('sr', (t: Tiled<L>) => {
          if (t.id === 'a' && t.tile.index === 1) throw new DataError('tile 1 is bad');
          return { ...t, sr: t.lq };
        }),
        untile(),
        mapFrames('id', (x: Frame) => ({ id: x.id })),
      );
      expectObservable(out).toBe('a-c|', { a: { kind: 'frame-error', id: 'a', stage: 'sr', message: 'tile 1 is bad' }, c: { id: 'c' } });
    });
  });
});

describe('mergeMapFrames', () => {
  /** A stage whose calls finish only when the test says so; counts how many run at once. */
  function gatedStage() {
    const gates: (() => void)[] = [];
    const state = { inFlight: 0, maxInFlight: 0, started: [] as string[] };
    const fn = async (x: N): Promise<N> => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      state.started.push(x.id);
      await new Promise<void>((r) => gates.push(r));
      state.inFlight--;
      return { ...x, n: x.n + 1 };
    };
    const releaseOne = async () => {
      gates.shift()?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    return { fn, state, gates, releaseOne };
  }

  for (const concurrency of [1, 3]) {
    it(`never has more than ${concurrency} in flight, and reaches ${concurrency} when frames wait`, async () => {
      const g = gatedStage();
      const input = new Subject<Item<N>>();
      const got: Item<N>[] = [];
      const done = new Promise<void>((resolve) => input.pipe(mergeMapFrames('gated', g.fn, concurrency)).subscribe({ next: (x) => got.push(x), complete: resolve }));
      for (let i = 0; i < 10; i++) input.next(f(`f${i}`, i));
      input.complete();
      await Promise.resolve();
      expect(g.state.inFlight).toBe(concurrency);
      expect(g.state.started).toEqual(Array.from({ length: concurrency }, (_, i) => `f${i}`)); // the rest wait upstream
      while (got.length < 10) await g.releaseOne();
      await done;
      expect(g.state.maxInFlight).toBe(concurrency);
      expect(got.map((x) => (isFrameError(x) ? x.id : x.n)).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    });
  }

  it('error frames do not take a slot and are not handed to the stage', async () => {
    const g = gatedStage();
    const input = new Subject<Item<N>>();
    const got: Item<N>[] = [];
    input.pipe(mergeMapFrames('gated', g.fn, 1)).subscribe((x) => got.push(x));
    input.next(f('a', 1));
    input.next(bad);
    await Promise.resolve();
    await Promise.resolve();
    // the error waits behind the busy slot (mergeMap buffers it) but never enters the stage
    input.next(f('c', 3));
    while (got.length < 3) await g.releaseOne();
    expect(g.state.started).toEqual(['a', 'c']);
    expect(got).toContain(bad);
  });

  it('unsubscribing stops work: frames still waiting are never started, a finished call is not delivered', async () => {
    const g = gatedStage();
    const input = new Subject<Item<N>>();
    const got: Item<N>[] = [];
    const sub = input.pipe(mergeMapFrames('gated', g.fn, 2)).subscribe((x) => got.push(x));
    for (let i = 0; i < 6; i++) input.next(f(`f${i}`, i));
    await Promise.resolve();
    await g.releaseOne(); // f0 done → f2 starts
    expect(got).toHaveLength(1);
    sub.unsubscribe();
    expect(input.observed).toBe(false); // the source is let go
    while (g.gates.length > 0) await g.releaseOne(); // the in-flight calls finish ...
    expect(g.state.started).toEqual(['f0', 'f1', 'f2']); // ... but nothing new starts
    expect(got).toHaveLength(1); // and their results go nowhere
  });
});
