/**
 * Hugging Face `CLIPTextModel` (SD's `text_encoder`), written once over `NetOps<T>`: what turns a prompt's token
 * ids into the `encoder_hidden_states` the UNet cross-attends to.
 *
 * `last_hidden_state = final_layer_norm(layers(token_embedding(ids) + position_embedding(arange(L))))`, each layer
 * pre-norm: `h += out_proj(causal_attn(layer_norm1(h)))`, `h += fc2(act(fc1(layer_norm2(h))))`. No attention mask
 * beyond the causal one — the official `encode_prompt` (OSEDiff/TADSR) calls `text_encoder(input_ids)` on ids padded
 * to 77, and diffusers' SD 2.1 pipeline uses `last_hidden_state` (not the penultimate layer) the same way.
 *
 * Parameter names are transformers' (`text_model.embeddings.token_embedding.weight`, …); a checkpoint's
 * `text_model.embeddings.position_ids` buffer is not a parameter and is ignored.
 */
import { layerNorm, linear, type Net } from './layers.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import type { ShapeMap } from './params.js';
import type { TextEncoderSpec } from './specs.js';

/** The SD 2.1 text encoder (stabilityai/stable-diffusion-2-1-base `text_encoder/config.json`). */
export const SD21_TEXT_ENCODER: TextEncoderSpec = {
  vocabSize: 49408,
  hiddenSize: 1024,
  intermediateSize: 4096,
  numHiddenLayers: 23,
  numAttentionHeads: 16,
  maxPositionEmbeddings: 77,
  hiddenAct: 'gelu',
  layerNormEps: 1e-5,
};

/** Parameter name → shape of a `CLIPTextModel`, in transformers' registration order. */
export function textEncoderParamShapes(s: TextEncoderSpec): ShapeMap {
  const m: ShapeMap = new Map();
  const D = s.hiddenSize;
  m.set('text_model.embeddings.token_embedding.weight', [s.vocabSize, D]);
  m.set('text_model.embeddings.position_embedding.weight', [s.maxPositionEmbeddings, D]);
  const lin = (n: string, out: number, inp: number) => {
    m.set(`${n}.weight`, [out, inp]);
    m.set(`${n}.bias`, [out]);
  };
  const norm = (n: string) => {
    m.set(`${n}.weight`, [D]);
    m.set(`${n}.bias`, [D]);
  };
  for (let i = 0; i < s.numHiddenLayers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    for (const proj of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) lin(`${p}.self_attn.${proj}`, D, D);
    norm(`${p}.layer_norm1`);
    lin(`${p}.mlp.fc1`, s.intermediateSize, D);
    lin(`${p}.mlp.fc2`, D, s.intermediateSize);
    norm(`${p}.layer_norm2`);
  }
  norm('text_model.final_layer_norm');
  return m;
}

function activation<T>(ops: NetOps<T>, act: TextEncoderSpec['hiddenAct'], x: T): T {
  if (act === 'gelu') return ops.gelu(x);
  // quick_gelu: x·σ(1.702x) = silu(1.702x) / 1.702
  return ops.scale(ops.silu(ops.scale(x, 1.702)), 1 / 1.702);
}

/**
 * `last_hidden_state` `[B, L, hiddenSize]` of token ids `[B, L]` (float tensor of integer ids, `L ≤
 * maxPositionEmbeddings`).
 *
 * @example
 * const ctx = textEncoderForward(ops, SD21_TEXT_ENCODER, name => weights.get(name)!, ids); // [1, 77, 1024]
 */
export function textEncoderForward<T>(ops: NetOps<T>, spec: TextEncoderSpec, p: ParamLookup<T>, ids: T): T {
  const n: Net<T> = { ops, p };
  const eps = spec.layerNormEps;
  let h = ops.add(
    ops.embedding(p('text_model.embeddings.token_embedding.weight'), ids),
    ops.embedding(p('text_model.embeddings.position_embedding.weight'), ops.positions(ids)),
  );
  for (let i = 0; i < spec.numHiddenLayers; i++) {
    const l = `text_model.encoder.layers.${i}`;
    const x = layerNorm(n, `${l}.layer_norm1`, h, eps);
    const q = linear(n, `${l}.self_attn.q_proj`, x);
    const k = linear(n, `${l}.self_attn.k_proj`, x);
    const v = linear(n, `${l}.self_attn.v_proj`, x);
    h = ops.add(h, linear(n, `${l}.self_attn.out_proj`, ops.causalAttention(q, k, v, spec.numAttentionHeads)));
    const y = layerNorm(n, `${l}.layer_norm2`, h, eps);
    h = ops.add(h, linear(n, `${l}.mlp.fc2`, activation(ops, spec.hiddenAct, linear(n, `${l}.mlp.fc1`, y))));
  }
  return layerNorm(n, 'text_model.final_layer_norm', h, eps);
}
