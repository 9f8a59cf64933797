/**
 * Side effect: registers TF.js's gradient functions (and optimizers) for every built-in op.
 *
 * tfjs-core's published bundles contain no gradient configs (only its ESM sources do, with extension-less
 * imports Node cannot load); the `@tensorflow/tfjs` union bundle registers them into the shared tfjs-core
 * registry. Import this module before taking gradients.
 */
import '@tensorflow/tfjs';
