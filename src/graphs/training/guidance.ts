/**
 * The teacher's classifier-free guidance in training: the config's `prompt` and `negativePrompt` encoded once by
 * the teacher model's own text encoder (its CLIP tokenizer and `textEncoder` graph on ONNX Runtime, CPU; the
 * official `encode_prompt`), as the `cond` / `uncond` embeddings `[1, 77, D]` of `scoresAt`. A model without a
 * text encoder cannot read a prompt: that is a {@link TrainError}, said before any training work.
 *
 * ```ts
 * const guidance = await trainingGuidance(teacherModel, 'clean, high-resolution, 8k', 'blurry, lowres');
 * ```
 */
import { createOnnxBackend } from '../../backends/onnx/onnx-backend.js';
import type { LoadedModel } from '../../models/model-dir.js';
import type { Guidance } from '../../operators/score.js';
import { PromptEncoder } from '../../text/prompt-encoder.js';
import { TrainError } from './train-error.js';

/** The embeddings of `prompt` (cond) and `negativePrompt` (uncond) by `model`'s text encoder. */
export async function trainingGuidance(model: LoadedModel | undefined, prompt: string, negativePrompt: string): Promise<Guidance> {
  const text = model?.weights.text;
  if (!model || !model.manifest.spec.text || !text || model.manifest.files.tokenizer === undefined) {
    throw new TrainError(`"prompt" needs a teacher model with a text encoder and tokenizer (${model ? `${model.dir} has none` : 'an untrained preset has none'}); leave "prompt" null to train on the fixed condition`);
  }
  if (model.manifest.spec.unet.crossAttentionDim === null) throw new TrainError(`"prompt": the teacher UNet of ${model.dir} has no cross-attention to read it`);
  const backend = await createOnnxBackend(model.manifest.spec, { unet: model.weights.unet, vae: model.weights.vae, text }, { device: 'cpu' });
  try {
    const enc = await PromptEncoder.fromModel(backend, model.dir, model.manifest.files);
    return { cond: await enc.encode(prompt), uncond: await enc.encode(negativePrompt) };
  } finally {
    await backend.dispose();
  }
}
