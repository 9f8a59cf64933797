/**
 * TF.js kernels for NCHW conv2d whose compute is ONNX Runtime's (forward and backward), and the gradient that
 * connects them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { convBackwardModel, convForwardModel, convOutSize, type ConvShape, type Pads4 } from './conv2d-models.js';
import { OrtConv2d, OrtConv2dGrad, type Conv2dAttrs } from './kernel-names.js';
import { attrsOf, ortKernelConfig } from './ort-kernel.js';
import { ortKernelSettings } from '../ort/ort-op-cache.js';
import { weightGradInputs, weightGradOutputs, weightOpGradConfig, weightOpInputs } from './weight-op-kernel.js';

function convShape(x: TensorInfo, w: TensorInfo, a: Conv2dAttrs): ConvShape {
  const [n, ci, h, wd] = x.shape as [number, number, number, number];
  const [co, ci2, kh, kw] = w.shape as [number, number, number, number];
  if (x.shape.length !== 4 || w.shape.length !== 4 || ci !== ci2) {
    throw new Error(`conv2d: x ${JSON.stringify(x.shape)} and w ${JSON.stringify(w.shape)} do not fit (NCHW, OIHW)`);
  }
  return { n, ci, h, w: wd, co, kh, kw, stride: a.stride, pads: a.pads as unknown as Pads4 };
}

const attrKey = (a: Conv2dAttrs) => `s${a.stride}p${a.pads.join(',')}${a.hasBias ? 'b' : ''}`;

/** Kernel configs for one tfjs backend. */
export function conv2dKernelConfigs(backendName: string): KernelConfig[] {
  return [
    ortKernelConfig<Conv2dAttrs>(
      {
        kernelName: OrtConv2d,
        inputs: weightOpInputs,
        outputs: ([[, x], [, w]], a) => {
          const s = convShape(x, w, a);
          const { ho, wo } = convOutSize(s);
          return [['y', [s.n, s.co, ho, wo]]];
        },
        attrKey,
        model: ([[, x], [, w]], a) => convForwardModel(convShape(x, w, a), a.hasBias),
      },
      backendName,
    ),
    ortKernelConfig<Conv2dAttrs>(
      {
        kernelName: OrtConv2dGrad,
        inputs: weightGradInputs,
        outputs: weightGradOutputs,
        attrKey,
        model: ([[, x], [, w]], a) => convBackwardModel(convShape(x, w, a), a.hasBias, ortKernelSettings.convFilterGrad),
      },
      backendName,
    ),
  ];
}

/** Gradient of OrtConv2d: one ORT call computes dx, dw and db together. */
export const conv2dGradConfig: GradConfig = weightOpGradConfig(OrtConv2d, OrtConv2dGrad);

/**
 * NCHW conv2d computed by ONNX Runtime, differentiable (kernels must be registered: `registerOrtKernels`).
 *
 * @example
 * const y = ortConv2d(x, w, b, 1, [1, 1, 1, 1]); // x [N,Ci,H,W], w [Co,Ci,3,3], b [Co]
 */
export function ortConv2d(x: Tensor, w: Tensor, b: Tensor | null, stride: number, pads: Pads4): Tensor {
  const attrs: Conv2dAttrs = { stride, pads: [...pads], hasBias: b !== null };
  const inputs: Record<string, Tensor> = b ? { x, w, b } : { x, w };
  return tf.engine().runKernel(OrtConv2d, inputs, attrsOf(attrs)) as Tensor;
}
