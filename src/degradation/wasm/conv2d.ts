/**
 * The WebAssembly SIMD inner loop of {@link filter2D}: 2-D cross-correlation of one float32 plane with
 * point-symmetric tap pairs, `out = Σ w·(P[o1] + P[o2])`, 16 pixels per step in four f32x4 accumulators
 * (float32 arithmetic, as PyTorch's `conv2d`). WASM floats are IEEE and deterministic (no fused multiply-add),
 * so results are identical on every machine. Source: `conv2d.wat`; one instance per thread, memory grown on
 * demand and reused. `TADSR_NO_WASM=1` forces the JS loops.
 */
import { CONV2D_WASM_BASE64 } from './conv2d-wasm.js';

/** The slice of the WebAssembly API used here (tadsr's `lib` setting has no DOM/WebAssembly typings). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface Conv2dExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  conv_pairs(P: number, ps: number, out: number, os: number, w: number, h: number, o1: number, o2: number, wt: number, n: number): void;
}

let instance: Conv2dExports | null | undefined;

/** The instance, or null where WebAssembly SIMD is unavailable (the caller then uses plain JS). */
export function conv2dWasm(): Conv2dExports | null {
  if (instance === undefined) {
    try {
      if (!WA || process.env.TADSR_NO_WASM === '1') throw new Error('no WebAssembly');
      const mod = new WA.Module(Buffer.from(CONV2D_WASM_BASE64, 'base64'));
      instance = new WA.Instance(mod, {}).exports as unknown as Conv2dExports;
    } catch {
      instance = null;
    }
  }
  return instance;
}

/** A planned convolution: tap offsets/weights laid out in WASM memory for a given padded row stride. */
export interface TapPlan {
  /** taps as (dy1, dx1, dy2, dx2, weight) relative to the window's top-left in the padded plane */
  readonly dy1: Int32Array;
  readonly dx1: Int32Array;
  readonly dy2: Int32Array;
  readonly dx2: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Run the convolution of one padded plane (`pw × ph`, already reflect-padded by `r`) into `out` at `outOff`
 * (`w × h`, row-major). Returns false when WASM is unavailable.
 */
export function convolvePlaneWasm(
  padded: Float32Array,
  pw: number,
  ph: number,
  w: number,
  h: number,
  plan: TapPlan,
  out: Float32Array,
  outOff: number,
): boolean {
  const wasm = conv2dWasm();
  if (!wasm) return false;
  const n = plan.weight.length;
  const ps = pw + 16; // slack so 16-wide reads past the row end stay inside the buffer
  const os = Math.ceil(w / 16) * 16;
  const pBytes = (ps * ph + 32) * 4;
  const oBytes = os * h * 4;
  const tBytes = n * 4 * 2 + n * 16;
  const need = pBytes + oBytes + tBytes + 64;
  const mem = wasm.memory;
  if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  const P = 0;
  const O = align16(P + pBytes);
  const T1 = align16(O + oBytes);
  const T2 = T1 + n * 4;
  const TW = align16(T2 + n * 4);
  const f32 = new Float32Array(mem.buffer);
  const i32 = new Int32Array(mem.buffer);
  for (let y = 0; y < ph; y++) f32.set(padded.subarray(y * pw, (y + 1) * pw), P / 4 + y * ps);
  for (let t = 0; t < n; t++) {
    i32[T1 / 4 + t] = (plan.dy1[t] * ps + plan.dx1[t]) * 4;
    i32[T2 / 4 + t] = (plan.dy2[t] * ps + plan.dx2[t]) * 4;
    const wv = plan.weight[t];
    const k = TW / 4 + 4 * t;
    f32[k] = wv;
    f32[k + 1] = wv;
    f32[k + 2] = wv;
    f32[k + 3] = wv;
  }
  wasm.conv_pairs(P, ps, O, os, w, h, T1, T2, TW, n);
  const res = new Float32Array(mem.buffer, O, os * h);
  for (let y = 0; y < h; y++) out.set(res.subarray(y * os, y * os + w), outOff + y * w);
  return true;
}

function align16(x: number): number {
  return (x + 15) & ~15;
}

/**
 * Tap pairs of a (2r+1)² kernel: with point symmetry `t(a,b) = t(−a,−b)` each pair shares a weight;
 * otherwise (and for the centre) a tap is paired with itself at half weight (`w/2·(p+p) = w·p` exactly).
 */
export function planTaps(t: Float64Array, r: number, pointSymmetric: boolean): TapPlan {
  const n = 2 * r + 1;
  const dy1: number[] = [];
  const dx1: number[] = [];
  const dy2: number[] = [];
  const dx2: number[] = [];
  const weight: number[] = [];
  for (let a = -r; a <= r; a++) {
    for (let b = -r; b <= r; b++) {
      const v = t[(a + r) * n + (b + r)];
      if (v === 0) continue;
      if (pointSymmetric && (a !== 0 || b !== 0)) {
        // keep one of each pair: a > 0, or a = 0 and b > 0
        if (a < 0 || (a === 0 && b < 0)) continue;
        dy1.push(r + a);
        dx1.push(r + b);
        dy2.push(r - a);
        dx2.push(r - b);
        weight.push(v);
      } else {
        dy1.push(r + a);
        dx1.push(r + b);
        dy2.push(r + a);
        dx2.push(r + b);
        weight.push(v / 2);
      }
    }
  }
  return {
    dy1: Int32Array.from(dy1),
    dx1: Int32Array.from(dx1),
    dy2: Int32Array.from(dy2),
    dx2: Int32Array.from(dx2),
    weight: Float32Array.from(weight),
  };
}
