/** Colour fixes applied after decoding (AdaIN, wavelet). */
export * from './adain.js';
export * from './wavelet.js';
export * from './color-fix.js';
