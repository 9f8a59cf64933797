import { describe, expect, it } from 'vitest';
import { adainColorFix, applyColorFix, parseColorFix, waveletColorFix } from '../../src/color/index.js';
import { createImage } from '../../src/image.js';

const H = 9;
const W = 11;
function make(f: (y: number, x: number, c: number) => number) {
  const d = new Float32Array(H * W * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) d[(y * W + x) * 3 + c] = f(y, x, c);
  return createImage(W, H, d);
}
const img = make((y, x, c) => ((y * 5 + x * 3 + c * 7) % 13) / 12);
const ref = make((y, x, c) => ((y * 2 + x * 9 + c) % 7) / 6);
const px = (d: Float32Array, y: number, x: number) => Array.from(d.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
const sum = (d: Float32Array) => d.reduce((a, b) => a + b, 0);

// Reference values: numpy port of OSEDiff's wavelet_reconstruction / adaptive_instance_normalization, then clamp.
describe('colour fix', () => {
  it('wavelet matches the numpy reference', () => {
    const out = waveletColorFix(img, ref).data;
    const expected = [[0, 0, [0.0375299453735351, 0.4969491958618165, 0.13712565104166669]], [4, 5, [0.7858317693074544, 0.17831261952718097, 0.8667507171630859]], [8, 10, [0.4673598607381184, 0.8986698786417644, 0.5337651570638021]]] as const;
    for (const [y, x, v] of expected) px(out, y, x).forEach((a, i) => expect(a).toBeCloseTo(v[i], 5));
    expect(sum(out)).toBeCloseTo(147.7147397994995, 2);
  });
  it('AdaIN matches the numpy reference', () => {
    const out = adainColorFix(img, ref).data;
    px(out, 0, 0).forEach((a, i) => expect(a).toBeCloseTo([0, 0.5669230628123729, 0.06516846111462932][i], 5));
    px(out, 4, 5).forEach((a, i) => expect(a).toBeCloseTo([0.7830194836582245, 0.21174608415721685, 0.8683137503500085][i], 5));
    expect(sum(out)).toBeCloseTo(148.28658980212333, 2);
  });
  it('none is identity; names are parsed with a clear message', () => {
    expect(applyColorFix('none', img, ref)).toBe(img);
    expect(parseColorFix('wavelet')).toBe('wavelet');
    expect(() => parseColorFix('bogus')).toThrow('--color-fix must be one of adain, wavelet, none, got "bogus"');
  });
});
