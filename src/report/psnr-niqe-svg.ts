/**
 * The PSNR–NIQE plot of a report as a self-contained inline SVG string (no script, no external resource):
 * x = NIQE (lower is more natural, so the axis is drawn reversed: better to the right), y = PSNR (higher is more
 * faithful). Model points are joined in t_s order and labelled `t_s=…`; baselines are squares with their label.
 *
 * ```ts
 * const svg = psnrNiqeSvg([{ label: 't_s=100', niqe: 8.1, psnr: 29.3 }, ...], [{ label: 'bicubic', ... }]);
 * ```
 */
import { escapeHtml } from './escape-html.js';

export interface CurvePoint {
  readonly label: string;
  readonly psnr: number;
  readonly niqe: number;
}

export interface SvgOptions {
  readonly width?: number;
  readonly height?: number;
}

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps, about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

function extent(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  const pad = (hi - lo) * 0.12 || Math.max(Math.abs(lo) * 0.02, 0.1);
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

function decimals(ticks: readonly number[]): number {
  if (ticks.length < 2) return 2;
  const step = Math.abs(ticks[1] - ticks[0]);
  return Math.max(0, Math.min(4, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Render the plot. Points with a non-finite coordinate are left out (and listed in a `<desc>`). */
export function psnrNiqeSvg(model: readonly CurvePoint[], baselines: readonly CurvePoint[] = [], opts: SvgOptions = {}): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 420;
  const m = { left: 64, right: 24, top: 24, bottom: 52 };
  const ok = (p: CurvePoint) => Number.isFinite(p.psnr) && Number.isFinite(p.niqe);
  const pts = model.filter(ok);
  const base = baselines.filter(ok);
  const dropped = [...model, ...baselines].filter((p) => !ok(p)).map((p) => p.label);
  const all = [...pts, ...base];
  const [xLo, xHi] = extent(all.map((p) => p.niqe));
  const [yLo, yHi] = extent(all.map((p) => p.psnr));
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  // NIQE axis reversed: low NIQE (more natural) on the right.
  const sx = (niqe: number) => m.left + ((xHi - niqe) / (xHi - xLo)) * pw;
  const sy = (psnr: number) => m.top + ((yHi - psnr) / (yHi - yLo)) * ph;
  const xt = niceTicks(xLo, xHi);
  const yt = niceTicks(yLo, yHi);
  const xd = decimals(xt);
  const yd = decimals(yt);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="psnr-niqe" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="psnr-niqe-title">`,
    `<title id="psnr-niqe-title">PSNR (Y) against NIQE, one point per t_s</title>`,
  );
  if (dropped.length) out.push(`<desc>not plotted (non-finite score): ${escapeHtml(dropped.join(', '))}</desc>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="#fff" stroke="#999"/>`);
  for (const v of xt) {
    if (v < xLo || v > xHi) continue;
    const x = sx(v).toFixed(1);
    out.push(
      `<line class="grid" x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#eee"/>`,
      `<text class="tick" x="${x}" y="${m.top + ph + 16}" text-anchor="middle" font-size="11">${v.toFixed(xd)}</text>`,
    );
  }
  for (const v of yt) {
    if (v < yLo || v > yHi) continue;
    const y = sy(v).toFixed(1);
    out.push(
      `<line class="grid" x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#eee"/>`,
      `<text class="tick" x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${v.toFixed(yd)}</text>`,
    );
  }
  out.push(
    `<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle" font-size="12">NIQE ↓ (axis reversed: more natural →)</text>`,
    `<text x="16" y="${m.top + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${m.top + ph / 2})">PSNR-Y (dB) ↑</text>`,
  );
  if (pts.length > 1) {
    const d = pts.map((p) => `${sx(p.niqe).toFixed(1)},${sy(p.psnr).toFixed(1)}`).join(' ');
    out.push(`<polyline class="curve" points="${d}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  }
  pts.forEach((p, i) => {
    const x = sx(p.niqe).toFixed(1);
    const y = sy(p.psnr).toFixed(1);
    // labels alternate above / below the curve so neighbouring t_s do not overprint each other
    const ly = i % 2 === 0 ? Number(y) - 9 : Number(y) + 17;
    out.push(
      `<g class="point"><circle cx="${x}" cy="${y}" r="4.5" fill="#1f77b4"><title>${escapeHtml(p.label)}: PSNR ${p.psnr.toFixed(2)} dB, NIQE ${p.niqe.toFixed(2)}</title></circle>`,
      `<text class="point-label" x="${x}" y="${ly.toFixed(1)}" text-anchor="middle" font-size="11">${escapeHtml(p.label)}</text></g>`,
    );
  });
  for (const p of base) {
    const x = sx(p.niqe);
    const y = sy(p.psnr);
    out.push(
      `<g class="baseline"><rect x="${(x - 4.5).toFixed(1)}" y="${(y - 4.5).toFixed(1)}" width="9" height="9" fill="#d62728"><title>${escapeHtml(p.label)}: PSNR ${p.psnr.toFixed(2)} dB, NIQE ${p.niqe.toFixed(2)}</title></rect>`,
      `<text class="point-label" x="${x.toFixed(1)}" y="${(y + 18).toFixed(1)}" text-anchor="middle" font-size="11" fill="#d62728">${escapeHtml(p.label)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
