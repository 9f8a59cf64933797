/**
 * Model architecture as data. Each spec mirrors the config of the diffusers class it stands for, in camelCase,
 * so a diffusers `config.json` maps onto it field by field (see `unetSpecFromDiffusersConfig` /
 * `vaeSpecFromDiffusersConfig` in `diffusers-config.ts`). Parameter names (see `params.ts`) are diffusers'.
 *
 * Validate untrusted JSON with `validateModelSpec` (`schema.ts`); inside the library, specs are trusted.
 */

/** Down-block types of diffusers' UNet2DConditionModel that we support. `CrossAttn…` levels attend. */
export type UNetDownBlockType = 'DownBlock2D' | 'CrossAttnDownBlock2D';
/** Up-block types of diffusers' UNet2DConditionModel that we support. `CrossAttn…` levels attend. */
export type UNetUpBlockType = 'UpBlock2D' | 'CrossAttnUpBlock2D';

/**
 * diffusers `UNet2DConditionModel` (ε prediction), the subset SD 1.x/2.x use: ResNet blocks with a time embedding,
 * `Transformer2DModel` attention (self-attention, cross-attention, GEGLU feed-forward), `UNetMidBlock2DCrossAttn`.
 */
export interface UNetSpec {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Width of each level, e.g. SD: `[320, 640, 1280, 1280]`. */
  readonly blockOutChannels: readonly number[];
  /** ResNets per down level (up levels have one more, as in diffusers). */
  readonly layersPerBlock: number;
  readonly downBlockTypes: readonly UNetDownBlockType[];
  readonly upBlockTypes: readonly UNetUpBlockType[];
  /**
   * Number of attention heads per level (down order; the up path uses it reversed, the mid block the last).
   * diffusers semantics, exactly: `UNet2DConditionModel` uses `num_attention_heads or attention_head_dim` as the
   * *number of heads* (a known naming bug kept for compatibility). SD 2.1's config says
   * `attention_head_dim: [5, 10, 20, 20]`, which therefore means 5/10/20/20 heads of 64 dims each.
   */
  readonly attentionHeads: readonly number[];
  /**
   * Width of the conditioning tokens (`encoder_hidden_states`), SD 2.1: 1024. `null`: no cross-attention — each
   * transformer block is self-attention + feed-forward only (no `norm2`/`attn2`, as diffusers'
   * `BasicTransformerBlock` with `cross_attention_dim=None`), and the UNet takes no `encoderHiddenStates`.
   * Use it for small models trained without a text encoder.
   */
  readonly crossAttentionDim: number | null;
  /** `proj_in`/`proj_out` as Linear (SD 2.x) instead of 1×1 conv (SD 1.x). */
  readonly useLinearProjection: boolean;
  readonly normNumGroups: number;
  /** GroupNorm eps of ResNets and the output norm (diffusers `norm_eps`, SD: 1e-5). */
  readonly normEps: number;
  /** Sinusoidal timestep embedding: `flip_sin_to_cos` (SD: true) and `freq_shift` (SD: 0). */
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
}

/**
 * Which autoencoder a {@link VaeSpec} describes:
 * - `autoencoder-kl` (the default when absent): diffusers `AutoencoderKL` (the SD VAE);
 * - `taesd`: the TAESD family's tiny autoencoder (madebyollin/taesd `Encoder`/`Decoder`, e.g. TAEF2): plain
 *   Conv/ReLU blocks of `blockOutChannels[0]` channels, ×2 per level, deterministic encoder, a soft clamp
 *   `tanh(z/3)·3` before the decoder; see `taesd.ts`.
 */
export type VaeArch = 'autoencoder-kl' | 'taesd';

/**
 * diffusers `AutoencoderKL` with `DownEncoderBlock2D` / `UpDecoderBlock2D` levels (the SD VAE).
 * Encoder/decoder ResNets use GroupNorm eps 1e-6; the mid blocks attend with one head over all channels.
 * With `arch: 'taesd'` the same fields describe a TAESD-family autoencoder (`taesd.ts`): `blockOutChannels` is its
 * width per level (all equal; the number of levels gives the ×2^(L−1) downsampling), `normNumGroups` the groups of
 * its mid-block GroupNorm, and `layersPerBlock` / `midBlockAddAttention` are not used.
 */
export interface VaeSpec {
  /** The autoencoder family (absent: `autoencoder-kl`). */
  readonly arch?: VaeArch;
  /**
   * `taesd` only: the global-pooling GroupNorm branch in the deepest encoder blocks and the first decoder blocks
   * (taesd's `use_midblock_gn`, the `flux_2` variant TAEF2 uses).
   */
  readonly midBlockGn?: boolean;
  readonly inChannels: number;
  readonly outChannels: number;
  /** SD: `[128, 256, 512, 512]` (downsampling ×8). */
  readonly blockOutChannels: readonly number[];
  /** ResNets per encoder level (decoder levels have one more). */
  readonly layersPerBlock: number;
  readonly latentChannels: number;
  readonly normNumGroups: number;
  /** SD: 0.18215. The UNet works on `z · scalingFactor`; `vaeDecode` takes `z` already divided by it. */
  readonly scalingFactor: number;
  /** Self-attention in the encoder and decoder mid blocks (diffusers `mid_block_add_attention`, SD: true). */
  readonly midBlockAddAttention: boolean;
}

