/**
 * Render a {@link ReportData} as one self-contained HTML page that opens offline: inline CSS, an inline SVG plot,
 * a few lines of vanilla JS for the before/after sliders, and images referenced by relative path (written next
 * to the HTML). No CDN, no external script or font.
 *
 * Page structure (stable ids / classes, relied on by tests): `table#scores` (one `tr.model-row` per t_s,
 * `tr.baseline-row` per baseline), `svg.psnr-niqe` (one `g.point` per t_s), `figure.compare` per comparison with
 * `input.compare-range` and one `input.ts-choice` radio per t_s. After `load`, the script sets
 * `body[data-images-loaded]` / `[data-images-total]` (images that decoded) and `body[data-sliders-ready]`.
 *
 * ```ts
 * await writeFile('report/index.html', renderReportHtml(data));
 * ```
 */
import { encodePath, escapeHtml } from './escape-html.js';
import { psnrNiqeSvg } from './psnr-niqe-svg.js';
import type { Comparison, ReportData, ScoreRow } from './report-data.js';

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.baseline-row td { color: #a11; }
td.best { font-weight: bold; }
.notes { color: #555; font-size: 13px; }
.compare { display: inline-block; margin: 0 16px 24px 0; vertical-align: top; width: min(512px, 100%); }
.compare-view { position: relative; width: 100%; overflow: hidden; cursor: ew-resize; background: #eee; --pos: 50%; touch-action: none; }
.compare-view img { display: block; width: 100%; height: auto; user-select: none; -webkit-user-drag: none; }
.compare-view img.before { position: absolute; inset: 0; clip-path: inset(0 calc(100% - var(--pos)) 0 0); }
.compare-view .divider { position: absolute; top: 0; bottom: 0; left: var(--pos); width: 2px; margin-left: -1px; background: #fff; box-shadow: 0 0 3px #000; pointer-events: none; }
.compare-view .tag { position: absolute; top: 6px; padding: 1px 6px; background: rgba(0,0,0,.6); color: #fff; font-size: 12px; pointer-events: none; }
.compare-view .tag.left { left: 6px; } .compare-view .tag.right { right: 6px; }
.compare-range { width: 100%; margin: 6px 0; }
.ts-choices label { margin-right: 10px; font-size: 13px; white-space: nowrap; }
figcaption { font-size: 13px; color: #444; }
.errors { color: #a11; }
`;

const SCRIPT = `
(function () {
  function setPos(view, pct) { view.style.setProperty('--pos', Math.max(0, Math.min(100, pct)) + '%'); }
  var figures = document.querySelectorAll('figure.compare');
  figures.forEach(function (fig) {
    var view = fig.querySelector('.compare-view');
    var range = fig.querySelector('input.compare-range');
    var after = fig.querySelector('img.after');
    var tag = fig.querySelector('.tag.right');
    range.addEventListener('input', function () { setPos(view, Number(range.value)); });
    fig.querySelectorAll('input.ts-choice').forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (!radio.checked) return;
        after.src = radio.value;
        after.alt = radio.dataset.label;
        tag.textContent = radio.dataset.label;
      });
    });
    var dragging = false;
    function fromEvent(e) { var r = view.getBoundingClientRect(); var pct = (e.clientX - r.left) / r.width * 100; setPos(view, pct); range.value = String(Math.round(pct)); }
    view.addEventListener('pointerdown', function (e) { dragging = true; view.setPointerCapture(e.pointerId); fromEvent(e); });
    view.addEventListener('pointermove', function (e) { if (dragging) fromEvent(e); });
    view.addEventListener('pointerup', function () { dragging = false; });
    setPos(view, Number(range.value));
  });
  document.body.dataset.slidersReady = String(figures.length);
  window.addEventListener('load', function () {
    var imgs = Array.prototype.slice.call(document.images);
    document.body.dataset.imagesTotal = String(imgs.length);
    document.body.dataset.imagesLoaded = String(imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length);
  });
})();
`;

function num(x: number, d: number): string {
  return Number.isFinite(x) ? x.toFixed(d) : '–';
}

function scoreTable(rows: readonly ScoreRow[], baselines: readonly ScoreRow[]): string {
  const all = [...rows, ...baselines];
  const finite = (f: (r: ScoreRow) => number) => all.map(f).filter(Number.isFinite);
  const bestPsnr = Math.max(...finite((r) => r.psnr));
  const bestSsim = Math.max(...finite((r) => r.ssim));
  const bestNiqe = Math.min(...finite((r) => r.niqe));
  const cell = (v: number, d: number, best: number) => `<td${v === best ? ' class="best"' : ''}>${num(v, d)}</td>`;
  const line = (r: ScoreRow, cls: string) =>
    `<tr class="${cls}"${r.tS !== undefined ? ` data-ts="${r.tS}"` : ''}><td>${escapeHtml(r.label)}</td><td>${r.n}</td>` +
    cell(r.psnr, 2, bestPsnr) + cell(r.ssim, 4, bestSsim) + cell(r.niqe, 2, bestNiqe) +
    `<td>${r.msPerImage === undefined ? '–' : num(r.msPerImage, 0)}</td></tr>`;
  return [
    '<table id="scores">',
    '<thead><tr><th>method</th><th>images</th><th>PSNR-Y (dB) ↑</th><th>SSIM-Y ↑</th><th>NIQE ↓</th><th>ms / image</th></tr></thead>',
    '<tbody>',
    ...rows.map((r) => line(r, 'model-row')),
    ...baselines.map((r) => line(r, 'baseline-row')),
    '</tbody></table>',
  ].join('\n');
}

function comparisonFigure(c: Comparison, index: number): string {
  const first = c.sr[Math.min(c.sr.length - 1, Math.max(0, c.sr.findIndex((s) => s.tS === 500)))] ?? c.sr[0];
  const label = (tS: number) => `SR t_s=${tS}`;
  const radios = c.sr
    .map((s) => {
      const checked = s === first ? ' checked' : '';
      return `<label><input type="radio" class="ts-choice" name="ts-${index}" value="${escapeHtml(encodePath(s.path))}" data-label="${label(s.tS)}"${checked}> t_s=${s.tS}</label>`;
    })
    .join('\n');
  return [
    `<figure class="compare" id="compare-${index}" data-id="${escapeHtml(c.id)}">`,
    `<div class="compare-view" style="aspect-ratio: ${c.width} / ${c.height}">`,
    first ? `<img class="after" src="${escapeHtml(encodePath(first.path))}" alt="${label(first.tS)}" width="${c.width}" height="${c.height}">` : '',
    `<img class="before" src="${escapeHtml(encodePath(c.bicubic))}" alt="bicubic ×4" width="${c.width}" height="${c.height}">`,
    '<div class="divider"></div>',
    '<span class="tag left">bicubic ×4</span>',
    `<span class="tag right">${first ? label(first.tS) : ''}</span>`,
    '</div>',
    `<input type="range" class="compare-range" min="0" max="100" value="50" aria-label="before/after position for ${escapeHtml(c.id)}">`,
    `<div class="ts-choices">${radios}</div>`,
    `<figcaption>${escapeHtml(c.id)} — left: LQ upscaled by bicubic ×4; right: model output.` +
      (c.hr ? ` <a href="${escapeHtml(encodePath(c.hr))}">HR</a>` : '') + '</figcaption>',
    '</figure>',
  ].join('\n');
}

/** The complete HTML page for a report. */
export function renderReportHtml(data: ReportData): string {
  const curve = psnrNiqeSvg(
    data.rows.map((r) => ({ label: r.tS !== undefined ? `t_s=${r.tS}` : r.label, psnr: r.psnr, niqe: r.niqe })),
    data.baselines.map((r) => ({ label: r.label, psnr: r.psnr, niqe: r.niqe })),
  );
  const errors = data.errors.length
    ? `<h2>Failed items (${data.errors.length})</h2><ul class="errors">${data.errors
        .map((e) => `<li>${escapeHtml(e.id)} (${escapeHtml(e.stage)}): ${escapeHtml(e.message)}</li>`)
        .join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="notes">${[`created ${data.created}`, `LQ ${data.lqDir}`, `HR ${data.hrDir}`, ...data.notes].map(escapeHtml).join('<br>')}</p>
<h2>Scores (means over the pairs)</h2>
<p class="notes">PSNR and SSIM on the Y channel (BT.601, pyiqa convention, no border crop); NIQE with BasicSR's convention.</p>
${scoreTable(data.rows, data.baselines)}
<h2>PSNR–NIQE trade-off (one point per t_s)</h2>
${curve}
<h2>Before / after</h2>
<p class="notes">Drag across an image (or use the slider under it); pick the t_s shown on the right.</p>
${data.comparisons.map((c, i) => comparisonFigure(c, i)).join('\n')}
${errors}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
