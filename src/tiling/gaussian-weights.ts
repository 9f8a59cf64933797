/**
 * Gaussian blending weights of a tile (OSEDiff / MultiDiffusion `_gaussian_weights`: variance 0.01 of the
 * normalised coordinate, centred on the tile): high in the middle, tiny but positive at the edges, so overlapping
 * tiles fade into each other and the sum of weights never vanishes.
 *
 * ```ts
 * const w = gaussianTileWeights(64, 64); // Float32Array(64*64)
 * ```
 */

const VAR = 0.01;

function probs(n: number): Float64Array {
  const mid = (n - 1) / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.exp(-((i - mid) * (i - mid)) / (n * n) / (2 * VAR)) / Math.sqrt(2 * Math.PI * VAR);
  return out;
}

/** Row-major `height`×`width` weights, the outer product of two 1-D Gaussians. */
export function gaussianTileWeights(width: number, height: number): Float32Array {
  const px = probs(width);
  const py = probs(height);
  const w = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) w[y * width + x] = py[y] * px[x];
  return w;
}
