"""Parity fixtures: small random diffusers models, fixed inputs and their reference outputs.

Builds (from configs, random weights, fixed seed; no hub downloads):
  * UNet2DConditionModel, linear projection (SD 2.x style)   -> unet_linear.*
  * UNet2DConditionModel, 1x1-conv projection (SD 1.x style) -> unet_conv.*
  * AutoencoderKL                                            -> vae.*  (encode moments, decode)
  * the TADSR time-aware encoder: AutoencoderKL's encoder with a TimestepEmbedding and every down/mid ResNet
    switched to diffusers' "scale_shift" mode (as zty557/TADSR's TimeAwareEncoder)   -> tae.*
and the names/shapes of SD 2.1-base's UNet and VAE (meta device, no weights) -> sd21_base_names.json.gz.

Weights are rounded to fp16 and stored as F16 safetensors (small files; the reference runs in fp32 on the rounded
values, so the comparison is exact up to fp32 arithmetic). Inputs and outputs are F32 safetensors.
Each model's spec in tadsr's camelCase form is written beside it (`*.spec.json`).

Run: ~/venvs/fixtures/bin/python tools/make_parity_fixtures.py [out_dir]   (see tools/requirements-fixtures.txt)
"""
import gzip
import json
import sys
from pathlib import Path

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from diffusers.models.embeddings import TimestepEmbedding, Timesteps
from safetensors.torch import save_file

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/parity")
OUT.mkdir(parents=True, exist_ok=True)
torch.manual_seed(1234)


