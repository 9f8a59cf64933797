/**
 * Register the ONNX-Runtime-computed kernels (kernel-names.ts) and their gradients for a TF.js backend.
 *
 * Supported backends: `cpu` (pure JS: zero-copy, ORT reads/writes the JS arrays) and `wasm` (ORT reads/writes
 * the wasm heap in place). Registration is idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig } from '@tensorflow/tfjs-core';
import { attentionGradConfig, attentionKernelConfigs } from './attention-kernels.js';
import { conv2dGradConfig, conv2dKernelConfigs } from './conv2d-kernels.js';
import { groupNormGradConfig, groupNormKernelConfigs } from './group-norm-kernels.js';
import { linearGradConfig, linearKernelConfigs } from './linear-kernels.js';
import { concatGradConfig, shapeOpKernelConfigs, siluGradConfig, upsampleGradConfig } from './shape-op-kernels.js';

/** TF.js backends the ORT kernels can run on. */
export const ORT_KERNEL_BACKENDS = ['cpu', 'wasm'] as const;

const gradConfigs: GradConfig[] = [
  conv2dGradConfig,
  linearGradConfig,
  attentionGradConfig,
  groupNormGradConfig,
  siluGradConfig,
  upsampleGradConfig,
  concatGradConfig,
];

function kernelConfigs(backendName: string): KernelConfig[] {
  return [
    ...conv2dKernelConfigs(backendName),
    ...linearKernelConfigs(backendName),
    ...attentionKernelConfigs(backendName),
    ...groupNormKernelConfigs(backendName),
    ...shapeOpKernelConfigs(backendName),
  ];
}

/**
 * Make the ORT kernels available on `backendName` (default: the active backend).
 *
 * @example
 * await pickTfjsRuntime({ runtime: 'wasm' });
 * registerOrtKernels();             // now ortConv2d / ortLinear / ortAttention / ortGroupNorm work, with gradients
 */
export function registerOrtKernels(backendName: string = tf.getBackend()): void {
  if (!(ORT_KERNEL_BACKENDS as readonly string[]).includes(backendName)) {
    throw new Error(`ORT kernels support the ${ORT_KERNEL_BACKENDS.join(' and ')} backends, not "${backendName}"`);
  }
  for (const config of kernelConfigs(backendName)) {
    if (!tf.getKernel(config.kernelName, backendName)) tf.registerKernel(config);
  }
  for (const g of gradConfigs) {
    if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
  }
}
