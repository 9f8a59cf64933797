import { describe, expect, it } from 'vitest';
import { DegradationConfigError, defaultDegradationConfig, parseDegradationConfig } from '../../src/degradation/config.js';

describe('degradation config', () => {
  it('defaults are the Real-ESRGAN x4plus / OSEDiff values, OSEDiff flow (no USM)', () => {
    const c = defaultDegradationConfig();
    expect(c).toMatchObject({
      scale: 4,
      gt_size: 512,
      usm: false,
      kernel_range: [7, 9, 11, 13, 15, 17, 19, 21],
      kernel_prob: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03],
      sinc_prob: 0.1,
      blur_sigma: [0.2, 3],
      betag_range: [0.5, 4],
      betap_range: [1, 2],
      blur_sigma2: [0.2, 1.5],
      final_sinc_prob: 0.8,
      resize_prob: [0.2, 0.7, 0.1],
      resize_range: [0.15, 1.5],
      gaussian_noise_prob: 0.5,
      noise_range: [1, 30],
      poisson_scale_range: [0.05, 3],
      gray_noise_prob: 0.4,
      jpeg_range: [30, 95],
      second_blur_prob: 0.8,
      resize_prob2: [0.3, 0.4, 0.3],
      resize_range2: [0.3, 1.2],
      noise_range2: [1, 25],
      poisson_scale_range2: [0.05, 2.5],
      jpeg_range2: [30, 95],
      final_resize_first_prob: 0.5,
    });
  });
  it('a partial config keeps the other defaults and is not modified', () => {
    const input = { noise_range: [2, 20] };
    const c = parseDegradationConfig(input);
    expect(c.noise_range).toEqual([2, 20]);
    expect(c.jpeg_range).toEqual([30, 95]);
    expect(input).toEqual({ noise_range: [2, 20] });
  });
  const bad: [unknown, RegExp][] = [
    [{ nosie_range: [1, 2] }, /unknown key "nosie_range"/],
    [{ noise_range: [1] }, /"noise_range" must NOT have fewer than 2 items/],
    [{ noise_range: [30, 1] }, /"noise_range" must be \[low, high\]/],
    [{ jpeg_range: [30, 101] }, /"jpeg_range\[1\]" must be <= 100/],
    [{ sinc_prob: 1.5 }, /"sinc_prob" must be <= 1/],
    [{ kernel_list: ['iso', 'gauss'] }, /"kernel_list\[1\]" must be one of iso, aniso/],
    [{ kernel_list: ['iso'] }, /"kernel_prob" has 6 entries but "kernel_list" has 1/],
    [{ kernel_range: [8] }, /"kernel_range\[0\]" must be odd/],
    [{ gt_size: 510 }, /"gt_size" \(510\) must be a multiple of "scale" \(4\)/],
    [{ usm: 'yes' }, /"usm" must be boolean/],
    [{ resize_range: [1.1, 1.5] }, /"resize_range" must contain 1/],
  ];
  for (const [input, msg] of bad) {
    it(`rejects ${JSON.stringify(input)} naming the key`, () => {
      expect(() => parseDegradationConfig(input)).toThrow(DegradationConfigError);
      expect(() => parseDegradationConfig(input)).toThrow(msg);
    });
  }
});
