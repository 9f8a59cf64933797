"""Fixture: the official TADSR inference reproduced in Python on a random tiny SD *with text*, against which
`tadsr upscale --model <exported> --prompt …` is checked (test/graphs/official-forward.test.ts).

Builds a random tiny SD 2.x-style base folder (UNet with cross-attention 16 wide, VAE, CLIPTextModel 16 wide with
SD 2.1's `gelu`, the committed CLIP tokenizer fixture), a fake TADSR checkpoint in the authors' format (PEFT LoRA on
the official target modules, conv_in trained fully, time-aware encoder layers; as tools/make_export_fixture.py),
exports it with tools/export_checkpoint.py (text encoder + tokenizer included) to test/fixtures/official/model, and
runs the official inference steps (zty557/TADSR `test_tadsr.py` / `tadsr.py`) on one LQ image:

  lq_up  = PIL bicubic ×4 of the LQ image (float, per channel)
  prompt = f"{tags}, {user_prompt},"  → CLIPTokenizer(max_length=77, padding="max_length", truncation=True)
           → text_encoder(ids)[0]                                       (encode_prompt)
  z      = TAE(2·lq_up − 1, t_s).mean × scaling_factor   (the official code samples the posterior, unseeded; tadsr
           takes the mean unless --seed — so does this reference)
  ε      = UNet(z, t_s, prompt_embeds)        with LoRA applied *unmerged* (forward hooks), conv_in trained
  ẑ      = z / α_{t_s} − ε                    (the official one-step formula, α = √ᾱ of SD's scaled-linear schedule)
  x      = clamp(VAE.decode(ẑ / scaling_factor), −1, 1) · 0.5 + 0.5
  sr     = AdaIN(x, lq_up)                    (calc_mean_std: unbiased variance + 1e-5), clamped to [0, 1]

Float throughout (the official code rounds to 8-bit PIL images between steps; that is not reproduced).
Writes test/fixtures/official/{model/, reference.safetensors, prompt.json}.

Run: ~/venvs/fixtures/bin/python tools/make_official_fixture.py
"""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
from PIL import Image
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

sys.path.insert(0, str(Path(__file__).parent))
from make_export_fixture import ALPHA, RANK, attach, make_lora, unet_targets, vae_targets  # noqa: E402
from make_parity_fixtures import VAE_CFG, TimeAwareEncoder, randomize  # noqa: E402

OUT = Path("test/fixtures/official")
TOKENIZER = Path("test/fixtures/clip/tokenizer")
T_S = 500
TAGS = "building, city, sky, tree"
USER_PROMPT = "clean, high-resolution, 8k"
torch.manual_seed(2024)
torch.set_grad_enabled(False)

UNET_CFG = dict(
    sample_size=16, in_channels=4, out_channels=4, down_block_types=["CrossAttnDownBlock2D", "DownBlock2D"],
    up_block_types=["UpBlock2D", "CrossAttnUpBlock2D"], block_out_channels=[16, 32], layers_per_block=1,
    attention_head_dim=[2, 4], cross_attention_dim=16, use_linear_projection=True, norm_num_groups=4, norm_eps=1e-5,
    flip_sin_to_cos=True, freq_shift=0,
)
TEXT_CFG = dict(
    vocab_size=6514, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
    max_position_embeddings=77, hidden_act="gelu", layer_norm_eps=1e-5, projection_dim=16,
    bos_token_id=6512, eos_token_id=6513, pad_token_id=0,
)


def bicubic_x4(img: np.ndarray) -> np.ndarray:
    """PIL's BICUBIC ×4 on a float HWC image, channel by channel (mode F)."""
    h, w, _ = img.shape
    chans = [np.asarray(Image.fromarray(img[:, :, c].astype(np.float32), mode="F").resize((4 * w, 4 * h), Image.BICUBIC)) for c in range(3)]
    return np.stack(chans, axis=2)


