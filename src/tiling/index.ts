/** Tiling with Gaussian blending for images of any size. */
export * from './plan.js';
export * from './gaussian-weights.js';
export * from './blend-accumulator.js';
