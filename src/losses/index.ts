/** TADSR's losses as pure tensor maths over TF.js: blurred MSE, (TA)VSD, diffusion loss. */
export * from './gaussian-kernel.js';
export * from './blur.js';
export * from './blurred-mse.js';
export * from './tavsd.js';
export * from './diffusion-loss.js';