def adain(x: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """OSEDiff/TADSR adain_color_fix on [1,3,H,W] in [0,1]: calc_mean_std with unbiased var + 1e-5."""
    def stats(t):
        flat = t.reshape(1, 3, -1)
        return flat.mean(-1).view(1, 3, 1, 1), (flat.var(-1) + 1e-5).sqrt().view(1, 3, 1, 1)
    xm, xs = stats(x)
    rm, rs = stats(ref)
    return ((x - xm) / xs * rs + rm).clamp(0, 1)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        unet = UNet2DConditionModel(**UNET_CFG).eval()
        randomize(unet)
        vae = AutoencoderKL(**VAE_CFG).eval()
        randomize(vae)
        text = CLIPTextModel(CLIPTextConfig(**TEXT_CFG)).eval()
        for name, p in text.named_parameters():
            if "layer_norm" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p) if name.endswith("weight") else 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif "embedding" in name:
                p.copy_(0.5 * torch.randn_like(p))
        unet.save_pretrained(base / "unet", safe_serialization=True)
        vae.save_pretrained(base / "vae", safe_serialization=True)
        text.save_pretrained(base / "text_encoder", safe_serialization=True)
        shutil.copytree(TOKENIZER, base / "tokenizer", ignore=shutil.ignore_patterns("SOURCE.json"))

        # Fake TADSR checkpoint (the authors' format).
        targets = unet_targets(unet)
        adapters = dict(targets)
        unet_lora, unet_hooks = make_lora(unet, [m for m, _ in targets], lambda m: adapters[m])
        conv_in_w = unet.conv_in.weight + 0.05 * torch.randn_like(unet.conv_in.weight)
        conv_in_b = unet.conv_in.bias + 0.05 * torch.randn_like(unet.conv_in.bias)
        vmods = vae_targets(vae)
        vae_lora, vae_hooks = make_lora(vae, vmods, lambda m: "default_encoder")
        tae = TimeAwareEncoder(vae, proj_dim=32, embed_dim=24).eval()
        time_state = {}
        for n, p in tae.named_parameters():
            if "time" in n:
                p.copy_(0.1 * torch.randn_like(p))
                time_state[n] = p.clone()
        ckpt = {
            "state_dict_unet": {**unet_lora, "conv_in.base_layer.weight": conv_in_w, "conv_in.base_layer.bias": conv_in_b},
            "state_dict_vae": vae_lora,
            "state_dict_vae_time": time_state,
            "rank_unet": RANK,
            "rank_vae": RANK,
        }
        ckpt_path = Path(tmp) / "tadsr.pkl"
        torch.save(ckpt, ckpt_path)
        model_dir = OUT / "model"
        shutil.rmtree(model_dir, ignore_errors=True)
        subprocess.run([sys.executable, "tools/export_checkpoint.py", "--base", str(base), "--ckpt", str(ckpt_path), "--out", str(model_dir)], check=True)

        # The official inference, step by step (unmerged LoRA, trained conv_in).
        unet.conv_in.weight.copy_(conv_in_w)
        unet.conv_in.bias.copy_(conv_in_b)
        attach(unet_hooks)
        attach(vae_hooks)
        tok = CLIPTokenizer.from_pretrained(str(base / "tokenizer"))
        prompt = f"{TAGS}, {USER_PROMPT},"
        ids = tok(prompt, max_length=77, padding="max_length", truncation=True, return_tensors="pt").input_ids
        prompt_embeds = text(ids)[0]
        yy, xx = np.mgrid[0:12, 0:16].astype(np.float32)
        lq = np.stack([0.5 + 0.4 * np.sin(xx / 3 + c) * np.cos(yy / 4 - c) for c in range(3)], axis=2).astype(np.float32)
        lq_up = torch.from_numpy(bicubic_x4(lq)).permute(2, 0, 1)[None].contiguous()
        t = torch.tensor([float(T_S)])
        sf = VAE_CFG["scaling_factor"]
        moments = tae(lq_up * 2 - 1, t)
        z = moments[:, :4] * sf
        eps = unet(z, t, encoder_hidden_states=prompt_embeds).sample
        acp = DDPMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000).alphas_cumprod
        z_hat = z / acp[T_S].sqrt() - eps
        x = (vae.decode(z_hat / sf).sample.clamp(-1, 1) * 0.5 + 0.5)
        sr = adain(x, lq_up)
        # the same with the empty prompt (what tadsr uses without --prompt/--tags)
        empty = text(tok("", max_length=77, padding="max_length", truncation=True, return_tensors="pt").input_ids)[0]
        eps0 = unet(z, t, encoder_hidden_states=empty).sample
        sr_empty = adain((vae.decode((z / acp[T_S].sqrt() - eps0) / sf).sample.clamp(-1, 1) * 0.5 + 0.5), lq_up)
        hwc = lambda a: a[0].permute(1, 2, 0).contiguous().float()  # noqa: E731
        save_file({
            "lq": torch.from_numpy(lq).contiguous(), "lq_up": hwc(lq_up), "prompt_embeds": prompt_embeds.float().contiguous(),
            "eps": eps.float().contiguous(), "sr": hwc(sr), "sr_empty_prompt": hwc(sr_empty),
        }, str(OUT / "reference.safetensors"))
        (OUT / "prompt.json").write_text(json.dumps({"tags": TAGS, "prompt": USER_PROMPT, "tS": T_S, "full": prompt}, indent=1) + "\n")
        print(f"official fixture: sr {tuple(sr.shape)}, |sr - sr_empty| max {float((sr - sr_empty).abs().max()):.4f}")


if __name__ == "__main__":
    main()
