/**
 * The evaluation report opens in a real browser: headless Debian Chromium renders index.html from file:// with
 * no network, runs its script, decodes its images. Skips (printing why) when /usr/bin/chromium is absent.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/graphs/eval-model.js';
import { HAVE_CHROMIUM, NO_CHROMIUM_REASON, dumpDom, screenshot } from '../report/chromium.js';
import { type PairedSet, makePairedSet, noisyBicubic } from './eval-model-fixture.js';

if (!HAVE_CHROMIUM) console.warn(`eval-model report rendering: ${NO_CHROMIUM_REASON}`);

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe.skipIf(!HAVE_CHROMIUM)('eval-model HTML report in headless Chromium', () => {
  let set: PairedSet;
  let html: string;
  beforeAll(async () => {
    set = await makePairedSet();
    const { files } = await evaluateModel({
      upscaleFn: noisyBicubic,
      lqDir: set.lqDir,
      hrDir: set.hrDir,
      tS: [100, 500, 900],
      reportDir: join(set.root, 'report'),
      comparisons: 2,
    });
    html = files!.html;
  });
  afterAll(() => rmSync(set.root, { recursive: true, force: true }));

  it('renders the table, the PSNR–NIQE curve and the sliders, runs its script and loads every image', async () => {
    const dom = await dumpDom(html);
    expect(dom).toContain('<table id="scores">');
    expect(count(dom, /<tr class="model-row" data-ts="\d+">/g)).toBe(3);
    expect(count(dom, /<tr class="baseline-row">/g)).toBe(1);
    expect(dom).toMatch(/<svg[^>]*class="psnr-niqe"/);
    expect(count(dom, /<g class="point">/g)).toBe(3);
    for (const t of [100, 500, 900]) expect(dom).toContain(`>t_s=${t}</text>`);
    expect(dom).toMatch(/<polyline class="curve" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
    expect(count(dom, /<figure class="compare"/g)).toBe(2);
    expect(count(dom, /<input type="range" class="compare-range"/g)).toBe(2);
    expect(count(dom, /<input type="radio" class="ts-choice"/g)).toBe(6);
    // set by the page's script: sliders initialised, every <img> decoded (naturalWidth > 0)
    expect(dom).toMatch(/<body[^>]*data-sliders-ready="2"/);
    expect(dom).toMatch(/<body[^>]*data-images-total="4"/);
    expect(dom).toMatch(/<body[^>]*data-images-loaded="4"/);
    expect(count(dom, /<div class="compare-view" style="[^"]*--pos: 50%;/g)).toBe(2);
  });

  it('paints a screenshot', async () => {
    const png = join(set.root, 'shot.png');
    await screenshot(html, png);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });
});
