/**
 * Options shared by the full-reference metrics (PSNR, SSIM).
 *
 * - `'pyiqa'` (default): how OSEDiff and most one-step diffusion SR papers report scores —
 *   `pyiqa.create_metric('psnr'|'ssim', test_y_channel=True, color_space='ycbcr')`, no border crop.
 * - `'basicsr'`: `basicsr.metrics.calculate_psnr/ssim(img, img2, crop_border, test_y_channel)`, usually with
 *   `cropBorder = scale`.
 */
export type MetricConvention = 'pyiqa' | 'basicsr';

export interface FullReferenceOptions {
  /** Default `'pyiqa'`. */
  readonly convention?: MetricConvention;
  /** Compare the luma (BT.601 Y) plane only (default true); false compares R, G, B. */
  readonly yChannel?: boolean;
  /** Pixels dropped on every side before measuring (default 0). */
  readonly cropBorder?: number;
}