def randomize(module: torch.nn.Module) -> None:
    """Norm affines random too (PyTorch init makes them 1/0, which would hide swapped gamma/beta)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name.split(".")[-2]:
                p.copy_(1.0 + 0.2 * torch.randn_like(p) if name.endswith("weight") else 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))


def round_fp16(module: torch.nn.Module) -> dict:
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.half().float())
    return {k: v.half().contiguous() for k, v in module.state_dict().items()}


def save_io(name: str, tensors: dict) -> None:
    save_file({k: v.detach().float().contiguous() for k, v in tensors.items()}, str(OUT / f"{name}_io.safetensors"))


def unet_fixture(name: str, linear: bool, down, up) -> None:
    cfg = dict(
        sample_size=16, in_channels=4, out_channels=4, down_block_types=down, up_block_types=up,
        block_out_channels=[16, 32], layers_per_block=1, attention_head_dim=[2, 4], cross_attention_dim=24,
        use_linear_projection=linear, norm_num_groups=4, norm_eps=1e-5, flip_sin_to_cos=True, freq_shift=0,
    )
    unet = UNet2DConditionModel(**cfg).eval()
    randomize(unet)
    save_file(round_fp16(unet), str(OUT / f"{name}.safetensors"))
    spec = dict(
        inChannels=4, outChannels=4, blockOutChannels=[16, 32], layersPerBlock=1, downBlockTypes=down,
        upBlockTypes=up, attentionHeads=[2, 4], crossAttentionDim=24, useLinearProjection=linear, normNumGroups=4,
        normEps=1e-5, flipSinToCos=True, freqShift=0,
    )
    (OUT / f"{name}.spec.json").write_text(json.dumps(spec, indent=1))
    sample = torch.randn(2, 4, 16, 16)
    timestep = torch.tensor([999.0, 21.0])
    ctx = torch.randn(2, 7, 24)
    with torch.no_grad():
        out = unet(sample, timestep, encoder_hidden_states=ctx).sample
    save_io(name, dict(sample=sample, timestep=timestep, encoder_hidden_states=ctx, out=out))


VAE_CFG = dict(
    in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
    block_out_channels=[8, 16, 16, 16], layers_per_block=1, latent_channels=4, norm_num_groups=4,
    scaling_factor=0.18215, mid_block_add_attention=True,
)
VAE_SPEC = dict(
    inChannels=3, outChannels=3, blockOutChannels=[8, 16, 16, 16], layersPerBlock=1, latentChannels=4,
    normNumGroups=4, scalingFactor=0.18215, midBlockAddAttention=True,
)


def vae_fixture() -> None:
    vae = AutoencoderKL(**VAE_CFG).eval()
    randomize(vae)
    save_file(round_fp16(vae), str(OUT / "vae.safetensors"))
    (OUT / "vae.spec.json").write_text(json.dumps(VAE_SPEC, indent=1))
    x = torch.rand(1, 3, 40, 32) * 2 - 1  # non-square, to catch H/W mix-ups
    z = torch.randn(1, 4, 5, 4)
    with torch.no_grad():
        moments = vae.quant_conv(vae.encoder(x))
        decoded = vae.decode(z).sample
    save_io("vae", dict(x=x, moments=moments, z=z, decoded=decoded))


class TimeAwareEncoder(torch.nn.Module):
    """AutoencoderKL's encoder + quant_conv with TADSR's time embedding in scale_shift mode (zty557/TADSR)."""

    def __init__(self, vae: AutoencoderKL, proj_dim: int, embed_dim: int):
        super().__init__()
        self.encoder = vae.encoder
        self.quant_conv = vae.quant_conv
        self.encoder.time_proj = Timesteps(proj_dim, flip_sin_to_cos=True, downscale_freq_shift=0)
        self.encoder.time_embedding = TimestepEmbedding(proj_dim, embed_dim)
        resnets = [r for b in self.encoder.down_blocks for r in b.resnets] + list(self.encoder.mid_block.resnets)
        for r in resnets:
            r.time_emb_proj = torch.nn.Linear(embed_dim, 2 * r.conv2.out_channels)
            r.time_embedding_norm = "scale_shift"

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        enc = self.encoder
        emb = enc.time_embedding(enc.time_proj(t))
        h = enc.conv_in(x)
        for block in enc.down_blocks:
            for r in block.resnets:
                h = r(h, emb)
            for d in block.downsamplers or []:
                h = d(h)
        mid = enc.mid_block
        h = mid.resnets[0](h, emb)
        for attn, r in zip(mid.attentions, mid.resnets[1:]):
            if attn is not None:
                h = attn(h)
            h = r(h, emb)
        h = enc.conv_out(enc.conv_act(enc.conv_norm_out(h)))
        return self.quant_conv(h)


def tae_fixture() -> None:
    vae = AutoencoderKL(**VAE_CFG).eval()
    tae = TimeAwareEncoder(vae, proj_dim=32, embed_dim=24).eval()
    randomize(vae)
    sd = round_fp16(vae)  # includes encoder.time_embedding.* and *.time_emb_proj.* (random, non-zero)
    save_file(sd, str(OUT / "tae.safetensors"))
    spec = dict(vae=VAE_SPEC, tae=dict(timeProjDim=32, embedDim=24, flipSinToCos=True, freqShift=0, zeroInitTimeProj=False))
    (OUT / "tae.spec.json").write_text(json.dumps(spec, indent=1))
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    t = torch.tensor([1.0, 999.0])
    with torch.no_grad():
        moments = tae(x, t)
    save_io("tae", dict(x=x, timestep=t, moments=moments))


def sd21_names() -> None:
    unet_cfg = dict(
        sample_size=64, in_channels=4, out_channels=4,
        down_block_types=["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"], up_block_types=["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3,
        block_out_channels=[320, 640, 1280, 1280], layers_per_block=2, attention_head_dim=[5, 10, 20, 20],
        cross_attention_dim=1024, use_linear_projection=True, norm_num_groups=32, norm_eps=1e-5,
        flip_sin_to_cos=True, freq_shift=0,
    )
    vae_cfg = dict(
        in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
        block_out_channels=[128, 256, 512, 512], layers_per_block=2, latent_channels=4, norm_num_groups=32,
        scaling_factor=0.18215,
    )
    with torch.device("meta"):
        unet = UNet2DConditionModel(**unet_cfg)
        vae = AutoencoderKL(**vae_cfg)
    dump = {
        "diffusers": __import__("diffusers").__version__,
        "unet_params": sum(p.numel() for p in unet.parameters()),
        "vae_params": sum(p.numel() for p in vae.parameters()),
        "unet": [[k, list(v.shape)] for k, v in unet.state_dict().items()],
        "vae": [[k, list(v.shape)] for k, v in vae.state_dict().items()],
    }
    with gzip.open(OUT / "sd21_base_names.json.gz", "wt") as f:
        json.dump(dump, f)


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    unet_fixture("unet_linear", True, ["CrossAttnDownBlock2D", "DownBlock2D"], ["UpBlock2D", "CrossAttnUpBlock2D"])
    unet_fixture("unet_conv", False, ["DownBlock2D", "CrossAttnDownBlock2D"], ["CrossAttnUpBlock2D", "UpBlock2D"])
    vae_fixture()
    tae_fixture()
    sd21_names()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1e6:.2f} MB to {OUT}")
