"""Fixture for tools/export_checkpoint.py: a small random diffusers "SD" (UNet + VAE), a fake TADSR checkpoint in the
authors' format (PEFT LoRA on the official target modules, conv_in trained fully, time-aware encoder layers), the
exported tadsr model directory, and reference outputs computed by diffusers with the LoRA applied *unmerged*
(forward hooks: y += scale·B(A(x))) — an independent check of the merge and of the parameter names.

Writes test/fixtures/export/tadsr-tiny/{model.json, unet.safetensors, vae.safetensors} and
test/fixtures/export/reference_io.safetensors (inputs + UNet ε, VAE-encoder moments, TAE moments).

Run: ~/venvs/fixtures/bin/python tools/make_export_fixture.py
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
from make_parity_fixtures import VAE_CFG, TimeAwareEncoder, randomize  # noqa: E402

OUT = Path("test/fixtures/export")
RANK, ALPHA = 4, 8.0
torch.manual_seed(4321)
torch.set_grad_enabled(False)

UNET_CFG = dict(
    sample_size=16, in_channels=4, out_channels=4, down_block_types=["CrossAttnDownBlock2D", "DownBlock2D"],
    up_block_types=["UpBlock2D", "CrossAttnUpBlock2D"], block_out_channels=[16, 32], layers_per_block=1,
    attention_head_dim=[2, 4], cross_attention_dim=24, use_linear_projection=True, norm_num_groups=4, norm_eps=1e-5,
    flip_sin_to_cos=True, freq_shift=0,
)

UNET_GREP = ["to_k", "to_q", "to_v", "to_out.0", "conv", "conv1", "conv2", "conv_in", "conv_shortcut", "conv_out",
             "proj_out", "proj_in", "ff.net.2", "ff.net.0.proj"]
VAE_GREP = ["conv1", "conv2", "conv_in", "conv_shortcut", "conv", "conv_out", "to_k", "to_q", "to_v", "to_out.0"]


def unet_targets(unet):
    """The authors' `initialize_unet` selection: (module name, adapter)."""
    out = []
    for n, _ in unet.named_parameters():
        if "bias" in n or "norm" in n:
            continue
        for pat in UNET_GREP:
            if pat in n and ("down_blocks" in n or "conv_in" in n):
                out.append((n.replace(".weight", ""), "default_encoder"))
                break
            if pat in n and ("up_blocks" in n or "conv_out" in n):
                out.append((n.replace(".weight", ""), "default_decoder"))
                break
            if pat in n:
                out.append((n.replace(".weight", ""), "default_others"))
                break
    return out


def vae_targets(vae):
    out = []
    for n, _ in vae.named_parameters():
        if "bias" in n or "norm" in n:
            continue
        for pat in VAE_GREP:
            if pat in n and "encoder" in n and "time" not in n:
                out.append(n.replace(".weight", ""))
            elif "quant_conv" in n and "post_quant_conv" not in n:
                out.append(n.replace(".weight", ""))
    return sorted(set(out))


def make_lora(model, modules, adapter_of):
    """Random A and B (B non-zero, so the merge matters) per module; returns the PEFT state dict and hook closures."""
    state, hooks = {}, []
    named = dict(model.named_modules())
    for m in modules:
        mod = named[m]
        adapter = adapter_of(m)
        if isinstance(mod, torch.nn.Conv2d):
            a = torch.nn.Conv2d(mod.in_channels, RANK, mod.kernel_size, mod.stride, mod.padding, bias=False)
            b = torch.nn.Conv2d(RANK, mod.out_channels, 1, bias=False)
        else:
            a = torch.nn.Linear(mod.in_features, RANK, bias=False)
            b = torch.nn.Linear(RANK, mod.out_features, bias=False)
        torch.nn.init.normal_(a.weight, std=1 / RANK)
        torch.nn.init.normal_(b.weight, std=0.02)
        state[f"{m}.lora_A.{adapter}.weight"] = a.weight.clone()
        state[f"{m}.lora_B.{adapter}.weight"] = b.weight.clone()
        hooks.append((mod, a, b))
    return state, hooks


def attach(hooks):
    handles = []
    for mod, a, b in hooks:
        handles.append(mod.register_forward_hook(lambda _m, inp, out, a=a, b=b: out + (ALPHA / RANK) * b(a(inp[0]))))
    return handles


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        unet = UNet2DConditionModel(**UNET_CFG).eval()
        randomize(unet)
        vae = AutoencoderKL(**VAE_CFG).eval()
        randomize(vae)
        unet.save_pretrained(base / "unet", safe_serialization=True)
        vae.save_pretrained(base / "vae", safe_serialization=True)

        # Fake TADSR checkpoint.
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
                time_state[f"encoder.{n[len('encoder.'):]}" if n.startswith("encoder.") else n] = p.clone()
        ckpt = {
            "state_dict_unet": {**unet_lora, "conv_in.base_layer.weight": conv_in_w, "conv_in.base_layer.bias": conv_in_b},
            "state_dict_vae": vae_lora,
            "state_dict_vae_time": time_state,
            "rank_unet": RANK,
            "rank_vae": RANK,
            "unet_lora_encoder_modules": [m for m, a in targets if a == "default_encoder"],
            "unet_lora_decoder_modules": [m for m, a in targets if a == "default_decoder"],
            "unet_lora_others_modules": [m for m, a in targets if a == "default_others"],
            "vae_lora_encoder_modules": vmods,
        }
        ckpt_path = Path(tmp) / "tadsr.pkl"
        torch.save(ckpt, ckpt_path)
        model_dir = OUT / "tadsr-tiny"
        subprocess.run([sys.executable, "tools/export_checkpoint.py", "--base", str(base), "--ckpt", str(ckpt_path), "--out", str(model_dir)], check=True)

        # Reference outputs: diffusers + unmerged LoRA hooks + trained conv_in.
        unet.conv_in.weight.copy_(conv_in_w)
        unet.conv_in.bias.copy_(conv_in_b)
        attach(unet_hooks)
        attach(vae_hooks)
        sample = torch.randn(1, 4, 8, 8)
        timestep = torch.tensor([500.0])
        ctx = torch.zeros(1, 1, 24)
        eps = unet(sample, timestep, encoder_hidden_states=ctx).sample
        x = torch.rand(1, 3, 32, 24) * 2 - 1
        t = torch.tensor([250.0])
        tae_moments = tae(x, t)
        # The plain encoder: the same modules without the time embedding (scale/shift off).
        for r in [r for blk in vae.encoder.down_blocks for r in blk.resnets] + list(vae.encoder.mid_block.resnets):
            r.time_embedding_norm = "default"
            r.time_emb_proj = None
        moments = vae.quant_conv(vae.encoder(x))
        save_file({k: v.float().contiguous() for k, v in dict(sample=sample, timestep=timestep, ctx=ctx, eps=eps, x=x, t=t, tae_moments=tae_moments, moments=moments).items()}, str(OUT / "reference_io.safetensors"))
        print(json.dumps({"unet_lora_modules": len(targets), "vae_lora_modules": len(vmods), "time_tensors": len(time_state)}))


if __name__ == "__main__":
    main()