/**
 * The time-aware VAE encoder (TAE) of TADSR: the VAE encoder plus a time embedding fed to every ResNet of the
 * down blocks and the mid block in diffusers' "scale_shift" mode.
 *
 * t_s → `Timesteps(timeProjDim, flipSinToCos, freqShift)` → `time_embedding.linear_1` (timeProjDim→embedDim) →
 * SiLU → `time_embedding.linear_2` (embedDim→embedDim); per ResNet `time_emb_proj` (embedDim→2C) on SiLU(emb):
 * `scale, shift = chunk(·, 2)`, `h = norm2(h)·(1+scale)+shift`.
 *
 * Official code (zty557/TADSR, `TimeAwareEncoder`): `timeProjDim = max(128, blockOutChannels[0])`,
 * `embedDim = temb_channels = 256`; the mid-block attention is kept with its GroupNorm (`encoder_resnet=True`).
 * Parameter names follow that code: `encoder.time_embedding.linear_{1,2}.*`,
 * `encoder.down_blocks.i.resnets.j.time_emb_proj.*`, `encoder.mid_block.resnets.k.time_emb_proj.*`.
 * Our mid-block attention uses one head of all channels, as the plain encoder (the official 512-dim heads equal
 * that for SD's 512 channels; they are undefined for narrower models).
 */
export interface TimeAwareSpec {
  /** Sinusoid width, official: `max(128, vae.blockOutChannels[0])`. */
  readonly timeProjDim: number;
  /** Width of the embedding (official `temb_channels`: 256). */
  readonly embedDim: number;
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
  /**
   * `true`: `time_emb_proj` starts at zero so the TAE starts equal to the plain encoder (our default);
   * `false`: PyTorch's default init (the official code). Only affects `initParams`.
   */
  readonly zeroInitTimeProj: boolean;
}

/** One LoRA adapter: which modules it wraps (regular expressions over module names) and its rank/alpha. */
export interface LoraAdapterSpec {
  /** Which network's parameters it adapts. */
  readonly network: 'unet' | 'vae';
  readonly rank: number;
  /** Output scale is `alpha / rank` (PEFT). */
  readonly alpha: number;
  /**
   * Regular expressions (full match) over module names, i.e. a parameter name without `.weight`,
   * e.g. `encoder\\..*\\.conv[12]` or `down_blocks\\.\\d+\\.attentions\\..*\\.(to_q|to_k|to_v|to_out\\.0)`.
   * Only Linear and Conv2d modules can be wrapped; a module may be matched by one adapter only.
   */
  readonly targets: readonly string[];
}

/** LoRA adapters (PEFT naming: `<module>.lora_A.weight` `[r, in(, kh, kw)]`, `<module>.lora_B.weight` `[out, r(, 1, 1)]`). */
export interface LoraSpec {
  readonly adapters: readonly LoraAdapterSpec[];
}

/**
 * Hugging Face `CLIPTextModel` (`CLIPTextConfig` in camelCase): token + position embeddings, pre-norm transformer
 * layers with causal self-attention and an MLP, final LayerNorm; the UNet reads `last_hidden_state`.
 * SD 2.1 (OpenCLIP ViT-H text tower): vocab 49408, width 1024, MLP 4096, 23 layers, 16 heads, 77 positions, `gelu`;
 * SD 1.x (OpenAI CLIP ViT-L): 768 wide, 12 layers, 12 heads, `quick_gelu`.
 */
export interface TextEncoderSpec {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly maxPositionEmbeddings: number;
  /** MLP activation: exact `gelu` (SD 2.x) or CLIP's `quick_gelu` x·σ(1.702x) (SD 1.x). */
  readonly hiddenAct: 'gelu' | 'quick_gelu';
  readonly layerNormEps: number;
}

/**
 * The diffusion noise schedule (diffusers scheduler config in camelCase: `beta_schedule`, `beta_start`,
 * `beta_end`, `num_train_timesteps`). SD 1.x/2.x: `scaled_linear`, 0.00085 → 0.012, 1000 steps — the default of a
 * spec without it (src/schedule/noise-schedule.ts `SD_SCHEDULE`). Timesteps are 0…999.
 */
export interface NoiseScheduleSpec {
  readonly betaSchedule: 'scaled_linear' | 'linear';
  readonly betaStart: number;
  readonly betaEnd: number;
  /** 1000 (t_s, t_v and the 50 training t_s values are defined on 0…999). */
  readonly numTrainTimesteps: number;
}

/**
 * A whole TADSR model: the UNet, the VAE, optionally the time-aware encoder, LoRA adapters and the text encoder
 * (when present, prompts are tokenized with the model folder's `tokenizer/` and encoded by it; its width must be
 * the UNet's `crossAttentionDim`), and the noise schedule (absent: SD's).
 */
export interface ModelSpec {
  readonly unet: UNetSpec;
  readonly vae: VaeSpec;
  readonly tae?: TimeAwareSpec;
  readonly lora?: LoraSpec;
  readonly text?: TextEncoderSpec;
  readonly schedule?: NoiseScheduleSpec;
}
