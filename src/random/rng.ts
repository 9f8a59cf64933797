/**
 * The project's one seeded pseudo-random generator (degradation, training timesteps and noise, LoRA init, the
 * inference noise), fully specified so runs are reproducible byte for byte: the same `(seed, id, purpose)` gives
 * the same numbers on any machine, worker count or processing order — and a resumed training run redraws exactly
 * what the uninterrupted one drew, since every draw is keyed by (seed, step, purpose) rather than a running state.
 *
 * - Generator: **sfc32** (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, 32-bit output),
 *   seeded by hashing the UTF-8 text `"<seed>\u0000<image id>\u0000<purpose>"` with a 128-bit variant of
 *   MurmurHash3's finaliser, then 12 discarded outputs.
 * - `random()` is a 53-bit double in [0, 1) from two outputs (like `numpy`'s `random_sample`).
 * - `normal()` is Box–Muller (both values of a pair are used, the second cached).
 * - Each *purpose* (`'crop'`, `'kernel1'`, `'noise1'`, ...) is its own stream, so drawing a million noise
 *   values never shifts a later parameter draw, and adding a draw to one stage leaves the others unchanged.
 *
 * ```ts
 * const rng = Rng.forImage(42, 'baboon', 'kernel1');
 * const sigma = rng.uniform(0.2, 3);
 * ```
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  /** Seed directly from four 32-bit words (mostly for tests); prefer {@link Rng.forImage}. */
  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0 || 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The stream for one purpose of one image under one run seed. */
  static forImage(seed: number, id: string, purpose: string): Rng {
    const [a, b, c, d] = hash128(`${seed}\u0000${id}\u0000${purpose}`);
    return new Rng(a, b, c, d);
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [lo, hi) (`numpy.random.uniform(lo, hi)`); `uniform(x, x)` is `x`. */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Uniform integer in [lo, hi] inclusive (like Python's `random.randint`), unbiased. */
  randint(lo: number, hi: number): number {
    const n = hi - lo + 1;
    if (!(n >= 1) || !Number.isSafeInteger(n)) throw new RangeError(`randint: empty range [${lo}, ${hi}]`);
    if (n === 1) return lo;
    // Rejection on 53-bit doubles keeps this unbiased for any n < 2^53.
    const limit = Math.floor(9007199254740992 / n) * n;
    for (;;) {
      const r = this.random() * 9007199254740992;
      if (r < limit) return lo + (r % n);
    }
  }

  /** One element, uniformly (`random.choice`). */
  choice<T>(items: readonly T[]): T {
    return items[this.randint(0, items.length - 1)];
  }

  /** One element with the given (not necessarily normalised) weights (`random.choices(items, weights)[0]`). */
  choices<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    const u = this.random() * total;
    let acc = 0;
    for (let i = 0; i < items.length; i++) {
      acc += weights[i];
      if (u < acc) return items[i];
    }
    return items[items.length - 1];
  }

  /** Standard normal N(0, 1) by Box–Muller. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.random();
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * v;
    this.spare = r * Math.sin(t);
    this.hasSpare = true;
    return r * Math.cos(t);
  }

  /** Fill `out` with N(0, 1) values · `scale` (Box–Muller pairs, no per-value allocation). */
  fillNormal(out: Float32Array | Float64Array, scale = 1): void {
    const n = out.length;
    let i = 0;
    if (this.hasSpare && n > 0) {
      out[i++] = this.spare * scale;
      this.hasSpare = false;
    }
    for (; i + 1 < n; i += 2) {
      let u = this.random();
      while (u === 0) u = this.random();
      const r = Math.sqrt(-2 * Math.log(u)) * scale;
      const t = 2 * Math.PI * this.random();
      out[i] = r * Math.cos(t);
      out[i + 1] = r * Math.sin(t);
    }
    if (i < n) out[i] = this.normal() * scale;
  }
}

/** 128-bit hash of a string (four 32-bit words): MurmurHash3-style mixing of its UTF-8 bytes. */
export function hash128(text: string): [number, number, number, number] {
  const bytes = new TextEncoder().encode(text);
  let h1 = 0x9e3779b9 ^ bytes.length;
  let h2 = 0x243f6a88;
  let h3 = 0xb7e15162;
  let h4 = 0x85a308d3;
  for (let i = 0; i < bytes.length; i++) {
    const k = Math.imul(bytes[i] + 1, 0xcc9e2d51);
    h1 = Math.imul(h1 ^ k, 0x85ebca6b);
    h1 = (h1 << 13) | (h1 >>> 19);
    h2 = Math.imul(h2 ^ h1, 0xc2b2ae35);
    h3 = Math.imul(h3 ^ ((h2 << 7) | (h2 >>> 25)), 0x27d4eb2f);
    h4 = Math.imul(h4 ^ h3, 0x165667b1) ^ k;
  }
  return [fmix32(h1 ^ h4), fmix32(h2 ^ h1), fmix32(h3 ^ h2), fmix32(h4 ^ h3)];
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
