/**
 * The reference UNet of the training benchmark (ANCHORS.md / issue 3): 2 down / 2 up levels, 32–64 channels,
 * GroupNorm, SiLU, self-attention at 16×16, ~375k parameters, input [4, 3, 64, 64]. Written once over
 * NetOps<T>, so TF.js trains it and ONNX Runtime runs the very same graph forward.
 *
 *   conv_in 3→32 @64² · Res(32→32) · down(s2) @32² · Res(32→64) · down(s2) @16²
 *   mid: Res(64) · Attn(64, 4 heads) @16²
 *   up: nearest×2 @32², concat skip(64) → Res(128→64) · nearest×2 @64², concat skip(32) → Res(96→32)
 *   out: GN · SiLU · conv 32→3
 */
import type { NetOps, ParamLookup } from '../src/models/net-ops.js';

const G = 8;
const EPS = 1e-5;

/** Parameter names and shapes (PyTorch layouts). */
export function referenceUnetShapes(): Map<string, number[]> {
  const s = new Map<string, number[]>();
  const conv = (n: string, ci: number, co: number, k: number) => {
    s.set(`${n}.weight`, [co, ci, k, k]);
    s.set(`${n}.bias`, [co]);
  };
  const norm = (n: string, c: number) => {
    s.set(`${n}.weight`, [c]);
    s.set(`${n}.bias`, [c]);
  };
  const res = (n: string, ci: number, co: number) => {
    norm(`${n}.norm1`, ci);
    conv(`${n}.conv1`, ci, co, 3);
    norm(`${n}.norm2`, co);
    conv(`${n}.conv2`, co, co, 3);
    if (ci !== co) conv(`${n}.skip`, ci, co, 1);
  };
  conv('conv_in', 3, 32, 3);
  res('down0', 32, 32);
  conv('down0.down', 32, 32, 3);
  res('down1', 32, 64);
  conv('down1.down', 64, 64, 3);
  res('mid.res', 64, 64);
  norm('mid.attn.norm', 64);
  for (const p of ['q', 'k', 'v', 'out']) {
    s.set(`mid.attn.${p}.weight`, [64, 64]);
    s.set(`mid.attn.${p}.bias`, [64]);
  }
  res('up1', 128, 64);
  res('up0', 96, 32);
  norm('norm_out', 32);
  conv('conv_out', 32, 3, 3);
  return s;
}

/** GroupNorm + SiLU, fused when the backend offers it (and `fuse` is on). */
function normAct<T>(o: NetOps<T>, p: ParamLookup<T>, n: string, x: T): T {
  const g = p(`${n}.weight`);
  const b = p(`${n}.bias`);
  if (referenceUnetOptions.fuseNormAct && o.groupNormSilu) return o.groupNormSilu(x, G, g, b, EPS);
  return o.silu(o.groupNorm(x, G, g, b, EPS));
}

/** Switches for A/B runs. */
export const referenceUnetOptions = { fuseNormAct: true };

function res<T>(o: NetOps<T>, p: ParamLookup<T>, n: string, x: T, ci: number, co: number): T {
  let h = normAct(o, p, `${n}.norm1`, x);
  h = o.conv2d(h, p(`${n}.conv1.weight`), p(`${n}.conv1.bias`), { padding: 1 });
  h = normAct(o, p, `${n}.norm2`, h);
  h = o.conv2d(h, p(`${n}.conv2.weight`), p(`${n}.conv2.bias`), { padding: 1 });
  const skip = ci === co ? x : o.conv2d(x, p(`${n}.skip.weight`), p(`${n}.skip.bias`));
  return o.add(skip, h);
}

function attn<T>(o: NetOps<T>, p: ParamLookup<T>, n: string, x: T): T {
  const t = o.toTokens(o.groupNorm(x, G, p(`${n}.norm.weight`), p(`${n}.norm.bias`), EPS));
  const q = o.linear(t, p(`${n}.q.weight`), p(`${n}.q.bias`));
  const k = o.linear(t, p(`${n}.k.weight`), p(`${n}.k.bias`));
  const v = o.linear(t, p(`${n}.v.weight`), p(`${n}.v.bias`));
  const a = o.linear(o.attention(q, k, v, 4), p(`${n}.out.weight`), p(`${n}.out.bias`));
  return o.add(x, o.fromTokens(a, x));
}

/** Forward pass: x [B, 3, H, W] (H, W divisible by 4) → [B, 3, H, W]. */
export function referenceUnet<T>(o: NetOps<T>, p: ParamLookup<T>, x: T): T {
  const c = (n: string, h: T, stride = 1) => o.conv2d(h, p(`${n}.weight`), p(`${n}.bias`), { stride, padding: 1 });
  const h0 = res(o, p, 'down0', c('conv_in', x), 32, 32); // 64², 32
  const h1 = res(o, p, 'down1', c('down0.down', h0, 2), 32, 64); // 32², 64
  let h = c('down1.down', h1, 2); // 16², 64
  h = attn(o, p, 'mid.attn', res(o, p, 'mid.res', h, 64, 64));
  h = res(o, p, 'up1', o.concat([o.upsampleNearest2x(h), h1], 1), 128, 64); // 32²
  h = res(o, p, 'up0', o.concat([o.upsampleNearest2x(h), h0], 1), 96, 32); // 64²
  h = normAct(o, p, 'norm_out', h);
  return c('conv_out', h);
}
