/**
 * NIQE's pristine model: BasicSR's `niqe_pris_params.npz` (mean and covariance of the 36 NSS features over
 * pristine images, and the 7×7 Gaussian window σ = 7/6), shipped as `models/niqe/niqe_pris_params.json`
 * (converted by `tools/niqe_params_to_json.py`, full float64 precision).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NiqeParams {
  /** 36 feature means. */
  readonly mu: Float64Array;
  /** 36×36 covariance, row-major. */
  readonly cov: Float64Array;
  /** 7×7 MSCN window, row-major. */
  readonly window: Float64Array;
}

/** Default location, valid from both `src/metrics` and `dist/metrics`. */
export const NIQE_PARAMS_PATH = fileURLToPath(new URL('../../models/niqe/niqe_pris_params.json', import.meta.url));

let cached: NiqeParams | undefined;

/** Read (and cache, for the default path) the pristine parameters. */
export function loadNiqeParams(path: string = NIQE_PARAMS_PATH): NiqeParams {
  if (path === NIQE_PARAMS_PATH && cached) return cached;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    mu_pris_param: number[];
    cov_pris_param: number[][];
    gaussian_window: number[][];
  };
  const params: NiqeParams = {
    mu: Float64Array.from(raw.mu_pris_param),
    cov: Float64Array.from(raw.cov_pris_param.flat()),
    window: Float64Array.from(raw.gaussian_window.flat()),
  };
  if (params.mu.length !== 36 || params.cov.length !== 36 * 36 || params.window.length !== 49) {
    throw new Error(`${path}: expected mu[36], cov[36][36], window[7][7]`);
  }
  if (path === NIQE_PARAMS_PATH) cached = params;
  return params;
}
